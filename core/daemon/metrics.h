/* Metrics and health: the counters camas keeps (one struct, owned by the core context), their
 * Prometheus text exposition, and the optional loopback HTTP listener (metrics.listen) that
 * serves GET /metrics and GET /health from the core's libwebsockets context (its own vhost on
 * the same loop, as the appservice push endpoint). */
#ifndef CAMAS_METRICS_H
#define CAMAS_METRICS_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define CAMAS_HIST_MAX_BOUNDS   16
#define CAMAS_METRICS_MAX_LABEL 64 /* plugins with answers counted by name; then "other" */

typedef struct camas_histogram {
    const double *bounds; /* upper bounds in seconds, ascending; +Inf is implicit */
    size_t n_bounds;
    uint64_t counts[CAMAS_HIST_MAX_BOUNDS + 1]; /* per bucket, not cumulative; last: +Inf */
    uint64_t count;
    double sum;
} camas_histogram;

typedef struct camas_metric_label {
    char name[64];
    uint64_t count;
} camas_metric_label;

typedef struct camas_metrics {
    uint64_t events_received;           /* timeline events seen for the first time */
    uint64_t questions;                 /* messages addressed to camas that it routes */
    uint64_t clarifications;            /* answers offering options */
    uint64_t declines;                  /* questions camas declined to answer (nothing confident) */
    uint64_t invites_declined;          /* invites from outside invites.allow */
    uint64_t danger_replies;            /* replies carrying the hotline */
    uint64_t rate_limited;              /* questions not answered for the help-room rate limits */
    uint64_t sync_errors;               /* failed /sync requests */
    uint64_t reconnects;                /* the transport working again after failures */
    uint64_t send_errors;               /* failed sends from the outbox (retried or dropped) */
    uint64_t worker_restarts;           /* the plugin worker died and was started again */
    uint64_t plugin_loads;              /* plugins loaded (also reloads) */
    uint64_t plugin_refusals;           /* plugin loads refused */
    uint64_t knowledge_reloads;         /* successful knowledge reloads */
    uint64_t knowledge_reload_failures; /* knowledge reloads refused (partly or wholly) */
    camas_metric_label answers[CAMAS_METRICS_MAX_LABEL]; /* answers by plugin */
    size_t n_answers;
    camas_histogram answer_latency; /* event received -> reply acknowledged */
    camas_histogram worker_time;    /* question sent to the worker -> answer back */
} camas_metrics;

/* Values read when a scrape comes (gauges). */
typedef struct camas_metrics_gauges {
    long outbox_depth;        /* replies waiting to be sent; -1: unknown */
    double outbox_oldest_age; /* seconds the oldest waiting reply has waited (0: none) */
    bool transport_connected;
    double last_sync_age; /* seconds since the last sync or transaction; <0: never */
    bool worker_alive;
    double worker_uptime; /* seconds; 0 when not running */
    long plugins_loaded;
    long rooms;
} camas_metrics_gauges;

void camas_metrics_init(camas_metrics *m);
void camas_histogram_observe(camas_histogram *h, double seconds);
/* Counts an answer by plugin ("" counts as "none"). */
void camas_metrics_answer(camas_metrics *m, const char *plugin);

/* Appends a label value escaped for the text format (\\, \" and \n). */
int camas_metrics_escape_label(camas_buf *out, const char *value);
/* The whole exposition (text format 0.0.4). Returns 0, or -1 out of memory. */
int camas_metrics_render(const camas_metrics *m, const camas_metrics_gauges *g, camas_buf *out);

/* The listener. serve fills body and returns the HTTP status for GET path (the path without
 * its query string); content_type points at a static string. */
typedef int (*camas_metrics_serve_fn)(void *ud, const char *path, camas_buf *body,
                                      const char **content_type);
typedef struct camas_metrics_server camas_metrics_server;

/* listen is "ADDRESS:PORT". Returns NULL with the reason in err. */
camas_metrics_server *camas_metrics_server_new(struct lws_context *ctx, const char *listen,
                                               camas_metrics_serve_fn fn, void *ud, char *err,
                                               size_t errlen);
void camas_metrics_server_free(camas_metrics_server *s);

#endif
