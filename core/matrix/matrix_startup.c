/* The Matrix client core: the start-up steps (discover -> versions -> login/whoami -> filter
 * -> joins), each retried with back-off, and logging in again when the token is rejected. */
#include "matrix_internal.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- start-up steps ------------------------------------------------------------------ */

static void setup_step(camas_core *c);

void on_setup_timer(lws_sorted_usec_list_t *sul)
{
    setup_step(lws_container_of(sul, camas_core, setup_timer));
}

void setup_retry(camas_core *c, const char *what, const camas_http_response *r)
{
    matrix_error e;
    parse_error(r, &e);
    int64_t wait = (r->status == 429 && e.retry_after_ms >= 0) ? e.retry_after_ms
                                                               : camas_backoff_next(&c->setup_bo);
    log_warn("matrix", "%s failed (%s%s%s); retrying in %lld ms", what, r->status ? e.errcode : "",
             r->status && e.errcode[0] ? " " : "", e.error, (long long)wait);
    lws_sul_schedule(c->ctx, 0, &c->setup_timer, on_setup_timer, wait * LWS_US_PER_MS);
}

static void advance(camas_core *c, enum phase next)
{
    c->phase = next;
    camas_backoff_reset(&c->setup_bo);
    lws_sul_schedule(c->ctx, 0, &c->setup_timer, on_setup_timer, 1);
}

static void on_wellknown(void *ud, const camas_http_response *r)
{
    camas_core *c = ud;
    c->setup_req = NULL;
    char base[512];
    snprintf(base, sizeof base, "https://%s", c->cfg->server_name);
    if (r->status == 200) {
        cJSON *j = camas_json_parse_untrusted(r->body, r->body_len);
        const cJSON *url = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(j, "m.homeserver"), "base_url");
        if (cJSON_IsString(url))
            snprintf(base, sizeof base, "%s", url->valuestring);
        else
            log_warn("matrix", ".well-known/matrix/client of %s has no m.homeserver.base_url",
                     c->cfg->server_name);
        cJSON_Delete(j);
    } else if (r->status == 0) {
        setup_retry(c, "homeserver discovery", r);
        return;
    }
    char err[256];
    if (camas_endpoint_parse(&c->ep, base, err, sizeof err)) {
        log_error("matrix", "discovered homeserver URL is unusable: %s", err);
        stop(c, 1);
        return;
    }
    log_info("matrix", "homeserver for %s is %s", c->cfg->server_name, base);
    advance(c, PH_VERSIONS);
}

static void on_versions(void *ud, const camas_http_response *r)
{
    camas_core *c = ud;
    c->setup_req = NULL;
    if (r->status != 200) {
        setup_retry(c, "contacting the homeserver", r);
        return;
    }
    cJSON *j = camas_json_parse_untrusted(r->body, r->body_len);
    bool ok = cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "versions"));
    cJSON_Delete(j);
    if (!ok) {
        camas_http_response bad = *r;
        bad.status = 0;
        bad.error = "/_matrix/client/versions did not answer like a Matrix homeserver";
        setup_retry(c, "contacting the homeserver", &bad);
        return;
    }
    log_info("matrix", "homeserver %s%s:%d is up", c->ep.tls ? "https://" : "http://", c->ep.host,
             c->ep.port);
    advance(c, c->access_token ? PH_WHOAMI : PH_LOGIN);
}

static void on_login(void *ud, const camas_http_response *r)
{
    camas_core *c = ud;
    c->setup_req = NULL;
    if (r->status != 200) {
        matrix_error e;
        parse_error(r, &e);
        if (r->status == 403 || (r->status == 400 && strcmp(e.errcode, "M_LIMIT_EXCEEDED"))) {
            log_error("matrix", "the homeserver refused the password login for %s: %s %s",
                      c->cfg->user_id, e.errcode, e.error);
            stop(c, 1);
            return;
        }
        setup_retry(c, "logging in", r);
        return;
    }
    cJSON *j = camas_json_parse_untrusted(r->body, r->body_len);
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(j, "access_token");
    const cJSON *dev = cJSON_GetObjectItemCaseSensitive(j, "device_id");
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(j, "user_id");
    if (!cJSON_IsString(tok) || !cJSON_IsString(dev) || !cJSON_IsString(uid)) {
        cJSON_Delete(j);
        camas_http_response bad = *r;
        bad.status = 0;
        bad.error = "login response lacks access_token, device_id or user_id";
        setup_retry(c, "logging in", &bad);
        return;
    }
    clear_secret(&c->access_token);
    c->access_token = strdup(tok->valuestring);
    set_str(&c->device_id, dev->valuestring);
    set_str(&c->user_id, uid->valuestring);
    if (camas_store_set(c->st, "access_token", tok->valuestring) ||
        camas_store_set(c->st, "device_id", dev->valuestring) ||
        camas_store_set(c->st, "user_id", uid->valuestring))
        log_error("store", "could not save the session; the next start logs in again");
    cJSON_Delete(j);
    log_info("matrix", "logged in as %s (device %s)", c->user_id, c->device_id);
    advance(c, PH_WHOAMI);
}

static void on_whoami(void *ud, const camas_http_response *r)
{
    camas_core *c = ud;
    c->setup_req = NULL;
    if (r->status != 200) {
        matrix_error e;
        parse_error(r, &e);
        if (is_unknown_token(r, &e)) {
            relogin_or_stop(c, "checking the access token");
            return;
        }
        setup_retry(c, "checking the access token (whoami)", r);
        return;
    }
    cJSON *j = camas_json_parse_untrusted(r->body, r->body_len);
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(j, "user_id");
    const cJSON *dev = cJSON_GetObjectItemCaseSensitive(j, "device_id");
    if (cJSON_IsString(uid))
        set_str(&c->user_id, uid->valuestring);
    if (cJSON_IsString(dev))
        set_str(&c->device_id, dev->valuestring);
    cJSON_Delete(j);
    if (!c->user_id) {
        camas_http_response bad = *r;
        bad.status = 0;
        bad.error = "whoami response lacks user_id";
        setup_retry(c, "whoami", &bad);
        return;
    }
    log_info("matrix", "acting as %s (device %s)", c->user_id,
             c->device_id ? c->device_id : "unknown");
    if (crypto_start(c)) {
        stop(c, 1);
        return;
    }
    advance(c, c->as_mode ? PH_JOINS : c->filter_id ? PH_RUNNING : PH_FILTER);
}

static void on_filter(void *ud, const camas_http_response *r)
{
    camas_core *c = ud;
    c->setup_req = NULL;
    cJSON *j = r->status == 200 ? camas_json_parse_untrusted(r->body, r->body_len) : NULL;
    const cJSON *fid = cJSON_GetObjectItemCaseSensitive(j, "filter_id");
    if (!cJSON_IsString(fid)) {
        cJSON_Delete(j);
        matrix_error e;
        parse_error(r, &e);
        if (is_unknown_token(r, &e)) {
            relogin_or_stop(c, "uploading the sync filter");
            return;
        }
        setup_retry(c, "uploading the sync filter", r);
        return;
    }
    set_str(&c->filter_id, fid->valuestring);
    cJSON_Delete(j);
    advance(c, PH_JOINS);
}

struct join_ctx {
    camas_core *c;
    size_t index; /* into c->joins */
};

static void join_configured(camas_core *c);

static void on_join_timer(lws_sorted_usec_list_t *sul)
{
    camas_core *c = lws_container_of(sul, camas_core, join_timer);
    if (c->phase == PH_RUNNING)
        join_configured(c);
}

static void on_join(void *ud, const camas_http_response *r)
{
    struct join_ctx *jc = ud;
    camas_core *c = jc->c;
    struct join_target *rc = &c->joins[jc->index];
    free(jc);
    c->joins_pending--;
    cJSON *j = r->status == 200 ? camas_json_parse_untrusted(r->body, r->body_len) : NULL;
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(j, "room_id");
    if (cJSON_IsString(rid)) {
        struct room *room = room_get(c, rid->valuestring);
        if (room) {
            room->kind = rc->kind;
            room->configured = true;
            rc->joined = true;
            camas_backoff_reset(&c->join_bo);
            if (rc->is_admin_room) {
                set_str(&c->admin_room_id, rid->valuestring);
                for (size_t i = 0; i < c->n_held_alerts; i++) {
                    if (c->held_alerts[i])
                        camas_core_alert(c, c->held_alerts[i]);
                    free(c->held_alerts[i]);
                }
                c->n_held_alerts = 0;
            }
            log_info("matrix", "joined %s (%s) as a %s room%s", rc->id, rid->valuestring,
                     camas_room_kind_name(rc->kind), rc->is_admin_room ? " (admin room)" : "");
        }
    } else {
        matrix_error e;
        parse_error(r, &e);
        bool passing = r->status == 0 || r->status == 429 || r->status >= 500;
        int64_t wait = passing ? camas_backoff_next(&c->join_bo) : JOIN_RETRY_MS;
        log_warn("matrix", "could not join %s: %s %s; retrying in %lld ms", rc->id, e.errcode,
                 e.error, (long long)wait);
        lws_sul_schedule(c->ctx, 0, &c->join_timer, on_join_timer,
                         (lws_usec_t)wait * LWS_US_PER_MS);
    }
    cJSON_Delete(j);
    if (c->joins_pending == 0 && c->phase == PH_JOINS)
        advance(c, PH_RUNNING);
}

static void join_configured(camas_core *c)
{
    for (size_t i = 0; i < c->n_joins; i++) {
        if (c->joins[i].joined)
            continue;
        struct join_ctx *jc = calloc(1, sizeof *jc);
        char *path = client_path((const char *const[]){"/join/", c->joins[i].id, NULL});
        if (!jc || !path) {
            free(jc);
            free(path);
            continue;
        }
        jc->c = c;
        jc->index = i;
        if (api_owned(c, "POST", path, "{}", SETUP_TIMEOUT_MS, on_join, jc))
            c->joins_pending++;
        else
            free(jc);
        free(path);
    }
}

/* A printf format: the timeline limit (sync.timeline_limit) goes in. */
static const char sync_filter_fmt[] =
    "{\"presence\":{\"not_types\":[\"*\"]},"
    "\"account_data\":{\"not_types\":[\"*\"]},"
    "\"room\":{\"account_data\":{\"not_types\":[\"*\"]},"
    "\"ephemeral\":{\"not_types\":[\"*\"]},"
    "\"state\":{\"types\":[\"m.room.encryption\"],\"lazy_load_members\":true},"
    "\"timeline\":{\"limit\":%ld,\"types\":[\"m.room.message\",\"m.room.encrypted\","
    "\"m.room.encryption\",\"m.room.redaction\"]}}}";

static void setup_step(camas_core *c)
{
    if (c->setup_req || c->phase == PH_STOPPED)
        return;
    char *path = NULL;
    switch (c->phase) {
    case PH_DISCOVER: {
        camas_endpoint wk;
        char err[256], url[512];
        snprintf(url, sizeof url, "https://%s", c->cfg->server_name);
        if (camas_endpoint_parse(&wk, url, err, sizeof err)) {
            log_error("matrix", "homeserver.server_name: %s", err);
            stop(c, 2);
            return;
        }
        camas_http_options o = {.method = "GET",
                                .path = "/.well-known/matrix/client",
                                .body = NULL,
                                .timeout_ms = SETUP_TIMEOUT_MS};
        c->setup_req = camas_http_start(&c->pool, &wk, &o, on_wellknown, c);
        break;
    }
    case PH_VERSIONS: {
        camas_http_options o = {.method = "GET",
                                .path = "/_matrix/client/versions",
                                .body = NULL,
                                .timeout_ms = SETUP_TIMEOUT_MS};
        c->setup_req = camas_http_start(&c->pool, &c->ep, &o, on_versions, c);
        break;
    }
    case PH_LOGIN: {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "type", "m.login.password");
        cJSON *ident = cJSON_AddObjectToObject(j, "identifier");
        cJSON_AddStringToObject(ident, "type", "m.id.user");
        cJSON_AddStringToObject(ident, "user", c->cfg->user_id);
        cJSON_AddStringToObject(j, "password", c->cfg->password);
        if (c->device_id) /* keep the device, so txnIds and the device list stay stable */
            cJSON_AddStringToObject(j, "device_id", c->device_id);
        cJSON_AddStringToObject(j, "initial_device_display_name", c->cfg->device_name);
        char *body = cJSON_PrintUnformatted(j);
        cJSON_Delete(j);
        camas_http_options o = {.method = "POST",
                                .path = "/_matrix/client/v3/login",
                                .body = body,
                                .timeout_ms = SETUP_TIMEOUT_MS};
        c->setup_req = body ? camas_http_start(&c->pool, &c->ep, &o, on_login, c) : NULL;
        if (body) {
            memset(body, 0, strlen(body));
            free(body);
        }
        break;
    }
    case PH_WHOAMI:
        c->setup_req = api(c, "GET", "/_matrix/client/v3/account/whoami", NULL, SETUP_TIMEOUT_MS,
                           on_whoami, c);
        break;
    case PH_FILTER: {
        char filter[sizeof sync_filter_fmt + 32];
        snprintf(filter, sizeof filter, sync_filter_fmt, c->cfg->sync_timeline_limit);
        path = client_path((const char *const[]){"/user/", c->user_id, "/filter", NULL});
        c->setup_req = path ? api(c, "POST", path, filter, SETUP_TIMEOUT_MS, on_filter, c) : NULL;
        break;
    }
    case PH_JOINS:
        join_configured(c);
        if (c->joins_pending == 0)
            advance(c, PH_RUNNING);
        return;
    case PH_RUNNING:
        if (c->as_mode)
            start_transport(c);
        else
            sync_now(c);
        dispatch_inbox(c);
        pump(c);
        return;
    case PH_STOPPED:
        return;
    }
    free(path);
    if (!c->setup_req)
        lws_sul_schedule(c->ctx, 0, &c->setup_timer, on_setup_timer, LWS_US_PER_SEC);
}

/* The token was rejected: log in again if we can, else stop with a clear message. */
void relogin_or_stop(camas_core *c, const char *where)
{
    if (c->phase == PH_LOGIN || c->phase == PH_STOPPED)
        return;
    camas_http_cancel(c->sync_req);
    c->sync_req = NULL;
    sends_cancel_all(c);
    camas_store_delete(c->st, "access_token");
    clear_secret(&c->access_token);
    if (c->as_mode) {
        log_error("matrix",
                  "the homeserver rejected the appservice as_token (M_UNKNOWN_TOKEN) "
                  "while %s: is the registration loaded by the homeserver "
                  "(app_service_config_files) and the same file as "
                  "appservice.registration?",
                  where);
        stop(c, 1);
        return;
    }
    if (!c->cfg->password || !*c->cfg->password) {
        log_error("matrix",
                  "the homeserver rejected the access token (M_UNKNOWN_TOKEN) while %s, and no "
                  "password is configured to log in again: put a new access token in "
                  "auth.access_token (or auth.access_token_file), or set auth.password",
                  where);
        stop(c, 1);
        return;
    }
    log_warn("matrix", "the homeserver rejected the access token while %s; logging in again",
             where);
    c->phase = PH_LOGIN;
    camas_backoff_reset(&c->setup_bo);
    lws_sul_schedule(c->ctx, 0, &c->setup_timer, on_setup_timer, 1);
}
