/* The Matrix client core: the /sync loop, one batch handled inside one store transaction,
 * and the filling of gaps when a batch says events are missing. */
#include "matrix_internal.h"
#include "log.h"
#include "util.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- handling a sync batch ----------------------------------------------------------- */

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

/* Handles one parsed /sync response inside a transaction. Returns 0, or -1 to retry it. */
static int handle_sync(camas_core *c, cJSON *sync, struct receipt **receipts, size_t *n_receipts)
{
    const cJSON *next = cJSON_GetObjectItemCaseSensitive(sync, "next_batch");
    if (!cJSON_IsString(next) || !*next->valuestring) {
        log_warn("matrix", "/sync response has no next_batch; retrying");
        return -1;
    }
    const cJSON *rooms = object_member(sync, "rooms");
    const cJSON *join = object_member(rooms, "join");
    /* The questions camas has replied to, anywhere in the batch, are not answered again. */
    struct answered answered = {0};
    const cJSON *jroom;
    cJSON_ArrayForEach(jroom, join)
    {
        const cJSON *timeline = cJSON_GetObjectItemCaseSensitive(jroom, "timeline");
        if (answered_add(c, &answered, cJSON_GetObjectItemCaseSensitive(timeline, "events"))) {
            answered_free(&answered);
            return -1;
        }
    }
    answered_sort(&answered);
    if (camas_store_begin(c->st)) {
        answered_free(&answered);
        return -1;
    }
    if (answered_drop_from_inbox(c, &answered))
        goto fail;
    /* Messages that could not be decrypted before, whose keys came with this batch. */
    if (e2ee_retry_undecryptable(c, handle_decrypted_late, &answered))
        goto fail;
    cJSON_ArrayForEach(jroom, join)
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
            if (handle_timeline_event(c, room, ev, &answered, &last_event))
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
    store_ok(c);
    set_str(&c->since, next->valuestring);
    answered_free(&answered);
    return 0;
fail:
    store_failed(c, "the sync batch");
    camas_store_rollback(c->st);
    answered_free(&answered);
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
    crypto_feed_sync(c, sync); /* room keys first: the timeline may need them */
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
    crypto_pump(c);
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
    bool retry;             /* a page failed for a passing reason: fetch the batch again */
    struct gap_room *rooms; /* still fetching: freed by gaps_free if camas stops meanwhile */
};

struct gap_room {
    struct gap_fill *fill;
    struct gap_room *next;
    cJSON *timeline; /* inside fill->sync */
    cJSON *older;    /* fetched events, oldest first */
    char room_id[256];
    int pages;
};

static void gap_fill_release(struct gap_fill *f)
{
    if (--f->pending == 0) {
        camas_core *c = f->c;
        c->gap_fill = NULL;
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
    for (struct gap_room **p = &f->rooms; *p; p = &(*p)->next)
        if (*p == g) {
            *p = g->next;
            break;
        }
    free(g);
    gap_fill_release(f);
}

void gaps_free(camas_core *c)
{
    struct gap_fill *f = c->gap_fill;
    if (!f)
        return;
    while (f->rooms) {
        struct gap_room *g = f->rooms;
        f->rooms = g->next;
        cJSON_Delete(g->older);
        free(g);
    }
    cJSON_Delete(f->sync);
    free(f);
    c->gap_fill = NULL;
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
            c->gap_fill = f;
        }
        struct gap_room *g = calloc(1, sizeof *g);
        if (!g)
            continue;
        g->fill = f;
        g->timeline = timeline;
        g->older = cJSON_CreateArray();
        g->next = f->rooms;
        f->rooms = g;
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
        transport_ok(c);
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
    char why[400];
    snprintf(why, sizeof why, "%s%s%s", r->status ? e.errcode : "",
             r->status && e.errcode[0] ? " " : "", e.error);
    transport_failed(c, why);
    log_warn("matrix", "/sync failed (%s%s%s); retrying in %lld ms", r->status ? e.errcode : "",
             r->status && e.errcode[0] ? " " : "", e.error, (long long)wait);
    sync_later(c, wait);
}

/* The first /sync of a run waits (PLUGIN_WAIT_MS at most) until the plugins' first loads have
 * finished: messages are routed as they arrive, and a plugin's command routed before its load
 * would get "unknown command" (seen on Dendrite, which answers the first /sync sooner). */
static bool plugins_still_loading(camas_core *c)
{
    if (c->ready_logged || camas_plugin_host_loads_done(c->host))
        return false;
    int64_t now = camas_monotonic_ms();
    if (!c->plugin_wait_until)
        c->plugin_wait_until = now + PLUGIN_WAIT_MS;
    if (now >= c->plugin_wait_until)
        return false;
    lws_sul_schedule(c->ctx, 0, &c->sync_timer, on_sync_timer, 50 * LWS_US_PER_MS);
    return true;
}

void sync_now(camas_core *c)
{
    if (c->phase != PH_RUNNING || c->sync_req || plugins_still_loading(c))
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
