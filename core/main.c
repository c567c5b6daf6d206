/* camas: command line entry point (run the bot, check a configuration). */
#include "config.h"
#include "http.h"
#include "log.h"
#include "matrix.h"
#include "store.h"

#include <getopt.h>
#include <libwebsockets.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Set by the signal handler, read by the loop: the one flag a handler may write. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: camas [OPTIONS] COMMAND\n"
            "\n"
            "camas answers questions about Washington State's anti-trafficking bodies in Matrix\n"
            "rooms.\n"
            "\n"
            "Commands:\n"
            "  run          connect to the homeserver and answer messages until stopped\n"
            "  check        validate the configuration and exit (0 = valid)\n"
            "\n"
            "Options:\n"
            "  -c, --config FILE     configuration file (YAML; default: ./camas.yaml if it\n"
            "                        exists, otherwise built-in defaults)\n"
            "  -s, --state DIR       state directory (overrides state_dir)\n"
            "  -l, --log-level LVL   error, warn, info or debug (overrides log_level)\n"
            "  -h, --help            show this help and exit\n"
            "  -V, --version         show the version and exit\n"
            "\n"
            "Exit status: 0 stopped normally, 1 runtime failure (for example a revoked access\n"
            "token), 2 invalid configuration or usage.\n"
            "See camas.example.yaml for every configuration key.\n");
}

static void lws_log_emit(int level, const char *line)
{
    size_t n = strlen(line);
    while (n && line[n - 1] == '\n')
        n--;
    camas_log(level == LLL_ERR ? CAMAS_LOG_ERROR : CAMAS_LOG_WARN, "lws", "%.*s", (int)n, line);
}

static int cmd_run(camas_config *cfg)
{
    char err[512];
    camas_store *st = camas_store_open(cfg->state_dir, err, sizeof err);
    if (!st) {
        log_error("store", "%s", err);
        return 1;
    }

    lws_set_log_level(LLL_ERR | (camas_log_get_level() >= CAMAS_LOG_DEBUG ? LLL_WARN : 0),
                      lws_log_emit);
    const struct lws_protocols protocols[] = {camas_http_protocol, {NULL, NULL, 0, 0, 0, NULL, 0}};
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    if (cfg->ca_file && *cfg->ca_file)
        info.client_ssl_ca_filepath = cfg->ca_file;
    /* lws's own response timeout must outlast a /sync long-poll; camas enforces its own
     * per-request deadlines on top. */
    info.timeout_secs = (unsigned)(cfg->sync_timeout_ms / 1000 + 90);
    info.connect_timeout_secs = 15;
    struct lws_context *ctx = lws_create_context(&info);
    if (!ctx) {
        log_error("main", "could not create the libwebsockets context");
        camas_store_close(st);
        return 1;
    }
    camas_core *core = camas_core_new(cfg, st, ctx);
    if (!core) {
        log_error("main", "out of memory");
        lws_context_destroy(ctx);
        camas_store_close(st);
        return 1;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    camas_core_start(core);
    while (!stop_signal && camas_core_exit_code(core) < 0)
        lws_service(ctx, 0);

    int code = camas_core_exit_code(core);
    if (stop_signal) {
        log_info("main", "stopping on signal %d", (int)stop_signal);
        code = 0;
    }
    camas_core_free(core);
    lws_context_destroy(ctx);
    camas_store_close(st);
    return code < 0 ? 0 : code;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},    {"state", required_argument, NULL, 's'},
        {"log-level", required_argument, NULL, 'l'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},         {NULL, 0, NULL, 0},
    };
    const char *config_path = NULL, *state_dir = NULL, *log_level = NULL;
    int ch;
    /* GNU getopt permutes, so options may come before or after the command. */
    while ((ch = getopt_long(argc, argv, "c:s:l:hV", opts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            config_path = optarg;
            break;
        case 's':
            state_dir = optarg;
            break;
        case 'l':
            log_level = optarg;
            break;
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
    const char *cmd = optind < argc ? argv[optind++] : NULL;
    if (optind < argc) {
        fprintf(stderr, "camas: unexpected argument '%s' (try camas --help)\n", argv[optind]);
        return 2;
    }
    if (!cmd) {
        usage(stderr);
        return 2;
    }
    if (strcmp(cmd, "run") != 0 && strcmp(cmd, "check") != 0) {
        fprintf(stderr, "camas: unknown command '%s' (try camas --help)\n", cmd);
        return 2;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "camas: libsodium failed to initialise\n");
        return 1;
    }
    if (!config_path && access("camas.yaml", R_OK) == 0)
        config_path = "camas.yaml";

    camas_config cfg;
    char err[1024];
    if (camas_config_load(&cfg, config_path, err, sizeof err)) {
        fprintf(stderr, "camas: %s\n", err);
        return 2;
    }
    if (state_dir) {
        free(cfg.state_dir);
        cfg.state_dir = strdup(state_dir);
    }
    const char *level = log_level ? log_level : cfg.log_level;
    int lvl = camas_log_level_parse(level);
    if (lvl < 0) {
        fprintf(stderr, "camas: --log-level: expected error, warn, info or debug, got '%s'\n",
                level);
        camas_config_free(&cfg);
        return 2;
    }
    camas_log_set_level(lvl);

    int rc = 0;
    if (strcmp(cmd, "check") == 0)
        printf("%s: configuration is valid\n", config_path ? config_path : "(defaults)");
    else
        rc = cmd_run(&cfg);
    camas_config_free(&cfg);
    return rc;
}
