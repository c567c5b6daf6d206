/* Durable state in the state directory (SQLite, WAL): key/value settings such as the sync
 * token, the set of handled events, per-room flags, and the outbox of replies to send. */
#ifndef CAMAS_STORE_H
#define CAMAS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct camas_store camas_store;

/* Creates dir (0700) if needed and opens dir/camas.db. Returns NULL with a reason in err. */
camas_store *camas_store_open(const char *dir, char *err, size_t errlen);
void camas_store_close(camas_store *st);

/* Transactions group "mark handled + queue replies + advance token" atomically. */
int camas_store_begin(camas_store *st);
int camas_store_commit(camas_store *st);
void camas_store_rollback(camas_store *st);
/* SQLite's message for the last failure ("database or disk is full"). */
const char *camas_store_error(camas_store *st);

/* Returns a malloc'd value, or NULL when absent (or on error). */
char *camas_store_get(camas_store *st, const char *key);
int camas_store_set(camas_store *st, const char *key, const char *value);
int camas_store_delete(camas_store *st, const char *key);

/* 1 if event_id was handled before, 0 if not, -1 on error. */
int camas_store_seen(camas_store *st, const char *event_id);
int camas_store_mark_seen(camas_store *st, const char *event_id, const char *room_id,
                          int64_t ts_ms);

/* Per-room flags (bit set), e.g. "encryption notice already posted". */
/* ENCRYPTED_NOTICE: the "cannot read encrypted messages" notice went (so the room is
 * encrypted); ENCRYPTED: the room is encrypted (replies there must be). */
enum {
    CAMAS_ROOMFLAG_ENCRYPTED_NOTICE = 1,
    CAMAS_ROOMFLAG_DIRECT = 2,
    CAMAS_ROOMFLAG_ENCRYPTED = 4,
};
int camas_store_room_flags(camas_store *st, const char *room_id);
int camas_store_room_set_flag(camas_store *st, const char *room_id, int flag);
int camas_store_room_clear_flag(camas_store *st, const char *room_id, int flag);

typedef struct camas_outbox_item {
    int64_t seq;
    char *txn_id;
    char *room_id;
    char *event_type;
    char *content; /* JSON */
    char *in_reply_to;
    int attempts;
} camas_outbox_item;

/* Queues an event; the txn_id (stable across restarts) is written to txn_out (>= 40 bytes). */
int camas_store_outbox_add(camas_store *st, const char *room_id, const char *event_type,
                           const char *content_json, const char *in_reply_to, char *txn_out);
/* Loads up to max of the oldest pending items into items; returns the count or -1. */
int camas_store_outbox_pending(camas_store *st, camas_outbox_item *items, int max);
/* Loads the oldest pending item into *item; 1 found, 0 none, -1 error. */
int camas_store_outbox_peek(camas_store *st, camas_outbox_item *item);
int camas_store_outbox_count(camas_store *st);
/* When the oldest waiting reply was queued (Unix ms), 0 if none, -1 on error. */
int64_t camas_store_outbox_oldest_ms(camas_store *st);
/* Marks the item sent (remembering the event id the server gave it). */
int camas_store_outbox_sent(camas_store *st, const char *txn_id, const char *event_id);
/* Drops a pending item for good (a permanent error), counting it as failed. */
int camas_store_outbox_drop(camas_store *st, const char *txn_id, const char *why);
int camas_store_outbox_bump_attempts(camas_store *st, const char *txn_id);
/* The homeserver echoed event_id, sent with txn_id, back in /sync: a pending item with that
 * txnId was delivered after all (a send cut short by a crash, that the homeserver completed)
 * and is marked sent. Returns 1 if a pending item was marked, 0 if none, -1 on error. */
int camas_store_outbox_echoed(camas_store *st, const char *txn_id, const char *event_id);
/* Drops pending replies to a question that has been redacted; returns how many. */
int camas_store_outbox_drop_replies_to(camas_store *st, const char *question_event_id);
/* The event id of the reply already sent to a question, or NULL. */
char *camas_store_reply_event_for(camas_store *st, const char *question_event_id,
                                  char **room_id_out);
void camas_outbox_item_free(camas_outbox_item *item);

/* The inbox: questions taken from a sync batch and waiting for the plugins' answer. Added in
 * the batch's transaction, removed in the transaction that queues the answer, so a crash in
 * between asks again instead of losing the question. */
typedef struct camas_inbox_item {
    char *event_id;
    char *room_id;
    char *sender;
    char *thread_root; /* may be NULL */
    char *text;
    char *lang;
    char *command; /* plugin command, or NULL for a question */
    char *args;
    int room_kind;
    int danger; /* enum camas_inbox_danger: the safety patterns' verdict */
    int attempts;
} camas_inbox_item;

enum camas_inbox_danger {
    CAMAS_INBOX_SAFE = 0,
    CAMAS_INBOX_DANGER_SENT = 1,     /* patterns fired; the hotline went out on receipt */
    CAMAS_INBOX_DANGER_DEFERRED = 2, /* patterns fired; the hotline leads the reply */
    CAMAS_INBOX_SAFETY_ONLY = 3,     /* rate limited: asked only for the learned verdict */
    CAMAS_INBOX_TOO_LONG = 4,        /* over the size cap: the hotline, or a notice */
};

int camas_store_inbox_add(camas_store *st, const camas_inbox_item *it);
/* Loads every pending item, oldest first, into a malloc'd array. Returns the count or -1. */
int camas_store_inbox_pending(camas_store *st, camas_inbox_item **items);
int camas_store_inbox_done(camas_store *st, const char *event_id);
int camas_store_inbox_bump(camas_store *st, const char *event_id);
/* 1 when the question is still waiting in the inbox, 0 when not, -1 on error. */
int camas_store_inbox_has(camas_store *st, const char *event_id);
/* Drops a waiting question that camas is seen to have answered already (a reply from it to the
 * question came in: the state was restored from an older backup). Not one whose patterns
 * fired (CAMAS_INBOX_DANGER_SENT): its hotline went out as a reply of its own on receipt, and
 * the answer follows. Returns how many were dropped (0 or 1), or -1. */
int camas_store_inbox_drop_answered(camas_store *st, const char *event_id);
void camas_inbox_item_free(camas_inbox_item *it);
void camas_inbox_items_free(camas_inbox_item *items, int n);

/* Questions camas could not answer, normalised and counted, for staff to improve the
 * knowledge. No user ids are stored: people asking about trafficking deserve privacy. */
/* Counts a question camas could not answer, and forgets those not seen for keep_ms. */
int camas_store_unanswered_add(camas_store *st, const char *normalised_question, int64_t keep_ms);
/* Forgets the questions not seen for keep_ms (all of them with 0). Returns how many, or -1. */
int camas_store_unanswered_purge(camas_store *st, int64_t keep_ms);
typedef void (*camas_unanswered_fn)(void *ud, const char *question, int count, int64_t last_ms);
int camas_store_unanswered_each(camas_store *st, camas_unanswered_fn fn, void *ud);

/* The audit log of plugin administration: who did what to which plugin, and the outcome. */
int camas_store_audit(camas_store *st, const char *actor, const char *action, const char *plugin,
                      const char *version, const char *sha256, const char *result,
                      const char *detail);
/* Calls fn for each audit record, oldest first; returns the count or -1. */
typedef void (*camas_audit_fn)(void *ud, int64_t ts_ms, const char *actor, const char *action,
                               const char *plugin, const char *version, const char *sha256,
                               const char *result, const char *detail);
int camas_store_audit_each(camas_store *st, camas_audit_fn fn, void *ud);

#endif
