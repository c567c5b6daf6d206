/* The Matrix client core: administration from chat (!camas ...) and alerts to the admin
 * room. */
#include "matrix_internal.h"
#include "log.h"
#include "reply.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- administration from chat ---------------------------------------------------------- */

struct admin_ctx {
    camas_core *c;
    char room_id[256];
    char sender[256];
    char event_id[256];
    char thread_root[256];
};

static void admin_reply(camas_core *c, const struct admin_ctx *ac, const char *text)
{
    camas_message q = {.room_id = ac->room_id,
                       .sender = ac->sender,
                       .event_id = ac->event_id,
                       .thread_root = ac->thread_root[0] ? ac->thread_root : NULL};
    if (queue_event(c, ac->room_id, "m.room.message", camas_reply_content(&q, text, NULL),
                    ac->event_id))
        log_error("store", "could not queue the reply to %s", ac->event_id);
    pump(c);
}

static void on_admin_done(void *ud, bool ok, const char *summary)
{
    struct admin_ctx *ac = ud;
    char text[1200];
    snprintf(text, sizeof text, "%s %s", ok ? "Done:" : "Refused:", summary);
    admin_reply(ac->c, ac, text);
    free(ac);
}

static bool is_admin(const camas_config *cfg, const char *user)
{
    for (size_t i = 0; i < cfg->n_admins; i++)
        if (strcmp(cfg->admins[i], user) == 0)
            return true;
    return false;
}

static const char admin_usage[] =
    "Usage: !camas plugins | !camas load NAME [force] | !camas unload NAME | "
    "!camas reload NAME|all | !camas knowledge reload";

void handle_admin(camas_core *c, const camas_message *m, const char *args)
{
    struct admin_ctx *ac = calloc(1, sizeof *ac);
    if (!ac)
        return;
    ac->c = c;
    snprintf(ac->room_id, sizeof ac->room_id, "%s", m->room_id);
    snprintf(ac->sender, sizeof ac->sender, "%s", m->sender);
    snprintf(ac->event_id, sizeof ac->event_id, "%s", m->event_id);
    snprintf(ac->thread_root, sizeof ac->thread_root, "%s", m->thread_root ? m->thread_root : "");
    char verb[32] = "", name[64] = "", flag[16] = "";
    sscanf(args, "%31s %63s %15s", verb, name, flag);
    if (!is_admin(c->cfg, m->sender)) {
        log_warn("router", "%s is not an admin: refused '!camas %s'", m->sender, args);
        camas_store_audit(c->st, m->sender, verb[0] ? verb : "admin", name, "", "", "denied",
                          "not an admin");
        admin_reply(c, ac, "Sorry, only camas administrators can do that.");
        free(ac);
        return;
    }
    if (!c->host) {
        admin_reply(c, ac, "Plugins are not enabled in this camas.");
        free(ac);
        return;
    }
    if (strcmp(verb, "plugins") == 0) {
        char *list = camas_plugin_host_describe(c->host);
        admin_reply(c, ac, list ? list : "out of memory");
        free(list);
        free(ac);
    } else if ((strcmp(verb, "load") == 0 || strcmp(verb, "reload") == 0) && name[0]) {
        camas_plugin_host_load(c->host, name, m->sender, strcmp(flag, "force") == 0, on_admin_done,
                               ac);
    } else if (strcmp(verb, "unload") == 0 && name[0]) {
        camas_plugin_host_unload(c->host, name, m->sender, on_admin_done, ac);
    } else if (strcmp(verb, "knowledge") == 0 && strcmp(name, "reload") == 0) {
        /* A part whose files have an error is refused and keeps its previous knowledge. */
        camas_plugin_host_reload_knowledge(c->host, m->sender, on_admin_done, ac);
    } else {
        admin_reply(c, ac, admin_usage);
        free(ac);
    }
}

#define MAX_HELD_ALERTS 32

void camas_core_alert(void *core, const char *text)
{
    camas_core *c = core;
    if (!c || c->phase == PH_STOPPED)
        return;
    if (!c->admin_room_id) {
        /* Start-up refusals come before the admin room is joined: hold them until it is. */
        if (*c->cfg->admin_room && c->n_held_alerts < MAX_HELD_ALERTS)
            c->held_alerts[c->n_held_alerts++] = strdup(text);
        return;
    }
    if (queue_event(c, c->admin_room_id, "m.room.message", camas_notice_content(text, NULL),
                    NULL) == 0)
        pump(c);
}
