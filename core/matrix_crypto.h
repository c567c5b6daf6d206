/* End-to-end encryption in the Matrix client core (core/matrix_crypto.c): the Olm machine of
 * crypto/ (a Rust library, camas_crypto.h) driven by the core. Built only with
 * -Dencryption; otherwise these functions do nothing. Only core/matrix*.c include this. */
#ifndef CAMAS_MATRIX_CRYPTO_H
#define CAMAS_MATRIX_CRYPTO_H

#include <cjson/cJSON.h>

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

#endif
