/* The camas command's shared parts: where things are, the libwebsockets context, and the
 * offline plugin host (cli.h). */
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

static void lws_log_emit(int level, const char *line)
{
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n')
        n--;
    camas_log(level == LLL_ERR ? CAMAS_LOG_ERROR : CAMAS_LOG_WARN, "lws", "%.*s", (int)n, line);
}

/* ---- where things are -------------------------------------------------------------------- */

bool camas_cli_is_dir(const char *p)
{
    DIR *d = opendir(p);
    if (d)
        closedir(d);
    return d != NULL;
}

/* The first of two candidate places (each exe_dir/REL) that exists, into out; the last one
 * when neither does (its absence is then reported with that path). */
static void first_existing(char *out, size_t cap, const char *exe_dir, const char *build_rel,
                           const char *install_rel, bool dir)
{
    const char *rels[2] = {build_rel, install_rel};
    for (int i = 0; i < 2; i++) {
        snprintf(out, cap, "%.*s/%s", PATH_MAX - 128, exe_dir, rels[i]);
        if (dir ? camas_cli_is_dir(out) : access(out, F_OK) == 0)
            return;
    }
}

/* Defaults, without options or configuration: the build tree's layout first (the worker and
 * the signed plugins beside the binary, the knowledge in the current directory or beside
 * the build directory, the model scripts/setup fetched in models/), then the install's
 * (meson.build's CAMAS_INSTALL_*, relative to the binary so a staged install works too). */
int camas_cli_resolve_paths(const camas_config *cfg, const char *plugins_opt,
                            const char *knowledge_opt, const char *const *keys_opt,
                            size_t n_keys_opt, struct paths *p)
{
    memset(p, 0, sizeof *p);
    ssize_t n = readlink("/proc/self/exe", p->exe, sizeof p->exe - 1);
    if (n <= 0)
        return -1;
    p->exe[n] = '\0';
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", p->exe);
    char *exe_dir = dirname(dir);
    first_existing(p->worker, sizeof p->worker, exe_dir, "camas-worker", CAMAS_INSTALL_WORKER,
                   false);
    if (plugins_opt)
        snprintf(p->plugins, sizeof p->plugins, "%s", plugins_opt);
    else if (*cfg->plugins_dir)
        snprintf(p->plugins, sizeof p->plugins, "%s", cfg->plugins_dir);
    else
        first_existing(p->plugins, sizeof p->plugins, exe_dir, "plugins", CAMAS_INSTALL_PLUGINS,
                       true);
    if (knowledge_opt)
        snprintf(p->knowledge, sizeof p->knowledge, "%s", knowledge_opt);
    else if (*cfg->knowledge_dir)
        snprintf(p->knowledge, sizeof p->knowledge, "%s", cfg->knowledge_dir);
    else if (camas_cli_is_dir("knowledge"))
        snprintf(p->knowledge, sizeof p->knowledge, "knowledge");
    else
        first_existing(p->knowledge, sizeof p->knowledge, exe_dir, "../knowledge",
                       CAMAS_INSTALL_DATA "/knowledge", true);
    if (*cfg->model_path) {
        snprintf(p->model, sizeof p->model, "%s", cfg->model_path);
    } else {
        first_existing(p->model, sizeof p->model, exe_dir, "../models/e5-small-q4.bin",
                       CAMAS_INSTALL_DATA "/models/e5-small-q4.bin", false);
        if (access(p->model, R_OK) != 0) /* where the build was configured to look */
            snprintf(p->model, sizeof p->model, "%s", CAMAS_EMBED_DEFAULT_MODEL);
    }
    snprintf(p->embed_cache, sizeof p->embed_cache, "%.*s/embeddings.cache", PATH_MAX - 32,
             cfg->state_dir);
    char abs[PATH_MAX];
    if (realpath(p->model, abs))
        snprintf(p->model, sizeof p->model, "%s", abs);
    if (realpath(p->knowledge, abs))
        snprintf(p->knowledge, sizeof p->knowledge, "%s", abs);
    if (realpath(p->plugins, abs))
        snprintf(p->plugins, sizeof p->plugins, "%s", abs);
    camas_trusted_keys_resolve(&p->keys, keys_opt, n_keys_opt,
                               (const char *const *)cfg->trusted_keys, cfg->n_trusted_keys,
                               p->plugins);
    /* the Debian package ships its build's plugin key there (debian/sign-plugins) */
    first_existing(p->keys.package_key, sizeof p->keys.package_key, exe_dir,
                   "../keys/camas-package.pub", CAMAS_INSTALL_DATA "/keys/camas-package.pub",
                   false);
    if (access(p->keys.package_key, R_OK) != 0)
        p->keys.package_key[0] = '\0';
    else if (realpath(p->keys.package_key, abs))
        snprintf(p->keys.package_key, sizeof p->keys.package_key, "%s", abs);
    return 0;
}

camas_plugin_host_config camas_cli_host_config(const camas_config *cfg, const struct paths *p)
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

struct lws_context *camas_cli_make_context(const camas_config *cfg, bool need_network)
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
    /* lws keeps pointing at the protocol list for the context's life: the context owns it
     * (its user pointer) and camas_cli_destroy_context frees it */
    info.user = list;
    struct lws_context *ctx = lws_create_context(&info);
    if (ctx) {
        info.vhost_name = "default";
        info.user = NULL;
        if (!lws_create_vhost(ctx, &info)) {
            camas_cli_destroy_context(ctx);
            ctx = NULL;
        }
    } else {
        free(list);
    }
    return ctx;
}

void camas_cli_destroy_context(struct lws_context *ctx)
{
    void *list = ctx ? lws_context_user(ctx) : NULL;
    if (ctx)
        lws_context_destroy(ctx);
    free(list);
}

/* ---- ask and check: the same host and router, offline ------------------------------------ */

void camas_cli_offline_started(void *ud, bool ok, const char *summary)
{
    struct offline *o = ud;
    (void)summary;
    o->started = true;
    o->start_ok = ok;
}

void camas_cli_offline_alert(void *ud, const char *text)
{
    struct offline *o = ud;
    o->alerts++;
    fprintf(stderr, "%s\n", text);
    camas_buf_printf(&o->alert_text, "%s\n", text);
}

void camas_cli_offline_answer(void *ud, const camas_host_answer *a)
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
int64_t camas_cli_parse_iso8601(const char *s)
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

void camas_cli_run_until(struct lws_context *ctx, const bool *flag, int max_ms)
{
    int64_t end = camas_monotonic_ms() + max_ms;
    while (!*flag && camas_monotonic_ms() < end)
        lws_service(ctx, 0);
}

/* A ticking timer keeps lws_service() from sleeping past our own deadline: one per process,
 * as the offline commands run one at a time. */
static lws_sorted_usec_list_t offline_tick;
static void on_offline_tick(lws_sorted_usec_list_t *sul)
{
    (void)sul;
}

void camas_cli_tick_start(struct lws_context *ctx)
{
    lws_sul_schedule(ctx, 0, &offline_tick, on_offline_tick, 50 * LWS_US_PER_MS);
}

void camas_cli_tick_stop(void)
{
    lws_sul_cancel(&offline_tick);
}

/* The sender of `camas ask` questions that belong to no conversation. */
