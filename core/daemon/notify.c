/* sd_notify from the event loop (notify.h). */
#include "notify.h"
#include "log.h"

#include <libwebsockets.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

struct camas_notify {
    lws_sorted_usec_list_t watchdog; /* first member: the timer callback finds n from it */
    struct lws_context *ctx;
    uint64_t watchdog_usec; /* 0: no watchdog asked for */
};

static void say(const char *state)
{
    int rc = sd_notify(0, state);
    if (rc < 0)
        log_warn("main", "cannot notify the service manager: %s", strerror(-rc));
}

static void on_watchdog(lws_sorted_usec_list_t *sul)
{
    camas_notify *n = (camas_notify *)sul;
    say("WATCHDOG=1");
    /* half the timeout, as sd_watchdog_enabled(3) advises */
    lws_sul_schedule(n->ctx, 0, &n->watchdog, on_watchdog, (lws_usec_t)(n->watchdog_usec / 2));
}

camas_notify *camas_notify_new(struct lws_context *ctx)
{
    camas_notify *n = calloc(1, sizeof *n);
    if (!n)
        return NULL;
    n->ctx = ctx;
    uint64_t usec = 0;
    /* > 0 only when WATCHDOG_USEC is set for this very process */
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        n->watchdog_usec = usec;
        log_info("main", "systemd watchdog every %llu ms", (unsigned long long)(usec / 2000));
        on_watchdog(&n->watchdog);
    }
    return n;
}

void camas_notify_free(camas_notify *n)
{
    if (!n)
        return;
    lws_sul_cancel(&n->watchdog);
    free(n);
}

void camas_notify_ready(camas_notify *n, const char *status)
{
    if (!n)
        return;
    char msg[512];
    snprintf(msg, sizeof msg, "READY=1\nSTATUS=%s", status);
    say(msg);
}

void camas_notify_status(camas_notify *n, const char *status)
{
    if (!n)
        return;
    char msg[512];
    snprintf(msg, sizeof msg, "STATUS=%s", status);
    say(msg);
}

void camas_notify_reloading(camas_notify *n)
{
    if (n)
        say("RELOADING=1\nSTATUS=reloading the knowledge and the plugins");
}

void camas_notify_stopping(camas_notify *n)
{
    if (n)
        say("STOPPING=1\nSTATUS=stopping");
}
