/* Telling the service manager how camas is doing, through libsystemd's sd_notify: READY=1
 * once the transport is up (the first /sync or appservice connection), STATUS= lines,
 * RELOADING=1 … READY=1 around a SIGHUP reload, STOPPING=1, and the watchdog kept alive by
 * a timer on the event loop itself, so a loop that stops turning gets camas restarted
 * (WatchdogSec= in the unit). Outside systemd (no NOTIFY_SOCKET) every call does nothing. */
#ifndef CAMAS_NOTIFY_H
#define CAMAS_NOTIFY_H

struct lws_context;
typedef struct camas_notify camas_notify;

/* NULL when out of memory (camas then runs without notifications). */
camas_notify *camas_notify_new(struct lws_context *ctx);
void camas_notify_free(camas_notify *n);

void camas_notify_ready(camas_notify *n, const char *status);
void camas_notify_status(camas_notify *n, const char *status);
void camas_notify_reloading(camas_notify *n);
void camas_notify_stopping(camas_notify *n);

#endif
