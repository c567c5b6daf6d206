/* The plugin host, core side: verifies signed manifests, hands verified plugin code to the
 * worker process, supervises that worker (restarting it when a plugin crashes or hangs),
 * and routes questions to it. Everything runs as events on the libwebsockets loop. */
#ifndef CAMAS_PLUGINS_H
#define CAMAS_PLUGINS_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stdint.h>

#include "metrics.h"
#include "store.h"

typedef struct camas_plugin_host camas_plugin_host;

typedef struct camas_plugin_host_config {
    const char *worker_exe;          /* the camas-worker program */
    const char *plugins_dir;         /* NAME/manifest.json, NAME/manifest.json.minisig, NAME/lib */
    const char *knowledge_dir;       /* handed to the worker, read-only */
    const char *const *trusted_keys; /* minisign public key files */
    size_t n_trusted_keys;
    int deadline_ms;         /* a plugin call running longer is a hang */
    const char *log_level;   /* for the worker */
    const char *match_mode;  /* "hybrid", "lexical" or "dense" (NULL: hybrid) */
    const char *model_path;  /* the sentence-embedding model (NULL/absent: lexical only) */
    const char *embed_cache; /* vectors kept across restarts (NULL: none) */
} camas_plugin_host_config;

/* A question for the plugins. */
typedef struct camas_question {
    const char *text;
    const char *lang;       /* "en" | "fr": the language to answer in */
    const char *match_lang; /* the language it is written in (NULL: the same) */
    int room_kind;          /* enum camas_room_kind_abi */
    int64_t now_ms;
    const char *command; /* a plugin command name, or NULL for natural language */
    const char *args;
    /* NULL, "pick:ENTRY" (an option of camas's clarification chosen) or "prev:TEXT" (the
     * asker's previous question here, for a follow-up) */
    const char *context;
    bool patterns_fired; /* the safety patterns flagged it: the worker weighs that verdict */
    /* lang was chosen by the asker, not guessed from the text: the worker must keep it
     * (otherwise it may settle a cue-less question's language from the conversation or
     * the knowledge's vocabulary, and says which in the answer's lang) */
    bool lang_forced;
} camas_question;

typedef struct camas_host_answer {
    const char *plain;
    const char *html;
    const char *plugin; /* who answered ("" if nobody) */
    const char *entry;
    const char *lang;
    double confidence;
    bool abstained;         /* nothing confident enough: the text is the honest fallback */
    bool failed;            /* the plugin crashed or hung: the text is an apology */
    int danger;             /* camas_safety_level: 0 none, 1 footer, 2 hotline first */
    bool clarify;           /* the text offers options; entry lists them, one per line */
    bool bilingual;         /* no cue to the asker's language: the text is in both, lang's first */
    const char *understood; /* the question as understood (a follow-up with its context) */
} camas_host_answer;

typedef void (*camas_answer_cb)(void *ud, const camas_host_answer *a);
/* Completion of an admin action: ok and a one-line human summary. */
typedef void (*camas_action_cb)(void *ud, bool ok, const char *summary);
/* Something admins should hear about (a plugin crashed, a load was refused...). */
typedef void (*camas_alert_cb)(void *ud, const char *text);

/* st may be NULL (no audit log, as in `camas ask`). */
camas_plugin_host *camas_plugin_host_new(struct lws_context *ctx,
                                         const camas_plugin_host_config *cfg, camas_store *st,
                                         camas_alert_cb alert, void *alert_ud);
void camas_plugin_host_free(camas_plugin_host *h);

/* True once the worker's model has embedded the knowledge (or there is no model): answers
 * from then on use semantic matching. Before, they are lexical only (never a wait). */
bool camas_plugin_host_understanding_ready(const camas_plugin_host *h);

/* Starts the worker and loads every plugin found in plugins_dir; done runs once all
 * initial loads have finished (each refusal is alerted and audited). */
int camas_plugin_host_start(camas_plugin_host *h, camas_action_cb done, void *ud);
/* True when no initial load is still under way (also before camas_plugin_host_start). */
bool camas_plugin_host_loads_done(const camas_plugin_host *h);

/* Asks the plugins. cb runs exactly once, later on the loop (never inside this call). */
int camas_plugin_host_ask(camas_plugin_host *h, const camas_question *q, camas_answer_cb cb,
                          void *ud);

/* Admin actions, audited with actor. name "all" reloads every plugin. force allows a
 * downgrade. */
int camas_plugin_host_load(camas_plugin_host *h, const char *name, const char *actor, bool force,
                           camas_action_cb cb, void *ud);
int camas_plugin_host_unload(camas_plugin_host *h, const char *name, const char *actor,
                             camas_action_cb cb, void *ud);

/* Reloads the knowledge: bodies.yaml and synonyms.yaml first, then every plugin (each reads
 * its own folder in init). Each part is swapped in only if it loads cleanly; errors (with
 * file and line) are alerted and reported through cb, and the previous version keeps
 * answering. */
int camas_plugin_host_reload_knowledge(camas_plugin_host *h, const char *actor, camas_action_cb cb,
                                       void *ud);

/* The texts the core sends (knowledge/messages, as last loaded cleanly); NULL for the
 * compiled defaults (also when h is NULL). Read again by camas_plugin_host_reload_knowledge. */
struct camas_messages;
const struct camas_messages *camas_plugin_host_messages(const camas_plugin_host *h);

/* One line per loaded plugin (name, version, sha256 prefix, rooms, commands); malloc'd. */
char *camas_plugin_host_describe(const camas_plugin_host *h);
/* Whether a loaded plugin registered !name. */
bool camas_plugin_host_has_command(const camas_plugin_host *h, const char *name);
/* Usage lines of plugin commands for !help in lang; malloc'd. In a help room, commands of
 * plugins limited to staff rooms are left out. */
char *camas_plugin_host_help(const camas_plugin_host *h, const char *lang, bool help_room);

/* Verifies one plugin directory without loading it (for `camas check`). Returns 0 or -1
 * with "NAME: step: reason" in err. */
int camas_plugin_verify_dir(const camas_plugin_host_config *cfg, const char *name, char *err,
                            size_t errlen);

/* Metrics and status. The host counts worker restarts, plugin loads and refusals, knowledge
 * reloads and worker time into m (the core's; NULL: not counted). */
void camas_plugin_host_set_metrics(camas_plugin_host *h, camas_metrics *m);
/* True while the worker runs and has said it is ready; uptime_ms (may be NULL) gets how long
 * it has been. h may be NULL (no plugins: false). */
bool camas_plugin_host_worker_alive(const camas_plugin_host *h, int64_t *uptime_ms);
size_t camas_plugin_host_n_plugins(const camas_plugin_host *h);
/* "DIGEST (load N, at TIME, from DIR)": a digest of the knowledge files as last loaded. */
void camas_plugin_host_knowledge_version(const camas_plugin_host *h, char *out, size_t outlen);

/* The lws protocol for the worker socket; list it in the context's protocols. */
extern const struct lws_protocols camas_worker_protocol;

#endif
