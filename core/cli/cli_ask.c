/* camas ask: questions answered offline through the same router, plugin host and worker as
 * in chat, one at a time, as JSON, or a --batch of them with conversations per user. */
#include "cli.h"
#include "appservice.h"
#include "backup.h"
#include "config.h"
#include "control.h"
#include "convo.h"
#include "event.h"
#include "http.h"
#include "log.h"
#include "matrix.h"
#include "plugin_cli.h"
#include "plugins.h"
#include "reply.h"
#include "router.h"
#include "safety.h"
#include "sign_cli.h"
#include "store.h"
#include "util.h"
#include "watch.h"
#include "wsclient.h"

#include <camas/plugin.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <libwebsockets.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Set by the signal handlers, read by the loop: the only state a handler may write. */

#define LONE_ASKER "@you:offline"

/* Answers one question through the router and the plugin host, printing the result. Returns
 * 0 when something was answered, 1 when nothing was, -1 on failure. */
static int answer_one(struct lws_context *ctx, camas_plugin_host *host, struct offline *o,
                      char *text, const char *sender, const char *room_kind, const char *lang,
                      int64_t now_ms, bool json)
{
    camas_message m = {.room_id = "!offline",
                       .sender = sender,
                       .event_id = "$offline",
                       .body = text,
                       .room_kind =
                           strcmp(room_kind, "help") == 0 ? CAMAS_ROOM_HELP : CAMAS_ROOM_STAFF};
    camas_route r;
    int rc = -1;
    free(o->plain);
    free(o->html);
    free(o->plugin);
    free(o->lang);
    free(o->entry);
    free(o->understood);
    o->plain = o->html = o->plugin = o->lang = o->entry = o->understood = NULL;
    o->answered = false;
    if (camas_router_route(&m, "@camas:offline", host, o->safety, lang, &r) == 0) {
        const char *plain = NULL, *html = NULL, *plugin = "", *ans_lang = r.lang;
        double confidence = 0;
        bool abstained = true;
        int learned = 0;
        bool clarify = false, bilingual = false;
        const char *options = "";
        if (r.kind == CAMAS_ROUTE_BUILTIN) {
            plain = r.answer.plain;
            html = r.answer.html;
            plugin = "builtin";
            confidence = 1;
            abstained = false;
        } else if (r.kind == CAMAS_ROUTE_PLUGIN && host) {
            camas_question q = {.text = r.text,
                                .lang = r.lang,
                                .match_lang = r.match_lang,
                                .room_kind = m.room_kind == CAMAS_ROOM_HELP ? CAMAS_ROOMKIND_HELP
                                                                            : CAMAS_ROOMKIND_STAFF,
                                .now_ms = now_ms,
                                .command = r.command[0] ? r.command : NULL,
                                .args = r.args,
                                .patterns_fired = r.danger,
                                .lang_forced = lang != NULL};
            /* Follow-ups and clarifications only between the lines of one asker (--batch
             * JSON lines with a user): plain lines are separate questions. */
            bool converse = strcmp(sender, LONE_ASKER) != 0;
            if (!q.command && converse)
                q.context = camas_convo_context(o->convo, m.room_id, m.sender, NULL, r.text,
                                                camas_monotonic_ms());
            camas_plugin_host_ask(host, &q, camas_cli_offline_answer, o);
            camas_cli_run_until(ctx, &o->answered, 30000);
            if (o->answered) {
                plain = o->plain;
                html = o->html;
                plugin = o->plugin;
                ans_lang = o->lang;
                confidence = o->answer.confidence;
                abstained = o->answer.abstained || o->answer.failed;
                learned = o->answer.danger;
                clarify = o->answer.clarify;
                bilingual = o->answer.bilingual;
                options = clarify ? o->entry : "";
                if (!q.command && converse)
                    camas_convo_note(o->convo, m.room_id, m.sender, NULL, o->understood,
                                     clarify ? o->entry : NULL, camas_monotonic_ms());
            }
        } else if (r.kind == CAMAS_ROUTE_ADMIN) {
            plain = "Administration commands work in chat or with the running bot.";
        }
        /* Safety first, as in chat. Without the worker's verdict (no plugins, a command, a
         * crash) the patterns decide alone. */
        bool weighed = r.kind == CAMAS_ROUTE_PLUGIN && o->answered && !o->answer.failed;
        int level = weighed ? learned : r.danger ? 2 : 0;
        camas_buf out_plain = {0}, out_html = {0};
        bool hotline_first = camas_safety_compose(
            camas_plugin_host_messages(host), camas_safety_langs(ans_lang, bilingual), level, false,
            plain, html, abstained, clarify, &out_plain, &out_html);
        bool danger = level == 2;
        if (danger)
            abstained = false; /* a footer does not answer the question; the hotline does */
        if (json) {
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "answer", camas_buf_cstr(&out_plain));
            cJSON_AddStringToObject(j, "html", camas_buf_cstr(&out_html));
            cJSON_AddStringToObject(j, "lang", ans_lang);
            /* the languages the reply is written in: both, the first lang's, when the
             * question gave no cue to its own */
            cJSON *langs = cJSON_AddArrayToObject(j, "langs");
            cJSON_AddItemToArray(langs, cJSON_CreateString(ans_lang));
            if (bilingual)
                cJSON_AddItemToArray(langs,
                                     cJSON_CreateString(strcmp(ans_lang, "fr") ? "fr" : "en"));
            cJSON_AddStringToObject(j, "plugin", plugin);
            cJSON_AddNumberToObject(j, "confidence", confidence);
            cJSON_AddBoolToObject(j, "abstained", abstained);
            cJSON_AddBoolToObject(j, "danger", danger);
            cJSON_AddBoolToObject(j, "danger_footer", level == 1);
            cJSON_AddBoolToObject(j, "hotline_first", hotline_first);
            cJSON_AddBoolToObject(j, "clarify", clarify);
            cJSON *opts = cJSON_AddArrayToObject(j, "options");
            for (const char *p = options; opts && *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                char one[128];
                snprintf(one, sizeof one, "%.*s", (int)(len < 127 ? len : 127), p);
                cJSON_AddItemToArray(opts, cJSON_CreateString(one));
                p += len + (nl != NULL);
            }
            char *line = cJSON_PrintUnformatted(j);
            printf("%s\n", line ? line : "{}");
            free(line);
            cJSON_Delete(j);
        } else {
            printf("%s\n", out_plain.len ? camas_buf_cstr(&out_plain) : "(no answer)");
        }
        fflush(stdout);
        rc = (plain || danger) ? 0 : 1;
        camas_buf_free(&out_plain);
        camas_buf_free(&out_html);
        camas_route_clear(&r);
    }
    return rc;
}

/* --room-kind, --lang and --now checked (the error said on stderr): 0 when they are
 * valid, with *now_ms set from --now when it is given. */
static int check_options(const char *room_kind, const char *lang, const char *now, int64_t *now_ms)
{
    if (strcmp(room_kind, "help") && strcmp(room_kind, "staff")) {
        fprintf(stderr, "camas ask: --room-kind: expected help or staff, got '%s'\n", room_kind);
        return 2;
    }
    if (lang && strcmp(lang, "en") && strcmp(lang, "fr")) {
        fprintf(stderr, "camas ask: --lang: expected en or fr, got '%s'\n", lang);
        return 2;
    }
    if (now && (*now_ms = camas_cli_parse_iso8601(now)) < 0) {
        fprintf(stderr,
                "camas ask: --now: expected ISO-8601 like 2026-03-01T10:00:00Z, got "
                "'%s'\n",
                now);
        return 2;
    }
    return 0;
}

/* Starts the plugins and waits until the understanding is ready: 0, or
 * CAMAS_ASK_EXIT_REFUSED when a plugin was refused (reported, on stdout too when machine
 * readable). */
static int start_plugins(struct lws_context *ctx, camas_plugin_host *host, struct offline *o,
                         bool machine)
{
    int rc = 0;
    camas_plugin_host_start(host, camas_cli_offline_started, o);
    camas_cli_run_until(ctx, &o->started, 20000);
    /* A plugin camas was asked to load and refused is an error: answers without it
     * would not be the ones the bot gives. Said on stdout too, where the answer goes. */
    if (!o->started || !o->start_ok) {
        camas_ask_report_refused(camas_buf_cstr(&o->alert_text), !o->started, machine);
        rc = CAMAS_ASK_EXIT_REFUSED;
    }
    /* The first start embeds the knowledge (later ones read STATE_DIR's cache): wait for
     * it, so offline answers are the ones the bot gives once warm. */
    int64_t until = camas_monotonic_ms() + 600000;
    while (rc == 0 && !camas_plugin_host_understanding_ready(host) && camas_monotonic_ms() < until)
        lws_service(ctx, 0);
    return rc;
}

/* --batch: every line of the file (or stdin) answered as JSON; 0, 1 when a line could not
 * be read or answered, 2 when the file cannot be read. */
static int ask_batch(struct lws_context *ctx, camas_plugin_host *host, struct offline *o,
                     const char *batch, const char *room_kind, const char *lang, int64_t now_ms)
{
    int rc = 0;
    FILE *f = strcmp(batch, "-") == 0 ? stdin : fopen(batch, "r");
    if (!f) {
        fprintf(stderr, "camas ask: --batch: cannot read %s: %s\n", batch, strerror(errno));
        rc = 2;
    } else {
        char line[8192];
        while (fgets(line, sizeof line, f)) {
            line[strcspn(line, "\r\n")] = '\0';
            if (!*line)
                continue;
            /* A JSON line {"text": ..., "user": ...} says who asks: follow-ups and
             * clarifications are per user, as in a room. */
            cJSON *j = line[0] == '{' ? cJSON_Parse(line) : NULL;
            const char *text = line, *user = LONE_ASKER;
            if (line[0] == '{') {
                text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "text"));
                const char *u = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "user"));
                if (u && *u)
                    user = u;
                if (!text) {
                    fprintf(stderr,
                            "camas ask: --batch: expected {\"text\": \"...\", "
                            "\"user\": \"...\"} or a plain question, got: %.80s\n",
                            line);
                    printf("{}\n");
                    rc = 1;
                    cJSON_Delete(j);
                    continue;
                }
            }
            char *copy = strdup(text);
            if (!copy || answer_one(ctx, host, o, copy, user, room_kind, lang, now_ms, true) < 0)
                rc = 1;
            free(copy);
            cJSON_Delete(j);
        }
        if (f != stdin)
            fclose(f);
    }
    return rc;
}

/* Frees what the offline host's callbacks kept in o. */
static void offline_clear(struct offline *o)
{
    free(o->plain);
    free(o->html);
    free(o->plugin);
    free(o->lang);
    free(o->entry);
    free(o->understood);
    camas_buf_free(&o->alert_text);
    camas_safety_free(o->safety);
    camas_convo_free(o->convo);
}

int camas_cmd_ask(camas_config *cfg, const struct paths *paths, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},        {"room-kind", required_argument, NULL, 'r'},
        {"lang", required_argument, NULL, 'L'},  {"now", required_argument, NULL, 'n'},
        {"batch", required_argument, NULL, 'b'}, {"matcher", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    char *matcher = NULL;
    bool json = false;
    const char *room_kind = "help", *lang = NULL, *now = NULL, *batch = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "+jr:L:n:b:m:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'm':
            if (strcmp(optarg, "hybrid") && strcmp(optarg, "lexical") && strcmp(optarg, "dense")) {
                fprintf(stderr,
                        "camas ask: --matcher: expected hybrid, lexical or dense, got "
                        "'%s'\n",
                        optarg);
                return 2;
            }
            matcher = optarg;
            break;
        case 'b':
            batch = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'r':
            room_kind = optarg;
            break;
        case 'L':
            lang = optarg;
            break;
        case 'n':
            now = optarg;
            break;
        default:
            fprintf(ch == 'h' ? stdout : stderr,
                    "Usage: camas ask [--json] [--room-kind help|staff] [--lang en|fr] "
                    "[--now ISO-8601] [--matcher hybrid|lexical|dense] QUESTION\n"
                    "       camas ask --batch FILE|- [...]   (one question per line, "
                    "plain or {\"text\":…,\"user\":…}; one JSON answer per line)\n");
            return ch == 'h' ? 0 : 2;
        }
    }
    if (optind >= argc && !batch) {
        fprintf(stderr, "camas ask: give the question as an argument\n");
        return 2;
    }
    camas_buf question = {0};
    for (int i = optind; i < argc; i++)
        camas_buf_printf(&question, "%s%s", i > optind ? " " : "", argv[i]);
    int64_t now_ms = camas_now_ms();
    if (check_options(room_kind, lang, now, &now_ms) != 0) {
        camas_buf_free(&question);
        return 2;
    }

    struct lws_context *ctx = camas_cli_make_context(cfg, false);
    if (!ctx) {
        camas_buf_free(&question);
        return 1;
    }
    /* The vector cache lives in the state directory (as for the bot). */
    if (mkdir(cfg->state_dir, 0700) && errno != EEXIST)
        log_debug("ask", "no vector cache: %s: %s", cfg->state_dir, strerror(errno));
    struct offline o = {.safety = camas_safety_new(), .convo = camas_convo_new()};
    if (!o.safety || !o.convo) {
        camas_convo_free(o.convo);
        camas_cli_destroy_context(ctx);
        camas_buf_free(&question);
        return 1;
    }
    camas_plugin_host_config hc = camas_cli_host_config(cfg, paths);
    if (matcher)
        hc.match_mode = matcher;
    /* Without a trusted key, plugins in the directory are still handed to the host: it
     * refuses each one, and that refusal is reported below. */
    camas_plugin_host *host =
        hc.n_trusted_keys || camas_plugin_dir_count(hc.plugins_dir) > 0
            ? camas_plugin_host_new(ctx, &hc, NULL, camas_cli_offline_alert, &o)
            : NULL;
    camas_trusted_keys_print(stderr, &paths->keys);
    if (!host)
        fprintf(stderr, "camas ask: no plugins in %s; built-in answers only\n", hc.plugins_dir);
    camas_cli_tick_start(ctx);
    int rc = host ? start_plugins(ctx, host, &o, json || batch) : 0;

    if (rc) {
        /* nothing asked */
    } else if (batch) {
        rc = ask_batch(ctx, host, &o, batch, room_kind, lang, now_ms);
    } else {
        rc = answer_one(ctx, host, &o, question.data, LONE_ASKER, room_kind, lang, now_ms, json);
    }
    offline_clear(&o);
    camas_cli_tick_stop();
    camas_plugin_host_free(host);
    camas_cli_destroy_context(ctx);
    camas_buf_free(&question);
    return rc;
}
