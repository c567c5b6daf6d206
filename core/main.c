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
    lws_context_destroy(ctx);
    camas_store_close(st);
    return code < 0 ? 0 : code;
}

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
    bool is_status = strcmp(cmd, "status") == 0;
    if (is_status) {
        /* camas status [-c FILE] [-s DIR]: `ctl status`, with the options also after it. */
        optind = 0;
        while ((ch = getopt_long(cmd_argc, cmd_argv, "c:s:l:hV", opts, NULL)) != -1)
            if ((done = take_global_option(ch, &g)) >= 0)
                return done;
        if (optind != cmd_argc) {
            fprintf(stderr, "camas status: takes no arguments (try --help)\n");
            return 2;
        }
    }
    if (strcmp(cmd, "ctl") == 0 || is_status) {
        /* camas ctl takes a free-form request: only the global options come before it. */
        camas_config ccfg;
        char cerr[1024];
        if (!g.config_path && access("camas.yaml", R_OK) == 0)
            g.config_path = "camas.yaml";
        if (camas_config_load(&ccfg, g.config_path, cerr, sizeof cerr)) {
            fprintf(stderr, "camas: %s\n", cerr);
            return 2;
        }
        char *status_argv[] = {"status", NULL};
        int rc = camas_control_client(g.state_dir ? g.state_dir : ccfg.state_dir,
                                      is_status ? 1 : cmd_argc - 1,
                                      is_status ? status_argv : cmd_argv + 1);
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
