/* The Matrix client core: end-to-end encryption. The Olm machine (crypto/, matrix-sdk-crypto
 * behind a C ABI, JSON in and out) keeps the keys in its own SQLite store under
 * STATE_DIR/crypto (directory 0700, files 0600), encrypted with a passphrase read from a secret
 * file (generated at first start). The core feeds it the crypto parts of each /sync and sends
 * the requests it asks for (keys upload, keys query, keys claim, to-device messages, signature
 * uploads) one at a time through its HTTP client, marking each sent with the response.
 * Neither key material nor the passphrase is ever logged. */
#include "matrix_internal.h"
#include "matrix_crypto.h"
#include "log.h"
#include "util.h"

#include <stdlib.h>

#ifndef CAMAS_HAVE_ENCRYPTION

int crypto_start(struct camas_core *c)
{
    (void)c;
    return 0;
}
void crypto_feed_sync(struct camas_core *c, const cJSON *sync)
{
    (void)c;
    (void)sync;
}
void crypto_pump(struct camas_core *c)
{
    (void)c;
}
void crypto_stop(struct camas_core *c)
{
    (void)c;
}
cJSON *e2ee_decrypt(struct camas_core *c, const char *room_id, const cJSON *ev)
{
    (void)c;
    (void)room_id;
    (void)ev;
    return NULL;
}
void e2ee_keep_undecryptable(struct camas_core *c, const char *room_id, const cJSON *ev)
{
    (void)c;
    (void)room_id;
    (void)ev;
}
int e2ee_retry_undecryptable(struct camas_core *c,
                             int (*handle)(struct camas_core *c, const char *room_id,
                                           const cJSON *plain, void *ud),
                             void *ud)
{
    (void)c;
    (void)handle;
    (void)ud;
    return 0;
}

#else

#include "camas_crypto.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Requests sent in a row before waiting for the next sync (a machine that keeps asking for
 * the same request, say one the homeserver refuses for good, must not spin). */
#define CRYPTO_MAX_ROUNDS 32
/* Undecryptable events kept to retry when room keys arrive: at most this many, for at most
 * E2EE_PENDING_MS (the oldest go first). */
#define E2EE_MAX_PENDING  64
#define E2EE_PENDING_MS   (24 * 3600 * 1000LL)

struct camas_e2ee {
    camas_crypto *m;
    camas_http_request *req; /* the request in flight */
    char *req_id, *req_type;
    cJSON *queue; /* requests listed and not yet sent */
    int rounds;
    camas_backoff bo;
    lws_sorted_usec_list_t retry_timer;
    bool waiting;        /* retry_timer is pending */
    struct idle_waiter { /* called once no request is left to send (e2ee_when_idle) */
        void (*cb)(void *ud);
        void *ud;
    } idle[4];
    int new_room_keys; /* room keys received since the undecryptable events were retried */
    struct pending_event {
        char *room_id;
        cJSON *event;
        int64_t since_ms; /* wall clock: kept across restarts */
    } pending[E2EE_MAX_PENDING];
    size_t n_pending;
    struct camas_core *c;
};

bool e2ee_lib_error(const char *what, char *json)
{
    cJSON *j = json ? cJSON_Parse(json) : NULL;
    const char *e = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "error"));
    bool failed = !json || e;
    if (failed)
        log_warn("crypto", "%s: %s", what, e ? e : "no answer from the crypto library");
    cJSON_Delete(j);
    camas_crypto_free_string(json);
    return failed;
}

/* Reads the passphrase, creating the file with 32 random bytes (base64) when absent. */
static char *load_passphrase(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0 && errno == ENOENT) {
        unsigned char raw[32];
        char b64[sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
        randombytes_buf(raw, sizeof raw);
        sodium_bin2base64(b64, sizeof b64, raw, sizeof raw,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        sodium_memzero(raw, sizeof raw);
        int wfd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        size_t len = strlen(b64);
        bool ok = wfd >= 0 && write(wfd, b64, len) == (ssize_t)len && fsync(wfd) == 0;
        if (wfd >= 0)
            close(wfd);
        if (!ok) {
            log_error("crypto", "cannot create the passphrase file %s: %s", path, strerror(errno));
            sodium_memzero(b64, sizeof b64);
            return NULL;
        }
        log_info("crypto",
                 "created a new crypto store passphrase in %s (keep it with the state "
                 "directory: the store cannot be opened without it)",
                 path);
        char *p = strdup(b64);
        sodium_memzero(b64, sizeof b64);
        return p;
    }
    if (fd < 0) {
        log_error("crypto", "cannot read the passphrase file %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && (st.st_mode & 077))
        log_warn("crypto", "the passphrase file %s can be read by others (chmod 600 it)", path);
    char buf[1024];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) {
        log_error("crypto", "the passphrase file %s is empty or unreadable", path);
        return NULL;
    }
    buf[n] = 0;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = 0;
    char *p = n > 0 ? strdup(buf) : NULL;
    sodium_memzero(buf, sizeof buf);
    if (!p)
        log_error("crypto", "the passphrase file %s is empty", path);
    return p;
}

/* Makes every file of dir 0600 (SQLite creates its files with the umask's mode). */
static void tighten_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            (st.st_mode & 0777) != 0600)
            fchmodat(dirfd(d), de->d_name, 0600, 0);
    }
    closedir(d);
}

static void pending_load(struct camas_core *c);

int crypto_start(struct camas_core *c)
{
    const camas_config *cfg = c->cfg;
    if (!cfg->encryption_enabled || c->as_mode)
        return 0;
    if (c->e2ee) {
        crypto_pump(c);
        return 0;
    }
    if (!c->user_id || !c->device_id) {
        log_error("crypto", "encryption needs the device id, and the homeserver did not give "
                            "one (log in with a password, or use a token with a device)");
        return -1;
    }
    if (sodium_init() < 0)
        return -1;
    char dir[4096], pass_path[4096];
    snprintf(dir, sizeof dir, "%s/crypto", cfg->state_dir);
    if (*cfg->encryption_passphrase_file)
        snprintf(pass_path, sizeof pass_path, "%s", cfg->encryption_passphrase_file);
    else
        snprintf(pass_path, sizeof pass_path, "%s/crypto-passphrase", cfg->state_dir);
    if (mkdir(dir, 0700) && errno != EEXIST) {
        log_error("crypto", "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    chmod(dir, 0700);
    char *pass = load_passphrase(pass_path);
    if (!pass)
        return -1;
    char *err = NULL;
    mode_t old = umask(077); /* the store's files are created 0600 */
    camas_crypto *m = camas_crypto_open(c->user_id, c->device_id, dir, pass, &err);
    umask(old);
    sodium_memzero(pass, strlen(pass));
    free(pass);
    if (!m) {
        e2ee_lib_error("opening the crypto store", err);
        log_error("crypto", "cannot open the crypto store in %s for %s (device %s)", dir,
                  c->user_id, c->device_id);
        return -1;
    }
    tighten_files(dir);
    struct camas_e2ee *e = calloc(1, sizeof *e);
    if (!e) {
        camas_crypto_close(m);
        return -1;
    }
    e->m = m;
    e->c = c;
    e->bo = (camas_backoff){1000, 300000, 0};
    c->e2ee = e;
    char *id = camas_crypto_identity(m);
    cJSON *j = id ? cJSON_Parse(id) : NULL;
    log_info("crypto", "end-to-end encryption on: device %s, ed25519 key %s", c->device_id,
             cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "ed25519"))
                 ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "ed25519"))
                 : "?");
    cJSON_Delete(j);
    camas_crypto_free_string(id);
    pending_load(c);
    crypto_pump(c);
    e2ee_cross_signing_start(c);
    return 0;
}

void crypto_feed_sync(struct camas_core *c, const cJSON *sync)
{
    struct camas_e2ee *e = c->e2ee;
    if (!e)
        return;
    static const char *const parts[] = {"to_device", "device_lists", "device_one_time_keys_count",
                                        "device_unused_fallback_key_types", "next_batch"};
    cJSON *in = cJSON_CreateObject();
    bool any = false;
    for (size_t i = 0; in && i < sizeof parts / sizeof parts[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(sync, parts[i]);
        if (v) {
            cJSON_AddItemReferenceToObject(in, parts[i], (cJSON *)v);
            any = any || i < 4;
        }
    }
    char *s = any ? cJSON_PrintUnformatted(in) : NULL;
    cJSON_Delete(in);
    if (s) {
        char *out = camas_crypto_receive_sync(e->m, s);
        free(s);
        cJSON *j = out ? cJSON_Parse(out) : NULL;
        const cJSON *keys = cJSON_GetObjectItemCaseSensitive(j, "room_keys");
        if (cJSON_IsNumber(keys) && keys->valuedouble > 0)
            e->new_room_keys += (int)keys->valuedouble;
        cJSON_Delete(j);
        e2ee_lib_error("processing the sync's crypto events", out);
    }
    e->rounds = 0;
}

static void crypto_send_next(struct camas_e2ee *e);

/* Calls the e2ee_when_idle callbacks, if any (once each). */
static void fire_idle(struct camas_e2ee *e)
{
    struct idle_waiter w[sizeof e->idle / sizeof e->idle[0]];
    memcpy(w, e->idle, sizeof w);
    memset(e->idle, 0, sizeof e->idle);
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        if (w[i].cb)
            w[i].cb(w[i].ud);
}

static void on_retry(lws_sorted_usec_list_t *sul)
{
    struct camas_e2ee *e = lws_container_of(sul, struct camas_e2ee, retry_timer);
    e->waiting = false;
    crypto_send_next(e);
}

static void retry_later(struct camas_e2ee *e, int64_t ms)
{
    e->waiting = true;
    lws_sul_schedule(e->c->ctx, 0, &e->retry_timer, on_retry, ms * LWS_US_PER_MS);
}

static void on_crypto_response(void *ud, const camas_http_response *r)
{
    struct camas_e2ee *e = ud;
    e->req = NULL;
    if (r->status >= 200 && r->status < 300) {
        char *out = camas_crypto_mark_sent(e->m, e->req_id, e->req_type, r->body);
        if (e2ee_lib_error("recording a sent request", out)) {
            /* The machine lists it again; wait before sending it again. */
            cJSON_Delete(e->queue);
            e->queue = NULL;
            retry_later(e, camas_backoff_next(&e->bo));
            return;
        }
        camas_backoff_reset(&e->bo);
        log_debug("crypto", "%s sent", e->req_type);
        crypto_send_next(e);
        return;
    }
    matrix_error me;
    parse_error(r, &me);
    int64_t wait = (r->status == 429 && me.retry_after_ms >= 0) ? me.retry_after_ms
                                                                : camas_backoff_next(&e->bo);
    log_warn("crypto", "%s failed (%d %s %s); retrying in %lld ms", e->req_type, r->status,
             me.errcode, r->status ? me.error : (r->error ? r->error : ""), (long long)wait);
    cJSON_Delete(e->queue); /* listed afresh on the retry */
    e->queue = NULL;
    retry_later(e, wait);
}

static void crypto_send_next(struct camas_e2ee *e)
{
    if (e->req || e->waiting) /* one at a time */
        return;
    if (!e->queue || cJSON_GetArraySize(e->queue) == 0) {
        cJSON_Delete(e->queue);
        e->queue = NULL;
        if (e->rounds >= CRYPTO_MAX_ROUNDS) {
            fire_idle(e);
            return; /* until the next sync */
        }
        char *out = camas_crypto_outgoing_requests(e->m);
        cJSON *j = out ? cJSON_Parse(out) : NULL;
        camas_crypto_free_string(out);
        cJSON *reqs = cJSON_DetachItemFromObjectCaseSensitive(j, "requests");
        if (!cJSON_IsArray(reqs)) {
            const char *err = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "error"));
            log_warn("crypto", "listing the outgoing requests: %s", err ? err : "bad answer");
            cJSON_Delete(reqs);
            cJSON_Delete(j);
            fire_idle(e);
            return;
        }
        cJSON_Delete(j);
        if (cJSON_GetArraySize(reqs) == 0) {
            cJSON_Delete(reqs);
            fire_idle(e);
            return;
        }
        e->queue = reqs;
        if (++e->rounds == CRYPTO_MAX_ROUNDS)
            log_warn("crypto", "the crypto machine keeps asking for requests; pausing until "
                               "the next sync");
    }
    cJSON *rq = cJSON_DetachItemFromArray(e->queue, 0);
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rq, "id"));
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rq, "type"));
    const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rq, "method"));
    const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rq, "path"));
    const char *body = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rq, "body"));
    if (!id || !type || !method || !path || !body) {
        log_warn("crypto", "the crypto library listed a malformed request; skipped");
        cJSON_Delete(rq);
        crypto_send_next(e);
        return;
    }
    set_str(&e->req_id, id);
    set_str(&e->req_type, type);
    e->req = api(e->c, method, path, body, SEND_TIMEOUT_MS, on_crypto_response, e);
    cJSON_Delete(rq);
    if (!e->req)
        retry_later(e, camas_backoff_next(&e->bo));
}

void crypto_pump(struct camas_core *c)
{
    if (c->e2ee && c->phase != PH_STOPPED)
        crypto_send_next(c->e2ee);
}

void crypto_stop(struct camas_core *c)
{
    struct camas_e2ee *e = c->e2ee;
    if (!e)
        return;
    camas_http_cancel(e->req);
    lws_sul_cancel(&e->retry_timer);
    e2ee_send_stop(c);
    e2ee_cross_signing_stop(c);
    cJSON_Delete(e->queue);
    free(e->req_id);
    free(e->req_type);
    for (size_t i = 0; i < e->n_pending; i++) {
        free(e->pending[i].room_id);
        cJSON_Delete(e->pending[i].event);
    }
    camas_crypto_close(e->m);
    free(e);
    c->e2ee = NULL;
}

int e2ee_when_idle(struct camas_core *c, void (*cb)(void *ud), void *ud)
{
    struct camas_e2ee *e = c->e2ee;
    size_t i = 0;
    while (e && i < sizeof e->idle / sizeof e->idle[0] && e->idle[i].cb)
        i++;
    if (!e || i == sizeof e->idle / sizeof e->idle[0])
        return -1;
    e->idle[i] = (struct idle_waiter){cb, ud};
    if (!e->req && !e->waiting && (!e->queue || cJSON_GetArraySize(e->queue) == 0))
        e->rounds = 0; /* a fresh look at what the machine wants */
    crypto_send_next(e);
    return 0;
}

void e2ee_cancel_idle(struct camas_core *c, void *ud)
{
    struct camas_e2ee *e = c->e2ee;
    for (size_t i = 0; e && i < sizeof e->idle / sizeof e->idle[0]; i++)
        if (e->idle[i].ud == ud)
            e->idle[i] = (struct idle_waiter){0};
}

camas_crypto *e2ee_machine(struct camas_core *c)
{
    return c->e2ee ? c->e2ee->m : NULL;
}

cJSON *e2ee_decrypt(struct camas_core *c, const char *room_id, const cJSON *ev)
{
    struct camas_e2ee *e = c->e2ee;
    char *s = e ? cJSON_PrintUnformatted(ev) : NULL;
    if (!s)
        return NULL;
    char *out = camas_crypto_decrypt(e->m, room_id, s);
    free(s);
    cJSON *j = out ? cJSON_Parse(out) : NULL;
    cJSON *plain = cJSON_DetachItemFromObjectCaseSensitive(j, "event");
    if (!cJSON_IsObject(plain)) {
        /* The reason names the missing session, never key material. */
        const char *why = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "error"));
        log_info("crypto", "%s: cannot decrypt %s (%s)", room_id,
                 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "event_id"))
                     ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "event_id"))
                     : "?",
                 why ? why : "no answer");
        cJSON_Delete(plain);
        plain = NULL;
    }
    cJSON_Delete(j);
    camas_crypto_free_string(out);
    return plain;
}

/* The kept undecryptable events live in camas's store too (written inside the sync batch's
 * transaction), so a key that arrives after a restart still gets its question answered. */
#define PENDING_KEY       "e2ee_undecryptable"

static void pending_save(struct camas_core *c)
{
    struct camas_e2ee *e = c->e2ee;
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < e->n_pending; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "room_id", e->pending[i].room_id);
        cJSON_AddNumberToObject(o, "since_ms", (double)e->pending[i].since_ms);
        cJSON_AddItemReferenceToObject(o, "event", e->pending[i].event);
        cJSON_AddItemToArray(a, o);
    }
    char *s = a ? cJSON_PrintUnformatted(a) : NULL;
    cJSON_Delete(a);
    if (!s || camas_store_set(c->st, PENDING_KEY, s))
        log_warn("store", "could not record the undecryptable events kept for later");
    free(s);
}

static void pending_load(struct camas_core *c)
{
    struct camas_e2ee *e = c->e2ee;
    char *s = camas_store_get(c->st, PENDING_KEY);
    cJSON *a = s ? cJSON_Parse(s) : NULL;
    free(s);
    const cJSON *o;
    cJSON_ArrayForEach(o, a)
    {
        const char *room = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "room_id"));
        const cJSON *since = cJSON_GetObjectItemCaseSensitive(o, "since_ms");
        cJSON *ev = cJSON_GetObjectItemCaseSensitive(o, "event");
        if (!room || !cJSON_IsNumber(since) || !cJSON_IsObject(ev) ||
            e->n_pending == E2EE_MAX_PENDING)
            continue;
        struct pending_event *p = &e->pending[e->n_pending];
        p->room_id = strdup(room);
        p->event = cJSON_Duplicate(ev, 1);
        p->since_ms = (int64_t)since->valuedouble;
        if (p->room_id && p->event)
            e->n_pending++;
        else {
            free(p->room_id);
            cJSON_Delete(p->event);
        }
    }
    cJSON_Delete(a);
    if (e->n_pending) {
        log_info("crypto", "%zu undecryptable events kept from the last run", e->n_pending);
        e->new_room_keys = 1; /* a key may have come with the first sync of the last run */
    }
}

void e2ee_keep_undecryptable(struct camas_core *c, const char *room_id, const cJSON *ev)
{
    struct camas_e2ee *e = c->e2ee;
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "event_id"));
    if (!e || !id)
        return;
    for (size_t i = 0; i < e->n_pending; i++) { /* a batch fetched again brings it again */
        const char *kept =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e->pending[i].event, "event_id"));
        if (kept && strcmp(kept, id) == 0)
            return;
    }
    if (e->n_pending == E2EE_MAX_PENDING) { /* the oldest goes */
        free(e->pending[0].room_id);
        cJSON_Delete(e->pending[0].event);
        memmove(e->pending, e->pending + 1, (E2EE_MAX_PENDING - 1) * sizeof e->pending[0]);
        e->n_pending--;
    }
    struct pending_event *p = &e->pending[e->n_pending];
    p->room_id = strdup(room_id);
    p->event = cJSON_Duplicate(ev, 1);
    p->since_ms = camas_now_ms();
    if (!p->room_id || !p->event) {
        free(p->room_id);
        cJSON_Delete(p->event);
        return;
    }
    e->n_pending++;
    pending_save(c);
}

int e2ee_retry_undecryptable(struct camas_core *c,
                             int (*handle)(struct camas_core *c, const char *room_id,
                                           const cJSON *plain, void *ud),
                             void *ud)
{
    struct camas_e2ee *e = c->e2ee;
    if (!e || !e->new_room_keys || !e->n_pending)
        return 0;
    e->new_room_keys = 0;
    int64_t now = camas_now_ms();
    size_t kept = 0;
    int rc = 0;
    for (size_t i = 0; i < e->n_pending; i++) {
        struct pending_event *p = &e->pending[i];
        cJSON *plain = rc == 0 && now - p->since_ms < E2EE_PENDING_MS
                           ? e2ee_decrypt(c, p->room_id, p->event)
                           : NULL;
        if (plain) {
            log_info("crypto", "%s: the key of an earlier message arrived; handling it now",
                     p->room_id);
            rc = handle(c, p->room_id, plain, ud);
            cJSON_Delete(plain);
            if (rc) { /* the batch is rolled back: try again with the next one */
                e->new_room_keys = 1;
                e->pending[kept++] = *p;
                continue;
            }
        }
        if (plain || now - p->since_ms >= E2EE_PENDING_MS) {
            free(p->room_id);
            cJSON_Delete(p->event);
            continue;
        }
        e->pending[kept++] = *p;
    }
    e->n_pending = kept;
    pending_save(c);
    return rc;
}

#endif
