/* Conversation context: choices of a clarification, follow-ups, expiry, separation of askers
 * and rooms, and the table staying bounded. */
#include "check.h"
#include "convo.h"

#include <stdio.h>
#include <string.h>

static void test_choice(void)
{
    CHECK(camas_convo_choice("2") == 2);
    CHECK(camas_convo_choice(" 1. ") == 1);
    CHECK(camas_convo_choice("option 3") == 3);
    CHECK(camas_convo_choice("la deuxième") == 2);
    CHECK(camas_convo_choice("n°2") == 2);
    CHECK(camas_convo_choice("the second please") == 2);
    CHECK(camas_convo_choice("premier") == 1);
    CHECK(camas_convo_choice("who chairs the task force") == 0);
    CHECK(camas_convo_choice("2 or 3") == 0);
    CHECK(camas_convo_choice("4") == 0);
    CHECK(camas_convo_choice("") == 0);
    CHECK(camas_convo_choice("2015") == 0);
}

static void test_context(void)
{
    camas_convo *c = camas_convo_new();
    CHECK(c != NULL);
    CHECK(camas_convo_context(c, "!r", "@a:x", NULL, "who chairs washact", 1000) == NULL);
    camas_convo_note(c, "!r", "@a:x", NULL, "who chairs washact", NULL, 1000);
    CHECK_STR(camas_convo_context(c, "!r", "@a:x", NULL, "and the task force?", 2000),
              "prev:who chairs washact");
    /* another asker, room or thread has no context */
    CHECK(camas_convo_context(c, "!r", "@b:x", NULL, "and the task force?", 2000) == NULL);
    CHECK(camas_convo_context(c, "!s", "@a:x", NULL, "and the task force?", 2000) == NULL);
    CHECK(camas_convo_context(c, "!r", "@a:x", "$t", "and the task force?", 2000) == NULL);
    /* a clarification's options: a number picks one, words fall back to the question */
    camas_convo_note(c, "!r", "@a:x", NULL, "meetings", "washact-meetings\ntask-force-meetings",
                     3000);
    CHECK_STR(camas_convo_context(c, "!r", "@a:x", NULL, "2", 4000), "pick:task-force-meetings");
    CHECK_STR(camas_convo_context(c, "!r", "@a:x", NULL, "1", 4000), "pick:washact-meetings");
    CHECK_STR(camas_convo_context(c, "!r", "@a:x", NULL, "3", 4000), "prev:meetings");
    CHECK_STR(camas_convo_context(c, "!r", "@a:x", NULL, "the washact ones", 4000),
              "prev:meetings");
    /* expiry */
    CHECK(camas_convo_context(c, "!r", "@a:x", NULL, "2", 3000 + CAMAS_CONVO_TTL_MS + 1) == NULL);
    camas_convo_free(c);
}

static void test_bounded(void)
{
    camas_convo *c = camas_convo_new();
    char user[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(user, sizeof user, "@u%d:x", i);
        camas_convo_note(c, "!r", user, NULL, "question", "a\nb\nc", 1000 + i);
    }
    /* the most recent askers are kept, the oldest replaced */
    CHECK_STR(camas_convo_context(c, "!r", "@u4999:x", NULL, "2", 7000), "pick:b");
    CHECK(camas_convo_context(c, "!r", "@u0:x", NULL, "2", 7000) == NULL);
    camas_convo_free(c);
}

int main(void)
{
    test_choice();
    test_context();
    test_bounded();
    return check_done("convo");
}
