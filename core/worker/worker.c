/* The plugin worker: a separate process (exec'd fresh, so it inherits no secrets) that
 * loads verified plugin code from sealed memfds, hosts the shared question matcher, and
 * answers questions sent by the core (understanding them with understand.h). It runs under
 * a seccomp sandbox: no network, no exec, no new processes, no creating, renaming or
 * truncating files (it appends to the vector cache the core opened for it). If a plugin
 * crashes or hangs, only this process dies; the core restarts it and reloads the plugins
 * from the memfds it kept. The host API plugins call is in worker_host.c. */
#include "worker.h"
#include "worker_internal.h"
#include "ipc.h"
#include "worker_protocol.h"
#include "log.h"
#include "messages.h"
#include "match.h"
#include "reply.h"
#include "sandbox.h"
#include "text.h"
#include "understand.h"
#include "chat.h"
#include "yesno.h"
#include "util.h"
#include "yaml_json.h"

#include <camas/plugin.h>

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* ---- loading plugins ------------------------------------------------------------------ */

/* Nothing left to warm up: the model has embedded everything, or there is no model. */
static bool understanding_warm(const struct worker *w)
{
    return !camas_understand_has_model(w->understand) || camas_understand_ready(w->understand);
}

static void send_msg(struct worker *w, camas_ipc_msg *msg)
{
    /* Every message says whether answers are semantic yet, so the core's view follows each
     * load (which may bring texts to embed) in order. */
    msg->warm = understanding_warm(w);
    /* EPIPE: the core is gone (stopping); the read loop ends on its own. */
    if (camas_ipc_send_msg(w->sock, msg, -1) && errno != EPIPE)
        log_error("worker", "cannot reach the core: %s", strerror(errno));
}

/* Notes in the black box which request is being served and which plugin (NULL: none, the
 * worker itself) is about to run, so the core can blame a crash or a hang on them; the id
 * goes last so the core never pairs it with a stale name. */
void camas_worker_announce_call(struct worker *w, int64_t id, const camas_plugin *p)
{
    if (!w->blackbox)
        return;
    __atomic_store_n(&w->blackbox->id, 0, __ATOMIC_RELEASE);
    snprintf(w->blackbox->plugin, sizeof w->blackbox->plugin, "%s", p ? p->name : "");
    __atomic_store_n(&w->blackbox->id, id, __ATOMIC_RELEASE);
}

/* The request is answered: a crash from here on is nobody's question. */
static void request_done(struct worker *w)
{
    if (w->blackbox)
        __atomic_store_n(&w->blackbox->id, 0, __ATOMIC_RELEASE);
}

static void plugin_discard(struct worker *w, camas_plugin *p)
{
    if (p->initialised && p->d && p->d->teardown) {
        camas_worker_announce_call(w, -1, p);
        p->d->teardown(p, p->state);
    }
    camas_matcher_remove_owner(w->matcher, p->owner);
    camas_understand_remove_owner(w->understand, p->owner);
    w->matcher_dirty = true;
    /* CAMAS_NO_DLCLOSE keeps code mapped so leak checkers can name plugin frames. */
    bool keep_mapped = p->dl && getenv("CAMAS_NO_DLCLOSE");
    if (p->dl && !keep_mapped)
        dlclose(p->dl);
    if (p->fd >= 0 && !keep_mapped)
        close(p->fd);
    cJSON_Delete(p->commands);
    cJSON_Delete(p->errors);
    cJSON_Delete(p->warnings);
    camas_worker_templates_free(p);
    free(p);
}

static camas_plugin *plugin_find(struct worker *w, const char *name, size_t *index)
{
    for (size_t i = 0; i < w->n_plugins; i++)
        if (strcmp(w->plugins[i]->name, name) == 0) {
            if (index)
                *index = i;
            return w->plugins[i];
        }
    return NULL;
}

static void rebuild_matcher(struct worker *w)
{
    if (w->matcher_dirty) {
        camas_matcher_build(w->matcher);
        w->matcher_dirty = false;
        camas_worker_about_forget(w);
    }
}

/* Loads, checks and initialises a plugin from a memfd. On success the new plugin replaces
 * any loaded one of the same name; on failure the old one keeps running. */
/* Long on purpose: the plugin's checks in order, one error path that keeps the old one. */
static void op_load(struct worker *w, const camas_ipc_msg *req, int fd)
{
    int64_t id = req->id;
    const char *name = req->name, *version = req->version, *knowledge = req->knowledge;
    camas_ipc_msg reply = {.op = CAMAS_IPC_OP_LOADED, .id = id, .name = name ? name : ""};
    char error[700] = "";
    camas_plugin *p = calloc(1, sizeof *p);
    if (!name || !version || fd < 0 || !p) {
        snprintf(error, sizeof error, "load request incomplete");
        goto out;
    }
    p->w = w;
    p->fd = -1;
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->version, sizeof p->version, "%s", version);
    snprintf(p->knowledge, sizeof p->knowledge, "%s", knowledge ? knowledge : "");
    p->allow_help = req->help_rooms;
    p->owner = ++w->next_owner;
    p->commands = cJSON_CreateArray();
    p->errors = cJSON_CreateArray();
    p->warnings = cJSON_CreateArray();

    /* glibc recognises an already loaded library by its path name, so the descriptor stays
     * open while the library is loaded: no other plugin can get the same /proc path. */
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    p->fd = fd;
    fd = -1;
    p->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!p->dl) {
        snprintf(error, sizeof error, "dlopen failed: %s", dlerror());
        goto out;
    }
    const camas_plugin_descriptor *(*entry)(void);
    *(void **)&entry = dlsym(p->dl, CAMAS_PLUGIN_ENTRY_SYMBOL);
    if (!entry) {
        snprintf(error, sizeof error, "the library does not export %s", CAMAS_PLUGIN_ENTRY_SYMBOL);
        goto out;
    }
    camas_worker_announce_call(w, id, p);
    const camas_plugin_descriptor *d = entry();
    if (!d || d->magic != CAMAS_PLUGIN_MAGIC) {
        snprintf(error, sizeof error, "ABI check: not a camas plugin (bad magic)");
        goto out;
    }
    if (d->abi_major != CAMAS_PLUGIN_ABI_MAJOR || d->abi_minor > CAMAS_PLUGIN_ABI_MINOR) {
        snprintf(error, sizeof error,
                 "ABI check: plugin built for ABI %u.%u, this camas provides %d.%d", d->abi_major,
                 d->abi_minor, CAMAS_PLUGIN_ABI_MAJOR, CAMAS_PLUGIN_ABI_MINOR);
        goto out;
    }
    /* render and command are checked when the plugin registers an entry or a command. */
    if (d->size < sizeof(camas_plugin_descriptor) || !d->init || !d->name) {
        snprintf(error, sizeof error,
                 "ABI check: descriptor incomplete (init and name are "
                 "required)");
        goto out;
    }
    if (strcmp(d->name, name) != 0) {
        snprintf(error, sizeof error, "the library calls itself '%s', the manifest '%s'", d->name,
                 name);
        goto out;
    }
    p->d = d;
    int64_t t_init = camas_monotonic_ms();
    int rc = d->init(p, &camas_worker_host_api, &p->state);
    log_debug("worker", "%s init took %lld ms", name, (long long)(camas_monotonic_ms() - t_init));
    p->initialised = true; /* teardown is owed from here on, success or not */
    if (rc != 0 || p->data_errors) {
        cJSON *first = cJSON_GetArrayItem(p->errors, 0);
        snprintf(error, sizeof error, "init failed (%d)%s%s", rc, first ? ": " : "",
                 first ? first->valuestring : "");
        goto out;
    }
    /* Commands must be ones the manifest declared. */
    const cJSON *declared = req->commands;
    const cJSON *c;
    cJSON_ArrayForEach(c, p->commands)
    {
        const char *cn = camas_ipc_command_name(c);
        bool ok = false;
        const cJSON *dc;
        cJSON_ArrayForEach(dc, declared) ok =
            ok || (cJSON_IsString(dc) && strcmp(dc->valuestring, cn) == 0);
        if (!ok) {
            snprintf(error, sizeof error,
                     "registered command !%s, which its manifest does not declare", cn);
            goto out;
        }
    }
out:
    if (fd >= 0)
        close(fd);
    if (error[0]) {
        cJSON *errors = NULL; /* kept past the plugin, which goes before the reply */
        if (p) {
            if (p->errors && cJSON_GetArraySize(p->errors))
                errors = cJSON_Duplicate(p->errors, 1);
            plugin_discard(w, p);
        }
        rebuild_matcher(w);
        reply.error = error;
        reply.errors = errors;
        log_warn("worker", "plugin %s not loaded: %s", name ? name : "?", error);
        send_msg(w, &reply);
        cJSON_Delete(errors);
        return;
    }
    size_t idx;
    camas_plugin *old = plugin_find(w, name, &idx);
    if (old) {
        w->plugins[idx] = p;
        plugin_discard(w, old);
    } else {
        camas_plugin **grown = realloc(w->plugins, (w->n_plugins + 1) * sizeof *grown);
        if (!grown) {
            plugin_discard(w, p);
            reply.error = "out of memory";
            send_msg(w, &reply);
            return;
        }
        w->plugins = grown;
        w->plugins[w->n_plugins++] = p;
    }
    int64_t t_build = camas_monotonic_ms();
    rebuild_matcher(w);
    log_debug("worker", "matcher rebuilt in %lld ms", (long long)(camas_monotonic_ms() - t_build));
    reply.ok = true;
    reply.version = p->version;
    reply.commands = p->commands;
    if (cJSON_GetArraySize(p->warnings)) /* loaded all the same; the admins are told */
        reply.errors = p->warnings;
    log_info("worker", "plugin %s %s loaded", p->name, p->version);
    send_msg(w, &reply);
}

static void op_unload(struct worker *w, const camas_ipc_msg *req)
{
    size_t idx;
    camas_plugin *p = req->name ? plugin_find(w, req->name, &idx) : NULL;
    camas_ipc_msg reply = {.op = CAMAS_IPC_OP_UNLOADED,
                           .id = req->id,
                           .name = req->name ? req->name : "",
                           .ok = p != NULL};
    if (p) {
        w->plugins[idx] = w->plugins[--w->n_plugins];
        plugin_discard(w, p);
        rebuild_matcher(w);
    }
    send_msg(w, &reply);
}

/* ---- answering ------------------------------------------------------------------------ */

bool camas_worker_room_policy(uint32_t owner, const char *entry_id, void *ud)
{
    struct camas_worker_filter *fc = ud;
    (void)entry_id;
    for (size_t i = 0; i < fc->w->n_plugins; i++)
        if (fc->w->plugins[i]->owner == owner)
            return fc->room_kind != CAMAS_ROOMKIND_HELP || fc->w->plugins[i]->allow_help;
    return false;
}

static camas_plugin *plugin_by_owner(struct worker *w, uint32_t owner)
{
    for (size_t i = 0; i < w->n_plugins; i++)
        if (w->plugins[i]->owner == owner)
            return w->plugins[i];
    return NULL;
}

camas_plugin *camas_worker_plugin_by_command(struct worker *w, const char *cmd)
{
    for (size_t i = 0; i < w->n_plugins; i++) {
        const cJSON *c;
        cJSON_ArrayForEach(c, w->plugins[i]->commands)
        {
            const char *n = camas_ipc_command_name(c);
            if (n && strcmp(n, cmd) == 0)
                return w->plugins[i];
        }
    }
    return NULL;
}

/* Runs one plugin call with the reply buffers armed. Returns the plugin's return code. */
int camas_worker_call_plugin(struct worker *w, int64_t id, camas_plugin *p, const char *entry,
                             const char *command, const camas_request *req)
{
    camas_worker_announce_call(w, id, p);
    w->replying = true;
    int rc = command
                 ? (p->d->command ? p->d->command(p, p->state, command, req) : CAMAS_ERR_NOTFOUND)
             : p->d->render ? p->d->render(p, p->state, entry, req)
                            : CAMAS_ERR_NOTFOUND;
    w->replying = false;
    return rc;
}

/* Sends the answers held back while more questions were waiting: one wake-up of the core
 * for the whole burst instead of one per answer. */
void camas_worker_answers_flush(struct worker *w)
{
    size_t done = 0;
    while (done < w->n_out) {
        int n = camas_ipc_send_many(w->sock, w->out + done, w->n_out - done);
        if (n <= 0) {
            if (errno != EPIPE) /* EPIPE: the core is gone (stopping) */
                log_error("worker", "cannot answer the core: %s", strerror(errno));
            break;
        }
        done += (size_t)n;
    }
    for (size_t i = 0; i < w->n_out; i++)
        free(w->out[i].iov_base);
    w->n_out = 0;
}

bool camas_worker_render_entry(struct worker *w, int64_t id, uint32_t owner, const char *entry,
                               const camas_request *req, const char **plugin_name)
{
    camas_plugin *p = plugin_by_owner(w, owner);
    if (!p)
        return false;
    *plugin_name = p->name;
    return camas_worker_call_plugin(w, id, p, entry, NULL, req) == 0 && w->reply_plain.len;
}

/* Re-reads bodies.yaml and synonyms.yaml into a new matcher, replays every plugin's entries
 * into it and swaps it in; with any error the old matcher stays and the errors are sent. */
static void op_reload_shared(struct worker *w, int64_t id)
{
    camas_worker_load_messages(w);
    struct camas_worker_shared sh = {camas_matcher_new(), NULL, 0, NULL, cJSON_CreateArray()};
    if (sh.matcher)
        camas_worker_load_shared(&sh, w->knowledge_dir);
    bool ok = sh.matcher && cJSON_GetArraySize(sh.errors) == 0;
    /* The plugins' entries move over from the current matcher. */
    for (size_t i = 0; ok && i < w->n_plugins; i++)
        if (camas_matcher_copy_owner(sh.matcher, w->matcher, w->plugins[i]->owner))
            ok = false;
    if (ok && camas_matcher_build(sh.matcher))
        ok = false;
    if (ok) {
        camas_matcher_free(w->matcher);
        camas_worker_bodies_free(w->bodies, w->n_bodies);
        w->matcher = sh.matcher;
        w->bodies = sh.bodies;
        w->n_bodies = sh.n_bodies;
        camas_yesno_names_free(w->names);
        w->names = sh.names;
        w->matcher_dirty = false;
        camas_worker_about_forget(w);
        log_info("worker", "bodies.yaml and synonyms.yaml reloaded");
    } else {
        camas_matcher_free(sh.matcher);
        camas_worker_bodies_free(sh.bodies, sh.n_bodies);
        camas_yesno_names_free(sh.names);
        log_warn("worker", "shared knowledge not reloaded: the previous version stays");
    }
    camas_ipc_msg reply = {.op = CAMAS_IPC_OP_SHARED, .id = id, .ok = ok, .errors = sh.errors};
    send_msg(w, &reply);
    cJSON_Delete(sh.errors);
}

/* ---- main loop ------------------------------------------------------------------------ */

/* Tells the core, once per change, that semantic matching is warm (or that there is none). */
static void announce_understanding(struct worker *w)
{
    camas_ipc_msg msg = {.op = CAMAS_IPC_OP_UNDERSTANDING,
                         .semantic = camas_understand_ready(w->understand)};
    send_msg(w, &msg);
}

/* Long on purpose: the worker's set-up, sandbox, loop and exit, in the order they happen. */
int camas_worker_main(int sock, const camas_worker_options *opt)
{
    struct worker w;
    memset(&w, 0, sizeof w);
    w.sock = sock;
    snprintf(w.knowledge_dir, sizeof w.knowledge_dir, "%s", opt->knowledge_dir);
    int mode = camas_match_mode_parse(opt->match_mode);
    /* The model itself is opened by the first background slice, after the plugins load. */
    w.understand = camas_understand_new(mode < 0 ? CAMAS_MODE_HYBRID : (camas_match_mode)mode,
                                        opt->model_path, opt->embed_cache_fd, w.knowledge_dir);
    w.ipc_buf = malloc(CAMAS_IPC_MAX + 1);
    struct camas_worker_shared sh = {camas_matcher_new(), NULL, 0, NULL, cJSON_CreateArray()};
    if (!w.ipc_buf || !sh.matcher || !sh.errors || !w.understand) {
        log_error("worker", "out of memory");
        return 1;
    }
    /* A missing black box only costs naming the plugin when something goes wrong. */
    void *bb = mmap(NULL, sizeof *w.blackbox, PROT_READ | PROT_WRITE, MAP_SHARED,
                    CAMAS_IPC_BLACKBOX_FD, 0);
    if (bb == MAP_FAILED)
        log_warn("worker", "no black box from the core: crashes will not name a plugin");
    else
        w.blackbox = bb;
    close(CAMAS_IPC_BLACKBOX_FD);
    char err[256];
    if (camas_sandbox_apply(err, sizeof err))
        log_warn("worker", "sandbox incomplete: %s", err);
    camas_worker_load_shared(&sh, w.knowledge_dir);
    camas_worker_load_messages(&w);
    w.matcher = sh.matcher;
    w.bodies = sh.bodies;
    w.n_bodies = sh.n_bodies;
    w.names = sh.names;
    camas_understand_set_names(w.understand, camas_worker_names, &w);
    camas_understand_set_body_names(w.understand, camas_worker_body_short);
    camas_understand_set_yes_no(w.understand, camas_yesno_question);
    static const char *const word_lists[] = {CAMAS_LEXICON_EN, CAMAS_LEXICON_FR};
    int64_t t0 = camas_monotonic_ms();
    w.lexicon = camas_lexicon_load(word_lists, 2);
    log_debug("worker", "%zu real words (%s, %s) in %lld ms", camas_lexicon_size(w.lexicon),
              CAMAS_LEXICON_EN, CAMAS_LEXICON_FR, (long long)(camas_monotonic_ms() - t0));
    camas_understand_set_lexicon(w.understand, w.lexicon);
    camas_matcher_build(w.matcher);

    camas_ipc_msg hello = {.op = CAMAS_IPC_OP_READY, .errors = sh.errors};
    send_msg(&w, &hello);
    cJSON_Delete(sh.errors);
    w.background = true;

    for (;;) {
        cJSON *msg;
        size_t frame_len;
        int fd;
        /* Wait only when no answer is held back and no background work (embedding new
         * knowledge) is left; else take what is already queued. */
        bool busy = w.n_out || w.background;
        int rc = camas_ipc_recv(sock, w.ipc_buf, &msg, &frame_len, &fd, busy ? MSG_DONTWAIT : 0);
        if (rc < 0 && busy && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (w.n_out)
                camas_worker_answers_flush(&w);
            else if (!(w.background = camas_understand_work(w.understand, 20)))
                announce_understanding(&w); /* slices short enough that a question waits little */
            continue;
        }
        if (rc == 0)
            break; /* the core went away: nothing left to do */
        if (rc < 0) {
            if (errno == EBADMSG || errno == EMSGSIZE) {
                log_warn("worker", "ignoring a malformed message from the core");
                continue;
            }
            log_error("worker", "reading from the core failed: %s", strerror(errno));
            break;
        }
        if (!msg) {
            camas_ipc_frame f;
            if (camas_ipc_frame_decode(w.ipc_buf, frame_len, &f) == 0 && f.kind == CAMAS_IPC_ASK)
                camas_worker_op_ask(&w, &f);
            else
                log_warn("worker", "ignoring a malformed frame from the core");
            request_done(&w);
            if (fd >= 0)
                close(fd);
            continue;
        }
        camas_worker_answers_flush(&w); /* rare messages keep their place after earlier answers */
        camas_ipc_msg req;
        bool has_op = camas_ipc_msg_decode(msg, &req) == 0;
        if (!has_op) {
            log_warn("worker", "message without op");
        } else {
            switch (req.op) {
            case CAMAS_IPC_OP_LOAD:
                op_load(&w, &req, fd);
                fd = -1;
                break;
            case CAMAS_IPC_OP_UNLOAD:
                op_unload(&w, &req);
                break;
            case CAMAS_IPC_OP_RELOAD_SHARED:
                op_reload_shared(&w, req.id);
                break;
            default: /* unknown, or one only the worker sends */
                log_warn("worker", "unknown op '%s'", req.op_text);
                break;
            }
        }
        request_done(&w);
        if (fd >= 0)
            close(fd);
        /* A load or reload frees about as much as it keeps (the previous index, parse trees,
         * scratch): give those pages back to the system now, as the worker goes idle, rather
         * than hold them until a later load reuses them. (Asks, frequent and freeing little,
         * are frames and never get here.) */
        bool trim = has_op;
        w.background = true; /* a load may have brought new texts to embed */
        cJSON_Delete(msg);
        if (trim)
            malloc_trim(0);
    }
    camas_worker_answers_flush(&w);
    while (w.n_plugins)
        plugin_discard(&w, w.plugins[--w.n_plugins]);
    free(w.plugins);
    camas_worker_bodies_free(w.bodies, w.n_bodies);
    camas_yesno_names_free(w.names);
    camas_matcher_free(w.matcher);
    camas_understand_free(w.understand);
    camas_stemmer_free(w.stemmer);
    camas_lexicon_free(w.lexicon);
    camas_messages_free(w.messages);
    camas_worker_about_forget(&w);
    camas_buf_free(&w.reply_plain);
    camas_buf_free(&w.reply_html);
    free(w.ipc_buf);
    if (w.blackbox)
        munmap(w.blackbox, sizeof *w.blackbox);
    return 0;
}
