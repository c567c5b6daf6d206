/* The template engine shared by camas's own texts and the plugins': checks a YAML file of
 * "key: {en, fr}" against a catalog, and fills named placeholders. A text is data, never a
 * format string: placeholders are named ({body}) and filled here, and each key may only use
 * the ones its catalog entry allows. */
#include "templates.h"
#include "util.h"
#include "yaml_json.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct camas_tpl {
    size_t n;
    char *(*text)[2]; /* n pairs: [0] English, [1] French; NULL where the default applies */
};

static int lang_index(const char *lang)
{
    return lang && strcmp(lang, "fr") == 0;
}

long camas_tpl_find(const camas_tpl_catalog *c, const char *key)
{
    for (size_t i = 0; key && i < c->n; i++)
        if (strcmp(c->specs[i].key, key) == 0)
            return (long)i;
    return -1;
}

const char *camas_tpl_get(const camas_tpl_catalog *c, const camas_tpl *t, size_t id,
                          const char *lang)
{
    if (id >= c->n)
        return "";
    int fr = c->specs[id].flags & CAMAS_TPL_ONE ? 0 : lang_index(lang);
    const char *s = t && id < t->n ? t->text[id][fr] : NULL;
    return s ? s : c->specs[id].text[fr];
}

void camas_tpl_free(camas_tpl *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        for (int k = 0; k < 2; k++)
            free(t->text[i][k]);
    free(t->text);
    free(t);
}

static camas_tpl *tpl_new(size_t n)
{
    camas_tpl *t = calloc(1, sizeof *t);
    if (t && !(t->text = calloc(n ? n : 1, sizeof *t->text))) {
        free(t);
        return NULL;
    }
    if (t)
        t->n = n;
    return t;
}

camas_tpl *camas_tpl_dup(const camas_tpl *t)
{
    camas_tpl *d = t ? tpl_new(t->n) : NULL;
    for (size_t i = 0; d && i < t->n; i++)
        for (int k = 0; k < 2; k++)
            if (t->text[i][k] && !(d->text[i][k] = strdup(t->text[i][k]))) {
                camas_tpl_free(d);
                return NULL;
            }
    return d;
}

/* ---- placeholders --------------------------------------------------------------------- */

/* The placeholder at p ('{' followed by a name and '}'): its name's length, or 0 when p does
 * not start one. */
static size_t placeholder_len(const char *p)
{
    size_t n = 0;
    while ((p[1 + n] >= 'a' && p[1 + n] <= 'z') || p[1 + n] == '_')
        n++;
    return n > 0 && n <= 32 && p[1 + n] == '}' ? n : 0;
}

/* Is name (n bytes) one of the space-separated names in allowed? */
static bool allowed_name(const char *allowed, const char *name, size_t n)
{
    for (const char *a = allowed; *a;) {
        size_t al = strcspn(a, " ");
        if (al == n && strncmp(a, name, n) == 0)
            return true;
        a += al;
        while (*a == ' ')
            a++;
    }
    return false;
}

int camas_tpl_fill(const camas_tpl_catalog *c, const camas_tpl *tpl, size_t id, const char *lang,
                   const char *const *vars, camas_buf *out)
{
    const char *t = camas_tpl_get(c, tpl, id, lang);
    int rc = 0;
    while (*t && rc == 0) {
        size_t lit = strcspn(t, "{");
        rc |= camas_buf_append(out, t, lit);
        t += lit;
        if (!*t)
            break;
        size_t n = placeholder_len(t);
        if (t[1] == '{' || n == 0) { /* "{{", or a brace that starts no placeholder */
            rc |= camas_buf_append(out, "{", 1);
            t += t[1] == '{' ? 2 : 1;
            continue;
        }
        for (const char *const *v = vars; v && v[0] && v[1]; v += 2)
            if (strlen(v[0]) == n && strncmp(v[0], t + 1, n) == 0) {
                rc |= camas_buf_puts(out, v[1]);
                break;
            }
        t += n + 2;
    }
    /* even an empty result leaves out holding a C string */
    camas_buf_cstr(out);
    return rc || !out->data ? -1 : 0;
}

/* ---- validation ----------------------------------------------------------------------- */

struct load {
    const camas_tpl_catalog *c;
    const char *name;
    char *err;
    size_t errlen;
};

static int fail(struct load *l, const cJSON *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct load *l, const cJSON *node, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(l->err, l->errlen, "%s:%d: %s", l->name, node ? camas_yaml_key_line(node) : 1, what);
    return -1;
}

/* Length of the valid UTF-8 sequence at s, or 0 (overlong forms, surrogates and code
 * points past U+10FFFF are invalid). */
static size_t utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xc2 && s[0] <= 0xdf   ? 2
               : s[0] >= 0xe0 && s[0] <= 0xef ? 3
               : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                              : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
        return 0;
    return n;
}

/* One text of one message: well-formed, placeholders allowed, the hotline kept. */
/* One text of one key (node: where it is in the file, NULL for a compiled default). */
static int check_text(struct load *l, const cJSON *node, const char *t, const camas_tpl_spec *s,
                      const char *lang)
{
    size_t len = strlen(t);
    if (len > CAMAS_MESSAGE_MAX)
        return fail(l, node, "'%s'%s is %zu bytes long; at most %d", s->key, lang, len,
                    CAMAS_MESSAGE_MAX);
    if (strspn(t, " \t\n") == len)
        return fail(l, node, "'%s'%s is empty; expected the text camas sends", s->key, lang);
    for (const unsigned char *p = (const unsigned char *)t; *p;) {
        size_t n = utf8_len(p);
        if (n == 0)
            return fail(l, node, "'%s'%s is not valid UTF-8 (byte %zu); save the file as UTF-8",
                        s->key, lang, (size_t)(p - (const unsigned char *)t) + 1);
        if (n == 1 && *p < 0x20 && *p != '\n' && *p != '\t')
            return fail(l, node, "'%s'%s contains a control character (byte %zu)", s->key, lang,
                        (size_t)(p - (const unsigned char *)t) + 1);
        p += n;
    }
    const char *allowed = s->placeholders ? s->placeholders : "";
    for (const char *p = strchr(t, '{'); p; p = strchr(p, '{')) {
        if (p[1] == '{') {
            p += 2;
            continue;
        }
        size_t n = placeholder_len(p);
        if (n == 0)
            return fail(l, node,
                        "'%s'%s: a '{' must start a placeholder such as {command} (write {{ for "
                        "a brace)",
                        s->key, lang);
        if (!allowed_name(allowed, p + 1, n)) {
            if (!*allowed)
                return fail(l, node, "'%s'%s: unknown placeholder {%.*s}; this message takes none",
                            s->key, lang, (int)n, p + 1);
            return fail(l, node, "'%s'%s: unknown placeholder {%.*s}; this message allows {%s}",
                        s->key, lang, (int)n, p + 1, allowed);
        }
        p += n + 2;
    }
    if (s->flags & CAMAS_TPL_HOTLINE) {
        const char *need[] = {CAMAS_HOTLINE_PHONE, CAMAS_HOTLINE_SMS, CAMAS_EMERGENCY};
        for (size_t i = 0; i < 3; i++)
            if (!strstr(t, need[i]))
                return fail(l, node,
                            "'%s'%s must give the hotline " CAMAS_HOTLINE_PHONE
                            ", its text number " CAMAS_HOTLINE_SMS " and " CAMAS_EMERGENCY
                            "; %s is missing",
                            s->key, lang, need[i]);
    }
    return 0;
}

static const char *node_kind(const cJSON *n)
{
    return cJSON_IsString(n) ? "a text" : cJSON_IsArray(n) ? "a list" : "a mapping";
}

/* One key of the file into t. */
static int load_one(struct load *l, const cJSON *item, camas_tpl *t)
{
    long found = camas_tpl_find(l->c, item->string);
    if (found < 0)
        return fail(l, item, "unknown message '%s'; expected one of the keys listed in %s",
                    item->string, l->c->keys_doc);
    size_t id = (size_t)found;
    const camas_tpl_spec *s = &l->c->specs[id];
    if (t->text[id][0])
        return fail(l, item, "'%s' is given twice", s->key);
    if (s->flags & CAMAS_TPL_ONE) {
        if (!cJSON_IsString(item))
            return fail(l, item,
                        "'%s': expected one text (camas sends it without knowing the reader's "
                        "language), found %s",
                        s->key, node_kind(item));
        if (check_text(l, item, item->valuestring, s, ""))
            return -1;
        t->text[id][0] = strdup(item->valuestring);
        return t->text[id][0] ? 0 : fail(l, item, "out of memory");
    }
    if (!cJSON_IsObject(item))
        return fail(l, item, "'%s': expected 'en' and 'fr' texts, found %s", s->key,
                    node_kind(item));
    static const char *const langs[2] = {"en", "fr"};
    const cJSON *sub;
    cJSON_ArrayForEach(sub, item)
    {
        if (strcmp(sub->string, "en") && strcmp(sub->string, "fr"))
            return fail(l, sub, "'%s': unknown language '%s'; expected 'en' and 'fr'", s->key,
                        sub->string);
    }
    for (int k = 0; k < 2; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, langs[k]);
        char where[8];
        snprintf(where, sizeof where, " (%s)", langs[k]);
        if (!v)
            return fail(l, item, "'%s' has no '%s' text; expected both 'en' and 'fr'", s->key,
                        langs[k]);
        if (!cJSON_IsString(v))
            return fail(l, v, "'%s'%s: expected a text, found %s", s->key, where, node_kind(v));
        if (check_text(l, v, v->valuestring, s, where))
            return -1;
        t->text[id][k] = strdup(v->valuestring);
        if (!t->text[id][k])
            return fail(l, v, "out of memory");
    }
    return 0;
}

int camas_tpl_parse(const camas_tpl_catalog *c, const char *text, size_t len, const char *name,
                    camas_tpl **out, char *err, size_t errlen)
{
    *out = NULL;
    struct load l = {c, name, err, errlen};
    cJSON *doc = camas_yaml_parse(text, len, name, err, errlen);
    if (!doc)
        return -1;
    camas_tpl *t = tpl_new(c->n);
    int rc = t ? 0 : fail(&l, doc, "out of memory");
    if (rc == 0 && !cJSON_IsObject(doc))
        rc = fail(&l, doc, "expected a mapping of message keys (%s: …), found %s",
                  c->n ? c->specs[0].key : "key", node_kind(doc));
    const cJSON *item;
    if (rc == 0)
        cJSON_ArrayForEach(item, doc)
        {
            if ((rc = load_one(&l, item, t)) != 0)
                break;
        }
    for (size_t id = 0; rc == 0 && id < c->n; id++)
        if (!t->text[id][0])
            rc = fail(&l, doc,
                      "'%s' is missing; every message must be given (copy it from the shipped "
                      "%s)",
                      c->specs[id].key, c->shipped);
    cJSON_Delete(doc);
    if (rc) {
        camas_tpl_free(t);
        return -1;
    }
    *out = t;
    return 1;
}

int camas_tpl_load(const camas_tpl_catalog *c, const char *path, const char *name, camas_tpl **out,
                   char *err, size_t errlen)
{
    *out = NULL;
    if (errlen)
        err[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f && errno == ENOENT)
        return 0;
    if (!f) {
        snprintf(err, errlen, "%s:1: cannot open: %s", name, strerror(errno));
        return -1;
    }
    camas_buf b = {0};
    char chunk[8192];
    size_t got;
    int rc = 0;
    while (rc == 0 && (got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        rc = camas_buf_append(&b, chunk, got);
        if (b.len > 256 * 1024) {
            snprintf(err, errlen, "%s:1: larger than 256 KiB; this is not a messages file", name);
            rc = -1;
        }
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "%s:1: cannot read", name);
        rc = -1;
    } else if (rc && !err[0]) {
        snprintf(err, errlen, "%s: out of memory", name);
    }
    fclose(f);
    if (rc == 0)
        rc = camas_tpl_parse(c, b.data ? b.data : "", b.len, name, out, err, errlen) < 0 ? -1 : 1;
    camas_buf_free(&b);
    return rc;
}

/* A key as plugins may name them: lowercase letters, digits, '.', '_' and '-'. */
static bool valid_key(const char *k)
{
    size_t n = k ? strlen(k) : 0;
    if (n == 0 || n > 64)
        return false;
    for (; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || strchr("._-", *k)))
            return false;
    return true;
}

int camas_tpl_check_catalog(const camas_tpl_catalog *c, char *err, size_t errlen)
{
    struct load l = {c, "the compiled templates", err, errlen};
    for (size_t i = 0; i < c->n; i++) {
        const camas_tpl_spec *s = &c->specs[i];
        if (!valid_key(s->key)) {
            snprintf(err, errlen,
                     "template %zu: a key of lowercase letters, digits, '.', '_' "
                     "and '-' is required",
                     i + 1);
            return -1;
        }
        if (camas_tpl_find(c, s->key) != (long)i) {
            snprintf(err, errlen, "template '%s' is listed twice", s->key);
            return -1;
        }
        for (const char *a = s->placeholders ? s->placeholders : ""; *a; a++)
            if (!((*a >= 'a' && *a <= 'z') || *a == '_' || *a == ' ')) {
                snprintf(err, errlen,
                         "template '%s': placeholder names are lowercase letters "
                         "and '_', separated by spaces",
                         s->key);
                return -1;
            }
        for (int k = 0; k < (s->flags & CAMAS_TPL_ONE ? 1 : 2); k++) {
            if (!s->text[k]) {
                snprintf(err, errlen, "template '%s' has no compiled %s text", s->key,
                         k ? "French" : "English");
                return -1;
            }
            if (check_text(&l, NULL, s->text[k], s, k ? " (fr)" : " (en)"))
                return -1;
        }
    }
    return 0;
}
