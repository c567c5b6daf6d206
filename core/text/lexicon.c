/* Real-word lists (lexicon.h): every word normalised into one arena, their offsets sorted,
 * looked up by binary search (a few microseconds, no allocation). */
#include "lexicon.h"
#include "text.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct camas_lexicon {
    char *arena; /* NUL-terminated words */
    size_t len, cap;
    uint32_t *words; /* offsets into arena, sorted by word */
    size_t n, ncap;
};

/* Each word's arena entry is preceded by one byte: the list it came from (bit p for paths[p],
 * p < 4), so that the language of a word can be told ("fonction" is only French), and bit
 * p + 4 when the list writes it in lowercase, as a common word rather than a name only
 * ("Quebec" is in the English list, and says nothing of a question's language). */
#define LISTS_MAX 4

static int add_word(camas_lexicon *lx, const char *w, size_t n, unsigned list, bool common)
{
    if (lx->len + n + 2 > UINT32_MAX)
        return -1;
    if (lx->len + n + 2 > lx->cap) {
        size_t cap = lx->cap ? lx->cap * 2 : 1 << 20;
        while (cap < lx->len + n + 2)
            cap *= 2;
        char *a = realloc(lx->arena, cap);
        if (!a)
            return -1;
        lx->arena = a;
        lx->cap = cap;
    }
    if (lx->n == lx->ncap) {
        size_t cap = lx->ncap ? lx->ncap * 2 : 1 << 16;
        uint32_t *wv = realloc(lx->words, cap * sizeof *wv);
        if (!wv)
            return -1;
        lx->words = wv;
        lx->ncap = cap;
    }
    lx->arena[lx->len++] = (char)((1u << list) | (common ? 1u << (list + LISTS_MAX) : 0));
    lx->words[lx->n++] = (uint32_t)lx->len;
    memcpy(lx->arena + lx->len, w, n);
    lx->arena[lx->len + n] = '\0';
    lx->len += n + 1;
    return 0;
}

static int cmp_offsets(const void *a, const void *b, void *arena)
{
    return strcmp((const char *)arena + *(const uint32_t *)a,
                  (const char *)arena + *(const uint32_t *)b);
}

camas_lexicon *camas_lexicon_load(const char *const *paths, size_t npaths)
{
    camas_lexicon *lx = calloc(1, sizeof *lx);
    if (!lx)
        return NULL;
    char norm[3 * 256];
    char *line = NULL;
    size_t cap = 0;
    for (size_t p = 0; p < npaths; p++) {
        FILE *f = paths[p] ? fopen(paths[p], "re") : NULL;
        if (!f)
            continue;
        /* Whole lines, however long (a long one is skipped whole, not read as pieces), the
         * last one too when it has no line break. */
        ssize_t got;
        while ((got = getline(&line, &cap, f)) > 0) {
            size_t n = strcspn(line, "\r\n");
            /* empty, too long for a word, or with a NUL inside (not text) */
            if (n == 0 || n >= sizeof norm / 3 || memchr(line, '\0', (size_t)got))
                continue;
            line[n] = '\0';
            /* possessives ("trafficker's") add nothing to the word itself */
            if (n > 2 && line[n - 2] == '\'' && line[n - 1] == 's')
                continue;
            long k = camas_text_normalize(line, n, norm, sizeof norm);
            if (k <= 0 || k > CAMAS_TOKEN_MAX || strchr(norm, ' '))
                continue;
            /* a capital first letter (ASCII, or Latin-1's "É" in UTF-8): a name */
            unsigned char c0 = (unsigned char)line[0], c1 = (unsigned char)line[1];
            bool name = (c0 >= 'A' && c0 <= 'Z') || (c0 == 0xC3 && c1 >= 0x80 && c1 <= 0x9E);
            if (add_word(lx, norm, (size_t)k, (unsigned)(p < LISTS_MAX ? p : LISTS_MAX - 1),
                         !name)) {
                fclose(f);
                free(line);
                camas_lexicon_free(lx);
                return NULL;
            }
        }
        fclose(f);
    }
    free(line);
    if (lx->n == 0) {
        camas_lexicon_free(lx);
        return NULL;
    }
    qsort_r(lx->words, lx->n, sizeof *lx->words, cmp_offsets, lx->arena);
    return lx;
}

void camas_lexicon_free(camas_lexicon *lx)
{
    if (!lx)
        return;
    free(lx->arena);
    free(lx->words);
    free(lx);
}

size_t camas_lexicon_size(const camas_lexicon *lx)
{
    return lx ? lx->n : 0;
}

/* The first word entry not sorting before word (n bytes). */
static size_t lower_bound(const camas_lexicon *lx, const char *word, size_t n)
{
    size_t lo = 0, hi = lx->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *w = lx->arena + lx->words[mid];
        int c = strncmp(w, word, n);
        if (c == 0 && w[n] != '\0')
            c = 1; /* w is longer: it sorts after word */
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool entry_is(const camas_lexicon *lx, size_t i, const char *word, size_t n)
{
    const char *w = lx->arena + lx->words[i];
    return strncmp(w, word, n) == 0 && w[n] == '\0';
}

bool camas_lexicon_has(const camas_lexicon *lx, const char *word, size_t n)
{
    return camas_lexicon_lists(lx, word, n) != 0;
}

static unsigned entry_bits(const camas_lexicon *lx, const char *word, size_t n)
{
    if (!lx || n == 0 || n > CAMAS_TOKEN_MAX)
        return 0;
    unsigned bits = 0;
    for (size_t i = lower_bound(lx, word, n); i < lx->n && entry_is(lx, i, word, n); i++)
        bits |= (unsigned char)lx->arena[lx->words[i] - 1];
    return bits;
}

unsigned camas_lexicon_lists(const camas_lexicon *lx, const char *word, size_t n)
{
    return entry_bits(lx, word, n) & ((1u << LISTS_MAX) - 1);
}

unsigned camas_lexicon_common_lists(const camas_lexicon *lx, const char *word, size_t n)
{
    return entry_bits(lx, word, n) >> LISTS_MAX;
}
