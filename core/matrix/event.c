/* Turns Matrix room events (from any transport) into camas_message values. */
#include "event.h"
#include "util.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *str_field(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

void camas_strip_reply_fallback(char *body)
{
    if (strncmp(body, "> ", 2) != 0 && strcmp(body, ">") != 0 && strncmp(body, ">\n", 2) != 0)
        return;
    char *p = body;
    while (*p == '>') {
        char *nl = strchr(p, '\n');
        if (!nl) {
            *body = '\0';
            return;
        }
        p = nl + 1;
    }
    if (*p == '\n')
        p++;
    memmove(body, p, strlen(p) + 1);
}

static bool is_word_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '-' || c == '.' || c >= 0x80;
}

bool camas_body_mentions(const char *body, const char *user_id)
{
    if (!user_id || !*user_id)
        return false;
    if (camas_contains_ci(body, user_id))
        return true;
    /* The localpart, e.g. "camas" in "camas: when do you meet?", as clients write pills. */
    const char *lp = user_id[0] == '@' ? user_id + 1 : user_id;
    size_t n = strcspn(lp, ":");
    if (n == 0)
        return false;
    for (const char *p = body; *p; p++) {
        if (strncasecmp(p, lp, n) != 0)
            continue;
        bool start_ok = p == body || (!is_word_char((unsigned char)p[-1]) || p[-1] == '@');
        bool end_ok = !is_word_char((unsigned char)p[n]) || p[n] == '.';
        if (start_ok && end_ok)
            return true;
    }
    return false;
}

static bool mentions_in_metadata(const cJSON *content, const char *bot_user_id, bool *present)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(content, "m.mentions");
    *present = cJSON_IsObject(m);
    if (!*present)
        return false;
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(m, "user_ids");
    const cJSON *id;
    cJSON_ArrayForEach(id, ids)
    {
        if (cJSON_IsString(id) && strcmp(id->valuestring, bot_user_id) == 0)
            return true;
    }
    return false;
}

camas_event_class camas_event_classify(const cJSON *ev, const char *room_id,
                                       const char *bot_user_id, size_t max_body, camas_message *msg,
                                       const char **redacts)
{
    memset(msg, 0, sizeof *msg);
    const char *type = str_field(ev, "type");
    const char *sender = str_field(ev, "sender");
    const char *event_id = str_field(ev, "event_id");
    if (!type || !sender || !event_id)
        return CAMAS_EV_IGNORED;
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(ev, "content");
    if (strcmp(type, "m.room.encryption") == 0 && cJSON_IsObject(content) &&
        str_field(content, "algorithm"))
        return CAMAS_EV_ENCRYPTION;
    if (strcmp(sender, bot_user_id) == 0)
        return CAMAS_EV_OWN;
    if (strcmp(type, "m.room.redaction") == 0) {
        /* v1.11 rooms put "redacts" in content; older ones at the top level. */
        const char *target = str_field(ev, "redacts");
        if (!target && cJSON_IsObject(content))
            target = str_field(content, "redacts");
        if (!target)
            return CAMAS_EV_IGNORED;
        if (redacts)
            *redacts = target;
        return CAMAS_EV_REDACTION;
    }
    if (strcmp(type, "m.room.encrypted") == 0)
        return CAMAS_EV_ENCRYPTED;
    if (strcmp(type, "m.room.message") != 0 || !cJSON_IsObject(content))
        return CAMAS_EV_IGNORED;
    const char *msgtype = str_field(content, "msgtype");
    const char *body = str_field(content, "body");
    if (!msgtype || !body)
        return CAMAS_EV_IGNORED; /* redacted or malformed */
    if (strcmp(msgtype, "m.notice") == 0)
        return CAMAS_EV_NOTICE;
    const cJSON *rel = cJSON_GetObjectItemCaseSensitive(content, "m.relates_to");
    const char *rel_type = cJSON_IsObject(rel) ? str_field(rel, "rel_type") : NULL;
    if (rel_type && strcmp(rel_type, "m.replace") == 0)
        return CAMAS_EV_EDIT;
    if (strcmp(msgtype, "m.text") != 0 && strcmp(msgtype, "m.emote") != 0)
        return CAMAS_EV_IGNORED;
    size_t body_len = strlen(body);
    bool too_large = body_len > max_body;
    if (too_large && body_len > CAMAS_EVENT_SCAN_BYTES) {
        /* the start is enough to weigh danger; cut at a character boundary */
        size_t cut = CAMAS_EVENT_SCAN_BYTES;
        while (cut > 0 && ((unsigned char)body[cut] & 0xC0) == 0x80)
            cut--;
        msg->body = strndup(body, cut);
    } else {
        msg->body = strdup(body);
    }
    if (!msg->body)
        return CAMAS_EV_IGNORED;
    camas_strip_reply_fallback(msg->body);
    msg->room_id = room_id;
    msg->sender = sender;
    msg->event_id = event_id;
    msg->msgtype = msgtype;
    if (rel_type && strcmp(rel_type, "m.thread") == 0)
        msg->thread_root = str_field(rel, "event_id");
    const cJSON *ts = cJSON_GetObjectItemCaseSensitive(ev, "origin_server_ts");
    msg->ts_ms = 0; /* unknown, or out of range: not taken for history */
    camas_json_int(ts, 1, CAMAS_TS_MAX_MS, &msg->ts_ms);
    bool has_metadata;
    msg->mentions_bot = mentions_in_metadata(content, bot_user_id, &has_metadata);
    /* Someone who typed the bot's full id addresses it whatever the metadata says; the
     * looser localpart match is only for clients that send no intentional mentions. */
    if (!msg->mentions_bot)
        msg->mentions_bot = has_metadata ? camas_contains_ci(msg->body, bot_user_id)
                                         : camas_body_mentions(msg->body, bot_user_id);
    return too_large ? CAMAS_EV_TOO_LARGE : CAMAS_EV_MESSAGE;
}

void camas_message_clear(camas_message *msg)
{
    free(msg->body);
    msg->body = NULL;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int c = (unsigned char)p[i], d = isdigit(c) ? c - '0'
                                         : (c | 0x20) >= 'a' && (c | 0x20) <= 'f'
                                             ? (c | 0x20) - 'a' + 10
                                             : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

cJSON *camas_json_parse_untrusted(const char *text, size_t len)
{
    if (!text || !memmem(text, len, "\\u", 2))
        return cJSON_ParseWithLength(text, len);
    /* Two escapes cJSON reads badly from outside: \u0000 decodes into a NUL inside the
     * string, and C strings end there ("Who chairs\u0000 WashACT?" would be read as "Who
     * chairs"): a space instead keeps it whole. A lone surrogate (\ud800 without its pair)
     * fails the whole document, so one bad event in an appservice transaction would refuse
     * all of them and the homeserver would retry forever: U+FFFD instead. */
    char *copy = malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, text, len);
    copy[len] = '\0';
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        if (copy[i] == '"') {
            in_string = !in_string;
        } else if (in_string && copy[i] == '\\' && i + 1 < len) {
            int v = copy[i + 1] == 'u' && i + 5 < len ? hex4(copy + i + 2) : -1;
            if (v == 0) {
                memcpy(copy + i + 1, "u0020", 5);
            } else if (v >= 0xD800 && v <= 0xDBFF) {
                int low = i + 11 < len && copy[i + 6] == '\\' && copy[i + 7] == 'u'
                              ? hex4(copy + i + 8)
                              : -1;
                if (low >= 0xDC00 && low <= 0xDFFF)
                    i += 6; /* a proper pair: skip past the high half */
                else
                    memcpy(copy + i + 1, "ufffd", 5);
            } else if (v >= 0xDC00 && v <= 0xDFFF) {
                memcpy(copy + i + 1, "ufffd", 5);
            }
            i++; /* the escaped character, whatever it is */
        }
    }
    cJSON *j = cJSON_ParseWithLength(copy, len);
    free(copy);
    return j;
}

const char *camas_event_own_txn_id(const cJSON *ev, const char *bot_user_id)
{
    if (!cJSON_IsObject(ev) || !bot_user_id)
        return NULL;
    const cJSON *sender = cJSON_GetObjectItemCaseSensitive(ev, "sender");
    const cJSON *uns = cJSON_GetObjectItemCaseSensitive(ev, "unsigned");
    if (!cJSON_IsString(sender) || strcmp(sender->valuestring, bot_user_id) != 0 ||
        !cJSON_IsObject(uns))
        return NULL;
    const cJSON *txn = cJSON_GetObjectItemCaseSensitive(uns, "transaction_id");
    return cJSON_IsString(txn) && txn->valuestring[0] ? txn->valuestring : NULL;
}
