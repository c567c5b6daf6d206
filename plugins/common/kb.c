/* Entries of a plugin's knowledge folder: validation with file:line errors, registration
 * with the host's matcher, and plain-text-to-HTML rendering of answers. */
#include "kb.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const langs[2] = {"en", "fr"};

int kb_lang(const char *lang)
{
    return lang && strcmp(lang, "fr") == 0 ? 1 : 0;
}

const char *kb_str(const cJSON *obj, const char *key, int lang)
{
    const cJSON *v = key ? cJSON_GetObjectItemCaseSensitive(obj, key) : obj;
    if (cJSON_IsString(v))
        return v->valuestring;
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(v, langs[lang]);
    return cJSON_IsString(l) ? l->valuestring : NULL;
}

static bool valid_id(const char *s)
{
    if (!s || !*s || strlen(s) > 64)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    return true;
}

const kb_entry *kb_find(const kb *k, const char *id)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->entries[i].id, id) == 0)
            return &k->entries[i];
    return NULL;
}

static int load_entry(kb *k, camas_plugin *p, const camas_host_api *host, const char *file,
                      const cJSON *e)
{
    int line = host->line(e);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(e, "body");
    const cJSON *topic = cJSON_GetObjectItemCaseSensitive(e, "topic");
    const cJSON *ask = cJSON_GetObjectItemCaseSensitive(e, "ask");
    const cJSON *answer = cJSON_GetObjectItemCaseSensitive(e, "answer");
    if (!cJSON_IsObject(e))
        return host->knowledge_error(p, file, line,
                                     "each entry must be a set of fields "
                                     "(id, body, ask, answer)");
    if (!cJSON_IsString(id) || !valid_id(id->valuestring))
        return host->knowledge_error(p, file, line,
                                     "entry needs an 'id' of lowercase letters, "
                                     "digits and dashes");
    if (kb_find(k, id->valuestring))
        return host->knowledge_error(p, file, host->line(id), "entry id '%s' is used twice",
                                     id->valuestring);
    if (!cJSON_IsString(body))
        return host->knowledge_error(p, file, line,
                                     "entry '%s' needs a 'body' (task-force, "
                                     "washact, csec or all)",
                                     id->valuestring);
    if (!host->body_name(p, body->valuestring, "en", CAMAS_BODY_NAME_SHORT) &&
        strcmp(body->valuestring, "all"))
        return host->knowledge_error(p, file, host->line(body),
                                     "entry '%s': unknown body '%s' (see bodies.yaml)",
                                     id->valuestring, body->valuestring);
    for (int l = 0; l < 2; l++) {
        const cJSON *qs = cJSON_GetObjectItemCaseSensitive(ask, langs[l]);
        if (!cJSON_IsArray(qs) || cJSON_GetArraySize(qs) == 0)
            return host->knowledge_error(p, file, host->line(ask ? ask : e),
                                         "entry '%s' needs ask.%s: a list of example questions",
                                         id->valuestring, langs[l]);
        const char *a = kb_str(answer, langs[l], 0);
        if (!a || !*a)
            return host->knowledge_error(p, file, host->line(answer ? answer : e),
                                         "entry '%s' needs answer.%s", id->valuestring, langs[l]);
    }
    kb_entry *grown = realloc(k->entries, (k->n + 1) * sizeof *grown);
    if (!grown)
        return CAMAS_ERR_NOMEM;
    k->entries = grown;
    kb_entry *ke = &k->entries[k->n];
    memset(ke, 0, sizeof *ke);
    ke->id = strdup(id->valuestring);
    ke->body = strdup(body->valuestring);
    ke->topic = strdup(cJSON_IsString(topic) ? topic->valuestring : "");
    for (int l = 0; l < 2; l++)
        ke->answer[l] = strdup(kb_str(answer, langs[l], 0));
    k->n++;
    for (int l = 0; l < 2; l++) {
        const cJSON *qs = cJSON_GetObjectItemCaseSensitive(ask, langs[l]);
        size_t n = (size_t)cJSON_GetArraySize(qs), j = 0;
        const char **texts = calloc(n, sizeof *texts);
        if (!texts)
            return CAMAS_ERR_NOMEM;
        const cJSON *q;
        cJSON_ArrayForEach(q, qs)
        {
            if (!cJSON_IsString(q)) {
                free(texts);
                return host->knowledge_error(p, file, host->line(q),
                                             "entry '%s': ask.%s must list plain text", ke->id,
                                             langs[l]);
            }
            texts[j++] = q->valuestring;
        }
        int rc = host->register_entry(p, ke->id, ke->body, langs[l], texts, j);
        free(texts);
        /* index_answer arrived with the first ABI; guard by size all the same. */
        if (rc == 0 &&
            host->size >= offsetof(camas_host_api, index_answer) + sizeof host->index_answer)
            rc = host->index_answer(p, ke->id, langs[l], ke->answer[l]);
        if (rc)
            return rc;
    }
    return 0;
}

int kb_load(kb *k, camas_plugin *p, const camas_host_api *host)
{
    memset(k, 0, sizeof *k);
    char **names = NULL;
    int n = host->knowledge_list(p, ".yaml", &names);
    if (n < 0)
        return n;
    int rc = 0;
    k->docs = calloc((size_t)n + 1, sizeof *k->docs);
    k->doc_names = calloc((size_t)n + 1, sizeof *k->doc_names);
    if (!k->docs || !k->doc_names) {
        host->free_list(names);
        return CAMAS_ERR_NOMEM;
    }
    for (int i = 0; i < n; i++) {
        const char *base = strrchr(names[i], '/');
        if (strcmp(base ? base + 1 : names[i], KB_MESSAGES_FILE) == 0)
            continue; /* the reply templates: host->templates_load reads them */
        int err = 0;
        cJSON *doc = host->knowledge_yaml(p, names[i], &err);
        if (!doc) {
            rc = CAMAS_ERR_DATA; /* already reported with file and line */
            continue;
        }
        k->docs[k->n_docs] = doc;
        k->doc_names[k->n_docs++] = strdup(names[i]);
        if (!cJSON_IsObject(doc)) {
            rc = host->knowledge_error(p, names[i], host->line(doc),
                                       "expected sections such as 'entries:'");
            continue;
        }
        cJSON *entries = cJSON_GetObjectItemCaseSensitive(doc, "entries");
        if (entries && !cJSON_IsArray(entries)) {
            rc = host->knowledge_error(p, names[i], host->line(entries),
                                       "'entries' must be a list (each item starts with '- ')");
            continue;
        }
        cJSON *e;
        cJSON_ArrayForEach(e, entries)
        {
            int r = load_entry(k, p, host, names[i], e);
            if (r) {
                rc = r;
                continue;
            }
            /* load_entry copied these (the answers into k, the questions into the host's
             * matcher): the tree, which the plugin may keep for its own sections, need not
             * hold the bulk of the file a second time. */
            cJSON_DeleteItemFromObjectCaseSensitive(e, "ask");
            cJSON_DeleteItemFromObjectCaseSensitive(e, "answer");
        }
    }
    host->free_list(names);
    return rc;
}

void kb_drop_docs(kb *k, const camas_host_api *host)
{
    for (size_t i = 0; i < k->n_docs; i++) {
        host->tree_free(k->docs[i]);
        free(k->doc_names[i]);
    }
    free(k->docs);
    free(k->doc_names);
    k->docs = NULL;
    k->doc_names = NULL;
    k->n_docs = 0;
}

void kb_free(kb *k, const camas_host_api *host)
{
    for (size_t i = 0; i < k->n; i++) {
        free(k->entries[i].id);
        free(k->entries[i].body);
        free(k->entries[i].topic);
        free(k->entries[i].answer[0]);
        free(k->entries[i].answer[1]);
    }
    free(k->entries);
    kb_drop_docs(k, host);
    memset(k, 0, sizeof *k);
}

struct sbuf {
    char *d;
    size_t len, cap;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->d, cap);
        if (!d)
            return;
        b->d = d;
        b->cap = cap;
    }
    memcpy(b->d + b->len, s, n);
    b->len += n;
    b->d[b->len] = '\0';
}

static void sb_esc(struct sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '<':
            sb_put(b, "&lt;", 4);
            break;
        case '>':
            sb_put(b, "&gt;", 4);
            break;
        case '&':
            sb_put(b, "&amp;", 5);
            break;
        case '"':
            sb_put(b, "&quot;", 6);
            break;
        default:
            sb_put(b, s + i, 1);
        }
    }
}

int kb_reply_text(camas_plugin *p, const camas_host_api *host, const char *text)
{
    struct sbuf html = {0};
    bool in_list = false, in_para = false;
    const char *line = text;
    while (*line) {
        size_t n = strcspn(line, "\n");
        const char *next = line + n + (line[n] == '\n');
        size_t lead = 0;
        while (lead < n && line[lead] == ' ')
            lead++;
        bool blank = lead == n;
        bool item = n - lead >= 2 && line[lead] == '-' && line[lead + 1] == ' ';
        if (blank || item) {
            if (in_para)
                sb_put(&html, "</p>", 4);
            in_para = false;
        }
        if (!item && in_list) {
            sb_put(&html, "</ul>", 5);
            in_list = false;
        }
        if (item) {
            if (!in_list)
                sb_put(&html, "<ul>", 4);
            in_list = true;
            sb_put(&html, "<li>", 4);
            sb_esc(&html, line + lead + 2, n - lead - 2);
            sb_put(&html, "</li>", 5);
        } else if (!blank) {
            if (!in_para)
                sb_put(&html, "<p>", 3);
            else
                sb_put(&html, "<br>", 4);
            in_para = true;
            sb_esc(&html, line, n);
        }
        line = next;
    }
    if (in_para)
        sb_put(&html, "</p>", 4);
    if (in_list)
        sb_put(&html, "</ul>", 5);
    /* The plain body: the text itself, without trailing blank lines. */
    size_t len = strlen(text);
    while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
        len--;
    char *plain = strndup(text, len);
    int rc = plain && html.d ? host->reply(p, plain, html.d) : CAMAS_ERR_NOMEM;
    free(plain);
    free(html.d);
    return rc;
}

char *kb_fold(const char *s)
{
    /* Two-byte UTF-8 Latin-1 letters fold to their base letter; enough for names. */
    static const char *const from[] = {"à", "â", "ä", "é", "è", "ê", "ë", "î", "ï", "ô",
                                       "ö", "ù", "û", "ü", "ç", "É", "È", "À", "Ç", "’"};
    static const char to[] = "aaaeeeeiioouuuceeac'";
    size_t n = strlen(s);
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    while (*s) {
        if ((unsigned char)*s < 0x80) { /* ASCII, nearly every byte: no table to scan */
            char c = *s++;
            *o++ = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
            continue;
        }
        bool done = false;
        for (size_t i = 0; i < sizeof from / sizeof from[0]; i++) {
            size_t fl = strlen(from[i]);
            if (strncmp(s, from[i], fl) == 0) {
                *o++ = to[i];
                s += fl;
                done = true;
                break;
            }
        }
        if (!done) {
            char c = *s++;
            *o++ = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        }
    }
    *o = '\0';
    return out;
}

int kb_templates(camas_plugin *p, const camas_host_api *host, const char *folder,
                 const camas_template *catalog, size_t n)
{
    char rel[128];
    snprintf(rel, sizeof rel, "%s/%s", folder, KB_MESSAGES_FILE);
    return host->templates_load(p, rel, catalog, n);
}

char *kb_fill(camas_plugin *p, const camas_host_api *host, const char *key, const char *lang,
              const char *const *vars)
{
    return host->template_fill(p, key, lang, vars);
}

int kb_say(camas_plugin *p, const camas_host_api *host, const char *key, const char *lang,
           const char *const *vars, bool list)
{
    char *text = kb_fill(p, host, key, lang, vars);
    if (!text)
        return CAMAS_ERR_NOMEM;
    int rc = list ? kb_reply_text(p, host, text) : host->reply(p, text, NULL);
    host->free(text);
    return rc;
}
