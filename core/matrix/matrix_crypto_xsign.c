/* The Matrix client core: cross-signing for camas's account. Once per device, after its
 * device keys are up, camas creates the account's cross-signing keys (kept in the crypto
 * store), uploads the public ones and signs its own device with the self-signing key, so
 * clients that share room keys only with devices their owner signed include camas's. The
 * homeserver may ask for user-interactive auth for the upload: camas answers with its
 * password when it logs in with one (a first upload needs none on current Synapse).
 * Failure is not fatal: camas works on without, and tries again at its next start. */
#include "matrix_internal.h"
#include "log.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CAMAS_HAVE_ENCRYPTION

void e2ee_cross_signing_start(struct camas_core *c)
{
    (void)c;
}
void e2ee_cross_signing_stop(struct camas_core *c)
{
    (void)c;
}

#else

#define XSIGN_DONE_KEY "e2ee_cross_signed_device" /* camas's store: the device signed */

struct e2ee_xsign {
    camas_core *c;
    cJSON *todo;    /* the requests left, in order */
    cJSON *current; /* the one in flight */
    bool authed;    /* current was sent with the password */
    camas_http_request *req;
};

static void xsign_free(struct e2ee_xsign *x)
{
    camas_http_cancel(x->req);
    cJSON_Delete(x->todo);
    cJSON_Delete(x->current);
    free(x);
}

static void xsign_end(struct e2ee_xsign *x, bool ok)
{
    camas_core *c = x->c;
    c->e2ee_xsign = NULL;
    xsign_free(x);
    if (!ok) {
        log_warn("crypto", "cross-signing is not set up (tried again at the next start); "
                           "clients that only trust signed devices will not share keys with "
                           "camas");
        return;
    }
    if (camas_store_set(c->st, XSIGN_DONE_KEY, c->device_id))
        log_warn("store", "could not record that cross-signing is set up");
    log_info("crypto",
             "cross-signing set up: device %s is signed by the account's "
             "self-signing key",
             c->device_id);
}

static void xsign_next(struct e2ee_xsign *x);
static void on_response(void *ud, const camas_http_response *r);

static const char *field(const cJSON *j, const char *k)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, k));
}

/* The homeserver asks for user-interactive auth (401 with flows): resends the request with
 * the password, once, when camas has one and a password-only flow is offered. */
static bool resend_with_password(struct e2ee_xsign *x, const camas_http_response *r)
{
    const char *pw = x->c->cfg->password;
    if (x->authed || !pw || !*pw || r->status != 401)
        return false;
    cJSON *j = camas_json_parse_untrusted(r->body, r->body_len);
    bool password_flow = false;
    const cJSON *flow;
    cJSON_ArrayForEach(flow, cJSON_GetObjectItemCaseSensitive(j, "flows"))
    {
        const cJSON *stages = cJSON_GetObjectItemCaseSensitive(flow, "stages");
        const char *only = cJSON_GetStringValue(cJSON_GetArrayItem(stages, 0));
        if (cJSON_GetArraySize(stages) == 1 && only && strcmp(only, "m.login.password") == 0)
            password_flow = true;
    }
    cJSON *body = password_flow ? cJSON_Parse(field(x->current, "body")) : NULL;
    cJSON *auth = body ? cJSON_AddObjectToObject(body, "auth") : NULL;
    cJSON *ident = auth ? cJSON_AddObjectToObject(auth, "identifier") : NULL;
    char *s = NULL;
    if (ident) {
        cJSON_AddStringToObject(auth, "type", "m.login.password");
        cJSON_AddStringToObject(ident, "type", "m.id.user");
        cJSON_AddStringToObject(ident, "user", x->c->user_id);
        cJSON_AddStringToObject(auth, "password", pw);
        if (field(j, "session"))
            cJSON_AddStringToObject(auth, "session", field(j, "session"));
        s = cJSON_PrintUnformatted(body);
        /* the password's copy inside the tree */
        cJSON *p = cJSON_GetObjectItemCaseSensitive(auth, "password");
        if (cJSON_IsString(p))
            sodium_memzero(p->valuestring, strlen(p->valuestring));
    }
    cJSON_Delete(body);
    cJSON_Delete(j);
    if (!s)
        return false;
    x->authed = true;
    log_info("crypto", "the homeserver asks for authentication to upload the cross-signing "
                       "keys: answering with camas's password");
    x->req = api(x->c, field(x->current, "method"), field(x->current, "path"), s, SETUP_TIMEOUT_MS,
                 on_response, x);
    sodium_memzero(s, strlen(s));
    free(s);
    return x->req != NULL;
}

static void on_response(void *ud, const camas_http_response *r)
{
    struct e2ee_xsign *x = ud;
    x->req = NULL;
    const char *type = field(x->current, "type");
    if (r->status >= 200 && r->status < 300) {
        if (e2ee_lib_error("recording a cross-signing upload",
                           camas_crypto_mark_sent(e2ee_machine(x->c), field(x->current, "id"), type,
                                                  r->body))) {
            xsign_end(x, false);
            return;
        }
        cJSON_Delete(x->current);
        x->current = NULL;
        xsign_next(x);
        return;
    }
    if (resend_with_password(x, r))
        return;
    matrix_error me;
    parse_error(r, &me);
    log_warn("crypto", "%s failed (%d %s %s)", type, r->status, me.errcode,
             r->status ? me.error : (r->error ? r->error : ""));
    xsign_end(x, false);
}

static void xsign_next(struct e2ee_xsign *x)
{
    x->current = cJSON_DetachItemFromArray(x->todo, 0);
    if (!x->current) {
        xsign_end(x, true);
        return;
    }
    x->authed = false;
    const char *method = field(x->current, "method"), *path = field(x->current, "path");
    const char *body = field(x->current, "body");
    if (!method || !path || !body || !field(x->current, "id") || !field(x->current, "type") ||
        !(x->req = api(x->c, method, path, body, SETUP_TIMEOUT_MS, on_response, x)))
        xsign_end(x, false);
}

/* The device keys are up (the machine has nothing left to send): bootstrap. */
static void xsign_begin(void *ud)
{
    struct e2ee_xsign *x = ud;
    char *out = camas_crypto_bootstrap_cross_signing(e2ee_machine(x->c));
    cJSON *j = out ? cJSON_Parse(out) : NULL;
    x->todo = cJSON_DetachItemFromObjectCaseSensitive(j, "requests");
    bool created = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "created"));
    cJSON_Delete(j);
    if (!cJSON_IsArray(x->todo)) {
        e2ee_lib_error("setting up cross-signing", out);
        xsign_end(x, false);
        return;
    }
    camas_crypto_free_string(out);
    /* The master key is public: logged so an admin can compare it with what a client shows
     * for camas's identity. */
    const cJSON *rq;
    char master[64] = "?";
    cJSON_ArrayForEach(rq, x->todo)
    {
        const char *type = field(rq, "type"), *body = field(rq, "body");
        if (!type || strcmp(type, "signing_keys_upload") != 0 || !body)
            continue;
        cJSON *b = cJSON_Parse(body);
        const cJSON *keys = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(b, "master_key"), "keys");
        const char *mk = cJSON_GetStringValue(cJSON_GetArrayItem(keys, 0));
        if (mk)
            snprintf(master, sizeof master, "%s", mk);
        cJSON_Delete(b);
    }
    log_info("crypto", "%s the account's cross-signing keys (master key %s) and signing device %s",
             created ? "created" : "uploading", master, x->c->device_id);
    xsign_next(x);
}

void e2ee_cross_signing_start(struct camas_core *c)
{
    if (!c->e2ee || c->e2ee_xsign || !c->device_id)
        return;
    char *done = camas_store_get(c->st, XSIGN_DONE_KEY);
    bool signed_already = done && strcmp(done, c->device_id) == 0;
    free(done);
    if (signed_already)
        return;
    struct e2ee_xsign *x = calloc(1, sizeof *x);
    if (!x)
        return;
    x->c = c;
    c->e2ee_xsign = x;
    if (e2ee_when_idle(c, xsign_begin, x)) {
        c->e2ee_xsign = NULL;
        xsign_free(x);
    }
}

void e2ee_cross_signing_stop(struct camas_core *c)
{
    struct e2ee_xsign *x = c->e2ee_xsign;
    if (!x)
        return;
    e2ee_cancel_idle(c, x);
    c->e2ee_xsign = NULL;
    xsign_free(x);
}

#endif
