/* The event pipeline's common shape: whatever the transport, a room event becomes a
 * camas_message (or a reason to skip it) before the router sees it. */
#ifndef CAMAS_EVENT_H
#define CAMAS_EVENT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

typedef struct camas_message {
    const char *room_id;
    const char *sender;
    const char *event_id;
    const char *thread_root; /* NULL outside threads */
    char *body;              /* owned; reply fallback removed */
    const char *msgtype;
    int64_t ts_ms;
    bool mentions_bot;
    camas_room_kind room_kind; /* set by the caller */
} camas_message;

typedef enum camas_event_class {
    CAMAS_EV_MESSAGE,    /* a message to consider answering: *msg is filled */
    CAMAS_EV_OWN,        /* sent by the bot itself */
    CAMAS_EV_NOTICE,     /* m.notice: bots never answer notices */
    CAMAS_EV_EDIT,       /* m.replace: the original was already considered */
    CAMAS_EV_TOO_LARGE,  /* body over the configured cap: *msg is filled, body cut short */
    CAMAS_EV_REDACTION,  /* redacts another event: *redacts is set */
    CAMAS_EV_ENCRYPTION, /* m.room.encryption state: the room became encrypted */
    CAMAS_EV_ENCRYPTED,  /* an encrypted message we cannot read */
    CAMAS_EV_IGNORED,    /* anything else (state, reactions, malformed, non-text) */
} camas_event_class;

/* How much of a message over the cap is kept, to weigh danger in it all the same. */
#define CAMAS_EVENT_SCAN_BYTES 16384

/* Classifies one timeline event of room_id. On CAMAS_EV_MESSAGE and CAMAS_EV_TOO_LARGE
 * fills *msg, whose string fields point into ev (valid while ev lives) except body, which the
 * caller frees with camas_message_clear (for a message over max_body: its first
 * CAMAS_EVENT_SCAN_BYTES at most, cut at a character boundary). */
camas_event_class camas_event_classify(const cJSON *ev, const char *room_id,
                                       const char *bot_user_id, size_t max_body, camas_message *msg,
                                       const char **redacts);
void camas_message_clear(camas_message *msg);

/* The txnId of ev when it is the bot's own event echoed back to the device that sent it
 * (unsigned.transaction_id, which the homeserver adds for that device only), else NULL. */
const char *camas_event_own_txn_id(const cJSON *ev, const char *bot_user_id);

/* Removes a reply fallback ("> " quote lines up to the first blank line) in place. */
void camas_strip_reply_fallback(char *body);

/* True when body names user_id (full id, or its localpart as a whole word). */
bool camas_body_mentions(const char *body, const char *user_id);

/* cJSON_ParseWithLength for JSON from outside (homeserver bodies, appservice transactions):
 * a \u0000 escape inside a string is read as a space, so that text is never cut short at
 * an embedded NUL. NULL when the text is not JSON or memory ran out. */
cJSON *camas_json_parse_untrusted(const char *text, size_t len);

#endif
