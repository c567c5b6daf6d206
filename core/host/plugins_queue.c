/* The plugin host's request queue: every request to the worker (questions, loads, unloads,
 * knowledge reloads) is kept until answered, sent in order, sent again to a restarted
 * worker, and finished from the worker's answers. */
#include "plugins_internal.h"
#include "reply.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

void plugins_pending_free(struct pending *p)
{
    free(p->ask);
    free(p->messages_error);
    plugins_loaded_free(p->cand);
    free(p);
}

void plugins_pending_remove(camas_plugin_host *h, struct pending *p)
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

void plugins_pending_push(camas_plugin_host *h, struct pending *p, bool front)
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
struct pending *plugins_pending_find(camas_plugin_host *h, int64_t id)
{
    for (struct pending *p = h->head; p; p = p->next)
        if (p->id == id)
            return p;
    return NULL;
}

void plugins_finish_ask_failed(camas_plugin_host *h, struct pending *p)
{
    const char *lang = p->fr ? "fr" : "en";
    const char *apology = camas_messages_get(h->messages, CAMAS_MSG_ANSWER_FAILED, lang);
    char *esc = camas_html_escape(apology);
    camas_buf html = {0};
    camas_buf_printf(&html, "<p>%s</p>", esc ? esc : "");
    free(esc);
    camas_host_answer a = {.plain = apology,
                           .html = html.data ? html.data : "",
                           .plugin = "",
                           .entry = "",
                           .lang = lang,
                           .failed = true};
    p->answer_cb(p->ud, &a);
    camas_buf_free(&html);
}

void plugins_finish_action(camas_plugin_host *h, struct pending *p, bool ok, const char *summary)
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

struct pending *plugins_new_pending(camas_plugin_host *h, enum pending_kind kind)
{
    struct pending *p = calloc(1, sizeof *p);
    if (p) {
        p->kind = kind;
        p->id = ++h->next_id;
    }
    return p;
}

/* A load carries the manifest's facts and, as its descriptor, the plugin's sealed code. */
static int send_load(camas_plugin_host *h, const struct pending *p)
{
    const struct loaded *l = p->cand;
    cJSON *commands = cJSON_CreateArray();
    if (!commands) {
        errno = ENOMEM;
        return -1;
    }
    for (size_t i = 0; i < l->m.n_commands; i++)
        cJSON_AddItemToArray(commands, cJSON_CreateString(l->m.commands[i]));
    camas_ipc_msg m = {.op = CAMAS_IPC_OP_LOAD,
                       .id = p->id,
                       .name = l->m.name,
                       .version = l->m.version,
                       .knowledge = l->m.knowledge,
                       .help_rooms = l->m.help_rooms,
                       .commands = commands};
    int rc = camas_ipc_send_msg(h->sock, &m, l->memfd);
    int saved = errno;
    cJSON_Delete(commands);
    errno = saved;
    return rc;
}

/* Sends the request of a pending load, unload or knowledge reload (questions are frames,
 * sent in bursts by plugins_flush). */
static int send_request(camas_plugin_host *h, const struct pending *p)
{
    switch (p->kind) {
    case P_LOAD:
        return send_load(h, p);
    case P_UNLOAD:
        return camas_ipc_send_msg(
            h->sock, &(camas_ipc_msg){.op = CAMAS_IPC_OP_UNLOAD, .id = p->id, .name = p->name}, -1);
    case P_SHARED:
        return camas_ipc_send_msg(
            h->sock, &(camas_ipc_msg){.op = CAMAS_IPC_OP_RELOAD_SHARED, .id = p->id}, -1);
    case P_ASK:
        break;
    }
    errno = EINVAL;
    return -1;
}

void plugins_flush(camas_plugin_host *h)
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
            int64_t now = camas_monotonic_ms();
            for (int i = 0; i < sent; i++) {
                in_burst[i]->sent = true;
                in_burst[i]->sent_ms = now;
                h->n_sent++;
            }
            if (sent > 0) {
                p = in_burst[sent - 1];
                continue;
            }
            rc = -1;
        } else {
            rc = send_request(h, p);
        }
        if (rc) {
            if (errno == EAGAIN)
                break; /* the worker is busy; the deadline watches it */
            log_warn("plugins", "cannot reach the worker: %s", strerror(errno));
            plugins_kill_worker(h);
            break;
        }
        p->sent = true;
        h->n_sent++;
    }
    h->unsent = p;
    plugins_touch_deadline(h);
}

static void on_flush(lws_sorted_usec_list_t *sul)
{
    plugins_flush(lws_container_of(sul, camas_plugin_host, flush_timer));
}

/* Sends at the end of this turn of the event loop rather than now, so questions routed
 * from one /sync batch (or one benchmark burst) reach the worker together. */
void plugins_flush_soon(camas_plugin_host *h)
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
        plugins_pending_push(h, p, true);
    }
}

static void on_loaded(camas_plugin_host *h, struct pending *p, const camas_ipc_msg *m)
{
    bool ok = m->ok;
    const char *error = m->error;
    char summary[900];
    const cJSON *w; /* loaded, with problems it could work around (a plugin's templates) */
    if (ok)
        cJSON_ArrayForEach(w, m->errors)
        {
            plugins_alertf(h, "plugin %s: %s", p->name, cJSON_GetStringValue(w));
        }
    if (p->replay) {
        if (!ok)
            plugins_alertf(h, "plugin %s could not be loaded again after a restart: %s", p->name,
                           error ? error : "unknown error");
        return;
    }
    const char *actor = p->actor[0] ? p->actor : "camas";
    if (!ok) {
        size_t idx;
        struct loaded *old = plugins_find_loaded(h, p->name, &idx);
        snprintf(summary, sizeof summary, "%s: refused at init: %s%s%s", p->name,
                 error ? error : "unknown error", old ? "; still running version " : "",
                 old ? old->m.version : "");
        plugins_audit(h, actor, "load", p->name, &p->cand->m, "refused", summary);
        plugins_alertf(h, "plugin %s", summary);
        plugins_finish_action(h, p, false, summary);
        return;
    }
    struct loaded *l = p->cand;
    p->cand = NULL;
    l->commands = cJSON_Duplicate(m->commands, 1);
    size_t idx;
    struct loaded *old = plugins_find_loaded(h, l->m.name, &idx);
    if (old) {
        snprintf(summary, sizeof summary, "%s: %s replaced by %s (sha256 %.12s…)", l->m.name,
                 old->m.version, l->m.version, l->m.sha256);
        h->plugins[idx] = l;
        plugins_loaded_free(old);
    } else {
        struct loaded **grown = realloc(h->plugins, (h->n_plugins + 1) * sizeof *grown);
        if (!grown) {
            plugins_loaded_free(l);
            plugins_finish_action(h, p, false, "out of memory");
            return;
        }
        h->plugins = grown;
        h->plugins[h->n_plugins++] = l;
        snprintf(summary, sizeof summary, "%s %s loaded (sha256 %.12s…)", l->m.name, l->m.version,
                 l->m.sha256);
    }
    log_info("plugins", "%s", summary);
    plugins_audit(h, actor, "load", l->m.name, &l->m, "ok", summary);
    plugins_finish_action(h, p, true, summary);
}

/* Collects the per-plugin outcomes of a knowledge reload into one summary. */
struct knowledge_done {
    camas_plugin_host *h;
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
    if (kd->h && kd->shared_ok && kd->all_ok)
        plugins_knowledge_loaded(kd->h, true);
    else if (kd->h && kd->h->metrics)
        kd->h->metrics->knowledge_reload_failures++;
    if (kd->cb)
        kd->cb(kd->ud, kd->shared_ok && kd->all_ok, camas_buf_cstr(&text));
    camas_buf_free(&text);
    camas_buf_free(&kd->failures);
    free(kd);
}

/* An answer frame from the worker. */
void plugins_handle_answer(camas_plugin_host *h, const char *buf, size_t len)
{
    camas_ipc_frame f;
    if (camas_ipc_frame_decode(buf, len, &f) || f.kind != CAMAS_IPC_ANSWER) {
        log_warn("plugins", "ignoring a malformed frame from the worker");
        return;
    }
    struct pending *p = plugins_pending_find(h, f.id);
    if (!p || p->kind != P_ASK) {
        log_debug("plugins", "worker answered unknown question %lld", (long long)f.id);
        return;
    }
    plugins_pending_remove(h, p);
    h->restart_delay_ms = 0; /* the worker is doing useful work again */
    if (h->metrics && p->sent_ms)
        camas_histogram_observe(&h->metrics->worker_time,
                                (double)(camas_monotonic_ms() - p->sent_ms) / 1000.0);
    camas_host_answer a = {.lang = f.s[CAMAS_IPC_ANSWER_LANG],
                           .plain = f.s[CAMAS_IPC_ANSWER_PLAIN],
                           .html = f.s[CAMAS_IPC_ANSWER_HTML],
                           .plugin = f.s[CAMAS_IPC_ANSWER_PLUGIN],
                           .entry = f.s[CAMAS_IPC_ANSWER_ENTRY],
                           .confidence = f.confidence,
                           .abstained = f.abstained != 0,
                           .danger = (f.flags & CAMAS_IPC_DANGER_STRONG)   ? 2
                                     : (f.flags & CAMAS_IPC_DANGER_FOOTER) ? 1
                                                                           : 0,
                           .clarify = (f.flags & CAMAS_IPC_CLARIFY) != 0,
                           .bilingual = (f.flags & CAMAS_IPC_BILINGUAL) != 0,
                           .understood = f.s[CAMAS_IPC_ANSWER_UNDERSTOOD]};
    if (strcmp(a.lang, "en") && strcmp(a.lang, "fr")) {
        log_warn("plugins", "malformed answer from the worker (language '%.8s')", a.lang);
        plugins_finish_ask_failed(h, p);
    } else {
        p->answer_cb(p->ud, &a);
    }
    plugins_pending_free(p);
    plugins_touch_deadline(h);
    plugins_flush(h);
}

/* The worker said an unload is done. */
static void on_unloaded(camas_plugin_host *h, struct pending *p)
{
    size_t idx;
    struct loaded *l = plugins_find_loaded(h, p->name, &idx);
    char summary[128];
    if (l) {
        plugins_audit(h, p->actor, "unload", p->name, &l->m, "ok", "");
        h->plugins[idx] = h->plugins[--h->n_plugins];
        plugins_loaded_free(l);
        snprintf(summary, sizeof summary, "%s unloaded", p->name);
        plugins_finish_action(h, p, true, summary);
    } else {
        snprintf(summary, sizeof summary, "%s is not loaded", p->name);
        plugins_finish_action(h, p, false, summary);
    }
}

/* The worker read bodies.yaml and synonyms.yaml again (or refused them): the first half of
 * a knowledge reload. */
static void on_shared(camas_plugin_host *h, struct pending *p, const camas_ipc_msg *m)
{
    bool ok = m->ok && !p->messages_error;
    const cJSON *e;
    camas_buf why = {0};
    if (p->messages_error) /* the core's own part, alerted when it was refused */
        camas_buf_puts(&why, p->messages_error);
    cJSON_ArrayForEach(e, m->errors)
    {
        plugins_alertf(h, "knowledge refused: %s", cJSON_GetStringValue(e));
        camas_buf_printf(&why, "%s%s", why.len ? "; " : "", cJSON_GetStringValue(e));
    }
    plugins_audit(h, p->actor, "knowledge", "bodies+synonyms+messages", NULL, ok ? "ok" : "refused",
                  why.data ? why.data : "");
    /* Then every plugin, each swapped in only if its folder loads cleanly. */
    if (h->n_plugins == 0) {
        if (ok)
            plugins_knowledge_loaded(h, true);
        else if (h->metrics)
            h->metrics->knowledge_reload_failures++;
        plugins_finish_action(h, p, ok, ok ? "knowledge reloaded" : camas_buf_cstr(&why));
    } else {
        struct knowledge_done *kd = calloc(1, sizeof *kd);
        if (kd) {
            kd->h = h;
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
            plugins_queue_load(h, names[i], p->actor, false, kd ? on_knowledge_part : NULL, kd);
    }
    camas_buf_free(&why);
}

/* The worker's reply to a pending request of this kind (an ask's is an answer frame). */
static enum camas_ipc_op reply_op(enum pending_kind kind)
{
    switch (kind) {
    case P_LOAD:
        return CAMAS_IPC_OP_LOADED;
    case P_UNLOAD:
        return CAMAS_IPC_OP_UNLOADED;
    case P_SHARED:
        return CAMAS_IPC_OP_SHARED;
    case P_ASK:
        break;
    }
    return CAMAS_IPC_OP_UNKNOWN;
}

void plugins_handle_message(camas_plugin_host *h, cJSON *msg)
{
    camas_ipc_msg m;
    if (camas_ipc_msg_decode(msg, &m))
        return; /* no op: nothing to act on */
    h->understanding_ready = m.warm;
    switch (m.op) {
    case CAMAS_IPC_OP_UNDERSTANDING:
        log_info("plugins", "questions are understood %s",
                 m.semantic ? "semantically (model warm)" : "lexically (no model)");
        return;
    case CAMAS_IPC_OP_READY: {
        h->ready = true;
        h->worker_started_ms = camas_monotonic_ms();
        if (!h->worker_ever_ready) { /* the knowledge the first worker read */
            h->worker_ever_ready = true;
            plugins_knowledge_loaded(h, false);
        }
        const cJSON *e;
        cJSON_ArrayForEach(e, m.errors) plugins_alertf(h, "knowledge: %s", cJSON_GetStringValue(e));
        queue_replays(h);
        plugins_flush(h);
        return;
    }
    default:
        break; /* a reply to a request, or nonsense that fails it */
    }
    struct pending *p = plugins_pending_find(h, m.id);
    if (!p) {
        log_debug("plugins", "worker answered unknown request %lld", (long long)m.id);
        return;
    }
    plugins_pending_remove(h, p);
    h->restart_delay_ms = 0; /* the worker is doing useful work again */
    if (m.op != reply_op(p->kind)) {
        log_warn("plugins", "unexpected '%s' from the worker", m.op_text);
        if (p->kind == P_ASK)
            plugins_finish_ask_failed(h, p);
    } else {
        switch (m.op) {
        case CAMAS_IPC_OP_LOADED:
            on_loaded(h, p, &m);
            break;
        case CAMAS_IPC_OP_UNLOADED:
            on_unloaded(h, p);
            break;
        case CAMAS_IPC_OP_SHARED:
            on_shared(h, p, &m);
            break;
        default:
            break; /* no request is answered by anything else */
        }
    }
    plugins_pending_free(p);
    plugins_touch_deadline(h);
    plugins_flush(h);
}
