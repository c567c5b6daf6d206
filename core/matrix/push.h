/* The appservice HTTP push endpoint (Matrix application service API) served by
 * libwebsockets: PUT /_matrix/app/v1/transactions/{txnId}, the legacy /transactions/{txnId},
 * and POST /_matrix/app/v1/ping. */
#ifndef CAMAS_PUSH_H
#define CAMAS_PUSH_H

#include <cjson/cJSON.h>
#include <libwebsockets.h>

/* Handles one transaction; returns 0 once its events are durably queued (or were already),
 * -1 if they could not be (the homeserver will retry). */
typedef int (*camas_txn_fn)(void *ud, const char *txn_id, const cJSON *events);

typedef struct camas_push camas_push;

/* A transaction's body (len bytes, NUL-terminated) parsed: the JSON tree (free with
 * cJSON_Delete) with its events in *events (NULL when it has none), or NULL when it is not an
 * object with an events list. */
cJSON *camas_push_parse_transaction(const char *body, size_t len, const cJSON **events);

/* listen is "ADDRESS:PORT". Returns NULL with the reason in err. */
camas_push *camas_push_new(struct lws_context *ctx, const char *listen, const char *hs_token,
                           camas_txn_fn fn, void *ud, char *err, size_t errlen);
void camas_push_free(camas_push *p);

#endif
