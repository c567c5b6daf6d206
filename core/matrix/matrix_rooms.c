/* The Matrix client core: the rooms camas is in (kind, typing notices, read receipts, the
 * direct-chat flag) and the invites it accepts or declines. */
#include "matrix_internal.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- rooms ------------------------------------------------------------------------ */

struct room *room_find(camas_core *c, const char *room_id)
{
    for (size_t i = 0; i < c->n_rooms; i++)
        if (strcmp(c->rooms[i]->room_id, room_id) == 0)
            return c->rooms[i];
    return NULL;
}

struct room *room_get(camas_core *c, const char *room_id)
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
    r->encrypted = flags & (CAMAS_ROOMFLAG_ENCRYPTED_NOTICE | CAMAS_ROOMFLAG_ENCRYPTED);
    c->rooms[c->n_rooms++] = r;
    return r;
}

void room_free(struct room *r)
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
void room_reply_queued(camas_core *c, struct room *r)
{
    r->awaiting++;
    if (!r->typing_on && !r->typing_scheduled) {
        r->typing_scheduled = true;
        lws_sul_schedule(c->ctx, 0, &r->typing_timer, on_typing_timer,
                         TYPING_DELAY_MS * LWS_US_PER_MS);
    }
}

void room_reply_sent(camas_core *c, const char *room_id)
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

/* ---- invites ----------------------------------------------------------------------- */

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

/* An invite seen in /sync (its invite_state names the inviter). */
void handle_invite(camas_core *c, const char *room_id, const cJSON *room)
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
void act_on_invite(camas_core *c, const char *room_id, const char *inviter, bool direct)
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
        c->metrics.invites_declined++;
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

/* ---- the direct-chat flag and read receipts ------------------------------------------ */

void update_direct_flag(camas_core *c, struct room *room, const cJSON *jroom)
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
void send_receipt(camas_core *c, const char *room_id, const char *event_id)
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
