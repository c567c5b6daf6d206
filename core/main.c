/* camas: command line entry point (run the bot, ask offline, check, sign, audit). */
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
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t reload_signal;

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        reload_signal = 1;
    else
        stop_signal = sig;
}

static void usage(FILE *out)
{
    fprintf(
        out,
        "Usage: camas [OPTIONS] COMMAND [ARGS]\n"
        "\n"
        "camas answers questions about Washington State's anti-trafficking bodies in Matrix\n"
        "rooms, in English and French.\n"
        "\n"
        "Commands:\n"
        "  run                 connect to the homeserver and answer until stopped\n"
        "  ask [--json] [--room-kind help|staff] [--lang en|fr] [--now ISO-8601] QUESTION\n"
        "                      answer one question offline with the same plugins and router\n"
        "                      (exit 0 answered, 1 not answered, 3 a plugin was refused)\n"
        "  check               validate the configuration, trusted keys, plugins and knowledge\n"
        "  audit               print the plugin audit log kept in the state directory\n"
        "  unanswered          list the questions camas could not answer, with counts\n"
        "                      (personal data taken out; --purge forgets them all)\n"
        "  backup FILE         copy the state database to FILE, safely while camas runs\n"
        "  restore FILE        put a backup back in place (camas must be stopped)\n"
        "  appservice-registration --url URL --server-name NAME [--out FILE]\n"
        "                      write an appservice registration (push/websocket transports)\n"
        "  ctl REQUEST         talk to the running bot over STATE_DIR/control.sock:\n"
        "                      plugins | load NAME [force] | reload NAME|all | unload NAME |\n"
        "                      knowledge-reload\n"
        "  keygen -s SECKEY [-p PUBKEY] [-W] [-f]       make a minisign key pair\n"
        "  sign -s SECKEY -m FILE [-x SIG] [-t TRUSTED] [-W]   sign a file (minisign format)\n"
        "  verify -p PUBKEY -m FILE [-x SIG] [-q]       verify a minisign signature\n"
        "  plugin sign --key SECKEY [--version V] DIR_OR_MANIFEST\n"
        "                      fill a plugin's manifest (SHA-256) and sign it (--help: more)\n"
        "\n"
        "Options:\n"
        "  -c, --config FILE     configuration file (YAML; default: ./camas.yaml if it\n"
        "                        exists, otherwise built-in defaults)\n"
        "  -s, --state DIR       state directory (overrides state_dir)\n"
        "  -l, --log-level LVL   error, warn, info or debug (overrides log_level)\n"
        "      --plugins DIR     plugin directory (overrides plugins.dir)\n"
        "      --knowledge DIR   knowledge directory (overrides knowledge_dir)\n"
        "      --trusted-key FILE  (ask, check; repeatable) trust this minisign public key for\n"
        "                        plugins instead of plugins.trusted_keys or PLUGINS/dev.pub\n"
        "  -h, --help            show this help and exit\n"
        "  -V, --version         show the version and exit\n"
        "\n"
        "Signals: SIGTERM/SIGINT stop camas; SIGHUP reloads every plugin (and so the\n"
        "knowledge). Exit status: 0 stopped normally, 1 runtime failure (for example a\n"
        "revoked access token), 2 invalid configuration or usage.\n"
        "See camas.example.yaml for every configuration key.\n");
}

static void lws_log_emit(int level, const char *line)
{
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n')
        n--;
    camas_log(level == LLL_ERR ? CAMAS_LOG_ERROR : CAMAS_LOG_WARN, "lws", "%.*s", (int)n, line);
}

/* ---- where things are -------------------------------------------------------------------- */

struct paths {
    char exe[PATH_MAX];
    char worker[PATH_MAX]; /* camas-worker, beside the camas binary */
    char plugins[PATH_MAX];
    char knowledge[PATH_MAX];
    char model[PATH_MAX];       /* the sentence-embedding model ("" = none found) */
    char embed_cache[PATH_MAX]; /* STATE_DIR/embeddings.cache */
    camas_trusted_keys keys;
};

static bool is_dir(const char *p)
{
    DIR *d = opendir(p);
    if (d)
        closedir(d);
    return d != NULL;
}

/* Defaults that make `camas ask` work from the repository root after the build: plugins
 * (and the development key the build signed them with) beside the binary, knowledge in the
 * current directory or beside the build directory. */
static int resolve_paths(const camas_config *cfg, const char *plugins_opt,
                         const char *knowledge_opt, const char *const *keys_opt, size_t n_keys_opt,
                         struct paths *p)
{
    memset(p, 0, sizeof *p);
    ssize_t n = readlink("/proc/self/exe", p->exe, sizeof p->exe - 1);
    if (n <= 0)
        return -1;
    p->exe[n] = '\0';
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", p->exe);
    char *exe_dir = dirname(dir);
    if (snprintf(p->worker, sizeof p->worker, "%.*s/camas-worker", PATH_MAX - 16, exe_dir) < 0)
        return -1;
    if (plugins_opt)
        snprintf(p->plugins, sizeof p->plugins, "%s", plugins_opt);
    else if (*cfg->plugins_dir)
        snprintf(p->plugins, sizeof p->plugins, "%s", cfg->plugins_dir);
    else
        snprintf(p->plugins, sizeof p->plugins, "%s/plugins", exe_dir);
    if (knowledge_opt)
        snprintf(p->knowledge, sizeof p->knowledge, "%s", knowledge_opt);
    else if (*cfg->knowledge_dir)
        snprintf(p->knowledge, sizeof p->knowledge, "%s", cfg->knowledge_dir);
    else if (is_dir("knowledge"))
        snprintf(p->knowledge, sizeof p->knowledge, "knowledge");
    else
        snprintf(p->knowledge, sizeof p->knowledge, "%s/../knowledge", exe_dir);
    /* The model scripts/setup fetched: beside the build directory (models/), else where the
     * build was configured to look. */
    if (*cfg->model_path)
        snprintf(p->model, sizeof p->model, "%s", cfg->model_path);
    else if (snprintf(p->model, sizeof p->model, "%.*s/../models/e5-small-q4.bin", PATH_MAX - 32,
                      exe_dir) >= 0 &&
             access(p->model, R_OK) != 0)
        snprintf(p->model, sizeof p->model, "%s", CAMAS_EMBED_DEFAULT_MODEL);
    snprintf(p->embed_cache, sizeof p->embed_cache, "%.*s/embeddings.cache", PATH_MAX - 32,
             cfg->state_dir);
    char abs[PATH_MAX];
    if (realpath(p->model, abs))
        snprintf(p->model, sizeof p->model, "%s", abs);
    if (realpath(p->knowledge, abs))
        snprintf(p->knowledge, sizeof p->knowledge, "%s", abs);
    if (realpath(p->plugins, abs))
        snprintf(p->plugins, sizeof p->plugins, "%s", abs);
    return camas_trusted_keys_resolve(&p->keys, keys_opt, n_keys_opt,
                                      (const char *const *)cfg->trusted_keys, cfg->n_trusted_keys,
                                      p->plugins);
}

static camas_plugin_host_config host_config(const camas_config *cfg, const struct paths *p)
{
    camas_plugin_host_config hc = {
        .worker_exe = p->worker,
        .plugins_dir = p->plugins,
        .knowledge_dir = p->knowledge,
        .trusted_keys = p->keys.paths,
        .n_trusted_keys = p->keys.n,
        .deadline_ms = (int)cfg->plugin_deadline_ms,
        .log_level = cfg->log_level,
        .match_mode = cfg->match_mode,
        .model_path = p->model,
        .embed_cache = p->embed_cache,
    };
    return hc;
}

/* Connections (sockets, the worker's socket, inotify) the event loop holds at once. */
#define CAMAS_MAX_CONNECTIONS 256

static struct lws_context *make_context(const camas_config *cfg, bool need_network)
{
    lws_set_log_level(LLL_ERR | (camas_log_get_level() >= CAMAS_LOG_DEBUG ? LLL_WARN : 0),
                      lws_log_emit);
    static const struct lws_protocols protocols[] = {
        {"camas-http", NULL, 0, 0, 0, NULL, 0},    {"camas-worker", NULL, 0, 0, 0, NULL, 0},
        {"camas-watch", NULL, 0, 0, 0, NULL, 0},   {"camas-control", NULL, 0, 0, 0, NULL, 0},
        {"camas-as-sync", NULL, 0, 0, 0, NULL, 0}, {NULL, NULL, 0, 0, 0, NULL, 0},
    };
    struct lws_protocols *list = malloc(sizeof protocols);
    if (!list)
        return NULL;
    memcpy(list, protocols, sizeof protocols);
    list[0] = camas_http_protocol;
    list[1] = camas_worker_protocol;
    list[2] = camas_watch_protocol;
    list[3] = camas_control_protocol;
    list[4] = camas_wsclient_protocol;
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = list;
    /* Loading the system's CA store costs tens of milliseconds: only pay it when camas will
     * actually speak TLS (an https homeserver, discovery over https, or wss). */
    bool tls = !*cfg->homeserver_url || strncmp(cfg->homeserver_url, "https://", 8) == 0 ||
               strncmp(cfg->as_websocket_url, "wss://", 6) == 0;
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    if (tls && need_network)
        info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    if (cfg->ca_file && *cfg->ca_file)
        info.client_ssl_ca_filepath = cfg->ca_file;
    /* lws's own response timeout must outlast a /sync long-poll; camas enforces its own
     * per-request deadlines on top. */
    info.timeout_secs = (unsigned)(cfg->sync_timeout_ms / 1000 + 90);
    info.connect_timeout_secs = 15;
    /* lws sizes two tables (pollfds and fd -> connection) by RLIMIT_NOFILE and zeroes them:
     * with a ulimit -n of 20,000 that is 320 KiB of resident memory for a daemon that holds
     * a few dozen connections (8 sends, the sync, the appservice's and control socket's
     * clients, the worker). A limit below the ulimit switches lws to a compact table that
     * it searches; past CAMAS_MAX_CONNECTIONS new connections are refused, not crashed. */
    info.fd_limit_per_thread = CAMAS_MAX_CONNECTIONS;
    struct lws_context *ctx = lws_create_context(&info);
    if (ctx) {
        info.vhost_name = "default";
        if (!lws_create_vhost(ctx, &info)) {
            lws_context_destroy(ctx);
            ctx = NULL;
        }
    }
    /* lws keeps pointing at the protocol list for the context's life: leak it knowingly
     * (one small allocation per process) rather than track it. */
    return ctx;
}

/* ---- run ------------------------------------------------------------------------------ */

static void on_initial_loads(void *ud, bool ok, const char *summary)
{
    (void)ud;
    if (!ok)
        log_warn("plugins", "some plugins were refused at start-up (see above)");
    else
        log_info("plugins", "%s", summary);
}

static void on_knowledge_changed(void *ud)
{
    camas_plugin_host_reload_knowledge(ud, "knowledge-watch", NULL, NULL);
}

/* Plugin-host alerts go to the core, created after the host: ud points at the core pointer. */
static void alert_to_core(void *ud, const char *text)
{
    camas_core **core = ud;
    if (*core)
        camas_core_alert(*core, text);
}

static int cmd_run(camas_config *cfg, const struct paths *paths)
{
    char err[1024];
    camas_store *st = camas_store_open(cfg->state_dir, err, sizeof err);
    if (!st) {
        log_error("store", "%s", err);
        return 1;
    }
    /* held until the process ends, however it ends */
    if (camas_state_lock(cfg->state_dir, err, sizeof err) < 0) {
        log_error("store", "%s", err);
        camas_store_close(st);
        return 1;
    }
    struct lws_context *ctx = make_context(cfg, true);
    if (!ctx) {
        log_error("main", "could not create the libwebsockets context");
        camas_store_close(st);
        return 1;
    }
    camas_plugin_host_config hc = host_config(cfg, paths);
    camas_core *core = NULL;
    camas_plugin_host *host = NULL;
    if (hc.n_trusted_keys == 0)
        log_warn("plugins", "no trusted plugin keys (plugins.trusted_keys): plugins disabled, "
                            "only built-in commands answer");
    else if (!(host = camas_plugin_host_new(ctx, &hc, st, alert_to_core, &core)))
        log_error("plugins", "plugins disabled: the plugin host could not start");
    core = camas_core_new(cfg, st, ctx, host);
    if (!core) {
        log_error("main", "out of memory");
        camas_plugin_host_free(host);
        lws_context_destroy(ctx);
        camas_store_close(st);
        return 1;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    camas_watch *watch = NULL;
    camas_control *control = NULL;
    if (host) {
        camas_plugin_host_start(host, on_initial_loads, NULL);
        watch = camas_watch_new(ctx, paths->knowledge, 700, on_knowledge_changed, host);
        control = camas_control_new(ctx, cfg->state_dir, host);
    }
    camas_core_start(core);
    while (!stop_signal && camas_core_exit_code(core) < 0) {
        lws_service(ctx, 0);
        if (reload_signal && host) {
            reload_signal = 0;
            log_info("main", "SIGHUP: reloading the knowledge and every plugin");
            camas_plugin_host_reload_knowledge(host, "SIGHUP", NULL, NULL);
        }
    }
    camas_watch_free(watch);
    camas_control_free(control);

    int code = camas_core_exit_code(core);
    if (stop_signal) {
        log_info("main", "stopping on signal %d", (int)stop_signal);
        code = 0;
    }
    camas_core_free(core);
    camas_plugin_host_free(host);
    lws_context_destroy(ctx);
    camas_store_close(st);
    return code < 0 ? 0 : code;
}

/* ---- ask and check: the same host and router, offline ------------------------------------ */

struct offline {
    bool started, answered;
    bool start_ok;
    int alerts;
    camas_buf alert_text;     /* every alert, one per line (the refusals at start among them) */
    camas_host_answer answer; /* strings copied below */
    char *plain, *html, *plugin, *lang, *entry, *understood;
    camas_safety *safety;
    camas_convo *convo; /* follow-ups and clarifications, per --batch user */
};

static void offline_started(void *ud, bool ok, const char *summary)
{
    struct offline *o = ud;
    (void)summary;
    o->started = true;
    o->start_ok = ok;
}

static void offline_alert(void *ud, const char *text)
{
    struct offline *o = ud;
    o->alerts++;
    fprintf(stderr, "%s\n", text);
    camas_buf_printf(&o->alert_text, "%s\n", text);
}

static void offline_answer(void *ud, const camas_host_answer *a)
{
    struct offline *o = ud;
    o->answered = true;
    o->answer = *a;
    o->plain = strdup(a->plain);
    o->html = strdup(a->html);
    o->plugin = strdup(a->plugin);
    o->lang = strdup(a->lang);
    o->entry = strdup(a->entry ? a->entry : "");
    o->understood = strdup(a->understood ? a->understood : "");
}

/* Parses 2026-03-01, 2026-03-01T10:00[:00][Z|+hh:mm]; returns Unix ms or -1. */
static int64_t parse_iso8601(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *rest = strptime(s, "%Y-%m-%d", &tm);
    if (!rest)
        return -1;
    if (*rest == 'T' || *rest == ' ') {
        const char *r2 = strptime(rest + 1, "%H:%M:%S", &tm);
        if (!r2)
            r2 = strptime(rest + 1, "%H:%M", &tm);
        if (!r2)
            return -1;
        rest = r2;
    }
    int64_t t = (int64_t)timegm(&tm);
    if (*rest == 'Z') {
        rest++;
    } else if (*rest == '+' || *rest == '-') {
        int hh, mm;
        if (sscanf(rest + 1, "%2d:%2d", &hh, &mm) != 2)
            return -1;
        int64_t off = (hh * 60 + mm) * 60;
        t += *rest == '+' ? -off : off;
        rest += 6;
    }
    return *rest ? -1 : t * 1000;
}

static void run_until(struct lws_context *ctx, const bool *flag, int max_ms)
{
    int64_t end = camas_monotonic_ms() + max_ms;
    while (!*flag && camas_monotonic_ms() < end)
        lws_service(ctx, 0);
}

/* A ticking timer keeps lws_service() from sleeping past our own deadline. */
static lws_sorted_usec_list_t offline_tick;
static void on_offline_tick(lws_sorted_usec_list_t *sul)
{
    (void)sul;
}

/* The sender of `camas ask` questions that belong to no conversation. */
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
        bool clarify = false;
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
            camas_plugin_host_ask(host, &q, offline_answer, o);
            run_until(ctx, &o->answered, 30000);
            if (o->answered) {
                plain = o->plain;
                html = o->html;
                plugin = o->plugin;
                ans_lang = o->lang;
                confidence = o->answer.confidence;
                abstained = o->answer.abstained || o->answer.failed;
                learned = o->answer.danger;
                clarify = o->answer.clarify;
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
        camas_safety_compose(ans_lang, level, false, plain, html, abstained, clarify, &out_plain,
                             &out_html);
        bool danger = level == 2;
        if (danger)
            abstained = false; /* a footer does not answer the question; the hotline does */
        if (json) {
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "answer", camas_buf_cstr(&out_plain));
            cJSON_AddStringToObject(j, "html", camas_buf_cstr(&out_html));
            cJSON_AddStringToObject(j, "lang", ans_lang);
            cJSON_AddStringToObject(j, "plugin", plugin);
            cJSON_AddNumberToObject(j, "confidence", confidence);
            cJSON_AddBoolToObject(j, "abstained", abstained);
            cJSON_AddBoolToObject(j, "danger", danger);
            cJSON_AddBoolToObject(j, "danger_footer", level == 1);
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

static int cmd_ask(camas_config *cfg, const struct paths *paths, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"room-kind", required_argument, NULL, 'r'},
        {"lang", required_argument, NULL, 'L'},
        {"now", required_argument, NULL, 'n'},
        {"batch", required_argument, NULL, 'b'},
        {"matcher", required_argument, NULL, 'm'},
        {NULL, 0, NULL, 0},
    };
    char *matcher = NULL;
    bool json = false;
    const char *room_kind = "help", *lang = NULL, *now = NULL, *batch = NULL;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "+jr:L:n:b:m:", opts, NULL)) != -1) {
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
            fprintf(stderr, "Usage: camas ask [--json] [--room-kind help|staff] [--lang en|fr] "
                            "[--now ISO-8601] [--matcher hybrid|lexical|dense] QUESTION\n"
                            "       camas ask --batch FILE|- [...]   (one question per line, "
                            "plain or {\"text\":…,\"user\":…}; one JSON answer per line)\n");
            return 2;
        }
    }
    if (optind >= argc && !batch) {
        fprintf(stderr, "camas ask: give the question as an argument\n");
        return 2;
    }
    camas_buf question = {0};
    for (int i = optind; i < argc; i++)
        camas_buf_printf(&question, "%s%s", i > optind ? " " : "", argv[i]);
    if (strcmp(room_kind, "help") && strcmp(room_kind, "staff")) {
        fprintf(stderr, "camas ask: --room-kind: expected help or staff, got '%s'\n", room_kind);
        camas_buf_free(&question);
        return 2;
    }
    if (lang && strcmp(lang, "en") && strcmp(lang, "fr")) {
        fprintf(stderr, "camas ask: --lang: expected en or fr, got '%s'\n", lang);
        camas_buf_free(&question);
        return 2;
    }
    int64_t now_ms = camas_now_ms();
    if (now && (now_ms = parse_iso8601(now)) < 0) {
        fprintf(stderr,
                "camas ask: --now: expected ISO-8601 like 2026-03-01T10:00:00Z, got "
                "'%s'\n",
                now);
        camas_buf_free(&question);
        return 2;
    }

    struct lws_context *ctx = make_context(cfg, false);
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
        lws_context_destroy(ctx);
        camas_buf_free(&question);
        return 1;
    }
    camas_plugin_host_config hc = host_config(cfg, paths);
    if (matcher)
        hc.match_mode = matcher;
    /* Without a trusted key, plugins in the directory are still handed to the host: it
     * refuses each one, and that refusal is reported below. */
    camas_plugin_host *host = hc.n_trusted_keys || camas_plugin_dir_count(hc.plugins_dir) > 0
                                  ? camas_plugin_host_new(ctx, &hc, NULL, offline_alert, &o)
                                  : NULL;
    camas_trusted_keys_print(stderr, &paths->keys);
    if (!host)
        fprintf(stderr, "camas ask: no plugins in %s; built-in answers only\n", hc.plugins_dir);
    lws_sul_schedule(ctx, 0, &offline_tick, on_offline_tick, 50 * LWS_US_PER_MS);
    int rc = 0;
    if (host) {
        camas_plugin_host_start(host, offline_started, &o);
        run_until(ctx, &o.started, 20000);
        /* A plugin camas was asked to load and refused is an error: answers without it
         * would not be the ones the bot gives. Said on stdout too, where the answer goes. */
        if (!o.started || !o.start_ok) {
            camas_ask_report_refused(camas_buf_cstr(&o.alert_text), !o.started, json || batch);
            rc = CAMAS_ASK_EXIT_REFUSED;
        }
        /* The first start embeds the knowledge (later ones read STATE_DIR's cache): wait for
         * it, so offline answers are the ones the bot gives once warm. */
        int64_t until = camas_monotonic_ms() + 600000;
        while (rc == 0 && !camas_plugin_host_understanding_ready(host) &&
               camas_monotonic_ms() < until)
            lws_service(ctx, 0);
    }

    if (rc) {
        /* nothing asked */
    } else if (batch) {
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
                    const char *u =
                        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "user"));
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
                if (!copy ||
                    answer_one(ctx, host, &o, copy, user, room_kind, lang, now_ms, true) < 0)
                    rc = 1;
                free(copy);
                cJSON_Delete(j);
            }
            if (f != stdin)
                fclose(f);
        }
    } else {
        rc = answer_one(ctx, host, &o, question.data, LONE_ASKER, room_kind, lang, now_ms, json);
    }
    free(o.plain);
    free(o.html);
    free(o.plugin);
    free(o.lang);
    free(o.entry);
    free(o.understood);
    camas_buf_free(&o.alert_text);
    camas_safety_free(o.safety);
    camas_convo_free(o.convo);
    lws_sul_cancel(&offline_tick);
    camas_plugin_host_free(host);
    lws_context_destroy(ctx);
    camas_buf_free(&question);
    return rc;
}

/* ---- benchmarks: the real router, host and worker, timed from inside ------------------- */

struct bench_state {
    int outstanding;
    bool done;
    bool ok;
};

static void bench_answer(void *ud, const camas_host_answer *a)
{
    struct bench_state *b = ud;
    (void)a;
    if (--b->outstanding == 0)
        b->done = true;
}

static void bench_action(void *ud, bool ok, const char *summary)
{
    struct bench_state *b = ud;
    (void)summary;
    b->ok = ok;
    b->done = true;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void print_stats(const char *name, int64_t *ns, size_t n, double total_s)
{
    qsort(ns, n, sizeof *ns, cmp_i64);
    printf("{\"bench\":\"%s\",\"count\":%zu,\"per_second\":%.1f,\"p50_ns\":%lld,"
           "\"p90_ns\":%lld,\"p99_ns\":%lld,\"max_ns\":%lld}\n",
           name, n, n / total_s, (long long)ns[n / 2], (long long)ns[n * 9 / 10],
           (long long)ns[n * 99 / 100], (long long)ns[n - 1]);
}

/* camas bench sync FILE [ROUNDS]: /sync JSON handled per second (parse, dispatch, store),
 * each round in a fresh state directory so no event is deduplicated away. */
static int bench_sync(camas_config *cfg, int argc, char **argv)
{
    FILE *f = argc > 2 ? fopen(argv[2], "rb") : NULL;
    int rounds = argc > 3 ? atoi(argv[3]) : 5;
    if (!f || rounds < 1) {
        fprintf(stderr, "Usage: camas bench sync FILE [ROUNDS]\n");
        if (f)
            fclose(f);
        return 2;
    }
    camas_buf json = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        camas_buf_append(&json, chunk, n);
    fclose(f);
    struct lws_context *ctx = make_context(cfg, false);
    int64_t *ns = calloc((size_t)rounds, sizeof *ns);
    int rc = ctx && ns ? 0 : 1;
    for (int i = 0; rc == 0 && i < rounds; i++) {
        char dir[] = "/tmp/camas-bench-sync-XXXXXX", err[300];
        if (!mkdtemp(dir)) {
            rc = 1;
            break;
        }
        camas_store *st = camas_store_open(dir, err, sizeof err);
        camas_core *core = st ? camas_core_new(cfg, st, ctx, NULL) : NULL;
        int64_t s = now_ns();
        if (!core || camas_core_bench_sync(core, "@camas:bench", json.data, json.len))
            rc = 1;
        ns[i] = now_ns() - s;
        camas_core_free(core);
        camas_store_close(st);
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            rc = 1;
    }
    if (rc == 0) {
        qsort(ns, (size_t)rounds, sizeof *ns, cmp_i64);
        double med = ns[rounds / 2] / 1e9;
        printf("{\"bench\":\"sync\",\"bytes\":%zu,\"rounds\":%d,\"median_s\":%.6f,"
               "\"mb_per_s\":%.1f,\"min_s\":%.6f,\"max_s\":%.6f}\n",
               json.len, rounds, med, json.len / 1e6 / med, ns[0] / 1e9, ns[rounds - 1] / 1e9);
    }
    free(ns);
    camas_buf_free(&json);
    if (ctx)
        lws_context_destroy(ctx);
    return rc;
}

/* camas bench ask FILE [ROUNDS] | camas bench reload [N] | camas bench sync FILE [ROUNDS] */
static int cmd_bench(camas_config *cfg, const struct paths *paths, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "sync") == 0)
        return bench_sync(cfg, argc, argv);
    if (argc < 2 || (strcmp(argv[1], "ask") && strcmp(argv[1], "reload"))) {
        fprintf(stderr, "Usage: camas bench ask FILE [ROUNDS]   questions through router and "
                        "plugins\n       camas bench reload [N]            verify+load+swap "
                        "of the faq plugin\n");
        return 2;
    }
    struct lws_context *ctx = make_context(cfg, false);
    struct offline o = {.safety = camas_safety_new()};
    camas_plugin_host_config hc = host_config(cfg, paths);
    camas_plugin_host *host = ctx && o.safety && hc.n_trusted_keys
                                  ? camas_plugin_host_new(ctx, &hc, NULL, offline_alert, &o)
                                  : NULL;
    if (!host) {
        fprintf(stderr, "camas bench: no plugin host (trusted key missing?)\n");
        camas_safety_free(o.safety);
        if (ctx)
            lws_context_destroy(ctx);
        return 1;
    }
    lws_sul_schedule(ctx, 0, &offline_tick, on_offline_tick, 50 * LWS_US_PER_MS);
    camas_plugin_host_start(host, offline_started, &o);
    run_until(ctx, &o.started, 20000);
    /* Timings with the model warm, as the bot answers once it has embedded the knowledge. */
    int64_t warm_until = camas_monotonic_ms() + 600000;
    while (!camas_plugin_host_understanding_ready(host) && camas_monotonic_ms() < warm_until)
        lws_service(ctx, 0);
    int rc = 0;
    if (strcmp(argv[1], "reload") == 0) {
        int n = argc > 2 ? atoi(argv[2]) : 200;
        int64_t *ns = calloc((size_t)(n > 0 ? n : 1), sizeof *ns);
        int64_t t0 = now_ns();
        for (int i = 0; ns && i < n; i++) {
            struct bench_state b = {0};
            int64_t s = now_ns();
            camas_plugin_host_load(host, "faq", "bench", false, bench_action, &b);
            run_until(ctx, &b.done, 10000);
            ns[i] = now_ns() - s;
            if (!b.ok)
                rc = 1;
        }
        if (ns && n > 0)
            print_stats("reload_faq", ns, (size_t)n, (now_ns() - t0) / 1e9);
        free(ns);
    } else {
        FILE *f = argc > 2 ? fopen(argv[2], "r") : NULL;
        int rounds = argc > 3 ? atoi(argv[3]) : 20;
        char *qs[4096];
        size_t nq = 0;
        char line[2048];
        while (f && nq < 4096 && fgets(line, sizeof line, f)) {
            line[strcspn(line, "\r\n")] = '\0';
            if (*line)
                qs[nq++] = strdup(line);
        }
        if (f)
            fclose(f);
        if (nq == 0 || rounds < 1) {
            fprintf(stderr, "camas bench ask: give a file of questions (one per line)\n");
            rc = 2;
        } else {
            size_t total = nq * (size_t)rounds;
            int64_t *ns = calloc(total, sizeof *ns);
            /* One at a time: the latency of a question through the whole path. */
            int64_t t0 = now_ns();
            for (size_t i = 0; ns && i < total; i++) {
                camas_message m = {.room_id = "!bench",
                                   .sender = "@b:bench",
                                   .event_id = "$bench",
                                   .body = qs[i % nq],
                                   .room_kind = CAMAS_ROOM_HELP};
                int64_t s = now_ns();
                camas_route r;
                if (camas_router_route(&m, "@camas:bench", host, o.safety, NULL, &r) == 0) {
                    if (r.kind == CAMAS_ROUTE_PLUGIN) {
                        struct bench_state b = {.outstanding = 1};
                        camas_question q = {.text = r.text,
                                            .lang = r.lang,
                                            .match_lang = r.match_lang,
                                            .room_kind = CAMAS_ROOMKIND_HELP,
                                            .now_ms = camas_now_ms(),
                                            .command = r.command[0] ? r.command : NULL,
                                            .args = r.args};
                        camas_plugin_host_ask(host, &q, bench_answer, &b);
                        run_until(ctx, &b.done, 10000);
                    }
                    camas_route_clear(&r);
                }
                ns[i] = now_ns() - s;
            }
            if (ns)
                print_stats("ask_sequential", ns, total, (now_ns() - t0) / 1e9);
            /* Many in flight: the throughput the worker sustains. */
            struct bench_state b = {.outstanding = (int)total};
            t0 = now_ns();
            for (size_t i = 0; i < total; i++) {
                camas_message m = {.room_id = "!bench",
                                   .sender = "@b:bench",
                                   .event_id = "$bench",
                                   .body = qs[i % nq],
                                   .room_kind = CAMAS_ROOM_HELP};
                camas_route r;
                if (camas_router_route(&m, "@camas:bench", host, o.safety, NULL, &r) == 0 &&
                    r.kind == CAMAS_ROUTE_PLUGIN) {
                    camas_question q = {.text = r.text,
                                        .lang = r.lang,
                                        .match_lang = r.match_lang,
                                        .room_kind = CAMAS_ROOMKIND_HELP,
                                        .now_ms = camas_now_ms(),
                                        .command = r.command[0] ? r.command : NULL,
                                        .args = r.args};
                    camas_plugin_host_ask(host, &q, bench_answer, &b);
                } else {
                    b.outstanding--;
                }
                camas_route_clear(&r);
                if (i % 64 == 63) /* let the worker drain as we go */
                    lws_service(ctx, 0);
            }
            if (b.outstanding <= 0)
                b.done = true;
            run_until(ctx, &b.done, 60000);
            double secs = (now_ns() - t0) / 1e9;
            printf("{\"bench\":\"ask_pipelined\",\"count\":%zu,\"per_second\":%.1f}\n", total,
                   total / secs);
            free(ns);
        }
        for (size_t i = 0; i < nq; i++)
            free(qs[i]);
    }
    lws_sul_cancel(&offline_tick);
    camas_plugin_host_free(host);
    camas_safety_free(o.safety);
    lws_context_destroy(ctx);
    return rc;
}

static int cmd_check(camas_config *cfg, const struct paths *paths, const char *config_path)
{
    int problems = 0;
    printf("%s: configuration is valid\n", config_path ? config_path : "(defaults)");
    camas_plugin_host_config hc = host_config(cfg, paths);
    camas_trusted_keys_print(stdout, &paths->keys);
    if (hc.n_trusted_keys == 0)
        problems++;
    if (cfg->transport != CAMAS_TRANSPORT_SYNC) {
        camas_registration reg;
        char err[700];
        if (camas_registration_load(cfg->as_registration, &reg, err, sizeof err)) {
            printf("appservice.registration: %s\n", err);
            problems++;
        } else {
            printf("transport %s: registration %s (id %s, sender @%s)\n", cfg->transport_name,
                   cfg->as_registration, reg.id, reg.sender_localpart);
        }
        sodium_memzero(&reg, sizeof reg);
    }
    if (!is_dir(paths->knowledge)) {
        printf("knowledge: %s is not a directory\n", paths->knowledge);
        problems++;
    }
    /* The model itself is validated by the worker, which loads it; here, that it is there. */
    if (strcmp(cfg->match_mode, "lexical") == 0) {
        printf("matching: lexical only (matching.mode)\n");
    } else if (access(paths->model, R_OK) != 0) {
        printf("matching.model: %s: %s (run scripts/setup, or set matching.mode: lexical)\n",
               paths->model, strerror(errno));
        problems++;
    } else {
        printf("matching: %s, model %s\n", cfg->match_mode, paths->model);
    }
    if (problems == 0) {
        /* Load everything for real in a worker: this also checks every knowledge file. */
        struct lws_context *ctx = make_context(cfg, false);
        struct offline o = {0};
        camas_plugin_host *host =
            ctx ? camas_plugin_host_new(ctx, &hc, NULL, offline_alert, &o) : NULL;
        if (!host) {
            printf("plugins: the plugin host could not start (see above)\n");
            problems++;
        } else {
            lws_sul_schedule(ctx, 0, &offline_tick, on_offline_tick, 50 * LWS_US_PER_MS);
            camas_plugin_host_start(host, offline_started, &o);
            run_until(ctx, &o.started, 30000);
            char *list = camas_plugin_host_describe(host);
            printf("%s\n", list ? list : "");
            free(list);
            problems += o.alerts + (o.started ? 0 : 1);
            lws_sul_cancel(&offline_tick);
        }
        camas_buf_free(&o.alert_text);
        camas_plugin_host_free(host);
        if (ctx)
            lws_context_destroy(ctx);
    }
    printf("%d problem%s\n", problems, problems == 1 ? "" : "s");
    return problems ? 1 : 0;
}

static void print_audit(void *ud, int64_t ts_ms, const char *actor, const char *action,
                        const char *plugin, const char *version, const char *sha256,
                        const char *result, const char *detail)
{
    (void)ud;
    char stamp[32];
    time_t t = (time_t)(ts_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("%s  %-8s %-8s %-10s %-8s %.12s  %s  %s\n", stamp, result, action,
           plugin[0] ? plugin : "-", version[0] ? version : "-", sha256[0] ? sha256 : "-", actor,
           detail);
}

static int cmd_audit(camas_config *cfg)
{
    char err[512];
    camas_store *st = camas_store_open(cfg->state_dir, err, sizeof err);
    if (!st) {
        fprintf(stderr, "camas audit: %s\n", err);
        return 1;
    }
    int n = camas_store_audit_each(st, print_audit, NULL);
    camas_store_close(st);
    if (n == 0)
        printf("(the audit log is empty)\n");
    return n < 0 ? 1 : 0;
}

static void print_unanswered(void *ud, const char *question, int count, int64_t last_ms)
{
    (void)ud;
    char stamp[32];
    time_t t = (time_t)(last_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%d", &tm);
    printf("%5d  %s  %s\n", count, stamp, question);
}

/* camas backup FILE / camas restore FILE */
static int cmd_backup(const camas_config *cfg, bool restore, const char *file)
{
    char err[1024];
    int rc = restore ? camas_state_restore(cfg->state_dir, file, err, sizeof err)
                     : camas_state_backup(cfg->state_dir, file, err, sizeof err);
    if (rc) {
        fprintf(stderr, "camas %s: %s\n", restore ? "restore" : "backup", err);
        return 1;
    }
    if (restore)
        printf("restored %s into %s\n", file, cfg->state_dir);
    else
        printf("backed up %s to %s\n", cfg->state_dir, file);
    return 0;
}

static int cmd_unanswered(camas_config *cfg, bool purge)
{
    char err[512];
    camas_store *st = camas_store_open(cfg->state_dir, err, sizeof err);
    if (!st) {
        fprintf(stderr, "camas unanswered: %s\n", err);
        return 1;
    }
    /* what is past unanswered.keep_days goes first; --purge forgets everything */
    int gone = camas_store_unanswered_purge(st, purge ? 0 : cfg->unanswered_keep_days * 86400000LL);
    if (purge) {
        camas_store_close(st);
        if (gone < 0) {
            fprintf(stderr, "camas unanswered: could not purge the state database\n");
            return 1;
        }
        printf("%d unanswered question%s forgotten\n", gone, gone == 1 ? "" : "s");
        return 0;
    }
    printf("count  last seen   question (normalised; e-mail addresses, Matrix ids, URLs and phone "
           "numbers taken out; no user ids; kept %ld days)\n",
           cfg->unanswered_keep_days);
    int n = camas_store_unanswered_each(st, print_unanswered, NULL);
    camas_store_close(st);
    if (n == 0)
        printf("(no unanswered questions)\n");
    return n < 0 ? 1 : 0;
}

/* The options every command takes, wherever they stand on the command line. */
struct global_options {
    const char *config_path, *state_dir, *log_level, *plugins, *knowledge;
    const char *trusted_keys[CAMAS_TRUSTED_KEYS_MAX]; /* --trusted-key, for ask and check */
    size_t n_trusted_keys;
};

static int take_trusted_key(struct global_options *g, const char *path)
{
    if (g->n_trusted_keys >= CAMAS_TRUSTED_KEYS_MAX) {
        fprintf(stderr, "camas: --trusted-key: at most %d keys\n", CAMAS_TRUSTED_KEYS_MAX);
        return 2;
    }
    g->trusted_keys[g->n_trusted_keys++] = path;
    return -1;
}

/* Applies one getopt result; returns -1 to go on, or the exit status to stop with. */
static int take_global_option(int ch, struct global_options *g)
{
    switch (ch) {
    case 'c':
        g->config_path = optarg;
        return -1;
    case 's':
        g->state_dir = optarg;
        return -1;
    case 'l':
        g->log_level = optarg;
        return -1;
    case 'P':
        g->plugins = optarg;
        return -1;
    case 'K':
        g->knowledge = optarg;
        return -1;
    case 'T':
        return take_trusted_key(g, optarg);
    case 'h':
        usage(stdout);
        return 0;
    case 'V':
        printf("camas %s\n", CAMAS_VERSION);
        return 0;
    default:
        fprintf(stderr, "Try 'camas --help'.\n");
        return 2;
    }
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "camas: libsodium failed to initialise\n");
        return 1;
    }
    /* The signing commands take minisign's flags, not ours. */
    if (argc > 1 && strcmp(argv[1], "keygen") == 0)
        return camas_cli_keygen(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "sign") == 0)
        return camas_cli_sign(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "verify") == 0)
        return camas_cli_verify(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "plugin") == 0)
        return camas_cli_plugin(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "appservice-registration") == 0)
        return camas_cli_appservice_registration(argc - 1, argv + 1);

    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"state", required_argument, NULL, 's'},
        {"log-level", required_argument, NULL, 'l'},
        {"plugins", required_argument, NULL, 'P'},
        {"knowledge", required_argument, NULL, 'K'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"trusted-key", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0},
    };
    struct global_options g = {0};
    int ch, done;
    /* Stop at the command: `ask` has options of its own. */
    while ((ch = getopt_long(argc, argv, "+c:s:l:hV", opts, NULL)) != -1)
        if ((done = take_global_option(ch, &g)) >= 0)
            return done;
    if (optind >= argc) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[optind];
    int cmd_argc = argc - optind;
    char **cmd_argv = argv + optind;
    bool is_ask = strcmp(cmd, "ask") == 0 || strcmp(cmd, "bench") == 0;
    if (is_ask) {
        /* `camas ask --knowledge DIR ...`: take the global options out wherever they are
         * (before the question), leaving ask's own options and the question. */
        int out = 1;
        for (int i = 1; i < cmd_argc; i++) {
            const char *a = cmd_argv[i];
            const char **slot = strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0  ? &g.config_path
                                : strcmp(a, "--state") == 0 || strcmp(a, "-s") == 0 ? &g.state_dir
                                : strcmp(a, "--log-level") == 0 || strcmp(a, "-l") == 0
                                    ? &g.log_level
                                : strcmp(a, "--plugins") == 0   ? &g.plugins
                                : strcmp(a, "--knowledge") == 0 ? &g.knowledge
                                                                : NULL;
            if (strcmp(a, "--") == 0) {
                while (i < cmd_argc)
                    cmd_argv[out++] = cmd_argv[i++];
                break;
            }
            if (strcmp(a, "--trusted-key") == 0 && i + 1 < cmd_argc) {
                if ((done = take_trusted_key(&g, cmd_argv[++i])) >= 0)
                    return done;
                continue;
            }
            if (slot && i + 1 < cmd_argc) {
                *slot = cmd_argv[++i];
                continue;
            }
            cmd_argv[out++] = cmd_argv[i];
        }
        cmd_argc = out;
    }
    if (strcmp(cmd, "ctl") == 0) {
        /* camas ctl takes a free-form request: only the global options come before it. */
        camas_config ccfg;
        char cerr[1024];
        if (!g.config_path && access("camas.yaml", R_OK) == 0)
            g.config_path = "camas.yaml";
        if (camas_config_load(&ccfg, g.config_path, cerr, sizeof cerr)) {
            fprintf(stderr, "camas: %s\n", cerr);
            return 2;
        }
        int rc = camas_control_client(g.state_dir ? g.state_dir : ccfg.state_dir, cmd_argc - 1,
                                      cmd_argv + 1);
        camas_config_free(&ccfg);
        return rc;
    }
    bool purge = false;          /* camas unanswered --purge */
    const char *file_arg = NULL; /* camas backup|restore FILE */
    for (int i = 1; strcmp(cmd, "unanswered") == 0 && i < cmd_argc; i++)
        if (strcmp(cmd_argv[i], "--purge") == 0) {
            purge = true;
            memmove(&cmd_argv[i], &cmd_argv[i + 1], (size_t)(cmd_argc - i) * sizeof *cmd_argv);
            cmd_argc--;
            i--;
        }
    if (!is_ask) {
        /* Options may also follow the command: camas run --config x. */
        optind = 0; /* 0, not 1: glibc re-initialises and permutes again */
        while ((ch = getopt_long(cmd_argc, cmd_argv, "c:s:l:hV", opts, NULL)) != -1)
            if ((done = take_global_option(ch, &g)) >= 0)
                return done;
        bool takes_file = strcmp(cmd, "backup") == 0 || strcmp(cmd, "restore") == 0;
        if (takes_file && optind + 1 == cmd_argc)
            file_arg = cmd_argv[optind++];
        else if (takes_file) {
            fprintf(stderr, "Usage: camas %s FILE\n", cmd);
            return 2;
        }
        if (optind < cmd_argc) {
            fprintf(stderr, "camas: unexpected argument '%s' (try camas --help)\n",
                    cmd_argv[optind]);
            return 2;
        }
    }
    if (strcmp(cmd, "run") && strcmp(cmd, "check") && strcmp(cmd, "audit") &&
        strcmp(cmd, "unanswered") && strcmp(cmd, "backup") && strcmp(cmd, "restore") &&
        !is_ask) { /* ctl was handled above */
        fprintf(stderr, "camas: unknown command '%s' (try camas --help)\n", cmd);
        return 2;
    }
    if (g.n_trusted_keys && strcmp(cmd, "check") && !is_ask) {
        fprintf(stderr, "camas: --trusted-key is for camas ask and camas check (the bot trusts "
                        "plugins.trusted_keys)\n");
        return 2;
    }
    if (!g.config_path && access("camas.yaml", R_OK) == 0)
        g.config_path = "camas.yaml";

    camas_config cfg;
    char err[1024];
    if (camas_config_load(&cfg, g.config_path, err, sizeof err)) {
        fprintf(stderr, "camas: %s\n", err);
        return 2;
    }
    if (g.state_dir) {
        free(cfg.state_dir);
        cfg.state_dir = strdup(g.state_dir);
    }
    const char *level = g.log_level ? g.log_level : is_ask ? "warn" : cfg.log_level;
    int lvl = camas_log_level_parse(level);
    if (lvl < 0) {
        fprintf(stderr, "camas: --log-level: expected error, warn, info or debug, got '%s'\n",
                level);
        camas_config_free(&cfg);
        return 2;
    }
    camas_log_set_level(lvl);
    /* level may be cfg.log_level itself: copy before freeing. */
    char *level_copy = strdup(level);
    free(cfg.log_level);
    cfg.log_level = level_copy;
    struct paths paths;
    if (resolve_paths(&cfg, g.plugins, g.knowledge, g.trusted_keys, g.n_trusted_keys, &paths)) {
        fprintf(stderr, "camas: cannot find its own executable\n");
        camas_config_free(&cfg);
        return 1;
    }

    int rc;
    if (strcmp(cmd, "check") == 0)
        rc = cmd_check(&cfg, &paths, g.config_path);
    else if (strcmp(cmd, "audit") == 0)
        rc = cmd_audit(&cfg);
    else if (strcmp(cmd, "unanswered") == 0)
        rc = cmd_unanswered(&cfg, purge);
    else if (strcmp(cmd, "backup") == 0 || strcmp(cmd, "restore") == 0)
        rc = cmd_backup(&cfg, cmd[0] == 'r', file_arg);
    else if (strcmp(cmd, "bench") == 0)
        rc = cmd_bench(&cfg, &paths, cmd_argc, cmd_argv);
    else if (is_ask)
        rc = cmd_ask(&cfg, &paths, cmd_argc, cmd_argv);
    else
        rc = cmd_run(&cfg, &paths);
    camas_config_free(&cfg);
    return rc;
}
