/* The Matrix client core: discovery, authentication, the /sync loop, the durable outbox,
 * joins, invites, typing notices and receipts, all as events on the libwebsockets loop. */
#ifndef CAMAS_MATRIX_H
#define CAMAS_MATRIX_H

#include <libwebsockets.h>

#include "config.h"
#include "http.h"
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

/* Without a homeserver (fuzzing, tests): camas_core_start_offline puts a new core straight into
 * the running state as user_id (no discovery, no log-in) and sends its first /sync, or as an
 * appservice waits for transactions instead. Requests the core makes then wait in its pool
 * until camas_core_answer answers the oldest one whose path contains path_part with r, as the
 * homeserver would have, through the daemon's own handling (returns 1, or 0 when none is
 * waiting). camas_core_transaction hands an appservice transaction's events to the core as the
 * push and websocket transports do (0, or -1 when it must be delivered again). Nothing reaches
 * the network unless lws_service runs. */
void camas_core_start_offline(camas_core *c, const char *user_id, bool appservice);
int camas_core_answer(camas_core *c, const char *path_part, const camas_http_response *r);
int camas_core_transaction(camas_core *c, const char *txn_id, const struct cJSON *events);

/* The counters the core keeps (for the plugin host to count into). */
camas_metrics *camas_core_metrics(camas_core *c);
/* `camas status`: transport, last sync, rooms by kind, outbox, worker, plugins, knowledge;
 * several lines, malloc'd. */
char *camas_core_status(camas_core *c);

/* Cancels outstanding requests; call before destroying the lws context. */
void camas_core_free(camas_core *c);

#endif
