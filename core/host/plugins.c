/* The plugin host, core side.
 *
 * Load path, with no gap between check and use: read manifest.json once and verify its
 * minisign signature over exactly those bytes; parse it; check name, ABI and version; read
 * the library once into a memfd while hashing it; compare the SHA-256; seal the memfd; pass
 * that very memfd to the worker, which dlopens /proc/self/fd/N. The file on disk is never
 * opened again, so swapping it after the check changes nothing.
 *
 * This file holds the public host API and the verification of plugins; plugins_worker.c
 * starts and supervises the worker, plugins_queue.c keeps the requests until answered. */
#include "plugins_internal.h"

#include <camas/plugin.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#define MANIFEST_MAX (64 * 1024)
#define LIBRARY_MAX  (64u * 1024 * 1024)

void plugins_alertf(camas_plugin_host *h, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    log_warn("plugins", "%s", text);
    if (h->alert)
        h->alert(h->alert_ud, text);
}

void plugins_audit(camas_plugin_host *h, const char *actor, const char *action, const char *name,
                   const camas_manifest *m, const char *result, const char *detail)
{
    if (h->metrics && strcmp(action, "load") == 0) {
        if (strcmp(result, "ok") == 0)
            h->metrics->plugin_loads++;
        else
            h->metrics->plugin_refusals++;
    }
    if (h->st)
        camas_store_audit(h->st, actor, action, name, m ? m->version : "", m ? m->sha256 : "",
                          result, detail ? detail : "");
}

void plugins_loaded_free(struct loaded *l)
{
    if (!l)
        return;
    if (l->memfd >= 0)
        close(l->memfd);
    cJSON_Delete(l->commands);
    free(l);
}

struct loaded *plugins_find_loaded(const camas_plugin_host *h, const char *name, size_t *idx)
{
    for (size_t i = 0; i < h->n_plugins; i++)
        if (strcmp(h->plugins[i]->m.name, name) == 0) {
            if (idx)
                *idx = i;
            return h->plugins[i];
        }
    return NULL;
}

/* ---- verification ------------------------------------------------------------------- */

static int read_file(const char *path, size_t max, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    fclose(f);
    if (!buf || n > max) {
        free(buf);
        errno = buf ? EFBIG : ENOMEM;
        return -1;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

static int load_keys(const char *const *paths, size_t n, camas_minisign_pubkey **keys,
                     size_t *n_keys, char *err, size_t errlen)
{
    *keys = calloc(n ? n : 1, sizeof **keys);
    *n_keys = 0;
    if (!*keys) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char why[256];
        if (camas_minisign_pubkey_load(paths[i], &(*keys)[*n_keys], why, sizeof why)) {
            snprintf(err, errlen, "trusted key %s: %s", paths[i], why);
            return -1;
        }
        (*n_keys)++;
    }
    return 0;
}

/* The whole check; on success *out holds the manifest and a sealed memfd of the library.
 * seen (may be NULL) gets the signed manifest as soon as it has been verified and parsed,
 * so a later refusal can still be audited with its version and SHA-256. */
static int verify_plugin(const char *plugins_dir, const camas_minisign_pubkey *keys, size_t n_keys,
                         const char *name, struct loaded **out, camas_manifest *seen, char *err,
                         size_t errlen)
{
    *out = NULL;
    if (seen)
        seen->name[0] = '\0';
    char path[4096];
    char *manifest = NULL, *sig = NULL;
    size_t mlen, slen;
    int memfd = -1, libfd = -1, rc = -1;
    struct loaded *l = NULL;

    snprintf(path, sizeof path, "%s/%s/manifest.json", plugins_dir, name);
    if (read_file(path, MANIFEST_MAX, &manifest, &mlen)) {
        snprintf(err, errlen, "%s: manifest: cannot read %s: %s", name, path, strerror(errno));
        goto out;
    }
    snprintf(path, sizeof path, "%s/%s/manifest.json.minisig", plugins_dir, name);
    if (read_file(path, CAMAS_MINISIGN_TEXT_MAX, &sig, &slen)) {
        snprintf(err, errlen, "%s: signature: the manifest is unsigned (no %s)", name, path);
        goto out;
    }
    char why[512], tc[256];
    if (n_keys == 0) {
        snprintf(err, errlen, "%s: signature: no trusted keys are configured", name);
        goto out;
    }
    if (camas_minisign_verify(keys, n_keys, (const unsigned char *)manifest, mlen, sig, slen, tc,
                              sizeof tc, why, sizeof why)) {
        snprintf(err, errlen, "%s: signature: %s", name, why);
        goto out;
    }
    l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "%s: out of memory", name);
        goto out;
    }
    l->memfd = -1;
    if (camas_manifest_parse(manifest, mlen, &l->m, why, sizeof why)) {
        snprintf(err, errlen, "%s: manifest: %s", name, why);
        goto out;
    }
    if (seen)
        *seen = l->m;
    if (strcmp(l->m.name, name) != 0) {
        snprintf(err, errlen, "%s: manifest: name is '%s', expected the folder's name '%s'", name,
                 l->m.name, name);
        goto out;
    }
    if (l->m.abi_major != CAMAS_PLUGIN_ABI_MAJOR || l->m.abi_minor > CAMAS_PLUGIN_ABI_MINOR) {
        snprintf(err, errlen, "%s: abi: manifest says ABI %u.%u, this camas provides %d.%d", name,
                 l->m.abi_major, l->m.abi_minor, CAMAS_PLUGIN_ABI_MAJOR, CAMAS_PLUGIN_ABI_MINOR);
        goto out;
    }
    snprintf(path, sizeof path, "%s/%s/%s", plugins_dir, name, l->m.library);
    libfd = open(path, O_RDONLY | O_CLOEXEC);
    memfd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (libfd < 0 || memfd < 0) {
        snprintf(err, errlen, "%s: library: cannot read %s: %s", name, path, strerror(errno));
        goto out;
    }
    crypto_hash_sha256_state hs;
    crypto_hash_sha256_init(&hs);
    /* 8 KiB at a time: a larger buffer on the stack stays resident for the process's life
     * (the stack never shrinks), and libraries are a few dozen KiB. */
    unsigned char chunk[8192];
    size_t total = 0;
    ssize_t n;
    while ((n = read(libfd, chunk, sizeof chunk)) > 0) {
        total += (size_t)n;
        if (total > LIBRARY_MAX || write(memfd, chunk, (size_t)n) != n) {
            snprintf(err, errlen, "%s: library: too large or cannot be copied", name);
            goto out;
        }
        crypto_hash_sha256_update(&hs, chunk, (unsigned long long)n);
    }
    if (n < 0) {
        snprintf(err, errlen, "%s: library: read error: %s", name, strerror(errno));
        goto out;
    }
    unsigned char digest[32];
    char hex[65];
    crypto_hash_sha256_final(&hs, digest);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    if (strcmp(hex, l->m.sha256) != 0) {
        snprintf(err, errlen,
                 "%s: hash: %s has SHA-256 %.16s…, the signed manifest says %.16s… (the library "
                 "was changed after signing)",
                 name, l->m.library, hex, l->m.sha256);
        goto out;
    }
    if (fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL)) {
        snprintf(err, errlen, "%s: library: cannot seal the memfd: %s", name, strerror(errno));
        goto out;
    }
    l->memfd = memfd;
    memfd = -1;
    *out = l;
    l = NULL;
    rc = 0;
out:
    if (libfd >= 0)
        close(libfd);
    if (memfd >= 0)
        close(memfd);
    plugins_loaded_free(l);
    free(manifest);
    free(sig);
    return rc;
}

int camas_plugin_verify_dir(const camas_plugin_host_config *cfg, const char *name, char *err,
                            size_t errlen)
{
    camas_minisign_pubkey *keys;
    size_t n_keys;
    if (load_keys(cfg->trusted_keys, cfg->n_trusted_keys, &keys, &n_keys, err, errlen)) {
        free(keys);
        return -1;
    }
    struct loaded *l;
    int rc = verify_plugin(cfg->plugins_dir, keys, n_keys, name, &l, NULL, err, errlen);
    plugins_loaded_free(l);
    free(keys);
    return rc;
}

/* ---- public API ------------------------------------------------------------------------ */

camas_plugin_host *camas_plugin_host_new(struct lws_context *ctx,
                                         const camas_plugin_host_config *cfg, camas_store *st,
                                         camas_alert_cb alert, void *alert_ud)
{
    camas_plugin_host *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->ctx = ctx;
    h->st = st;
    h->alert = alert;
    h->alert_ud = alert_ud;
    h->pid = -1;
    h->sock = -1;
    h->blackbox_fd = memfd_create("camas-blackbox", MFD_CLOEXEC);
    if (h->blackbox_fd >= 0 && ftruncate(h->blackbox_fd, sizeof *h->blackbox) == 0) {
        void *m =
            mmap(NULL, sizeof *h->blackbox, PROT_READ | PROT_WRITE, MAP_SHARED, h->blackbox_fd, 0);
        h->blackbox = m == MAP_FAILED ? NULL : m;
    }
    h->deadline_ms = cfg->deadline_ms > 0 ? cfg->deadline_ms : 2000;
    h->worker_exe = camas_strdup(cfg->worker_exe);
    h->plugins_dir = camas_strdup(cfg->plugins_dir);
    h->knowledge_dir = camas_strdup(cfg->knowledge_dir);
    h->log_level = camas_strdup(cfg->log_level ? cfg->log_level : "info");
    h->match_mode = camas_strdup(cfg->match_mode ? cfg->match_mode : "hybrid");
    h->model_path = camas_strdup(cfg->model_path ? cfg->model_path : "");
    h->embed_cache = camas_strdup(cfg->embed_cache);
    h->ipc_buf = malloc(CAMAS_IPC_MAX + 1);
    char err[600] = "";
    /* A refused messages file leaves the compiled texts; the reloads report it again. */
    if (h->knowledge_dir &&
        camas_messages_load(h->knowledge_dir, &h->messages, err, sizeof err) < 0)
        log_error("knowledge", "messages refused, the compiled texts serve instead: %s", err);
    err[0] = '\0';
    if (!h->blackbox)
        log_error("plugins", "cannot create the worker's black box: %s", strerror(errno));
    if (!h->blackbox || !h->worker_exe || !h->plugins_dir || !h->knowledge_dir || !h->log_level ||
        !h->ipc_buf || !h->match_mode || !h->model_path || (cfg->embed_cache && !h->embed_cache) ||
        load_keys(cfg->trusted_keys, cfg->n_trusted_keys, &h->keys, &h->n_keys, err, sizeof err)) {
        if (err[0])
            log_error("plugins", "%s", err);
        camas_plugin_host_free(h);
        return NULL;
    }
    return h;
}

void camas_plugin_host_free(camas_plugin_host *h)
{
    if (!h)
        return;
    h->shutting_down = true;
    lws_sul_cancel(&h->deadline_timer);
    lws_sul_cancel(&h->restart_timer);
    lws_sul_cancel(&h->flush_timer);
    if (h->wsi) {
        lws_set_opaque_user_data(h->wsi, NULL);
        lws_set_timeout(h->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
        h->wsi = NULL;
    }
    if (h->sock >= 0) {
        shutdown(h->sock, SHUT_RDWR); /* the worker sees EOF and exits on its own */
        h->sock = -1;
    }
    if (h->pid > 0) {
        for (int i = 0; i < 50 && waitpid(h->pid, NULL, WNOHANG) == 0; i++)
            usleep(10000);
        if (kill(h->pid, 0) == 0) {
            kill(h->pid, SIGKILL);
            waitpid(h->pid, NULL, 0);
        }
    }
    while (h->head) {
        struct pending *p = h->head;
        h->head = p->next;
        plugins_pending_free(p);
    }
    for (size_t i = 0; i < h->n_plugins; i++)
        plugins_loaded_free(h->plugins[i]);
    free(h->plugins);
    free(h->keys);
    free(h->worker_exe);
    free(h->plugins_dir);
    free(h->knowledge_dir);
    camas_messages_free(h->messages);
    free(h->match_mode);
    free(h->model_path);
    free(h->embed_cache);
    free(h->log_level);
    free(h->ipc_buf);
    if (h->blackbox)
        munmap(h->blackbox, sizeof *h->blackbox);
    if (h->blackbox_fd >= 0)
        close(h->blackbox_fd);
    free(h);
}

/* Verifies and queues a load; failures are reported through cb at once. */
int plugins_queue_load(camas_plugin_host *h, const char *name, const char *actor, bool force,
                       camas_action_cb cb, void *ud)
{
    char err[900];
    struct loaded *cand;
    const char *who = actor && *actor ? actor : "camas";
    camas_manifest seen;
    if (verify_plugin(h->plugins_dir, h->keys, h->n_keys, name, &cand, &seen, err, sizeof err)) {
        plugins_audit(h, who, "load", name, seen.name[0] ? &seen : NULL, "refused", err);
        plugins_alertf(h, "plugin %s", err);
        struct pending tmp = {.action_cb = cb, .ud = ud};
        snprintf(tmp.actor, sizeof tmp.actor, "%s", actor ? actor : "");
        plugins_finish_action(h, &tmp, false, err);
        return -1;
    }
    struct loaded *old = plugins_find_loaded(h, name, NULL);
    if (old && !force && camas_semver_cmp(cand->m.version, old->m.version) < 0) {
        snprintf(err, sizeof err,
                 "%s: version: refusing to replace %s with older %s (an admin can force it)", name,
                 old->m.version, cand->m.version);
        plugins_audit(h, who, "load", name, &cand->m, "refused", err);
        plugins_alertf(h, "plugin %s", err);
        plugins_loaded_free(cand);
        struct pending tmp = {.action_cb = cb, .ud = ud};
        snprintf(tmp.actor, sizeof tmp.actor, "%s", actor ? actor : "");
        plugins_finish_action(h, &tmp, false, err);
        return -1;
    }
    struct pending *p = plugins_new_pending(h, P_LOAD);
    if (!p) {
        plugins_loaded_free(cand);
        return -1;
    }
    p->cand = cand;
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->actor, sizeof p->actor, "%s", actor ? actor : "");
    p->action_cb = cb;
    p->ud = ud;
    plugins_pending_push(h, p, false);
    plugins_flush(h);
    return 0;
}

int camas_plugin_host_start(camas_plugin_host *h, camas_action_cb done, void *ud)
{
    h->start_cb = done;
    h->start_ud = ud;
    /* Each subdirectory with a manifest is a plugin. */
    char path[4096];
    snprintf(path, sizeof path, "%s", h->plugins_dir);
    DIR *d = opendir(path);
    char names[64][32];
    int n = 0;
    if (d) {
        struct dirent *de;
        while ((de = readdir(d)) && n < 64) {
            char mf[4400];
            if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof names[0])
                continue;
            snprintf(mf, sizeof mf, "%s/%s/manifest.json", h->plugins_dir, de->d_name);
            if (access(mf, F_OK) == 0)
                snprintf(names[n++], sizeof names[0], "%s", de->d_name);
        }
        closedir(d);
    } else {
        log_warn("plugins", "plugins directory %s: %s", h->plugins_dir, strerror(errno));
    }
    if (plugins_spawn_worker(h))
        plugins_restart_later(h);
    h->initial_loads = n + 1; /* +1 guards against finishing before the loop below ends */
    for (int i = 0; i < n; i++)
        plugins_queue_load(h, names[i], NULL, false, NULL, NULL);
    struct pending guard = {0};
    plugins_finish_action(h, &guard, true, "");
    return 0;
}

int camas_plugin_host_ask(camas_plugin_host *h, const camas_question *q, camas_answer_cb cb,
                          void *ud)
{
    struct pending *p = plugins_new_pending(h, P_ASK);
    if (!p)
        return -1;
    p->answer_cb = cb;
    p->ud = ud;
    p->fr = q->lang && strcmp(q->lang, "fr") == 0;
    const char *lang = p->fr ? "fr" : "en";
    camas_ipc_frame f = {.kind = CAMAS_IPC_ASK,
                         .room_kind = (uint8_t)q->room_kind,
                         .flags = (uint8_t)((q->patterns_fired ? CAMAS_IPC_PATTERNS_FIRED : 0) |
                                            (q->lang_forced ? CAMAS_IPC_LANG_FORCED : 0)),
                         .id = p->id,
                         .now_ms = q->now_ms,
                         .s = {[CAMAS_IPC_ASK_LANG] = lang,
                               [CAMAS_IPC_ASK_MATCH_LANG] = q->match_lang ? q->match_lang : lang,
                               [CAMAS_IPC_ASK_TEXT] = q->text,
                               [CAMAS_IPC_ASK_COMMAND] = q->command,
                               [CAMAS_IPC_ASK_ARGS] = q->args,
                               [CAMAS_IPC_ASK_CONTEXT] = q->context}};
    p->ask = camas_ipc_frame_encode(&f, &p->ask_len);
    if (!p->ask) {
        /* too long for one datagram (the core caps bodies well below) or out of memory */
        plugins_pending_free(p);
        return -1;
    }
    plugins_pending_push(h, p, false);
    plugins_flush_soon(h);
    return 0;
}

int camas_plugin_host_load(camas_plugin_host *h, const char *name, const char *actor, bool force,
                           camas_action_cb cb, void *ud)
{
    if (strcmp(name, "all") != 0)
        return plugins_queue_load(h, name, actor, force, cb, ud);
    /* "all": every loaded plugin; the callback reports the last one. */
    int rc = 0;
    for (size_t i = 0; i < h->n_plugins; i++) {
        char one[32];
        snprintf(one, sizeof one, "%s", h->plugins[i]->m.name);
        rc |= plugins_queue_load(h, one, actor, force, i + 1 == h->n_plugins ? cb : NULL,
                                 i + 1 == h->n_plugins ? ud : NULL);
    }
    if (h->n_plugins == 0 && cb)
        cb(ud, false, "no plugins are loaded");
    return rc;
}

int camas_plugin_host_unload(camas_plugin_host *h, const char *name, const char *actor,
                             camas_action_cb cb, void *ud)
{
    if (!plugins_find_loaded(h, name, NULL)) {
        char msg[96];
        snprintf(msg, sizeof msg, "%s is not loaded", name);
        if (cb)
            cb(ud, false, msg);
        return -1;
    }
    struct pending *p = plugins_new_pending(h, P_UNLOAD);
    if (!p)
        return -1;
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->actor, sizeof p->actor, "%s", actor ? actor : "camas");
    p->action_cb = cb;
    p->ud = ud;
    plugins_pending_push(h, p, false);
    plugins_flush(h);
    return 0;
}

char *camas_plugin_host_describe(const camas_plugin_host *h)
{
    camas_buf b = {0};
    if (h->n_plugins == 0)
        camas_buf_puts(&b, "No plugins are loaded.");
    for (size_t i = 0; i < h->n_plugins; i++) {
        const struct loaded *l = h->plugins[i];
        camas_buf_printf(&b, "%s%s %s (sha256 %.12s…, %s rooms", i ? "\n" : "", l->m.name,
                         l->m.version, l->m.sha256, l->m.help_rooms ? "all" : "staff");
        const cJSON *c;
        bool first = true;
        cJSON_ArrayForEach(c, l->commands)
        {
            camas_buf_printf(&b, "%s!%s", first ? ", commands " : " ", camas_ipc_command_name(c));
            first = false;
        }
        camas_buf_puts(&b, ")");
    }
    return b.data;
}

bool camas_plugin_host_has_command(const camas_plugin_host *h, const char *name)
{
    for (size_t i = 0; i < h->n_plugins; i++) {
        const cJSON *c;
        cJSON_ArrayForEach(c, h->plugins[i]->commands)
        {
            const char *n = camas_ipc_command_name(c);
            if (n && strcmp(n, name) == 0)
                return true;
        }
    }
    return false;
}

char *camas_plugin_host_help(const camas_plugin_host *h, const char *lang, bool help_room)
{
    camas_buf b = {0};
    bool fr = lang && strcmp(lang, "fr") == 0;
    for (size_t i = 0; i < h->n_plugins; i++) {
        if (help_room && !h->plugins[i]->m.help_rooms)
            continue;
        const cJSON *c;
        cJSON_ArrayForEach(c, h->plugins[i]->commands)
        {
            const char *u = camas_ipc_command_usage(c, fr);
            const char *n = camas_ipc_command_name(c);
            if (n && u && u[0] == '!')
                camas_buf_printf(&b, "%s%s", b.len ? "\n" : "", u);
            else if (n)
                camas_buf_printf(&b, "%s!%s - %s", b.len ? "\n" : "", n, u ? u : "");
        }
    }
    if (!b.data)
        return strdup("");
    return b.data;
}

/* Reads knowledge/messages again for the core's texts: swapped in whole when it loads
 * cleanly, else the last good set keeps serving. Returns NULL, or why it was refused. */
static char *reload_messages(camas_plugin_host *h)
{
    char err[600];
    camas_messages *m = NULL;
    int rc = camas_messages_load(h->knowledge_dir, &m, err, sizeof err);
    if (rc < 0) {
        log_warn("knowledge", "messages refused, the previous texts keep serving: %s", err);
        plugins_alertf(h, "knowledge refused: %s", err);
        return camas_strdup(err);
    }
    camas_messages_free(h->messages);
    h->messages = m;
    log_info("knowledge", "%s",
             rc ? "messages reloaded" : "no messages folder: the compiled texts");
    return NULL;
}

const camas_messages *camas_plugin_host_messages(const camas_plugin_host *h)
{
    return h ? h->messages : NULL;
}

int camas_plugin_host_reload_knowledge(camas_plugin_host *h, const char *actor, camas_action_cb cb,
                                       void *ud)
{
    struct pending *p = plugins_new_pending(h, P_SHARED);
    if (!p)
        return -1;
    p->messages_error = reload_messages(h);
    snprintf(p->actor, sizeof p->actor, "%s", actor ? actor : "camas");
    p->action_cb = cb;
    p->ud = ud;
    plugins_pending_push(h, p, false);
    plugins_flush(h);
    return 0;
}

bool camas_plugin_host_loads_done(const camas_plugin_host *h)
{
    return !h || h->initial_loads == 0;
}

bool camas_plugin_host_understanding_ready(const camas_plugin_host *h)
{
    return h && h->understanding_ready;
}

/* ---- metrics and status -------------------------------------------------------------- */

void camas_plugin_host_set_metrics(camas_plugin_host *h, camas_metrics *m)
{
    if (h)
        h->metrics = m;
}

/* Hashes every regular file under dir (names in order, dot files left out): its path
 * relative to the knowledge directory, its size and its bytes. */
static void digest_dir(crypto_generichash_state *st, const char *root, const char *rel, int depth)
{
    char path[4096];
    int np = snprintf(path, sizeof path, "%s%s%s", root, *rel ? "/" : "", rel);
    struct dirent **names = NULL;
    int n =
        depth > 8 || np < 0 || np >= (int)sizeof path ? -1 : scandir(path, &names, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        char sub[2048], full[4096];
        int ns = snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", name);
        int nf = snprintf(full, sizeof full, "%s/%s", root, sub);
        if (name[0] != '.' && ns > 0 && ns < (int)sizeof sub && nf > 0 && nf < (int)sizeof full) {
            struct stat sb;
            if (stat(full, &sb) == 0 && S_ISDIR(sb.st_mode)) {
                digest_dir(st, root, sub, depth + 1);
            } else if (stat(full, &sb) == 0 && S_ISREG(sb.st_mode)) {
                crypto_generichash_update(st, (const unsigned char *)sub, strlen(sub) + 1);
                uint64_t size = (uint64_t)sb.st_size;
                crypto_generichash_update(st, (const unsigned char *)&size, sizeof size);
                int fd = open(full, O_RDONLY | O_CLOEXEC);
                unsigned char buf[16384];
                ssize_t got;
                while (fd >= 0 && (got = read(fd, buf, sizeof buf)) > 0)
                    crypto_generichash_update(st, buf, (size_t)got);
                if (fd >= 0)
                    close(fd);
            }
        }
        free(names[i]);
    }
    free(names);
}

void plugins_knowledge_loaded(camas_plugin_host *h, bool reload)
{
    crypto_generichash_state st;
    unsigned char out[8];
    crypto_generichash_init(&st, NULL, 0, sizeof out);
    digest_dir(&st, h->knowledge_dir, "", 0);
    crypto_generichash_final(&st, out, sizeof out);
    sodium_bin2hex(h->knowledge_digest, sizeof h->knowledge_digest, out, sizeof out);
    h->knowledge_generation++;
    h->knowledge_loaded_ms = camas_now_ms();
    if (reload && h->metrics)
        h->metrics->knowledge_reloads++;
}

bool camas_plugin_host_worker_alive(const camas_plugin_host *h, int64_t *uptime_ms)
{
    bool alive = h && h->ready && h->pid > 0 && h->sock >= 0;
    if (uptime_ms)
        *uptime_ms = alive ? camas_monotonic_ms() - h->worker_started_ms : 0;
    return alive;
}

size_t camas_plugin_host_n_plugins(const camas_plugin_host *h)
{
    return h ? h->n_plugins : 0;
}

void camas_plugin_host_knowledge_version(const camas_plugin_host *h, char *out, size_t outlen)
{
    if (!h || !h->knowledge_generation) {
        snprintf(out, outlen, "not loaded yet");
        return;
    }
    char when[32] = "";
    time_t t = (time_t)(h->knowledge_loaded_ms / 1000);
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(out, outlen, "%s (load %u, at %s, from %s)", h->knowledge_digest,
             h->knowledge_generation, when, h->knowledge_dir);
}
