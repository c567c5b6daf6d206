/* The appservice WebSocket event stream client (mautrix protocol v3, as served by
 * mautrix-wsproxy): transactions arrive as frames; camas answers requests, pings the server,
 * detects a dead peer, reconnects with capped back-off, and stands down when another instance
 * takes over the stream. */
#ifndef CAMAS_WSCLIENT_H
#define CAMAS_WSCLIENT_H

#include <stdbool.h>
#include <libwebsockets.h>

#include "push.h" /* camas_txn_fn */

typedef struct camas_wsclient camas_wsclient;

typedef struct camas_wsclient_callbacks {
    camas_txn_fn on_transaction;
    void (*on_connected)(void *ud);
    void (*on_replaced)(void *ud); /* close 4001 conn_replaced: stop, do not reconnect */
} camas_wsclient_callbacks;

/* url is ws[s]://host[:port][/base]. Returns NULL with the reason in err. */
camas_wsclient *camas_wsclient_new(struct lws_context *ctx, const char *url, const char *as_token,
                                   const camas_wsclient_callbacks *cbs, void *ud, char *err,
                                   size_t errlen);
void camas_wsclient_free(camas_wsclient *w);
/* True while the event stream is connected. */
bool camas_wsclient_connected(const camas_wsclient *w);

extern const struct lws_protocols camas_wsclient_protocol;

#endif
