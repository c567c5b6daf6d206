/* Watches the knowledge directory (inotify, on the lws loop) and reports edits, debounced. */
#ifndef CAMAS_WATCH_H
#define CAMAS_WATCH_H

#include <libwebsockets.h>

typedef struct camas_watch camas_watch;
typedef void (*camas_watch_cb)(void *ud);

/* Calls cb once edits have settled for debounce_ms. Returns NULL (and logs why) when the
 * directory cannot be watched; camas then relies on !camas knowledge reload and SIGHUP. */
camas_watch *camas_watch_new(struct lws_context *ctx, const char *dir, int debounce_ms,
                             camas_watch_cb cb, void *ud);
void camas_watch_free(camas_watch *w);

extern const struct lws_protocols camas_watch_protocol;

#endif
