/* Routing: addressing rules per room kind, commands, and the built-in responder. */
#include "router.h"
#include "plugins.h"
#include "safety.h"
#include "text.h"
#include "util.h"
#include "reply.h"

#include <ctype.h>
#include <stdio.h>
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

static int help_answer(camas_answer *out, const char *plugin_help)
{
    if (!plugin_help || !*plugin_help)
        return set_answer(out, help_plain, help_html);
    camas_buf plain = {0}, html = {0};
    camas_buf_puts(&plain, help_plain);
    camas_buf_puts(&plain, "\n");
    camas_buf_puts(&plain, plugin_help);
    camas_buf_puts(&plain, "\nOr just ask a question in English or French.");
    camas_buf_puts(&html, help_html);
    camas_buf_puts(&html, "<ul>");
    const char *line = plugin_help;
    while (*line) {
        size_t n = strcspn(line, "\n");
        char *one = strndup(line, n);
        char *esc = one ? camas_html_escape(one) : NULL;
        if (esc)
            camas_buf_printf(&html, "<li>%s</li>", esc);
        free(esc);
        free(one);
        line += n;
        if (*line)
            line++;
    }
    camas_buf_puts(&html, "</ul><p>Or just ask a question in English or French.</p>");
    int rc = plain.data && html.data ? set_answer(out, plain.data, html.data) : -1;
    camas_buf_free(&plain);
    camas_buf_free(&html);
    return rc;
}

int camas_router_answer(const camas_message *m, const char *bot_user_id, const char *plugin_help,
                        camas_answer *out)
{
    memset(out, 0, sizeof *out);
    const char *text = camas_router_strip_address(m->body, bot_user_id);
    if (is_command(text, "ping"))
        return set_answer(out, "pong", "pong");
    if (is_command(text, "help"))
        return help_answer(out, plugin_help);
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

void camas_route_clear(camas_route *r)
{
    camas_answer_clear(&r->answer);
}

int camas_router_route(const camas_message *m, const char *bot_user_id,
                       const struct camas_plugin_host *host, const char *forced_lang,
                       camas_route *out)
{
    memset(out, 0, sizeof *out);
    const char *text = camas_router_strip_address(m->body, bot_user_id);
    out->text = text;
    const char *lang = forced_lang ? forced_lang : camas_detect_lang(text, NULL);
    snprintf(out->lang, sizeof out->lang, "%s", lang && strcmp(lang, "fr") == 0 ? "fr" : "en");
    /* Safety is decided before anything else and independently of every other rule. */
    out->danger = camas_safety_check(text, NULL);
    if (text[0] == '!') {
        size_t n = strcspn(text + 1, " \t\r\n");
        const char *args = text + 1 + n;
        while (*args == ' ' || *args == '\t' || *args == '\r' || *args == '\n')
            args++;
        if (n > 0 && n < sizeof out->command) {
            memcpy(out->command, text + 1, n);
            out->command[n] = '\0';
            for (char *c = out->command; *c; c++)
                *c = (char)tolower((unsigned char)*c);
        }
        out->args = args;
        if (strcmp(out->command, "camas") == 0) {
            out->kind = CAMAS_ROUTE_ADMIN;
            return 0;
        }
        if (out->command[0] && host && camas_plugin_host_has_command(host, out->command)) {
            out->kind = CAMAS_ROUTE_PLUGIN;
            return 0;
        }
        out->command[0] = '\0';
    } else if (host) {
        if (!*text && !out->danger)
            return 0;
        out->kind = CAMAS_ROUTE_PLUGIN;
        out->args = "";
        return 0;
    }
    char *help = host ? camas_plugin_host_help(host, out->lang) : NULL;
    int rc = camas_router_answer(m, bot_user_id, help, &out->answer);
    free(help);
    if (rc < 0)
        return -1;
    out->kind = rc ? CAMAS_ROUTE_BUILTIN : CAMAS_ROUTE_NONE;
    return 0;
}
