/* The Matrix client core: sending in encrypted rooms. Before a reply is encrypted, every
 * device of the room's members must hold the room's Megolm key, so each encrypted send runs
 * matrix-sdk-crypto's sequence: fetch the members (joined and invited), track their device
 * lists (and let the machine's /keys/query go out), claim one-time keys for devices without
 * an Olm session, share the room key by to-device messages, then encrypt. Passing the
 * current members every time is what rotates the key when someone left: the machine starts
 * a new Megolm session when a user who had the old one is no longer listed.
 * One send is prepared at a time (the machine wants one key claim in flight at most, and two
 * shares for one room would race); all HTTP goes through the core's client, on the loop. */
#include "matrix_internal.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CAMAS_HAVE_ENCRYPTION

int e2ee_encrypt(struct camas_core *c, const char *room_id, const char *type, const char *content,
                 e2ee_encrypted_cb cb, void *ud)
{
    (void)c;
    (void)room_id;
    (void)type;
    (void)content;
    (void)cb;
    (void)ud;
    return -1;
}
bool e2ee_encrypt_busy(const struct camas_core *c)
{
    (void)c;
    return false;
}
void e2ee_encrypt_cancel(struct camas_core *c, void *ud)
{
    (void)c;
    (void)ud;
}
void e2ee_send_stop(struct camas_core *c)
{
    (void)c;
}

#else

struct e2ee_job {
    camas_core *c;
    char *room_id, *type, *content;
    char *users;  /* the members, a JSON array of user ids */
    cJSON *todo;  /* to-device requests still to send */
    char *req_id; /* the machine's id of the request in flight */
    const char *req_type;
    camas_http_request *req;
    e2ee_encrypted_cb cb;
    void *ud;
};

static void job_free(struct e2ee_job *j)
{
    if (!j)
        return;
    camas_http_cancel(j->req);
    free(j->room_id);
    free(j->type);
    free(j->content);
    free(j->users);
    free(j->req_id);
    cJSON_Delete(j->todo);
    free(j);
}

/* Ends the job: cb gets the encrypted content, or NULL and the failed response (if any). */
static void finish(struct e2ee_job *j, char *encrypted, const camas_http_response *r)
{
    camas_core *c = j->c;
    e2ee_encrypted_cb cb = j->cb;
    void *ud = j->ud;
    c->e2ee_job = NULL;
    job_free(j);
    cb(ud, encrypted, r);
}

static void fail(struct e2ee_job *j, const char *what, const camas_http_response *r)
{
    if (r) {
        matrix_error me;
        parse_error(r, &me);
        log_warn("crypto", "%s: %s failed (%d %s %s); the reply waits", j->room_id, what, r->status,
                 me.errcode, r->status ? me.error : (r->error ? r->error : ""));
    } else {
        log_warn("crypto", "%s: %s failed; the reply waits", j->room_id, what);
    }
    finish(j, NULL, r);
}

static void encrypt_now(struct e2ee_job *j)
{
    char *out = camas_crypto_encrypt(e2ee_machine(j->c), j->room_id, j->type, j->content);
    cJSON *res = out ? cJSON_Parse(out) : NULL;
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(res, "content");
    char *enc = cJSON_IsObject(content) ? cJSON_PrintUnformatted(content) : NULL;
    cJSON_Delete(res);
    if (!enc) {
        e2ee_lib_error("encrypting a reply", out);
        fail(j, "encrypting", NULL);
        return;
    }
    camas_crypto_free_string(out);
    finish(j, enc, NULL);
}

static void send_request(struct e2ee_job *j, cJSON *rq, const char *type, camas_http_cb cb);

static void send_next_to_device(struct e2ee_job *j);

static void on_to_device(void *ud, const camas_http_response *r)
{
    struct e2ee_job *j = ud;
    j->req = NULL;
    if (r->status < 200 || r->status >= 300) {
        fail(j, "sharing the room key", r);
        return;
    }
    if (e2ee_lib_error(
            "recording a room key share",
            camas_crypto_mark_sent(e2ee_machine(j->c), j->req_id, "to_device", r->body))) {
        fail(j, "sharing the room key", NULL);
        return;
    }
    send_next_to_device(j);
}

static void send_next_to_device(struct e2ee_job *j)
{
    cJSON *rq = cJSON_DetachItemFromArray(j->todo, 0);
    if (!rq) {
        encrypt_now(j);
        return;
    }
    send_request(j, rq, "to_device", on_to_device);
}

static void share(struct e2ee_job *j)
{
    char *out = camas_crypto_share_room_key(e2ee_machine(j->c), j->room_id, j->users);
    cJSON *res = out ? cJSON_Parse(out) : NULL;
    cJSON *reqs = cJSON_DetachItemFromObjectCaseSensitive(res, "requests");
    cJSON_Delete(res);
    if (!cJSON_IsArray(reqs)) {
        cJSON_Delete(reqs);
        e2ee_lib_error("sharing the room key", out);
        fail(j, "sharing the room key", NULL);
        return;
    }
    camas_crypto_free_string(out);
    if (cJSON_GetArraySize(reqs) > 0)
        log_debug("crypto", "%s: sharing the room key (%d to-device requests)", j->room_id,
                  cJSON_GetArraySize(reqs));
    j->todo = reqs;
    send_next_to_device(j);
}

static void on_claim(void *ud, const camas_http_response *r)
{
    struct e2ee_job *j = ud;
    j->req = NULL;
    if (r->status < 200 || r->status >= 300) {
        fail(j, "claiming one-time keys", r);
        return;
    }
    if (e2ee_lib_error(
            "recording claimed keys",
            camas_crypto_mark_sent(e2ee_machine(j->c), j->req_id, "keys_claim", r->body))) {
        fail(j, "claiming one-time keys", NULL);
        return;
    }
    share(j);
}

/* The machine knows the members' devices now: claim keys for the missing Olm sessions. */
static void after_device_lists(void *ud)
{
    struct e2ee_job *j = ud;
    char *out = camas_crypto_missing_sessions(e2ee_machine(j->c), j->users);
    cJSON *res = out ? cJSON_Parse(out) : NULL;
    cJSON *rq = cJSON_DetachItemFromObjectCaseSensitive(res, "request");
    bool ok = res && !cJSON_GetObjectItemCaseSensitive(res, "error");
    cJSON_Delete(res);
    if (!ok) {
        cJSON_Delete(rq);
        e2ee_lib_error("listing missing sessions", out);
        fail(j, "listing missing sessions", NULL);
        return;
    }
    camas_crypto_free_string(out);
    if (!cJSON_IsObject(rq)) {
        cJSON_Delete(rq);
        share(j);
        return;
    }
    send_request(j, rq, "keys_claim", on_claim);
}

/* Sends one request the library described ({"id","method","path","body"}); takes rq. */
static void send_request(struct e2ee_job *j, cJSON *rq, const char *type, camas_http_cb cb)
{
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rq, "id"));
    const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rq, "method"));
    const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rq, "path"));
    const char *body = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rq, "body"));
    if (!id || !method || !path || !body) {
        cJSON_Delete(rq);
        fail(j, "a malformed request from the crypto library", NULL);
        return;
    }
    set_str(&j->req_id, id);
    j->req_type = type;
    j->req = api(j->c, method, path, body, SEND_TIMEOUT_MS, cb, j);
    cJSON_Delete(rq);
    if (!j->req)
        fail(j, type, NULL);
}

static void on_members(void *ud, const camas_http_response *r)
{
    struct e2ee_job *j = ud;
    j->req = NULL;
    cJSON *res = r->status == 200 ? camas_json_parse_untrusted(r->body, r->body_len) : NULL;
    const cJSON *chunk = cJSON_GetObjectItemCaseSensitive(res, "chunk");
    if (!cJSON_IsArray(chunk)) {
        cJSON_Delete(res);
        fail(j, "fetching the members", r);
        return;
    }
    cJSON *users = cJSON_CreateArray();
    const cJSON *ev;
    cJSON_ArrayForEach(ev, chunk)
    {
        const char *user = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "state_key"));
        const char *membership = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(ev, "content"), "membership"));
        /* Invited users get the key too: they can read what was said once they join. */
        if (user && membership && (!strcmp(membership, "join") || !strcmp(membership, "invite")))
            cJSON_AddItemToArray(users, cJSON_CreateString(user));
    }
    cJSON_Delete(res);
    j->users = users ? cJSON_PrintUnformatted(users) : NULL;
    cJSON_Delete(users);
    if (!j->users || e2ee_lib_error("tracking the members' devices",
                                    camas_crypto_track_users(e2ee_machine(j->c), j->users))) {
        fail(j, "tracking the members' devices", NULL);
        return;
    }
    /* Members not seen before get a /keys/query: let it go out and come back before
     * looking for sessions (the machine would otherwise wait for it, blocking the loop). */
    if (e2ee_when_idle(j->c, after_device_lists, j))
        fail(j, "waiting for the device lists", NULL);
}

int e2ee_encrypt(struct camas_core *c, const char *room_id, const char *type, const char *content,
                 e2ee_encrypted_cb cb, void *ud)
{
    if (!c->e2ee || c->e2ee_job)
        return -1;
    struct e2ee_job *j = calloc(1, sizeof *j);
    if (!j)
        return -1;
    j->c = c;
    j->cb = cb;
    j->ud = ud;
    j->room_id = strdup(room_id);
    j->type = strdup(type);
    j->content = strdup(content);
    char *path = client_path((const char *const[]){"/rooms/", room_id, "/members", NULL});
    camas_buf b = {0};
    if (path) {
        camas_buf_puts(&b, path);
        camas_buf_puts(&b, "?not_membership=leave");
    }
    free(path);
    if (j->room_id && j->type && j->content && b.data)
        j->req = api(c, "GET", b.data, NULL, SETUP_TIMEOUT_MS, on_members, j);
    camas_buf_free(&b);
    if (!j->req) {
        job_free(j);
        return -1;
    }
    c->e2ee_job = j;
    return 0;
}

bool e2ee_encrypt_busy(const struct camas_core *c)
{
    return c->e2ee_job != NULL;
}

void e2ee_encrypt_cancel(struct camas_core *c, void *ud)
{
    struct e2ee_job *j = c->e2ee_job;
    if (!j || j->ud != ud)
        return;
    e2ee_cancel_idle(c, j);
    c->e2ee_job = NULL;
    job_free(j);
}

void e2ee_send_stop(struct camas_core *c)
{
    if (c->e2ee_job)
        e2ee_encrypt_cancel(c, c->e2ee_job->ud);
}

#endif
