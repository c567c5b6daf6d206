/* Appservice support: the registration file, and the mautrix WebSocket event-stream frames
 * (protocol version 3, as served by mautrix-wsproxy). */
#ifndef CAMAS_APPSERVICE_H
#define CAMAS_APPSERVICE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct camas_registration {
    char id[128];
    char url[512];
    char as_token[256];
    char hs_token[256];
    char sender_localpart[128];
} camas_registration;

/* Reads and checks a registration YAML. Returns 0, or -1 with "FILE:LINE: ..." in err. */
int camas_registration_load(const char *path, camas_registration *reg, char *err, size_t errlen);

/* Writes a new registration with fresh random tokens (mode 0600). Refuses to replace an
 * existing file unless force. Returns 0, or -1 with a reason. */
int camas_registration_write(const char *path, const char *id, const char *url,
                             const char *localpart, const char *server_name, bool force, char *err,
                             size_t errlen);

/* `camas appservice-registration ...`: returns the exit status. */
int camas_cli_appservice_registration(int argc, char **argv);

/* One text frame of the event stream, classified. */
typedef enum camas_as_frame_kind {
    CAMAS_AS_FRAME_MALFORMED,   /* not a JSON object, or a shape we cannot use */
    CAMAS_AS_FRAME_CONNECTED,   /* {"status":"connected"} */
    CAMAS_AS_FRAME_TRANSACTION, /* {"status":"ok","txn_id":…,"events":[…]} */
    CAMAS_AS_FRAME_REQUEST,     /* {"id":N,"command":C,"data":D}: the server asks something */
    CAMAS_AS_FRAME_RESPONSE,    /* {"id":N,"command":"response"|"error",…}: to our request */
    CAMAS_AS_FRAME_OTHER,       /* a well-formed frame we do not act on (other statuses...) */
} camas_as_frame_kind;

typedef struct camas_as_frame {
    camas_as_frame_kind kind;
    cJSON *json;         /* owned: free with camas_as_frame_clear */
    const char *txn_id;  /* TRANSACTION */
    const cJSON *events; /* TRANSACTION: array (possibly empty) */
    int64_t id;          /* REQUEST/RESPONSE: 0 = no reply wanted */
    const char *command; /* REQUEST/RESPONSE */
    const cJSON *data;
    bool is_error; /* RESPONSE with command "error" */
} camas_as_frame;

#define CAMAS_AS_FRAME_MAX (32u * 1024 * 1024)

/* Parses one complete text frame. Never fails hard: bad input gives MALFORMED. */
void camas_as_frame_parse(const char *text, size_t len, camas_as_frame *out);
void camas_as_frame_clear(camas_as_frame *f);

/* The reply to a server request: {"id":N,"command":"response"|"error","data":…}; malloc'd. */
char *camas_as_reply(int64_t id, bool error, const cJSON *data);

#endif
