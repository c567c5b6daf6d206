/* The plugin host, core side.
 *
 * Load path, with no gap between check and use: read manifest.json once and verify its
 * minisign signature over exactly those bytes; parse it; check name, ABI and version; read
 * the library once into a memfd while hashing it; compare the SHA-256; seal the memfd; pass
 * that very memfd to the worker, which dlopens /proc/self/fd/N. The file on disk is never
 * opened again, so swapping it after the check changes nothing.
 *
 * Supervision: every request to the worker is kept until answered. The worker announces
 * which plugin it is about to call; if it then dies or stays silent past the deadline, that
 * plugin is blamed, its request fails (an apology for a question), admins are alerted, the
 * worker is restarted, the plugins are loaded again from the kept memfds, and every other
 * request is sent again. */
#include "plugins.h"
#include "dense.h"
#include "ipc.h"
#include "log.h"
#include "manifest.h"
#include "minisign.h"
#include "util.h"

#include <camas/plugin.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define MANIFEST_MAX   (64 * 1024)
#define LIBRARY_MAX    (64u * 1024 * 1024)
#define RESTART_MIN_MS 100
#define RESTART_MAX_MS 30000

struct loaded {
    camas_manifest m;
    int memfd;
    cJSON *commands; /* from the worker: [{name, usage_en, usage_fr}] */
};

enum pending_kind { P_ASK, P_LOAD, P_UNLOAD, P_SHARED };

struct pending {
    struct pending *next;
    int64_t id;
    enum pending_kind kind;
    bool sent;
    /* P_ASK */
    char *ask; /* the encoded frame, kept for resending */
    size_t ask_len;
    bool fr; /* asked in French: the apology follows */
    camas_answer_cb answer_cb;
    void *ud;
    /* P_LOAD / P_UNLOAD */
    struct loaded *cand;
    char name[32];
    char actor[256];
    bool replay; /* reloading after a worker restart: no audit, no callback */
    camas_action_cb action_cb;
};

struct camas_plugin_host {
    struct lws_context *ctx;
    camas_store *st;
    camas_alert_cb alert;
    void *alert_ud;

    char *worker_exe, *plugins_dir, *knowledge_dir, *log_level;
    char *match_mode, *model_path, *embed_cache; /* handed to the worker (see spawn_worker) */
    int deadline_ms;
    camas_minisign_pubkey *keys;
    size_t n_keys;

    pid_t pid;
    int sock;
    struct lws *wsi;
    bool ready;
    bool understanding_ready; /* the worker said its model and index are warm (or absent) */
    char *ipc_buf;
    int64_t next_id;
    camas_ipc_blackbox *blackbox; /* shared with the worker, see ipc.h */
    int blackbox_fd;
    size_t n_sent;            /* requests the worker has and has not answered yet */
    struct pending *unsent;   /* no request before this one waits to be sent */
    int64_t restart_delay_ms; /* grows while the worker keeps dying */

    struct loaded **plugins;
    size_t n_plugins;
    struct pending *head, *tail;

    lws_sorted_usec_list_t deadline_timer, restart_timer, flush_timer;
    bool shutting_down;
    bool killed_for_deadline; /* the death that follows is a hang, not a crash */

    int initial_loads;
    camas_action_cb start_cb;
    void *start_ud;
    int initial_failures;
};

static void alertf(camas_plugin_host *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void alertf(camas_plugin_host *h, const char *fmt, ...)
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

static void audit(camas_plugin_host *h, const char *actor, const char *action, const char *name,
                  const camas_manifest *m, const char *result, const char *detail)
{
    if (h->st)
        camas_store_audit(h->st, actor, action, name, m ? m->version : "", m ? m->sha256 : "",
                          result, detail ? detail : "");
}

static void loaded_free(struct loaded *l)
{
    if (!l)
        return;
    if (l->memfd >= 0)
        close(l->memfd);
    cJSON_Delete(l->commands);
    free(l);
}

static struct loaded *find_loaded(const camas_plugin_host *h, const char *name, size_t *idx)
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
    loaded_free(l);
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
    loaded_free(l);
    free(keys);
    return rc;
}

/* ---- the worker process ------------------------------------------------------------- */

static void restart_later(camas_plugin_host *h);
static void flush(camas_plugin_host *h);

static void pending_free(struct pending *p)
{
    free(p->ask);
    loaded_free(p->cand);
    free(p);
}

static void pending_remove(camas_plugin_host *h, struct pending *p)
{
    struct pending **pp = &h->head;
    struct pending *prev = NULL;
    while (*pp && *pp != p) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (!*pp)
        return;
    *pp = p->next;
    if (h->tail == p)
        h->tail = prev;
    if (h->unsent == p)
        h->unsent = p->next;
    if (p->sent)
        h->n_sent--;
}

static void pending_push(camas_plugin_host *h, struct pending *p, bool front)
{
    if (front) {
        p->next = h->head;
        h->head = p;
        if (!h->tail)
            h->tail = p;
        h->unsent = p;
    } else {
        p->next = NULL;
        if (h->tail)
            h->tail->next = p;
        else
            h->head = p;
        h->tail = p;
        if (!h->unsent)
            h->unsent = p;
    }
}

/* Answers come back in order, so this usually stops at the head. */
static struct pending *pending_find(camas_plugin_host *h, int64_t id)
{
    for (struct pending *p = h->head; p; p = p->next)
        if (p->id == id)
            return p;
    return NULL;
}

static const char *const apology[2] = {
    "Sorry, something went wrong while I was preparing that answer. Please try again later.",
    "Désolé, un problème est survenu pendant que je préparais cette réponse. Veuillez "
    "réessayer plus tard.",
};

static void finish_ask_failed(struct pending *p)
{
    int fr = p->fr;
    char html[400];
    snprintf(html, sizeof html, "<p>%s</p>", apology[fr]);
    camas_host_answer a = {.plain = apology[fr],
                           .html = html,
                           .plugin = "",
                           .entry = "",
                           .lang = fr ? "fr" : "en",
                           .failed = true};
    p->answer_cb(p->ud, &a);
}

static void finish_action(camas_plugin_host *h, struct pending *p, bool ok, const char *summary)
{
    if (p->action_cb)
        p->action_cb(p->ud, ok, summary);
    if (h->initial_loads > 0 && p->actor[0] == '\0' && !p->replay) {
        if (!ok)
            h->initial_failures++;
        if (--h->initial_loads == 0 && h->start_cb)
            h->start_cb(h->start_ud, h->initial_failures == 0, "initial plugin loads finished");
    }
}

/* What the black box says the worker was doing: the request id (0 when between calls)
 * and the plugin, copied out bounded since the worker's side of the page is untrusted. */
static int64_t blackbox_read(const camas_plugin_host *h, char *plugin, size_t cap)
{
    plugin[0] = '\0';
    if (!h->blackbox)
        return 0;
    int64_t id = __atomic_load_n(&h->blackbox->id, __ATOMIC_ACQUIRE);
    if (id == 0)
        return 0;
    size_t n = 0;
    const volatile char *src = h->blackbox->plugin;
    while (n + 1 < cap && n < sizeof h->blackbox->plugin && src[n])
        plugin[n] = src[n], n++;
    plugin[n] = '\0';
    return id;
}

static void kill_worker(camas_plugin_host *h)
{
    if (h->pid > 0)
        kill(h->pid, SIGKILL);
}

static void worker_gone(camas_plugin_host *h, const char *how)
{
    lws_sul_cancel(&h->deadline_timer);
    if (h->sock >= 0 && !h->wsi)
        close(h->sock);
    h->sock = -1;
    h->wsi = NULL;
    h->ready = false;
    h->understanding_ready = false;
    char status[64] = "";
    if (h->pid > 0) {
        int ws;
        if (waitpid(h->pid, &ws, 0) == h->pid) {
            if (WIFSIGNALED(ws))
                snprintf(status, sizeof status, "killed by signal %d", WTERMSIG(ws));
            else if (WIFEXITED(ws))
                snprintf(status, sizeof status, "exited with status %d", WEXITSTATUS(ws));
        }
        h->pid = -1;
    }
    if (h->shutting_down)
        return;
    /* Blame the plugin that was running, if its request is still open. */
    char plugin[64];
    int64_t calling = blackbox_read(h, plugin, sizeof plugin);
    struct pending *culprit = calling > 0 ? pending_find(h, calling) : NULL;
    if (culprit) {
        pending_remove(h, culprit);
        if (culprit->kind == P_ASK) {
            char who[96] = "the plugin worker";
            if (plugin[0])
                snprintf(who, sizeof who, "plugin %s", plugin);
            alertf(h,
                   "%s failed while answering a question (%s%s%s); the worker was "
                   "restarted and the question got an apology",
                   who, how, status[0] ? ", " : "", status);
            finish_ask_failed(culprit);
        } else {
            char summary[512];
            snprintf(summary, sizeof summary, "plugin %s crashed while loading (%s%s%s)",
                     culprit->name, how, status[0] ? ", " : "", status);
            alertf(h, "%s", summary);
            if (culprit->replay) {
                size_t idx;
                struct loaded *l = find_loaded(h, culprit->name, &idx);
                if (l) { /* it cannot start any more: take it out */
                    h->plugins[idx] = h->plugins[--h->n_plugins];
                    loaded_free(l);
                }
            } else {
                audit(h, culprit->actor[0] ? culprit->actor : "camas", "load", culprit->name,
                      culprit->cand ? &culprit->cand->m : NULL, "refused", summary);
                finish_action(h, culprit, false, summary);
            }
        }
        pending_free(culprit);
    } else {
        log_warn("plugins", "the plugin worker stopped (%s%s%s); restarting it", how,
                 status[0] ? ", " : "", status);
    }
    /* Everything else goes again to the new worker; replays of loaded plugins go first. */
    struct pending *keep = NULL, **tailp = &keep;
    for (struct pending *p = h->head, *next; p; p = next) {
        next = p->next;
        if (p->replay) { /* replays are re-made from the loaded list */
            pending_free(p);
            continue;
        }
        p->sent = false;
        p->next = NULL;
        *tailp = p;
        tailp = &p->next;
    }
    h->head = h->unsent = keep;
    h->n_sent = 0;
    h->tail = NULL;
    for (struct pending *p = keep; p; p = p->next)
        h->tail = p;
    restart_later(h);
}

static void on_deadline(lws_sorted_usec_list_t *sul)
{
    camas_plugin_host *h = lws_container_of(sul, camas_plugin_host, deadline_timer);
    char plugin[64];
    blackbox_read(h, plugin, sizeof plugin);
    log_warn("plugins", "plugin %s did not finish within %d ms; stopping the worker",
             plugin[0] ? plugin : "(none)", h->deadline_ms);
    h->killed_for_deadline = true;
    kill_worker(h);
    /* The socket closing reports the death; make sure it happens even if lws is slow. */
    if (h->wsi)
        lws_set_timeout(h->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    else
        worker_gone(h, "hung");
}

/* The worker made progress (or got work): it has deadline_ms again before it counts as
 * hung. */
static void touch_deadline(camas_plugin_host *h)
{
    if (h->n_sent)
        lws_sul_schedule(h->ctx, 0, &h->deadline_timer, on_deadline,
                         (lws_usec_t)h->deadline_ms * LWS_US_PER_MS);
    else
        lws_sul_cancel(&h->deadline_timer);
}

static int spawn_worker(camas_plugin_host *h)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
        log_error("plugins", "socketpair: %s", strerror(errno));
        return -1;
    }
    /* a new worker starts with a clean black box: nothing of the last one's last call */
    memset(h->blackbox, 0, sizeof *h->blackbox);
    pid_t pid = fork();
    if (pid < 0) {
        log_error("plugins", "fork: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        /* A fresh image: nothing of the core's memory (tokens, keys) survives exec. */
        if (dup2(sv[1], 3) < 0 || dup2(h->blackbox_fd, CAMAS_IPC_BLACKBOX_FD) < 0)
            _exit(127);
        for (int fd = CAMAS_IPC_BLACKBOX_FD + 1; fd < 1024; fd++)
            close(fd);
        /* The worker may not create files: the core opens its vector cache for it. */
        int cache = h->embed_cache ? open(h->embed_cache, O_RDWR | O_CREAT, 0600) : -1;
        /* a cache of an older format is emptied here: the worker may not truncate files */
        char head[8];
        static const char magic[8] = CAMAS_DENSE_CACHE_MAGIC;
        if (cache >= 0 && pread(cache, head, sizeof head, 0) == (ssize_t)sizeof head &&
            memcmp(head, CAMAS_DENSE_CACHE_FAMILY, strlen(CAMAS_DENSE_CACHE_FAMILY)) == 0 &&
            memcmp(head, magic, sizeof magic) != 0 && ftruncate(cache, 0) != 0) {
            close(cache); /* cannot: work without a cache */
            cache = -1;
        }
        if (cache >= 0 && cache != CAMAS_IPC_EMBED_CACHE_FD &&
            (dup2(cache, CAMAS_IPC_EMBED_CACHE_FD) < 0 || close(cache)))
            _exit(127);
        char *argv[] = {"camas-worker",
                        "--knowledge",
                        h->knowledge_dir,
                        "--log-level",
                        h->log_level,
                        "--matcher",
                        h->match_mode,
                        "--model",
                        h->model_path,
                        "--embed-cache",
                        cache >= 0 ? CAMAS_IPC_EMBED_CACHE_FD_STR : "-1",
                        NULL};
        char *no_dlclose = getenv("CAMAS_NO_DLCLOSE") ? "CAMAS_NO_DLCLOSE=1" : NULL;
        char *envp[] = {"PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", no_dlclose, NULL};
        execve(h->worker_exe, argv, envp);
        _exit(127);
    }
    close(sv[1]);
    fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
    h->pid = pid;
    h->sock = sv[0];
    h->killed_for_deadline = false;
    lws_sock_file_fd_type fd;
    fd.filefd = sv[0];
    struct lws_vhost *vh = lws_get_vhost_by_name(h->ctx, "default");
    h->wsi = vh ? lws_adopt_descriptor_vhost(vh, LWS_ADOPT_RAW_FILE_DESC, fd,
                                             camas_worker_protocol.name, NULL)
                : NULL;
    if (!h->wsi) {
        log_error("plugins", "cannot watch the worker socket");
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(sv[0]);
        h->pid = -1;
        h->sock = -1;
        return -1;
    }
    lws_set_opaque_user_data(h->wsi, h);
    log_debug("plugins", "worker started (pid %d)", (int)pid);
    return 0;
}

static void on_restart(lws_sorted_usec_list_t *sul)
{
    camas_plugin_host *h = lws_container_of(sul, camas_plugin_host, restart_timer);
    if (h->shutting_down || h->pid > 0)
        return;
    if (spawn_worker(h)) {
        /* Nothing can answer: do not leave askers waiting. */
        for (struct pending *p = h->head, *next; p; p = next) {
            next = p->next;
            if (p->kind == P_ASK) {
                pending_remove(h, p);
                finish_ask_failed(p);
                pending_free(p);
            }
        }
        restart_later(h);
    }
}

static void restart_later(camas_plugin_host *h)
{
    if (h->shutting_down)
        return;
    h->restart_delay_ms = h->restart_delay_ms ? h->restart_delay_ms * 2 : RESTART_MIN_MS;
    if (h->restart_delay_ms > RESTART_MAX_MS)
        h->restart_delay_ms = RESTART_MAX_MS;
    lws_sul_schedule(h->ctx, 0, &h->restart_timer, on_restart,
                     (lws_usec_t)h->restart_delay_ms * LWS_US_PER_MS);
}

static cJSON *load_message(const struct loaded *l, int64_t id)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "op", "load");
    cJSON_AddNumberToObject(m, "id", (double)id);
    cJSON_AddStringToObject(m, "name", l->m.name);
    cJSON_AddStringToObject(m, "version", l->m.version);
    cJSON_AddStringToObject(m, "knowledge", l->m.knowledge);
    cJSON_AddBoolToObject(m, "help_rooms", l->m.help_rooms);
    cJSON *cmds = cJSON_AddArrayToObject(m, "commands");
    for (size_t i = 0; i < l->m.n_commands; i++)
        cJSON_AddItemToArray(cmds, cJSON_CreateString(l->m.commands[i]));
    return m;
}

static void flush(camas_plugin_host *h)
{
    if (!h->ready || h->sock < 0)
        return;
    struct pending *p = h->unsent ? h->unsent : h->head;
    for (; p; p = p->next) {
        if (p->sent)
            continue;
        int rc;
        if (p->kind == P_ASK) {
            /* a run of questions goes in one system call, so the worker wakes once */
            struct iovec burst[CAMAS_IPC_BATCH];
            struct pending *in_burst[CAMAS_IPC_BATCH];
            size_t n = 0;
            for (struct pending *q = p; q && n < CAMAS_IPC_BATCH && q->kind == P_ASK && !q->sent;
                 q = q->next) {
                burst[n] = (struct iovec){q->ask, q->ask_len};
                in_burst[n++] = q;
            }
            int sent = camas_ipc_send_many(h->sock, burst, n);
            for (int i = 0; i < sent; i++) {
                in_burst[i]->sent = true;
                h->n_sent++;
            }
            if (sent > 0) {
                p = in_burst[sent - 1];
                continue;
            }
            rc = -1;
        } else if (p->kind == P_LOAD) {
            cJSON *m = load_message(p->cand, p->id);
            rc = camas_ipc_send(h->sock, m, p->cand->memfd);
            cJSON_Delete(m);
        } else if (p->kind == P_SHARED) {
            cJSON *m = cJSON_CreateObject();
            cJSON_AddStringToObject(m, "op", "reload_shared");
            cJSON_AddNumberToObject(m, "id", (double)p->id);
            rc = camas_ipc_send(h->sock, m, -1);
            cJSON_Delete(m);
        } else {
            cJSON *m = cJSON_CreateObject();
            cJSON_AddStringToObject(m, "op", "unload");
            cJSON_AddNumberToObject(m, "id", (double)p->id);
            cJSON_AddStringToObject(m, "name", p->name);
            rc = camas_ipc_send(h->sock, m, -1);
            cJSON_Delete(m);
        }
        if (rc) {
            if (errno == EAGAIN)
                break; /* the worker is busy; the deadline watches it */
            log_warn("plugins", "cannot reach the worker: %s", strerror(errno));
            kill_worker(h);
            break;
        }
        p->sent = true;
        h->n_sent++;
    }
    h->unsent = p;
    touch_deadline(h);
}

static void on_flush(lws_sorted_usec_list_t *sul)
{
    flush(lws_container_of(sul, camas_plugin_host, flush_timer));
}

/* Sends at the end of this turn of the event loop rather than now, so questions routed
 * from one /sync batch (or one benchmark burst) reach the worker together. */
static void flush_soon(camas_plugin_host *h)
{
    if (!lws_dll2_is_detached(&h->flush_timer.list))
        return; /* already scheduled */
    lws_sul_schedule(h->ctx, 0, &h->flush_timer, on_flush, 1);
}

/* Queues replays of every loaded plugin at the front, in order. */
static void queue_replays(camas_plugin_host *h)
{
    for (size_t i = h->n_plugins; i-- > 0;) {
        struct pending *p = calloc(1, sizeof *p);
        if (!p)
            continue;
        p->kind = P_LOAD;
        p->id = ++h->next_id;
        p->replay = true;
        snprintf(p->name, sizeof p->name, "%s", h->plugins[i]->m.name);
        p->cand = calloc(1, sizeof *p->cand);
        if (!p->cand) {
            free(p);
            continue;
        }
        p->cand->m = h->plugins[i]->m;
        p->cand->memfd = dup(h->plugins[i]->memfd);
        pending_push(h, p, true);
    }
}

static void on_loaded(camas_plugin_host *h, struct pending *p, const cJSON *msg)
{
    bool ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(msg, "ok"));
    const char *error = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "error"));
    char summary[900];
    if (p->replay) {
        if (!ok)
            alertf(h, "plugin %s could not be loaded again after a restart: %s", p->name,
                   error ? error : "unknown error");
        return;
    }
    const char *actor = p->actor[0] ? p->actor : "camas";
    if (!ok) {
        size_t idx;
        struct loaded *old = find_loaded(h, p->name, &idx);
        snprintf(summary, sizeof summary, "%s: refused at init: %s%s%s", p->name,
                 error ? error : "unknown error", old ? "; still running version " : "",
                 old ? old->m.version : "");
        audit(h, actor, "load", p->name, &p->cand->m, "refused", summary);
        alertf(h, "plugin %s", summary);
        finish_action(h, p, false, summary);
        return;
    }
    struct loaded *l = p->cand;
    p->cand = NULL;
    l->commands = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(msg, "commands"), 1);
    size_t idx;
    struct loaded *old = find_loaded(h, l->m.name, &idx);
    if (old) {
        snprintf(summary, sizeof summary, "%s: %s replaced by %s (sha256 %.12s…)", l->m.name,
                 old->m.version, l->m.version, l->m.sha256);
        h->plugins[idx] = l;
        loaded_free(old);
    } else {
        struct loaded **grown = realloc(h->plugins, (h->n_plugins + 1) * sizeof *grown);
        if (!grown) {
            loaded_free(l);
            finish_action(h, p, false, "out of memory");
            return;
        }
        h->plugins = grown;
        h->plugins[h->n_plugins++] = l;
        snprintf(summary, sizeof summary, "%s %s loaded (sha256 %.12s…)", l->m.name, l->m.version,
                 l->m.sha256);
    }
    log_info("plugins", "%s", summary);
    audit(h, actor, "load", l->m.name, &l->m, "ok", summary);
    finish_action(h, p, true, summary);
}

/* Collects the per-plugin outcomes of a knowledge reload into one summary. */
struct knowledge_done {
    camas_action_cb cb;
    void *ud;
    bool shared_ok, all_ok;
    char shared_why[600];
    size_t remaining;
    camas_buf failures;
};

static void on_knowledge_part(void *ud, bool ok, const char *summary)
{
    struct knowledge_done *kd = ud;
    if (!ok) {
        kd->all_ok = false;
        camas_buf_printf(&kd->failures, "%s%s", kd->failures.len ? "; " : "", summary);
    }
    if (--kd->remaining > 0)
        return;
    camas_buf text = {0};
    if (kd->shared_ok && kd->all_ok)
        camas_buf_puts(&text, "knowledge reloaded");
    else
        camas_buf_printf(&text,
                         "knowledge partly refused (the previous version keeps "
                         "answering where refused): %s%s%s",
                         kd->shared_ok ? "" : kd->shared_why,
                         !kd->shared_ok && kd->failures.len ? "; " : "",
                         kd->failures.len ? kd->failures.data : "");
    if (kd->cb)
        kd->cb(kd->ud, kd->shared_ok && kd->all_ok, camas_buf_cstr(&text));
    camas_buf_free(&text);
    camas_buf_free(&kd->failures);
    free(kd);
}

static int queue_load(camas_plugin_host *h, const char *name, const char *actor, bool force,
                      camas_action_cb cb, void *ud);

/* An answer frame from the worker. */
static void handle_answer(camas_plugin_host *h, const char *buf, size_t len)
{
    camas_ipc_frame f;
    if (camas_ipc_frame_decode(buf, len, &f) || f.kind != CAMAS_IPC_ANSWER) {
        log_warn("plugins", "ignoring a malformed frame from the worker");
        return;
    }
    struct pending *p = pending_find(h, f.id);
    if (!p || p->kind != P_ASK) {
        log_debug("plugins", "worker answered unknown question %lld", (long long)f.id);
        return;
    }
    pending_remove(h, p);
    h->restart_delay_ms = 0; /* the worker is doing useful work again */
    camas_host_answer a = {.lang = f.s[0],
                           .plain = f.s[1],
                           .html = f.s[2],
                           .plugin = f.s[3],
                           .entry = f.s[4],
                           .confidence = f.confidence,
                           .abstained = f.small != 0,
                           .danger = (f.flags & CAMAS_IPC_DANGER_STRONG)   ? 2
                                     : (f.flags & CAMAS_IPC_DANGER_FOOTER) ? 1
                                                                           : 0,
                           .clarify = (f.flags & CAMAS_IPC_CLARIFY) != 0,
                           .understood = f.s[5]};
    if (strcmp(a.lang, "en") && strcmp(a.lang, "fr")) {
        log_warn("plugins", "malformed answer from the worker (language '%.8s')", a.lang);
        finish_ask_failed(p);
    } else {
        p->answer_cb(p->ud, &a);
    }
    pending_free(p);
    touch_deadline(h);
    flush(h);
}

static void handle_message(camas_plugin_host *h, cJSON *msg)
{
    const char *op = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "op"));
    const cJSON *jid = cJSON_GetObjectItemCaseSensitive(msg, "id");
    int64_t id = 0; /* 0: no request (ids are positive and below 2^53) */
    camas_json_int(jid, 1, INT64_C(1) << 53, &id);
    if (!op)
        return;
    h->understanding_ready = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(msg, "warm"));
    if (strcmp(op, "understanding") == 0) {
        const char *mode = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "mode"));
        log_info("plugins", "questions are understood %s",
                 mode && strcmp(mode, "semantic") == 0 ? "semantically (model warm)"
                                                       : "lexically (no model)");
        return;
    }
    if (strcmp(op, "ready") == 0) {
        h->ready = true;
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(msg, "errors"))
            alertf(h, "knowledge: %s", cJSON_GetStringValue(e));
        queue_replays(h);
        flush(h);
        return;
    }
    struct pending *p = pending_find(h, id);
    if (!p) {
        log_debug("plugins", "worker answered unknown request %lld", (long long)id);
        return;
    }
    pending_remove(h, p);
    h->restart_delay_ms = 0; /* the worker is doing useful work again */
    if (strcmp(op, "loaded") == 0 && p->kind == P_LOAD) {
        on_loaded(h, p, msg);
    } else if (strcmp(op, "unloaded") == 0 && p->kind == P_UNLOAD) {
        size_t idx;
        struct loaded *l = find_loaded(h, p->name, &idx);
        char summary[128];
        if (l) {
            audit(h, p->actor, "unload", p->name, &l->m, "ok", "");
            h->plugins[idx] = h->plugins[--h->n_plugins];
            loaded_free(l);
            snprintf(summary, sizeof summary, "%s unloaded", p->name);
            finish_action(h, p, true, summary);
        } else {
            snprintf(summary, sizeof summary, "%s is not loaded", p->name);
            finish_action(h, p, false, summary);
        }
    } else if (strcmp(op, "shared") == 0 && p->kind == P_SHARED) {
        bool ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(msg, "ok"));
        const cJSON *e;
        camas_buf why = {0};
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(msg, "errors"))
        {
            alertf(h, "knowledge refused: %s", cJSON_GetStringValue(e));
            camas_buf_printf(&why, "%s%s", why.len ? "; " : "", cJSON_GetStringValue(e));
        }
        audit(h, p->actor, "knowledge", "bodies+synonyms", NULL, ok ? "ok" : "refused",
              why.data ? why.data : "");
        /* Then every plugin, each swapped in only if its folder loads cleanly. */
        if (h->n_plugins == 0) {
            finish_action(h, p, ok, ok ? "knowledge reloaded" : camas_buf_cstr(&why));
        } else {
            struct knowledge_done *kd = calloc(1, sizeof *kd);
            if (kd) {
                kd->cb = p->action_cb;
                kd->ud = p->ud;
                kd->shared_ok = ok;
                snprintf(kd->shared_why, sizeof kd->shared_why, "%s", why.data ? why.data : "");
                kd->remaining = h->n_plugins;
                kd->all_ok = true;
            }
            size_t n = h->n_plugins;
            char names[64][32];
            for (size_t i = 0; i < n && i < 64; i++)
                snprintf(names[i], sizeof names[i], "%s", h->plugins[i]->m.name);
            for (size_t i = 0; i < n && i < 64; i++)
                queue_load(h, names[i], p->actor, false, kd ? on_knowledge_part : NULL, kd);
        }
        camas_buf_free(&why);
    } else {
        log_warn("plugins", "unexpected '%s' from the worker", op);
        if (p->kind == P_ASK)
            finish_ask_failed(p);
    }
    pending_free(p);
    touch_deadline(h);
    flush(h);
}

static int worker_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                           size_t len)
{
    camas_plugin_host *h = lws_get_opaque_user_data(wsi);
    switch (reason) {
    case LWS_CALLBACK_RAW_RX_FILE:
        if (!h)
            return -1;
        for (;;) {
            cJSON *msg;
            size_t frame_len;
            int fd;
            int rc = camas_ipc_recv(h->sock, h->ipc_buf, &msg, &frame_len, &fd, 0);
            if (fd >= 0)
                close(fd); /* the worker never sends descriptors */
            if (rc == 1) {
                if (msg)
                    handle_message(h, msg);
                else
                    handle_answer(h, h->ipc_buf, frame_len);
                cJSON_Delete(msg);
                if (h->sock < 0)
                    return 0;
                continue;
            }
            if (rc < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return 0;
            if (rc < 0 && (errno == EBADMSG || errno == EMSGSIZE)) {
                log_warn("plugins", "ignoring a malformed message from the worker");
                continue;
            }
            return -1; /* closed or broken: RAW_CLOSE_FILE follows */
        }
    case LWS_CALLBACK_RAW_CLOSE_FILE:
        if (h && h->wsi == wsi) {
            lws_set_opaque_user_data(wsi, NULL);
            h->wsi = NULL;
            close(h->sock);
            h->sock = -1;
            char how[64];
            if (h->killed_for_deadline)
                snprintf(how, sizeof how, "hung: no answer within %d ms", h->deadline_ms);
            else
                snprintf(how, sizeof how, "crashed");
            worker_gone(h, how);
        }
        return 0;
    default:
        return 0;
    }
}

const struct lws_protocols camas_worker_protocol = {
    .name = "camas-worker",
    .callback = worker_callback,
};

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
        pending_free(p);
    }
    for (size_t i = 0; i < h->n_plugins; i++)
        loaded_free(h->plugins[i]);
    free(h->plugins);
    free(h->keys);
    free(h->worker_exe);
    free(h->plugins_dir);
    free(h->knowledge_dir);
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

static struct pending *new_pending(camas_plugin_host *h, enum pending_kind kind)
{
    struct pending *p = calloc(1, sizeof *p);
    if (p) {
        p->kind = kind;
        p->id = ++h->next_id;
    }
    return p;
}

/* Verifies and queues a load; failures are reported through cb at once. */
static int queue_load(camas_plugin_host *h, const char *name, const char *actor, bool force,
                      camas_action_cb cb, void *ud)
{
    char err[900];
    struct loaded *cand;
    const char *who = actor && *actor ? actor : "camas";
    camas_manifest seen;
    if (verify_plugin(h->plugins_dir, h->keys, h->n_keys, name, &cand, &seen, err, sizeof err)) {
        audit(h, who, "load", name, seen.name[0] ? &seen : NULL, "refused", err);
        alertf(h, "plugin %s", err);
        struct pending tmp = {.action_cb = cb, .ud = ud};
        snprintf(tmp.actor, sizeof tmp.actor, "%s", actor ? actor : "");
        finish_action(h, &tmp, false, err);
        return -1;
    }
    struct loaded *old = find_loaded(h, name, NULL);
    if (old && !force && camas_semver_cmp(cand->m.version, old->m.version) < 0) {
        snprintf(err, sizeof err,
                 "%s: version: refusing to replace %s with older %s (an admin can force it)", name,
                 old->m.version, cand->m.version);
        audit(h, who, "load", name, &cand->m, "refused", err);
        alertf(h, "plugin %s", err);
        loaded_free(cand);
        struct pending tmp = {.action_cb = cb, .ud = ud};
        snprintf(tmp.actor, sizeof tmp.actor, "%s", actor ? actor : "");
        finish_action(h, &tmp, false, err);
        return -1;
    }
    struct pending *p = new_pending(h, P_LOAD);
    if (!p) {
        loaded_free(cand);
        return -1;
    }
    p->cand = cand;
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->actor, sizeof p->actor, "%s", actor ? actor : "");
    p->action_cb = cb;
    p->ud = ud;
    pending_push(h, p, false);
    flush(h);
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
    if (spawn_worker(h))
        restart_later(h);
    h->initial_loads = n + 1; /* +1 guards against finishing before the loop below ends */
    for (int i = 0; i < n; i++)
        queue_load(h, names[i], NULL, false, NULL, NULL);
    struct pending guard = {0};
    finish_action(h, &guard, true, "");
    return 0;
}

int camas_plugin_host_ask(camas_plugin_host *h, const camas_question *q, camas_answer_cb cb,
                          void *ud)
{
    struct pending *p = new_pending(h, P_ASK);
    if (!p)
        return -1;
    p->answer_cb = cb;
    p->ud = ud;
    p->fr = q->lang && strcmp(q->lang, "fr") == 0;
    const char *lang = p->fr ? "fr" : "en";
    camas_ipc_frame f = {.kind = CAMAS_IPC_ASK,
                         .small = (uint8_t)q->room_kind,
                         .flags = (uint8_t)((q->patterns_fired ? CAMAS_IPC_PATTERNS_FIRED : 0) |
                                            (q->lang_forced ? CAMAS_IPC_LANG_FORCED : 0)),
                         .id = p->id,
                         .now_ms = q->now_ms,
                         .s = {lang, q->match_lang ? q->match_lang : lang, q->text, q->command,
                               q->args, q->context}};
    p->ask = camas_ipc_frame_encode(&f, &p->ask_len);
    if (!p->ask) {
        /* too long for one datagram (the core caps bodies well below) or out of memory */
        pending_free(p);
        return -1;
    }
    pending_push(h, p, false);
    flush_soon(h);
    return 0;
}

int camas_plugin_host_load(camas_plugin_host *h, const char *name, const char *actor, bool force,
                           camas_action_cb cb, void *ud)
{
    if (strcmp(name, "all") != 0)
        return queue_load(h, name, actor, force, cb, ud);
    /* "all": every loaded plugin; the callback reports the last one. */
    int rc = 0;
    for (size_t i = 0; i < h->n_plugins; i++) {
        char one[32];
        snprintf(one, sizeof one, "%s", h->plugins[i]->m.name);
        rc |= queue_load(h, one, actor, force, i + 1 == h->n_plugins ? cb : NULL,
                         i + 1 == h->n_plugins ? ud : NULL);
    }
    if (h->n_plugins == 0 && cb)
        cb(ud, false, "no plugins are loaded");
    return rc;
}

int camas_plugin_host_unload(camas_plugin_host *h, const char *name, const char *actor,
                             camas_action_cb cb, void *ud)
{
    if (!find_loaded(h, name, NULL)) {
        char msg[96];
        snprintf(msg, sizeof msg, "%s is not loaded", name);
        if (cb)
            cb(ud, false, msg);
        return -1;
    }
    struct pending *p = new_pending(h, P_UNLOAD);
    if (!p)
        return -1;
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->actor, sizeof p->actor, "%s", actor ? actor : "camas");
    p->action_cb = cb;
    p->ud = ud;
    pending_push(h, p, false);
    flush(h);
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
            camas_buf_printf(&b, "%s!%s", first ? ", commands " : " ",
                             cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "name")));
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
            const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "name"));
            if (n && strcmp(n, name) == 0)
                return true;
        }
    }
    return false;
}

char *camas_plugin_host_help(const camas_plugin_host *h, const char *lang, bool help_room)
{
    camas_buf b = {0};
    const char *key = lang && strcmp(lang, "fr") == 0 ? "usage_fr" : "usage_en";
    for (size_t i = 0; i < h->n_plugins; i++) {
        if (help_room && !h->plugins[i]->m.help_rooms)
            continue;
        const cJSON *c;
        cJSON_ArrayForEach(c, h->plugins[i]->commands)
        {
            const char *u = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, key));
            const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "name"));
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

int camas_plugin_host_reload_knowledge(camas_plugin_host *h, const char *actor, camas_action_cb cb,
                                       void *ud)
{
    struct pending *p = new_pending(h, P_SHARED);
    if (!p)
        return -1;
    snprintf(p->actor, sizeof p->actor, "%s", actor ? actor : "camas");
    p->action_cb = cb;
    p->ud = ud;
    pending_push(h, p, false);
    flush(h);
    return 0;
}

bool camas_plugin_host_understanding_ready(const camas_plugin_host *h)
{
    return h && h->understanding_ready;
}
