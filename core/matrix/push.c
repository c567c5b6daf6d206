/* Appservice push endpoint. Authentication happens on the request line and headers, before
 * any body is read, so a request with a wrong token costs nothing and changes nothing; the
 * 200 goes out only after the core has durably queued the transaction, which is what lets
 * the homeserver's retry-until-200 give exactly-once delivery together with txnId dedupe. */
#include "push.h"
#include "event.h"
#include "log.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUSH_MAX_BODY (64u * 1024 * 1024)

struct camas_push {
    struct lws_vhost *vh;
    char hs_token[256];
    camas_txn_fn fn;
    void *ud;
    struct lws_protocols protocols[2];
};

enum push_route { R_NONE, R_TXN, R_PING };

struct push_pss {
    enum push_route route;
    char txn_id[256];
    camas_buf body;
    bool responded;
};

static int respond(struct lws *wsi, int status, const char *json)
{
    unsigned char hdr[LWS_PRE + 512], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr;
    size_t len = strlen(json);
    if (lws_add_http_common_headers(wsi, (unsigned int)status, "application/json", len, &p, end) ||
        lws_finalize_write_http_header(wsi, start, &p, end))
        return -1;
    unsigned char *buf = malloc(LWS_PRE + len + 1);
    if (!buf)
        return -1;
    memcpy(buf + LWS_PRE, json, len);
    int n = lws_write(wsi, buf + LWS_PRE, len, LWS_WRITE_HTTP_FINAL);
    free(buf);
    if (n < 0)
        return -1;
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int respond_error(struct lws *wsi, int status, const char *code, const char *msg)
{
    char body[512];
    snprintf(body, sizeof body, "{\"errcode\":\"%s\",\"error\":\"%s\"}", code, msg);
    return respond(wsi, status, body);
}

/* Constant-time comparison of the presented token with the hs_token. */
static bool token_ok(const camas_push *p, struct lws *wsi)
{
    char auth[600] = "";
    const char *token = NULL;
    if (lws_hdr_copy(wsi, auth, sizeof auth, WSI_TOKEN_HTTP_AUTHORIZATION) > 0 &&
        strncmp(auth, "Bearer ", 7) == 0)
        token = auth + 7;
    char arg[300];
    if (!token) {
        const char *v = lws_get_urlarg_by_name(wsi, "access_token=", arg, sizeof arg);
        if (v)
            token = v;
    }
    size_t want = strlen(p->hs_token);
    bool ok = token && strlen(token) == want && sodium_memcmp(token, p->hs_token, want) == 0;
    sodium_memzero(auth, sizeof auth);
    return ok;
}

static bool path_txn(const char *uri, char *txn, size_t txnlen)
{
    static const char *const prefixes[] = {"/_matrix/app/v1/transactions/", "/transactions/"};
    for (int i = 0; i < 2; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(uri, prefixes[i], n) == 0 && uri[n] && !strchr(uri + n, '/') &&
            strlen(uri + n) < txnlen) {
            snprintf(txn, txnlen, "%s", uri + n);
            return true;
        }
    }
    return false;
}

cJSON *camas_push_parse_transaction(const char *body, size_t len, const cJSON **events)
{
    cJSON *txn = camas_json_parse_untrusted(body, len);
    *events = cJSON_GetObjectItemCaseSensitive(txn, "events");
    if (!cJSON_IsObject(txn) || (*events && !cJSON_IsArray(*events))) {
        cJSON_Delete(txn);
        *events = NULL;
        return NULL;
    }
    return txn;
}

static int push_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len)
{
    struct push_pss *pss = user;
    struct lws_vhost *vh = lws_get_vhost(wsi);
    camas_push *p = vh ? lws_vhost_user(vh) : NULL;
    switch (reason) {
    case LWS_CALLBACK_HTTP: {
        const char *uri = in ? (const char *)in : "";
        bool put = lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI) > 0;
        bool post = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0;
        memset(pss, 0, sizeof *pss);
        if (!p)
            return -1;
        if (put && path_txn(uri, pss->txn_id, sizeof pss->txn_id))
            pss->route = R_TXN;
        else if (post && strcmp(uri, "/_matrix/app/v1/ping") == 0)
            pss->route = R_PING;
        if (pss->route == R_NONE) {
            pss->responded = true;
            return respond_error(wsi, 404, "M_UNRECOGNIZED", "Unrecognized request");
        }
        if (!token_ok(p, wsi)) {
            log_warn("push", "refused %s %s: wrong or missing hs_token", put ? "PUT" : "POST", uri);
            pss->responded = true;
            respond_error(wsi, 403, "M_FORBIDDEN", "Bad or missing hs_token");
            return -1; /* close: the body, if any, is never read */
        }
        if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0 &&
            lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) <= 0) {
            /* No body at all: answer now (a ping without {}; a transaction is malformed). */
            pss->responded = true;
            if (pss->route == R_PING)
                return respond(wsi, 200, "{}");
            return respond_error(wsi, 400, "M_NOT_JSON", "Transaction body missing");
        }
        return 0; /* the body follows */
    }
    case LWS_CALLBACK_HTTP_BODY:
        if (pss->responded)
            return 0;
        if (pss->body.len + len > PUSH_MAX_BODY || camas_buf_append(&pss->body, in, len)) {
            pss->responded = true;
            return respond_error(wsi, 413, "M_TOO_LARGE", "Transaction too large");
        }
        return 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION: {
        if (pss->responded)
            return 0;
        pss->responded = true;
        if (pss->route == R_PING) {
            camas_buf_free(&pss->body);
            return respond(wsi, 200, "{}");
        }
        const cJSON *events;
        cJSON *txn =
            camas_push_parse_transaction(camas_buf_cstr(&pss->body), pss->body.len, &events);
        camas_buf_free(&pss->body);
        if (!txn) {
            log_warn("push", "transaction %s is not valid JSON with an events list", pss->txn_id);
            return respond_error(wsi, 400, "M_NOT_JSON", "Expected {\"events\": [...]}");
        }
        int rc = p->fn(p->ud, pss->txn_id, events);
        cJSON_Delete(txn);
        if (rc)
            return respond_error(wsi, 500, "M_UNKNOWN", "Could not store the transaction");
        return respond(wsi, 200, "{}");
    }
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
        if (pss)
            camas_buf_free(&pss->body);
        return 0;
    default:
        return 0;
    }
}

camas_push *camas_push_new(struct lws_context *ctx, const char *listen, const char *hs_token,
                           camas_txn_fn fn, void *ud, char *err, size_t errlen)
{
    camas_push *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(p->hs_token, sizeof p->hs_token, "%s", hs_token);
    p->fn = fn;
    p->ud = ud;
    char addr[256];
    snprintf(addr, sizeof addr, "%s", listen);
    char *colon = strrchr(addr, ':');
    int port = colon ? atoi(colon + 1) : 0;
    if (!colon || port <= 0 || port > 65535) {
        snprintf(err, errlen, "appservice.listen: expected ADDRESS:PORT, got '%s'", listen);
        free(p);
        return NULL;
    }
    *colon = '\0';
    p->protocols[0] = (struct lws_protocols){
        .name = "camas-push",
        .callback = push_callback,
        .per_session_data_size = sizeof(struct push_pss),
    };
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.vhost_name = "push";
    info.port = port;
    info.iface = addr[0] ? addr : NULL;
    info.protocols = p->protocols;
    info.user = p;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    p->vh = lws_create_vhost(ctx, &info);
    if (!p->vh) {
        snprintf(err, errlen, "cannot listen on %s (in use, or not a local address?)", listen);
        free(p);
        return NULL;
    }
    log_info("push", "listening for appservice transactions on %s", listen);
    return p;
}

void camas_push_free(camas_push *p)
{
    if (!p)
        return;
    /* The vhost goes away with the context; nothing here may reach p after this. */
    lws_vhost_destroy(p->vh);
    sodium_memzero(p->hs_token, sizeof p->hs_token);
    free(p);
}
