/* The commands about the configuration and the state directory: check, audit, unanswered,
 * backup and restore. */
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
#include "messages.h"
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

int camas_cmd_check(camas_config *cfg, const struct paths *paths, const char *config_path)
{
    int problems = 0;
    printf("%s: configuration is valid\n", config_path ? config_path : "(defaults)");
    camas_plugin_host_config hc = camas_cli_host_config(cfg, paths);
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
    if (!camas_cli_is_dir(paths->knowledge)) {
        printf("knowledge: %s is not a directory\n", paths->knowledge);
        problems++;
    } else {
        /* camas's own texts (knowledge/messages): read by the core and the worker alike */
        camas_messages *msgs = NULL;
        char why[600];
        int rc = camas_messages_load(paths->knowledge, &msgs, why, sizeof why);
        if (rc < 0) {
            printf("knowledge messages: %s\n", why);
            problems++;
        } else {
            printf("knowledge messages: %s%s%s\n", rc ? paths->knowledge : "", rc ? "/" : "",
                   rc ? CAMAS_MESSAGES_FILE : "no messages folder, the compiled texts");
        }
        camas_messages_free(msgs);
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
        struct lws_context *ctx = camas_cli_make_context(cfg, false);
        struct offline o = {0};
        camas_plugin_host *host =
            ctx ? camas_plugin_host_new(ctx, &hc, NULL, camas_cli_offline_alert, &o) : NULL;
        if (!host) {
            printf("plugins: the plugin host could not start (see above)\n");
            problems++;
        } else {
            camas_cli_tick_start(ctx);
            camas_plugin_host_start(host, camas_cli_offline_started, &o);
            camas_cli_run_until(ctx, &o.started, 30000);
            char *list = camas_plugin_host_describe(host);
            printf("%s\n", list ? list : "");
            free(list);
            problems += o.alerts + (o.started ? 0 : 1);
            camas_cli_tick_stop();
        }
        camas_buf_free(&o.alert_text);
        camas_plugin_host_free(host);
        if (ctx)
            camas_cli_destroy_context(ctx);
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

int camas_cmd_audit(camas_config *cfg)
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
int camas_cmd_backup(const camas_config *cfg, bool restore, const char *file)
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

int camas_cmd_unanswered(camas_config *cfg, bool purge)
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
