/* What the camas command's files share (main.c, cli_*.c): where things are (the worker, plugins,
 * knowledge, model, trusted keys), the libwebsockets context, and the offline host the
 * ask, bench and check commands drive without a homeserver. Private to the camas binary. */
#ifndef CAMAS_CLI_H
#define CAMAS_CLI_H

#include "config.h"
#include "convo.h"
#include "plugin_cli.h"
#include "plugins.h"
#include "safety.h"
#include "util.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

struct lws_context;

struct paths {
    char exe[PATH_MAX];
    char worker[PATH_MAX]; /* camas-worker, beside the camas binary */
    char plugins[PATH_MAX];
    char knowledge[PATH_MAX];
    char model[PATH_MAX];       /* the sentence-embedding model ("" = none found) */
    char embed_cache[PATH_MAX]; /* STATE_DIR/embeddings.cache */
    camas_trusted_keys keys;
};

/* Fills p from the options (NULL when not given), the configuration and the defaults.
 * Returns 0, or -1 when camas cannot find its own executable or a trusted key. */
int camas_cli_resolve_paths(const camas_config *cfg, const char *plugins_opt,
                            const char *knowledge_opt, const char *const *keys_opt,
                            size_t n_keys_opt, struct paths *p);
camas_plugin_host_config camas_cli_host_config(const camas_config *cfg, const struct paths *p);
/* The libwebsockets context (need_network: client connections, TLS). NULL on failure. */
struct lws_context *camas_cli_make_context(const camas_config *cfg, bool need_network);
/* Destroys a context camas_cli_make_context made, and what it owns. */
void camas_cli_destroy_context(struct lws_context *ctx);
bool camas_cli_is_dir(const char *p);

/* The offline host's callbacks and state (ask, bench, check). */
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
void camas_cli_offline_started(void *ud, bool ok, const char *summary);
void camas_cli_offline_alert(void *ud, const char *text);
void camas_cli_offline_answer(void *ud, const camas_host_answer *a);
/* Serves ctx until *flag is true or max_ms passed. */
void camas_cli_run_until(struct lws_context *ctx, const bool *flag, int max_ms);
/* Keeps lws_service() from sleeping past camas_cli_run_until's deadline. */
void camas_cli_tick_start(struct lws_context *ctx);
void camas_cli_tick_stop(void);
/* 2026-03-01, 2026-03-01T10:00[:00][Z|+hh:mm] as Unix ms, or -1. */
int64_t camas_cli_parse_iso8601(const char *s);

/* The commands; each returns the process's exit status. */
int camas_cmd_ask(camas_config *cfg, const struct paths *paths, int argc, char **argv);
int camas_cmd_bench(camas_config *cfg, const struct paths *paths, int argc, char **argv);
int camas_cmd_check(camas_config *cfg, const struct paths *paths, const char *config_path);
int camas_cmd_audit(camas_config *cfg);
int camas_cmd_unanswered(camas_config *cfg, bool purge);
int camas_cmd_backup(const camas_config *cfg, bool restore, const char *file);

#endif
