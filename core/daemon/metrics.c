/* Metrics: the exposition in the Prometheus text format (version 0.0.4) and the loopback
 * listener serving it. The counters live in the core's context and are only ever touched from
 * the event loop; a scrape renders them into one buffer and answers in one write. */
#include "metrics.h"
#include "log.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* From a fast answer to one that waited on a slow homeserver or a busy worker. */
static const double latency_bounds[] = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120};
/* A plugin call: microseconds for a lexical match, up to the deadline for a slow one. */
static const double worker_bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                       0.1,   0.25,   0.5,   1,    2.5,   5};

void camas_metrics_init(camas_metrics *m)
{
    memset(m, 0, sizeof *m);
    m->answer_latency.bounds = latency_bounds;
    m->answer_latency.n_bounds = sizeof latency_bounds / sizeof *latency_bounds;
    m->worker_time.bounds = worker_bounds;
    m->worker_time.n_bounds = sizeof worker_bounds / sizeof *worker_bounds;
}

void camas_histogram_observe(camas_histogram *h, double seconds)
{
    if (seconds < 0)
        seconds = 0;
    size_t i = 0;
    while (i < h->n_bounds && seconds > h->bounds[i])
        i++;
    h->counts[i]++;
    h->count++;
    h->sum += seconds;
}

void camas_metrics_answer(camas_metrics *m, const char *plugin)
{
    const char *name = plugin && *plugin ? plugin : "none";
    size_t i;
    for (i = 0; i < m->n_answers; i++)
        if (strcmp(m->answers[i].name, name) == 0)
            break;
    if (i == m->n_answers) {
        /* the last slot is kept for "other": whatever does not fit by name */
        if (m->n_answers < CAMAS_METRICS_MAX_LABEL - 1) {
            m->n_answers++;
        } else {
            i = CAMAS_METRICS_MAX_LABEL - 1;
            name = "other";
            m->n_answers = CAMAS_METRICS_MAX_LABEL;
        }
        snprintf(m->answers[i].name, sizeof m->answers[i].name, "%s", name);
    }
    m->answers[i].count++;
}

int camas_metrics_escape_label(camas_buf *out, const char *value)
{
    int rc = 0;
    for (const char *p = value; *p && rc == 0; p++) {
        if (*p == '\\')
            rc = camas_buf_puts(out, "\\\\");
        else if (*p == '"')
            rc = camas_buf_puts(out, "\\\"");
        else if (*p == '\n')
            rc = camas_buf_puts(out, "\\n");
        else
            rc = camas_buf_append(out, p, 1);
    }
    return rc;
}

static void header(camas_buf *b, const char *name, const char *type, const char *help)
{
    camas_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void counter(camas_buf *b, const char *name, const char *help, uint64_t v)
{
    header(b, name, "counter", help);
    camas_buf_printf(b, "%s %" PRIu64 "\n", name, v);
}

static void gauge(camas_buf *b, const char *name, const char *help, double v)
{
    header(b, name, "gauge", help);
    camas_buf_printf(b, "%s %.17g\n", name, v);
}

static void histogram(camas_buf *b, const char *name, const char *help, const camas_histogram *h)
{
    header(b, name, "histogram", help);
    uint64_t cum = 0;
    for (size_t i = 0; i < h->n_bounds; i++) {
        cum += h->counts[i];
        camas_buf_printf(b, "%s_bucket{le=\"%g\"} %" PRIu64 "\n", name, h->bounds[i], cum);
    }
    cum += h->counts[h->n_bounds];
    camas_buf_printf(b, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", name, cum);
    camas_buf_printf(b, "%s_sum %.17g\n%s_count %" PRIu64 "\n", name, h->sum, name, h->count);
}

int camas_metrics_render(const camas_metrics *m, const camas_metrics_gauges *g, camas_buf *b)
{
    counter(b, "camas_events_received_total", "Timeline events received for the first time.",
            m->events_received);
    counter(b, "camas_questions_total", "Messages addressed to camas that it routed.",
            m->questions);
    header(b, "camas_answers_total", "counter", "Answers from the plugins, by plugin.");
    for (size_t i = 0; i < m->n_answers; i++) {
        camas_buf_puts(b, "camas_answers_total{plugin=\"");
        camas_metrics_escape_label(b, m->answers[i].name);
        camas_buf_printf(b, "\"} %" PRIu64 "\n", m->answers[i].count);
    }
    counter(b, "camas_clarifications_total", "Answers that asked which of several was meant.",
            m->clarifications);
    counter(b, "camas_declines_total",
            "Questions camas declined to answer (nothing confident enough).", m->declines);
    counter(b, "camas_invites_declined_total", "Invites declined (not in invites.allow).",
            m->invites_declined);
    counter(b, "camas_danger_replies_total", "Replies that carried the hotline.",
            m->danger_replies);
    counter(b, "camas_rate_limited_total", "Questions not answered for the help-room limits.",
            m->rate_limited);
    counter(b, "camas_sync_errors_total",
            "Failed /sync requests (no connection, timeouts, server errors).", m->sync_errors);
    counter(b, "camas_transport_reconnects_total",
            "Times the transport worked again after failing.", m->reconnects);
    counter(b, "camas_send_errors_total", "Failed sends of replies (retried or dropped).",
            m->send_errors);
    counter(b, "camas_worker_restarts_total", "Times the plugin worker died and was restarted.",
            m->worker_restarts);
    counter(b, "camas_plugin_loads_total", "Plugins loaded or reloaded.", m->plugin_loads);
    counter(b, "camas_plugin_refusals_total", "Plugin loads refused.", m->plugin_refusals);
    counter(b, "camas_knowledge_reloads_total", "Knowledge reloads that succeeded.",
            m->knowledge_reloads);
    counter(b, "camas_knowledge_reload_failures_total",
            "Knowledge reloads refused in part or in whole.", m->knowledge_reload_failures);
    gauge(b, "camas_outbox_depth", "Replies waiting in the outbox.", (double)g->outbox_depth);
    gauge(b, "camas_outbox_oldest_age_seconds",
          "How long the oldest reply in the outbox has waited (0 when empty).",
          g->outbox_oldest_age);
    gauge(b, "camas_transport_connected", "1 while a sync or transaction came within its timeout.",
          g->transport_connected);
    gauge(b, "camas_last_sync_age_seconds",
          "Seconds since the last sync or transaction (-1: none yet).", g->last_sync_age);
    gauge(b, "camas_worker_up", "1 while the plugin worker runs.", g->worker_alive);
    gauge(b, "camas_worker_uptime_seconds", "Seconds since the plugin worker started.",
          g->worker_uptime);
    gauge(b, "camas_plugins_loaded", "Plugins loaded now.", (double)g->plugins_loaded);
    gauge(b, "camas_rooms", "Rooms camas is in.", (double)g->rooms);
    histogram(b, "camas_answer_latency_seconds",
              "From receiving a question to the homeserver acknowledging the first reply.",
              &m->answer_latency);
    histogram(b, "camas_worker_time_seconds",
              "From sending a question to the worker to its answer coming back.", &m->worker_time);
    return camas_buf_cstr(b) ? 0 : -1;
}

/* ---- the listener ------------------------------------------------------------------- */

struct camas_metrics_server {
    struct lws_vhost *vh;
    camas_metrics_serve_fn fn;
    void *ud;
    struct lws_protocols protocols[2];
};

static int respond(struct lws *wsi, int status, const char *type, const char *body, size_t len)
{
    unsigned char hdr[LWS_PRE + 512], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr;
    if (lws_add_http_common_headers(wsi, (unsigned int)status, type, len, &p, end) ||
        lws_finalize_write_http_header(wsi, start, &p, end))
        return -1;
    unsigned char *buf = malloc(LWS_PRE + len + 1);
    if (!buf)
        return -1;
    memcpy(buf + LWS_PRE, body, len);
    int n = lws_write(wsi, buf + LWS_PRE, len, LWS_WRITE_HTTP_FINAL);
    free(buf);
    if (n < 0)
        return -1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int metrics_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                            size_t len)
{
    if (reason != LWS_CALLBACK_HTTP)
        return 0;
    struct lws_vhost *vh = lws_get_vhost(wsi);
    camas_metrics_server *s = vh ? lws_vhost_user(vh) : NULL;
    if (!s)
        return -1;
    char path[128];
    snprintf(path, sizeof path, "%s", in ? (const char *)in : "");
    path[strcspn(path, "?")] = '\0';
    bool get = lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0;
    camas_buf body = {0};
    const char *type = "text/plain; charset=utf-8";
    int status = 404;
    if (get)
        status = s->fn(s->ud, path, &body, &type);
    if (status == 404) {
        camas_buf_reset(&body);
        camas_buf_puts(&body, "not found: GET /metrics or GET /health\n");
        type = "text/plain; charset=utf-8";
    }
    const char *text = camas_buf_cstr(&body);
    int rc = text ? respond(wsi, status, type, text, body.len)
                  : respond(wsi, 500, type, "out of memory\n", 14);
    camas_buf_free(&body);
    return rc;
}

camas_metrics_server *camas_metrics_server_new(struct lws_context *ctx, const char *listen,
                                               camas_metrics_serve_fn fn, void *ud, char *err,
                                               size_t errlen)
{
    char addr[256];
    snprintf(addr, sizeof addr, "%s", listen);
    char *colon = strrchr(addr, ':');
    char *endp = NULL;
    long port = colon ? strtol(colon + 1, &endp, 10) : 0;
    if (!colon || !endp || *endp || port <= 0 || port > 65535 || colon == addr) {
        snprintf(err, errlen, "metrics.listen: expected ADDRESS:PORT, got '%s'", listen);
        return NULL;
    }
    *colon = '\0';
    camas_metrics_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->fn = fn;
    s->ud = ud;
    s->protocols[0] = (struct lws_protocols){
        .name = "camas-metrics",
        .callback = metrics_callback,
    };
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.vhost_name = "metrics";
    info.port = (int)port;
    info.iface = addr;
    info.protocols = s->protocols;
    info.user = s;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    s->vh = lws_create_vhost(ctx, &info);
    if (!s->vh) {
        snprintf(err, errlen,
                 "metrics.listen: cannot listen on %s (in use, or not a local "
                 "address?)",
                 listen);
        free(s);
        return NULL;
    }
    log_info("metrics", "serving /metrics and /health on http://%s", listen);
    return s;
}

void camas_metrics_server_free(camas_metrics_server *s)
{
    if (!s)
        return;
    lws_vhost_destroy(s->vh);
    free(s);
}
