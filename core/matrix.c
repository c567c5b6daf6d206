/* The Matrix client core.
 *
 * Start-up runs as a chain of steps (discover -> versions -> login/whoami -> filter -> joins),
 * each retried with back-off until it succeeds, so camas starts fine while the homeserver is
 * still down. Then two independent loops run: /sync (at most one request in flight) and the
 * outbox pump (at most one send in flight, so replies keep their order).
 *
 * Exactly-once: a sync batch is handled inside one SQLite transaction that marks its events
 * seen, queues the replies in the outbox and stores next_batch. Replies leave the outbox with
 * their stored txnId, so a resend after a crash is deduplicated by the homeserver. */
#include "matrix.h"
#include "backoff.h"
#include "convo.h"
#include "appservice.h"
#include "event.h"
#include "http.h"
#include "log.h"
#include "ratelimit.h"
#include "reply.h"
#include "router.h"
#include "safety.h"
#include "text.h"
#include "util.h"
#include "wsclient.h"

#include <cjson/cJSON.h>
#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SETUP_TIMEOUT_MS  30000
#define SEND_TIMEOUT_MS   30000
#define MAX_SENDS         8 /* replies in flight at once */
#define JOIN_RETRY_MS     30000
#define TYPING_DELAY_MS   300
#define TYPING_TIMEOUT_MS 20000

enum phase {
    PH_DISCOVER,
    PH_VERSIONS,
    PH_LOGIN,
    PH_WHOAMI,
    PH_FILTER,
    PH_JOINS,
    PH_RUNNING,
    PH_STOPPED,
};

struct room {
    char *room_id;
    camas_room_kind kind;
    bool configured;
    bool encrypted; /* camas cannot read it: it says so once and then stays quiet */
    int awaiting;   /* replies queued in this run and not yet sent */
    bool typing_on;
    bool typing_scheduled;
    lws_sorted_usec_list_t typing_timer;
    char *receipt_event; /* the newest handled event, waiting for its read receipt */
    int64_t receipt_sent_ms;
    lws_sorted_usec_list_t receipt_timer;
    int64_t long_notice_ms; /* when a message was last refused for its length */
    struct camas_core *core;
};

struct join_target {
    const char *id; /* as configured (id or alias) */
    camas_room_kind kind;
    bool is_admin_room;
    bool joined;
};

struct camas_core {
    const camas_config *cfg;
    camas_store *st;
    struct lws_context *ctx;
    camas_http_pool pool; /* every request the core has in flight */
    camas_safety *safety; /* compiled danger patterns, read-only after start */
    camas_convo *convo;   /* follow-ups and clarifications: in memory, minutes at most */

    enum phase phase;
    camas_endpoint ep;
    char *access_token;
    char *user_id;
    char *device_id;
    char *filter_id;
    char *since;
    int64_t first_start_ms;
    bool ready_logged;
    bool first_sync_sent;
    int exit_code;

    camas_http_request *setup_req;
    camas_http_request *sync_req;
    struct send_slot *sending[MAX_SENDS]; /* replies on their way */
    size_t n_sending;
    bool send_waiting; /* a retry timer is pending */

    lws_sorted_usec_list_t setup_timer, sync_timer, send_timer, join_timer;
    camas_backoff setup_bo, sync_bo, send_bo;
    camas_backoff join_bo; /* joins that failed for a passing reason (no connection, 5xx) */
    unsigned gap_retries;  /* sync batches fetched again because a gap could not be */

    struct room **rooms;
    size_t n_rooms;
    size_t joins_pending;      /* join requests in flight */
    struct join_target *joins; /* configured rooms plus the admin room */
    size_t n_joins;
    char *admin_room_id;

    /* Appservice transports (push, websocket): no login, no /sync. */
    bool as_mode;
    camas_registration reg;
    camas_push *push;
    camas_wsclient *ws;

    camas_plugin_host *host;
    char *held_alerts[32]; /* alerts raised before the admin room was joined */
    size_t n_held_alerts;
    char **inflight; /* inbox event ids being answered by the plugins */
    size_t n_inflight;
    char **invites_inflight;
    size_t n_invites_inflight;

    camas_ratelimit *rl_user;
    camas_ratelimit *rl_room;
};

/* ---- small helpers ---------------------------------------------------------------- */

static void set_str(char **slot, const char *v)
{
    free(*slot);
    *slot = camas_strdup(v);
}

static void clear_secret(char **slot)
{
    if (*slot) {
        memset(*slot, 0, strlen(*slot));
        free(*slot);
        *slot = NULL;
    }
}

typedef struct matrix_error {
    char errcode[64];
    char error[256];
    int64_t retry_after_ms;
    bool soft_logout;
} matrix_error;

static void parse_error(const camas_http_response *r, matrix_error *e)
{
    memset(e, 0, sizeof *e);
    e->retry_after_ms = r->retry_after_ms;
    if (!r->status) {
        snprintf(e->error, sizeof e->error, "%s", r->error ? r->error : "network error");
        return;
    }
    cJSON *j = camas_json_parse_untrusted(r->body, r->body_len);
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "errcode");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(j, "error");
    const cJSON *ra = cJSON_GetObjectItemCaseSensitive(j, "retry_after_ms");
    const cJSON *soft = cJSON_GetObjectItemCaseSensitive(j, "soft_logout");
    if (cJSON_IsString(code))
        snprintf(e->errcode, sizeof e->errcode, "%s", code->valuestring);
    if (cJSON_IsString(msg))
        snprintf(e->error, sizeof e->error, "%s", msg->valuestring);
    else
        snprintf(e->error, sizeof e->error, "HTTP %d", r->status);
    /* past the cap, the cap: a homeserver asking for a year (or for 1e300 ms) gets an hour */
    if (e->retry_after_ms < 0 && cJSON_IsNumber(ra) && ra->valuedouble >= 0 &&
        !camas_json_int(ra, 0, CAMAS_RETRY_AFTER_MAX_MS, &e->retry_after_ms))
        e->retry_after_ms = CAMAS_RETRY_AFTER_MAX_MS;
    e->soft_logout = cJSON_IsTrue(soft);
    cJSON_Delete(j);
}

static bool is_unknown_token(const camas_http_response *r, const matrix_error *e)
{
    return r->status == 401 && strcmp(e->errcode, "M_UNKNOWN_TOKEN") == 0;
}

static camas_http_request *api_ex(camas_core *c, const char *method, const char *path,
                                  const char *body, int timeout_ms, camas_http_cb cb, void *ud,
                                  bool free_ud)
{
    camas_http_options o = {method, path, c->access_token, body, timeout_ms, free_ud};
    camas_http_request *req = camas_http_start(&c->pool, &c->ep, &o, cb, ud);
    if (!req)
        log_error("matrix", "out of memory starting %s %s", method, path);
    return req;
}

static camas_http_request *api(camas_core *c, const char *method, const char *path,
                               const char *body, int timeout_ms, camas_http_cb cb, void *ud)
{
    return api_ex(c, method, path, body, timeout_ms, cb, ud, false);
}

/* Heap contexts passed as ud here are freed by the pool if the request is cancelled. */
static camas_http_request *api_owned(camas_core *c, const char *method, const char *path,
                                     const char *body, int timeout_ms, camas_http_cb cb, void *ud)
{
    return api_ex(c, method, path, body, timeout_ms, cb, ud, true);
}

/* Appends "/_matrix/client/v3" + a path built from parts, URL-encoding the odd ones:
 * parts = {"/rooms/", room_id, "/send/", type, NULL}. */
static char *client_path(const char *const *parts)
{
    camas_buf b = {0};
    int rc = camas_buf_puts(&b, "/_matrix/client/v3");
    for (int i = 0; rc == 0 && parts[i]; i++)
        rc = (i % 2) ? camas_buf_urlenc(&b, parts[i]) : camas_buf_puts(&b, parts[i]);
    if (rc) {
        camas_buf_free(&b);
        return NULL;
    }
    return b.data;
}

static void stop(camas_core *c, int code)
{
    c->phase = PH_STOPPED;
    c->exit_code = code;
    lws_cancel_service(c->ctx);
}

/* Requests whose outcome only matters for the log (typing, receipts, declines). */
struct fire_ctx {
    char what[96];
};

static void on_fire_done(void *ud, const camas_http_response *r)
{
    struct fire_ctx *f = ud;
    if (r->status != 200) {
        matrix_error e;
        parse_error(r, &e);
        log_debug("matrix", "%s failed: %s %s", f->what, e.errcode, e.error);
    }
    free(f);
}

static void fire(camas_core *c, const char *what, const char *method, const char *path,
                 const char *body)
{
    struct fire_ctx *f = calloc(1, sizeof *f);
    if (!f)
        return;
    snprintf(f->what, sizeof f->what, "%s", what);
    if (!api_owned(c, method, path, body, SEND_TIMEOUT_MS, on_fire_done, f))
        free(f);
}

/* ---- rooms ------------------------------------------------------------------------ */

static struct room *room_find(camas_core *c, const char *room_id)
{
    for (size_t i = 0; i < c->n_rooms; i++)
        if (strcmp(c->rooms[i]->room_id, room_id) == 0)
            return c->rooms[i];
    return NULL;
}

static struct room *room_get(camas_core *c, const char *room_id)
{
    struct room *r = room_find(c, room_id);
    if (r)
        return r;
    struct room **grown = realloc(c->rooms, (c->n_rooms + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    c->rooms = grown;
    r = calloc(1, sizeof *r);
    if (!r || !(r->room_id = strdup(room_id))) {
        free(r);
        return NULL;
    }
    r->core = c;
    int flags = camas_store_room_flags(c->st, room_id);
    r->kind = (flags & CAMAS_ROOMFLAG_DIRECT) ? CAMAS_ROOM_DIRECT : CAMAS_ROOM_STAFF;
    r->encrypted = flags & CAMAS_ROOMFLAG_ENCRYPTED_NOTICE;
    c->rooms[c->n_rooms++] = r;
    return r;
}

static void room_free(struct room *r)
{
    lws_sul_cancel(&r->typing_timer);
    lws_sul_cancel(&r->receipt_timer);
    free(r->receipt_event);
    free(r->room_id);
    free(r);
}

static void send_typing(camas_core *c, struct room *r, bool on)
{
    char *path =
        client_path((const char *const[]){"/rooms/", r->room_id, "/typing/", c->user_id, NULL});
    if (!path)
        return;
    char body[64];
    if (on)
        snprintf(body, sizeof body, "{\"typing\":true,\"timeout\":%d}", TYPING_TIMEOUT_MS);
    else
        snprintf(body, sizeof body, "{\"typing\":false}");
    fire(c, "typing notice", "PUT", path, body);
    free(path);
    r->typing_on = on;
}

static void on_typing_timer(lws_sorted_usec_list_t *sul)
{
    struct room *r = lws_container_of(sul, struct room, typing_timer);
    r->typing_scheduled = false;
    if (r->awaiting > 0 && !r->typing_on && r->core->phase == PH_RUNNING)
        send_typing(r->core, r, true);
}

/* A reply was queued for the room: show "typing" if it is not sent promptly. */
static void room_reply_queued(camas_core *c, struct room *r)
{
    r->awaiting++;
    if (!r->typing_on && !r->typing_scheduled) {
        r->typing_scheduled = true;
        lws_sul_schedule(c->ctx, 0, &r->typing_timer, on_typing_timer,
                         TYPING_DELAY_MS * LWS_US_PER_MS);
    }
}

static void room_reply_sent(camas_core *c, const char *room_id)
{
    struct room *r = room_find(c, room_id);
    if (!r || r->awaiting == 0)
        return;
    if (--r->awaiting == 0) {
        lws_sul_cancel(&r->typing_timer);
        r->typing_scheduled = false;
        if (r->typing_on)
            send_typing(c, r, false);
    }
}

/* ---- the outbox pump ---------------------------------------------------------------- */

static void pump(camas_core *c);

static void on_send_timer(lws_sorted_usec_list_t *sul)
{
    camas_core *c = lws_container_of(sul, camas_core, send_timer);
    c->send_waiting = false;
    pump(c);
}

static void send_retry_later(camas_core *c, int64_t delay_ms)
{
    c->send_waiting = true;
    lws_sul_schedule(c->ctx, 0, &c->send_timer, on_send_timer, delay_ms * LWS_US_PER_MS);
}

static void relogin_or_stop(camas_core *c, const char *where);

/* One send in flight. Replies answer different questions and each names its question, so
 * several may travel at once: under a burst the homeserver's time per request, not camas,
 * then sets the pace. */
struct send_slot {
    camas_core *c;
    camas_outbox_item item;
    camas_http_request *req;
};

static void slot_remove(camas_core *c, struct send_slot *s)
{
    for (size_t i = 0; i < c->n_sending; i++)
        if (c->sending[i] == s) {
            c->sending[i] = c->sending[--c->n_sending];
            break;
        }
    camas_outbox_item_free(&s->item);
    free(s);
}

static void sends_cancel_all(camas_core *c)
{
    while (c->n_sending) {
        struct send_slot *s = c->sending[c->n_sending - 1];
        camas_http_cancel(s->req);
        slot_remove(c, s);
    }
}

static void on_send_done(void *ud, const camas_http_response *r)
{
    struct send_slot *slot = ud;
    camas_core *c = slot->c;
    camas_outbox_item *it = &slot->item;
    if (r->status == 200) {
        cJSON *j = camas_json_parse_untrusted(r->body, r->body_len);
        const cJSON *eid = cJSON_GetObjectItemCaseSensitive(j, "event_id");
        const char *event_id = cJSON_IsString(eid) ? eid->valuestring : "";
        if (camas_store_outbox_sent(c->st, it->txn_id, event_id))
            log_error("store", "could not mark %s sent; it will be resent (deduplicated)",
                      it->txn_id);
        log_debug("matrix", "sent %s %s -> %s", it->event_type, it->txn_id, event_id);
        cJSON_Delete(j);
        room_reply_sent(c, it->room_id);
        slot_remove(c, slot);
        camas_backoff_reset(&c->send_bo);
        pump(c);
        return;
    }
    matrix_error e;
    parse_error(r, &e);
    if (is_unknown_token(r, &e)) {
        slot_remove(c, slot);
        relogin_or_stop(c, "sending");
        return;
    }
    if (r->status == 429) {
        int64_t wait = e.retry_after_ms >= 0 ? e.retry_after_ms : camas_backoff_next(&c->send_bo);
        log_info("matrix", "rate limited by the homeserver; resending %s in %lld ms", it->txn_id,
                 (long long)wait);
        slot_remove(c, slot);
        send_retry_later(c, wait);
        return;
    }
    if (r->status >= 400 && r->status < 500 && r->status != 408) {
        /* The homeserver refuses this event for good (not in the room, too large, …). */
        log_warn("matrix", "dropping %s to %s: %d %s %s", it->event_type, it->room_id, r->status,
                 e.errcode, e.error);
        camas_store_outbox_drop(c->st, it->txn_id, e.errcode[0] ? e.errcode : e.error);
        room_reply_sent(c, it->room_id);
        slot_remove(c, slot);
        pump(c);
        return;
    }
    int64_t wait = camas_backoff_next(&c->send_bo);
    log_warn("matrix", "sending %s failed (%s); retrying in %lld ms", it->txn_id,
             r->status ? e.error : r->error, (long long)wait);
    camas_store_outbox_bump_attempts(c->st, it->txn_id);
    slot_remove(c, slot);
    send_retry_later(c, wait);
}

static bool in_flight(const camas_core *c, const char *txn_id)
{
    for (size_t i = 0; i < c->n_sending; i++)
        if (strcmp(c->sending[i]->item.txn_id, txn_id) == 0)
            return true;
    return false;
}

/* Starts sending one outbox item; returns 0, or -1 to pause the pump. */
static int start_send(camas_core *c, camas_outbox_item *item)
{
    char *path;
    const char *body = item->content;
    char *owned_body = NULL;
    if (strcmp(item->event_type, "m.room.redaction") == 0) {
        cJSON *j = cJSON_Parse(item->content);
        const cJSON *target = cJSON_GetObjectItemCaseSensitive(j, "redacts");
        path =
            cJSON_IsString(target)
                ? client_path((const char *const[]){"/rooms/", item->room_id, "/redact/",
                                                    target->valuestring, "/", item->txn_id, NULL})
                : NULL;
        cJSON_DeleteItemFromObject(j, "redacts");
        owned_body = j ? cJSON_PrintUnformatted(j) : NULL;
        body = owned_body;
        cJSON_Delete(j);
    } else {
        path = client_path((const char *const[]){"/rooms/", item->room_id, "/send/",
                                                 item->event_type, "/", item->txn_id, NULL});
    }
    struct send_slot *slot = NULL;
    if (!path || !body) {
        log_error("matrix", "outbox item %s is unusable; dropping it", item->txn_id);
        camas_store_outbox_drop(c->st, item->txn_id, "unusable");
        camas_outbox_item_free(item);
    } else if ((slot = calloc(1, sizeof *slot))) {
        slot->c = c;
        slot->item = *item;
        memset(item, 0, sizeof *item);
        c->sending[c->n_sending++] = slot;
        slot->req = api(c, "PUT", path, body, SEND_TIMEOUT_MS, on_send_done, slot);
        if (!slot->req) {
            slot_remove(c, slot);
            slot = NULL;
        }
    } else {
        camas_outbox_item_free(item);
    }
    free(path);
    free(owned_body);
    return slot ? 0 : -1;
}

static void pump(camas_core *c)
{
    if (c->phase != PH_RUNNING || c->send_waiting || c->n_sending >= MAX_SENDS)
        return;
    camas_outbox_item items[MAX_SENDS * 2];
    int n = camas_store_outbox_pending(c->st, items, MAX_SENDS * 2);
    if (n < 0) {
        log_error("store", "cannot read the outbox");
        return;
    }
    int i = 0;
    for (; i < n && c->n_sending < MAX_SENDS; i++) {
        if (in_flight(c, items[i].txn_id)) {
            camas_outbox_item_free(&items[i]);
            continue;
        }
        if (start_send(c, &items[i])) {
            send_retry_later(c, 1000);
            i++;
            break;
        }
    }
    for (; i < n; i++)
        camas_outbox_item_free(&items[i]);
}

/* ---- handling a sync batch ----------------------------------------------------------- */

static bool invite_allowed(const camas_config *cfg, const char *inviter)
{
    const char *server = strchr(inviter, ':');
    for (size_t i = 0; i < cfg->n_invite_allow; i++) {
        const char *a = cfg->invite_allow[i];
        if (strcmp(a, inviter) == 0 || (a[0] == ':' && server && strcmp(a, server) == 0))
            return true;
    }
    return false;
}

struct invite_ctx {
    camas_core *c;
    char room_id[256];
    bool accepted;
    bool direct;
};

static void invite_forget(camas_core *c, const char *room_id)
{
    for (size_t i = 0; i < c->n_invites_inflight; i++) {
        if (strcmp(c->invites_inflight[i], room_id) == 0) {
            free(c->invites_inflight[i]);
            c->invites_inflight[i] = c->invites_inflight[--c->n_invites_inflight];
            return;
        }
    }
}

static void on_invite_done(void *ud, const camas_http_response *r)
{
    struct invite_ctx *ic = ud;
    camas_core *c = ic->c;
    if (r->status == 200) {
        log_info("matrix", "%s the invite to %s", ic->accepted ? "accepted" : "declined",
                 ic->room_id);
        if (ic->accepted && ic->direct) {
            camas_store_room_set_flag(c->st, ic->room_id, CAMAS_ROOMFLAG_DIRECT);
            struct room *room = room_get(c, ic->room_id);
            if (room && !room->configured)
                room->kind = CAMAS_ROOM_DIRECT;
        }
    } else {
        matrix_error e;
        parse_error(r, &e);
        log_warn("matrix", "could not %s the invite to %s: %s %s",
                 ic->accepted ? "accept" : "decline", ic->room_id, e.errcode, e.error);
    }
    /* Forget it either way: if it is still pending, the next sync shows it again. */
    invite_forget(c, ic->room_id);
    free(ic);
}

static void act_on_invite(camas_core *c, const char *room_id, const char *inviter, bool direct);

/* An invite seen in /sync (its invite_state names the inviter). */
static void handle_invite(camas_core *c, const char *room_id, const cJSON *room)
{
    const char *inviter = NULL;
    bool direct = false;
    const cJSON *ev;
    const cJSON *events = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(room, "invite_state"), "events");
    cJSON_ArrayForEach(ev, events)
    {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");
        const cJSON *sk = cJSON_GetObjectItemCaseSensitive(ev, "state_key");
        const cJSON *sender = cJSON_GetObjectItemCaseSensitive(ev, "sender");
        if (cJSON_IsString(type) && strcmp(type->valuestring, "m.room.member") == 0 &&
            cJSON_IsString(sk) && strcmp(sk->valuestring, c->user_id) == 0 &&
            cJSON_IsString(sender)) {
            inviter = sender->valuestring;
            const cJSON *content = cJSON_GetObjectItemCaseSensitive(ev, "content");
            direct = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(content, "is_direct"));
        }
    }
    if (inviter)
        act_on_invite(c, room_id, inviter, direct);
}

/* Accepts or declines an invite according to invites.allow (once while in flight). */
static void act_on_invite(camas_core *c, const char *room_id, const char *inviter, bool direct)
{
    for (size_t i = 0; i < c->n_invites_inflight; i++)
        if (strcmp(c->invites_inflight[i], room_id) == 0)
            return;
    char **grown = realloc(c->invites_inflight, (c->n_invites_inflight + 1) * sizeof *grown);
    if (!grown)
        return;
    c->invites_inflight = grown;
    struct invite_ctx *ic = calloc(1, sizeof *ic);
    char *id_copy = strdup(room_id);
    if (!ic || !id_copy || strlen(room_id) >= sizeof ic->room_id) {
        free(ic);
        free(id_copy);
        return;
    }
    memcpy(ic->room_id, room_id, strlen(room_id) + 1);
    c->invites_inflight[c->n_invites_inflight++] = id_copy;
    ic->c = c;
    ic->direct = direct;
    ic->accepted = invite_allowed(c->cfg, inviter);
    char *path;
    const char *body;
    if (ic->accepted) {
        log_info("matrix", "invited to %s by %s: accepting", room_id, inviter);
        path = client_path((const char *const[]){"/join/", room_id, NULL});
        body = "{}";
    } else {
        log_info("matrix", "invited to %s by %s, who is not in invites.allow: declining", room_id,
                 inviter);
        path = client_path((const char *const[]){"/rooms/", room_id, "/leave", NULL});
        body = "{\"reason\":\"camas only accepts invites from the users and servers its "
               "administrators allow.\"}";
    }
    if (!path || !api_owned(c, "POST", path, body, SETUP_TIMEOUT_MS, on_invite_done, ic)) {
        invite_forget(c, room_id);
        free(ic);
    }
    free(path);
}

/* Queues an event; returns 0 or -1 (the batch transaction is then rolled back). */
static int queue_event(camas_core *c, const char *room_id, const char *type, char *content,
                       const char *in_reply_to)
{
    if (!content)
        return -1;
    char txn[40];
    int rc = camas_store_outbox_add(c->st, room_id, type, content, in_reply_to, txn);
    free(content);
    return rc;
}

static int handle_encryption(camas_core *c, struct room *room)
{
    const char *room_id = room->room_id;
    room->encrypted = true;
    if (camas_store_room_flags(c->st, room_id) & CAMAS_ROOMFLAG_ENCRYPTED_NOTICE)
        return 0;
    log_info("matrix", "%s is encrypted: posting the notice once", room_id);
    if (queue_event(c, room_id, "m.room.message",
                    camas_notice_content(c->cfg->encrypted_room_notice, NULL), NULL))
        return -1;
    return camas_store_room_set_flag(c->st, room_id, CAMAS_ROOMFLAG_ENCRYPTED_NOTICE);
}

static int handle_redaction(camas_core *c, const char *room_id, const char *target)
{
    int dropped = camas_store_outbox_drop_replies_to(c->st, target);
    if (dropped > 0)
        log_info("matrix", "question %s was redacted before its reply was sent", target);
    char *reply_room = NULL;
    char *reply_id = camas_store_reply_event_for(c->st, target, &reply_room);
    int rc = 0;
    if (reply_id && *reply_id) {
        /* The asker withdrew the question; withdraw the answer that quoted it too. */
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "redacts", reply_id);
        cJSON_AddStringToObject(j, "reason", "The question was removed.");
        char *content = cJSON_PrintUnformatted(j);
        cJSON_Delete(j);
        rc = queue_event(c, reply_room ? reply_room : room_id, "m.room.redaction", content, NULL);
    }
    free(reply_id);
    free(reply_room);
    return rc;
}

/* ---- answers from the plugins -------------------------------------------------------- */

static bool inflight_has(camas_core *c, const char *event_id)
{
    for (size_t i = 0; i < c->n_inflight; i++)
        if (strcmp(c->inflight[i], event_id) == 0)
            return true;
    return false;
}

static void inflight_remove(camas_core *c, const char *event_id)
{
    for (size_t i = 0; i < c->n_inflight; i++)
        if (strcmp(c->inflight[i], event_id) == 0) {
            free(c->inflight[i]);
            c->inflight[i] = c->inflight[--c->n_inflight];
            return;
        }
}

struct ask_ctx {
    camas_core *c;
    camas_inbox_item item;
};

/* "What is the budget?" and "what is the budget" count as one question: punctuation that
 * does not belong to a word becomes space, runs of space collapse. */
static void squeeze_punctuation(char *s)
{
    char *out = s;
    bool space = true;
    for (const char *p = s; *p; p++) {
        char c = *p;
        bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (unsigned char)c >= 0x80 ||
                    c == '[' || c == ']' || /* "[email]": what redaction took out */
                    ((c == '.' || c == '-' || c == '@' || c == '\'') && !space && p[1] &&
                     p[1] != ' ' && p[1] != '?' && p[1] != '!');
        if (keep) {
            *out++ = c;
            space = false;
        } else if (!space) {
            *out++ = ' ';
            space = true;
        }
    }
    if (out > s && out[-1] == ' ')
        out--;
    *out = '\0';
}

/* The notice for messages over the size cap goes at most once per room per LONG_NOTICE_MS
 * (it names the hotline; the learned detector still weighs the messages in between). True
 * when one is due now, and then counts it as sent. */
#define LONG_NOTICE_MS (10 * 60 * 1000)
static bool long_notice_due(struct room *room)
{
    int64_t now = camas_monotonic_ms();
    if (room->long_notice_ms && now - room->long_notice_ms < LONG_NOTICE_MS)
        return false;
    room->long_notice_ms = now;
    return true;
}

static void on_plugin_answer(void *ud, const camas_host_answer *a)
{
    struct ask_ctx *ac = ud;
    camas_core *c = ac->c;
    camas_inbox_item *it = &ac->item;
    inflight_remove(c, it->event_id);
    /* The patterns' safety reply, if any, went out as its own event when the message came
     * in; the learned detector's verdict shapes this reply (hotline first, or a footer).
     * After a safety reply, an "I don't know" or an apology would only be noise. */
    camas_message q = {.room_id = it->room_id,
                       .sender = it->sender,
                       .event_id = it->event_id,
                       .thread_root = it->thread_root};
    camas_buf plain = {0}, html = {0};
    /* The worker's level weighs the patterns' verdict it was given; a failed call falls
     * back to the patterns alone. */
    bool patterns =
        it->danger == CAMAS_INBOX_DANGER_SENT || it->danger == CAMAS_INBOX_DANGER_DEFERRED;
    int level = a->failed && patterns ? 2 : a->danger;
    if (it->danger == CAMAS_INBOX_SAFETY_ONLY) /* rate limited: the hotline or nothing */
        camas_safety_compose(a->lang, level >= 2 ? 2 : 0, false, NULL, NULL, true, false, &plain,
                             &html);
    else if (it->danger == CAMAS_INBOX_TOO_LONG && level >= 2)
        camas_safety_compose(a->lang, 2, false, NULL, NULL, true, false, &plain, &html);
    else if (it->danger == CAMAS_INBOX_TOO_LONG) {
        struct room *room = room_find(c, it->room_id);
        if (room && long_notice_due(room)) /* else nothing: a notice went out lately */
            camas_safety_compose(a->lang, 0, false, camas_safety_too_long(a->lang), NULL, false,
                                 false, &plain, &html);
    } else
        camas_safety_compose(a->lang, level, it->danger == CAMAS_INBOX_DANGER_SENT, a->plain,
                             a->html, a->abstained || a->failed, a->clarify, &plain, &html);
    bool say = plain.len > 0;
    if (!it->command && !a->failed && it->danger != CAMAS_INBOX_SAFETY_ONLY &&
        it->danger != CAMAS_INBOX_TOO_LONG)
        camas_convo_note(c->convo, it->room_id, it->sender, it->thread_root, a->understood,
                         a->clarify ? a->entry : NULL, camas_monotonic_ms());
    int rc = camas_store_begin(c->st);
    if (rc == 0 && say)
        rc = queue_event(c, it->room_id, "m.room.message",
                         camas_reply_content(&q, camas_buf_cstr(&plain), camas_buf_cstr(&html)),
                         it->event_id);
    camas_buf_free(&plain);
    camas_buf_free(&html);
    if (rc == 0)
        rc = camas_store_inbox_done(c->st, it->event_id);
    if (rc == 0 && a->abstained && !it->command && it->danger == CAMAS_INBOX_SAFE) {
        /* Counted for staff to improve the knowledge: the normalised text with e-mail
         * addresses, Matrix ids, URLs and phone numbers taken out, no user, kept for
         * unanswered.keep_days. */
        char *redacted =
            c->cfg->unanswered_keep_days > 0 ? camas_text_redact_personal(it->text) : NULL;
        char *norm = redacted ? camas_text_normalize_dup(redacted) : NULL;
        if (norm)
            squeeze_punctuation(norm);
        if (norm && *norm)
            rc = camas_store_unanswered_add(c->st, norm, c->cfg->unanswered_keep_days * 86400000LL);
        free(norm);
        free(redacted);
    }
    if (rc == 0)
        rc = camas_store_commit(c->st);
    if (rc) {
        camas_store_rollback(c->st);
        log_error("store", "could not record the answer to %s; it will be asked again",
                  it->event_id);
    } else {
        log_debug("router", "%s answered by %s (confidence %.2f%s%s)", it->event_id,
                  a->plugin[0] ? a->plugin : "nobody", a->confidence,
                  a->abstained ? ", abstained" : "", a->failed ? ", failed" : "");
        if (!say)
            room_reply_sent(c, it->room_id);
    }
    camas_inbox_item_free(it);
    free(ac);
    pump(c);
}

/* Sends every waiting inbox question to the plugins (once each). */
static void dispatch_inbox(camas_core *c)
{
    if (!c->host || c->phase != PH_RUNNING)
        return;
    camas_inbox_item *items;
    int n = camas_store_inbox_pending(c->st, &items);
    if (n < 0) {
        log_error("store", "cannot read the inbox");
        return;
    }
    for (int i = 0; i < n; i++) {
        camas_inbox_item *it = &items[i];
        if (inflight_has(c, it->event_id))
            continue;
        char **grown = realloc(c->inflight, (c->n_inflight + 1) * sizeof *grown);
        struct ask_ctx *ac = calloc(1, sizeof *ac);
        char *id = strdup(it->event_id);
        if (!grown || !ac || !id) {
            if (grown)
                c->inflight = grown;
            free(ac);
            free(id);
            break;
        }
        c->inflight = grown;
        c->inflight[c->n_inflight++] = id;
        ac->c = c;
        ac->item = *it;
        memset(it, 0, sizeof *it); /* ownership moved into ac */
        camas_question q = {.text = ac->item.text,
                            .lang = ac->item.lang,
                            .room_kind = ac->item.room_kind,
                            .now_ms = camas_now_ms(),
                            .command = ac->item.command,
                            .args = ac->item.args,
                            .patterns_fired = ac->item.danger == CAMAS_INBOX_DANGER_SENT ||
                                              ac->item.danger == CAMAS_INBOX_DANGER_DEFERRED};
        if (!q.command)
            q.context =
                camas_convo_context(c->convo, ac->item.room_id, ac->item.sender,
                                    ac->item.thread_root, ac->item.text, camas_monotonic_ms());
        if (camas_plugin_host_ask(c->host, &q, on_plugin_answer, ac)) {
            inflight_remove(c, ac->item.event_id);
            camas_inbox_item_free(&ac->item);
            free(ac);
        }
    }
    camas_inbox_items_free(items, n);
}

/* ---- administration from chat ---------------------------------------------------------- */

struct admin_ctx {
    camas_core *c;
    char room_id[256];
    char sender[256];
    char event_id[256];
    char thread_root[256];
};

static void admin_reply(camas_core *c, const struct admin_ctx *ac, const char *text)
{
    camas_message q = {.room_id = ac->room_id,
                       .sender = ac->sender,
                       .event_id = ac->event_id,
                       .thread_root = ac->thread_root[0] ? ac->thread_root : NULL};
    if (queue_event(c, ac->room_id, "m.room.message", camas_reply_content(&q, text, NULL),
                    ac->event_id))
        log_error("store", "could not queue the reply to %s", ac->event_id);
    pump(c);
}

static void on_admin_done(void *ud, bool ok, const char *summary)
{
    struct admin_ctx *ac = ud;
    char text[1200];
    snprintf(text, sizeof text, "%s %s", ok ? "Done:" : "Refused:", summary);
    admin_reply(ac->c, ac, text);
    free(ac);
}

static bool is_admin(const camas_config *cfg, const char *user)
{
    for (size_t i = 0; i < cfg->n_admins; i++)
        if (strcmp(cfg->admins[i], user) == 0)
            return true;
    return false;
}

static const char admin_usage[] =
    "Usage: !camas plugins | !camas load NAME [force] | !camas unload NAME | "
    "!camas reload NAME|all | !camas knowledge reload";

static void handle_admin(camas_core *c, const camas_message *m, const char *args)
{
    struct admin_ctx *ac = calloc(1, sizeof *ac);
    if (!ac)
        return;
    ac->c = c;
    snprintf(ac->room_id, sizeof ac->room_id, "%s", m->room_id);
    snprintf(ac->sender, sizeof ac->sender, "%s", m->sender);
    snprintf(ac->event_id, sizeof ac->event_id, "%s", m->event_id);
    snprintf(ac->thread_root, sizeof ac->thread_root, "%s", m->thread_root ? m->thread_root : "");
    char verb[32] = "", name[64] = "", flag[16] = "";
    sscanf(args, "%31s %63s %15s", verb, name, flag);
    if (!is_admin(c->cfg, m->sender)) {
        log_warn("router", "%s is not an admin: refused '!camas %s'", m->sender, args);
        camas_store_audit(c->st, m->sender, verb[0] ? verb : "admin", name, "", "", "denied",
                          "not an admin");
        admin_reply(c, ac, "Sorry, only camas administrators can do that.");
        free(ac);
        return;
    }
    if (!c->host) {
        admin_reply(c, ac, "Plugins are not enabled in this camas.");
        free(ac);
        return;
    }
    if (strcmp(verb, "plugins") == 0) {
        char *list = camas_plugin_host_describe(c->host);
        admin_reply(c, ac, list ? list : "out of memory");
        free(list);
        free(ac);
    } else if ((strcmp(verb, "load") == 0 || strcmp(verb, "reload") == 0) && name[0]) {
        camas_plugin_host_load(c->host, name, m->sender, strcmp(flag, "force") == 0, on_admin_done,
                               ac);
    } else if (strcmp(verb, "unload") == 0 && name[0]) {
        camas_plugin_host_unload(c->host, name, m->sender, on_admin_done, ac);
    } else if (strcmp(verb, "knowledge") == 0 && strcmp(name, "reload") == 0) {
        /* A part whose files have an error is refused and keeps its previous knowledge. */
        camas_plugin_host_reload_knowledge(c->host, m->sender, on_admin_done, ac);
    } else {
        admin_reply(c, ac, admin_usage);
        free(ac);
    }
}

#define MAX_HELD_ALERTS 32

void camas_core_alert(void *core, const char *text)
{
    camas_core *c = core;
    if (!c || c->phase == PH_STOPPED)
        return;
    if (!c->admin_room_id) {
        /* Start-up refusals come before the admin room is joined: hold them until it is. */
        if (*c->cfg->admin_room && c->n_held_alerts < MAX_HELD_ALERTS)
            c->held_alerts[c->n_held_alerts++] = strdup(text);
        return;
    }
    if (queue_event(c, c->admin_room_id, "m.room.message", camas_notice_content(text, NULL),
                    NULL) == 0)
        pump(c);
}

/* ---- deciding what to do with a message ------------------------------------------------ */

static bool within_rate_limit(camas_core *c, struct room *room, const camas_message *m)
{
    if (room->kind != CAMAS_ROOM_HELP)
        return true;
    int64_t now = camas_monotonic_ms();
    if (camas_ratelimit_take(c->rl_user, m->sender, now) &&
        camas_ratelimit_take(c->rl_room, m->room_id, now))
        return true;
    log_info("router", "rate limit: not answering %s in %s", m->event_id, m->room_id);
    return false;
}

static int handle_message(camas_core *c, struct room *room, camas_message *m)
{
    m->room_kind = room->kind;
    if (m->ts_ms && m->ts_ms < c->first_start_ms)
        return 0; /* history from before camas first started */
    if (room->encrypted)
        return 0; /* a plain reply would expose what members expect to be encrypted */
    if (!camas_router_addressed(m, c->user_id)) {
        /* Room policy never silences the safety reply, even where camas otherwise only
         * answers when addressed. */
        if (!camas_safety_check(c->safety, m->body, NULL))
            return 0;
        const char *lang = camas_detect_lang(m->body, NULL);
        int rc = queue_event(c, m->room_id, "m.room.message",
                             camas_reply_content(m, camas_safety_message(lang), NULL), m->event_id);
        if (rc == 0)
            room_reply_queued(c, room);
        return rc;
    }
    camas_route r;
    if (camas_router_route(m, c->user_id, c->host, c->safety, NULL, &r))
        return -1;
    int rc = 0;
    bool limited = (r.kind == CAMAS_ROUTE_BUILTIN || r.kind == CAMAS_ROUTE_PLUGIN) &&
                   !within_rate_limit(c, room, m);
    /* A question the patterns flag goes to the worker with that verdict when its model is
     * warm: the reply then leads with the hotline unless the learned detector is sure the
     * message is safe ("my dad confiscated my phone"), where it becomes a footer. Otherwise
     * the hotline goes now, as its own event: never rate limited, independent of plugins. */
    bool defer = r.danger && !limited && r.kind == CAMAS_ROUTE_PLUGIN && !r.command[0] &&
                 camas_plugin_host_understanding_ready(c->host);
    if (r.danger && !defer) {
        rc = queue_event(c, m->room_id, "m.room.message",
                         camas_reply_content(m, camas_safety_message(r.lang), NULL), m->event_id);
        if (rc == 0)
            room_reply_queued(c, room);
    }
    /* A rate-limited question gets no answer, but its danger is still weighed: the learned
     * detector may see what the patterns did not (the reply is then the hotline alone). */
    bool safety_only = limited && !r.danger && r.kind == CAMAS_ROUTE_PLUGIN && !r.command[0] &&
                       camas_plugin_host_understanding_ready(c->host);
    if (rc == 0 && limited && !safety_only) {
        camas_route_clear(&r);
        return 0;
    }
    switch (rc ? CAMAS_ROUTE_NONE : r.kind) {
    case CAMAS_ROUTE_BUILTIN:
        rc = queue_event(c, m->room_id, "m.room.message",
                         camas_reply_content(m, r.answer.plain, r.answer.html), m->event_id);
        if (rc == 0)
            room_reply_queued(c, room);
        break;
    case CAMAS_ROUTE_PLUGIN: {
        camas_inbox_item it = {.event_id = (char *)m->event_id,
                               .room_id = (char *)m->room_id,
                               .sender = (char *)m->sender,
                               .thread_root = (char *)m->thread_root,
                               .text = (char *)r.text,
                               .lang = r.lang,
                               .command = r.command[0] ? r.command : NULL,
                               .args = (char *)r.args,
                               .room_kind = (int)room->kind,
                               .danger = safety_only ? CAMAS_INBOX_SAFETY_ONLY
                                         : !r.danger ? CAMAS_INBOX_SAFE
                                         : defer     ? CAMAS_INBOX_DANGER_DEFERRED
                                                     : CAMAS_INBOX_DANGER_SENT};
        rc = camas_store_inbox_add(c->st, &it);
        if (rc == 0)
            room_reply_queued(c, room);
        break;
    }
    case CAMAS_ROUTE_ADMIN:
        handle_admin(c, m, r.args);
        break;
    default:
        break;
    }
    camas_route_clear(&r);
    return rc;
}

/* A message over limits.max_message_bytes is not answered, but its start (m->body) is
 * weighed for danger like any other: the hotline at once when the patterns see danger.
 * Otherwise, when it was addressed to camas, the learned detector has a look (worker warm)
 * and the reply is the hotline or a notice that the message is too long; the notice names
 * the hotline too, and goes at most once per room per LONG_NOTICE_MS (in between: the
 * hotline or nothing). */
static int handle_long_message(camas_core *c, struct room *room, camas_message *m)
{
    m->room_kind = room->kind;
    if ((m->ts_ms && m->ts_ms < c->first_start_ms) || room->encrypted)
        return 0;
    const char *lang = camas_detect_lang(m->body, NULL);
    if (strcmp(lang, "fr"))
        lang = "en";
    bool danger = camas_safety_check(c->safety, m->body, NULL);
    if (!danger && !camas_router_addressed(m, c->user_id))
        return 0;
    bool warm = camas_plugin_host_understanding_ready(c->host);
    bool notice = !danger && !warm && long_notice_due(room);
    int rc = 0;
    if (!danger && warm) {
        camas_inbox_item it = {.event_id = (char *)m->event_id,
                               .room_id = (char *)m->room_id,
                               .sender = (char *)m->sender,
                               .thread_root = (char *)m->thread_root,
                               .text = m->body,
                               .lang = (char *)lang,
                               .room_kind = (int)room->kind,
                               .danger = CAMAS_INBOX_TOO_LONG};
        rc = camas_store_inbox_add(c->st, &it);
    } else if (danger || notice) {
        rc = queue_event(
            c, m->room_id, "m.room.message",
            camas_reply_content(
                m, danger ? camas_safety_message(lang) : camas_safety_too_long(lang), NULL),
            m->event_id);
    }
    if (rc == 0)
        room_reply_queued(c, room);
    return rc;
}

static int handle_timeline_event(camas_core *c, struct room *room, const cJSON *ev,
                                 const char **last_event)
{
    const cJSON *eid = cJSON_GetObjectItemCaseSensitive(ev, "event_id");
    if (!cJSON_IsString(eid))
        return 0;
    int seen = camas_store_seen(c->st, eid->valuestring);
    if (seen != 0)
        return seen < 0 ? -1 : 0;
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(ev, "origin_server_ts");
    int64_t ts_ms = 0;
    camas_json_int(ts, 1, CAMAS_TS_MAX_MS, &ts_ms);
    if (camas_store_mark_seen(c->st, eid->valuestring, room->room_id, ts_ms))
        return -1;
    camas_message m;
    const char *redacts = NULL;
    camas_event_class cls = camas_event_classify(ev, room->room_id, c->user_id,
                                                 (size_t)c->cfg->max_message_bytes, &m, &redacts);
    int rc = 0;
    switch (cls) {
    case CAMAS_EV_MESSAGE:
        *last_event = eid->valuestring;
        rc = handle_message(c, room, &m);
        camas_message_clear(&m);
        break;
    case CAMAS_EV_ENCRYPTION:
        rc = handle_encryption(c, room);
        break;
    case CAMAS_EV_REDACTION:
        rc = handle_redaction(c, room->room_id, redacts);
        break;
    case CAMAS_EV_TOO_LARGE:
        log_info("router", "%s in %s is over limits.max_message_bytes; weighed for danger only",
                 eid->valuestring, room->room_id);
        *last_event = eid->valuestring;
        rc = handle_long_message(c, room, &m);
        camas_message_clear(&m);
        break;
    case CAMAS_EV_NOTICE:
    case CAMAS_EV_EDIT:
        *last_event = eid->valuestring;
        break;
    default:
        break;
    }
    return rc;
}

static void update_direct_flag(camas_core *c, struct room *room, const cJSON *jroom)
{
    const cJSON *summary = cJSON_GetObjectItemCaseSensitive(jroom, "summary");
    const cJSON *joined = cJSON_GetObjectItemCaseSensitive(summary, "m.joined_member_count");
    if (!cJSON_IsNumber(joined) || room->configured)
        return;
    /* A room of two (camas and one person) behaves as a direct chat. */
    bool direct = joined->valueint == 2;
    int flags = camas_store_room_flags(c->st, room->room_id);
    if (direct && !(flags & CAMAS_ROOMFLAG_DIRECT))
        camas_store_room_set_flag(c->st, room->room_id, CAMAS_ROOMFLAG_DIRECT);
    else if (!direct && (flags & CAMAS_ROOMFLAG_DIRECT))
        camas_store_room_clear_flag(c->st, room->room_id, CAMAS_ROOMFLAG_DIRECT);
    room->kind = direct ? CAMAS_ROOM_DIRECT : CAMAS_ROOM_STAFF;
}

#define RECEIPT_DELAY_MS    250  /* after the reply has started on its way */
#define RECEIPT_INTERVAL_MS 2000 /* at most one receipt per room per interval */

static void on_receipt_timer(lws_sorted_usec_list_t *sul)
{
    struct room *r = lws_container_of(sul, struct room, receipt_timer);
    camas_core *c = r->core;
    if (!r->receipt_event || c->phase != PH_RUNNING)
        return;
    char *path = client_path(
        (const char *const[]){"/rooms/", r->room_id, "/receipt/m.read/", r->receipt_event, NULL});
    if (path)
        fire(c, "read receipt", "POST", path, "{}");
    free(path);
    free(r->receipt_event);
    r->receipt_event = NULL;
    r->receipt_sent_ms = camas_monotonic_ms();
}

/* Marks event_id read. Receipts are coalesced per room and sent a moment after the replies:
 * under a burst of questions they would otherwise double the homeserver's work and delay the
 * answers themselves. */
static void send_receipt(camas_core *c, const char *room_id, const char *event_id)
{
    struct room *r = room_find(c, room_id);
    if (!r)
        return;
    bool scheduled = r->receipt_event != NULL;
    set_str(&r->receipt_event, event_id);
    if (scheduled || !r->receipt_event)
        return;
    int64_t wait = r->receipt_sent_ms + RECEIPT_INTERVAL_MS - camas_monotonic_ms();
    if (wait < RECEIPT_DELAY_MS)
        wait = RECEIPT_DELAY_MS;
    lws_sul_schedule(c->ctx, 0, &r->receipt_timer, on_receipt_timer,
                     (lws_usec_t)wait * LWS_US_PER_MS);
}

struct receipt {
    const char *room_id;
    const char *event_id;
};

/* Handles one parsed /sync response inside a transaction. Returns 0, or -1 to retry it. */
/* A member of a JSON object that must itself be an object (rooms, rooms.join...), or NULL:
 * iterating an array in its place would give members without names, and /sync bodies are
 * the homeserver's (or anyone's on the path of an http:// one) to shape. */
static const cJSON *object_member(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (v && !cJSON_IsObject(v)) {
        log_warn("matrix", "/sync: '%s' is not an object; ignored", key);
        return NULL;
    }
    return v;
}

static int handle_sync(camas_core *c, cJSON *sync, struct receipt **receipts, size_t *n_receipts)
{
    const cJSON *next = cJSON_GetObjectItemCaseSensitive(sync, "next_batch");
    if (!cJSON_IsString(next) || !*next->valuestring) {
        log_warn("matrix", "/sync response has no next_batch; retrying");
        return -1;
    }
    const cJSON *rooms = object_member(sync, "rooms");
    if (camas_store_begin(c->st))
        return -1;
    const cJSON *jroom;
    cJSON_ArrayForEach(jroom, object_member(rooms, "join"))
    {
        const char *room_id = jroom->string;
        struct room *room = room_get(c, room_id);
        if (!room)
            goto fail;
        update_direct_flag(c, room, jroom);
        const cJSON *ev;
        cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(
                                   cJSON_GetObjectItemCaseSensitive(jroom, "state"), "events"))
        {
            const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");
            if (cJSON_IsString(type) && strcmp(type->valuestring, "m.room.encryption") == 0 &&
                handle_encryption(c, room))
                goto fail;
        }
        const cJSON *timeline = cJSON_GetObjectItemCaseSensitive(jroom, "timeline");
        const char *last_event = NULL;
        cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(timeline, "events"))
        {
            if (handle_timeline_event(c, room, ev, &last_event))
                goto fail;
        }
        if (last_event) {
            struct receipt *grown = realloc(*receipts, (*n_receipts + 1) * sizeof *grown);
            if (grown) {
                *receipts = grown;
                (*receipts)[(*n_receipts)++] = (struct receipt){room_id, last_event};
            }
        }
    }
    if (camas_store_set(c->st, "next_batch", next->valuestring) || camas_store_commit(c->st))
        goto fail;
    set_str(&c->since, next->valuestring);
    return 0;
fail:
    log_error("store", "could not record the sync batch; it will be fetched again");
    camas_store_rollback(c->st);
    /* Counters for replies queued in the rolled-back transaction are now wrong; reset. */
    for (size_t i = 0; i < c->n_rooms; i++)
        c->rooms[i]->awaiting = 0;
    return -1;
}

static void handle_invites_and_leaves(camas_core *c, cJSON *sync)
{
    const cJSON *rooms = object_member(sync, "rooms");
    const cJSON *jroom;
    cJSON_ArrayForEach(jroom, object_member(rooms, "invite"))
        handle_invite(c, jroom->string, jroom);
    cJSON_ArrayForEach(jroom, object_member(rooms, "leave"))
        log_info("matrix", "no longer in %s", jroom->string);
}

/* ---- the sync loop ------------------------------------------------------------------ */

static void sync_now(camas_core *c);

static void on_sync_timer(lws_sorted_usec_list_t *sul)
{
    sync_now(lws_container_of(sul, camas_core, sync_timer));
}

static void sync_later(camas_core *c, int64_t delay_ms)
{
    lws_sul_schedule(c->ctx, 0, &c->sync_timer, on_sync_timer, delay_ms * LWS_US_PER_MS);
}

/* Handles a complete /sync batch (gaps already filled) and starts the next sync. */
/* A /sync response at least this large is followed by malloc_trim (see finish_sync). */
#define SYNC_TRIM_BYTES (256 * 1024)

/* body_len: the size of the response sync was parsed from. */
static void finish_sync(camas_core *c, cJSON *sync, size_t body_len)
{
    struct receipt *receipts = NULL;
    size_t n_receipts = 0;
    if (handle_sync(c, sync, &receipts, &n_receipts)) {
        cJSON_Delete(sync);
        free(receipts);
        sync_later(c, camas_backoff_next(&c->sync_bo));
        return;
    }
    handle_invites_and_leaves(c, sync);
    for (size_t i = 0; i < n_receipts; i++)
        send_receipt(c, receipts[i].room_id, receipts[i].event_id);
    free(receipts);
    cJSON_Delete(sync);
    /* A large response (a catch-up after downtime, many rooms) leaves megabytes of freed
     * parse tree in the heap, pinned there by the few allocations made after it: give those
     * pages back to the system. Only then: trimming after every small sync would cost
     * system calls and page faults under load. */
    if (body_len >= SYNC_TRIM_BYTES)
        malloc_trim(0);
    camas_backoff_reset(&c->sync_bo);
    if (!c->ready_logged) {
        c->ready_logged = true;
        log_info("matrix", "ready: syncing as %s", c->user_id);
    }
    dispatch_inbox(c);
    pump(c);
    sync_now(c);
}

/* ---- filling /sync gaps ------------------------------------------------------------------
 * When more events arrived in a room than one sync returns (timeline.limited), the missing
 * ones are fetched backwards from prev_batch until an event camas has handled, or one older
 * than its first start, and put before the batch's own events: messages sent while camas was
 * down are then answered however many there were. */

#define GAP_MAX_PAGES 20
/* A gap page that failed for a passing reason (no connection, 5xx, 429) has the whole batch
 * fetched again, since its next_batch is not stored yet: up to this many times in a row before
 * going on without the gap (a homeserver that always fails /messages must not stop syncing). */
#define GAP_MAX_RETRIES 10

struct gap_fill {
    camas_core *c;
    cJSON *sync;
    size_t body_len; /* of the response sync came from */
    size_t pending;
    bool retry; /* a page failed for a passing reason: fetch the batch again */
};

struct gap_room {
    struct gap_fill *fill;
    cJSON *timeline; /* inside fill->sync */
    cJSON *older;    /* fetched events, oldest first */
    char room_id[256];
    int pages;
};

static void gap_fill_release(struct gap_fill *f)
{
    if (--f->pending == 0) {
        camas_core *c = f->c;
        cJSON *sync = f->sync;
        size_t body_len = f->body_len;
        bool retry = f->retry;
        free(f);
        if (retry) {
            cJSON_Delete(sync);
            c->gap_retries++;
            int64_t wait = camas_backoff_next(&c->sync_bo);
            log_warn("matrix",
                     "a sync gap could not be fetched; fetching the batch again in %lld ms",
                     (long long)wait);
            sync_later(c, wait);
            return;
        }
        c->gap_retries = 0;
        finish_sync(c, sync, body_len);
    }
}

static void gap_room_done(struct gap_room *g)
{
    struct gap_fill *f = g->fill;
    if (cJSON_GetArraySize(g->older) > 0) {
        /* older events first, then the batch's own */
        cJSON *events = cJSON_DetachItemFromObjectCaseSensitive(g->timeline, "events");
        cJSON *item;
        while (events && (item = cJSON_DetachItemFromArray(events, 0)))
            cJSON_AddItemToArray(g->older, item);
        cJSON_Delete(events);
        log_info("matrix", "%s: filled a gap of %d events", g->room_id,
                 cJSON_GetArraySize(g->older));
        cJSON_AddItemToObject(g->timeline, "events", g->older);
    } else {
        cJSON_Delete(g->older);
    }
    free(g);
    gap_fill_release(f);
}

static void gap_fetch(struct gap_room *g, const char *from);

static void on_gap_page(void *ud, const camas_http_response *r)
{
    struct gap_room *g = ud;
    camas_core *c = g->fill->c;
    cJSON *j = r->status == 200 ? camas_json_parse_untrusted(r->body, r->body_len) : NULL;
    const cJSON *chunk = cJSON_GetObjectItemCaseSensitive(j, "chunk");
    bool passing = r->status == 0 || r->status == 429 || r->status >= 500 ||
                   (r->status == 200 && !j); /* cut short */
    if (!cJSON_IsArray(chunk) && passing && c->gap_retries < GAP_MAX_RETRIES) {
        log_warn("matrix", "%s: could not fetch the events in a sync gap (%d%s%s)", g->room_id,
                 r->status, r->status ? "" : " ", r->status ? "" : r->error);
        g->fill->retry = true;
        cJSON_Delete(j);
        gap_room_done(g);
        return;
    }
    if (!cJSON_IsArray(chunk)) {
        log_warn("matrix",
                 "%s: could not fetch the events in a sync gap (%d); some messages "
                 "sent meanwhile may go unanswered",
                 g->room_id, r->status);
        cJSON_Delete(j);
        gap_room_done(g);
        return;
    }
    bool reached = cJSON_GetArraySize(chunk) == 0;
    const cJSON *ev;
    cJSON_ArrayForEach(ev, chunk) /* newest first */
    {
        const char *eid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "event_id"));
        const cJSON *ts = cJSON_GetObjectItemCaseSensitive(ev, "origin_server_ts");
        int64_t ts_ms = 0;
        if (!eid || camas_store_seen(c->st, eid) != 0 ||
            (camas_json_int(ts, 1, CAMAS_TS_MAX_MS, &ts_ms) && ts_ms < c->first_start_ms)) {
            reached = true;
            break;
        }
        cJSON_InsertItemInArray(g->older, 0, cJSON_Duplicate(ev, 1));
    }
    const char *end = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "end"));
    if (!reached && end && ++g->pages < GAP_MAX_PAGES) {
        char from[512];
        snprintf(from, sizeof from, "%s", end);
        cJSON_Delete(j);
        gap_fetch(g, from);
        return;
    }
    cJSON_Delete(j);
    gap_room_done(g);
}

static void gap_fetch(struct gap_room *g, const char *from)
{
    camas_core *c = g->fill->c;
    char *path = client_path((const char *const[]){"/rooms/", g->room_id, "/messages", NULL});
    camas_buf b = {0};
    if (path) {
        camas_buf_puts(&b, path);
        camas_buf_puts(&b, "?dir=b&limit=100&from=");
        camas_buf_urlenc(&b, from);
    }
    free(path);
    if (!b.data || !api(c, "GET", b.data, NULL, SETUP_TIMEOUT_MS, on_gap_page, g)) {
        camas_buf_free(&b);
        gap_room_done(g);
        return;
    }
    camas_buf_free(&b);
}

/* Starts filling the gaps of a batch; returns false when there are none (or no memory). */
static bool fill_gaps(camas_core *c, cJSON *sync, size_t body_len)
{
    if (!c->since)
        return false; /* the first sync: older history is not ours to answer */
    struct gap_fill *f = NULL;
    const cJSON *jroom;
    cJSON_ArrayForEach(jroom, object_member(object_member(sync, "rooms"), "join"))
    {
        cJSON *timeline = cJSON_GetObjectItemCaseSensitive(jroom, "timeline");
        const char *prev =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(timeline, "prev_batch"));
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(timeline, "limited")) || !prev ||
            strlen(jroom->string) >= sizeof((struct gap_room *)0)->room_id)
            continue;
        if (!f) {
            if (!(f = calloc(1, sizeof *f)))
                return false;
            f->c = c;
            f->sync = sync;
            f->body_len = body_len;
            f->pending = 1; /* held until every room's fetch has started */
        }
        struct gap_room *g = calloc(1, sizeof *g);
        if (!g)
            continue;
        g->fill = f;
        g->timeline = timeline;
        g->older = cJSON_CreateArray();
        snprintf(g->room_id, sizeof g->room_id, "%s", jroom->string);
        f->pending++;
        log_info("matrix", "%s: more events than one sync returns; fetching the gap", g->room_id);
        gap_fetch(g, prev);
    }
    if (!f)
        return false;
    gap_fill_release(f);
    return true;
}

static void on_sync_done(void *ud, const camas_http_response *r)
{
    camas_core *c = ud;
    c->sync_req = NULL;
    if (r->status == 200) {
        cJSON *sync = camas_json_parse_untrusted(r->body, r->body_len);
        if (!sync) {
            int64_t wait = camas_backoff_next(&c->sync_bo);
            log_warn("matrix", "/sync returned malformed JSON (%zu bytes); retrying in %lld ms",
                     r->body_len, (long long)wait);
            sync_later(c, wait);
            return;
        }
        if (!fill_gaps(c, sync, r->body_len))
            finish_sync(c, sync, r->body_len);
        return;
    }
    matrix_error e;
    parse_error(r, &e);
    if (is_unknown_token(r, &e)) {
        relogin_or_stop(c, "syncing");
        return;
    }
    int64_t wait = (r->status == 429 && e.retry_after_ms >= 0) ? e.retry_after_ms
                                                               : camas_backoff_next(&c->sync_bo);
    log_warn("matrix", "/sync failed (%s%s%s); retrying in %lld ms", r->status ? e.errcode : "",
             r->status && e.errcode[0] ? " " : "", e.error, (long long)wait);
    sync_later(c, wait);
}

static void sync_now(camas_core *c)
{
    if (c->phase != PH_RUNNING || c->sync_req)
        return;
    camas_buf path = {0};
    camas_buf_puts(&path, "/_matrix/client/v3/sync?filter=");
    camas_buf_urlenc(&path, c->filter_id);
    /* The first sync of each run returns at once, so a restart catches up immediately. */
    long timeout = c->since && c->ready_logged ? c->cfg->sync_timeout_ms : 0;
    camas_buf_printf(&path, "&timeout=%ld", timeout);
    if (c->since) {
        camas_buf_puts(&path, "&since=");
        camas_buf_urlenc(&path, c->since);
    }
    c->sync_req =
        path.data ? api(c, "GET", path.data, NULL, (int)timeout + 30000, on_sync_done, c) : NULL;
    camas_buf_free(&path);
    if (!c->sync_req)
        sync_later(c, 1000);
    else if (!c->first_sync_sent) {
        c->first_sync_sent = true; /* start-up benchmarks time this line */
        log_info("matrix", "first /sync request sent");
    }
}

int camas_core_bench_sync(camas_core *c, const char *user_id, const char *json, size_t len)
{
    set_str(&c->user_id, user_id);
    c->phase = PH_RUNNING;
    cJSON *sync = camas_json_parse_untrusted(json, len);
    if (!sync)
        return -1;
    struct receipt *receipts = NULL;
    size_t n_receipts = 0;
    int rc = handle_sync(c, sync, &receipts, &n_receipts);
    free(receipts);
    cJSON_Delete(sync);
    c->phase = PH_STOPPED; /* nothing of this may reach the network */
    return rc;
}

/* ---- start-up steps ------------------------------------------------------------------ */

static void setup_step(camas_core *c);

static void on_setup_timer(lws_sorted_usec_list_t *sul)
{
    setup_step(lws_container_of(sul, camas_core, setup_timer));
}

static void setup_retry(camas_core *c, const char *what, const camas_http_response *r)
{
    matrix_error e;
    parse_error(r, &e);
    int64_t wait = (r->status == 429 && e.retry_after_ms >= 0) ? e.retry_after_ms
                                                               : camas_backoff_next(&c->setup_bo);
    log_warn("matrix", "%s failed (%s%s%s); retrying in %lld ms", what, r->status ? e.errcode : "",
             r->status && e.errcode[0] ? " " : "", e.error, (long long)wait);
    lws_sul_schedule(c->ctx, 0, &c->setup_timer, on_setup_timer, wait * LWS_US_PER_MS);
}

static void advance(camas_core *c, enum phase next)
{
    c->phase = next;
    camas_backoff_reset(&c->setup_bo);
    lws_sul_schedule(c->ctx, 0, &c->setup_timer, on_setup_timer, 1);
}

static void on_wellknown(void *ud, const camas_http_response *r)
{
    camas_core *c = ud;
    c->setup_req = NULL;
    char base[512];
    snprintf(base, sizeof base, "https://%s", c->cfg->server_name);
    if (r->status == 200) {
        cJSON *j = camas_json_parse_untrusted(r->body, r->body_len);
        const cJSON *url = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(j, "m.homeserver"), "base_url");
        if (cJSON_IsString(url))
            snprintf(base, sizeof base, "%s", url->valuestring);
        else
            log_warn("matrix", ".well-known/matrix/client of %s has no m.homeserver.base_url",
                     c->cfg->server_name);
        cJSON_Delete(j);
    } else if (r->status == 0) {
        setup_retry(c, "homeserver discovery", r);
        return;
    }
    char err[256];
    if (camas_endpoint_parse(&c->ep, base, err, sizeof err)) {
        log_error("matrix", "discovered homeserver URL is unusable: %s", err);
        stop(c, 1);
        return;
    }
    log_info("matrix", "homeserver for %s is %s", c->cfg->server_name, base);
    advance(c, PH_VERSIONS);
}

static void on_versions(void *ud, const camas_http_response *r)
{
    camas_core *c = ud;
    c->setup_req = NULL;
    if (r->status != 200) {
        setup_retry(c, "contacting the homeserver", r);
        return;
    }
    cJSON *j = camas_json_parse_untrusted(r->body, r->body_len);
    bool ok = cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "versions"));
    cJSON_Delete(j);
    if (!ok) {
        camas_http_response bad = *r;
        bad.status = 0;
        bad.error = "/_matrix/client/versions did not answer like a Matrix homeserver";
        setup_retry(c, "contacting the homeserver", &bad);
        return;
    }
    log_info("matrix", "homeserver %s%s:%d is up", c->ep.tls ? "https://" : "http://", c->ep.host,
             c->ep.port);
    advance(c, c->access_token ? PH_WHOAMI : PH_LOGIN);
}

static void on_login(void *ud, const camas_http_response *r)
{
    camas_core *c = ud;
    c->setup_req = NULL;
    if (r->status != 200) {
        matrix_error e;
        parse_error(r, &e);
        if (r->status == 403 || (r->status == 400 && strcmp(e.errcode, "M_LIMIT_EXCEEDED"))) {
            log_error("matrix", "the homeserver refused the password login for %s: %s %s",
                      c->cfg->user_id, e.errcode, e.error);
            stop(c, 1);
            return;
        }
        setup_retry(c, "logging in", r);
        return;
    }
    cJSON *j = camas_json_parse_untrusted(r->body, r->body_len);
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(j, "access_token");
    const cJSON *dev = cJSON_GetObjectItemCaseSensitive(j, "device_id");
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(j, "user_id");
    if (!cJSON_IsString(tok) || !cJSON_IsString(dev) || !cJSON_IsString(uid)) {
        cJSON_Delete(j);
        camas_http_response bad = *r;
        bad.status = 0;
        bad.error = "login response lacks access_token, device_id or user_id";
        setup_retry(c, "logging in", &bad);
        return;
    }
    clear_secret(&c->access_token);
    c->access_token = strdup(tok->valuestring);
    set_str(&c->device_id, dev->valuestring);
    set_str(&c->user_id, uid->valuestring);
    if (camas_store_set(c->st, "access_token", tok->valuestring) ||
        camas_store_set(c->st, "device_id", dev->valuestring) ||
        camas_store_set(c->st, "user_id", uid->valuestring))
        log_error("store", "could not save the session; the next start logs in again");
    cJSON_Delete(j);
    log_info("matrix", "logged in as %s (device %s)", c->user_id, c->device_id);
    advance(c, PH_WHOAMI);
}

static void on_whoami(void *ud, const camas_http_response *r)
{
    camas_core *c = ud;
    c->setup_req = NULL;
    if (r->status != 200) {
        matrix_error e;
        parse_error(r, &e);
        if (is_unknown_token(r, &e)) {
            relogin_or_stop(c, "checking the access token");
            return;
        }
        setup_retry(c, "checking the access token (whoami)", r);
        return;
    }
    cJSON *j = camas_json_parse_untrusted(r->body, r->body_len);
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(j, "user_id");
    const cJSON *dev = cJSON_GetObjectItemCaseSensitive(j, "device_id");
    if (cJSON_IsString(uid))
        set_str(&c->user_id, uid->valuestring);
    if (cJSON_IsString(dev))
        set_str(&c->device_id, dev->valuestring);
    cJSON_Delete(j);
    if (!c->user_id) {
        camas_http_response bad = *r;
        bad.status = 0;
        bad.error = "whoami response lacks user_id";
        setup_retry(c, "whoami", &bad);
        return;
    }
    log_info("matrix", "acting as %s (device %s)", c->user_id,
             c->device_id ? c->device_id : "unknown");
    advance(c, c->as_mode ? PH_JOINS : c->filter_id ? PH_RUNNING : PH_FILTER);
}

static void on_filter(void *ud, const camas_http_response *r)
{
    camas_core *c = ud;
    c->setup_req = NULL;
    cJSON *j = r->status == 200 ? camas_json_parse_untrusted(r->body, r->body_len) : NULL;
    const cJSON *fid = cJSON_GetObjectItemCaseSensitive(j, "filter_id");
    if (!cJSON_IsString(fid)) {
        cJSON_Delete(j);
        matrix_error e;
        parse_error(r, &e);
        if (is_unknown_token(r, &e)) {
            relogin_or_stop(c, "uploading the sync filter");
            return;
        }
        setup_retry(c, "uploading the sync filter", r);
        return;
    }
    set_str(&c->filter_id, fid->valuestring);
    cJSON_Delete(j);
    advance(c, PH_JOINS);
}

struct join_ctx {
    camas_core *c;
    size_t index; /* into c->joins */
};

static void join_configured(camas_core *c);

static void on_join_timer(lws_sorted_usec_list_t *sul)
{
    camas_core *c = lws_container_of(sul, camas_core, join_timer);
    if (c->phase == PH_RUNNING)
        join_configured(c);
}

static void on_join(void *ud, const camas_http_response *r)
{
    struct join_ctx *jc = ud;
    camas_core *c = jc->c;
    struct join_target *rc = &c->joins[jc->index];
    free(jc);
    c->joins_pending--;
    cJSON *j = r->status == 200 ? camas_json_parse_untrusted(r->body, r->body_len) : NULL;
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(j, "room_id");
    if (cJSON_IsString(rid)) {
        struct room *room = room_get(c, rid->valuestring);
        if (room) {
            room->kind = rc->kind;
            room->configured = true;
            rc->joined = true;
            camas_backoff_reset(&c->join_bo);
            if (rc->is_admin_room) {
                set_str(&c->admin_room_id, rid->valuestring);
                for (size_t i = 0; i < c->n_held_alerts; i++) {
                    if (c->held_alerts[i])
                        camas_core_alert(c, c->held_alerts[i]);
                    free(c->held_alerts[i]);
                }
                c->n_held_alerts = 0;
            }
            log_info("matrix", "joined %s (%s) as a %s room%s", rc->id, rid->valuestring,
                     camas_room_kind_name(rc->kind), rc->is_admin_room ? " (admin room)" : "");
        }
    } else {
        matrix_error e;
        parse_error(r, &e);
        bool passing = r->status == 0 || r->status == 429 || r->status >= 500;
        int64_t wait = passing ? camas_backoff_next(&c->join_bo) : JOIN_RETRY_MS;
        log_warn("matrix", "could not join %s: %s %s; retrying in %lld ms", rc->id, e.errcode,
                 e.error, (long long)wait);
        lws_sul_schedule(c->ctx, 0, &c->join_timer, on_join_timer,
                         (lws_usec_t)wait * LWS_US_PER_MS);
    }
    cJSON_Delete(j);
    if (c->joins_pending == 0 && c->phase == PH_JOINS)
        advance(c, PH_RUNNING);
}

static void join_configured(camas_core *c)
{
    for (size_t i = 0; i < c->n_joins; i++) {
        if (c->joins[i].joined)
            continue;
        struct join_ctx *jc = calloc(1, sizeof *jc);
        char *path = client_path((const char *const[]){"/join/", c->joins[i].id, NULL});
        if (!jc || !path) {
            free(jc);
            free(path);
            continue;
        }
        jc->c = c;
        jc->index = i;
        if (api_owned(c, "POST", path, "{}", SETUP_TIMEOUT_MS, on_join, jc))
            c->joins_pending++;
        else
            free(jc);
        free(path);
    }
}

/* A printf format: the timeline limit (sync.timeline_limit) goes in. */
static const char sync_filter_fmt[] =
    "{\"presence\":{\"not_types\":[\"*\"]},"
    "\"account_data\":{\"not_types\":[\"*\"]},"
    "\"room\":{\"account_data\":{\"not_types\":[\"*\"]},"
    "\"ephemeral\":{\"not_types\":[\"*\"]},"
    "\"state\":{\"types\":[\"m.room.encryption\"],\"lazy_load_members\":true},"
    "\"timeline\":{\"limit\":%ld,\"types\":[\"m.room.message\",\"m.room.encrypted\","
    "\"m.room.encryption\",\"m.room.redaction\"]}}}";

/* ---- appservice transports ------------------------------------------------------------ */

struct found_invite {
    const char *room_id, *inviter;
    bool direct;
};

/* One appservice transaction (push or websocket): its events reach the same handling as a
 * /sync batch, inside one store transaction that also records the txnId, so a retried or
 * replayed transaction is recognised and acknowledged without being handled twice. */
static int handle_transaction(void *ud, const char *txn_id, const cJSON *events)
{
    camas_core *c = ud;
    char key[320];
    snprintf(key, sizeof key, "txn:%.300s", txn_id);
    int seen = camas_store_seen(c->st, key);
    if (seen < 0)
        return -1;
    if (seen) {
        log_debug("matrix", "transaction %s was handled before", txn_id);
        return 0;
    }
    struct found_invite invites[16];
    size_t n_invites = 0;
    struct receipt receipts[64];
    size_t n_receipts = 0;
    if (camas_store_begin(c->st))
        return -1;
    const cJSON *ev;
    cJSON_ArrayForEach(ev, events)
    {
        const char *room_id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "room_id"));
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "type"));
        const char *sk = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "state_key"));
        if (!room_id || !type)
            continue;
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(ev, "content");
        const char *membership =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(content, "membership"));
        if (strcmp(type, "m.room.member") == 0 && sk && strcmp(sk, c->user_id) == 0) {
            const char *sender =
                cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "sender"));
            if (membership && strcmp(membership, "invite") == 0 && sender && n_invites < 16)
                invites[n_invites++] = (struct found_invite){
                    room_id, sender,
                    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(content, "is_direct"))};
            continue;
        }
        struct room *room = room_get(c, room_id);
        const char *last = NULL;
        if (!room || handle_timeline_event(c, room, ev, &last))
            goto fail;
        if (last && n_receipts < 64)
            receipts[n_receipts++] = (struct receipt){room->room_id, last};
    }
    if (camas_store_mark_seen(c->st, key, "", camas_now_ms()) || camas_store_commit(c->st))
        goto fail;
    for (size_t i = 0; i < n_invites; i++)
        act_on_invite(c, invites[i].room_id, invites[i].inviter, invites[i].direct);
    for (size_t i = 0; i < n_receipts; i++)
        send_receipt(c, receipts[i].room_id, receipts[i].event_id);
    dispatch_inbox(c);
    pump(c);
    return 0;
fail:
    log_error("store", "could not record transaction %s; it must be delivered again", txn_id);
    camas_store_rollback(c->st);
    for (size_t i = 0; i < c->n_rooms; i++)
        c->rooms[i]->awaiting = 0;
    return -1;
}

/* Asks the homeserver to ping camas's appservice endpoint: besides checking the path, it
 * makes a homeserver that backed off after failed pushes retry at once. */
static void appservice_ping(camas_core *c)
{
    char *path = client_path((const char *const[]){"/appservice/", c->reg.id, "/ping", NULL});
    if (!path)
        return;
    /* client_path builds /v3; this endpoint lives under /v1. */
    char *v3 = strstr(path, "/v3/");
    if (v3)
        memcpy(v3, "/v1/", 4);
    char body[96];
    snprintf(body, sizeof body, "{\"transaction_id\":\"camas-%lld\"}", (long long)camas_now_ms());
    fire(c, "appservice ping", "POST", path, body);
    free(path);
}

static void on_ws_connected(void *ud)
{
    camas_core *c = ud;
    appservice_ping(c);
    if (!c->ready_logged) {
        c->ready_logged = true;
        log_info("matrix", "ready: event stream connected as %s", c->user_id);
    }
}

static void on_ws_replaced(void *ud)
{
    camas_core *c = ud;
    log_warn("matrix", "conn_replaced: another instance now receives the event stream; this "
                       "one stops");
    stop(c, 0);
}

static void start_transport(camas_core *c)
{
    char err[600];
    if (c->cfg->transport == CAMAS_TRANSPORT_PUSH && !c->push) {
        c->push = camas_push_new(c->ctx, c->cfg->as_listen, c->reg.hs_token, handle_transaction, c,
                                 err, sizeof err);
        if (!c->push) {
            camas_http_response r = {.status = 0, .error = err};
            c->phase = PH_RUNNING;
            setup_retry(c, "starting the appservice listener", &r);
            return;
        }
        appservice_ping(c);
        if (!c->ready_logged) {
            c->ready_logged = true;
            log_info("matrix", "ready: receiving appservice transactions as %s", c->user_id);
        }
    } else if (c->cfg->transport == CAMAS_TRANSPORT_WEBSOCKET && !c->ws) {
        char url[600];
        if (*c->cfg->as_websocket_url)
            snprintf(url, sizeof url, "%s", c->cfg->as_websocket_url);
        else
            snprintf(url, sizeof url, "%s://%s:%d%s", c->ep.tls ? "wss" : "ws", c->ep.host,
                     c->ep.port, c->ep.base_path);
        camas_wsclient_callbacks cbs = {handle_transaction, on_ws_connected, on_ws_replaced};
        c->ws = camas_wsclient_new(c->ctx, url, c->reg.as_token, &cbs, c, err, sizeof err);
        if (!c->ws) {
            log_error("matrix", "appservice.websocket_url: %s", err);
            stop(c, 2);
        }
    }
}

static void setup_step(camas_core *c)
{
    if (c->setup_req || c->phase == PH_STOPPED)
        return;
    char *path = NULL;
    switch (c->phase) {
    case PH_DISCOVER: {
        camas_endpoint wk;
        char err[256], url[512];
        snprintf(url, sizeof url, "https://%s", c->cfg->server_name);
        if (camas_endpoint_parse(&wk, url, err, sizeof err)) {
            log_error("matrix", "homeserver.server_name: %s", err);
            stop(c, 2);
            return;
        }
        camas_http_options o = {.method = "GET",
                                .path = "/.well-known/matrix/client",
                                .body = NULL,
                                .timeout_ms = SETUP_TIMEOUT_MS};
        c->setup_req = camas_http_start(&c->pool, &wk, &o, on_wellknown, c);
        break;
    }
    case PH_VERSIONS: {
        camas_http_options o = {.method = "GET",
                                .path = "/_matrix/client/versions",
                                .body = NULL,
                                .timeout_ms = SETUP_TIMEOUT_MS};
        c->setup_req = camas_http_start(&c->pool, &c->ep, &o, on_versions, c);
        break;
    }
    case PH_LOGIN: {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "type", "m.login.password");
        cJSON *ident = cJSON_AddObjectToObject(j, "identifier");
        cJSON_AddStringToObject(ident, "type", "m.id.user");
        cJSON_AddStringToObject(ident, "user", c->cfg->user_id);
        cJSON_AddStringToObject(j, "password", c->cfg->password);
        if (c->device_id) /* keep the device, so txnIds and the device list stay stable */
            cJSON_AddStringToObject(j, "device_id", c->device_id);
        cJSON_AddStringToObject(j, "initial_device_display_name", c->cfg->device_name);
        char *body = cJSON_PrintUnformatted(j);
        cJSON_Delete(j);
        camas_http_options o = {.method = "POST",
                                .path = "/_matrix/client/v3/login",
                                .body = body,
                                .timeout_ms = SETUP_TIMEOUT_MS};
        c->setup_req = body ? camas_http_start(&c->pool, &c->ep, &o, on_login, c) : NULL;
        if (body) {
            memset(body, 0, strlen(body));
            free(body);
        }
        break;
    }
    case PH_WHOAMI:
        c->setup_req = api(c, "GET", "/_matrix/client/v3/account/whoami", NULL, SETUP_TIMEOUT_MS,
                           on_whoami, c);
        break;
    case PH_FILTER: {
        char filter[sizeof sync_filter_fmt + 32];
        snprintf(filter, sizeof filter, sync_filter_fmt, c->cfg->sync_timeline_limit);
        path = client_path((const char *const[]){"/user/", c->user_id, "/filter", NULL});
        c->setup_req = path ? api(c, "POST", path, filter, SETUP_TIMEOUT_MS, on_filter, c) : NULL;
        break;
    }
    case PH_JOINS:
        join_configured(c);
        if (c->joins_pending == 0)
            advance(c, PH_RUNNING);
        return;
    case PH_RUNNING:
        if (c->as_mode)
            start_transport(c);
        else
            sync_now(c);
        dispatch_inbox(c);
        pump(c);
        return;
    case PH_STOPPED:
        return;
    }
    free(path);
    if (!c->setup_req)
        lws_sul_schedule(c->ctx, 0, &c->setup_timer, on_setup_timer, LWS_US_PER_SEC);
}

/* The token was rejected: log in again if we can, else stop with a clear message. */
static void relogin_or_stop(camas_core *c, const char *where)
{
    if (c->phase == PH_LOGIN || c->phase == PH_STOPPED)
        return;
    camas_http_cancel(c->sync_req);
    c->sync_req = NULL;
    sends_cancel_all(c);
    camas_store_delete(c->st, "access_token");
    clear_secret(&c->access_token);
    if (c->as_mode) {
        log_error("matrix",
                  "the homeserver rejected the appservice as_token (M_UNKNOWN_TOKEN) "
                  "while %s: is the registration loaded by the homeserver "
                  "(app_service_config_files) and the same file as "
                  "appservice.registration?",
                  where);
        stop(c, 1);
        return;
    }
    if (!c->cfg->password || !*c->cfg->password) {
        log_error("matrix",
                  "the homeserver rejected the access token (M_UNKNOWN_TOKEN) while %s, and no "
                  "password is configured to log in again: put a new access token in "
                  "auth.access_token (or auth.access_token_file), or set auth.password",
                  where);
        stop(c, 1);
        return;
    }
    log_warn("matrix", "the homeserver rejected the access token while %s; logging in again",
             where);
    c->phase = PH_LOGIN;
    camas_backoff_reset(&c->setup_bo);
    lws_sul_schedule(c->ctx, 0, &c->setup_timer, on_setup_timer, 1);
}

/* ---- life cycle ----------------------------------------------------------------------- */

camas_core *camas_core_new(const camas_config *cfg, camas_store *st, struct lws_context *ctx,
                           camas_plugin_host *host)
{
    camas_core *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->host = host;
    c->cfg = cfg;
    c->st = st;
    c->ctx = ctx;
    c->pool.ctx = ctx;
    c->exit_code = -1;
    c->setup_bo = (camas_backoff){500, 30000, 0};
    c->sync_bo = (camas_backoff){500, 30000, 0};
    c->send_bo = (camas_backoff){250, 30000, 0};
    c->join_bo = (camas_backoff){1000, JOIN_RETRY_MS, 0};
    c->rl_user = camas_ratelimit_new(cfg->help_user_per_minute);
    c->rl_room = camas_ratelimit_new(cfg->help_room_per_minute);
    c->safety = camas_safety_new();
    c->convo = camas_convo_new();
    c->joins = calloc(cfg->n_rooms + 1, sizeof *c->joins);
    if (c->joins) {
        bool admin_listed = false;
        for (size_t i = 0; i < cfg->n_rooms; i++) {
            c->joins[i] = (struct join_target){cfg->rooms[i].id, cfg->rooms[i].kind, false, false};
            if (*cfg->admin_room && strcmp(cfg->rooms[i].id, cfg->admin_room) == 0)
                c->joins[i].is_admin_room = admin_listed = true;
        }
        c->n_joins = cfg->n_rooms;
        if (*cfg->admin_room && !admin_listed)
            c->joins[c->n_joins++] =
                (struct join_target){cfg->admin_room, CAMAS_ROOM_STAFF, true, false};
    }
    if (!c->rl_user || !c->rl_room || !c->safety || !c->joins) {
        camas_core_free(c);
        return NULL;
    }
    return c;
}

void camas_core_start(camas_core *c)
{
    const camas_config *cfg = c->cfg;
    char *first = camas_store_get(c->st, "first_start_ms");
    if (first) {
        c->first_start_ms = strtoll(first, NULL, 10);
        free(first);
    } else {
        c->first_start_ms = camas_now_ms();
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)c->first_start_ms);
        camas_store_set(c->st, "first_start_ms", buf);
    }
    c->since = camas_store_get(c->st, "next_batch");
    c->device_id = camas_store_get(c->st, "device_id");
    if (cfg->transport != CAMAS_TRANSPORT_SYNC) {
        char err[600];
        if (camas_registration_load(cfg->as_registration, &c->reg, err, sizeof err)) {
            log_error("matrix", "appservice.registration: %s", err);
            stop(c, 2);
            return;
        }
        c->as_mode = true;
        c->access_token = strdup(c->reg.as_token);
    } else if (cfg->access_token && *cfg->access_token) {
        c->access_token = strdup(cfg->access_token);
    } else {
        c->access_token = camas_store_get(c->st, "access_token");
        /* A session saved for another account is not ours to reuse. */
        char *saved_user = camas_store_get(c->st, "user_id");
        if (c->access_token && saved_user && strcmp(saved_user, cfg->user_id) != 0 &&
            cfg->user_id[0] == '@') {
            clear_secret(&c->access_token);
            free(c->device_id);
            c->device_id = NULL;
        }
        free(saved_user);
        if (!c->access_token && (!cfg->password || !*cfg->password)) {
            log_error("matrix", "no credentials: set auth.password or auth.access_token in %s",
                      cfg->path ? cfg->path : "the configuration");
            stop(c, 2);
            return;
        }
    }
    char err[256];
    if (*cfg->homeserver_url) {
        if (camas_endpoint_parse(&c->ep, cfg->homeserver_url, err, sizeof err)) {
            log_error("matrix", "homeserver.url: %s", err);
            stop(c, 2);
            return;
        }
        c->phase = PH_VERSIONS;
    } else {
        c->phase = PH_DISCOVER;
    }
    log_info("matrix", "starting (first started at %lld, %s)", (long long)c->first_start_ms,
             c->since ? "resuming from the saved sync token" : "no sync token yet");
    lws_sul_schedule(c->ctx, 0, &c->setup_timer, on_setup_timer, 1);
}

int camas_core_exit_code(const camas_core *c)
{
    return c->exit_code;
}

bool camas_core_ready(const camas_core *c, size_t *rooms)
{
    if (rooms)
        *rooms = c->n_rooms;
    return c->ready_logged;
}

void camas_core_free(camas_core *c)
{
    if (!c)
        return;
    sends_cancel_all(c);
    camas_http_pool_cancel_all(&c->pool);
    camas_push_free(c->push);
    camas_wsclient_free(c->ws);
    sodium_memzero(&c->reg, sizeof c->reg);
    lws_sul_cancel(&c->setup_timer);
    lws_sul_cancel(&c->sync_timer);
    lws_sul_cancel(&c->send_timer);
    lws_sul_cancel(&c->join_timer);
    for (size_t i = 0; i < c->n_rooms; i++)
        room_free(c->rooms[i]);
    free(c->rooms);
    for (size_t i = 0; i < c->n_invites_inflight; i++)
        free(c->invites_inflight[i]);
    free(c->invites_inflight);
    free(c->joins);
    free(c->admin_room_id);
    for (size_t i = 0; i < c->n_held_alerts; i++)
        free(c->held_alerts[i]);
    for (size_t i = 0; i < c->n_inflight; i++)
        free(c->inflight[i]);
    free(c->inflight);
    camas_ratelimit_free(c->rl_user);
    camas_ratelimit_free(c->rl_room);
    camas_safety_free(c->safety);
    camas_convo_free(c->convo);
    clear_secret(&c->access_token);
    free(c->user_id);
    free(c->device_id);
    free(c->filter_id);
    free(c->since);
    free(c);
}
