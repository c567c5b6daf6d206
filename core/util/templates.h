/* Reply templates staff can edit: a catalog of keys (each with the placeholders it allows and
 * compiled English and French defaults) checked against a YAML file of "key: {en, fr}".
 * camas's own texts (messages.c) and each plugin's (the host API's templates_load, in the
 * worker) share this one parser and renderer. A file that does not load cleanly is refused
 * whole with "FILE:LINE: what was expected"; the caller keeps its last good set. */
#ifndef CAMAS_TEMPLATES_H
#define CAMAS_TEMPLATES_H

#include <stddef.h>

enum {
    CAMAS_TPL_HOTLINE = 1, /* must name the hotline, its text number and 911 */
    CAMAS_TPL_ONE = 2,     /* sent without knowing the reader's language: one text, not en/fr */
};

/* Texts that must keep the hotline, its text number and 911, whatever staff write. */
#define CAMAS_HOTLINE_PHONE "1-888-373-7888"
#define CAMAS_HOTLINE_SMS   "233733"
#define CAMAS_EMERGENCY     "911"
/* The longest text a template may have, in bytes. */
#define CAMAS_MESSAGE_MAX 2000

typedef struct camas_tpl_spec {
    const char *key;
    const char *placeholders; /* allowed names, space separated ("" none) */
    int flags;
    const char *text[2]; /* [0] English, [1] French (NULL for CAMAS_TPL_ONE) */
} camas_tpl_spec;

typedef struct camas_tpl_catalog {
    const camas_tpl_spec *specs;
    size_t n;
    const char *keys_doc; /* where the keys are listed, for "unknown key" errors */
    const char *shipped;  /* the shipped file, for "missing key" errors */
} camas_tpl_catalog;

/* A loaded set: the file's texts, immutable once loaded. NULL means the compiled defaults. */
typedef struct camas_tpl camas_tpl;

/* Checks the file's bytes (called name in errors) against c. 1 with *out set, or -1 with
 * "NAME:LINE: what was expected" in err. */
int camas_tpl_parse(const camas_tpl_catalog *c, const char *text, size_t len, const char *name,
                    camas_tpl **out, char *err, size_t errlen);
/* Reads path (at most 256 KiB) and parses it as above. 1, 0 with *out NULL when the file does
 * not exist, or -1. */
int camas_tpl_load(const camas_tpl_catalog *c, const char *path, const char *name, camas_tpl **out,
                   char *err, size_t errlen);
void camas_tpl_free(camas_tpl *t);
/* The same texts in a new set (for a plugin reloaded with an unchanged file), or NULL. */
camas_tpl *camas_tpl_dup(const camas_tpl *t);

/* Checks the compiled defaults of a catalog a plugin hands over (keys, placeholders, both
 * languages): 0, or -1 with the reason in err. */
int camas_tpl_check_catalog(const camas_tpl_catalog *c, char *err, size_t errlen);

/* The index of key in c, or -1. */
long camas_tpl_find(const camas_tpl_catalog *c, const char *key);
/* The text of id in lang ("fr" for French, anything else English) from t, or the compiled
 * default when t is NULL. Never NULL. */
const char *camas_tpl_get(const camas_tpl_catalog *c, const camas_tpl *t, size_t id,
                          const char *lang);
/* Appends the text of id to out with each {name} replaced by its value: vars holds name,
 * value pairs and ends with NULL. A placeholder without a value becomes empty (the loader
 * refuses placeholders a key does not allow, so only a caller's mistake gets here); "{{" is a
 * literal "{". Returns 0, or -1 when memory ran out. */
struct camas_buf;
int camas_tpl_fill(const camas_tpl_catalog *c, const camas_tpl *t, size_t id, const char *lang,
                   const char *const *vars, struct camas_buf *out);

#endif
