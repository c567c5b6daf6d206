/* The Matrix client core.
 *
 * Start-up runs as a chain of steps (discover -> versions -> login/whoami -> filter -> joins),
 * each retried with back-off until it succeeds, so camas starts fine while the homeserver is
 * still down. Then two independent loops run: /sync (at most one request in flight) and the
 * outbox pump (up to MAX_SENDS sends in flight, each reply with its own stored txnId).
 *
 * Exactly-once: a sync batch is handled inside one SQLite transaction that marks its events
 * seen, queues the replies in the outbox and stores next_batch. Replies leave the outbox with
 * their stored txnId, so a resend after a crash is deduplicated by the homeserver.
 *
 * The core is split by responsibility; matrix_internal.h holds the shared context:
 *   matrix.c             small helpers shared by the others, and the life cycle
 *   matrix_rooms.c       rooms, typing notices, read receipts, invites
 *   matrix_outbox.c      the outbox pump
 *   matrix_sync.c        the sync loop: handling a batch, filling its gaps
 *   matrix_messages.c    deciding what to do with a message, answers from the plugins
 *   matrix_admin.c       administration from chat, alerts to the admin room
 *   matrix_startup.c     start-up steps (discover, log in, filter, joins) and logging in again
 *   matrix_appservice.c  appservice transports (push, websocket) */

#include "matrix_internal.h"
#include "log.h"
#include "util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---------------------------------------------------------------- */

void set_str(char **slot, const char *v)
{
    free(*slot);
    *slot = camas_strdup(v);
}

void clear_secret(char **slot)
{
    if (*slot) {
        memset(*slot, 0, strlen(*slot));
        free(*slot);
        *slot = NULL;
    }
}

void parse_error(const camas_http_response *r, matrix_error *e)
{
    memset(e, 0, sizeof *e);
    e->retry_after_ms = r->retry_after_ms;
    if (!r->status) {
        snprintf(e->error, sizeof e->error, "%s", r->error ? r->error : "network error");
        return;
    }
    cJSON *j = camas_json_parse_untrusted(r->body, r->body_len);
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "errcode");
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(j, "error");
    const cJSON *ra = cJSON_GetObjectItemCaseSensitive(j, "retry_after_ms");
    const cJSON *soft = cJSON_GetObjectItemCaseSensitive(j, "soft_logout");
    if (cJSON_IsString(code))
        snprintf(e->errcode, sizeof e->errcode, "%s", code->valuestring);
    if (cJSON_IsString(msg))
        snprintf(e->error, sizeof e->error, "%s", msg->valuestring);
    else
        snprintf(e->error, sizeof e->error, "HTTP %d", r->status);
    /* past the cap, the cap: a homeserver asking for a year (or for 1e300 ms) gets an hour */
    if (e->retry_after_ms < 0 && cJSON_IsNumber(ra) && ra->valuedouble >= 0 &&
        !camas_json_int(ra, 0, CAMAS_RETRY_AFTER_MAX_MS, &e->retry_after_ms))
        e->retry_after_ms = CAMAS_RETRY_AFTER_MAX_MS;
    e->soft_logout = cJSON_IsTrue(soft);
    cJSON_Delete(j);
}

bool is_unknown_token(const camas_http_response *r, const matrix_error *e)
{
    return r->status == 401 && strcmp(e->errcode, "M_UNKNOWN_TOKEN") == 0;
}

static camas_http_request *api_ex(camas_core *c, const char *method, const char *path,
                                  const char *body, int timeout_ms, camas_http_cb cb, void *ud,
                                  bool free_ud)
{
    camas_http_options o = {method, path, c->access_token, body, timeout_ms, free_ud};
    camas_http_request *req = camas_http_start(&c->pool, &c->ep, &o, cb, ud);
    if (!req)
        log_error("matrix", "out of memory starting %s %s", method, path);
    return req;
}

camas_http_request *api(camas_core *c, const char *method, const char *path, const char *body,
                        int timeout_ms, camas_http_cb cb, void *ud)
{
    return api_ex(c, method, path, body, timeout_ms, cb, ud, false);
}

/* Heap contexts passed as ud here are freed by the pool if the request is cancelled. */
camas_http_request *api_owned(camas_core *c, const char *method, const char *path, const char *body,
                              int timeout_ms, camas_http_cb cb, void *ud)
{
    return api_ex(c, method, path, body, timeout_ms, cb, ud, true);
}

/* Appends "/_matrix/client/v3" + a path built from parts, URL-encoding the odd ones:
 * parts = {"/rooms/", room_id, "/send/", type, NULL}. */
char *client_path(const char *const *parts)
{
    camas_buf b = {0};
    int rc = camas_buf_puts(&b, "/_matrix/client/v3");
    for (int i = 0; rc == 0 && parts[i]; i++)
        rc = (i % 2) ? camas_buf_urlenc(&b, parts[i]) : camas_buf_puts(&b, parts[i]);
    if (rc) {
        camas_buf_free(&b);
        return NULL;
    }
    return b.data;
}

void stop(camas_core *c, int code)
{
    c->phase = PH_STOPPED;
    c->exit_code = code;
    lws_cancel_service(c->ctx);
}

/* Requests whose outcome only matters for the log (typing, receipts, declines). */
struct fire_ctx {
    char what[96];
};

static void on_fire_done(void *ud, const camas_http_response *r)
{
    struct fire_ctx *f = ud;
    if (r->status != 200) {
        matrix_error e;
        parse_error(r, &e);
        log_debug("matrix", "%s failed: %s %s", f->what, e.errcode, e.error);
    }
    free(f);
}

void fire(camas_core *c, const char *what, const char *method, const char *path, const char *body)
{
    struct fire_ctx *f = calloc(1, sizeof *f);
    if (!f)
        return;
    snprintf(f->what, sizeof f->what, "%s", what);
    if (!api_owned(c, method, path, body, SEND_TIMEOUT_MS, on_fire_done, f))
        free(f);
}

/* ---- life cycle ----------------------------------------------------------------------- */

camas_core *camas_core_new(const camas_config *cfg, camas_store *st, struct lws_context *ctx,
                           camas_plugin_host *host)
{
    camas_core *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->host = host;
    c->cfg = cfg;
    c->st = st;
    c->ctx = ctx;
    c->pool.ctx = ctx;
    c->exit_code = -1;
    camas_metrics_init(&c->metrics);
    c->setup_bo = (camas_backoff){500, 30000, 0};
    c->sync_bo = (camas_backoff){500, 30000, 0};
    c->send_bo = (camas_backoff){250, 30000, 0};
    c->join_bo = (camas_backoff){1000, JOIN_RETRY_MS, 0};
    c->rl_user = camas_ratelimit_new(cfg->help_user_per_minute);
    c->rl_room = camas_ratelimit_new(cfg->help_room_per_minute);
    c->safety = camas_safety_new();
    c->convo = camas_convo_new();
    c->joins = calloc(cfg->n_rooms + 1, sizeof *c->joins);
    if (c->joins) {
        bool admin_listed = false;
        for (size_t i = 0; i < cfg->n_rooms; i++) {
            c->joins[i] = (struct join_target){cfg->rooms[i].id, cfg->rooms[i].kind, false, false};
            if (*cfg->admin_room && strcmp(cfg->rooms[i].id, cfg->admin_room) == 0)
                c->joins[i].is_admin_room = admin_listed = true;
        }
        c->n_joins = cfg->n_rooms;
        if (*cfg->admin_room && !admin_listed)
            c->joins[c->n_joins++] =
                (struct join_target){cfg->admin_room, CAMAS_ROOM_STAFF, true, false};
    }
    if (!c->rl_user || !c->rl_room || !c->safety || !c->joins) {
        camas_core_free(c);
        return NULL;
    }
    return c;
}

/* What a start resumes from: when camas first ran (older messages are not its to answer), the
 * sync position, the device. */
static void load_saved(camas_core *c)
{
    char *first = camas_store_get(c->st, "first_start_ms");
    if (first) {
        c->first_start_ms = strtoll(first, NULL, 10);
        free(first);
    } else {
        c->first_start_ms = camas_now_ms();
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)c->first_start_ms);
        camas_store_set(c->st, "first_start_ms", buf);
    }
    c->since = camas_store_get(c->st, "next_batch");
    c->device_id = camas_store_get(c->st, "device_id");
}

void camas_core_start(camas_core *c)
{
    const camas_config *cfg = c->cfg;
    load_saved(c);
    if (cfg->transport != CAMAS_TRANSPORT_SYNC) {
        char err[600];
        if (camas_registration_load(cfg->as_registration, &c->reg, err, sizeof err)) {
            log_error("matrix", "appservice.registration: %s", err);
            stop(c, 2);
            return;
        }
        c->as_mode = true;
        c->access_token = strdup(c->reg.as_token);
    } else if (cfg->access_token && *cfg->access_token) {
        c->access_token = strdup(cfg->access_token);
    } else {
        c->access_token = camas_store_get(c->st, "access_token");
        /* A session saved for another account is not ours to reuse. */
        char *saved_user = camas_store_get(c->st, "user_id");
        if (c->access_token && saved_user && strcmp(saved_user, cfg->user_id) != 0 &&
            cfg->user_id[0] == '@') {
            clear_secret(&c->access_token);
            free(c->device_id);
            c->device_id = NULL;
        }
        free(saved_user);
        if (!c->access_token && (!cfg->password || !*cfg->password)) {
            log_error("matrix", "no credentials: set auth.password or auth.access_token in %s",
                      cfg->path ? cfg->path : "the configuration");
            stop(c, 2);
            return;
        }
    }
    char err[256];
    if (*cfg->homeserver_url) {
        if (camas_endpoint_parse(&c->ep, cfg->homeserver_url, err, sizeof err)) {
            log_error("matrix", "homeserver.url: %s", err);
            stop(c, 2);
            return;
        }
        c->phase = PH_VERSIONS;
    } else {
        c->phase = PH_DISCOVER;
    }
    if (metrics_start(c))
        return; /* metrics.listen cannot listen: stopped with the reason */
    log_info("matrix", "starting (first started at %lld, %s)", (long long)c->first_start_ms,
             c->since ? "resuming from the saved sync token" : "no sync token yet");
    lws_sul_schedule(c->ctx, 0, &c->setup_timer, on_setup_timer, 1);
}

void camas_core_start_offline(camas_core *c, const char *user_id, bool appservice)
{
    load_saved(c);
    set_str(&c->user_id, user_id);
    set_str(&c->filter_id, "offline"); /* as if the filter step had run */
    c->as_mode = appservice;
    c->phase = PH_RUNNING;
    if (appservice)
        c->ready_logged = true; /* as start_transport does once the transport is up */
    else
        sync_now(c);
}

int camas_core_answer(camas_core *c, const char *path_part, const camas_http_response *r)
{
    return camas_http_pool_answer(&c->pool, path_part, r);
}

int camas_core_exit_code(const camas_core *c)
{
    return c->exit_code;
}

bool camas_core_ready(const camas_core *c, size_t *rooms)
{
    if (rooms)
        *rooms = c->n_rooms;
    return c->ready_logged;
}

void camas_core_free(camas_core *c)
{
    if (!c)
        return;
    sends_cancel_all(c);
    crypto_stop(c);
    camas_http_pool_cancel_all(&c->pool);
    gaps_free(c);
    camas_push_free(c->push);
    camas_metrics_server_free(c->metrics_srv);
    camas_wsclient_free(c->ws);
    sodium_memzero(&c->reg, sizeof c->reg);
    lws_sul_cancel(&c->setup_timer);
    lws_sul_cancel(&c->sync_timer);
    lws_sul_cancel(&c->send_timer);
    lws_sul_cancel(&c->join_timer);
    for (size_t i = 0; i < c->n_rooms; i++)
        room_free(c->rooms[i]);
    free(c->rooms);
    for (size_t i = 0; i < c->n_invites_inflight; i++)
        free(c->invites_inflight[i]);
    free(c->invites_inflight);
    free(c->joins);
    free(c->admin_room_id);
    for (size_t i = 0; i < c->n_held_alerts; i++)
        free(c->held_alerts[i]);
    for (size_t i = 0; i < c->n_inflight; i++)
        free(c->inflight[i]);
    free(c->inflight);
    camas_ratelimit_free(c->rl_user);
    camas_ratelimit_free(c->rl_room);
    camas_safety_free(c->safety);
    camas_convo_free(c->convo);
    clear_secret(&c->access_token);
    free(c->user_id);
    free(c->device_id);
    free(c->filter_id);
    free(c->since);
    free(c);
}
