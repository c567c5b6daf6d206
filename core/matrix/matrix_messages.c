/* The Matrix client core: what camas does with each room event of a batch (messages,
 * over-long messages, encryption, redactions), and the plugins' answers to the questions
 * it put in the inbox. */
#include "matrix_internal.h"
#include "log.h"
#include "messages.h"
#include "reply.h"
#include "router.h"
#include "text.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int handle_encryption(camas_core *c, struct room *room)
{
    const char *room_id = room->room_id;
    int flags = camas_store_room_flags(c->st, room_id);
    if (!room->encrypted)
        log_info("matrix", "%s is encrypted%s", room_id,
                 e2ee_on(c) ? ": replies there are encrypted" : "");
    room->encrypted = true;
    if (!(flags & CAMAS_ROOMFLAG_ENCRYPTED) &&
        camas_store_room_set_flag(c->st, room_id, CAMAS_ROOMFLAG_ENCRYPTED))
        return -1;
    if (e2ee_on(c) || (flags & CAMAS_ROOMFLAG_ENCRYPTED_NOTICE))
        return 0;
    log_info("matrix", "%s: encryption is off here: posting the notice once", room_id);
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

/* ---- questions already answered ------------------------------------------------------ */

/* Notes the questions camas's own messages among events reply to; 0, or -1 (no memory). */
int answered_add(camas_core *c, struct answered *a, const cJSON *events)
{
    const cJSON *ev;
    cJSON_ArrayForEach(ev, events)
    {
        const char *sender = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "sender"));
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "type"));
        /* An encrypted reply keeps its m.relates_to in clear beside the ciphertext. */
        if (!sender || !type || !c->user_id || strcmp(sender, c->user_id) != 0 ||
            (strcmp(type, "m.room.message") != 0 && strcmp(type, "m.room.encrypted") != 0))
            continue;
        const cJSON *rel = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(ev, "content"), "m.relates_to");
        const char *question = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(rel, "m.in_reply_to"), "event_id"));
        if (!question)
            continue;
        if (a->n == a->cap) {
            size_t cap = a->cap ? a->cap * 2 : 16;
            const char **grown = realloc(a->ids, cap * sizeof *grown);
            if (!grown)
                return -1;
            a->ids = grown;
            a->cap = cap;
        }
        a->ids[a->n++] = question;
    }
    return 0;
}

static int compare_ids(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

void answered_sort(struct answered *a)
{
    if (a->n > 1)
        qsort(a->ids, a->n, sizeof *a->ids, compare_ids);
}

bool answered_has(const struct answered *a, const char *event_id)
{
    return a && a->n && bsearch(&event_id, a->ids, a->n, sizeof *a->ids, compare_ids);
}

/* A question camas has answered is no longer waiting for the plugins (the inbox of a state
 * restored from a backup taken while it was). Inside the batch's transaction; 0 or -1. */
int answered_drop_from_inbox(camas_core *c, const struct answered *a)
{
    for (size_t i = 0; i < a->n; i++) {
        int dropped = camas_store_inbox_drop_answered(c->st, a->ids[i]);
        if (dropped < 0)
            return -1;
        if (dropped > 0)
            log_info("router", "%s was answered before; it no longer waits for the plugins",
                     a->ids[i]);
    }
    return 0;
}

void answered_free(struct answered *a)
{
    free(a->ids);
    *a = (struct answered){0};
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
    if (camas_store_inbox_has(c->st, it->event_id) == 0) {
        /* Dropped while the plugins were answering: a reply from camas to it came in (see
         * answered_drop_from_inbox). */
        log_info("router", "%s was answered before; its new answer is not sent", it->event_id);
        room_reply_sent(c, it->room_id);
        camas_inbox_item_free(it);
        free(ac);
        return;
    }
    /* The patterns' safety reply, if any, went out as its own event when the message came
     * in; the learned detector's verdict shapes this reply (hotline first, or a footer).
     * After a safety reply, an "I don't know" or an apology would only be noise. */
    camas_message q = {.room_id = it->room_id,
                       .sender = it->sender,
                       .event_id = it->event_id,
                       .thread_root = it->thread_root};
    camas_buf plain = {0}, html = {0};
    const camas_messages *msgs = camas_plugin_host_messages(c->host);
    /* The worker's level weighs the patterns' verdict it was given; a failed call falls
     * back to the patterns alone. */
    bool patterns =
        it->danger == CAMAS_INBOX_DANGER_SENT || it->danger == CAMAS_INBOX_DANGER_DEFERRED;
    int level = a->failed && patterns ? 2 : a->danger;
    const char *langs = camas_safety_langs(a->lang, a->bilingual);
    if (it->danger == CAMAS_INBOX_SAFETY_ONLY) /* rate limited: the hotline or nothing */
        camas_safety_compose(msgs, langs, level >= 2 ? 2 : 0, false, NULL, NULL, true, false,
                             &plain, &html);
    else if (it->danger == CAMAS_INBOX_TOO_LONG && level >= 2)
        camas_safety_compose(msgs, langs, 2, false, NULL, NULL, true, false, &plain, &html);
    else if (it->danger == CAMAS_INBOX_TOO_LONG) {
        struct room *room = room_find(c, it->room_id);
        if (room && long_notice_due(room)) /* else nothing: a notice went out lately */
            camas_safety_compose(msgs, a->lang, 0, false, camas_safety_too_long(msgs, a->lang),
                                 NULL, false, false, &plain, &html);
    } else
        camas_safety_compose(msgs, langs, level, it->danger == CAMAS_INBOX_DANGER_SENT, a->plain,
                             a->html, a->abstained || a->failed, a->clarify, &plain, &html);
    bool say = plain.len > 0;
    camas_metrics_answer(&c->metrics, a->plugin);
    if (a->clarify && say)
        c->metrics.clarifications++;
    if (a->abstained && !a->failed && !it->command && say)
        c->metrics.declines++;
    if (say && level >= 1 && it->danger != CAMAS_INBOX_DANGER_SENT)
        c->metrics.danger_replies++; /* the hotline first, or as a footer */
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
        store_failed(c, "an answer");
        camas_store_rollback(c->st);
        log_warn("store", "could not record the answer to %s; it will be asked again",
                 it->event_id);
    } else {
        store_ok(c);
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
void dispatch_inbox(camas_core *c)
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

/* The hotline as its own event: in the message's language, or in both when nothing in the
 * message says which (unsure: "911", "passport taken"). */
static char *safety_content(camas_core *c, const camas_message *m, const char *lang, bool unsure)
{
    camas_buf plain = {0}, html = {0};
    camas_safety_compose(camas_plugin_host_messages(c->host), camas_safety_langs(lang, unsure), 2,
                         false, NULL, NULL, true, false, &plain, &html);
    char *content = camas_reply_content(m, camas_buf_cstr(&plain), NULL);
    camas_buf_free(&plain);
    camas_buf_free(&html);
    return content;
}

static int handle_message(camas_core *c, struct room *room, camas_message *m)
{
    m->room_kind = room->kind;
    if (m->ts_ms && m->ts_ms < c->first_start_ms)
        return 0; /* history from before camas first started */
    if (room->encrypted && !e2ee_on(c))
        return 0; /* a plain reply would expose what members expect to be encrypted */
    if (!camas_router_addressed(m, c->user_id)) {
        /* Room policy never silences the safety reply, even where camas otherwise only
         * answers when addressed. */
        if (!camas_safety_check(c->safety, m->body, NULL))
            return 0;
        double sure = 0;
        const char *lang = camas_detect_lang(m->body, &sure);
        int rc = queue_event(c, m->room_id, "m.room.message", safety_content(c, m, lang, sure <= 0),
                             m->event_id);
        if (rc == 0) {
            room_reply_queued(c, room);
            c->metrics.danger_replies++;
        }
        return rc;
    }
    c->metrics.questions++;
    latency_question(c, m->event_id);
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
                         safety_content(c, m, r.lang, r.lang_unsure), m->event_id);
        if (rc == 0) {
            room_reply_queued(c, room);
            c->metrics.danger_replies++;
        }
    }
    if (limited)
        c->metrics.rate_limited++;
    /* A rate-limited question gets no answer, but its danger is still weighed: the learned
     * detector may see what the patterns did not (the reply is then the hotline alone),
     * warm or not (during a reload the last load's detector still reads messages). */
    bool safety_only = limited && !r.danger && r.kind == CAMAS_ROUTE_PLUGIN && !r.command[0];
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
    if ((m->ts_ms && m->ts_ms < c->first_start_ms) || (room->encrypted && !e2ee_on(c)))
        return 0;
    double sure = 0;
    const char *lang = camas_detect_lang(m->body, &sure);
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
        if (danger)
            c->metrics.danger_replies++;
        rc = queue_event(
            c, m->room_id, "m.room.message",
            danger ? safety_content(c, m, lang, sure <= 0)
                   : camas_reply_content(
                         m, camas_safety_too_long(camas_plugin_host_messages(c->host), lang), NULL),
            m->event_id);
    }
    if (rc == 0)
        room_reply_queued(c, room);
    return rc;
}

static int handle_plain_event(camas_core *c, struct room *room, const cJSON *ev, const cJSON *eid,
                              const struct answered *answered, const char **last_event);
static int handle_room_event(camas_core *c, struct room *room, const cJSON *ev, const cJSON *eid,
                             const struct answered *answered, const char **last_event);

int handle_timeline_event(camas_core *c, struct room *room, const cJSON *ev,
                          const struct answered *answered, const char **last_event)
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
    c->metrics.events_received++;
    const char *own_txn = camas_event_own_txn_id(ev, c->user_id);
    int echoed = own_txn ? camas_store_outbox_echoed(c->st, own_txn, eid->valuestring) : 0;
    if (echoed < 0)
        return -1;
    if (echoed && in_flight(c, own_txn)) /* the usual race with the answer to its PUT */
        log_debug("matrix", "%s came back in /sync as %s before its send finished", own_txn,
                  eid->valuestring);
    else if (echoed)
        log_info("matrix", "%s was delivered before (%s came back in /sync); not sending it again",
                 own_txn, eid->valuestring);
    return handle_room_event(c, room, ev, eid, answered, last_event);
}

/* The notice for messages camas cannot decrypt goes at most once per room per this long. */
#define UNDECRYPTABLE_NOTICE_MS (3600 * 1000LL)

/* An encrypted message camas cannot decrypt (yet): kept to try again when keys arrive, and
 * the room told, at most once an hour. */
static int handle_undecryptable(camas_core *c, struct room *room, const cJSON *ev)
{
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(ev, "origin_server_ts");
    int64_t ts_ms = 0;
    if (camas_json_int(ts, 1, CAMAS_TS_MAX_MS, &ts_ms) && ts_ms < c->first_start_ms)
        return 0; /* history from before camas first started */
    e2ee_keep_undecryptable(c, room->room_id, ev);
    int64_t now = camas_monotonic_ms();
    if (room->undecryptable_notice_ms &&
        now - room->undecryptable_notice_ms < UNDECRYPTABLE_NOTICE_MS)
        return 0;
    room->undecryptable_notice_ms = now;
    return queue_event(
        c, room->room_id, "m.room.message",
        camas_notice_content(camas_messages_get(camas_plugin_host_messages(c->host),
                                                CAMAS_MSG_NOTICE_UNDECRYPTABLE, NULL),
                             NULL),
        NULL);
}

/* Decrypts ev first when it is encrypted (and encryption is on); then handles it. */
static int handle_room_event(camas_core *c, struct room *room, const cJSON *ev, const cJSON *eid,
                             const struct answered *answered, const char **last_event)
{
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "type"));
    const char *sender = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "sender"));
    if (!e2ee_on(c) || !type || strcmp(type, "m.room.encrypted") != 0 || !sender ||
        (c->user_id && strcmp(sender, c->user_id) == 0))
        return handle_plain_event(c, room, ev, eid, answered, last_event);
    /* An encrypted event says the room is encrypted, whatever state camas saw. */
    if (!room->encrypted && handle_encryption(c, room))
        return -1;
    cJSON *plain = e2ee_decrypt(c, room->room_id, ev);
    if (!plain) {
        *last_event = eid->valuestring;
        return handle_undecryptable(c, room, ev);
    }
    /* The plain event's own strings back camas_message; ids for receipts stay the batch's. */
    const char *last = NULL;
    int rc = handle_plain_event(c, room, plain, eid, answered, &last);
    if (last)
        *last_event = eid->valuestring;
    cJSON_Delete(plain);
    return rc;
}

int handle_decrypted_late(camas_core *c, const char *room_id, const cJSON *plain, void *ud)
{
    struct room *room = room_get(c, room_id);
    const cJSON *eid = cJSON_GetObjectItemCaseSensitive(plain, "event_id");
    if (!room)
        return -1;
    if (!cJSON_IsString(eid))
        return 0;
    const char *last = NULL;
    return handle_plain_event(c, room, plain, eid, ud, &last);
}

/* Handles one readable event (eid: its event_id member, whose string outlives the batch). */
static int handle_plain_event(camas_core *c, struct room *room, const cJSON *ev, const cJSON *eid,
                              const struct answered *answered, const char **last_event)
{
    camas_message m;
    const char *redacts = NULL;
    camas_event_class cls = camas_event_classify(ev, room->room_id, c->user_id,
                                                 (size_t)c->cfg->max_message_bytes, &m, &redacts);
    if ((cls == CAMAS_EV_MESSAGE || cls == CAMAS_EV_TOO_LARGE) &&
        answered_has(answered, eid->valuestring)) {
        log_info("router",
                 "%s in %s was answered before (camas's reply to it came in too); "
                 "not answering it again",
                 eid->valuestring, room->room_id);
        *last_event = eid->valuestring;
        camas_message_clear(&m);
        return 0;
    }
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
