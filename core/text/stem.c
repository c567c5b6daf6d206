/* Snowball stemming (see text.h for the contract), English and French only.
 *
 * Linked from Debian's static libstemmer.a, calling the two languages' modules directly
 * instead of libstemmer's sb_stemmer_new(): the shared library (and its sb_stemmer_new
 * table) carries all 29 languages, and loading it relocates every language's tables (10,840
 * relocations, 330 KiB of dirtied pages plus 250 KiB of relocation records read), about
 * 700 KiB of the worker's resident memory for two languages used. Linked statically, only
 * the English and French modules and Snowball's small runtime come in (some 30 KiB). The
 * cost: a libstemmer security update needs camas rebuilt, as for any static library.
 *
 * Debian installs only libstemmer.h (the sb_stemmer API), so the runtime's declarations are
 * repeated here from Snowball's runtime/api.h and the generated stem_UTF_8_*.h: the module
 * functions, SN_set_current, and the leading fields of struct SN_env (the current string p
 * and its length l), unchanged since Snowball's first C runtime. tests/unit/test_match.c
 * checks the stems.
 *
 * Apart from text.c so that the core, which never stems, does not link any of this. */
#include "text.h"

#include <stdlib.h>
#include <string.h>

typedef unsigned char symbol;
struct SN_env {
    symbol *p; /* the word being stemmed, then its stem (not NUL-terminated) */
    int c;
    int l; /* length of p */
    /* further fields: the runtime's own */
};
int SN_set_current(struct SN_env *z, int size, const symbol *s);
struct SN_env *english_UTF_8_create_env(void);
void english_UTF_8_close_env(struct SN_env *z);
int english_UTF_8_stem(struct SN_env *z);
struct SN_env *french_UTF_8_create_env(void);
void french_UTF_8_close_env(struct SN_env *z);
int french_UTF_8_stem(struct SN_env *z);

struct camas_stemmer {
    struct SN_env *en;
    struct SN_env *fr;
};

camas_stemmer *camas_stemmer_new(void)
{
    return calloc(1, sizeof(camas_stemmer));
}

void camas_stemmer_free(camas_stemmer *st)
{
    if (!st)
        return;
    if (st->en)
        english_UTF_8_close_env(st->en);
    if (st->fr)
        french_UTF_8_close_env(st->fr);
    free(st);
}

/* Snowball gives a law and the people who make laws one stem ("legislation" and
 * "legislators" are both "legisl", "législation" and "législateurs" both "législ"): a
 * question about the task force's legislators then matches what the law says. The people
 * get a stem of their own. */
static bool legislator(const char *word)
{
    const char *p = strstr(word, "gislat");
    return p && (strncmp(p + 6, "or", 2) == 0 || strncmp(p + 6, "eur", 3) == 0 ||
                 strncmp(p + 6, "rice", 4) == 0);
}

int camas_stem(camas_stemmer *st, const char *lang, const char *word, char *out, size_t cap)
{
    if (!st || !word || !out || cap == 0)
        return -1;
    size_t n = strlen(word);
    bool plain = n <= 2;
    for (size_t i = 0; i < n && !plain; i++)
        if ((word[i] >= '0' && word[i] <= '9') || word[i] == '@' || word[i] == '.')
            plain = true;
    if (plain) {
        if (n + 1 > cap)
            return -1;
        memcpy(out, word, n + 1);
        return (int)n;
    }
    if (legislator(word)) {
        static const char people[] = "legislator";
        if (sizeof people > cap)
            return -1;
        memcpy(out, people, sizeof people);
        return (int)sizeof people - 1;
    }
    bool fr = lang && strcmp(lang, "fr") == 0;
    struct SN_env **slot = fr ? &st->fr : &st->en;
    if (!*slot) {
        *slot = fr ? french_UTF_8_create_env() : english_UTF_8_create_env();
        if (!*slot)
            return -1;
    }
    /* What sb_stemmer_stem does: set the word, run the module, read p[0..l). */
    if (SN_set_current(*slot, (int)n, (const symbol *)word))
        return -1;
    if ((fr ? french_UTF_8_stem(*slot) : english_UTF_8_stem(*slot)) < 0)
        return -1;
    int len = (*slot)->l;
    if (len < 0 || (size_t)len + 1 > cap)
        return -1;
    memcpy(out, (*slot)->p, (size_t)len);
    out[len] = '\0';
    return len;
}
