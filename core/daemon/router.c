/* Routing: addressing rules per room kind, commands, and the built-in responder. */
#include "router.h"
#include "messages.h"
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

/* Matches "!name" as the whole first word of text. */
static bool is_command(const char *text, const char *name)
{
    size_t n = strlen(name);
    return text[0] == '!' && strncasecmp(text + 1, name, n) == 0 &&
           (text[n + 1] == '\0' || isspace((unsigned char)text[n + 1]));
}

/* One "!cmd - what it does" line as an HTML list item, the command in <code>. */
static void html_command_item(camas_buf *html, const char *line, size_t n)
{
    char *one = strndup(line, n);
    if (!one)
        return;
    size_t cmd = strcspn(one, " ");
    char *rest = one[cmd] ? camas_html_escape(one + cmd) : strdup("");
    one[cmd] = '\0';
    char *code = camas_html_escape(one);
    if (code && rest)
        camas_buf_printf(html, "<li><code>%s</code>%s</li>", code, rest);
    free(code);
    free(rest);
    free(one);
}

/* !help: the texts from knowledge/messages (help.*), then the plugins' commands. */
static int help_answer(camas_answer *out, const char *plugin_help, const char *lang,
                       const camas_messages *msgs)
{
    const char *intro = camas_messages_get(msgs, CAMAS_MSG_HELP_INTRO, lang);
    const char *title = camas_messages_get(msgs, CAMAS_MSG_HELP_COMMANDS, lang);
    const char *help = camas_messages_get(msgs, CAMAS_MSG_HELP_HELP, lang);
    const char *ping = camas_messages_get(msgs, CAMAS_MSG_HELP_PING, lang);
    const char *tail = camas_messages_get(msgs, CAMAS_MSG_HELP_TAIL, lang);
    camas_buf plain = {0}, html = {0};
    char *intro_h = camas_html_escape(intro), *title_h = camas_html_escape(title);
    char *tail_h = camas_html_escape(tail);
    camas_buf_printf(&plain, "%s\n%s\n%s\n%s", intro, title, help, ping);
    camas_buf_printf(&html, "<p>%s</p><p>%s</p><ul>", intro_h ? intro_h : "",
                     title_h ? title_h : "");
    html_command_item(&html, help, strlen(help));
    html_command_item(&html, ping, strlen(ping));
    for (const char *line = plugin_help ? plugin_help : ""; *line;) {
        size_t n = strcspn(line, "\n");
        camas_buf_printf(&plain, "\n%.*s", (int)n, line);
        html_command_item(&html, line, n);
        line += n;
        if (*line)
            line++;
    }
    camas_buf_printf(&plain, "\n%s", tail);
    camas_buf_printf(&html, "</ul><p>%s</p>", tail_h ? tail_h : "");
    free(intro_h);
    free(title_h);
    free(tail_h);
    int rc = plain.data && html.data ? set_answer(out, plain.data, html.data) : -1;
    camas_buf_free(&plain);
    camas_buf_free(&html);
    return rc;
}

int camas_router_answer(const camas_message *m, const char *bot_user_id, const char *plugin_help,
                        const char *lang, const camas_messages *msgs, camas_answer *out)
{
    memset(out, 0, sizeof *out);
    const char *text = camas_router_strip_address(m->body, bot_user_id);
    if (is_command(text, "ping")) {
        const char *pong = camas_messages_get(msgs, CAMAS_MSG_PING_REPLY, lang);
        char *html = camas_html_escape(pong);
        int rc = html ? set_answer(out, pong, html) : -1;
        free(html);
        return rc;
    }
    if (is_command(text, "help"))
        return help_answer(out, plugin_help, lang, msgs);
    if (text[0] == '!') {
        size_t n = strcspn(text, " \t\r\n");
        if (n > 40)
            n = 40;
        /* cut on a character boundary: the name goes back into a UTF-8 message */
        while (n > 1 && ((unsigned char)text[n] & 0xc0) == 0x80)
            n--;
        char command[41];
        memcpy(command, text, n);
        command[n] = '\0';
        camas_buf b = {0};
        const char *vars[] = {"command", command, NULL};
        if (camas_messages_fill(msgs, CAMAS_MSG_COMMAND_UNKNOWN, lang, vars, &b)) {
            camas_buf_free(&b);
            return -1;
        }
        int rc = set_answer(out, camas_buf_cstr(&b), NULL);
        camas_buf_free(&b);
        return rc;
    }
    if (!*text)
        return 0;
    return set_answer(out, camas_messages_get(msgs, CAMAS_MSG_BUILTIN_FALLBACK, lang), NULL);
}

void camas_route_clear(camas_route *r)
{
    camas_answer_clear(&r->answer);
}

int camas_router_route(const camas_message *m, const char *bot_user_id,
                       const struct camas_plugin_host *host, const struct camas_safety *safety,
                       const char *forced_lang, camas_route *out)
{
    memset(out, 0, sizeof *out);
    const char *text = camas_router_strip_address(m->body, bot_user_id);
    out->text = text;
    /* Tokenised once for both language detection and the safety check. */
    camas_token *toks = malloc(CAMAS_SAFETY_TOKENS * sizeof *toks);
    if (!toks)
        return -1;
    long ntok = camas_text_tokenize(text, toks, CAMAS_SAFETY_TOKENS);
    size_t nt = ntok > 0 ? (size_t)ntok : 0; /* not UTF-8: no tokens, raw cues still count */
    double sure = 0;
    const char *detected = camas_detect_lang_tokens(text, toks, nt, &sure);
    out->lang_unsure = !forced_lang && sure <= 0;
    const char *lang = forced_lang ? forced_lang : detected;
    snprintf(out->lang, sizeof out->lang, "%s", lang && strcmp(lang, "fr") == 0 ? "fr" : "en");
    snprintf(out->match_lang, sizeof out->match_lang, "%s",
             detected && strcmp(detected, "fr") == 0 ? "fr" : "en");
    /* Safety is decided before anything else and independently of every other rule. */
    out->danger = camas_safety_check_tokens(safety, text, toks, nt, NULL);
    free(toks);
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
    char *help =
        host ? camas_plugin_host_help(host, out->lang, m->room_kind == CAMAS_ROOM_HELP) : NULL;
    int rc = camas_router_answer(m, bot_user_id, help, out->lang,
                                 host ? camas_plugin_host_messages(host) : NULL, &out->answer);
    free(help);
    if (rc < 0)
        return -1;
    out->kind = rc ? CAMAS_ROUTE_BUILTIN : CAMAS_ROUTE_NONE;
    return 0;
}
