/* Routing: addressing rules per room kind, commands, and the built-in responder. */
#include "router.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void camas_answer_clear(camas_answer *a)
{
    free(a->plain);
    free(a->html);
    a->plain = a->html = NULL;
}

const char *camas_router_strip_address(const char *body, const char *bot_user_id)
{
    const char *p = body;
    while (isspace((unsigned char)*p))
        p++;
    size_t idlen = strlen(bot_user_id);
    const char *lp = bot_user_id[0] == '@' ? bot_user_id + 1 : bot_user_id;
    size_t lplen = strcspn(lp, ":");
    const char *after = NULL;
    if (strncasecmp(p, bot_user_id, idlen) == 0)
        after = p + idlen;
    else if (*p == '@' && lplen && strncasecmp(p + 1, lp, lplen) == 0)
        after = p + 1 + lplen;
    else if (lplen && strncasecmp(p, lp, lplen) == 0 &&
             (p[lplen] == ':' || p[lplen] == ',' || isspace((unsigned char)p[lplen])))
        after = p + lplen;
    if (!after)
        return p;
    while (*after == ':' || *after == ',' || isspace((unsigned char)*after))
        after++;
    return after;
}

bool camas_router_addressed(const camas_message *m, const char *bot_user_id)
{
    if (m->room_kind == CAMAS_ROOM_HELP || m->room_kind == CAMAS_ROOM_DIRECT)
        return true;
    if (m->mentions_bot)
        return true;
    return camas_router_strip_address(m->body, bot_user_id)[0] == '!';
}

static int set_answer(camas_answer *out, const char *plain, const char *html)
{
    out->plain = strdup(plain);
    out->html = html ? strdup(html) : NULL;
    out->source = "builtin";
    if (!out->plain || (html && !out->html)) {
        camas_answer_clear(out);
        return -1;
    }
    return 1;
}

static const char help_plain[] =
    "I answer questions about Washington State's anti-trafficking bodies: the Task Force "
    "Against Trafficking of Persons, WashACT and the Statewide Coordinating Committee on "
    "Commercially Sexually Exploited Children (CSEC).\n"
    "Commands:\n"
    "!help - this text\n"
    "!ping - check that I am listening";
static const char help_html[] =
    "<p>I answer questions about Washington State's anti-trafficking bodies: the Task Force "
    "Against Trafficking of Persons, WashACT and the Statewide Coordinating Committee on "
    "Commercially Sexually Exploited Children (CSEC).</p>"
    "<p>Commands:</p><ul><li><code>!help</code> - this text</li>"
    "<li><code>!ping</code> - check that I am listening</li></ul>";

/* Matches "!name" as the whole first word of text. */
static bool is_command(const char *text, const char *name)
{
    size_t n = strlen(name);
    return text[0] == '!' && strncasecmp(text + 1, name, n) == 0 &&
           (text[n + 1] == '\0' || isspace((unsigned char)text[n + 1]));
}

int camas_router_answer(const camas_message *m, const char *bot_user_id, camas_answer *out)
{
    memset(out, 0, sizeof *out);
    const char *text = camas_router_strip_address(m->body, bot_user_id);
    if (is_command(text, "ping"))
        return set_answer(out, "pong", "pong");
    if (is_command(text, "help"))
        return set_answer(out, help_plain, help_html);
    if (text[0] == '!') {
        size_t n = strcspn(text, " \t\r\n");
        if (n > 40)
            n = 40;
        camas_buf b = {0};
        if (camas_buf_printf(&b, "I don't know the command %.*s. Send !help to see what I can do.",
                             (int)n, text)) {
            camas_buf_free(&b);
            return -1;
        }
        int rc = set_answer(out, b.data, NULL);
        camas_buf_free(&b);
        return rc;
    }
    if (!*text)
        return 0;
    return set_answer(out,
                      "I can't answer questions in my own words yet. Send !help to see what I "
                      "can do.",
                      NULL);
}
