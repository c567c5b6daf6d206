/* Unit tests for the router: who is addressed in which kind of room, address stripping,
 * the built-in commands. */
#include "check.h"
#include "router.h"

#include <stdlib.h>
#include <string.h>

static const char *BOT = "@camas:localhost";

static camas_message msg(char *body, camas_room_kind kind, bool mentions)
{
    camas_message m = {.room_id = "!r", .sender = "@a:l", .event_id = "$e", .body = body};
    m.room_kind = kind;
    m.mentions_bot = mentions;
    return m;
}

int main(void)
{
    char hello[] = "hello everyone";
    char cmd[] = "!ping";
    char addressed[] = "camas: !ping";
    camas_message m = msg(hello, CAMAS_ROOM_STAFF, false);
    CHECK(!camas_router_addressed(&m, BOT));
    m.mentions_bot = true;
    CHECK(camas_router_addressed(&m, BOT));
    m = msg(hello, CAMAS_ROOM_HELP, false);
    CHECK(camas_router_addressed(&m, BOT));
    m = msg(hello, CAMAS_ROOM_DIRECT, false);
    CHECK(camas_router_addressed(&m, BOT));
    m = msg(cmd, CAMAS_ROOM_STAFF, false);
    CHECK(camas_router_addressed(&m, BOT));
    m = msg(addressed, CAMAS_ROOM_STAFF, false);
    CHECK(camas_router_addressed(&m, BOT));

    CHECK_STR(camas_router_strip_address("camas: !ping", BOT), "!ping");
    CHECK_STR(camas_router_strip_address("@camas:localhost, what?", BOT), "what?");
    CHECK_STR(camas_router_strip_address("  Camas what?", BOT), "what?");
    CHECK_STR(camas_router_strip_address("camassia?", BOT), "camassia?");
    CHECK_STR(camas_router_strip_address("hi", BOT), "hi");

    camas_answer a;
    m = msg(addressed, CAMAS_ROOM_STAFF, true);
    CHECK(camas_router_answer(&m, BOT, NULL, "en", NULL, &a) == 1);
    CHECK_STR(a.plain, "pong");
    camas_answer_clear(&a);

    char help[] = "!help";
    m = msg(help, CAMAS_ROOM_HELP, false);
    CHECK(camas_router_answer(&m, BOT, NULL, "en", NULL, &a) == 1);
    CHECK(strstr(a.plain, "!ping") != NULL);
    CHECK(a.html && strstr(a.html, "<code>!ping</code>") != NULL);
    camas_answer_clear(&a);

    /* the language the route carries, and whether anything said which ("911" says
     * nothing: the hotline sent at once goes in both languages) */
    camas_route r;
    char terse[] = "911", english[] = "who chairs the task force?";
    m = msg(terse, CAMAS_ROOM_HELP, false);
    CHECK(camas_router_route(&m, BOT, NULL, NULL, NULL, &r) == 0 && r.lang_unsure);
    camas_route_clear(&r);
    CHECK(camas_router_route(&m, BOT, NULL, NULL, "fr", &r) == 0 && !r.lang_unsure &&
          strcmp(r.lang, "fr") == 0);
    camas_route_clear(&r);
    m = msg(english, CAMAS_ROOM_HELP, false);
    CHECK(camas_router_route(&m, BOT, NULL, NULL, NULL, &r) == 0 && !r.lang_unsure &&
          strcmp(r.lang, "en") == 0);
    camas_route_clear(&r);

    char unknown[] = "!frobnicate now";
    m = msg(unknown, CAMAS_ROOM_HELP, false);
    CHECK(camas_router_answer(&m, BOT, NULL, "en", NULL, &a) == 1);
    CHECK(strstr(a.plain, "!frobnicate") != NULL && strstr(a.plain, "!help") != NULL);
    camas_answer_clear(&a);

    char pingpong[] = "!pingpong";
    m = msg(pingpong, CAMAS_ROOM_HELP, false);
    CHECK(camas_router_answer(&m, BOT, NULL, "en", NULL, &a) == 1);
    CHECK(strcmp(a.plain, "pong") != 0); /* only the whole word is the command */
    camas_answer_clear(&a);

    char empty[] = "camas:   ";
    m = msg(empty, CAMAS_ROOM_HELP, false);
    CHECK(camas_router_answer(&m, BOT, NULL, "en", NULL, &a) == 0);
    return check_done("router");
}
