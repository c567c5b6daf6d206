/* camas_crypto: end-to-end encryption for camas (the Rust crate in this directory, built as a
 * static library). It wraps matrix-sdk-crypto's OlmMachine: the Olm account and sessions, the
 * Megolm room keys, the device lists, in an SQLite store encrypted with a passphrase.
 *
 * The C core stays the driver and does all HTTP: it feeds the crypto parts of each /sync in,
 * asks which requests the machine wants sent, sends them with its own client and hands the
 * homeserver's answers back.
 *
 * Conventions
 * - Every string in is NUL-terminated UTF-8; every string out is JSON, allocated by the
 *   library, to be freed with camas_crypto_free_string (never with free()).
 * - A call that fails returns {"error": "..."} (never crashes: panics are caught inside).
 *   Error texts carry no key material and never the passphrase.
 * - Calls block: each runs to completion on a single-threaded tokio runtime owned by the
 *   handle (a few SQLite transactions, milliseconds). The store runs its queries on a small
 *   blocking pool inside the library; nothing ever calls back into C.
 * - A handle is used from one thread at a time (camas: its event loop).
 */
#ifndef CAMAS_CRYPTO_H
#define CAMAS_CRYPTO_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct CamasCrypto camas_crypto;

/* Opens the store in directory store_dir (created when absent), decrypting it with passphrase,
 * and the Olm machine of (user_id, device_id): the device's identity keys are created at the
 * first open and reused after. Returns NULL on failure, with *error_json (if error_json is not
 * NULL) set to {"error": ...}. A store made for another user or device fails to open. */
camas_crypto *camas_crypto_open(const char *user_id, const char *device_id, const char *store_dir,
                                const char *passphrase, char **error_json);

/* Closes the machine and its store. NULL is accepted. Called once the calling thread's
 * thread-locals are gone (from an atexit handler), it leaves the machine to the exiting
 * process instead of freeing it. */
void camas_crypto_close(camas_crypto *c);

/* Frees a string this library returned. NULL is accepted. */
void camas_crypto_free_string(char *s);

/* {"user_id", "device_id", "ed25519", "curve25519"}: the device's public identity keys
 * (unpadded base64). Public, fine to log. */
char *camas_crypto_identity(const camas_crypto *c);

/* Feeds the crypto parts of one /sync response. sync_json is an object with any of the /sync
 * response's own top-level members:
 *   {"to_device": {"events": [...]},
 *    "device_lists": {"changed": ["@u:s", ...], "left": [...]},
 *    "device_one_time_keys_count": {"signed_curve25519": 50},
 *    "device_unused_fallback_key_types": ["signed_curve25519"],
 *    "next_batch": "..."}
 * (the whole /sync response works too: other members are ignored). Returns
 * {"ok": true, "to_device": N, "room_keys": N} (events seen, room keys received). */
char *camas_crypto_receive_sync(const camas_crypto *c, const char *sync_json);

/* The requests the machine wants sent now:
 *   {"requests": [{"id": "...", "type": "keys_upload", "method": "POST",
 *                  "path": "/_matrix/client/v3/keys/upload", "body": "{...}"}, ...]}
 * type is one of keys_upload, keys_query, keys_claim, to_device, signature_upload,
 * room_message; path is relative to the homeserver's base URL (query included); body is the
 * JSON body as a string. Send each with the access token; on a 2xx pass the response body to
 * camas_crypto_mark_sent with the same id and type. A request not marked sent comes back in
 * the next list. */
char *camas_crypto_outgoing_requests(const camas_crypto *c);

/* Marks request request_id of request_type sent, with the homeserver's 2xx response body.
 * Returns {"ok": true}. */
char *camas_crypto_mark_sent(const camas_crypto *c, const char *request_id,
                             const char *request_type, const char *response_json);

/* Decrypts an m.room.encrypted event (the event as /sync gave it) of room room_id. Returns
 * {"event": {...}}: the decrypted event (type, content, sender, event_id...), or
 * {"error": ..., "undecryptable": true} when the room key is missing or the event is bad.
 * event_id, sender, origin_server_ts and unsigned are the outer event's; an m.relates_to sent
 * in clear beside the ciphertext is put into the content when the decrypted one has none. */
char *camas_crypto_decrypt(const camas_crypto *c, const char *room_id, const char *event_json);

/* Cross-signing: {"requests": [...], "created": true|false}. At the first call the account's
 * cross-signing keys (master, self-signing, user-signing) are created and kept in the store
 * ("created": true); later calls give the requests for the same keys again. The requests, to
 * send in order and each to mark sent with its id and type: a keys_upload (only when the
 * device keys were not uploaded yet), a signing_keys_upload (POST
 * /keys/device_signing/upload: the public keys; the homeserver may ask for user-interactive
 * auth, to be added to the body as "auth"), a signature_upload (this device signed by the
 * self-signing key, the master key by the device). */
char *camas_crypto_bootstrap_cross_signing(const camas_crypto *c);

/* Sending in an encrypted room, in this order (matrix-sdk-crypto's sequence):
 *   1. camas_crypto_track_users with the room's members (joined and invited), then send the
 *      outgoing requests (a keys_query for members not seen before) until none is left: the
 *      two calls below wait up to 5 s for a pending device-list query of a user of whom no
 *      device is known yet, blocking the caller;
 *   2. camas_crypto_missing_sessions; send its keys_claim request, if any, and mark it sent;
 *   3. camas_crypto_share_room_key; send each to-device request and mark it sent;
 *   4. camas_crypto_encrypt, and send the result as an m.room.encrypted event.
 * users_json is a JSON array of user ids (ids that do not parse are skipped). */

/* Starts tracking the device lists of users_json. Returns {"ok": true}. */
char *camas_crypto_track_users(const camas_crypto *c, const char *users_json);

/* {"request": {...}}: the keys_claim request (same shape as in camas_crypto_outgoing_requests)
 * that gets one-time keys for every device of users_json without an Olm session, or
 * {"request": null} when there is none to claim. At most one in flight at a time. */
char *camas_crypto_missing_sessions(const camas_crypto *c, const char *users_json);

/* {"requests": [...]}: to_device requests that share room_id's outbound Megolm session with
 * every device of users_json that does not have it yet (empty when all have it). A new
 * session is started (the key rotated) when a user who got the current one is not in
 * users_json any more, or after a week or 100 messages. Send each and mark it sent (type
 * to_device) before encrypting. */
char *camas_crypto_share_room_key(const camas_crypto *c, const char *room_id,
                                  const char *users_json);

/* {"type": "m.room.encrypted", "content": {...}}: content_json (an event content of
 * event_type, e.g. m.room.message) encrypted with room_id's Megolm session; m.relates_to
 * stays in clear beside the ciphertext, as the spec asks. An error when no session was
 * shared for the room. */
char *camas_crypto_encrypt(const camas_crypto *c, const char *room_id, const char *event_type,
                           const char *content_json);

#ifdef __cplusplus
}
#endif

#endif
