/* Private to the lexical matcher (match.c, match_text.c, match_build.c, match_query.c): the
 * scoring knobs, the raw input, the built index, and the helpers the files share. */
#ifndef CAMAS_MATCH_INTERNAL_H
#define CAMAS_MATCH_INTERNAL_H

#include "match.h"

#include "strmap.h"
#include "text.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Scoring knobs (tuned on tests/fixtures/questions.yaml). */
#define SYN_FACTOR      0.85f /* a synonym of the question's word */
#define TYPO_FACTOR     0.80f /* a vocabulary word one or two typos away */
#define ANSWER_FACTOR   0.40f /* word found only in the answer text, not in any phrasing */
#define QWORD_FACTOR    0.50f /* who/what/quand...: some signal, never decisive */
#define UNKNOWN_FACTOR  0.85f /* unknown word: weight relative to the rarest known word */
#define BODY_WEIGHT     1.50f /* a named body, in coverage */
#define BODY_ALL_MATCH  0.50f /* an "all bodies" entry, for a question naming one body */
#define DICE_BONUS      0.50  /* ranking: coverage + DICE_BONUS * best-phrasing Dice */
#define COVER_SHARE     0.60  /* confidence: COVER_SHARE * coverage + rest * Dice */
#define TIE_START       0.90  /* second best within this ratio of the best: ambiguous */
#define TIE_DROP        0.40  /* confidence lost at an exact tie */
#define TYPO_WEIGHT     0.70  /* a corrected word weighs at least this much of an unknown */
#define UNKNOWN_PENALTY 0.70  /* confidence kept per unknown word: the knowledge lacks it */
#define TYPO_PENALTY    0.85  /* confidence kept per corrected word: it was a guess */
#define SHORT_UNKNOWN   0.25  /* unknown words of 1-3 letters: mostly typos of small words */
#define TOPIC_DROP      0.60  /* confidence lost to a missing word that defines a topic */

#define NLANG        2 /* 0 = en, 1 = fr */
#define MAX_QTOK     64
#define MAX_PHRASE   8
#define MAX_BODIES_Q 8

/* ---------------------------------------------------------------------------------------
 * Raw input, kept so that every build starts from scratch. */

typedef struct raw_syn {
    int lang;
    char **words;
    size_t n;
} raw_syn;

typedef struct raw_alias {
    char *phrase;
    char *body;
} raw_alias;

typedef struct raw_entry {
    uint32_t owner;
    int lang;
    char *id;
    char *body; /* NULL = all */
    /* The example questions and the answer (NULL = none), kept only in normalised form:
     * that is all a build reads, and the original texts would double the memory. */
    char **texts;
    size_t ntexts;
    char *answer;
    /* Each text's analysis, made by the first build that sees the text and kept (see
     * struct analysis); NULL until then. */
    struct analysis **an;
    struct analysis *an_answer;
} raw_entry;

/* What one text (a phrasing or an answer) brings to a build, in a form that does not depend
 * on the build's numbering of terms: normalising, tokenising, stemming and folding phrases
 * is nearly all the cost of a build, and its result depends only on the text, its language
 * and the synonyms and aliases. So each text is analysed once and every later build (a
 * plugin reload rebuilds the whole index) replays the analysis, which gives the very index
 * a build from scratch would. Duplicates within the text are dropped: a build ignores
 * them. */
typedef struct analysis {
    uint32_t nitems;
    uint32_t nsurf;
    uint32_t *items; /* AN_BODY | body index, AN_BASE | synonym term id, or a term key's offset
                        in keys ("t<l>|stem") */
    uint32_t *surf;  /* per surface word: the offsets of its "s<l>|word" and "S<l>|stem" keys */
    char *keys;
} analysis;

#define AN_BODY 0x80000000u
#define AN_BASE 0x40000000u

/* The part of every build that depends only on the synonyms and aliases, made once (until
 * either changes) and copied into each build: synonym terms (ids 0..nterms-1 in every
 * build), phrase and surface keys, and which groups each synonym term belongs to. */
typedef struct base {
    bool made;
    camas_strmap map;
    size_t nterms;
    uint32_t **group_terms; /* per synonym group: member term ids */
    size_t *group_n;
    size_t ngroups;
    uint32_t **term_groups; /* per synonym term: the groups containing it */
    size_t *term_ngroups;
} base_t;

/* A removed entry's text and its analysis, kept until the next build in case the text
 * comes back: a reloading plugin removes its entries and adds them again, mostly
 * unchanged. */
typedef struct pooled {
    char *text;
    analysis *an;
    uint32_t hash;
    int lang;
} pooled;

/* ---------------------------------------------------------------------------------------
 * The built index. */

typedef struct posting {
    uint32_t doc;
    uint32_t phr;
} posting;

typedef struct term_info {
    uint32_t ask_off, ask_n; /* into ix->ask */
    uint32_t ans_off, ans_n; /* into ix->ans */
    uint32_t alt_off, alt_n; /* synonyms, into ix->alts */
    uint32_t df[NLANG];      /* documents of each language containing it */
    float topical;           /* largest share of one document's phrasings that use it */
} term_info;

typedef struct doc_info {
    uint32_t entry; /* index into raw entries */
    uint32_t phr_off, phr_n;
    int32_t body; /* body index, -1 = all */
    uint8_t lang;
    uint32_t bodies_mentioned; /* bit i: phrasing mentions body i (first 32 bodies) */
} doc_info;

typedef struct surface {
    const char *word; /* into the surface map's arena */
    uint32_t len;
    uint32_t mask; /* letters a-z present */
    uint32_t count;
} surface;

/* Value tags in the phrase map ("p" keys). */
#define PH_BODY 0x80000000u

typedef struct scratch {
    pthread_mutex_t lock;
    camas_stemmer *stem;
    uint32_t gen;
    uint32_t *dstamp, *dcstamp, *pstamp, *pcstamp;
    float *dscore, *dbest, *pscore, *pbest;
    uint32_t *touched, *ctouched, *ptouched;
} scratch;

typedef struct index {
    camas_strmap map; /* t<l>|stem -> term id; p<l>|stems -> phrase; r<l>|stems -> prefix;
                   s<l>|surface -> stem offset in map arena */
    term_info *terms;
    size_t nterms;
    posting *ask;
    size_t nask;
    uint32_t *ans;
    size_t nans;
    uint32_t *alts;
    size_t nalts;
    doc_info *docs;
    size_t ndocs;
    float *phr_w;      /* per phrasing: sum of idf of its distinct non-body terms */
    uint8_t *phr_body; /* per phrasing: 1 when it names a body */
    size_t nphr;
    uint32_t ndocs_lang[NLANG];
    float idf_max[NLANG];
    surface *surf[NLANG]; /* sorted by length */
    size_t nsurf[NLANG];
    size_t surf_by_len[NLANG][CAMAS_TOKEN_MAX + 2]; /* first index with len >= i */
    char **bodies;
    size_t nbodies;
    uint32_t **body_docs; /* per body: its documents */
    size_t *body_ndocs;
    scratch *sc;
} index_t;

struct camas_matcher {
    raw_syn *syns;
    size_t nsyns;
    raw_alias *aliases;
    size_t naliases;
    raw_entry *entries;
    size_t nentries;
    char **bodies; /* interned body ids (grows, never shrinks) */
    size_t nbodies;
    index_t *ix; /* current build, or NULL */
    camas_stemmer *build_stem;
    base_t base;
    pooled *pool; /* emptied by each build */
    size_t npool, cappool;
};

static inline int lang_idx(const char *lang)
{
    return lang && strcmp(lang, "fr") == 0 ? 1 : 0;
}

static inline const char *lang_name(int l)
{
    return l ? "fr" : "en";
}

/* ---------------------------------------------------------------------------------------
 * Growable arrays */

static inline int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 16;
    while (nc < need)
        nc *= 2;
    void *np = realloc(*p, nc * elem);
    if (!np)
        return -1;
    *p = np;
    *cap = nc;
    return 0;
}

static inline uint32_t text_hash(int lang, const char *text)
{
    return camas_strmap_hash(text, strlen(text)) ^ (uint32_t)lang * 0x9e3779b9u;
}

/* ---------------------------------------------------------------------------------------
 * Text analysis shared by build and query (match_text.c) */

/* One analysed unit of text. */
enum { IT_TERM, IT_BODY, IT_QWORD, IT_UNKNOWN };

typedef struct item {
    uint8_t kind;
    float factor;                      /* 1, or TYPO_FACTOR */
    uint32_t id;                       /* term id (IT_TERM/IT_QWORD) or body index (IT_BODY) */
    char key[CAMAS_TOKEN_MAX * 2 + 8]; /* term key, for build-time creation */
} item;

typedef struct tok {
    char stem[CAMAS_TOKEN_MAX + 1];
    char surf[CAMAS_TOKEN_MAX + 1];
    uint8_t kind;
    float factor;
} tok;

/* Builds "<c><l>|<s>" into buf; returns its length or 0 if it does not fit. */
static inline size_t mkkey(char *buf, size_t cap, char c, int l, const char *s, size_t n)
{
    if (n + 4 > cap)
        return 0;
    buf[0] = c;
    buf[1] = (char)('0' + l);
    buf[2] = '|';
    memcpy(buf + 3, s, n);
    buf[n + 3] = '\0';
    return n + 3;
}

static inline uint32_t letter_mask(const char *w, size_t n)
{
    uint32_t mk = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i];
        if (c >= 'a' && c <= 'z')
            mk |= 1u << (c - 'a');
        else
            mk |= 1u << 26;
    }
    return mk;
}

/* Tokenises and stems text. At query time (query = true) unknown words get typo-corrected
 * against the vocabulary. Returns the number of tokens, or -1 on error. */
long match_prepare(const index_t *ix, camas_stemmer *st, int l, const char *text, bool query,
                   tok *out, size_t max);
/* match_prepare() for text that camas_text_normalize() has already seen. */
long match_prepare_normalized(const index_t *ix, camas_stemmer *st, int l, const char *norm,
                              bool query, tok *out, size_t max);
/* Folds phrases (aliases, multi-word synonyms) and drops stop words. map is the phrase map
 * (the index's own map at query time). Returns the number of items written. */
size_t match_fold(const camas_strmap *map, int l, const tok *t, size_t nt, item *out, size_t max,
                  const index_t *ix);

/* ---------------------------------------------------------------------------------------
 * Lifecycle helpers (match.c) and ranking arithmetic, used by the build and the query */

void match_index_free(index_t *ix);
void match_base_free(base_t *bs);
void match_pool_clear(camas_matcher *m);

/* Natural logarithm for x > 0, accurate to ~1e-6: the core links without libm. */
static inline double ln(double x)
{
    if (x <= 0)
        return 0;
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int e = (int)((bits >> 52) & 0x7ff) - 1023;
    bits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull; /* mantissa in [1,2) */
    double mant;
    memcpy(&mant, &bits, sizeof mant);
    double z = (mant - 1) / (mant + 1), z2 = z * z;
    double s =
        z * (1 + z2 * (1.0 / 3 + z2 * (1.0 / 5 + z2 * (1.0 / 7 + z2 * (1.0 / 9 + z2 / 11)))));
    return e * 0.6931471805599453 + 2 * s;
}

static inline float idf(const index_t *ix, uint32_t df, int l)
{
    double n = ix->ndocs_lang[l];
    return (float)ln(1.0 + (n - df + 0.5) / (df + 0.5));
}

#endif
