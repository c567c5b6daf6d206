/* The camas configuration: a YAML file (libyaml) whose every key has a default. */
#ifndef CAMAS_CONFIG_H
#define CAMAS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum camas_room_kind {
    CAMAS_ROOM_STAFF = 0, /* answers commands and mentions */
    CAMAS_ROOM_HELP,      /* public help channel: answers everything, rate-limited */
    CAMAS_ROOM_DIRECT,    /* a direct chat: answers everything */
} camas_room_kind;

const char *camas_room_kind_name(camas_room_kind kind);

/* How events reach camas: the client-server /sync long-poll (any bot account), the
 * appservice HTTP push (a homeserver you administer), or the appservice WebSocket event
 * stream (mautrix-wsproxy protocol; for bots that cannot accept inbound connections). */
typedef enum camas_transport {
    CAMAS_TRANSPORT_SYNC = 0,
    CAMAS_TRANSPORT_PUSH,
    CAMAS_TRANSPORT_WEBSOCKET,
} camas_transport;

typedef struct camas_room_config {
    char *id; /* room id ("!…") or alias ("#…") */
    camas_room_kind kind;
} camas_room_config;

typedef struct camas_config {
    char *path; /* the file it came from, or NULL for built-in defaults */

    char *homeserver_url;
    char *server_name;
    char *ca_file;

    char *user_id;
    char *password; /* secrets: never logged */
    char *access_token;
    char *device_name;

    char *state_dir;

    camas_room_config *rooms;
    size_t n_rooms;
    char **invite_allow;
    size_t n_invite_allow;
    char **admins;
    size_t n_admins;

    long max_message_bytes;
    long unanswered_keep_days; /* how long unanswered questions are kept; 0: not recorded */
    long help_user_per_minute;
    long help_room_per_minute;
    long sync_timeout_ms;
    long sync_timeline_limit;

    char *encrypted_room_notice;
    char *log_level;
    char *log_format; /* log.format: "text" (journal prefixes under systemd) or "json" */

    char *admin_room;    /* where plugin failures and refusals are reported ("" = nowhere) */
    char *knowledge_dir; /* "" = ./knowledge, or the one beside the build */
    char *plugins_dir;   /* "" = the plugins the build produced */
    char **trusted_keys; /* minisign public key files; none = the build's development key */
    size_t n_trusted_keys;
    long plugin_deadline_ms;

    char *match_mode; /* "hybrid" (default), "lexical" or "dense" */
    char *model_path; /* the sentence-embedding model; "" = the one scripts/setup fetched */

    camas_transport transport;
    char *as_registration;  /* appservice registration YAML (push and websocket) */
    char *as_listen;        /* push: "ADDRESS:PORT" camas's HTTP server listens on */
    char *as_websocket_url; /* websocket: ws[s]://host[:port] of the event stream */
    char *transport_name;

    char *metrics_listen; /* "ADDRESS:PORT" serving /metrics and /health; "" = off */

    /* End-to-end encryption (core/matrix/matrix_crypto.c; only when built with -Dencryption). */
    bool encryption_enabled;
    /* The crypto store's passphrase file; "" = STATE_DIR/crypto-passphrase. Created (random,
     * 0600) at first start when absent. Its contents are never logged. */
    char *encryption_passphrase_file;
} camas_config;

/* Fills *cfg with defaults, then, if path is not NULL, overrides them from the file.
 * Returns 0, or -1 with a message "FILE:LINE: key: what was expected" in err. */
int camas_config_load(camas_config *cfg, const char *path, char *err, size_t errlen);
void camas_config_free(camas_config *cfg);

#endif
