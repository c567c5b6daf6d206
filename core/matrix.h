/* The Matrix client core: discovery, authentication, the /sync loop, the durable outbox,
 * joins, invites, typing notices and receipts, all as events on the libwebsockets loop. */
#ifndef CAMAS_MATRIX_H
#define CAMAS_MATRIX_H

#include <libwebsockets.h>

#include "config.h"
#include "plugins.h"
#include "store.h"

typedef struct camas_core camas_core;

/* The core borrows cfg, st, ctx and host (NULL: built-in answers only); they must outlive
 * it. */
camas_core *camas_core_new(const camas_config *cfg, camas_store *st, struct lws_context *ctx,
                           camas_plugin_host *host);
/* Where plugin-host alerts go (a camas_alert_cb): the admin room, once joined. */
void camas_core_alert(void *core, const char *text);
/* Starts connecting; everything else happens from lws_service(). */
void camas_core_start(camas_core *c);
/* -1 while running; otherwise the exit status the process should end with. */
int camas_core_exit_code(const camas_core *c);
/* True once the transport is up (the first /sync answered, or the appservice connected);
 * rooms (may be NULL) gets how many rooms camas is in. */
bool camas_core_ready(const camas_core *c, size_t *rooms);
/* For benchmarks: handles one /sync response body as if it had just arrived (parse, dispatch,
 * store), without any network. Returns 0 or -1. */
int camas_core_bench_sync(camas_core *c, const char *user_id, const char *json, size_t len);

/* The counters the core keeps (for the plugin host to count into). */
camas_metrics *camas_core_metrics(camas_core *c);
/* `camas status`: transport, last sync, rooms by kind, outbox, worker, plugins, knowledge;
 * several lines, malloc'd. */
char *camas_core_status(camas_core *c);

/* Cancels outstanding requests; call before destroying the lws context. */
void camas_core_free(camas_core *c);

#endif
