/* HTTP(S) client requests on the libwebsockets loop.
 *
 * A request object lives until both (a) its completion has been delivered (or it was
 * cancelled) and (b) libwebsockets has destroyed its connection. WSI_DESTROY is the one place
 * that reliably follows every connection, so it is where the object is finally freed. */
#include "http.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct camas_http_request {
    camas_http_pool *pool;
    camas_http_request *prev, *next; /* in pool, while not done */
    struct lws_context *ctx;
    struct lws *wsi;
    camas_http_cb cb;
    void *ud;
    bool free_ud;

    char method[8];
    char host[256];
    int port;
    bool tls;
    char *path;
    char *bearer;
    char *body;
    size_t body_len, body_sent;

    camas_buf resp;
    int status;
    int64_t retry_after_ms;
    bool connecting; /* inside lws_client_connect_via_info */
    bool done;       /* completion delivered or suppressed */
    bool wsi_gone;

    lws_sorted_usec_list_t start_timer;
    lws_sorted_usec_list_t deadline_timer;
    int timeout_ms;
};

int camas_endpoint_parse(camas_endpoint *ep, const char *url, char *err, size_t errlen)
{
    memset(ep, 0, sizeof *ep);
    const char *p;
    if (strncmp(url, "https://", 8) == 0) {
        ep->tls = true;
        ep->port = 443;
        p = url + 8;
    } else if (strncmp(url, "http://", 7) == 0) {
        ep->port = 80;
        p = url + 7;
    } else {
        snprintf(err, errlen, "'%s' is not an http:// or https:// URL", url);
        return -1;
    }
    size_t hostlen = strcspn(p, ":/");
    if (hostlen == 0 || hostlen >= sizeof ep->host) {
        snprintf(err, errlen, "'%s' has no usable host name", url);
        return -1;
    }
    memcpy(ep->host, p, hostlen);
    p += hostlen;
    if (*p == ':') {
        char *end;
        long port = strtol(p + 1, &end, 10);
        if (end == p + 1 || port < 1 || port > 65535 || (*end && *end != '/')) {
            snprintf(err, errlen, "'%s' has an invalid port", url);
            return -1;
        }
        ep->port = (int)port;
        p = end;
    }
    size_t plen = strlen(p);
    while (plen > 0 && p[plen - 1] == '/')
        plen--;
    if (plen >= sizeof ep->base_path) {
        snprintf(err, errlen, "'%s' has too long a path", url);
        return -1;
    }
    memcpy(ep->base_path, p, plen);
    ep->base_path[plen] = '\0';
    return 0;
}

static void request_free(camas_http_request *req)
{
    lws_sul_cancel(&req->start_timer);
    lws_sul_cancel(&req->deadline_timer);
    free(req->path);
    if (req->bearer) {
        memset(req->bearer, 0, strlen(req->bearer));
        free(req->bearer);
    }
    free(req->body);
    camas_buf_free(&req->resp);
    free(req);
}

static void unlink_from_pool(camas_http_request *req)
{
    if (req->prev)
        req->prev->next = req->next;
    else if (req->pool && req->pool->head == req)
        req->pool->head = req->next;
    if (req->next)
        req->next->prev = req->prev;
    req->prev = req->next = NULL;
    req->pool = NULL;
}

/* Delivers the outcome once. status 0 = transport error described by error. */
static void finish(camas_http_request *req, int status, const char *error)
{
    if (req->done)
        return;
    req->done = true;
    unlink_from_pool(req);
    lws_sul_cancel(&req->deadline_timer);
    camas_http_response r = {
        .status = status,
        .error = status ? NULL : (error ? error : "connection failed"),
        .body = camas_buf_cstr(&req->resp),
        .body_len = req->resp.len,
        .retry_after_ms = req->retry_after_ms,
    };
    if (!status)
        r.body_len = 0, r.body = "";
    req->cb(req->ud, &r);
}

static void kill_connection(camas_http_request *req)
{
    if (req->wsi)
        lws_set_timeout(req->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static void on_deadline(lws_sorted_usec_list_t *sul)
{
    camas_http_request *req = lws_container_of(sul, camas_http_request, deadline_timer);
    char msg[64];
    snprintf(msg, sizeof msg, "no response within %d ms", req->timeout_ms);
    finish(req, 0, msg);
    if (req->wsi)
        kill_connection(req);
    else if (!req->connecting)
        request_free(req);
}

static void on_start(lws_sorted_usec_list_t *sul)
{
    camas_http_request *req = lws_container_of(sul, camas_http_request, start_timer);
    struct lws_client_connect_info i;
    memset(&i, 0, sizeof i);
    i.context = req->ctx;
    i.address = req->host;
    i.host = req->host;
    i.origin = req->host;
    i.port = req->port;
    i.path = req->path;
    i.method = req->method;
    i.alpn = "http/1.1";
    i.ssl_connection = req->tls ? LCCSCF_USE_SSL : 0;
    if (strcmp(req->method, "GET") != 0)
        i.ssl_connection |= LCCSCF_HTTP_NO_FOLLOW_REDIRECT;
    i.protocol = camas_http_protocol.name;
    i.local_protocol_name = camas_http_protocol.name;
    i.opaque_user_data = req;
    i.pwsi = &req->wsi;
    req->connecting = true;
    struct lws *wsi = lws_client_connect_via_info(&i);
    req->connecting = false;
    if (!wsi) {
        req->wsi = NULL;
        finish(req, 0, "could not start the connection");
        request_free(req);
        return;
    }
    if (req->wsi_gone) { /* failed synchronously and was already destroyed */
        req->wsi = NULL;
        finish(req, 0, "connection failed");
        request_free(req);
    }
}

camas_http_request *camas_http_start(camas_http_pool *pool, const camas_endpoint *ep,
                                     const camas_http_options *opt, camas_http_cb cb, void *ud)
{
    struct lws_context *ctx = pool->ctx;
    camas_http_request *req = calloc(1, sizeof *req);
    if (!req)
        return NULL;
    req->ctx = ctx;
    req->cb = cb;
    req->ud = ud;
    req->free_ud = opt->free_ud;
    snprintf(req->method, sizeof req->method, "%s", opt->method);
    snprintf(req->host, sizeof req->host, "%s", ep->host);
    req->port = ep->port;
    req->tls = ep->tls;
    req->retry_after_ms = -1;
    req->timeout_ms = opt->timeout_ms > 0 ? opt->timeout_ms : 30000;
    camas_buf path = {0};
    if (camas_buf_puts(&path, ep->base_path) || camas_buf_puts(&path, opt->path)) {
        camas_buf_free(&path);
        free(req);
        return NULL;
    }
    req->path = path.data;
    req->bearer = camas_strdup(opt->bearer);
    if (opt->body) {
        req->body = strdup(opt->body);
        req->body_len = strlen(opt->body);
    }
    if ((opt->bearer && !req->bearer) || (opt->body && !req->body)) {
        request_free(req);
        return NULL;
    }
    req->pool = pool;
    req->next = pool->head;
    if (pool->head)
        pool->head->prev = req;
    pool->head = req;
    lws_sul_schedule(ctx, 0, &req->start_timer, on_start, 1);
    lws_sul_schedule(ctx, 0, &req->deadline_timer, on_deadline,
                     (lws_usec_t)req->timeout_ms * LWS_US_PER_MS);
    return req;
}

void camas_http_cancel(camas_http_request *req)
{
    if (!req || req->done)
        return;
    req->done = true;
    unlink_from_pool(req);
    lws_sul_cancel(&req->deadline_timer);
    if (req->free_ud)
        free(req->ud);
    if (req->wsi)
        kill_connection(req); /* freed when the connection is destroyed */
    else
        request_free(req);
}

void camas_http_pool_cancel_all(camas_http_pool *pool)
{
    while (pool->head)
        camas_http_cancel(pool->head);
}

int camas_http_pool_answer(camas_http_pool *pool, const char *path_part,
                           const camas_http_response *r)
{
    camas_http_request *found = NULL; /* the pool lists the newest first */
    for (camas_http_request *req = pool->head; req; req = req->next)
        if (!req->wsi && !req->connecting && (!path_part || strstr(req->path, path_part)))
            found = req;
    if (!found)
        return 0;
    found->done = true;
    unlink_from_pool(found);
    camas_http_cb cb = found->cb;
    void *ud = found->ud; /* the callback owns it now, as after a real response */
    request_free(found);
    cb(ud, r);
    return 1;
}

static int add_headers(camas_http_request *req, struct lws *wsi, unsigned char **p,
                       unsigned char *end)
{
    if (req->bearer) {
        char auth[1024];
        int n = snprintf(auth, sizeof auth, "Bearer %s", req->bearer);
        if (n < 0 || (size_t)n >= sizeof auth)
            return -1;
        int rc = lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION,
                                              (unsigned char *)auth, n, p, end);
        memset(auth, 0, sizeof auth);
        if (rc)
            return -1;
    }
    if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_ACCEPT,
                                     (unsigned char *)"application/json", 16, p, end))
        return -1;
    if (req->body) {
        char len[24];
        int n = snprintf(len, sizeof len, "%zu", req->body_len);
        if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
                                         (unsigned char *)"application/json", 16, p, end) ||
            lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, (unsigned char *)len,
                                         n, p, end))
            return -1;
        lws_client_http_body_pending(wsi, 1);
        lws_callback_on_writable(wsi);
    }
    return 0;
}

static int write_body(camas_http_request *req, struct lws *wsi)
{
    unsigned char buf[LWS_PRE + 16384];
    size_t left = req->body_len - req->body_sent;
    size_t n = left > sizeof buf - LWS_PRE ? sizeof buf - LWS_PRE : left;
    memcpy(buf + LWS_PRE, req->body + req->body_sent, n);
    bool last = n == left;
    if (lws_write(wsi, buf + LWS_PRE, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
        return -1;
    req->body_sent += n;
    if (last)
        lws_client_http_body_pending(wsi, 0);
    else
        lws_callback_on_writable(wsi);
    return 0;
}

int64_t camas_http_retry_after_ms(const char *value)
{
    char *end;
    long secs = strtol(value, &end, 10);
    if (end == value || secs < 0)
        return -1;
    return secs < CAMAS_RETRY_AFTER_MAX_MS / 1000 ? (int64_t)secs * 1000 : CAMAS_RETRY_AFTER_MAX_MS;
}

static void read_retry_after(camas_http_request *req, struct lws *wsi)
{
    char v[32];
    if (lws_hdr_copy(wsi, v, sizeof v, WSI_TOKEN_HTTP_RETRY_AFTER) > 0)
        req->retry_after_ms = camas_http_retry_after_ms(v);
}

static int http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len)
{
    camas_http_request *req = lws_get_opaque_user_data(wsi);
    switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
        if (!req)
            return -1;
        return add_headers(req, wsi, (unsigned char **)in, *(unsigned char **)in + len) ? -1 : 0;
    case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
        if (!req || req->done || !req->body || req->body_sent >= req->body_len)
            return 0;
        return write_body(req, wsi);
    case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
        if (req) {
            req->status = (int)lws_http_client_http_response(wsi);
            read_retry_after(req, wsi);
        }
        return 0;
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
        if (!req || req->done)
            return 0;
        if (req->resp.len + len > CAMAS_HTTP_MAX_BODY) {
            finish(req, 0, "response body too large");
            return -1;
        }
        if (camas_buf_append(&req->resp, in, len)) {
            finish(req, 0, "out of memory reading the response");
            return -1;
        }
        return 0;
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP: {
        char buffer[LWS_PRE + 16384];
        char *px = buffer + LWS_PRE;
        int lenx = (int)sizeof buffer - LWS_PRE;
        return lws_http_client_read(wsi, &px, &lenx) < 0 ? -1 : 0;
    }
    case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
        if (req && !req->done)
            finish(req, req->status ? req->status : (int)lws_http_client_http_response(wsi), NULL);
        return -1; /* one request per connection: close it now */
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (req && !req->done)
            finish(req, 0, in && len ? (const char *)in : "connection failed");
        return 0;
    case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
        if (req && !req->done)
            finish(req, 0, "connection closed before the response was complete");
        return 0;
    case LWS_CALLBACK_WSI_DESTROY:
        if (!req)
            return 0;
        lws_set_opaque_user_data(wsi, NULL);
        if (!req->done)
            finish(req, 0, "connection closed");
        req->wsi = NULL;
        req->wsi_gone = true;
        if (!req->connecting)
            request_free(req);
        return 0;
    default:
        return 0;
    }
}

const struct lws_protocols camas_http_protocol = {
    .name = "camas-http",
    .callback = http_callback,
};
