/* The plugin worker's side of the plugin ABI: the host API plugins call (replies, logs,
 * reading their knowledge folder, registering commands and entries) and the knowledge all
 * plugins share (bodies.yaml, synonyms.yaml). */
#include "log.h"
#include "reply.h"
#include "text.h"
#include "worker_internal.h"
#include "yaml_json.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int camas_worker_lang_index(const char *lang)
{
    return lang && strcmp(lang, "fr") == 0 ? 1 : 0;
}

/* ---- the host API -------------------------------------------------------------------- */

int camas_worker_reply(camas_plugin *p, const char *plain, const char *html)
{
    struct worker *w = p->w;
    if (!w->replying || !plain)
        return CAMAS_ERR_INVALID;
    if (w->reply_plain.len) {
        camas_buf_puts(&w->reply_plain, "\n\n");
    }
    if (camas_buf_puts(&w->reply_plain, plain))
        return CAMAS_ERR_NOMEM;
    char *escaped = NULL;
    if (!html) {
        /* Escape here so the core can trust formatted_body to be what the plugin meant. */
        char *body = camas_html_escape(plain);
        camas_buf e = {0};
        if (body)
            camas_buf_printf(&e, "<p>%s</p>", body);
        free(body);
        escaped = e.data;
        html = escaped ? escaped : "";
    }
    int rc = camas_buf_puts(&w->reply_html, html) ? CAMAS_ERR_NOMEM : CAMAS_OK;
    free(escaped);
    return rc;
}

__attribute__((format(printf, 3, 4))) static void host_log(camas_plugin *p, int level,
                                                           const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (level < CAMAS_PLOG_ERROR || level > CAMAS_PLOG_DEBUG)
        level = CAMAS_PLOG_INFO;
    char area[80];
    snprintf(area, sizeof area, "plugin %s", p->name);
    camas_log(level, area, "%s", line);
}

/* A knowledge path is allowed when it is the plugin's own folder or a shared file, with no
 * way to climb out ("..", absolute paths). */
static bool knowledge_allowed(const camas_plugin *p, const char *relpath)
{
    if (!relpath || !*relpath || relpath[0] == '/' || strstr(relpath, ".."))
        return false;
    if (strcmp(relpath, "bodies.yaml") == 0 || strcmp(relpath, "synonyms.yaml") == 0)
        return true;
    size_t n = strlen(p->knowledge);
    return n && strncmp(relpath, p->knowledge, n) == 0 && relpath[n] == '/';
}

static char *host_knowledge_read(camas_plugin *p, const char *relpath, size_t *len, int *err)
{
    if (!knowledge_allowed(p, relpath)) {
        if (err)
            *err = CAMAS_ERR_DENIED;
        return NULL;
    }
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", p->w->knowledge_dir, relpath);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err)
            *err = CAMAS_ERR_NOTFOUND;
        return NULL;
    }
    camas_buf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (camas_buf_append(&b, chunk, n) || b.len > (8u << 20))
            break;
    fclose(f);
    if (len)
        *len = b.len;
    if (err)
        *err = CAMAS_OK;
    return b.data ? b.data : strdup("");
}

static void record_error(camas_plugin *p, const char *msg)
{
    p->data_errors++;
    cJSON_AddItemToArray(p->errors, cJSON_CreateString(msg));
    char area[80];
    snprintf(area, sizeof area, "plugin %s", p->name);
    camas_log(CAMAS_LOG_ERROR, area, "%s", msg);
}

static struct cJSON *host_knowledge_yaml(camas_plugin *p, const char *relpath, int *err)
{
    size_t len;
    char *text = host_knowledge_read(p, relpath, &len, err);
    if (!text)
        return NULL;
    char msg[600];
    cJSON *tree = camas_yaml_parse(text, len, relpath, msg, sizeof msg);
    free(text);
    if (!tree) {
        record_error(p, msg);
        if (err)
            *err = CAMAS_ERR_DATA;
    }
    return tree;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int host_knowledge_list(camas_plugin *p, const char *suffix, char ***names)
{
    *names = NULL;
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", p->w->knowledge_dir, p->knowledge);
    DIR *d = opendir(path);
    if (!d) {
        *names = calloc(1, sizeof **names);
        return *names ? 0 : CAMAS_ERR_NOMEM;
    }
    size_t n = 0, cap = 8;
    char **list = calloc(cap + 1, sizeof *list);
    struct dirent *de;
    size_t slen = suffix ? strlen(suffix) : 0;
    while (list && (de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (de->d_name[0] == '.' || l < slen || strcmp(de->d_name + l - slen, suffix ? suffix : ""))
            continue;
        if (n == cap) {
            char **grown = realloc(list, (cap * 2 + 1) * sizeof *list);
            if (!grown)
                break;
            list = grown;
            cap *= 2;
        }
        char rel[512];
        snprintf(rel, sizeof rel, "%s/%s", p->knowledge, de->d_name);
        list[n++] = strdup(rel);
        list[n] = NULL;
    }
    closedir(d);
    if (!list)
        return CAMAS_ERR_NOMEM;
    qsort(list, n, sizeof *list, name_cmp);
    *names = list;
    return (int)n;
}

/* "knowledge/FILE:LINE: message" into msg, for knowledge_error and knowledge_warning. */
__attribute__((format(printf, 5, 0))) static void
knowledge_message(char *msg, size_t cap, const char *relpath, int line, const char *fmt, va_list ap)
{
    char what[900];
    vsnprintf(what, sizeof what, fmt, ap);
    snprintf(msg, cap, "%s/%s:%d: %s", "knowledge", relpath ? relpath : "?", line, what);
}

__attribute__((format(printf, 4, 5))) static int
host_knowledge_error(camas_plugin *p, const char *relpath, int line, const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    knowledge_message(msg, sizeof msg, relpath, line, fmt, ap);
    va_end(ap);
    record_error(p, msg);
    return CAMAS_ERR_DATA;
}

/* ABI 1.2: a problem the plugin worked around; the load goes on and the admins are told. */
__attribute__((format(printf, 4, 5))) static int
host_knowledge_warning(camas_plugin *p, const char *relpath, int line, const char *fmt, ...)
{
    if (p->initialised)
        return CAMAS_ERR_INVALID;
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    knowledge_message(msg, sizeof msg, relpath, line, fmt, ap);
    va_end(ap);
    cJSON_AddItemToArray(p->warnings, cJSON_CreateString(msg));
    char area[80];
    snprintf(area, sizeof area, "plugin %s", p->name);
    camas_log(CAMAS_LOG_WARN, area, "%s", msg);
    return CAMAS_OK;
}

static int host_line(const struct cJSON *node)
{
    return camas_yaml_line(node);
}

static void host_tree_free(struct cJSON *tree)
{
    cJSON_Delete(tree);
}

static void host_free_list(char **list)
{
    for (size_t i = 0; list && list[i]; i++)
        free(list[i]);
    free(list);
}

static bool valid_word(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return false;
    return true;
}

static int host_register_command(camas_plugin *p, const char *name, const char *usage_en,
                                 const char *usage_fr)
{
    if (!p->w || p->initialised || !valid_word(name, 32))
        return CAMAS_ERR_INVALID;
    if (!p->d->command) {
        record_error(p, "register_command: the descriptor has no command function to run it");
        return CAMAS_ERR_INVALID;
    }
    const char *en = usage_en ? usage_en : "";
    cJSON *c = camas_ipc_command_new(name, en, usage_fr ? usage_fr : en);
    if (!c || !cJSON_AddItemToArray(p->commands, c)) {
        cJSON_Delete(c);
        return CAMAS_ERR_NOMEM;
    }
    return CAMAS_OK;
}

static int host_register_entry(camas_plugin *p, const char *entry_id, const char *body_id,
                               const char *lang, const char *const *ask, size_t nask)
{
    if (p->initialised || !entry_id || !*entry_id || !lang ||
        (strcmp(lang, "en") && strcmp(lang, "fr")) || !ask || nask == 0)
        return CAMAS_ERR_INVALID;
    if (!p->d->render) {
        record_error(p, "register_entry: the descriptor has no render function to answer it");
        return CAMAS_ERR_INVALID;
    }
    if (camas_matcher_add_entry(p->w->matcher, p->owner, entry_id, body_id ? body_id : "all", lang,
                                ask, nask) ||
        camas_understand_add_entry(p->w->understand, p->owner, entry_id, body_id ? body_id : "all",
                                   lang, ask, nask))
        return CAMAS_ERR_NOMEM;
    p->w->matcher_dirty = true;
    return CAMAS_OK;
}

static int host_index_answer(camas_plugin *p, const char *entry_id, const char *lang,
                             const char *text)
{
    if (p->initialised || !entry_id || !lang || !text)
        return CAMAS_ERR_INVALID;
    if (camas_matcher_add_answer(p->w->matcher, p->owner, entry_id, lang, text))
        return CAMAS_ERR_NOTFOUND;
    if (camas_understand_add_answer(p->w->understand, p->owner, entry_id, lang, text))
        return CAMAS_ERR_NOMEM;
    p->w->matcher_dirty = true;
    return CAMAS_OK;
}

static const char *host_body_name(camas_plugin *p, const char *body_id, const char *lang,
                                  enum camas_body_name_form form)
{
    struct worker *w = p->w;
    if (form != CAMAS_BODY_NAME_FULL)
        return camas_worker_body_short(w, body_id, lang);
    for (size_t i = 0; i < w->n_bodies; i++)
        if (strcmp(w->bodies[i].id, body_id) == 0)
            return w->bodies[i].name[camas_worker_lang_index(lang)];
    return NULL;
}

/* ---- reply templates (ABI 1.1) -------------------------------------------------------- */

void camas_worker_templates_free(camas_plugin *p)
{
    for (size_t i = 0; p->tpl_specs && i < p->tpl_catalog.n; i++) {
        free((char *)p->tpl_specs[i].key);
        free((char *)p->tpl_specs[i].placeholders);
        free((char *)p->tpl_specs[i].text[0]);
        free((char *)p->tpl_specs[i].text[1]);
    }
    free(p->tpl_specs);
    free(p->tpl_file);
    camas_tpl_free(p->tpl);
    p->tpl_specs = NULL;
    p->tpl = NULL;
    p->tpl_file = NULL;
    memset(&p->tpl_catalog, 0, sizeof p->tpl_catalog);
}

/* The plugin's catalog in memory of the host's own (rule 5: no pointer into the plugin). */
static int copy_catalog(camas_plugin *p, const camas_template *catalog, size_t n)
{
    p->tpl_specs = calloc(n ? n : 1, sizeof *p->tpl_specs);
    if (!p->tpl_specs)
        return CAMAS_ERR_NOMEM;
    p->tpl_catalog.specs = p->tpl_specs;
    p->tpl_catalog.n = n;
    for (size_t i = 0; i < n; i++) {
        const camas_template *c = &catalog[i];
        camas_tpl_spec *s = &p->tpl_specs[i];
        /* a NULL stays NULL: camas_tpl_check_catalog names what is missing */
        s->key = c->key ? strdup(c->key) : NULL;
        s->placeholders = strdup(c->placeholders ? c->placeholders : "");
        s->text[0] = c->en ? strdup(c->en) : NULL;
        s->text[1] = c->fr ? strdup(c->fr) : NULL;
        if ((c->key && !s->key) || !s->placeholders || (c->en && !s->text[0]) ||
            (c->fr && !s->text[1]))
            return CAMAS_ERR_NOMEM;
    }
    return CAMAS_OK;
}

/* Is another instance of p's plugin loaded (p being its replacement, during init)? */
static bool older_instance_running(const camas_plugin *p)
{
    for (size_t i = 0; i < p->w->n_plugins; i++)
        if (p->w->plugins[i] != p && strcmp(p->w->plugins[i]->name, p->name) == 0)
            return true;
    return false;
}

static int host_templates_load(camas_plugin *p, const char *relpath, const camas_template *catalog,
                               size_t n)
{
    if (p->initialised || p->tpl_specs || !catalog || n == 0 || n > 256)
        return CAMAS_ERR_INVALID;
    if (!knowledge_allowed(p, relpath) || strcmp(relpath, "bodies.yaml") == 0 ||
        strcmp(relpath, "synonyms.yaml") == 0)
        return CAMAS_ERR_DENIED;
    char why[600], name[600];
    int rc = copy_catalog(p, catalog, n);
    if (rc == CAMAS_OK && camas_tpl_check_catalog(&p->tpl_catalog, why, sizeof why)) {
        char msg[700];
        snprintf(msg, sizeof msg, "templates_load: %s", why);
        record_error(p, msg);
        rc = CAMAS_ERR_INVALID;
    }
    snprintf(name, sizeof name, "knowledge/%s", relpath);
    if (rc == CAMAS_OK && !(p->tpl_file = malloc(strlen(name) + 16)))
        rc = CAMAS_ERR_NOMEM;
    if (rc != CAMAS_OK) {
        camas_worker_templates_free(p);
        return rc;
    }
    snprintf(p->tpl_file, strlen(name) + 16, "the shipped %s", name);
    p->tpl_catalog.keys_doc = p->tpl_file;
    p->tpl_catalog.shipped = p->tpl_file + strlen("the shipped ");
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", p->w->knowledge_dir, relpath);
    if (camas_tpl_load(&p->tpl_catalog, path, name, &p->tpl, why, sizeof why) >= 0)
        return CAMAS_OK; /* the file's texts, or none: the compiled ones */
    /* A reload keeps the running instance and its texts; a first load has no texts but the
     * compiled ones to fall back on, and answering with them beats not answering. */
    if (older_instance_running(p)) {
        record_error(p, why);
        return CAMAS_ERR_DATA;
    }
    char msg[700];
    snprintf(msg, sizeof msg, "%s (its compiled wording is used until the file is fixed)", why);
    cJSON_AddItemToArray(p->warnings, cJSON_CreateString(msg));
    char area[80];
    snprintf(area, sizeof area, "plugin %s", p->name);
    camas_log(CAMAS_LOG_ERROR, area, "%s", msg);
    return CAMAS_OK;
}

static char *host_template_fill(camas_plugin *p, const char *key, const char *lang,
                                const char *const *vars)
{
    long id = camas_tpl_find(&p->tpl_catalog, key);
    if (id < 0)
        return NULL;
    camas_buf b = {0};
    if (camas_tpl_fill(&p->tpl_catalog, p->tpl, (size_t)id, lang, vars, &b)) {
        camas_buf_free(&b);
        return NULL;
    }
    return b.data;
}

const camas_host_api camas_worker_host_api = {
    .size = sizeof(camas_host_api),
    .reply = camas_worker_reply,
    .log = host_log,
    .knowledge_read = host_knowledge_read,
    .knowledge_yaml = host_knowledge_yaml,
    .knowledge_list = host_knowledge_list,
    .knowledge_error = host_knowledge_error,
    .knowledge_warning = host_knowledge_warning,
    .line = host_line,
    .tree_free = host_tree_free,
    .free = free,
    .free_list = host_free_list,
    .register_command = host_register_command,
    .register_entry = host_register_entry,
    .body_name = host_body_name,
    .index_answer = host_index_answer,
    .templates_load = host_templates_load,
    .template_fill = host_template_fill,
};

/* ---- shared knowledge: bodies and synonyms ------------------------------------------- */

void camas_worker_bodies_free(struct body *bodies, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (int l = 0; l < 2; l++) {
            free(bodies[i].name[l]);
            free(bodies[i].short_[l]);
        }
    for (size_t i = 0; i < n; i++) {
        free(bodies[i].words);
        free(bodies[i].english[0]);
        free(bodies[i].english[1]);
    }
    free(bodies);
}

static const char *lang_str(const cJSON *obj, const char *lang)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, lang);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void base_error(struct camas_worker_shared *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void base_error(struct camas_worker_shared *w, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_error("knowledge", "%s", msg);
    cJSON_AddItemToArray(w->errors, cJSON_CreateString(msg));
}

/* Loads bodies.yaml and synonyms.yaml into the matcher. Problems are recorded, not fatal:
 * the plugins still answer, only alias expansion is poorer. */
static void loader_error(void *ud, const char *message)
{
    base_error(ud, "%s", message);
}

static void loader_group(void *ud, const char *lang, const char *const *words, size_t n)
{
    struct camas_worker_shared *w = ud;
    camas_matcher_add_synonyms(w->matcher, lang, words, n);
}

void camas_worker_load_shared(struct camas_worker_shared *w, const char *knowledge_dir)
{
    char path[8192], err[600];
    if (!w->names)
        w->names = camas_yesno_names_new();
    snprintf(path, sizeof path, "%s/bodies.yaml", knowledge_dir);
    cJSON *doc = camas_yaml_load(path, err, sizeof err);
    if (!doc) {
        base_error(w, "%s", err);
    } else {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "bodies");
        if (!cJSON_IsArray(list))
            base_error(w, "knowledge/bodies.yaml:%d: expected a list named 'bodies'",
                       camas_yaml_line(doc));
        size_t n = (size_t)cJSON_GetArraySize(list);
        w->bodies = calloc(n ? n : 1, sizeof *w->bodies);
        const cJSON *b;
        cJSON_ArrayForEach(b, list)
        {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(b, "id");
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(b, "name");
            const cJSON *shrt = cJSON_GetObjectItemCaseSensitive(b, "short");
            if (!w->bodies || !cJSON_IsString(id) || !valid_word(id->valuestring, 31)) {
                base_error(w,
                           "knowledge/bodies.yaml:%d: each body needs an 'id' (lowercase "
                           "letters, digits, dashes)",
                           camas_yaml_line(b));
                continue;
            }
            struct body *bd = &w->bodies[w->n_bodies++];
            snprintf(bd->id, sizeof bd->id, "%s", id->valuestring);
            static const char *const langs[2] = {"en", "fr"};
            /* the body's own words, which a yes/no question names and never claims: its names
             * and its one-word aliases ("taskforce", "wahsact") */
            camas_buf words = {0};
            for (int l = 0; l < 2; l++) {
                const char *nm = lang_str(name, langs[l]);
                const char *sh = lang_str(shrt, langs[l]);
                if (!nm)
                    base_error(w, "knowledge/bodies.yaml:%d: body '%s' has no name.%s",
                               camas_yaml_line(b), bd->id, langs[l]);
                bd->name[l] = camas_strdup(nm ? nm : bd->id);
                bd->short_[l] = camas_strdup(sh ? sh : nm ? nm : bd->id);
                if (nm)
                    camas_matcher_add_alias(w->matcher, langs[l], nm, bd->id);
                if (sh)
                    camas_matcher_add_alias(w->matcher, langs[l], sh, bd->id);
                const cJSON *al;
                cJSON_ArrayForEach(al,
                                   cJSON_GetObjectItemCaseSensitive(
                                       cJSON_GetObjectItemCaseSensitive(b, "aliases"), langs[l]))
                {
                    if (!cJSON_IsString(al))
                        continue;
                    camas_matcher_add_alias(w->matcher, langs[l], al->valuestring, bd->id);
                    if (!strchr(al->valuestring, ' '))
                        camas_buf_printf(&words, " %s", al->valuestring);
                }
            }
            camas_matcher_add_alias(w->matcher, "en", bd->id, bd->id);
            camas_matcher_add_alias(w->matcher, "fr", bd->id, bd->id);
            for (int l = 0; l < 2; l++)
                camas_buf_printf(&words, " %s %s", bd->name[l] ? bd->name[l] : "",
                                 bd->short_[l] ? bd->short_[l] : "");
            bd->words = camas_text_normalize_dup(camas_buf_cstr(&words));
            /* "Washington Advisory Committee on Trafficking (WashACT)": the words before the
             * parenthesis */
            const char *en_names[2] = {bd->name[0], bd->short_[0]};
            for (int k = 0; k < 2; k++) {
                char *cut = en_names[k] ? strndup(en_names[k], strcspn(en_names[k], "(")) : NULL;
                bd->english[k] = cut ? camas_text_normalize_dup(cut) : NULL;
                free(cut);
                char *e = bd->english[k];
                for (size_t el = e ? strlen(e) : 0; el && e[el - 1] == ' ';)
                    e[--el] = '\0';
            }
            camas_buf_free(&words);
        }
        camas_yesno_load_names(
            &(camas_yesno_loader){.names = w->names, .error = loader_error, .ud = w}, doc);
        cJSON_Delete(doc);
    }

    snprintf(path, sizeof path, "%s/synonyms.yaml", knowledge_dir);
    doc = camas_yaml_load(path, err, sizeof err);
    if (!doc) {
        if (access(path, F_OK) == 0)
            base_error(w, "%s", err);
        return;
    }
    camas_stemmer *st = camas_stemmer_new(); /* yes/no compares synonyms by stem */
    camas_yesno_load_synonyms(&(camas_yesno_loader){.names = w->names,
                                                    .stemmer = st,
                                                    .error = loader_error,
                                                    .group = loader_group,
                                                    .ud = w},
                              doc);
    camas_stemmer_free(st);
    cJSON_Delete(doc);
}
