/* Unit tests for event classification: own messages, notices, edits, redactions, encryption,
 * size caps, threads, mentions and reply-fallback stripping. */
#include "check.h"
#include "event.h"
#include "util.h"

#include <stdlib.h>

static const char *BOT = "@camas:localhost";

static camas_event_class classify(const char *json, camas_message *m, const char **redacts)
{
    cJSON *ev = cJSON_Parse(json);
    CHECK(ev != NULL);
    camas_event_class c = camas_event_classify(ev, "!room", BOT, 64, m, redacts);
    /* Copy what the tests look at before ev goes away. */
    static char thread[128], sender[128];
    thread[0] = sender[0] = '\0';
    if (c == CAMAS_EV_MESSAGE || c == CAMAS_EV_TOO_LARGE) {
        if (m->thread_root)
            snprintf(thread, sizeof thread, "%s", m->thread_root);
        snprintf(sender, sizeof sender, "%s", m->sender);
        m->thread_root = m->thread_root ? thread : NULL;
        m->sender = sender;
        m->event_id = NULL;
        m->msgtype = NULL;
    }
    static char red[128];
    if (c == CAMAS_EV_REDACTION && redacts) {
        snprintf(red, sizeof red, "%s", *redacts);
        *redacts = red;
    }
    cJSON_Delete(ev);
    return c;
}

#define MSG(content)                                                                               \
    "{\"type\":\"m.room.message\",\"sender\":\"@alice:localhost\",\"event_id\":\"$1\","            \
    "\"origin_server_ts\":1700000000000,\"content\":" content "}"

/* A \u0000 inside a string becomes a space instead of cutting the text short; a literal
 * backslash before "u0000" stays text. */
static void test_parse_untrusted(void)
{
    const char *t = "{\"body\":\"Who chairs\\u0000 WashACT?\"}";
    cJSON *j = camas_json_parse_untrusted(t, strlen(t));
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "body")), "Who chairs  WashACT?");
    cJSON_Delete(j);
    const char *lit = "{\"body\":\"a\\\\u0000b\"}"; /* JSON text: "a\\u0000b" */
    j = camas_json_parse_untrusted(lit, strlen(lit));
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "body")), "a\\u0000b");
    cJSON_Delete(j);
    const char *plain = "{\"body\":\"hello\"}";
    j = camas_json_parse_untrusted(plain, strlen(plain));
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "body")), "hello");
    cJSON_Delete(j);
    CHECK(camas_json_parse_untrusted("{\"a\":\"\\u0000", 10) == NULL);
    /* a lone surrogate no longer fails the whole document (an appservice transaction: every
     * event in it would be refused, and retried forever); a proper pair stays a pair */
    const char *txn = "{\"events\":[{\"body\":\"bad \\ud800 x\"},{\"body\":\"low \\uDC00\"},"
                      "{\"body\":\"ok \\ud83d\\ude00\"}]}";
    j = camas_json_parse_untrusted(txn, strlen(txn));
    const cJSON *ev = cJSON_GetObjectItem(j, "events");
    CHECK(cJSON_GetArraySize(ev) == 3);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(ev, 0), "body")),
              "bad \xef\xbf\xbd x");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(ev, 1), "body")),
              "low \xef\xbf\xbd");
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(ev, 2), "body")),
              "ok \xf0\x9f\x98\x80");
    cJSON_Delete(j);
    const char *cut = "{\"a\":\"\\ud800"; /* ends inside the escape */
    CHECK(camas_json_parse_untrusted(cut, strlen(cut)) == NULL);
}

/* Numbers from outside are range-checked before they become integers. */
static void test_json_int(void)
{
    cJSON *j = cJSON_Parse("[42, -1, 9e90, 1e300, 1.5, 9007199254740992, \"7\"]");
    int64_t v = -7;
    CHECK(camas_json_int(cJSON_GetArrayItem(j, 0), 0, 100, &v) && v == 42);
    v = -7;
    CHECK(!camas_json_int(cJSON_GetArrayItem(j, 1), 0, 100, &v) && v == -7);
    CHECK(!camas_json_int(cJSON_GetArrayItem(j, 2), 0, CAMAS_TS_MAX_MS, &v));
    CHECK(!camas_json_int(cJSON_GetArrayItem(j, 3), 0, CAMAS_RETRY_AFTER_MAX_MS, &v));
    CHECK(camas_json_int(cJSON_GetArrayItem(j, 4), 0, 100, &v) && v == 1);
    CHECK(camas_json_int(cJSON_GetArrayItem(j, 5), 1, INT64_C(1) << 53, &v) &&
          v == (INT64_C(1) << 53));
    CHECK(!camas_json_int(cJSON_GetArrayItem(j, 6), 0, 100, &v));
    CHECK(!camas_json_int(NULL, 0, 100, &v));
    cJSON_Delete(j);
    /* an event from the year 10^80 is not history: its time is unknown */
    camas_message m;
    const char *far = "{\"type\":\"m.room.message\",\"sender\":\"@alice:localhost\","
                      "\"event_id\":\"$9\",\"origin_server_ts\":9e90,"
                      "\"content\":{\"msgtype\":\"m.text\",\"body\":\"hi\"}}";
    CHECK(classify(far, &m, NULL) == CAMAS_EV_MESSAGE && m.ts_ms == 0);
    camas_message_clear(&m);
}

static void test_own_txn_id(void)
{
    const char *bot = "@camas:localhost";
    cJSON *ev = cJSON_Parse("{\"sender\":\"@camas:localhost\",\"event_id\":\"$e\","
                            "\"unsigned\":{\"transaction_id\":\"camas.abc\"}}");
    CHECK_STR(camas_event_own_txn_id(ev, bot), "camas.abc");
    CHECK(camas_event_own_txn_id(ev, "@other:localhost") == NULL);
    CHECK(camas_event_own_txn_id(ev, NULL) == NULL);
    cJSON_Delete(ev);
    const char *bad[] = {
        "{\"sender\":\"@camas:localhost\"}",
        "{\"sender\":\"@camas:localhost\",\"unsigned\":[{\"transaction_id\":\"x\"}]}",
        "{\"sender\":\"@camas:localhost\",\"unsigned\":{\"transaction_id\":7}}",
        "{\"sender\":\"@camas:localhost\",\"unsigned\":{\"transaction_id\":\"\"}}",
        "{\"sender\":1,\"unsigned\":{\"transaction_id\":\"x\"}}",
        "[{\"sender\":\"@camas:localhost\"}]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ev = cJSON_Parse(bad[i]);
        CHECK(ev != NULL);
        CHECK(camas_event_own_txn_id(ev, bot) == NULL);
        cJSON_Delete(ev);
    }
    CHECK(camas_event_own_txn_id(NULL, bot) == NULL);
}

int main(void)
{
    test_parse_untrusted();
    test_json_int();
    test_own_txn_id();
    camas_message m;
    const char *redacts = NULL;

    CHECK(classify(MSG("{\"msgtype\":\"m.text\",\"body\":\"hello\"}"), &m, NULL) ==
          CAMAS_EV_MESSAGE);
    CHECK_STR(m.body, "hello");
    CHECK(m.ts_ms == 1700000000000LL);
    CHECK(!m.mentions_bot);
    CHECK(m.thread_root == NULL);
    camas_message_clear(&m);

    CHECK(classify("{\"type\":\"m.room.message\",\"sender\":\"@camas:localhost\","
                   "\"event_id\":\"$2\",\"content\":{\"msgtype\":\"m.text\",\"body\":\"x\"}}",
                   &m, NULL) == CAMAS_EV_OWN);
    CHECK(classify(MSG("{\"msgtype\":\"m.notice\",\"body\":\"!ping\"}"), &m, NULL) ==
          CAMAS_EV_NOTICE);
    CHECK(classify(MSG("{\"msgtype\":\"m.text\",\"body\":\"* fixed\",\"m.new_content\":{},"
                       "\"m.relates_to\":{\"rel_type\":\"m.replace\",\"event_id\":\"$0\"}}"),
                   &m, NULL) == CAMAS_EV_EDIT);
    CHECK(classify(MSG("{\"msgtype\":\"m.text\",\"body\":\"" /* 65 bytes > cap of 64 */
                       "01234567890123456789012345678901234567890123456789012345678901234\"}"),
                   &m, NULL) == CAMAS_EV_TOO_LARGE);
    /* ...but its text is kept, for the safety check */
    CHECK(m.body && strlen(m.body) == 65 && m.sender && strcmp(m.sender, "@alice:localhost") == 0);
    camas_message_clear(&m);
    {
        /* a very long one keeps its first CAMAS_EVENT_SCAN_BYTES, never half a character */
        size_t n = CAMAS_EVENT_SCAN_BYTES + 100;
        char *json = malloc(n + 256);
        CHECK(json != NULL);
        int k = snprintf(json, 256,
                         "{\"type\":\"m.room.message\",\"sender\":\"@alice:localhost\","
                         "\"event_id\":\"$1\",\"content\":{\"msgtype\":\"m.text\",\"body\":\"");
        memset(json + k, 'a', n);
        memcpy(json + k + CAMAS_EVENT_SCAN_BYTES - 1, "\xc3\xa9", 2); /* é across the cut */
        snprintf(json + k + n, 16, "\"}}");
        CHECK(classify(json, &m, NULL) == CAMAS_EV_TOO_LARGE);
        CHECK(m.body && strlen(m.body) == CAMAS_EVENT_SCAN_BYTES - 1);
        camas_message_clear(&m);
        free(json);
    }
    CHECK(classify(MSG("{\"msgtype\":\"m.image\",\"body\":\"cat.png\"}"), &m, NULL) ==
          CAMAS_EV_IGNORED);
    CHECK(classify(MSG("{}"), &m, NULL) == CAMAS_EV_IGNORED); /* redacted message */
    CHECK(classify("{\"type\":\"m.room.message\"}", &m, NULL) == CAMAS_EV_IGNORED);
    CHECK(classify("[1,2,3]", &m, NULL) == CAMAS_EV_IGNORED);
    CHECK(classify(MSG("\"not an object\""), &m, NULL) == CAMAS_EV_IGNORED);
    CHECK(classify(MSG("{\"msgtype\":5,\"body\":\"x\"}"), &m, NULL) == CAMAS_EV_IGNORED);

    /* Redactions: v11 puts "redacts" in content, older rooms at the top level. */
    CHECK(classify("{\"type\":\"m.room.redaction\",\"sender\":\"@a:l\",\"event_id\":\"$r\","
                   "\"redacts\":\"$old\",\"content\":{}}",
                   &m, &redacts) == CAMAS_EV_REDACTION);
    CHECK_STR(redacts, "$old");
    CHECK(classify("{\"type\":\"m.room.redaction\",\"sender\":\"@a:l\",\"event_id\":\"$r\","
                   "\"content\":{\"redacts\":\"$new\"}}",
                   &m, &redacts) == CAMAS_EV_REDACTION);
    CHECK_STR(redacts, "$new");
    CHECK(classify("{\"type\":\"m.room.redaction\",\"sender\":\"@a:l\",\"event_id\":\"$r\","
                   "\"content\":{}}",
                   &m, &redacts) == CAMAS_EV_IGNORED);

    CHECK(classify("{\"type\":\"m.room.encryption\",\"sender\":\"@camas:localhost\","
                   "\"event_id\":\"$e\",\"state_key\":\"\","
                   "\"content\":{\"algorithm\":\"m.megolm.v1.aes-sha2\"}}",
                   &m, NULL) == CAMAS_EV_ENCRYPTION);
    CHECK(classify("{\"type\":\"m.room.encrypted\",\"sender\":\"@a:l\",\"event_id\":\"$x\","
                   "\"content\":{\"ciphertext\":\"…\"}}",
                   &m, NULL) == CAMAS_EV_ENCRYPTED);

    /* Threads. */
    CHECK(classify(MSG("{\"msgtype\":\"m.text\",\"body\":\"in thread\",\"m.relates_to\":"
                       "{\"rel_type\":\"m.thread\",\"event_id\":\"$root\"}}"),
                   &m, NULL) == CAMAS_EV_MESSAGE);
    CHECK_STR(m.thread_root, "$root");
    camas_message_clear(&m);

    /* Mentions: metadata, full id in the body, or (without metadata) the localpart. */
    CHECK(classify(MSG("{\"msgtype\":\"m.text\",\"body\":\"hi\",\"m.mentions\":{\"user_ids\":"
                       "[\"@camas:localhost\"]}}"),
                   &m, NULL) == CAMAS_EV_MESSAGE);
    CHECK(m.mentions_bot);
    camas_message_clear(&m);
    CHECK(classify(MSG("{\"msgtype\":\"m.text\",\"body\":\"@camas:localhost hi\","
                       "\"m.mentions\":{}}"),
                   &m, NULL) == CAMAS_EV_MESSAGE);
    CHECK(m.mentions_bot);
    camas_message_clear(&m);
    CHECK(classify(MSG("{\"msgtype\":\"m.text\",\"body\":\"camas: hi\",\"m.mentions\":{}}"), &m,
                   NULL) == CAMAS_EV_MESSAGE);
    CHECK(!m.mentions_bot); /* metadata present and empty: a plain word is not a mention */
    camas_message_clear(&m);
    CHECK(classify(MSG("{\"msgtype\":\"m.text\",\"body\":\"Camas, hi\"}"), &m, NULL) ==
          CAMAS_EV_MESSAGE);
    CHECK(m.mentions_bot);
    camas_message_clear(&m);
    CHECK(classify(MSG("{\"msgtype\":\"m.text\",\"body\":\"camassia flowers\"}"), &m, NULL) ==
          CAMAS_EV_MESSAGE);
    CHECK(!m.mentions_bot);
    camas_message_clear(&m);

    /* Reply fallbacks are stripped. */
    char b1[] = "> <@bob:l> earlier text\n> more\n\nmy actual question";
    camas_strip_reply_fallback(b1);
    CHECK_STR(b1, "my actual question");
    char b2[] = "> only a quote";
    camas_strip_reply_fallback(b2);
    CHECK_STR(b2, "");
    char b3[] = "no quote > here";
    camas_strip_reply_fallback(b3);
    CHECK_STR(b3, "no quote > here");
    char b4[] = ">not a fallback";
    camas_strip_reply_fallback(b4);
    CHECK_STR(b4, ">not a fallback");

    CHECK(camas_body_mentions("ask @camas:localhost now", BOT));
    CHECK(!camas_body_mentions("nothing here", BOT));
    CHECK(!camas_body_mentions("x", ""));
    return check_done("event");
}
