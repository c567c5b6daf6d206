/* The Matrix client core: the outbox pump, which sends queued replies with their stored
 * txnIds (at most MAX_SENDS in flight), and queue_event, which adds to the outbox. */
#include "matrix_internal.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the outbox pump ---------------------------------------------------------------- */

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

/* One send in flight. Replies answer different questions and each names its question, so
 * several may travel at once: under a burst the homeserver's time per request, not camas,
 * then sets the pace. */
struct send_slot {
    camas_core *c;
    camas_outbox_item item;
    camas_http_request *req;
    bool encrypted; /* sent as m.room.encrypted */
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

void sends_cancel_all(camas_core *c)
{
    while (c->n_sending) {
        struct send_slot *s = c->sending[c->n_sending - 1];
        e2ee_encrypt_cancel(c, s);
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
        latency_replied(c, it->in_reply_to);
        cJSON *j = camas_json_parse_untrusted(r->body, r->body_len);
        const cJSON *eid = cJSON_GetObjectItemCaseSensitive(j, "event_id");
        const char *event_id = cJSON_IsString(eid) ? eid->valuestring : "";
        if (camas_store_outbox_sent(c->st, it->txn_id, event_id))
            log_error("store", "could not mark %s sent; it will be resent (deduplicated)",
                      it->txn_id);
        log_debug("matrix", "sent %s%s %s -> %s", it->event_type,
                  slot->encrypted ? " (encrypted)" : "", it->txn_id, event_id);
        cJSON_Delete(j);
        room_reply_sent(c, it->room_id);
        slot_remove(c, slot);
        camas_backoff_reset(&c->send_bo);
        pump(c);
        return;
    }
    matrix_error e;
    parse_error(r, &e);
    c->metrics.send_errors++;
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

bool in_flight(const camas_core *c, const char *txn_id)
{
    for (size_t i = 0; i < c->n_sending; i++)
        if (strcmp(c->sending[i]->item.txn_id, txn_id) == 0)
            return true;
    return false;
}

/* True when item must go encrypted: a room event (redactions are not encrypted) of a room
 * with m.room.encryption, encryption on. */
static bool needs_encryption(camas_core *c, const camas_outbox_item *item)
{
    if (!e2ee_on(c) || strcmp(item->event_type, "m.room.redaction") == 0)
        return false;
    struct room *room = room_get(c, item->room_id); /* its flags, after a restart too */
    return !room || room->encrypted;
}

/* The encrypted content of slot's item is ready (NULL: preparing it failed: dropped when the
 * homeserver refused for good, e.g. the room's members to a camas no longer in it; else
 * tried again later). */
static void on_encrypted(void *ud, char *encrypted, const camas_http_response *failed)
{
    struct send_slot *slot = ud;
    camas_core *c = slot->c;
    if (!encrypted && failed && failed->status >= 400 && failed->status < 500 &&
        failed->status != 408 && failed->status != 429) {
        matrix_error e;
        parse_error(failed, &e);
        c->metrics.send_errors++;
        log_warn("matrix", "dropping %s to %s: preparing its encryption failed: %d %s",
                 slot->item.event_type, slot->item.room_id, failed->status, e.errcode);
        camas_store_outbox_drop(c->st, slot->item.txn_id, e.errcode[0] ? e.errcode : e.error);
        room_reply_sent(c, slot->item.room_id);
        slot_remove(c, slot);
        pump(c);
        return;
    }
    char *path =
        encrypted
            ? client_path((const char *const[]){"/rooms/", slot->item.room_id, "/send/",
                                                "m.room.encrypted", "/", slot->item.txn_id, NULL})
            : NULL;
    slot->encrypted = true;
    if (path)
        slot->req = api(c, "PUT", path, encrypted, SEND_TIMEOUT_MS, on_send_done, slot);
    free(path);
    free(encrypted);
    if (!slot->req) {
        c->metrics.send_errors++;
        camas_store_outbox_bump_attempts(c->st, slot->item.txn_id);
        slot_remove(c, slot);
        send_retry_later(c, camas_backoff_next(&c->send_bo));
        return;
    }
    pump(c); /* the next encrypted reply can be prepared */
}

/* Starts preparing an encrypted send of item; 0, or -1 to pause the pump. */
static int start_encrypted_send(camas_core *c, camas_outbox_item *item)
{
    struct send_slot *slot = calloc(1, sizeof *slot);
    if (!slot) {
        camas_outbox_item_free(item);
        return -1;
    }
    slot->c = c;
    slot->item = *item;
    memset(item, 0, sizeof *item);
    c->sending[c->n_sending++] = slot;
    if (e2ee_encrypt(c, slot->item.room_id, slot->item.event_type, slot->item.content, on_encrypted,
                     slot)) {
        slot_remove(c, slot);
        return -1;
    }
    return 0;
}

/* Starts sending one outbox item; returns 0, or -1 to pause the pump. */
static int start_send(camas_core *c, camas_outbox_item *item)
{
    if (needs_encryption(c, item))
        return start_encrypted_send(c, item);
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

void pump(camas_core *c)
{
    /* Before the first /sync batch after a start, replies left pending by the previous run
     * wait: a send that a crash cut short may have been completed by the homeserver, and its
     * echo in that batch marks it sent (Dendrite does not deduplicate a txnId whose first
     * request was cut short, Synapse does). */
    if (c->phase != PH_RUNNING || (!c->as_mode && !c->ready_logged) || c->send_waiting ||
        c->n_sending >= MAX_SENDS)
        return;
    camas_outbox_item items[MAX_SENDS * 2];
    int n = camas_store_outbox_pending(c->st, items, MAX_SENDS * 2);
    if (n < 0) {
        log_error("store", "cannot read the outbox");
        return;
    }
    int i = 0;
    for (; i < n && c->n_sending < MAX_SENDS; i++) {
        /* One encrypted send is prepared at a time; the others wait their turn. */
        if (in_flight(c, items[i].txn_id) ||
            (e2ee_encrypt_busy(c) && needs_encryption(c, &items[i]))) {
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

/* Queues an event; returns 0 or -1 (the batch transaction is then rolled back). */
int queue_event(camas_core *c, const char *room_id, const char *type, char *content,
                const char *in_reply_to)
{
    if (!content)
        return -1;
    char txn[40];
    int rc = camas_store_outbox_add(c->st, room_id, type, content, in_reply_to, txn);
    free(content);
    return rc;
}
