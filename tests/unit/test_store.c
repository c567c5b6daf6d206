/* Unit tests for the durable store: key/values, seen events, room flags, and the outbox's
 * exactly-once rules across close/reopen (a crash between queueing and sending). */
#include "check.h"
#include "store.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
    char dir[] = "/tmp/camas-test-store-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char sub[600];
    snprintf(sub, sizeof sub, "%s/a/b/state", dir);
    char err[256];
    camas_store *st = camas_store_open(sub, err, sizeof err);
    CHECK(st != NULL);
    if (!st)
        return check_done("store");
    struct stat sb;
    CHECK(stat(sub, &sb) == 0 && (sb.st_mode & 077) == 0); /* private directory */

    CHECK(camas_store_get(st, "next_batch") == NULL);
    CHECK(camas_store_set(st, "next_batch", "s1") == 0);
    CHECK(camas_store_set(st, "next_batch", "s2") == 0);
    char *v = camas_store_get(st, "next_batch");
    CHECK_STR(v, "s2");
    free(v);
    CHECK(camas_store_delete(st, "next_batch") == 0);
    CHECK(camas_store_get(st, "next_batch") == NULL);

    CHECK(camas_store_seen(st, "$e1") == 0);
    CHECK(camas_store_mark_seen(st, "$e1", "!r", 5) == 0);
    CHECK(camas_store_mark_seen(st, "$e1", "!r", 5) == 0); /* idempotent */
    CHECK(camas_store_seen(st, "$e1") == 1);

    CHECK(camas_store_room_flags(st, "!r") == 0);
    CHECK(camas_store_room_set_flag(st, "!r", CAMAS_ROOMFLAG_DIRECT) == 0);
    CHECK(camas_store_room_set_flag(st, "!r", CAMAS_ROOMFLAG_ENCRYPTED_NOTICE) == 0);
    CHECK(camas_store_room_flags(st, "!r") ==
          (CAMAS_ROOMFLAG_DIRECT | CAMAS_ROOMFLAG_ENCRYPTED_NOTICE));
    CHECK(camas_store_room_clear_flag(st, "!r", CAMAS_ROOMFLAG_DIRECT) == 0);
    CHECK(camas_store_room_flags(st, "!r") == CAMAS_ROOMFLAG_ENCRYPTED_NOTICE);

    /* A rolled-back batch leaves nothing behind. */
    CHECK(camas_store_begin(st) == 0);
    CHECK(camas_store_mark_seen(st, "$e2", "!r", 6) == 0);
    char txn[40];
    CHECK(camas_store_outbox_add(st, "!r", "m.room.message", "{\"body\":\"x\"}", "$e2", txn) == 0);
    camas_store_rollback(st);
    CHECK(camas_store_seen(st, "$e2") == 0);
    CHECK(camas_store_outbox_count(st) == 0);

    /* Outbox order and txn ids. */
    char t1[40], t2[40];
    CHECK(camas_store_begin(st) == 0);
    CHECK(camas_store_outbox_add(st, "!r", "m.room.message", "{\"n\":1}", "$q1", t1) == 0);
    CHECK(camas_store_outbox_add(st, "!r", "m.room.message", "{\"n\":2}", "$q2", t2) == 0);
    CHECK(camas_store_commit(st) == 0);
    CHECK(strcmp(t1, t2) != 0);
    CHECK(strncmp(t1, "camas.", 6) == 0 && strlen(t1) == 38);
    CHECK(camas_store_outbox_count(st) == 2);

    /* "Crash" before sending: close and reopen; the same item with the same txn id is next. */
    /* unanswered questions: counted, kept for a while, purged on demand */
    CHECK(camas_store_unanswered_add(st, "what is the budget", 90 * 86400000LL) == 0);
    CHECK(camas_store_unanswered_add(st, "what is the budget", 90 * 86400000LL) == 0);
    CHECK(camas_store_unanswered_add(st, "who is bob", 90 * 86400000LL) == 0);
    CHECK(camas_store_unanswered_purge(st, 90 * 86400000LL) == 0); /* all recent */
    CHECK(camas_store_unanswered_purge(st, 0) == 2);               /* --purge */
    CHECK(camas_store_unanswered_purge(st, 0) == 0);
    camas_store_close(st);
    st = camas_store_open(sub, err, sizeof err);
    CHECK(st != NULL);
    camas_outbox_item it;
    CHECK(camas_store_outbox_peek(st, &it) == 1);
    CHECK_STR(it.txn_id, t1);
    CHECK_STR(it.content, "{\"n\":1}");
    CHECK_STR(it.in_reply_to, "$q1");
    CHECK(it.attempts == 0);
    CHECK(camas_store_outbox_bump_attempts(st, it.txn_id) == 0);
    camas_outbox_item_free(&it);
    CHECK(camas_store_outbox_peek(st, &it) == 1);
    CHECK(it.attempts == 1);
    CHECK(camas_store_outbox_sent(st, it.txn_id, "$reply1") == 0);
    /* an echo of an item already sent changes nothing; an unknown txnId neither */
    CHECK(camas_store_outbox_echoed(st, it.txn_id, "$other") == 0);
    CHECK(camas_store_outbox_echoed(st, "camas.unknown", "$x") == 0);
    camas_outbox_item_free(&it);

    char *room = NULL;
    char *reply = camas_store_reply_event_for(st, "$q1", &room);
    CHECK_STR(reply, "$reply1");
    CHECK_STR(room, "!r");
    free(reply);
    free(room);
    CHECK(camas_store_reply_event_for(st, "$q2", NULL) == NULL); /* not sent yet */

    /* The echo of a pending item (a send cut short by a crash that the homeserver completed)
     * marks it sent, once. */
    char t9[40];
    CHECK(camas_store_outbox_add(st, "!r", "m.room.message", "{\"n\":3}", "$q3", t9) == 0);
    CHECK(camas_store_outbox_count(st) == 2);
    CHECK(camas_store_outbox_echoed(st, t9, "$reply3") == 1);
    CHECK(camas_store_outbox_echoed(st, t9, "$reply3") == 0);
    CHECK(camas_store_outbox_count(st) == 1);
    reply = camas_store_reply_event_for(st, "$q3", NULL);
    CHECK_STR(reply, "$reply3");
    free(reply);

    /* Redacting the question drops its pending reply. */
    CHECK(camas_store_outbox_drop_replies_to(st, "$q2") == 1);
    CHECK(camas_store_outbox_drop_replies_to(st, "$q2") == 0);
    CHECK(camas_store_outbox_count(st) == 0);
    CHECK(camas_store_outbox_peek(st, &it) == 0);

    /* A dropped item never comes back. */
    char t3[40];
    CHECK(camas_store_outbox_add(st, "!r", "m.room.message", "{}", NULL, t3) == 0);
    CHECK(camas_store_outbox_drop(st, t3, "M_FORBIDDEN") == 0);
    CHECK(camas_store_outbox_peek(st, &it) == 0);

    /* A waiting question seen answered is dropped, unless its hotline went out on receipt (a
     * reply of its own, before the answer). */
    camas_inbox_item q = {.event_id = "$iq1",
                          .room_id = "!r",
                          .sender = "@a:x",
                          .text = "hi",
                          .lang = "en",
                          .danger = CAMAS_INBOX_SAFE};
    CHECK(camas_store_inbox_add(st, &q) == 0);
    q.event_id = "$iq2";
    q.danger = CAMAS_INBOX_DANGER_SENT;
    CHECK(camas_store_inbox_add(st, &q) == 0);
    CHECK(camas_store_inbox_has(st, "$iq1") == 1);
    CHECK(camas_store_inbox_drop_answered(st, "$iq1") == 1);
    CHECK(camas_store_inbox_has(st, "$iq1") == 0);
    CHECK(camas_store_inbox_drop_answered(st, "$iq1") == 0);
    CHECK(camas_store_inbox_drop_answered(st, "$iq2") == 0);
    CHECK(camas_store_inbox_has(st, "$iq2") == 1);
    camas_store_close(st);

    /* An unusable directory is reported, not crashed on. */
    CHECK(camas_store_open("/proc/camas-cannot-exist/x", err, sizeof err) == NULL);
    CHECK(strstr(err, "state directory") != NULL);

    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    return check_done("store");
}
