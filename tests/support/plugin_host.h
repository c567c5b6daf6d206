/* Stand-ins for host API members, for tests that run a plugin outside the worker: lists
 * freed, commands, entries and indexed answers accepted and dropped, and templates_load /
 * template_fill (ABI 1.1) giving the plugin's compiled texts through the host's template
 * engine, with no file. stand_in_host is the whole table; the program including this defines
 * the members that differ between tests (h_reply, h_log, h_read, h_yaml, h_list, h_error,
 * h_warning, h_body_name). Included by one .c file per program (its definitions are static). */
#ifndef CAMAS_TEST_PLUGIN_HOST_H
#define CAMAS_TEST_PLUGIN_HOST_H

#include "templates.h"
#include "util.h"
#include "yaml_json.h"

#include <camas/plugin.h>
#include <stdlib.h>

static void h_free_list(char **list)
{
    for (size_t i = 0; list && list[i]; i++)
        free(list[i]);
    free(list);
}

static int h_command(camas_plugin *p, const char *name, const char *en, const char *fr)
{
    (void)p, (void)name, (void)en, (void)fr;
    return 0;
}

static int h_entry(camas_plugin *p, const char *id, const char *body, const char *lang,
                   const char *const *ask, size_t n)
{
    (void)p, (void)id, (void)body, (void)lang, (void)ask, (void)n;
    return 0;
}

static int h_index(camas_plugin *p, const char *id, const char *lang, const char *text)
{
    (void)p, (void)id, (void)lang, (void)text;
    return 0;
}

/* The plugin's templates through the host's engine, with the compiled texts (no file). */
static camas_tpl_spec tpl_specs[64];
static camas_tpl_catalog tpl_catalog = {tpl_specs, 0, "", ""};

static int h_templates_load(camas_plugin *p, const char *rel, const camas_template *catalog,
                            size_t n)
{
    (void)p, (void)rel;
    if (n > sizeof tpl_specs / sizeof *tpl_specs)
        return CAMAS_ERR_INVALID;
    for (size_t i = 0; i < n; i++)
        tpl_specs[i] = (camas_tpl_spec){catalog[i].key,
                                        catalog[i].placeholders ? catalog[i].placeholders : "",
                                        0,
                                        {catalog[i].en, catalog[i].fr}};
    tpl_catalog.n = n;
    return 0;
}

static char *h_template_fill(camas_plugin *p, const char *key, const char *lang,
                             const char *const *vars)
{
    (void)p;
    long id = camas_tpl_find(&tpl_catalog, key);
    camas_buf b = {0};
    if (id < 0 || camas_tpl_fill(&tpl_catalog, NULL, (size_t)id, lang, vars, &b)) {
        camas_buf_free(&b);
        return NULL;
    }
    return b.data;
}

static int h_reply(camas_plugin *p, const char *plain, const char *html);
static void h_log(camas_plugin *p, int level, const char *fmt, ...);
static char *h_read(camas_plugin *p, const char *rel, size_t *len, int *err);
static cJSON *h_yaml(camas_plugin *p, const char *rel, int *err);
static int h_list(camas_plugin *p, const char *suffix, char ***names);
static int h_error(camas_plugin *p, const char *rel, int line, const char *fmt, ...);
static int h_warning(camas_plugin *p, const char *rel, int line, const char *fmt, ...);
static const char *h_body_name(camas_plugin *p, const char *body, const char *lang,
                               enum camas_body_name_form form);

static const camas_host_api stand_in_host = {
    .size = sizeof(camas_host_api),
    .reply = h_reply,
    .log = h_log,
    .knowledge_read = h_read,
    .knowledge_yaml = h_yaml,
    .knowledge_list = h_list,
    .knowledge_error = h_error,
    .line = camas_yaml_line,
    .tree_free = cJSON_Delete,
    .free = free,
    .free_list = h_free_list,
    .register_command = h_command,
    .register_entry = h_entry,
    .body_name = h_body_name,
    .index_answer = h_index,
    .templates_load = h_templates_load,
    .template_fill = h_template_fill,
    .knowledge_warning = h_warning,
};

#endif
