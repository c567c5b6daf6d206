/* The Matrix client core: the appservice transports (push, websocket). Their transactions
 * go through the same event handling as a /sync batch. */
#include "matrix_internal.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    c->last_contact_ms = camas_monotonic_ms();
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
    struct answered answered = {0}; /* questions camas has replied to: not answered again */
    if (answered_add(c, &answered, events)) {
        answered_free(&answered);
        return -1;
    }
    answered_sort(&answered);
    if (camas_store_begin(c->st)) {
        answered_free(&answered);
        return -1;
    }
    if (answered_drop_from_inbox(c, &answered))
        goto fail;
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
        if (!room || handle_timeline_event(c, room, ev, &answered, &last))
            goto fail;
        if (last && n_receipts < 64)
            receipts[n_receipts++] = (struct receipt){room->room_id, last};
    }
    if (camas_store_mark_seen(c->st, key, "", camas_now_ms()) || camas_store_commit(c->st))
        goto fail;
    store_ok(c);
    answered_free(&answered);
    for (size_t i = 0; i < n_invites; i++)
        act_on_invite(c, invites[i].room_id, invites[i].inviter, invites[i].direct);
    for (size_t i = 0; i < n_receipts; i++)
        send_receipt(c, receipts[i].room_id, receipts[i].event_id);
    dispatch_inbox(c);
    pump(c);
    return 0;
fail:
    log_warn("store", "could not record transaction %s; it must be delivered again", txn_id);
    store_failed(c, "the transaction");
    camas_store_rollback(c->st);
    answered_free(&answered);
    for (size_t i = 0; i < c->n_rooms; i++)
        c->rooms[i]->awaiting = 0;
    return -1;
}

int camas_core_transaction(camas_core *c, const char *txn_id, const cJSON *events)
{
    return handle_transaction(c, txn_id, events);
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
    if (c->ws_was_connected)
        c->metrics.reconnects++;
    c->ws_was_connected = true;
    c->last_contact_ms = camas_monotonic_ms();
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

void start_transport(camas_core *c)
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
