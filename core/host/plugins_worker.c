/* The plugin host's worker process: starting camas-worker, watching its socket and its
 * deadline, and restarting it when it dies.
 *
 * Supervision: every request to the worker is kept until answered. The worker announces
 * which plugin it is about to call; if it then dies or stays silent past the deadline, that
 * plugin is blamed, its request fails (an apology for a question), admins are alerted, the
 * worker is restarted, the plugins are loaded again from the kept memfds, and every other
 * request is sent again. */
#include "plugins_internal.h"

#include "dense.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define RESTART_MIN_MS 100
#define RESTART_MAX_MS 30000

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

void plugins_kill_worker(camas_plugin_host *h)
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
    if (h->metrics)
        h->metrics->worker_restarts++;
    /* Blame the plugin that was running, if its request is still open. */
    char plugin[64];
    int64_t calling = blackbox_read(h, plugin, sizeof plugin);
    struct pending *culprit = calling > 0 ? plugins_pending_find(h, calling) : NULL;
    if (culprit) {
        plugins_pending_remove(h, culprit);
        if (culprit->kind == P_ASK) {
            char who[96] = "the plugin worker";
            if (plugin[0])
                snprintf(who, sizeof who, "plugin %s", plugin);
            plugins_alertf(h,
                           "%s failed while answering a question (%s%s%s); the worker was "
                           "restarted and the question got an apology",
                           who, how, status[0] ? ", " : "", status);
            plugins_finish_ask_failed(h, culprit);
        } else {
            char summary[512];
            snprintf(summary, sizeof summary, "plugin %s crashed while loading (%s%s%s)",
                     culprit->name, how, status[0] ? ", " : "", status);
            plugins_alertf(h, "%s", summary);
            if (culprit->replay) {
                size_t idx;
                struct loaded *l = plugins_find_loaded(h, culprit->name, &idx);
                if (l) { /* it cannot start any more: take it out */
                    h->plugins[idx] = h->plugins[--h->n_plugins];
                    plugins_loaded_free(l);
                }
            } else {
                plugins_audit(h, culprit->actor[0] ? culprit->actor : "camas", "load",
                              culprit->name, culprit->cand ? &culprit->cand->m : NULL, "refused",
                              summary);
                plugins_finish_action(h, culprit, false, summary);
            }
        }
        plugins_pending_free(culprit);
    } else {
        log_warn("plugins", "the plugin worker stopped (%s%s%s); restarting it", how,
                 status[0] ? ", " : "", status);
    }
    /* Everything else goes again to the new worker; replays of loaded plugins go first. */
    struct pending *keep = NULL, **tailp = &keep;
    for (struct pending *p = h->head, *next; p; p = next) {
        next = p->next;
        if (p->replay) { /* replays are re-made from the loaded list */
            plugins_pending_free(p);
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
    plugins_restart_later(h);
}

static void on_deadline(lws_sorted_usec_list_t *sul)
{
    camas_plugin_host *h = lws_container_of(sul, camas_plugin_host, deadline_timer);
    char plugin[64];
    blackbox_read(h, plugin, sizeof plugin);
    log_warn("plugins", "plugin %s did not finish within %d ms; stopping the worker",
             plugin[0] ? plugin : "(none)", h->deadline_ms);
    h->killed_for_deadline = true;
    plugins_kill_worker(h);
    /* The socket closing reports the death; make sure it happens even if lws is slow. */
    if (h->wsi)
        lws_set_timeout(h->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    else
        worker_gone(h, "hung");
}

/* The worker made progress (or got work): it has deadline_ms again before it counts as
 * hung. */
void plugins_touch_deadline(camas_plugin_host *h)
{
    if (h->n_sent)
        lws_sul_schedule(h->ctx, 0, &h->deadline_timer, on_deadline,
                         (lws_usec_t)h->deadline_ms * LWS_US_PER_MS);
    else
        lws_sul_cancel(&h->deadline_timer);
}

int plugins_spawn_worker(camas_plugin_host *h)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
        log_error("plugins", "socketpair: %s", strerror(errno));
        return -1;
    }
    /* a new worker starts with a clean black box: nothing of the last one's last call */
    memset(h->blackbox, 0, sizeof *h->blackbox);
    if (getenv("CAMAS_UNDERSTAND_TRACE"))
        log_warn("plugins", "CAMAS_UNDERSTAND_TRACE is set: the worker writes every question to "
                            "that file (a development aid; it keeps what askers wrote)");
    pid_t pid = fork();
    if (pid < 0) {
        log_error("plugins", "fork: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        /* A fresh image: nothing of the core's memory (tokens, keys) survives exec. */
        if (dup2(sv[1], CAMAS_IPC_SOCKET_FD) < 0 || dup2(h->blackbox_fd, CAMAS_IPC_BLACKBOX_FD) < 0)
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
                        "--log-format", /* the same lines on the same stderr */
                        (char *)camas_log_format_name(camas_log_get_format()),
                        "--matcher",
                        h->match_mode,
                        "--model",
                        h->model_path,
                        "--embed-cache",
                        cache >= 0 ? CAMAS_IPC_EMBED_CACHE_FD_STR : "-1",
                        NULL};
        /* Only what the worker needs: no token or key is ever in its environment. The
         * development aids pass through: CAMAS_NO_DLCLOSE (leak checkers name plugin
         * frames) and CAMAS_UNDERSTAND_TRACE=FILE (the matcher's decisions, for tuning). */
        char *envp[5], trace_env[4200];
        size_t ne = 0;
        envp[ne++] = "PATH=/usr/bin:/bin";
        envp[ne++] = "LC_ALL=C.UTF-8";
        if (getenv("CAMAS_NO_DLCLOSE"))
            envp[ne++] = "CAMAS_NO_DLCLOSE=1";
        const char *trace = getenv("CAMAS_UNDERSTAND_TRACE");
        if (trace && *trace && strlen(trace) < 4096) {
            snprintf(trace_env, sizeof trace_env, "CAMAS_UNDERSTAND_TRACE=%s", trace);
            envp[ne++] = trace_env;
        }
        envp[ne] = NULL;
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
    if (plugins_spawn_worker(h)) {
        /* Nothing can answer: do not leave askers waiting. */
        for (struct pending *p = h->head, *next; p; p = next) {
            next = p->next;
            if (p->kind == P_ASK) {
                plugins_pending_remove(h, p);
                plugins_finish_ask_failed(h, p);
                plugins_pending_free(p);
            }
        }
        plugins_restart_later(h);
    }
}

void plugins_restart_later(camas_plugin_host *h)
{
    if (h->shutting_down)
        return;
    h->restart_delay_ms = h->restart_delay_ms ? h->restart_delay_ms * 2 : RESTART_MIN_MS;
    if (h->restart_delay_ms > RESTART_MAX_MS)
        h->restart_delay_ms = RESTART_MAX_MS;
    lws_sul_schedule(h->ctx, 0, &h->restart_timer, on_restart,
                     (lws_usec_t)h->restart_delay_ms * LWS_US_PER_MS);
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
                    plugins_handle_message(h, msg);
                else
                    plugins_handle_answer(h, h->ipc_buf, frame_len);
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
