/* Snowball stemming (see text.h for the contract). Apart from text.c so that only the
 * programs that stem pull this object out of the core library and so, linked --as-needed
 * (meson's default), get libstemmer as a dependency: loading it costs about 650 KiB of
 * resident memory (10,000 relocations dirty 330 KiB of its tables), which the core, which
 * never stems, would otherwise pay. */
#include "text.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

struct camas_stemmer {
    struct sb_stemmer *en;
    struct sb_stemmer *fr;
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
        sb_stemmer_delete(st->en);
    if (st->fr)
        sb_stemmer_delete(st->fr);
    free(st);
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
    bool fr = lang && strcmp(lang, "fr") == 0;
    struct sb_stemmer **slot = fr ? &st->fr : &st->en;
    if (!*slot) {
        *slot = sb_stemmer_new(fr ? "french" : "english", "UTF_8");
        if (!*slot)
            return -1;
    }
    const sb_symbol *r = sb_stemmer_stem(*slot, (const sb_symbol *)word, (int)n);
    if (!r)
        return -1;
    int len = sb_stemmer_length(*slot);
    if (len < 0 || (size_t)len + 1 > cap)
        return -1;
    memcpy(out, r, (size_t)len);
    out[len] = '\0';
    return len;
}
