/* End-to-end encryption in the Matrix client core (matrix_crypto.c): the Olm machine of
 * crypto/ (a Rust library, camas_crypto.h) driven by the core. Built only with
 * -Dencryption; otherwise these functions do nothing. Only core/matrix/matrix*.c include this. */
#ifndef CAMAS_MATRIX_CRYPTO_H
#define CAMAS_MATRIX_CRYPTO_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "http.h"

struct camas_core;

/* Opens the crypto store (STATE_DIR/crypto) for c->user_id/c->device_id when
 * encryption.enabled, and starts sending the machine's requests (keys upload...). Called once
 * the device is known (after whoami); again is harmless. Returns 0, or -1 when encryption is
 * enabled but cannot start (the reason is logged; camas stops rather than run deaf). */
int crypto_start(struct camas_core *c);

/* Feeds the crypto parts of a /sync response (to-device events, device lists, one-time key
 * counts) to the machine. */
void crypto_feed_sync(struct camas_core *c, const cJSON *sync);

/* Sends the machine's outgoing requests, one at a time, marking each sent. */
void crypto_pump(struct camas_core *c);

/* Cancels what is in flight and closes the store. */
void crypto_stop(struct camas_core *c);

/* True when end-to-end encryption is on (the machine is open): encrypted rooms are read and
 * answered, in ciphertext. */
#define e2ee_on(c) ((c)->e2ee != NULL)

/* Decrypts an m.room.encrypted event of room_id: the plain event (type, content, and the
 * outer event's event_id, sender, origin_server_ts, unsigned), to cJSON_Delete, or NULL when
 * it cannot be decrypted (why is logged: a missing session, never key material). */
cJSON *e2ee_decrypt(struct camas_core *c, const char *room_id, const cJSON *ev);

/* Keeps a copy of an undecryptable event, to be tried again when room keys arrive. */
void e2ee_keep_undecryptable(struct camas_core *c, const char *room_id, const cJSON *ev);

/* When room keys arrived since the last call, decrypts the kept events again and calls
 * handle for each that now decrypts (then forgets it). Returns 0, or handle's first
 * non-zero result (the event is then kept for the next time). */
int e2ee_retry_undecryptable(struct camas_core *c,
                             int (*handle)(struct camas_core *c, const char *room_id,
                                           const cJSON *plain, void *ud),
                             void *ud);

/* Cross-signing (matrix_crypto_xsign.c): once per device, after its keys are up, the
 * account's cross-signing keys are created and uploaded and the device signed; a failure is
 * logged and tried again at the next start. */
void e2ee_cross_signing_start(struct camas_core *c);
void e2ee_cross_signing_stop(struct camas_core *c);

/* Sending in encrypted rooms (matrix_crypto_send.c). */
/* failed: on failure, the homeserver's answer that made it fail (NULL for other reasons). */
typedef void (*e2ee_encrypted_cb)(void *ud, char *encrypted_content,
                                  const camas_http_response *failed);
/* Encrypts content (an event of type for room_id) after making sure every member's device
 * has the room key: fetches the members, tracks their devices, claims one-time keys for
 * missing Olm sessions, shares the room key by to-device messages. Later, from the loop,
 * calls cb with the m.room.encrypted content (malloc'd, the callee frees it) or NULL on
 * failure (logged), with the homeserver's answer when one made it fail. One at a time: returns -1
 * when busy or unable to start (cb is then not called), 0 when started. */
int e2ee_encrypt(struct camas_core *c, const char *room_id, const char *type, const char *content,
                 e2ee_encrypted_cb cb, void *ud);
/* True while an e2ee_encrypt is under way. */
bool e2ee_encrypt_busy(const struct camas_core *c);
/* Cancels the e2ee_encrypt under way for ud (its cb is not called). */
void e2ee_encrypt_cancel(struct camas_core *c, void *ud);
/* Cancels everything of the send side (from crypto_stop). */
void e2ee_send_stop(struct camas_core *c);

#ifdef CAMAS_HAVE_ENCRYPTION
#include "camas_crypto.h"
/* Shared by matrix_crypto.c and matrix_crypto_send.c. */
camas_crypto *e2ee_machine(struct camas_core *c);
/* Logs a library error ({"error": ...}) and frees json. Returns true if it was one. */
bool e2ee_lib_error(const char *what, char *json);
/* Calls cb(ud) once the machine has no request left to send (sending them first); from
 * within this call when there is none. -1 when too many wait already (cb is not called). */
int e2ee_when_idle(struct camas_core *c, void (*cb)(void *ud), void *ud);
/* Forgets the e2ee_when_idle callbacks of ud. */
void e2ee_cancel_idle(struct camas_core *c, void *ud);
#endif

#endif
