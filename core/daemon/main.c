/* camas: command line entry point: options, the run command (the daemon), and dispatch to
 * the other commands (cli_*.c). */
#include "cli.h"
#include "admin.h"
#include "appservice.h"
#include "backup.h"
#include "config.h"
#include "control.h"
#include "convo.h"
#include "event.h"
#include "http.h"
#include "log.h"
#include "matrix.h"
#include "notify.h"
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

/* The admin commands for usage(): from admin.c's table, a few to a line. */
static void admin_synopsis(char *out, size_t outlen)
{
    size_t n, used = 0, line = 0;
    const camas_admin_spec *cmds = camas_admin_commands(&n);
    for (size_t i = 0; i < n && used < outlen; i++) {
        char one[64];
        int len =
            snprintf(one, sizeof one, "%s%s%s%s", cmds[i].spellings[0],
                     *cmds[i].usage_args ? " " : "", cmds[i].usage_args, i + 1 < n ? " |" : "\n");
        bool wrap = line && line + (size_t)len > 60;
        int w = snprintf(out + used, outlen - used, "%s%s%s", wrap ? "\n" : "",
                         wrap || !line ? "                      " : " ", one);
        if (w < 0)
            break;
        used += (size_t)w;
        line = wrap || !line ? (size_t)len : line + 1 + (size_t)len;
    }
}

static void usage(FILE *out)
{
    char admin[512];
    admin_synopsis(admin, sizeof admin);
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
        "  status              the running bot's state (same as `ctl status`): transport,\n"
        "                      last sync, rooms, outbox, worker, plugins, knowledge version\n"
        "  ctl COMMAND         administer the running bot over STATE_DIR/control.sock, as\n"
        "                      !camas COMMAND does in chat (camas ctl help says more):\n"
        "%s"
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
        "Options go before or after the command (camas ctl --config FILE plugins).\n"
        "\n"
        "Signals: SIGTERM/SIGINT stop camas; SIGHUP reloads every plugin (and so the\n"
        "knowledge). Exit status: 0 stopped normally, 1 runtime failure (for example a\n"
        "revoked access token), 2 invalid configuration or usage.\n"
        "See camas.example.yaml for every configuration key.\n",
        admin);
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

/* A SIGHUP reload finished: systemd waits for READY=1 after RELOADING=1. */
static void on_reloaded(void *ud, camas_admin_outcome outcome, const char *summary)
{
    char status[256];
    snprintf(status, sizeof status, "%s: %.200s",
             outcome == CAMAS_ADMIN_DONE ? "reloaded" : "reload failed", summary ? summary : "");
    camas_notify_ready(ud, status);
}

/* The STATUS= line systemctl status shows once connected: "connected, 3 rooms, 4 plugins". */
static void status_line(char *out, size_t len, size_t rooms, const camas_plugin_host *host)
{
    size_t plugins = camas_plugin_host_n_plugins(host);
    snprintf(out, len, "connected, %zu room%s, %zu plugin%s", rooms, rooms == 1 ? "" : "s", plugins,
             plugins == 1 ? "" : "s");
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
    struct lws_context *ctx = camas_cli_make_context(cfg, true);
    if (!ctx) {
        log_error("main", "could not create the libwebsockets context");
        camas_store_close(st);
        return 1;
    }
    camas_plugin_host_config hc = camas_cli_host_config(cfg, paths);
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
        camas_cli_destroy_context(ctx);
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
    camas_plugin_host_set_metrics(host, camas_core_metrics(core));
    if (host) {
        camas_plugin_host_start(host, on_initial_loads, NULL);
        watch = camas_watch_new(ctx, paths->knowledge, 700, on_knowledge_changed, host);
    }
    control = camas_control_new(ctx, cfg->state_dir, host, core);
    camas_core_start(core);
    camas_notify *notify = camas_notify_new(ctx);
    bool ready = false;
    char said[128] = ""; /* the last STATUS= sent from here */
    while (!stop_signal && camas_core_exit_code(core) < 0) {
        lws_service(ctx, 0);
        size_t rooms;
        if (camas_core_ready(core, &rooms)) {
            char status[128];
            status_line(status, sizeof status, rooms, host);
            if (!ready)
                camas_notify_ready(notify, status);
            else if (strcmp(status, said) != 0) /* plugins loaded, rooms joined or left */
                camas_notify_status(notify, status);
            ready = true;
            memcpy(said, status, sizeof said);
        }
        if (reload_signal) {
            reload_signal = 0;
            log_info("main", "SIGHUP: reloading the knowledge and every plugin");
            camas_notify_reloading(notify);
            camas_admin_env env = {.from = CAMAS_ADMIN_FROM_SIGNAL,
                                   .actor = "SIGHUP",
                                   .allowed = true,
                                   .host = host,
                                   .core = core};
            camas_admin_run(&env, CAMAS_ADMIN_SIGHUP_COMMAND, on_reloaded, notify);
        }
    }
    camas_notify_stopping(notify);
    camas_watch_free(watch);
    camas_control_free(control);

    int code = camas_core_exit_code(core);
    if (stop_signal) {
        log_info("main", "stopping on signal %d", (int)stop_signal);
        code = 0;
    }
    camas_notify_free(notify);
    camas_core_free(core);
    camas_plugin_host_free(host);
    camas_cli_destroy_context(ctx);
    camas_store_close(st);
    return code < 0 ? 0 : code;
}

struct global_options {
    const char *config_path, *state_dir, *log_level, *plugins, *knowledge;
    const char *trusted_keys[CAMAS_TRUSTED_KEYS_MAX]; /* --trusted-key, for ask and check */
    size_t n_trusted_keys;
    bool help, version;
};

/* The options of every command, taken anywhere on the command line: before the command or
 * after it (camas --config F ctl plugins, camas ctl --config F plugins, camas run -s DIR). */
enum { G_CONFIG, G_STATE, G_LOG_LEVEL, G_PLUGINS, G_KNOWLEDGE, G_TRUSTED_KEY, G_HELP, G_VERSION };

static const struct global_def {
    const char *name;
    char letter; /* 0: no short form */
    bool takes_value;
    int id;
} global_defs[] = {
    {"config", 'c', true, G_CONFIG},       {"state", 's', true, G_STATE},
    {"log-level", 'l', true, G_LOG_LEVEL}, {"plugins", 0, true, G_PLUGINS},
    {"knowledge", 0, true, G_KNOWLEDGE},   {"trusted-key", 0, true, G_TRUSTED_KEY},
    {"help", 'h', false, G_HELP},          {"version", 'V', false, G_VERSION},
};

/* Which global option arg is (--config F, --config=F, -c F, -cF); *val gets a value given in
 * the same argument. */
static const struct global_def *global_option(const char *arg, const char **val)
{
    *val = NULL;
    if (arg[0] != '-' || !arg[1])
        return NULL;
    for (size_t i = 0; i < sizeof global_defs / sizeof *global_defs; i++) {
        const struct global_def *d = &global_defs[i];
        size_t n = strlen(d->name);
        if (arg[1] == '-' && strncmp(arg + 2, d->name, n) == 0 &&
            (arg[2 + n] == '\0' || (arg[2 + n] == '=' && d->takes_value))) {
            *val = arg[2 + n] ? arg + 3 + n : NULL;
            return d;
        }
        if (arg[1] != '-' && d->letter && arg[1] == d->letter && (!arg[2] || d->takes_value)) {
            *val = arg[2] ? arg + 2 : NULL;
            return d;
        }
    }
    return NULL;
}

/* Commands that read flags of their own (minisign's -s is a secret key, not --state): global
 * options are taken only before them. */
static bool own_flags(const char *cmd)
{
    static const char *const cmds[] = {"keygen", "sign", "verify", "plugin",
                                       "appservice-registration"};
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
        if (strcmp(cmd, cmds[i]) == 0)
            return true;
    return false;
}

static int take_trusted_key(struct global_options *g, const char *path)
{
    if (g->n_trusted_keys >= CAMAS_TRUSTED_KEYS_MAX) {
        fprintf(stderr, "camas: --trusted-key: at most %d keys\n", CAMAS_TRUSTED_KEYS_MAX);
        return 2;
    }
    g->trusted_keys[g->n_trusted_keys++] = path;
    return -1;
}

/* Takes the global options out of argv[1..argc) wherever they are and keeps the rest, in
 * order, in argv[1..*left). "--" ends the options and is kept (a question for ask may start
 * with a dash). After ask and bench, -h and -V are theirs. Returns -1 to go on, or the exit
 * status to stop with. */
static int take_global_options(int argc, char **argv, struct global_options *g, int *left)
{
    int out = 1;
    const char *cmd = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val;
        if (strcmp(a, "--") == 0 || (cmd && own_flags(cmd))) {
            while (i < argc)
                argv[out++] = argv[i++];
            break;
        }
        const struct global_def *d = global_option(a, &val);
        bool ask = cmd && (strcmp(cmd, "ask") == 0 || strcmp(cmd, "bench") == 0);
        if (!d || (ask && !d->takes_value)) {
            if (!cmd && a[0] != '-')
                cmd = a;
            argv[out++] = argv[i];
            continue;
        }
        if (d->takes_value && !val) {
            if (i + 1 >= argc) {
                fprintf(stderr, "camas: %s needs a value (try camas --help)\n", a);
                return 2;
            }
            val = argv[++i];
        }
        switch (d->id) {
        case G_CONFIG:
            g->config_path = val;
            break;
        case G_STATE:
            g->state_dir = val;
            break;
        case G_LOG_LEVEL:
            g->log_level = val;
            break;
        case G_PLUGINS:
            g->plugins = val;
            break;
        case G_KNOWLEDGE:
            g->knowledge = val;
            break;
        case G_TRUSTED_KEY:
            if (take_trusted_key(g, val) >= 0)
                return 2;
            break;
        case G_HELP:
            g->help = true;
            break;
        default:
            g->version = true;
            break;
        }
    }
    *left = out;
    return -1;
}

/* `camas ctl REQUEST` and `camas status`: over the control socket of the configured state
 * directory. */
static int cmd_ctl(const struct global_options *g, int argc, char **argv)
{
    camas_admin_request req;
    char perr[1024];
    if (camas_admin_parse_words(argc, (const char *const *)argv, &req, perr, sizeof perr) ||
        req.cmd == CAMAS_ADMIN_HELP) /* answered here: no configuration or bot needed */
        return camas_control_client(NULL, argc, argv);
    camas_config ccfg;
    char cerr[1024];
    const char *config_path = g->config_path;
    if (!config_path && access("camas.yaml", R_OK) == 0)
        config_path = "camas.yaml";
    if (camas_config_load(&ccfg, config_path, cerr, sizeof cerr)) {
        fprintf(stderr, "camas: %s\n", cerr);
        return 2;
    }
    int rc = camas_control_client(g->state_dir ? g->state_dir : ccfg.state_dir, argc, argv);
    camas_config_free(&ccfg);
    return rc;
}

/* Long on purpose: the dispatch of every command in the order camas decides it, top to bottom. */
int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "camas: libsodium failed to initialise\n");
        return 1;
    }
    struct global_options g = {0};
    int left, done;
    if ((done = take_global_options(argc, argv, &g, &left)) >= 0)
        return done;
    int first = 1;
    if (first < left && strcmp(argv[first], "--") == 0)
        first++;
    if (first < left && argv[first][0] == '-' && argv[first][1]) {
        fprintf(stderr, "camas: unknown option '%s' (try camas --help)\n", argv[first]);
        return 2;
    }
    if (g.version) {
        printf("camas %s\n", CAMAS_VERSION);
        return 0;
    }
    if (first >= left || (g.help && strcmp(argv[first], "ctl") != 0)) {
        usage(g.help ? stdout : stderr);
        return g.help ? 0 : 2;
    }
    const char *cmd = argv[first];
    int cmd_argc = left - first;
    char **cmd_argv = argv + first;
    if (strcmp(cmd, "keygen") == 0)
        return camas_cli_keygen(cmd_argc, cmd_argv);
    if (strcmp(cmd, "sign") == 0)
        return camas_cli_sign(cmd_argc, cmd_argv);
    if (strcmp(cmd, "verify") == 0)
        return camas_cli_verify(cmd_argc, cmd_argv);
    if (strcmp(cmd, "plugin") == 0)
        return camas_cli_plugin(cmd_argc, cmd_argv);
    if (strcmp(cmd, "appservice-registration") == 0)
        return camas_cli_appservice_registration(cmd_argc, cmd_argv);
    bool is_ask = strcmp(cmd, "ask") == 0 || strcmp(cmd, "bench") == 0;
    if (strcmp(cmd, "run") && strcmp(cmd, "check") && strcmp(cmd, "audit") &&
        strcmp(cmd, "unanswered") && strcmp(cmd, "backup") && strcmp(cmd, "restore") &&
        strcmp(cmd, "ctl") && strcmp(cmd, "status") && !is_ask) {
        fprintf(stderr, "camas: unknown command '%s' (try camas --help)\n", cmd);
        return 2;
    }
    bool purge = false;          /* camas unanswered --purge */
    const char *file_arg = NULL; /* camas backup|restore FILE */
    if (!is_ask) {
        /* What the global options left after the command: its operands ("--" ends options). */
        int out = 1;
        bool operands = false;
        for (int i = 1; i < cmd_argc; i++) {
            const char *a = cmd_argv[i];
            if (!operands && strcmp(a, "--") == 0) {
                operands = true;
                continue;
            }
            if (!operands && strcmp(cmd, "unanswered") == 0 && strcmp(a, "--purge") == 0) {
                purge = true;
                continue;
            }
            if (!operands && a[0] == '-' && a[1]) {
                fprintf(stderr, "camas %s: unknown option '%s' (try camas --help)\n", cmd, a);
                return 2;
            }
            cmd_argv[out++] = cmd_argv[i];
        }
        cmd_argc = out;
    }
    if (strcmp(cmd, "ctl") == 0) {
        char *help_argv[] = {"help", NULL}; /* camas ctl --help is camas ctl help */
        return g.help ? cmd_ctl(&g, 1, help_argv) : cmd_ctl(&g, cmd_argc - 1, cmd_argv + 1);
    }
    if (strcmp(cmd, "status") == 0) {
        if (cmd_argc != 1) {
            fprintf(stderr, "camas status: takes no arguments (try --help)\n");
            return 2;
        }
        char *status_argv[] = {"status", NULL};
        return cmd_ctl(&g, 1, status_argv);
    }
    if (strcmp(cmd, "backup") == 0 || strcmp(cmd, "restore") == 0) {
        if (cmd_argc != 2) {
            fprintf(stderr, "Usage: camas %s FILE\n", cmd);
            return 2;
        }
        file_arg = cmd_argv[1];
    } else if (!is_ask && cmd_argc > 1) {
        fprintf(stderr, "camas: unexpected argument '%s' (try camas --help)\n", cmd_argv[1]);
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
    camas_log_set_format(strcmp(cfg.log_format, "json") == 0 ? CAMAS_LOG_JSON
                                                             : camas_log_default_format());
    /* level may be cfg.log_level itself: copy before freeing. */
    char *level_copy = strdup(level);
    free(cfg.log_level);
    cfg.log_level = level_copy;
    struct paths paths;
    if (camas_cli_resolve_paths(&cfg, g.plugins, g.knowledge, g.trusted_keys, g.n_trusted_keys,
                                &paths)) {
        fprintf(stderr, "camas: cannot find its own executable\n");
        camas_config_free(&cfg);
        return 1;
    }

    int rc;
    if (strcmp(cmd, "check") == 0)
        rc = camas_cmd_check(&cfg, &paths, g.config_path);
    else if (strcmp(cmd, "audit") == 0)
        rc = camas_cmd_audit(&cfg);
    else if (strcmp(cmd, "unanswered") == 0)
        rc = camas_cmd_unanswered(&cfg, purge);
    else if (strcmp(cmd, "backup") == 0 || strcmp(cmd, "restore") == 0)
        rc = camas_cmd_backup(&cfg, cmd[0] == 'r', file_arg);
    else if (strcmp(cmd, "bench") == 0)
        rc = camas_cmd_bench(&cfg, &paths, cmd_argc, cmd_argv);
    else if (is_ask)
        rc = camas_cmd_ask(&cfg, &paths, cmd_argc, cmd_argv);
    else
        rc = cmd_run(&cfg, &paths);
    camas_config_free(&cfg);
    return rc;
}
