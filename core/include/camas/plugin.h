/* camas plugin ABI: the one header a plugin author needs.
 *
 * Rules (chosen after reading how Janus, Redis modules, mosquitto v5, WeeChat and
 * libwebsockets version and expose their plugin APIs):
 *
 * 1. One exported symbol. A plugin exports exactly `camas_plugin_entry`, a function returning
 *    a pointer to a constant camas_plugin_descriptor. Nothing else is looked up, and the core
 *    exports no symbols for plugins to call (plugins are loaded RTLD_NOW | RTLD_LOCAL).
 * 2. Version check before anything runs. The descriptor starts with a magic number, the ABI
 *    major/minor it was built against and its own size. The host accepts a plugin only when
 *    the magic matches, major == CAMAS_PLUGIN_ABI_MAJOR and minor <= the host's minor; no
 *    plugin function is called before that check (Janus checks an integer version, lws a
 *    magic; WeeChat an exact string, which is too strict for additive changes).
 * 3. Host services come as a table handed to init (Janus, WeeChat), never as global symbols
 *    (mosquitto). The table starts with its size and only ever grows at the end: a plugin
 *    built for minor N may use a member only if `host->size` covers it. Every call takes the
 *    plugin handle, so the host always knows who called.
 * 4. Everything a plugin registers (commands, answerable entries) is recorded with its owner,
 *    so unloading removes all of it in one pass (Redis, WeeChat); teardown frees only the
 *    plugin's own memory.
 * 5. Strings passed to the host are copied by the host before the call returns; the host
 *    keeps no pointer into the plugin's memory, so the library can be closed safely.
 *    Strings and trees the host returns are owned by the plugin and freed with host->free /
 *    host->tree_free, as documented on each call.
 * 6. Plugins run in camas's worker process, never in the process holding the Matrix
 *    connection, tokens and keys. The worker has no network and cannot exec; a plugin that
 *    crashes or runs past its deadline gets the worker restarted and the question answered
 *    with an apology. Plugin calls must not block: no sleeping, no network, bounded work.
 * 7. Return codes: 0 success, negative failure (CAMAS_ERR_*), as documented per call.
 * 8. Every member below says whether it is REQUIRED or OPTIONAL and what happens when it is
 *    absent (NULL). All host members are always present in a host whose `size` covers them;
 *    the table of ABI 1.0 has every member up to index_answer, ABI 1.1 adds templates_load
 *    and template_fill, ABI 1.2 knowledge_warning.
 *
 * The guide for plugin authors, with a complete example, is docs/plugins.md.
 */
#ifndef CAMAS_PLUGIN_H
#define CAMAS_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CAMAS_PLUGIN_MAGIC     0x43414d53u /* "CAMS" */
#define CAMAS_PLUGIN_ABI_MAJOR 1
#define CAMAS_PLUGIN_ABI_MINOR 2

enum camas_err {
    CAMAS_OK = 0,
    CAMAS_ERR_INVALID = -1,  /* bad argument */
    CAMAS_ERR_NOMEM = -2,    /* out of memory */
    CAMAS_ERR_DENIED = -3,   /* outside what the manifest allows */
    CAMAS_ERR_NOTFOUND = -4, /* no such file, entry or command */
    CAMAS_ERR_DATA = -5,     /* knowledge file malformed (already reported with file:line) */
};

/* Which name of a body host->body_name returns. An int-sized enum: passing 0 or 1, as
 * plugins built before it had a name did, means the same. */
enum camas_body_name_form {
    CAMAS_BODY_NAME_SHORT = 0, /* "the Task Force": the short name, for running text */
    CAMAS_BODY_NAME_FULL = 1,  /* "the Washington State Task Force Against ...": the full name */
};

/* The kind of room a message came from. */
enum camas_room_kind_abi {
    CAMAS_ROOMKIND_STAFF = 0,
    CAMAS_ROOMKIND_HELP = 1,
    CAMAS_ROOMKIND_DIRECT = 2,
};

enum camas_log_level_abi {
    CAMAS_PLOG_ERROR = 0,
    CAMAS_PLOG_WARN = 1,
    CAMAS_PLOG_INFO = 2,
    CAMAS_PLOG_DEBUG = 3,
};

/* The host's record of one loaded plugin; opaque to the plugin. */
typedef struct camas_plugin camas_plugin;

/* A cJSON tree (from <cjson/cJSON.h>); plugins that read knowledge link libcjson. */
struct cJSON;

/* One reply template a plugin may say (ABI 1.1): a key of its choosing, the placeholders the
 * text may use and the compiled English and French texts, which are the fallback when the
 * plugin's messages file is missing. Staff override the texts in the file (host->templates_load);
 * the plugin fills them with host->template_fill. */
typedef struct camas_template {
    const char *key;          /* lowercase letters, digits, '.', '_' and '-' ("next.none") */
    const char *placeholders; /* the names {name} may use, space separated ("body when"; ""
                                 or NULL for none) */
    const char *en;           /* the compiled English text */
    const char *fr;           /* the compiled French text */
} camas_template;

/* A question being answered, as the plugin sees it. Valid during the call only. */
typedef struct camas_request {
    const char *text; /* the question, without any leading mention of the bot */
    const char *lang; /* "en" or "fr": answer in this language */
    int room_kind;    /* enum camas_room_kind_abi */
    int64_t now_ms;   /* the clock to use (Unix ms); fixed by `camas ask --now` */
    const char *args; /* for commands: the text after the command word, else "" */
} camas_request;

/* The host's services, handed to init. The plugin may keep the pointer: the table lives as
 * long as the plugin is loaded. Every member is present (never NULL) in a host whose size
 * covers it; a plugin using a member appended after its own ABI minor checks size first. */
typedef struct camas_host_api {
    uint32_t size; /* sizeof(camas_host_api) in the host; members are only ever appended */

    /* Answers the current request (only valid inside render/command; elsewhere
     * CAMAS_ERR_INVALID). plain is required; html may be NULL (camas escapes plain then).
     * Calling it twice appends a paragraph. Returns 0 or CAMAS_ERR_*. A render or command
     * that returns 0 without calling reply has not answered: camas falls back as if no
     * plugin knew. */
    int (*reply)(camas_plugin *p, const char *plain, const char *html);

    /* Logs one line, attributed to the plugin. level is enum camas_log_level_abi. */
    void (*log)(camas_plugin *p, int level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

    /* Reads a knowledge file. relpath is relative to knowledge/ and must lie in the plugin's
     * own folder or be bodies.yaml / synonyms.yaml. Returns a NUL-terminated buffer the
     * plugin frees with host->free, or NULL (CAMAS_ERR_DENIED / NOTFOUND in *err). */
    char *(*knowledge_read)(camas_plugin *p, const char *relpath, size_t *len, int *err);

    /* Parses a YAML knowledge file into a cJSON tree (mappings -> objects, sequences ->
     * arrays, scalars -> strings; host->line gives a node's source line). Syntax errors are
     * reported by the host with file and line. Free with host->tree_free. */
    struct cJSON *(*knowledge_yaml)(camas_plugin *p, const char *relpath, int *err);

    /* Lists files of the plugin's folder ending in suffix (e.g. ".yaml"), sorted. Returns a
     * count and a NULL-terminated array freed with host->free_list, or a negative error. */
    int (*knowledge_list)(camas_plugin *p, const char *suffix, char ***names);

    /* Reports a problem in knowledge data: "FILE:LINE: message". Returns CAMAS_ERR_DATA so
     * it can be returned directly. A plugin whose init reports errors is not swapped in. */
    int (*knowledge_error)(camas_plugin *p, const char *relpath, int line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

    /* The line in its YAML file where a node of a knowledge_yaml tree starts (0 for NULL);
     * for knowledge_error messages. Only for nodes of knowledge_yaml trees. */
    int (*line)(const struct cJSON *node);
    /* Frees a tree from knowledge_yaml (NULL is fine). Use this, not cJSON_Delete: the
     * tree was allocated by the host's cJSON. */
    void (*tree_free)(struct cJSON *tree);
    /* Frees a buffer from knowledge_read (NULL is fine). */
    void (*free)(void *ptr);
    /* Frees a list from knowledge_list: every name and the array (NULL is fine). */
    void (*free_list)(char **list);

    /* Registers a command ("!name"; name in lowercase letters, digits, dashes and
     * underscores, at most 32); usage texts are shown by !help (usage_fr NULL: usage_en in
     * both languages). Only during init. The command must be listed in the manifest's
     * "commands" (otherwise the load is refused) and the descriptor must have a command
     * function (otherwise this fails and so does the load). Returns 0 or
     * CAMAS_ERR_INVALID. */
    int (*register_command)(camas_plugin *p, const char *name, const char *usage_en,
                            const char *usage_fr);

    /* Registers an answerable entry for the shared question matcher. ask holds example
     * phrasings in lang ("en" or "fr"); body_id names the body it is about ("all" or NULL for
     * none). When the matcher picks the entry, the host calls render(entry_id). Only during
     * init; the descriptor must have a render function (otherwise this fails and so does
     * the load). Returns 0, CAMAS_ERR_INVALID or CAMAS_ERR_NOMEM. */
    int (*register_entry)(camas_plugin *p, const char *entry_id, const char *body_id,
                          const char *lang, const char *const *ask, size_t nask);

    /* The body's display name in lang, from knowledge/bodies.yaml: the short or the full
     * one (enum camas_body_name_form), or NULL for an unknown body_id (which makes it a
     * cheap validity check). The string belongs to the host and is valid during the
     * current call (init, render, command): copy it to keep it. */
    const char *(*body_name)(camas_plugin *p, const char *body_id, const char *lang,
                             enum camas_body_name_form form);

    /* Optionally indexes an entry's answer text (lang) at a low weight, so a question using
     * the answer's own words ("who is Richard Torrance?") finds it. Only during init; the
     * entry must have been registered in that language first (else CAMAS_ERR_NOTFOUND). */
    int (*index_answer)(camas_plugin *p, const char *entry_id, const char *lang, const char *text);

    /* ABI 1.1. Present when host->size covers it (always, for a plugin built for 1.1: an older
     * host refuses such a plugin). A plugin built for 1.0 that finds it absent keeps using its
     * own compiled texts.
     *
     * Loads the plugin's reply templates: catalog lists every key (n of them, copied) with its
     * compiled texts; relpath is the plugin's messages file ("meetings/messages.yaml", in its
     * own folder), where staff may override each key's "en" and "fr" texts. Only during init,
     * once. A missing file means the compiled texts. A malformed file (bad YAML, an unknown or
     * missing key, a placeholder the key does not allow, invalid UTF-8) is reported as
     * "FILE:LINE: ..." to the admins; when an older instance of the plugin is running (a
     * knowledge reload) the load is then refused, like any knowledge error, so that instance
     * keeps answering with its last good texts (CAMAS_ERR_DATA); on a first load the plugin
     * loads with its compiled texts instead (0). Returns 0, CAMAS_ERR_DATA, CAMAS_ERR_DENIED
     * (relpath outside the folder), or CAMAS_ERR_INVALID (not during init, called twice, or a
     * catalog whose own texts break those rules; reported). */
    int (*templates_load)(camas_plugin *p, const char *relpath, const camas_template *catalog,
                          size_t n);
    /* The text of key in lang ("en" or "fr") with each {name} replaced: vars holds name, value
     * pairs and ends with NULL (a placeholder without a value becomes empty; "{{" is a literal
     * "{"). Returns a string the plugin frees with host->free, or NULL for a key not in the
     * catalog (or out of memory). Usable in init, render and command. */
    char *(*template_fill)(camas_plugin *p, const char *key, const char *lang,
                           const char *const *vars);

    /* ABI 1.2. Present when host->size covers it (check with offsetof before calling: a
     * plugin built for 1.2 may still want to load in a 1.1 host; see docs/plugins.md).
     *
     * Reports a problem in knowledge data that the plugin worked around, so the load goes on:
     * "FILE:LINE: message" reaches the admins (an alert, and `camas check` counts it as a
     * problem) and the log, like knowledge_error, but the plugin is swapped in all the same
     * (for example a calendar event whose recurrence rule is refused, left out while the
     * calendar's other events serve). Only during init; returns 0, or CAMAS_ERR_INVALID
     * outside init. */
    int (*knowledge_warning)(camas_plugin *p, const char *relpath, int line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
} camas_host_api;

typedef struct camas_plugin_descriptor {
    /* The header: fill it with CAMAS_PLUGIN_DESCRIPTOR_HEADER. REQUIRED: a wrong magic,
     * another major, a newer minor than the host's or a smaller size refuses the load. */
    uint32_t magic;     /* CAMAS_PLUGIN_MAGIC */
    uint16_t abi_major; /* CAMAS_PLUGIN_ABI_MAJOR */
    uint16_t abi_minor; /* CAMAS_PLUGIN_ABI_MINOR */
    uint32_t size;      /* sizeof(camas_plugin_descriptor) */
    /* REQUIRED: must equal the manifest's name (NULL or another name refuses the load). */
    const char *name;
    /* OPTIONAL (informative; the manifest's version is the one camas uses and audits). */
    const char *version;

    /* REQUIRED (NULL refuses the load). Reads knowledge and registers commands and entries.
     * *state is the plugin's own pointer (NULL before init), passed back to every call.
     * Returns 0, or a negative error: the host then calls teardown and discards everything
     * the plugin registered. A knowledge_error reported during init also refuses the load. */
    int (*init)(camas_plugin *p, const camas_host_api *host, void **state);
    /* OPTIONAL (NULL: nothing to free). Frees the plugin's state; called once after init,
     * whether init succeeded or not. Registrations are removed by the host. */
    void (*teardown)(camas_plugin *p, void *state);
    /* OPTIONAL (NULL: the plugin cannot register entries; register_entry fails). Answers
     * req with the registered entry entry_id by calling host->reply; returns 0, or a
     * negative error (camas then answers as if no plugin knew). */
    int (*render)(camas_plugin *p, void *state, const char *entry_id, const camas_request *req);
    /* OPTIONAL (NULL: the plugin cannot register commands; register_command fails). Runs
     * the registered command name for req (req->args holds the rest of the line); calls
     * host->reply and returns 0, or a negative error. */
    int (*command)(camas_plugin *p, void *state, const char *name, const camas_request *req);
} camas_plugin_descriptor;

/* The one symbol a plugin exports (visible even when the plugin builds with
 * -fvisibility=hidden, which keeps everything else private). */
#define CAMAS_PLUGIN_ENTRY_SYMBOL "camas_plugin_entry"
__attribute__((visibility("default"))) const camas_plugin_descriptor *camas_plugin_entry(void);

/* Convenience for plugin authors: fills the version fields. */
#define CAMAS_PLUGIN_DESCRIPTOR_HEADER                                                             \
    .magic = CAMAS_PLUGIN_MAGIC, .abi_major = CAMAS_PLUGIN_ABI_MAJOR,                              \
    .abi_minor = CAMAS_PLUGIN_ABI_MINOR, .size = sizeof(camas_plugin_descriptor)

#ifdef __cplusplus
}
#endif

#endif
