/* Private to the plugin host (plugins.c, plugins_worker.c, plugins_queue.c): the loaded
 * plugins, the pending requests, the host's state and the functions the files share. */
#ifndef CAMAS_PLUGINS_INTERNAL_H
#define CAMAS_PLUGINS_INTERNAL_H

#include "plugins.h"
#include "ipc.h"
#include "log.h"
#include "manifest.h"
#include "messages.h"
#include "metrics.h"
#include "minisign.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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
    int64_t sent_ms; /* P_ASK: when it last went to the worker (monotonic) */
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
    /* P_SHARED: why the core refused knowledge/messages (NULL: it took them) */
    char *messages_error;
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

    camas_metrics *metrics;    /* the core's counters (NULL: not counted) */
    int64_t worker_started_ms; /* monotonic; when the running worker said it was ready */
    bool worker_ever_ready;
    unsigned knowledge_generation; /* 1 once first loaded, +1 per successful reload */
    int64_t knowledge_loaded_ms;   /* wall clock */
    char knowledge_digest[17];     /* BLAKE2b of the knowledge files, 16 hex digits */
    camas_messages *messages;      /* the core's texts (NULL: the compiled defaults) */
};

/* plugins.c: helpers and the verified load */
void plugins_alertf(camas_plugin_host *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void plugins_audit(camas_plugin_host *h, const char *actor, const char *action, const char *name,
                   const camas_manifest *m, const char *result, const char *detail);
void plugins_loaded_free(struct loaded *l);
struct loaded *plugins_find_loaded(const camas_plugin_host *h, const char *name, size_t *idx);
/* Verifies and queues a load; failures are reported through cb at once. */
int plugins_queue_load(camas_plugin_host *h, const char *name, const char *actor, bool force,
                       camas_action_cb cb, void *ud);

/* The knowledge was (re)loaded: a new version (digest, generation, time). */
void plugins_knowledge_loaded(camas_plugin_host *h, bool reload);

/* plugins_worker.c: the worker process */
void plugins_kill_worker(camas_plugin_host *h);
/* The worker made progress (or got work): it has deadline_ms again before it counts as
 * hung. */
void plugins_touch_deadline(camas_plugin_host *h);
int plugins_spawn_worker(camas_plugin_host *h);
void plugins_restart_later(camas_plugin_host *h);

/* plugins_queue.c: pending requests and the worker's answers */
void plugins_pending_free(struct pending *p);
void plugins_pending_remove(camas_plugin_host *h, struct pending *p);
void plugins_pending_push(camas_plugin_host *h, struct pending *p, bool front);
/* Answers come back in order, so this usually stops at the head. */
struct pending *plugins_pending_find(camas_plugin_host *h, int64_t id);
void plugins_finish_ask_failed(camas_plugin_host *h, struct pending *p);
void plugins_finish_action(camas_plugin_host *h, struct pending *p, bool ok, const char *summary);
struct pending *plugins_new_pending(camas_plugin_host *h, enum pending_kind kind);
void plugins_flush(camas_plugin_host *h);
/* Sends at the end of this turn of the event loop rather than now, so questions routed
 * from one /sync batch (or one benchmark burst) reach the worker together. */
void plugins_flush_soon(camas_plugin_host *h);
/* An answer frame from the worker. */
void plugins_handle_answer(camas_plugin_host *h, const char *buf, size_t len);
/* A JSON message from the worker. */
void plugins_handle_message(camas_plugin_host *h, cJSON *msg);

#endif
