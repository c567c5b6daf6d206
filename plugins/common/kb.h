/* Shared helper compiled into each shipped plugin: loads the "entries" of the plugin's
 * knowledge folder, registers them for question matching, and renders their answers. */
#ifndef CAMAS_PLUGIN_KB_H
#define CAMAS_PLUGIN_KB_H

#include <camas/plugin.h>
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct kb_entry {
    char *id;
    char *body;
    char *topic;
    char *answer[2]; /* en, fr */
} kb_entry;

typedef struct kb {
    kb_entry *entries;
    size_t n;
    cJSON **docs; /* every parsed file, for plugin-specific sections */
    char **doc_names;
    size_t n_docs;
} kb;

int kb_lang(const char *lang); /* 0 en, 1 fr */

/* Reads every *.yaml of the plugin's folder, validates and registers its entries. Errors
 * are reported through host->knowledge_error (file:line); returns 0 or CAMAS_ERR_DATA. */
int kb_load(kb *k, camas_plugin *p, const camas_host_api *host);
void kb_free(kb *k, const camas_host_api *host);
/* Frees the parsed files (docs, doc_names), for a plugin that needs only the entries after
 * kb_load: the trees are several times the size of the YAML and would stay in the worker's
 * memory for the plugin's life. */
void kb_drop_docs(kb *k, const camas_host_api *host);
const kb_entry *kb_find(const kb *k, const char *id);

/* Replies with text: blank lines separate paragraphs, "- " lines become a list. */
int kb_reply_text(camas_plugin *p, const camas_host_api *host, const char *text);

/* The plugin's reply templates live in this file of its folder; kb_load skips it. */
#define KB_MESSAGES_FILE "messages.yaml"
/* Loads FOLDER/messages.yaml over the compiled catalog (host->templates_load). */
int kb_templates(camas_plugin *p, const camas_host_api *host, const char *folder,
                 const camas_template *catalog, size_t n);
/* Template key filled for lang (vars: name, value pairs ending with NULL); the caller frees
 * it with host->free. NULL only for a key not in the catalog or out of memory. */
char *kb_fill(camas_plugin *p, const camas_host_api *host, const char *key, const char *lang,
              const char *const *vars);
/* Replies with template key (as plain text, or through kb_reply_text when list is true). */
int kb_say(camas_plugin *p, const camas_host_api *host, const char *key, const char *lang,
           const char *const *vars, bool list);

/* Lowercase ASCII copy with common French accents folded, for simple name lookups. */
char *kb_fold(const char *s);

/* A localized string {en, fr} from a YAML mapping, or NULL. */
const char *kb_str(const cJSON *obj, const char *key, int lang);

#endif
