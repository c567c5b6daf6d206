/* WebSocket event stream client. One connection at a time; everything it sends (replies,
 * pings) goes through a small queue written when lws says the socket is writable. */
#include "wsclient.h"
#include "appservice.h"
#include "backoff.h"
#include "http.h"
#include "log.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PING_INTERVAL_MS 10000
#define PING_DEAD_MS     25000
#define MAX_QUEUE        256

struct camas_wsclient {
    struct lws_context *ctx;
    struct lws *wsi;
    camas_endpoint ep;
    char path[512];
    char token[256];
    char process_id[33];
    camas_wsclient_callbacks cbs;
    void *ud;

    camas_buf rx;
    bool rx_overflow, rx_binary;
    char *queue[MAX_QUEUE];
    size_t q_head, q_len;

    bool stopping, replaced, connected;
    int64_t next_ping_id;
    int64_t ping_outstanding_id;
    int64_t ping_sent_ms;
    camas_backoff bo;
    lws_sorted_usec_list_t reconnect_timer, ping_timer;
};

static void schedule_reconnect(camas_wsclient *w);

static void enqueue(camas_wsclient *w, char *text)
{
    if (!text)
        return;
    if (w->q_len == MAX_QUEUE || !w->wsi) {
        free(text);
        return;
    }
    w->queue[(w->q_head + w->q_len++) % MAX_QUEUE] = text;
    lws_callback_on_writable(w->wsi);
}

static void queue_clear(camas_wsclient *w)
{
    while (w->q_len) {
        free(w->queue[w->q_head]);
        w->q_head = (w->q_head + 1) % MAX_QUEUE;
        w->q_len--;
    }
}

static void on_ping_timer(lws_sorted_usec_list_t *sul)
{
    camas_wsclient *w = lws_container_of(sul, camas_wsclient, ping_timer);
    if (!w->wsi || !w->connected)
        return;
    int64_t now = camas_monotonic_ms();
    if (w->ping_outstanding_id && now - w->ping_sent_ms > PING_DEAD_MS) {
        log_warn("websocket", "no answer to ping #%lld for %d s: the peer is gone; reconnecting",
                 (long long)w->ping_outstanding_id, PING_DEAD_MS / 1000);
        w->ping_outstanding_id = 0;
        lws_set_timeout(w->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
        return;
    }
    if (!w->ping_outstanding_id) {
        w->ping_outstanding_id = ++w->next_ping_id;
        w->ping_sent_ms = now;
        char msg[128];
        snprintf(msg, sizeof msg,
                 "{\"id\":%lld,\"command\":\"ping\",\"data\":{\"timestamp\":%lld}}",
                 (long long)w->ping_outstanding_id, (long long)camas_now_ms());
        enqueue(w, strdup(msg));
    }
    lws_sul_schedule(w->ctx, 0, &w->ping_timer, on_ping_timer,
                     (lws_usec_t)PING_INTERVAL_MS * LWS_US_PER_MS);
}

static void handle_frame(camas_wsclient *w, const char *text, size_t len)
{
    camas_as_frame f;
    camas_as_frame_parse(text, len, &f);
    switch (f.kind) {
    case CAMAS_AS_FRAME_CONNECTED:
        w->connected = true;
        camas_backoff_reset(&w->bo);
        log_info("websocket", "event stream connected");
        lws_sul_schedule(w->ctx, 0, &w->ping_timer, on_ping_timer,
                         (lws_usec_t)PING_INTERVAL_MS * LWS_US_PER_MS);
        if (w->cbs.on_connected)
            w->cbs.on_connected(w->ud);
        break;
    case CAMAS_AS_FRAME_TRANSACTION:
        if (w->cbs.on_transaction(w->ud, f.txn_id, f.events))
            log_error("websocket", "transaction %s could not be stored", f.txn_id);
        break;
    case CAMAS_AS_FRAME_REQUEST: {
        if (f.id == 0)
            break; /* no reply wanted */
        if (strcmp(f.command, "ping") == 0) {
            cJSON *d = cJSON_CreateObject();
            cJSON_AddNumberToObject(d, "timestamp", (double)camas_now_ms());
            enqueue(w, camas_as_reply(f.id, false, d));
            cJSON_Delete(d);
        } else {
            log_info("websocket", "unknown request '%.40s' (#%lld): answering with an error",
                     f.command, (long long)f.id);
            cJSON *d = cJSON_CreateObject();
            char msg[96];
            snprintf(msg, sizeof msg, "unknown command %.40s", f.command);
            cJSON_AddStringToObject(d, "message", msg);
            enqueue(w, camas_as_reply(f.id, true, d));
            cJSON_Delete(d);
        }
        break;
    }
    case CAMAS_AS_FRAME_RESPONSE:
        if (f.id == w->ping_outstanding_id)
            w->ping_outstanding_id = 0;
        if (f.is_error)
            log_warn("websocket", "request #%lld failed on the server", (long long)f.id);
        break;
    case CAMAS_AS_FRAME_OTHER:
        log_debug("websocket", "ignoring a frame: %.80s", text);
        break;
    case CAMAS_AS_FRAME_MALFORMED:
        log_warn("websocket", "ignoring a malformed frame (%zu bytes): %.60s", len, text);
        break;
    }
    camas_as_frame_clear(&f);
}

static void on_reconnect_timer(lws_sorted_usec_list_t *sul);

static void connect_now(camas_wsclient *w)
{
    if (w->stopping || w->wsi)
        return;
    struct lws_client_connect_info i;
    memset(&i, 0, sizeof i);
    i.context = w->ctx;
    i.address = w->ep.host;
    i.host = w->ep.host;
    i.port = w->ep.port;
    i.path = w->path;
    i.ssl_connection = w->ep.tls ? LCCSCF_USE_SSL : 0;
    i.local_protocol_name = camas_wsclient_protocol.name;
    i.opaque_user_data = w;
    i.pwsi = &w->wsi;
    i.alpn = "http/1.1";
    log_debug("websocket", "connecting to %s:%d%s", w->ep.host, w->ep.port, w->path);
    if (!lws_client_connect_via_info(&i)) {
        w->wsi = NULL;
        schedule_reconnect(w);
    }
}

static void on_reconnect_timer(lws_sorted_usec_list_t *sul)
{
    connect_now(lws_container_of(sul, camas_wsclient, reconnect_timer));
}

static void schedule_reconnect(camas_wsclient *w)
{
    if (w->stopping || w->replaced)
        return;
    int64_t delay = camas_backoff_next(&w->bo);
    log_info("websocket", "event stream down; reconnecting in %lld ms", (long long)delay);
    lws_sul_schedule(w->ctx, 0, &w->reconnect_timer, on_reconnect_timer,
                     (lws_usec_t)delay * LWS_US_PER_MS);
}

static void connection_gone(camas_wsclient *w)
{
    w->wsi = NULL;
    w->connected = false;
    w->ping_outstanding_id = 0;
    lws_sul_cancel(&w->ping_timer);
    queue_clear(w);
    camas_buf_reset(&w->rx);
    if (w->replaced) {
        if (w->cbs.on_replaced)
            w->cbs.on_replaced(w->ud);
        return;
    }
    schedule_reconnect(w);
}

static int wsclient_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                             void *in, size_t len)
{
    camas_wsclient *w = lws_get_opaque_user_data(wsi);
    switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
        if (!w)
            return -1;
        unsigned char **p = (unsigned char **)in, *end = *p + len;
        char auth[300];
        int n = snprintf(auth, sizeof auth, "Bearer %s", w->token);
        int rc = lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION,
                                              (unsigned char *)auth, n, p, end) ||
                 lws_add_http_header_by_name(wsi, (unsigned char *)"x-mautrix-websocket-version:",
                                             (unsigned char *)"3", 1, p, end) ||
                 lws_add_http_header_by_name(
                     wsi, (unsigned char *)"x-mautrix-process-id:", (unsigned char *)w->process_id,
                     (int)strlen(w->process_id), p, end);
        sodium_memzero(auth, sizeof auth);
        return rc ? -1 : 0;
    }
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        log_debug("websocket", "upgraded; waiting for the welcome frame");
        return 0;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (!w)
            return 0;
        if (lws_is_first_fragment(wsi)) {
            camas_buf_reset(&w->rx);
            w->rx_overflow = false;
            w->rx_binary = lws_frame_is_binary(wsi);
        }
        if (!w->rx_binary && !w->rx_overflow) {
            if (w->rx.len + len > CAMAS_AS_FRAME_MAX || camas_buf_append(&w->rx, in, len)) {
                w->rx_overflow = true;
                camas_buf_free(&w->rx);
            }
        }
        if (lws_is_final_fragment(wsi)) {
            if (w->rx_binary)
                log_warn("websocket", "ignoring a binary frame (the protocol is text JSON)");
            else if (w->rx_overflow)
                log_warn("websocket", "ignoring a frame over %u bytes", CAMAS_AS_FRAME_MAX);
            else
                handle_frame(w, camas_buf_cstr(&w->rx), w->rx.len);
            camas_buf_reset(&w->rx);
        }
        return 0;
    case LWS_CALLBACK_CLIENT_WRITEABLE: {
        if (!w || !w->q_len)
            return 0;
        char *text = w->queue[w->q_head];
        w->q_head = (w->q_head + 1) % MAX_QUEUE;
        w->q_len--;
        size_t n = strlen(text);
        unsigned char *buf = malloc(LWS_PRE + n);
        int rc = 0;
        if (buf) {
            memcpy(buf + LWS_PRE, text, n);
            rc = lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_TEXT) < (int)n ? -1 : 0;
            free(buf);
        }
        free(text);
        if (w->q_len)
            lws_callback_on_writable(wsi);
        return rc;
    }
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (w && len >= 2) {
            const unsigned char *b = in;
            int code = (b[0] << 8) | b[1];
            if (code == 4001) {
                log_warn("websocket", "the server closed the stream with 4001 conn_replaced: "
                                      "another camas instance took over; stopping");
                w->replaced = true;
            } else {
                log_info("websocket", "the server closed the stream (code %d)", code);
            }
        }
        return 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (w) {
            unsigned int status = lws_http_client_http_response(wsi);
            if (status == 401 || status == 403)
                log_error("websocket",
                          "the event stream refused camas's as_token (HTTP %u): is "
                          "wsproxy configured with this registration's tokens?",
                          status);
            else
                log_warn("websocket", "cannot connect: %s", in && len ? (const char *)in : "error");
            lws_set_opaque_user_data(wsi, NULL);
            connection_gone(w);
        }
        return 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (w) {
            lws_set_opaque_user_data(wsi, NULL);
            connection_gone(w);
        }
        return 0;
    case LWS_CALLBACK_WSI_DESTROY:
        if (w && w->wsi == wsi) {
            lws_set_opaque_user_data(wsi, NULL);
            connection_gone(w);
        }
        return 0;
    default:
        return 0;
    }
}

const struct lws_protocols camas_wsclient_protocol = {
    .name = "camas-as-sync",
    .callback = wsclient_callback,
    .rx_buffer_size = 65536,
};

camas_wsclient *camas_wsclient_new(struct lws_context *ctx, const char *url, const char *as_token,
                                   const camas_wsclient_callbacks *cbs, void *ud, char *err,
                                   size_t errlen)
{
    char http_url[600];
    if (strncmp(url, "wss://", 6) == 0)
        snprintf(http_url, sizeof http_url, "https://%s", url + 6);
    else if (strncmp(url, "ws://", 5) == 0)
        snprintf(http_url, sizeof http_url, "http://%s", url + 5);
    else
        snprintf(http_url, sizeof http_url, "%s", url);
    camas_wsclient *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (camas_endpoint_parse(&w->ep, http_url, err, errlen)) {
        free(w);
        return NULL;
    }
    snprintf(w->path, sizeof w->path, "%s/_matrix/client/unstable/fi.mau.as_sync", w->ep.base_path);
    snprintf(w->token, sizeof w->token, "%s", as_token);
    camas_random_hex(w->process_id, 16);
    w->ctx = ctx;
    w->cbs = *cbs;
    w->ud = ud;
    w->bo = (camas_backoff){500, 30000, 0};
    connect_now(w);
    return w;
}

bool camas_wsclient_connected(const camas_wsclient *w)
{
    return w && w->connected;
}

void camas_wsclient_free(camas_wsclient *w)
{
    if (!w)
        return;
    w->stopping = true;
    lws_sul_cancel(&w->reconnect_timer);
    lws_sul_cancel(&w->ping_timer);
    if (w->wsi) {
        lws_set_opaque_user_data(w->wsi, NULL);
        lws_set_timeout(w->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
    queue_clear(w);
    camas_buf_free(&w->rx);
    sodium_memzero(w->token, sizeof w->token);
    free(w);
}
