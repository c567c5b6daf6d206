/* The Matrix client core: what it tells about itself. The counters (c->metrics, served by
 * metrics.c on metrics.listen), /health, the answer-latency clock, and `camas status`. */
#include "matrix_internal.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_RECEIVED (sizeof((camas_core *)0)->received / sizeof *((camas_core *)0)->received)

/* FNV-1a: a key for the question, never 0 (0 marks a free slot). */
static uint64_t event_key(const char *event_id)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)event_id; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h ? h : 1;
}

void latency_question(camas_core *c, const char *event_id)
{
    if (!event_id)
        return;
    /* a ring: a question still unanswered after 255 newer ones is no longer timed */
    c->received[c->received_next] = (struct received_at){event_key(event_id), camas_monotonic_ms()};
    c->received_next = (c->received_next + 1) % N_RECEIVED;
}

void latency_replied(camas_core *c, const char *question)
{
    if (!question || !*question)
        return;
    uint64_t key = event_key(question);
    for (size_t i = 0; i < N_RECEIVED; i++)
        if (c->received[i].key == key) {
            camas_histogram_observe(&c->metrics.answer_latency,
                                    (double)(camas_monotonic_ms() - c->received[i].ms) / 1000.0);
            c->received[i].key = 0; /* the first reply is the one timed */
            return;
        }
}

void transport_ok(camas_core *c)
{
    if (c->transport_failing) {
        c->metrics.reconnects++;
        log_info("matrix", "the homeserver answers again");
    }
    c->transport_failing = false;
    c->transport_error[0] = '\0';
    c->last_contact_ms = camas_monotonic_ms();
}

void store_ok(camas_core *c)
{
    if (c->store_failing)
        log_info("store", "the state database takes writes again; catching up");
    c->store_failing = false;
    c->store_error[0] = '\0';
}

void store_failed(camas_core *c, const char *what)
{
    const char *err = camas_store_error(c->st);
    /* once per episode in the log; /health and `camas status` keep saying it */
    if (!c->store_failing)
        log_error("store",
                  "cannot write the state database in %s (%s): %s is not acknowledged and "
                  "will be taken again when it can be written; free some space if the disk is "
                  "full",
                  c->cfg->state_dir, err, what);
    else
        log_debug("store", "still cannot write the state database (%s)", err);
    c->store_failing = true;
    snprintf(c->store_error, sizeof c->store_error, "%s", err);
}

void transport_failed(camas_core *c, const char *why)
{
    c->metrics.sync_errors++;
    c->transport_failing = true;
    snprintf(c->transport_error, sizeof c->transport_error, "%s", why ? why : "failed");
}

/* Whether the transport is connected; if not, why (in why). */
static bool transport_up(const camas_core *c, char *why, size_t whylen)
{
    int64_t now = camas_monotonic_ms();
    if (c->phase == PH_STOPPED) {
        snprintf(why, whylen, "stopping");
        return false;
    }
    if (c->phase != PH_RUNNING) {
        snprintf(why, whylen, "starting: not connected to the homeserver yet");
        return false;
    }
    switch (c->cfg->transport) {
    case CAMAS_TRANSPORT_PUSH:
        if (!c->push) {
            snprintf(why, whylen, "the appservice listener is not up");
            return false;
        }
        return true; /* the homeserver pushes when it has something: silence is fine */
    case CAMAS_TRANSPORT_WEBSOCKET:
        if (!camas_wsclient_connected(c->ws)) {
            snprintf(why, whylen, "the appservice event stream is not connected");
            return false;
        }
        return true;
    default:
        break;
    }
    if (c->transport_failing) {
        snprintf(why, whylen, "/sync failing: %s", c->transport_error);
        return false;
    }
    /* a long-poll returns within sync.timeout_ms; its request has 30 s on top */
    int64_t limit = c->cfg->sync_timeout_ms + 30000 + 5000;
    if (!c->last_contact_ms || now - c->last_contact_ms > limit) {
        snprintf(why, whylen, "no /sync answered for %lld s",
                 (long long)(c->last_contact_ms ? (now - c->last_contact_ms) / 1000 : 0));
        return false;
    }
    return true;
}

static double last_contact_age(const camas_core *c)
{
    return c->last_contact_ms ? (double)(camas_monotonic_ms() - c->last_contact_ms) / 1000.0 : -1;
}

static void outbox_state(const camas_core *c, long *depth, double *oldest_age)
{
    *depth = camas_store_outbox_count(c->st);
    int64_t oldest = camas_store_outbox_oldest_ms(c->st);
    int64_t now = camas_now_ms();
    *oldest_age = oldest > 0 && now > oldest ? (double)(now - oldest) / 1000.0 : 0;
}

static int serve(void *ud, const char *path, camas_buf *body, const char **content_type)
{
    camas_core *c = ud;
    char why[256];
    if (strcmp(path, "/metrics") == 0) {
        camas_metrics_gauges g = {0};
        outbox_state(c, &g.outbox_depth, &g.outbox_oldest_age);
        g.transport_connected = transport_up(c, why, sizeof why);
        g.last_sync_age = last_contact_age(c);
        int64_t up = 0;
        g.worker_alive = camas_plugin_host_worker_alive(c->host, &up);
        g.worker_uptime = (double)up / 1000.0;
        g.plugins_loaded = (long)camas_plugin_host_n_plugins(c->host);
        g.rooms = (long)c->n_rooms;
        *content_type = "text/plain; version=0.0.4; charset=utf-8";
        return camas_metrics_render(&c->metrics, &g, body) ? 500 : 200;
    }
    if (strcmp(path, "/health") == 0) {
        *content_type = "text/plain; charset=utf-8";
        bool ok = transport_up(c, why, sizeof why);
        if (ok && c->host && !camas_plugin_host_worker_alive(c->host, NULL)) {
            snprintf(why, sizeof why, "the plugin worker is not running (restarting)");
            ok = false;
        }
        if (ok && c->store_failing) {
            snprintf(why, sizeof why, "cannot write the state database: %s", c->store_error);
            ok = false;
        }
        camas_buf_printf(body, "%s\n", ok ? "ok" : why);
        return ok ? 200 : 503;
    }
    return 404;
}

int metrics_start(camas_core *c)
{
    if (!*c->cfg->metrics_listen || c->metrics_srv)
        return 0;
    char err[600];
    c->metrics_srv =
        camas_metrics_server_new(c->ctx, c->cfg->metrics_listen, serve, c, err, sizeof err);
    if (!c->metrics_srv) {
        log_error("metrics", "%s", err);
        stop(c, 1);
        return -1;
    }
    return 0;
}

camas_metrics *camas_core_metrics(camas_core *c)
{
    return &c->metrics;
}

static const char *transport_name(camas_transport t)
{
    return t == CAMAS_TRANSPORT_PUSH        ? "appservice push"
           : t == CAMAS_TRANSPORT_WEBSOCKET ? "appservice websocket"
                                            : "sync";
}

char *camas_core_status(camas_core *c)
{
    camas_buf b = {0};
    char why[256];
    bool up = transport_up(c, why, sizeof why);
    camas_buf_printf(&b, "camas %s, %s\n", CAMAS_VERSION,
                     c->user_id ? c->user_id : c->cfg->user_id);
    camas_buf_printf(&b, "transport: %s, %s%s\n", transport_name(c->cfg->transport),
                     up ? "connected" : "not connected: ", up ? "" : why);
    double age = last_contact_age(c);
    if (age < 0)
        camas_buf_printf(&b, "last sync: never\n");
    else
        camas_buf_printf(&b, "last sync: %.1f s ago\n", age);
    size_t kinds[3] = {0};
    for (size_t i = 0; i < c->n_rooms; i++)
        if ((unsigned)c->rooms[i]->kind < 3)
            kinds[c->rooms[i]->kind]++;
    camas_buf_printf(&b, "rooms: %zu (help %zu, staff %zu, direct %zu)\n", c->n_rooms,
                     kinds[CAMAS_ROOM_HELP], kinds[CAMAS_ROOM_STAFF], kinds[CAMAS_ROOM_DIRECT]);
    long depth;
    double oldest;
    outbox_state(c, &depth, &oldest);
    camas_buf_printf(&b, "outbox: %ld waiting (oldest %.1f s)\n", depth, oldest);
    if (c->store_failing)
        camas_buf_printf(&b, "state database: cannot be written (%s); nothing is acknowledged\n",
                         c->store_error);
    if (!c->host) {
        camas_buf_puts(&b, "worker: none (plugins disabled: no trusted keys)\nplugins: none\n");
    } else {
        int64_t uptime = 0;
        if (camas_plugin_host_worker_alive(c->host, &uptime))
            camas_buf_printf(&b, "worker: running for %.1f s (%llu restarts)\n",
                             (double)uptime / 1000.0,
                             (unsigned long long)c->metrics.worker_restarts);
        else
            camas_buf_printf(&b, "worker: not running (%llu restarts)\n",
                             (unsigned long long)c->metrics.worker_restarts);
        char *plugins =
            camas_plugin_host_n_plugins(c->host) ? camas_plugin_host_describe(c->host) : NULL;
        camas_buf_printf(&b, "plugins: %zu loaded\n", camas_plugin_host_n_plugins(c->host));
        for (char *line = plugins; line && *line;) {
            char *nl = strchr(line, '\n');
            camas_buf_printf(&b, "  %.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
            line = nl ? nl + 1 : NULL;
        }
        free(plugins);
    }
    char knowledge[700];
    camas_plugin_host_knowledge_version(c->host, knowledge, sizeof knowledge);
    camas_buf_printf(&b, "knowledge: %s", knowledge);
    return camas_buf_cstr(&b) ? b.data : NULL;
}
