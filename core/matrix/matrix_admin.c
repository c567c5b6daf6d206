/* The Matrix client core: administration from chat (!camas ...) and alerts to the admin
 * room. */
#include "matrix_internal.h"
#include "admin.h"
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

/* The outcome of a command, as a reply to it: actions say "Done:" or "Refused:". */
static void on_admin_done(void *ud, camas_admin_outcome outcome, const char *text)
{
    struct admin_ctx *ac = ud;
    camas_buf b = {0};
    if (outcome == CAMAS_ADMIN_DONE || outcome == CAMAS_ADMIN_REFUSED)
        camas_buf_printf(&b, "%s %s", outcome == CAMAS_ADMIN_DONE ? "Done:" : "Refused:", text);
    else if (outcome == CAMAS_ADMIN_INVALID && *text >= 'a' && *text <= 'z')
        camas_buf_printf(&b, "%c%s", *text - 'a' + 'A', text + 1);
    else
        camas_buf_puts(&b, text);
    const char *reply = camas_buf_cstr(&b);
    admin_reply(ac->c, ac, reply ? reply : "out of memory");
    camas_buf_free(&b);
    free(ac);
}

static bool is_admin(const camas_config *cfg, const char *user)
{
    for (size_t i = 0; i < cfg->n_admins; i++)
        if (strcmp(cfg->admins[i], user) == 0)
            return true;
    return false;
}

/* !camas ARGS: the admin commands of admin.c, as camas ctl has them. */
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
    camas_admin_env env = {.from = CAMAS_ADMIN_FROM_CHAT,
                           .actor = m->sender,
                           .allowed = is_admin(c->cfg, m->sender),
                           .prefix = "!camas ",
                           .host = c->host,
                           .core = c,
                           .st = c->st};
    camas_admin_run(&env, args, on_admin_done, ac);
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
