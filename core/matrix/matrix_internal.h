/* The Matrix client core's private header: the context (struct camas_core) and the functions
 * its files share. Only core/matrix/matrix*.c include it; the rest of camas sees matrix.h. */
#ifndef CAMAS_MATRIX_INTERNAL_H
#define CAMAS_MATRIX_INTERNAL_H

#include "matrix.h"
#include "appservice.h"
#include "backoff.h"
#include "convo.h"
#include "event.h"
#include "http.h"
#include "matrix_crypto.h"
#include "metrics.h"
#include "push.h"
#include "ratelimit.h"
#include "safety.h"
#include "wsclient.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SETUP_TIMEOUT_MS  30000
#define SEND_TIMEOUT_MS   30000
#define MAX_SENDS         8 /* replies in flight at once */
#define JOIN_RETRY_MS     30000
#define TYPING_DELAY_MS   300
#define TYPING_TIMEOUT_MS 20000
#define PLUGIN_WAIT_MS    10000 /* the first /sync waits this long at most for the plugins */

enum phase {
    PH_DISCOVER,
    PH_VERSIONS,
    PH_LOGIN,
    PH_WHOAMI,
    PH_FILTER,
    PH_JOINS,
    PH_RUNNING,
    PH_STOPPED,
};

struct room {
    char *room_id;
    camas_room_kind kind;
    bool configured;
    /* m.room.encryption seen. Without encryption.enabled camas cannot read it: it says so
     * once and then stays quiet; with it, it reads and answers in ciphertext. */
    bool encrypted;
    int64_t undecryptable_notice_ms; /* monotonic: the last "cannot decrypt" notice */
    int awaiting;                    /* replies queued in this run and not yet sent */
    bool typing_on;
    bool typing_scheduled;
    lws_sorted_usec_list_t typing_timer;
    char *receipt_event; /* the newest handled event, waiting for its read receipt */
    int64_t receipt_sent_ms;
    lws_sorted_usec_list_t receipt_timer;
    int64_t long_notice_ms; /* when a message was last refused for its length */
    struct camas_core *core;
};

struct join_target {
    const char *id; /* as configured (id or alias) */
    camas_room_kind kind;
    bool is_admin_room;
    bool joined;
};

struct camas_core {
    const camas_config *cfg;
    camas_store *st;
    struct lws_context *ctx;
    camas_http_pool pool; /* every request the core has in flight */
    camas_safety *safety; /* compiled danger patterns, read-only after start */
    camas_convo *convo;   /* follow-ups and clarifications: in memory, minutes at most */

    enum phase phase;
    camas_endpoint ep;
    char *access_token;
    char *user_id;
    char *device_id;
    char *filter_id;
    char *since;
    int64_t first_start_ms;
    bool ready_logged;
    bool first_sync_sent;
    int exit_code;

    camas_http_request *setup_req;
    camas_http_request *sync_req;
    struct send_slot *sending[MAX_SENDS]; /* replies on their way */
    size_t n_sending;
    bool send_waiting; /* a retry timer is pending */

    lws_sorted_usec_list_t setup_timer, sync_timer, send_timer, join_timer;
    int64_t plugin_wait_until; /* monotonic ms; 0 until the first /sync waited for plugins */
    camas_backoff setup_bo, sync_bo, send_bo;
    camas_backoff join_bo;     /* joins that failed for a passing reason (no connection, 5xx) */
    unsigned gap_retries;      /* sync batches fetched again because a gap could not be */
    struct gap_fill *gap_fill; /* the batch whose gaps are being filled, if any */

    struct room **rooms;
    size_t n_rooms;
    size_t joins_pending;      /* join requests in flight */
    struct join_target *joins; /* configured rooms plus the admin room */
    size_t n_joins;
    char *admin_room_id;

    /* Appservice transports (push, websocket): no login, no /sync. */
    bool as_mode;
    camas_registration reg;
    camas_push *push;
    camas_wsclient *ws;

    camas_plugin_host *host;
    char *held_alerts[32]; /* alerts raised before the admin room was joined */
    size_t n_held_alerts;
    char **inflight; /* inbox event ids being answered by the plugins */
    size_t n_inflight;
    char **invites_inflight;
    size_t n_invites_inflight;

    struct camas_e2ee *e2ee;       /* end-to-end encryption (matrix_crypto.c); NULL when off */
    struct e2ee_job *e2ee_job;     /* the encrypted send being prepared (matrix_crypto_send.c) */
    struct e2ee_xsign *e2ee_xsign; /* cross-signing being set up (matrix_crypto_xsign.c) */

    camas_ratelimit *rl_user;
    camas_ratelimit *rl_room;

    /* Metrics and health (matrix_status.c) */
    camas_metrics metrics;
    camas_metrics_server *metrics_srv;
    int64_t last_contact_ms;   /* monotonic: the last /sync answered or transaction received */
    bool transport_failing;    /* the last /sync failed */
    bool ws_was_connected;     /* websocket: connected before (a new connection reconnects) */
    char transport_error[200]; /* why it failed */
    bool store_failing;        /* the last batch could not be recorded (disk full?) */
    char store_error[200];     /* why */
    struct received_at {
        uint64_t key; /* hash of the question's event id; 0: free */
        int64_t ms;   /* monotonic, when it came in */
    } received[256];
    unsigned received_next;
};

typedef struct matrix_error {
    char errcode[64];
    char error[256];
    int64_t retry_after_ms;
    bool soft_logout;
} matrix_error;

struct receipt {
    const char *room_id;
    const char *event_id;
};

/* matrix.c: small helpers */
void set_str(char **slot, const char *v);
void clear_secret(char **slot);
void parse_error(const camas_http_response *r, matrix_error *e);
bool is_unknown_token(const camas_http_response *r, const matrix_error *e);
camas_http_request *api(camas_core *c, const char *method, const char *path, const char *body,
                        int timeout_ms, camas_http_cb cb, void *ud);
camas_http_request *api_owned(camas_core *c, const char *method, const char *path, const char *body,
                              int timeout_ms, camas_http_cb cb, void *ud);
char *client_path(const char *const *parts);
void stop(camas_core *c, int code);
void fire(camas_core *c, const char *what, const char *method, const char *path, const char *body);

/* matrix_rooms.c */
struct room *room_find(camas_core *c, const char *room_id);
struct room *room_get(camas_core *c, const char *room_id);
void room_free(struct room *r);
void room_reply_queued(camas_core *c, struct room *r);
void room_reply_sent(camas_core *c, const char *room_id);
void handle_invite(camas_core *c, const char *room_id, const cJSON *room);
void act_on_invite(camas_core *c, const char *room_id, const char *inviter, bool direct);
void update_direct_flag(camas_core *c, struct room *room, const cJSON *jroom);
void send_receipt(camas_core *c, const char *room_id, const char *event_id);

/* matrix_outbox.c */
void pump(camas_core *c);
bool in_flight(const camas_core *c, const char *txn_id); /* a send of txn_id is under way */
void sends_cancel_all(camas_core *c);
int queue_event(camas_core *c, const char *room_id, const char *type, char *content,
                const char *in_reply_to);

/* Questions camas has already replied to, as seen in what it receives (a /sync batch with the
 * pages that filled its gaps, an appservice transaction): its own messages whose m.relates_to
 * names the question in m.in_reply_to. After a restore from an older backup camas syncs again
 * from an older position and sees again the questions it answered after the backup was
 * taken, and its replies to them further on: those questions are not answered again. The ids
 * point into the batch's JSON. */
struct answered {
    const char **ids; /* sorted by answered_sort */
    size_t n, cap;
};

/* matrix_messages.c */
int answered_add(camas_core *c, struct answered *a, const cJSON *events);
void answered_sort(struct answered *a);
bool answered_has(const struct answered *a, const char *event_id);
int answered_drop_from_inbox(camas_core *c, const struct answered *a);
void answered_free(struct answered *a);
int handle_encryption(camas_core *c, struct room *room);
int handle_timeline_event(camas_core *c, struct room *room, const cJSON *ev,
                          const struct answered *answered, const char **last_event);
void dispatch_inbox(camas_core *c);
/* A kept undecryptable event that decrypts now (e2ee_retry_undecryptable's handle; ud: the
 * batch's struct answered). */
int handle_decrypted_late(camas_core *c, const char *room_id, const cJSON *plain, void *ud);

/* matrix_admin.c */
void handle_admin(camas_core *c, const camas_message *m, const char *args);

/* matrix_sync.c */
void sync_now(camas_core *c);
/* Frees a batch whose gaps were being filled (after the pool's requests were cancelled). */
void gaps_free(camas_core *c);

/* matrix_startup.c */
void on_setup_timer(lws_sorted_usec_list_t *sul);
void setup_retry(camas_core *c, const char *what, const camas_http_response *r);
void relogin_or_stop(camas_core *c, const char *where);

/* matrix_status.c: metrics, health, status */
/* Starts the metrics.listen listener if configured; -1 (and stops camas) if it cannot. */
int metrics_start(camas_core *c);
/* A question came in now: its reply's acknowledgement will be timed from here. */
void latency_question(camas_core *c, const char *event_id);
/* The homeserver acknowledged a reply to question (may be NULL). */
void latency_replied(camas_core *c, const char *question);
/* The transport worked (a /sync answered, a transaction came) or failed (why). */
void transport_ok(camas_core *c);
void transport_failed(camas_core *c, const char *why);
/* Whether the state database took the last batch: while it does not (the disk full, most
 * likely), nothing is acknowledged, /health says why, and the batch is fetched again. */
void store_ok(camas_core *c);
void store_failed(camas_core *c, const char *what);

/* matrix_appservice.c */
void start_transport(camas_core *c);

#endif
