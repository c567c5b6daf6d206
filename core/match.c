/* Question matching: ranks registered entries for a question (see match.h for the model).
 *
 * Texts are normalised when added (and kept only in that form); everything else costly
 * happens in camas_matcher_build(): texts are tokenised, stemmed, aliases and multi-word
 * synonyms folded, and the result stored as posting lists, per-phrasing weights and a typo
 * vocabulary. Each text is analysed once (struct analysis)
 * and the synonyms and aliases once (struct base), so a rebuild after one plugin reloads
 * mostly replays earlier work. A query then only normalises its own text and walks the
 * postings of its few terms, using scratch arrays owned by the build. */
#include "match.h"

#include "strmap.h"
#include "text.h"

#include <pthread.h>
#include <stddef.h>
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

static int lang_idx(const char *lang)
{
    return lang && strcmp(lang, "fr") == 0 ? 1 : 0;
}

static const char *lang_name(int l)
{
    return l ? "fr" : "en";
}

/* ---------------------------------------------------------------------------------------
 * Growable arrays */

static int grow(void **p, size_t *cap, size_t need, size_t elem)
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

/* A copy of v, each string normalised when norm (camas_text_normalize_dup), else as is. */
static char **dup_strv(const char *const *v, size_t n, bool norm)
{
    char **out = calloc(n ? n : 1, sizeof *out);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        out[i] = norm ? camas_text_normalize_dup(v[i] ? v[i] : "") : strdup(v[i] ? v[i] : "");
        if (!out[i]) {
            for (size_t j = 0; j < i; j++)
                free(out[j]);
            free(out);
            return NULL;
        }
    }
    return out;
}

static void free_strv(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* ---------------------------------------------------------------------------------------
 * Lifecycle */

static void scratch_free(scratch *sc)
{
    if (!sc)
        return;
    pthread_mutex_destroy(&sc->lock);
    camas_stemmer_free(sc->stem);
    free(sc->dstamp);
    free(sc->dcstamp);
    free(sc->pstamp);
    free(sc->pcstamp);
    free(sc->dscore);
    free(sc->dbest);
    free(sc->pscore);
    free(sc->pbest);
    free(sc->touched);
    free(sc->ctouched);
    free(sc->ptouched);
    free(sc);
}

static void index_free(index_t *ix)
{
    if (!ix)
        return;
    camas_strmap_free(&ix->map);
    free(ix->terms);
    free(ix->ask);
    free(ix->ans);
    free(ix->alts);
    free(ix->docs);
    free(ix->phr_w);
    free(ix->phr_body);
    for (int l = 0; l < NLANG; l++)
        free(ix->surf[l]);
    if (ix->body_docs)
        for (size_t b = 0; b < ix->nbodies; b++)
            free(ix->body_docs[b]);
    free(ix->body_docs);
    free(ix->body_ndocs);
    scratch_free(ix->sc);
    free(ix);
}

static void base_free(base_t *bs)
{
    camas_strmap_free(&bs->map);
    if (bs->group_terms)
        for (size_t g = 0; g < bs->ngroups; g++)
            free(bs->group_terms[g]);
    free(bs->group_terms);
    free(bs->group_n);
    if (bs->term_groups)
        for (size_t t = 0; t < bs->nterms; t++)
            free(bs->term_groups[t]);
    free(bs->term_groups);
    free(bs->term_ngroups);
    memset(bs, 0, sizeof *bs);
}

static void pool_clear(camas_matcher *m)
{
    for (size_t i = 0; i < m->npool; i++) {
        free(m->pool[i].text);
        free(m->pool[i].an);
    }
    m->npool = 0;
}

/* Frees the entry's analyses (an analysis is one allocation). */
static void raw_entry_forget(raw_entry *e)
{
    if (e->an)
        for (size_t k = 0; k < e->ntexts; k++)
            free(e->an[k]);
    free(e->an);
    e->an = NULL;
    free(e->an_answer);
    e->an_answer = NULL;
}

/* New synonyms or aliases change how texts fold: every analysis is redone. */
static void forget_analyses(camas_matcher *m)
{
    base_free(&m->base);
    pool_clear(m);
    for (size_t i = 0; i < m->nentries; i++)
        raw_entry_forget(&m->entries[i]);
}

camas_matcher *camas_matcher_new(void)
{
    camas_matcher *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->build_stem = camas_stemmer_new();
    if (!m->build_stem) {
        free(m);
        return NULL;
    }
    return m;
}

static void raw_entry_free(raw_entry *e)
{
    free(e->id);
    free(e->body);
    free_strv(e->texts, e->ntexts);
    free(e->answer);
    raw_entry_forget(e);
}

void camas_matcher_free(camas_matcher *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nsyns; i++)
        free_strv(m->syns[i].words, m->syns[i].n);
    free(m->syns);
    for (size_t i = 0; i < m->naliases; i++) {
        free(m->aliases[i].phrase);
        free(m->aliases[i].body);
    }
    free(m->aliases);
    for (size_t i = 0; i < m->nentries; i++)
        raw_entry_free(&m->entries[i]);
    free(m->entries);
    free_strv(m->bodies, m->nbodies);
    index_free(m->ix);
    camas_stemmer_free(m->build_stem);
    base_free(&m->base);
    pool_clear(m);
    free(m->pool);
    free(m);
}

int camas_matcher_add_synonyms(camas_matcher *m, const char *lang, const char *const *words,
                               size_t n)
{
    if (!m || !words || n == 0)
        return -1;
    raw_syn *ns = realloc(m->syns, (m->nsyns + 1) * sizeof *ns);
    if (!ns)
        return -1;
    m->syns = ns;
    char **w = dup_strv(words, n, false);
    if (!w)
        return -1;
    m->syns[m->nsyns++] = (raw_syn){.lang = lang_idx(lang), .words = w, .n = n};
    forget_analyses(m);
    return 0;
}

int camas_matcher_add_alias(camas_matcher *m, const char *lang, const char *phrase,
                            const char *body_id)
{
    (void)lang; /* aliases are recognised in both languages */
    if (!m || !phrase || !body_id || !*body_id)
        return -1;
    raw_alias *na = realloc(m->aliases, (m->naliases + 1) * sizeof *na);
    if (!na)
        return -1;
    m->aliases = na;
    char *p = strdup(phrase), *b = strdup(body_id);
    if (!p || !b) {
        free(p);
        free(b);
        return -1;
    }
    m->aliases[m->naliases++] = (raw_alias){.phrase = p, .body = b};
    forget_analyses(m);
    return 0;
}

int camas_matcher_add_entry(camas_matcher *m, uint32_t owner, const char *entry_id,
                            const char *body_id, const char *lang, const char *const *texts,
                            size_t ntexts)
{
    if (!m || !entry_id || !*entry_id || (!texts && ntexts))
        return -1;
    raw_entry *ne = realloc(m->entries, (m->nentries + 1) * sizeof *ne);
    if (!ne)
        return -1;
    m->entries = ne;
    raw_entry e = {.owner = owner, .lang = lang_idx(lang)};
    e.id = strdup(entry_id);
    if (body_id && *body_id && strcmp(body_id, "all") != 0)
        e.body = strdup(body_id);
    e.texts = dup_strv(texts, ntexts, true);
    e.ntexts = ntexts;
    if (!e.id || !e.texts || (body_id && *body_id && strcmp(body_id, "all") != 0 && !e.body)) {
        raw_entry_free(&e);
        return -1;
    }
    m->entries[m->nentries++] = e;
    return 0;
}

int camas_matcher_add_answer(camas_matcher *m, uint32_t owner, const char *entry_id,
                             const char *lang, const char *text)
{
    if (!m || !entry_id || !text)
        return -1;
    int l = lang_idx(lang);
    for (size_t i = m->nentries; i-- > 0;) {
        raw_entry *e = &m->entries[i];
        if (e->owner == owner && e->lang == l && strcmp(e->id, entry_id) == 0) {
            char *a = camas_text_normalize_dup(text);
            if (!a)
                return -1;
            free(e->answer);
            e->answer = a;
            free(e->an_answer);
            e->an_answer = NULL;
            return 0;
        }
    }
    return -1;
}

int camas_matcher_copy_owner(camas_matcher *dst, const camas_matcher *src, uint32_t owner)
{
    if (!dst || !src || dst == src)
        return -1;
    for (size_t i = 0; i < src->nentries; i++) {
        const raw_entry *se = &src->entries[i];
        if (se->owner != owner)
            continue;
        raw_entry *ne = realloc(dst->entries, (dst->nentries + 1) * sizeof *ne);
        if (!ne)
            return -1;
        dst->entries = ne;
        /* Already normalised: copied as they are. Analyses are not: they depend on the
         * synonyms and aliases, which is why a new matcher is being made. */
        raw_entry e = {.owner = owner, .lang = se->lang, .ntexts = se->ntexts};
        e.id = strdup(se->id);
        e.body = se->body ? strdup(se->body) : NULL;
        e.texts = dup_strv((const char *const *)se->texts, se->ntexts, false);
        e.answer = se->answer ? strdup(se->answer) : NULL;
        if (!e.id || (se->body && !e.body) || !e.texts || (se->answer && !e.answer)) {
            raw_entry_free(&e);
            return -1;
        }
        dst->entries[dst->nentries++] = e;
    }
    return 0;
}

static uint32_t text_hash(int lang, const char *text)
{
    return camas_strmap_hash(text, strlen(text)) ^ (uint32_t)lang * 0x9e3779b9u;
}

/* Moves *text and *an (both set to NULL) into the pool; leaves them when out of memory. */
static void pool_put(camas_matcher *m, int lang, char **text, analysis **an)
{
    if (!*text || !*an || grow((void **)&m->pool, &m->cappool, m->npool + 1, sizeof *m->pool) < 0)
        return;
    m->pool[m->npool++] =
        (pooled){.text = *text, .an = *an, .hash = text_hash(lang, *text), .lang = lang};
    *text = NULL;
    *an = NULL;
}

void camas_matcher_remove_owner(camas_matcher *m, uint32_t owner)
{
    if (!m)
        return;
    size_t o = 0;
    for (size_t i = 0; i < m->nentries; i++) {
        raw_entry *e = &m->entries[i];
        if (e->owner != owner) {
            m->entries[o++] = *e;
            continue;
        }
        for (size_t k = 0; e->an && k < e->ntexts; k++)
            pool_put(m, e->lang, &e->texts[k], &e->an[k]);
        pool_put(m, e->lang, &e->answer, &e->an_answer);
        raw_entry_free(e);
    }
    m->nentries = o;
}

size_t camas_matcher_size(const camas_matcher *m)
{
    return m && m->ix ? m->ix->ndocs : 0;
}

/* ---------------------------------------------------------------------------------------
 * Text analysis shared by build and query */

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
static size_t mkkey(char *buf, size_t cap, char c, int l, const char *s, size_t n)
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

static uint32_t letter_mask(const char *w, size_t n)
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

/* Stems a token, using the surface cache of the index when the word is known. */
static int stem_token(const index_t *ix, camas_stemmer *st, int l, const camas_token *t, char *out,
                      size_t cap, bool *known_surface)
{
    *known_surface = false;
    if (t->kind == CAMAS_TOK_NUMBER || t->kind == CAMAS_TOK_EMAIL) {
        memcpy(out, t->text, (size_t)t->len + 1);
        return t->len;
    }
    if (ix) {
        char key[CAMAS_TOKEN_MAX + 8];
        size_t kn = mkkey(key, sizeof key, 's', l, t->text, t->len);
        uint32_t *v = kn ? camas_strmap_get(&ix->map, key, kn) : NULL;
        if (v) {
            *known_surface = true;
            const char *s = ix->map.arena + *v;
            size_t sl = strlen(s);
            if (sl + 1 > cap)
                return -1;
            memcpy(out, s, sl + 1);
            return (int)sl;
        }
    }
    return camas_stem(st, lang_name(l), t->text, out, cap);
}

/* Typo correction: the most frequent vocabulary word within distance of w. */
static const surface *typo_fix(const index_t *ix, int l, const char *w, size_t n)
{
    if (n < 4 || n > CAMAS_TOKEN_MAX)
        return NULL;
    int maxd = n >= 8 ? 2 : 1;
    size_t lo = n - (size_t)maxd, hi = n + (size_t)maxd;
    if (lo < 3)
        lo = 3;
    if (hi > CAMAS_TOKEN_MAX)
        hi = CAMAS_TOKEN_MAX;
    uint32_t mk = letter_mask(w, n);
    const surface *best = NULL;
    int bestd = maxd + 1;
    for (size_t i = ix->surf_by_len[l][lo]; i < ix->surf_by_len[l][hi + 1]; i++) {
        const surface *s = &ix->surf[l][i];
        /* people rarely mistype the first letter, while short real words one edit from a
         * vocabulary word mostly differ there (earn/warn, next/text); checked first as it
         * rejects nearly every word for the price of a byte compare */
        if (s->word[0] != w[0] && !(s->word[0] == w[1] && s->word[1] == w[0]))
            continue;
        /* each edit changes at most two letters of the letter set */
        if (__builtin_popcount(s->mask ^ mk) > 2 * maxd)
            continue;
        int d = camas_text_distance(w, n, s->word, s->len, maxd);
        if (d < bestd || (d == bestd && best && s->count > best->count)) {
            best = s;
            bestd = d;
        }
    }
    return bestd <= maxd ? best : NULL;
}

/* Is this stem a known term or phrase start in language l? */
static bool stem_known(const index_t *ix, int l, const char *stem, size_t n)
{
    char key[CAMAS_TOKEN_MAX + 8];
    size_t kn = mkkey(key, sizeof key, 't', l, stem, n);
    if (kn && camas_strmap_get(&ix->map, key, kn))
        return true;
    kn = mkkey(key, sizeof key, 'r', l, stem, n);
    return kn && camas_strmap_get(&ix->map, key, kn);
}

/* Top-level domains and the like: too common in addresses to say anything. */
static bool is_tld(const char *p, size_t k)
{
    static const char *const t[] = {"com", "org", "gov", "net", "edu", "www", "mail"};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strlen(t[i]) == k && memcmp(t[i], p, k) == 0)
            return true;
    return false;
}

/* Tokenises and stems text. At query time (query = true) unknown words get typo-corrected
 * against the vocabulary. Returns the number of tokens, or -1 on error. */
static long prepare_normalized(const index_t *ix, camas_stemmer *st, int l, const char *norm,
                               bool query, tok *out, size_t max);

static long prepare(const index_t *ix, camas_stemmer *st, int l, const char *text, bool query,
                    tok *out, size_t max)
{
    size_t n = strlen(text);
    char stackbuf[2048];
    size_t cap = n * 3 + 16;
    char *norm = cap <= sizeof stackbuf ? stackbuf : malloc(cap);
    if (!norm)
        return -1;
    long rc = camas_text_normalize(text, n, norm, cap) < 0
                  ? -1
                  : prepare_normalized(ix, st, l, norm, query, out, max);
    if (norm != stackbuf)
        free(norm);
    return rc;
}

/* prepare() for text that camas_text_normalize() has already seen. */
static long prepare_normalized(const index_t *ix, camas_stemmer *st, int l, const char *norm,
                               bool query, tok *out, size_t max)
{
    camas_token toks[MAX_QTOK * 4];
    size_t nt = camas_tokenize(norm, toks, MAX_QTOK * 4);
    if (nt > MAX_QTOK * 4)
        nt = MAX_QTOK * 4;
    if (nt > max)
        nt = max;
    size_t no = 0;
    for (size_t i = 0; i < nt && no < max; i++) {
        tok *o = &out[no++];
        o->kind = toks[i].kind;
        o->factor = 1.0f;
        memcpy(o->surf, toks[i].text, (size_t)toks[i].len + 1);
        bool known;
        int sl = stem_token(ix, st, l, &toks[i], o->stem, sizeof o->stem, &known);
        if (sl < 0)
            return -1;
        if (toks[i].kind == CAMAS_TOK_EMAIL) {
            /* "warntrafficking@yahoo.com" is also asked about as "the warntrafficking
             * yahoo address": its words become tokens too */
            char part[CAMAS_TOKEN_MAX + 1];
            const char *p = toks[i].text;
            while (*p && no < max) {
                size_t k = strcspn(p, "@.-_+");
                if (k >= 3 && k < sizeof part && !is_tld(p, k)) {
                    memcpy(part, p, k);
                    part[k] = '\0';
                    camas_token pt = {.len = (uint8_t)k, .kind = CAMAS_TOK_WORD};
                    memcpy(pt.text, part, k + 1);
                    tok *po = &out[no++];
                    po->kind = CAMAS_TOK_WORD;
                    po->factor = 1.0f;
                    memcpy(po->surf, part, k + 1);
                    if (stem_token(ix, st, l, &pt, po->stem, sizeof po->stem, &known) < 0)
                        return -1;
                }
                p += k;
                if (*p)
                    p++;
            }
            continue;
        }
        if (!query || known || toks[i].kind == CAMAS_TOK_NUMBER ||
            camas_is_stopword(lang_name(l), o->surf) ||
            camas_is_question_word(lang_name(l), o->surf) || stem_known(ix, l, o->stem, (size_t)sl))
            continue;
        const surface *fix = typo_fix(ix, l, o->surf, toks[i].len);
        if (fix) {
            camas_token ft = {.len = (uint8_t)fix->len, .kind = CAMAS_TOK_WORD};
            memcpy(ft.text, fix->word, fix->len);
            ft.text[fix->len] = '\0';
            if (stem_token(ix, st, l, &ft, o->stem, sizeof o->stem, &known) < 0)
                return -1;
            memcpy(o->surf, ft.text, (size_t)ft.len + 1);
            o->factor = TYPO_FACTOR;
            continue;
        }
        /* an inflection the stemmer missed ("siègent" vs "siéger"): a known stem of 4+
         * letters that the word starts with, at most 3 letters shorter */
        size_t n0 = toks[i].len;
        for (size_t k = n0 - 1; n0 >= 6 && k >= 4 && k + 3 >= n0; k--) {
            if (stem_known(ix, l, o->surf, k)) {
                memcpy(o->stem, o->surf, k);
                o->stem[k] = '\0';
                o->factor = TYPO_FACTOR;
                break;
            }
        }
    }
    return (long)no;
}

/* Folds phrases (aliases, multi-word synonyms) and drops stop words. map is the phrase map
 * (the index's own map at query time). Returns the number of items written. */
static size_t fold(const camas_strmap *map, int l, const tok *t, size_t nt, item *out, size_t max,
                   const index_t *ix)
{
    size_t no = 0;
    char key[MAX_PHRASE * (CAMAS_TOKEN_MAX + 1) + 8];
    for (size_t i = 0; i < nt && no < max;) {
        /* longest phrase starting at i */
        size_t best_len = 0;
        uint32_t best_val = 0;
        size_t kl = 3;
        key[1] = (char)('0' + l);
        key[2] = '|';
        for (size_t k = 0; k < MAX_PHRASE && i + k < nt; k++) {
            size_t sl = strlen(t[i + k].stem);
            if (kl + sl + 2 > sizeof key)
                break;
            if (k > 0)
                key[kl++] = ' ';
            memcpy(key + kl, t[i + k].stem, sl);
            kl += sl;
            key[0] = 'p';
            uint32_t *v = camas_strmap_get(map, key, kl);
            if (v) {
                best_len = k + 1;
                best_val = *v;
            }
            key[0] = 'r';
            if (!camas_strmap_get(map, key, kl))
                break;
        }
        item *it = &out[no];
        it->factor = 1.0f;
        it->key[0] = '\0';
        if (best_len) {
            float f = 1.0f;
            for (size_t k = 0; k < best_len; k++)
                if (t[i + k].factor < f)
                    f = t[i + k].factor;
            it->factor = f;
            if (best_val & PH_BODY) {
                it->kind = IT_BODY;
                it->id = best_val & ~PH_BODY;
            } else {
                it->kind = IT_TERM;
                it->id = best_val;
            }
            no++;
            i += best_len;
            continue;
        }
        const tok *tk = &t[i++];
        const char *ln = lang_name(l);
        if (tk->kind == CAMAS_TOK_WORD || tk->kind == CAMAS_TOK_ACRONYM) {
            if (camas_is_stopword(ln, tk->surf))
                continue;
            it->kind = camas_is_question_word(ln, tk->surf) ? IT_QWORD : IT_TERM;
        } else {
            it->kind = IT_TERM;
        }
        it->factor = tk->factor;
        /* numbers and e-mail addresses are the same in both languages */
        bool neutral = tk->kind == CAMAS_TOK_NUMBER || tk->kind == CAMAS_TOK_EMAIL;
        size_t kn =
            mkkey(it->key, sizeof it->key, 't', neutral ? 9 : l, tk->stem, strlen(tk->stem));
        if (!kn)
            continue;
        uint32_t *v = ix ? camas_strmap_get(&ix->map, it->key, kn) : NULL;
        if (ix) {
            if (v)
                it->id = *v;
            else if (it->kind == IT_QWORD)
                continue; /* an unknown question word says nothing */
            else
                it->kind = IT_UNKNOWN;
        }
        no++;
    }
    return no;
}

/* ---------------------------------------------------------------------------------------
 * Build */

static int intern_body(camas_matcher *m, const char *b)
{
    for (size_t i = 0; i < m->nbodies; i++)
        if (strcmp(m->bodies[i], b) == 0)
            return (int)i;
    char **nb = realloc(m->bodies, (m->nbodies + 1) * sizeof *nb);
    if (!nb)
        return -1;
    m->bodies = nb;
    if (!(m->bodies[m->nbodies] = strdup(b)))
        return -1;
    return (int)m->nbodies++;
}

typedef struct bterm { /* build-time per-term lists */
    posting *ask;
    size_t nask, capask;
    uint32_t *ans;
    size_t nans, capans;
    uint32_t *groups; /* synonym groups containing the term (while making the base) */
    size_t ngroups, capgroups;
} bterm;

typedef struct builder {
    camas_matcher *m;
    index_t *ix;
    bterm *bt;
    size_t capbt;
    uint8_t *phr_body; /* phrasings naming a body, handed over to the index */
    size_t nphr_body, capphr_body;
    /* while making the base only */
    uint32_t **group_terms; /* per synonym group: member term ids */
    size_t *group_n;
    size_t ngroups;
} builder;

static long term_id(builder *b, const char *key, size_t kn)
{
    bool created;
    uint32_t *v = camas_strmap_put(&b->ix->map, key, kn, (uint32_t)b->ix->nterms, &created);
    if (!v)
        return -1;
    if (created) {
        if (grow((void **)&b->bt, &b->capbt, b->ix->nterms + 1, sizeof *b->bt) < 0)
            return -1;
        memset(&b->bt[b->ix->nterms], 0, sizeof *b->bt);
        b->ix->nterms++;
    }
    return (long)*v;
}

/* Records a surface word ("s<l>|word" key) and its stem ("S<l>|stem" key), for the typo
 * vocabulary and the stem cache. */
static int add_surface(camas_strmap *map, const char *skey, size_t skn, const char *stkey,
                       size_t stkn)
{
    if (camas_strmap_get(map, skey, skn))
        return 0;
    /* the value is the stem's offset in the arena: the stem is stored as its own key */
    uint32_t *sv = camas_strmap_put(map, stkey, stkn, 0, NULL);
    if (!sv)
        return -1;
    /* the stem's text starts 3 bytes into its own stored key */
    uint32_t off = camas_strmap_item_of(sv)->off + 3;
    return camas_strmap_put(map, skey, skn, off, NULL) ? 0 : -1;
}

/* The surface and stem keys of token t, or false when it is no word. */
static bool surface_keys(int l, const tok *t, char *skey, size_t *skn, char *stkey, size_t *stkn)
{
    if (t->kind != CAMAS_TOK_WORD && t->kind != CAMAS_TOK_ACRONYM)
        return false;
    *skn = mkkey(skey, CAMAS_TOKEN_MAX + 8, 's', l, t->surf, strlen(t->surf));
    *stkn = mkkey(stkey, CAMAS_TOKEN_MAX + 8, 'S', l, t->stem, strlen(t->stem));
    return *skn && *stkn;
}

static int add_surfaces(builder *b, int l, const tok *t, size_t nt)
{
    char sk[CAMAS_TOKEN_MAX + 8], stk[CAMAS_TOKEN_MAX + 8];
    size_t skn, stkn;
    for (size_t i = 0; i < nt; i++)
        if (surface_keys(l, &t[i], sk, &skn, stk, &stkn) &&
            add_surface(&b->ix->map, sk, skn, stk, stkn) < 0)
            return -1;
    return 0;
}

static int register_phrase(builder *b, int l, const tok *t, size_t nt, uint32_t val)
{
    char key[MAX_PHRASE * (CAMAS_TOKEN_MAX + 1) + 8];
    size_t kl = 3;
    key[1] = (char)('0' + l);
    key[2] = '|';
    if (nt > MAX_PHRASE || nt == 0)
        return 0;
    for (size_t k = 0; k < nt; k++) {
        size_t sl = strlen(t[k].stem);
        if (kl + sl + 2 > sizeof key)
            return 0;
        if (k > 0)
            key[kl++] = ' ';
        memcpy(key + kl, t[k].stem, sl);
        kl += sl;
        key[0] = 'r';
        if (!camas_strmap_put(&b->ix->map, key, kl, 0, NULL))
            return -1;
    }
    key[0] = 'p';
    bool created;
    uint32_t *v = camas_strmap_put(&b->ix->map, key, kl, val, &created);
    if (!v)
        return -1;
    /* aliases win over synonym phrases spelt the same */
    if (!created && (val & PH_BODY))
        *v = val;
    return 0;
}

static int build_synonyms(builder *b)
{
    camas_matcher *m = b->m;
    b->group_terms = calloc(m->nsyns ? m->nsyns : 1, sizeof *b->group_terms);
    b->group_n = calloc(m->nsyns ? m->nsyns : 1, sizeof *b->group_n);
    if (!b->group_terms || !b->group_n)
        return -1;
    b->ngroups = m->nsyns;
    tok t[MAX_QTOK];
    for (size_t g = 0; g < m->nsyns; g++) {
        raw_syn *s = &m->syns[g];
        b->group_terms[g] = calloc(s->n, sizeof(uint32_t));
        if (!b->group_terms[g])
            return -1;
        for (size_t w = 0; w < s->n; w++) {
            long nt = prepare(NULL, m->build_stem, s->lang, s->words[w], false, t, MAX_QTOK);
            if (nt < 0)
                return -1;
            if (nt == 0)
                continue;
            if (add_surfaces(b, s->lang, t, (size_t)nt) < 0)
                return -1;
            /* the term: the stem for one word, the joined stems for a phrase */
            char key[MAX_PHRASE * (CAMAS_TOKEN_MAX + 1) + 8];
            size_t kl = 3;
            key[0] = 't';
            key[1] = (char)('0' + s->lang);
            key[2] = '|';
            bool neutral =
                nt == 1 && (t[0].kind == CAMAS_TOK_NUMBER || t[0].kind == CAMAS_TOK_EMAIL);
            if (neutral)
                key[1] = '9';
            bool fits = nt <= MAX_PHRASE;
            for (long k = 0; k < nt && fits; k++) {
                size_t sl = strlen(t[k].stem);
                if (kl + sl + 2 > sizeof key) {
                    fits = false;
                    break;
                }
                if (k > 0)
                    key[kl++] = ' ';
                memcpy(key + kl, t[k].stem, sl);
                kl += sl;
            }
            if (!fits)
                continue;
            long id = term_id(b, key, kl);
            if (id < 0)
                return -1;
            if (nt > 1 && register_phrase(b, s->lang, t, (size_t)nt, (uint32_t)id) < 0)
                return -1;
            bool dup = false;
            for (size_t k = 0; k < b->group_n[g]; k++)
                dup |= b->group_terms[g][k] == (uint32_t)id;
            if (!dup)
                b->group_terms[g][b->group_n[g]++] = (uint32_t)id;
        }
        for (size_t k = 0; k < b->group_n[g]; k++) {
            bterm *bt = &b->bt[b->group_terms[g][k]];
            if (grow((void **)&bt->groups, &bt->capgroups, bt->ngroups + 1, sizeof(uint32_t)) < 0)
                return -1;
            bt->groups[bt->ngroups++] = (uint32_t)g;
        }
    }
    return 0;
}

static int build_aliases(builder *b)
{
    camas_matcher *m = b->m;
    tok t[MAX_QTOK];
    for (size_t a = 0; a < m->naliases; a++) {
        int body = intern_body(m, m->aliases[a].body);
        if (body < 0)
            return -1;
        for (int l = 0; l < NLANG; l++) {
            long nt = prepare(NULL, m->build_stem, l, m->aliases[a].phrase, false, t, MAX_QTOK);
            if (nt < 0)
                return -1;
            if (add_surfaces(b, l, t, (size_t)nt) < 0 ||
                register_phrase(b, l, t, (size_t)nt, PH_BODY | (uint32_t)body) < 0)
                return -1;
        }
    }
    return 0;
}

/* Makes m->base from the synonyms and aliases, using a builder of its own. */
static int make_base(camas_matcher *m)
{
    base_t *bs = &m->base;
    index_t tmp = {0};
    builder b = {.m = m, .ix = &tmp};
    int rc = -1;
    if (build_synonyms(&b) < 0 || build_aliases(&b) < 0)
        goto out;
    bs->term_groups = calloc(tmp.nterms ? tmp.nterms : 1, sizeof *bs->term_groups);
    bs->term_ngroups = calloc(tmp.nterms ? tmp.nterms : 1, sizeof *bs->term_ngroups);
    if (!bs->term_groups || !bs->term_ngroups)
        goto out;
    /* hand everything over: from here on nothing can fail */
    bs->nterms = tmp.nterms;
    for (size_t t = 0; t < tmp.nterms; t++) {
        bs->term_groups[t] = b.bt[t].groups;
        bs->term_ngroups[t] = b.bt[t].ngroups;
        b.bt[t].groups = NULL;
    }
    bs->map = tmp.map;
    memset(&tmp.map, 0, sizeof tmp.map);
    bs->group_terms = b.group_terms;
    bs->group_n = b.group_n;
    bs->ngroups = b.ngroups;
    b.group_terms = NULL;
    b.group_n = NULL;
    bs->made = true;
    rc = 0;
out:
    for (size_t t = 0; b.bt && t < tmp.nterms; t++) {
        free(b.bt[t].ask);
        free(b.bt[t].ans);
        free(b.bt[t].groups);
    }
    free(b.bt);
    if (b.group_terms)
        for (size_t g = 0; g < b.ngroups; g++)
            free(b.group_terms[g]);
    free(b.group_terms);
    free(b.group_n);
    free(b.phr_body);
    camas_strmap_free(&tmp.map);
    if (rc < 0)
        base_free(bs);
    return rc;
}

/* The distinct strings of one text, to drop repeats without comparing every pair (an answer
 * has a few hundred words). */
#define SEEN_SLOTS 1024 /* a power of two, at least twice MAX_QTOK * 4 */
typedef struct seen {
    uint16_t slot[SEEN_SLOTS]; /* 0 = empty, else index + 1 */
    uint32_t hash[MAX_QTOK * 4];
    const char *str[MAX_QTOK * 4];
    uint16_t n;
} seen;

/* Adds str (kept by the caller) and returns true, or returns false when it is there. */
static bool seen_add(seen *s, const char *str)
{
    uint32_t h = camas_strmap_hash(str, strlen(str));
    size_t i = h & (SEEN_SLOTS - 1);
    for (; s->slot[i]; i = (i + 1) & (SEEN_SLOTS - 1)) {
        uint16_t k = s->slot[i] - 1;
        if (s->hash[k] == h && strcmp(s->str[k], str) == 0)
            return false;
    }
    if (s->n == MAX_QTOK * 4)
        return true; /* cannot happen: no text has more */
    s->slot[i] = ++s->n;
    s->hash[s->n - 1] = h;
    s->str[s->n - 1] = str;
    return true;
}

/* Token scratch for analyse(), about 70 KiB: on the heap for the call only, since on the
 * stack it would stay resident for the process's life once touched. */
typedef struct analyse_scratch {
    tok t[MAX_QTOK * 4];
    item it[MAX_QTOK * 4];
    bool keep_tok[MAX_QTOK * 4], keep_it[MAX_QTOK * 4];
} analyse_scratch;

static analysis *analyse_with(camas_matcher *m, int l, const char *norm, analyse_scratch *sc);

/* Analyses normalised text (in language l) against the base. NULL when memory ran out. */
static analysis *analyse(camas_matcher *m, int l, const char *norm)
{
    analyse_scratch *sc = malloc(sizeof *sc);
    analysis *an = sc ? analyse_with(m, l, norm, sc) : NULL;
    free(sc);
    return an;
}

static analysis *analyse_with(camas_matcher *m, int l, const char *norm, analyse_scratch *sc)
{
    tok *t = sc->t;
    item *it = sc->it;
    bool *keep_tok = sc->keep_tok, *keep_it = sc->keep_it;
    /* The current build already knows the stems of most words: a text seen for the first
     * time is then mostly looked up, not stemmed. */
    long nt = prepare_normalized(m->ix, m->build_stem, l, norm, false, t, MAX_QTOK * 4);
    if (nt < 0)
        return NULL;
    size_t ni = fold(&m->base.map, l, t, (size_t)nt, it, MAX_QTOK * 4, NULL);
    seen *sn = malloc(sizeof *sn);
    if (!sn)
        return NULL;
    char sk[CAMAS_TOKEN_MAX + 8], stk[CAMAS_TOKEN_MAX + 8];
    size_t skn, stkn, nsurf = 0, nitems = 0, klen = 0;
    memset(sn->slot, 0, sizeof sn->slot);
    sn->n = 0;
    for (long i = 0; i < nt; i++) {
        keep_tok[i] = surface_keys(l, &t[i], sk, &skn, stk, &stkn) && seen_add(sn, t[i].surf);
        if (keep_tok[i]) {
            nsurf++;
            klen += skn + stkn + 2;
        }
    }
    memset(sn->slot, 0, sizeof sn->slot);
    sn->n = 0;
    for (size_t i = 0; i < ni; i++) {
        if (it[i].key[0]) {
            keep_it[i] = seen_add(sn, it[i].key);
        } else {
            /* a phrase or a body: few per text */
            keep_it[i] = true;
            for (size_t j = 0; j < i && keep_it[i]; j++)
                keep_it[i] = it[j].key[0] || it[j].kind != it[i].kind || it[j].id != it[i].id;
        }
        if (keep_it[i]) {
            nitems++;
            if (it[i].key[0])
                klen += strlen(it[i].key) + 1;
        }
    }
    free(sn);
    analysis *an = malloc(sizeof *an + (nitems + 2 * nsurf) * sizeof(uint32_t) + (klen ? klen : 1));
    if (!an)
        return NULL;
    an->items = (uint32_t *)(an + 1);
    an->surf = an->items + nitems;
    an->keys = (char *)(an->surf + 2 * nsurf);
    an->nitems = an->nsurf = 0;
    size_t ko = 0;
    for (long i = 0; i < nt; i++) {
        if (!keep_tok[i])
            continue;
        surface_keys(l, &t[i], sk, &skn, stk, &stkn);
        an->surf[2 * an->nsurf] = (uint32_t)ko;
        memcpy(an->keys + ko, sk, skn + 1);
        ko += skn + 1;
        an->surf[2 * an->nsurf + 1] = (uint32_t)ko;
        memcpy(an->keys + ko, stk, stkn + 1);
        ko += stkn + 1;
        an->nsurf++;
    }
    for (size_t i = 0; i < ni; i++) {
        if (!keep_it[i])
            continue;
        if (it[i].key[0]) {
            size_t kn = strlen(it[i].key);
            an->items[an->nitems++] = (uint32_t)ko;
            memcpy(an->keys + ko, it[i].key, kn + 1);
            ko += kn + 1;
        } else {
            an->items[an->nitems++] = (it[i].kind == IT_BODY ? AN_BODY : AN_BASE) | it[i].id;
        }
    }
    return an;
}

/* The text's analysis: a removed entry's (the pool, indexed by slots) or a new one. */
static analysis *analysis_for(camas_matcher *m, const uint32_t *slots, size_t nslots, int l,
                              const char *text)
{
    if (nslots) {
        uint32_t h = text_hash(l, text);
        for (size_t i = h & (nslots - 1); slots[i]; i = (i + 1) & (nslots - 1)) {
            pooled *p = &m->pool[slots[i] - 1];
            if (p->an && p->hash == h && p->lang == l && strcmp(p->text, text) == 0) {
                analysis *an = p->an;
                p->an = NULL; /* taken: a second copy of the text needs its own */
                return an;
            }
        }
    }
    return analyse(m, l, text);
}

/* Adds what one text of document d brings (phrasing phr, or the answer when phr ==
 * UINT32_MAX), in the order a build from scratch would. */
static int index_text(builder *b, uint32_t d, uint32_t phr, const analysis *an,
                      uint32_t *bodies_mentioned)
{
    for (uint32_t s = 0; s < an->nsurf; s++) {
        const char *sk = an->keys + an->surf[2 * s], *stk = an->keys + an->surf[2 * s + 1];
        if (add_surface(&b->ix->map, sk, strlen(sk), stk, strlen(stk)) < 0)
            return -1;
    }
    for (uint32_t i = 0; i < an->nitems; i++) {
        uint32_t v = an->items[i];
        if (v & AN_BODY) {
            uint32_t body = v & ~AN_BODY;
            if (body < 32)
                *bodies_mentioned |= 1u << body;
            if (phr != UINT32_MAX) {
                if (grow((void **)&b->phr_body, &b->capphr_body, (size_t)phr + 1, 1) < 0)
                    return -1;
                for (size_t z = b->nphr_body; z <= phr; z++)
                    b->phr_body[z] = 0;
                if (b->nphr_body < (size_t)phr + 1)
                    b->nphr_body = (size_t)phr + 1;
                b->phr_body[phr] = 1;
            }
            continue;
        }
        long id;
        if (v & AN_BASE) {
            id = (long)(v & ~AN_BASE);
        } else {
            const char *key = an->keys + v;
            id = term_id(b, key, strlen(key));
        }
        if (id < 0)
            return -1;
        bterm *bt = &b->bt[id];
        if (phr == UINT32_MAX) {
            if (bt->nans && bt->ans[bt->nans - 1] == d)
                continue;
            if (grow((void **)&bt->ans, &bt->capans, bt->nans + 1, sizeof(uint32_t)) < 0)
                return -1;
            bt->ans[bt->nans++] = d;
        } else {
            if (bt->nask && bt->ask[bt->nask - 1].phr == phr)
                continue;
            if (grow((void **)&bt->ask, &bt->capask, bt->nask + 1, sizeof(posting)) < 0)
                return -1;
            bt->ask[bt->nask++] = (posting){.doc = d, .phr = phr};
        }
    }
    return 0;
}

static int cmp_surface(const void *a, const void *b)
{
    const surface *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return strcmp(x->word, y->word);
}

/* Natural logarithm for x > 0, accurate to ~1e-6: the core links without libm. */
static double ln(double x)
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

static float idf(const index_t *ix, uint32_t df, int l)
{
    double n = ix->ndocs_lang[l];
    return (float)ln(1.0 + (n - df + 0.5) / (df + 0.5));
}

static int finish(builder *b)
{
    index_t *ix = b->ix;
    const base_t *bs = &b->m->base;
    /* flatten postings and synonym alternatives (only synonym terms have groups) */
    size_t nask = 0, nans = 0, nalts = 0;
    ix->terms = calloc(ix->nterms ? ix->nterms : 1, sizeof *ix->terms);
    if (!ix->terms)
        return -1;
    for (size_t t = 0; t < ix->nterms; t++) {
        nask += b->bt[t].nask;
        nans += b->bt[t].nans;
        for (size_t g = 0; t < bs->nterms && g < bs->term_ngroups[t]; g++)
            nalts += bs->group_n[bs->term_groups[t][g]];
    }
    ix->ask = malloc((nask ? nask : 1) * sizeof *ix->ask);
    ix->ans = malloc((nans ? nans : 1) * sizeof *ix->ans);
    ix->alts = malloc((nalts ? nalts : 1) * sizeof *ix->alts);
    if (!ix->ask || !ix->ans || !ix->alts)
        return -1;
    for (size_t t = 0; t < ix->nterms; t++) {
        term_info *ti = &ix->terms[t];
        bterm *bt = &b->bt[t];
        ti->ask_off = (uint32_t)ix->nask;
        ti->ask_n = (uint32_t)bt->nask;
        if (bt->nask)
            memcpy(ix->ask + ix->nask, bt->ask, bt->nask * sizeof *bt->ask);
        ix->nask += bt->nask;
        ti->ans_off = (uint32_t)ix->nans;
        ti->ans_n = (uint32_t)bt->nans;
        if (bt->nans)
            memcpy(ix->ans + ix->nans, bt->ans, bt->nans * sizeof *bt->ans);
        ix->nans += bt->nans;
        ti->alt_off = (uint32_t)ix->nalts;
        for (size_t g = 0; t < bs->nterms && g < bs->term_ngroups[t]; g++) {
            uint32_t gi = bs->term_groups[t][g];
            for (size_t k = 0; k < bs->group_n[gi]; k++) {
                uint32_t a = bs->group_terms[gi][k];
                bool dup = a == t;
                for (size_t j = ti->alt_off; j < ix->nalts && !dup; j++)
                    dup = ix->alts[j] == a;
                if (!dup)
                    ix->alts[ix->nalts++] = a;
            }
        }
        ti->alt_n = (uint32_t)(ix->nalts - ti->alt_off);
        /* document frequency per language, and topicality (postings come sorted by
         * document) */
        uint32_t last = UINT32_MAX, run = 0;
        for (size_t k = 0; k <= bt->nask; k++) {
            if (k == bt->nask || bt->ask[k].doc != last) {
                if (last != UINT32_MAX && ix->docs[last].phr_n) {
                    float share = (float)run / (float)ix->docs[last].phr_n;
                    if (share > ti->topical)
                        ti->topical = share;
                }
                if (k == bt->nask)
                    break;
                ti->df[ix->docs[bt->ask[k].doc].lang]++;
                run = 0;
            }
            last = bt->ask[k].doc;
            run++;
        }
    }
    for (int l = 0; l < NLANG; l++)
        ix->idf_max[l] = idf(ix, 0, l);

    /* per-phrasing weights: sum of idf over distinct terms (postings are per phrasing) */
    ix->phr_w = calloc(ix->nphr ? ix->nphr : 1, sizeof *ix->phr_w);
    ix->phr_body = calloc(ix->nphr ? ix->nphr : 1, 1);
    if (!ix->phr_w || !ix->phr_body)
        return -1;
    if (b->nphr_body)
        memcpy(ix->phr_body, b->phr_body, b->nphr_body);
    for (size_t t = 0; t < ix->nterms; t++) {
        term_info *ti = &ix->terms[t];
        for (size_t k = 0; k < ti->ask_n; k++) {
            posting *p = &ix->ask[ti->ask_off + k];
            int l = ix->docs[p->doc].lang;
            ix->phr_w[p->phr] += idf(ix, ti->df[l], l);
        }
    }

    /* typo vocabulary from the surface keys */
    for (int l = 0; l < NLANG; l++) {
        size_t n = 0;
        for (size_t i = 0; i < ix->map.nitems; i++) {
            const char *k = camas_strmap_key(&ix->map, (uint32_t)i);
            if (k[0] == 's' && k[1] == '0' + l)
                n++;
        }
        ix->surf[l] = calloc(n ? n : 1, sizeof(surface));
        if (!ix->surf[l])
            return -1;
        for (size_t i = 0; i < ix->map.nitems; i++) {
            const char *k = camas_strmap_key(&ix->map, (uint32_t)i);
            if (k[0] != 's' || k[1] != '0' + l)
                continue;
            surface *s = &ix->surf[l][ix->nsurf[l]++];
            s->word = k + 3;
            s->len = ix->map.items[i].len - 3;
            s->mask = letter_mask(s->word, s->len);
            /* frequency: how many phrasings use the word's stem (ties prefer common) */
            char tk[CAMAS_TOKEN_MAX + 8];
            const char *stem = ix->map.arena + ix->map.items[i].val;
            size_t kn = mkkey(tk, sizeof tk, 't', l, stem, strlen(stem));
            uint32_t *tv = kn ? camas_strmap_get(&ix->map, tk, kn) : NULL;
            s->count = tv ? ix->terms[*tv].ask_n + ix->terms[*tv].ans_n : 0;
        }
        qsort(ix->surf[l], ix->nsurf[l], sizeof(surface), cmp_surface);
        size_t j = 0;
        for (size_t len = 0; len <= CAMAS_TOKEN_MAX + 1; len++) {
            while (j < ix->nsurf[l] && ix->surf[l][j].len < len)
                j++;
            ix->surf_by_len[l][len] = j;
        }
    }

    /* documents per body */
    ix->body_docs = calloc(ix->nbodies ? ix->nbodies : 1, sizeof *ix->body_docs);
    ix->body_ndocs = calloc(ix->nbodies ? ix->nbodies : 1, sizeof *ix->body_ndocs);
    if (!ix->body_docs || !ix->body_ndocs)
        return -1;
    for (size_t d = 0; d < ix->ndocs; d++)
        if (ix->docs[d].body >= 0)
            ix->body_ndocs[ix->docs[d].body]++;
    for (size_t bi = 0; bi < ix->nbodies; bi++) {
        ix->body_docs[bi] =
            malloc((ix->body_ndocs[bi] ? ix->body_ndocs[bi] : 1) * sizeof(uint32_t));
        if (!ix->body_docs[bi])
            return -1;
        ix->body_ndocs[bi] = 0;
    }
    for (size_t d = 0; d < ix->ndocs; d++) {
        int bi = ix->docs[d].body;
        if (bi >= 0)
            ix->body_docs[bi][ix->body_ndocs[bi]++] = (uint32_t)d;
    }

    /* query scratch */
    scratch *sc = calloc(1, sizeof *sc);
    if (!sc)
        return -1;
    ix->sc = sc;
    if (pthread_mutex_init(&sc->lock, NULL) != 0) {
        free(sc);
        ix->sc = NULL;
        return -1;
    }
    size_t nd = ix->ndocs ? ix->ndocs : 1, np = ix->nphr ? ix->nphr : 1;
    sc->stem = camas_stemmer_new();
    sc->dstamp = calloc(nd, sizeof(uint32_t));
    sc->dcstamp = calloc(nd, sizeof(uint32_t));
    sc->pstamp = calloc(np, sizeof(uint32_t));
    sc->pcstamp = calloc(np, sizeof(uint32_t));
    sc->dscore = calloc(nd, sizeof(float));
    sc->dbest = calloc(nd, sizeof(float));
    sc->pscore = calloc(np, sizeof(float));
    sc->pbest = calloc(np, sizeof(float));
    sc->touched = calloc(nd, sizeof(uint32_t));
    sc->ctouched = calloc(nd, sizeof(uint32_t));
    sc->ptouched = calloc(np, sizeof(uint32_t));
    if (!sc->stem || !sc->dstamp || !sc->dcstamp || !sc->pstamp || !sc->pcstamp || !sc->dscore ||
        !sc->dbest || !sc->pscore || !sc->pbest || !sc->touched || !sc->ctouched || !sc->ptouched)
        return -1;
    return 0;
}

static void builder_free(builder *b)
{
    if (b->bt) {
        for (size_t t = 0; t < b->ix->nterms; t++) {
            free(b->bt[t].ask);
            free(b->bt[t].ans);
        }
        free(b->bt);
    }
    free(b->phr_body);
}

/* Indexes the pool by text (slots: 0 = empty, else pool index + 1); *nslots = 0 when the
 * pool is empty. */
static int pool_slots(const camas_matcher *m, uint32_t **slots, size_t *nslots)
{
    *slots = NULL;
    *nslots = 0;
    if (!m->npool)
        return 0;
    size_t ns = 16;
    while (ns < m->npool * 2)
        ns *= 2;
    if (!(*slots = calloc(ns, sizeof **slots)))
        return -1;
    for (size_t k = 0; k < m->npool; k++) {
        size_t i = m->pool[k].hash & (ns - 1);
        while ((*slots)[i])
            i = (i + 1) & (ns - 1);
        (*slots)[i] = (uint32_t)k + 1;
    }
    *nslots = ns;
    return 0;
}

int camas_matcher_build(camas_matcher *m)
{
    if (!m)
        return -1;
    if (!m->base.made && make_base(m) < 0)
        return -1;
    index_t *ix = calloc(1, sizeof *ix);
    if (!ix)
        return -1;
    builder b = {.m = m, .ix = ix};
    uint32_t *slots = NULL;
    size_t nslots = 0;
    int rc = -1;
    /* room for about as many keys and terms as the current build has */
    size_t prev_items = m->ix ? m->ix->map.nitems : 0, prev_terms = m->ix ? m->ix->nterms : 0;
    if (camas_strmap_clone(&ix->map, &m->base.map, prev_items) < 0 ||
        grow((void **)&b.bt, &b.capbt,
             prev_terms > m->base.nterms ? prev_terms : m->base.nterms + 1, sizeof *b.bt) < 0 ||
        pool_slots(m, &slots, &nslots) < 0)
        goto out;
    ix->nterms = m->base.nterms;
    memset(b.bt, 0, ix->nterms * sizeof *b.bt);

    /* documents: one per raw entry (entry x language) */
    ix->docs = calloc(m->nentries ? m->nentries : 1, sizeof *ix->docs);
    if (!ix->docs)
        goto out;
    for (size_t e = 0; e < m->nentries; e++) {
        raw_entry *re = &m->entries[e];
        doc_info *d = &ix->docs[ix->ndocs];
        d->entry = (uint32_t)e;
        d->lang = (uint8_t)re->lang;
        d->body = -1;
        if (re->body) {
            int bi = intern_body(m, re->body);
            if (bi < 0)
                goto out;
            d->body = bi;
        }
        d->phr_off = (uint32_t)ix->nphr;
        d->phr_n = (uint32_t)re->ntexts;
        uint32_t did = (uint32_t)ix->ndocs++;
        ix->ndocs_lang[re->lang]++;
        if (!re->an && !(re->an = calloc(re->ntexts ? re->ntexts : 1, sizeof *re->an)))
            goto out;
        for (size_t k = 0; k < re->ntexts; k++)
            if (!re->an[k] && !(re->an[k] = analysis_for(m, slots, nslots, re->lang, re->texts[k])))
                goto out;
        if (re->answer && !re->an_answer &&
            !(re->an_answer = analysis_for(m, slots, nslots, re->lang, re->answer)))
            goto out;
        for (size_t k = 0; k < re->ntexts; k++)
            if (index_text(&b, did, (uint32_t)ix->nphr++, re->an[k], &d->bodies_mentioned) < 0)
                goto out;
        uint32_t dummy = 0;
        if (re->an_answer && index_text(&b, did, UINT32_MAX, re->an_answer, &dummy) < 0)
            goto out;
    }
    /* bodies as known now (aliases and entries) */
    ix->bodies = m->bodies;
    ix->nbodies = m->nbodies;
    if (finish(&b) < 0)
        goto out;
    rc = 0;
out:
    builder_free(&b);
    free(slots);
    /* what the pool still holds is gone for good: entries' texts have their own analyses */
    pool_clear(m);
    if (rc == 0) {
        index_free(m->ix);
        m->ix = ix;
    } else {
        index_free(ix);
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Query */

typedef struct concept {
    uint8_t kind; /* IT_TERM, IT_QWORD, IT_UNKNOWN, IT_BODY */
    uint32_t id;
    float factor;
    float w;
}
concept;

/* How well document d contains concept c: 1 (its word), SYN_FACTOR (a synonym),
 * ANSWER_FACTOR (only in the answer) or 0, times the concept's own factor. Used for the
 * few top documents only. */
static float concept_in_doc(const index_t *ix, const concept *c, uint32_t d)
{
    float best = 0;
    const term_info *ti = &ix->terms[c->id];
    for (size_t a = 0; a <= ti->alt_n; a++) {
        uint32_t tid = a == 0 ? c->id : ix->alts[ti->alt_off + a - 1];
        float fac = c->factor * (a == 0 ? 1.0f : SYN_FACTOR);
        const term_info *at = &ix->terms[tid];
        for (size_t k = 0; k < at->ask_n && best < fac; k++)
            if (ix->ask[at->ask_off + k].doc == d)
                best = fac;
        for (size_t k = 0; k < at->ans_n && best < fac * ANSWER_FACTOR; k++)
            if (ix->ans[at->ans_off + k] == d)
                best = fac * ANSWER_FACTOR;
    }
    return best;
}

typedef struct cand {
    uint32_t doc;
    double score, conf, cover, dice;
} cand;

static void insert_top(cand *top, size_t *ntop, size_t cap, const cand *c)
{
    size_t i = *ntop;
    if (i == cap) {
        if (c->score <= top[cap - 1].score)
            return;
        i = cap - 1;
    } else {
        (*ntop)++;
    }
    while (i > 0 && top[i - 1].score < c->score) {
        top[i] = top[i - 1];
        i--;
    }
    top[i] = *c;
}

size_t camas_matcher_query(const camas_matcher *m, const char *question, const char *lang,
                           camas_match_filter f, void *ud, camas_match *out, size_t max)
{
    if (!m || !m->ix || !question || !out || max == 0)
        return 0;
    const index_t *ix = m->ix;
    scratch *sc = ix->sc;
    if (max > CAMAS_MATCH_MAX_RESULTS)
        max = CAMAS_MATCH_MAX_RESULTS;
    int l = lang_idx(lang ? lang : camas_detect_lang(question, NULL));
    if (ix->ndocs_lang[l] == 0)
        l = 1 - l; /* only one language registered: better than nothing */

    if (pthread_mutex_lock(&sc->lock) != 0)
        return 0;
    size_t nres = 0;
    tok t[MAX_QTOK];
    item it[MAX_QTOK];
    long nt = prepare(ix, sc->stem, l, question, true, t, MAX_QTOK);
    if (nt < 0)
        goto done;
    size_t ni = fold(&ix->map, l, t, (size_t)nt, it, MAX_QTOK, ix);

    /* concepts: distinct items with their weights */
    concept cs[MAX_QTOK];
    size_t nc = 0;
    int qbodies[MAX_BODIES_Q];
    size_t nqb = 0;
    double wall = 0, penalty = 1.0;
    for (size_t i = 0; i < ni; i++) {
        bool dup = false;
        for (size_t k = 0; k < nc && !dup; k++)
            dup = cs[k].kind == it[i].kind && cs[k].id == it[i].id && it[i].kind != IT_UNKNOWN;
        if (dup)
            continue;
        concept *c = &cs[nc++];
        c->kind = it[i].kind;
        c->id = it[i].id;
        c->factor = it[i].factor;
        switch (c->kind) {
        case IT_BODY:
            c->w = BODY_WEIGHT;
            if (nqb < MAX_BODIES_Q)
                qbodies[nqb++] = (int)c->id;
            break;
        case IT_UNKNOWN:
            c->w = ix->idf_max[l] * UNKNOWN_FACTOR;
            if (strlen(it[i].key) <= 3 + 3)
                c->w *= SHORT_UNKNOWN;
            break;
        default: {
            const term_info *ti = &ix->terms[c->id];
            uint32_t df = ti->df[l];
            if (df == 0) {
                /* known only through synonyms or answers: weigh by its best synonym */
                for (size_t a = 0; a < ti->alt_n; a++) {
                    uint32_t adf = ix->terms[ix->alts[ti->alt_off + a]].df[l];
                    if (adf > df)
                        df = adf;
                }
                if (df == 0)
                    df = ti->ans_n ? ti->ans_n : 1;
            }
            c->w = idf(ix, df, l) * (c->kind == IT_QWORD ? QWORD_FACTOR : 1.0f);
            /* a guessed correction may be a word we do not know: weigh it as such */
            if (c->factor < 1 && c->w < ix->idf_max[l] * UNKNOWN_FACTOR * TYPO_WEIGHT)
                c->w = ix->idf_max[l] * UNKNOWN_FACTOR * TYPO_WEIGHT;
            break;
        }
        }
        wall += c->w;
        if (c->kind == IT_UNKNOWN && c->w > ix->idf_max[l] * UNKNOWN_FACTOR * SHORT_UNKNOWN)
            penalty *= UNKNOWN_PENALTY;
        else if (c->factor < 1)
            penalty *= TYPO_PENALTY;
    }
    if (nc == 0 || wall <= 0)
        goto done;

    /* accumulate term matches per document and per phrasing */
    uint32_t ntouched = 0, nptouched = 0;
    uint32_t qgen = ++sc->gen;
    for (size_t ci = 0; ci < nc; ci++) {
        concept *c = &cs[ci];
        if (c->kind == IT_BODY || c->kind == IT_UNKNOWN)
            continue;
        uint32_t cgen = ++sc->gen;
        uint32_t nct = 0, npt = 0;
        const term_info *ti = &ix->terms[c->id];
        for (size_t a = 0; a <= ti->alt_n; a++) {
            uint32_t tid = a == 0 ? c->id : ix->alts[ti->alt_off + a - 1];
            float fac = c->factor * (a == 0 ? 1.0f : SYN_FACTOR);
            const term_info *at = &ix->terms[tid];
            for (size_t k = 0; k < at->ask_n; k++) {
                const posting *p = &ix->ask[at->ask_off + k];
                if (ix->docs[p->doc].lang != l)
                    continue;
                if (sc->dcstamp[p->doc] != cgen) {
                    sc->dcstamp[p->doc] = cgen;
                    sc->dbest[p->doc] = 0;
                    sc->ctouched[nct++] = p->doc;
                }
                if (fac > sc->dbest[p->doc])
                    sc->dbest[p->doc] = fac;
                if (sc->pcstamp[p->phr] != cgen) {
                    sc->pcstamp[p->phr] = cgen;
                    sc->pbest[p->phr] = 0;
                    sc->ptouched[nptouched + npt++] = p->phr;
                }
                if (fac > sc->pbest[p->phr])
                    sc->pbest[p->phr] = fac;
            }
            for (size_t k = 0; k < at->ans_n; k++) {
                uint32_t d = ix->ans[at->ans_off + k];
                if (ix->docs[d].lang != l)
                    continue;
                if (sc->dcstamp[d] != cgen) {
                    sc->dcstamp[d] = cgen;
                    sc->dbest[d] = 0;
                    sc->ctouched[nct++] = d;
                }
                if (fac * ANSWER_FACTOR > sc->dbest[d])
                    sc->dbest[d] = fac * ANSWER_FACTOR;
            }
        }
        for (uint32_t k = 0; k < nct; k++) {
            uint32_t d = sc->ctouched[k];
            if (sc->dstamp[d] != qgen) {
                sc->dstamp[d] = qgen;
                sc->dscore[d] = 0;
                sc->touched[ntouched++] = d;
            }
            sc->dscore[d] += c->w * sc->dbest[d];
        }
        /* per phrasing: keep each phrasing once in ptouched */
        uint32_t keep = 0;
        for (uint32_t k = 0; k < npt; k++) {
            uint32_t p = sc->ptouched[nptouched + k];
            if (sc->pstamp[p] != qgen) {
                sc->pstamp[p] = qgen;
                sc->pscore[p] = 0;
                sc->ptouched[nptouched + keep++] = p;
            }
            sc->pscore[p] += c->w * sc->pbest[p];
        }
        nptouched += keep;
    }
    /* documents of the named bodies are candidates even without any other word in common,
     * so "budget of the task force" gets an honest low confidence instead of nothing */
    for (size_t qb = 0; qb < nqb; qb++) {
        int bi = qbodies[qb];
        for (size_t k = 0; k < ix->body_ndocs[bi]; k++) {
            uint32_t d = ix->body_docs[bi][k];
            if (ix->docs[d].lang != l || sc->dstamp[d] == qgen)
                continue;
            sc->dstamp[d] = qgen;
            sc->dscore[d] = 0;
            sc->touched[ntouched++] = d;
        }
    }

    /* final scores */
    cand top[CAMAS_MATCH_MAX_RESULTS + 2];
    size_t ntop = 0, cap = max + 1;
    for (uint32_t k = 0; k < ntouched; k++) {
        uint32_t d = sc->touched[k];
        const doc_info *di = &ix->docs[d];
        double cover = sc->dscore[d];
        bool excluded = false;
        for (size_t qb = 0; qb < nqb; qb++) {
            int bi = qbodies[qb];
            /* an entry about every body does not become this body's own by naming it in
             * one of its phrasings ("how often do the task force, washact and csec meet?") */
            bool mentioned = bi < 32 && (di->bodies_mentioned & (1u << bi)) && di->body >= 0;
            if (di->body == bi || mentioned)
                cover += BODY_WEIGHT;
            else if (di->body < 0)
                cover += BODY_WEIGHT * BODY_ALL_MATCH;
        }
        if (nqb > 0 && di->body >= 0) {
            /* a question naming bodies is never answered with another body's entry */
            excluded = true;
            for (size_t qb = 0; qb < nqb; qb++)
                excluded &= di->body != qbodies[qb];
        }
        if (excluded)
            continue;
        cover /= wall;
        /* Dice per phrasing, bodies included: a phrasing naming a body the question does
         * not name carries extra, unmatched content ("task force meetings" vs "meetings") */
        double body_hit = 0;
        bool names_own = false;
        for (size_t qb = 0; qb < nqb; qb++) {
            int bi = qbodies[qb];
            if (di->body == bi || (bi < 32 && (di->bodies_mentioned & (1u << bi))))
                body_hit += BODY_WEIGHT;
            names_own |= di->body == bi;
        }
        double dice = 0;
        for (uint32_t p = di->phr_off; p < di->phr_off + di->phr_n; p++) {
            double ps = (sc->pstamp[p] == qgen ? sc->pscore[p] : 0) + body_hit;
            double pw = ix->phr_w[p];
            if (ix->phr_body[p] || names_own)
                pw += BODY_WEIGHT;
            double den = wall + pw;
            double dv = den > 0 ? 2 * ps / den : 1.0;
            if (dv > 1)
                dv = 1;
            if (dv > dice)
                dice = dv;
        }
        cand c = {.doc = d, .cover = cover, .dice = dice};
        c.score = cover + DICE_BONUS * dice;
        c.conf = COVER_SHARE * cover + (1 - COVER_SHARE) * dice;
        if (ntop == cap && c.score <= top[cap - 1].score)
            continue;
        const raw_entry *re = &m->entries[di->entry];
        if (f && !f(re->owner, re->id, ud))
            continue;
        insert_top(top, &ntop, cap, &c);
    }
    if (ntop == 0)
        goto done;

    /* ambiguity: a close second about a different body (or about everything) */
    double tie = 1.0;
    if (ntop >= 2 && top[0].score > 0) {
        double r = top[1].score / top[0].score;
        int b0 = ix->docs[top[0].doc].body, b1 = ix->docs[top[1].doc].body;
        if (r > TIE_START && b0 != b1)
            tie = 1.0 - (r - TIE_START) / (1 - TIE_START) * TIE_DROP;
    }
    /* a missing word that defines another entry's topic ("name" for "what is the full
     * name of WashACT?") means the question asks about something else */
    double topic_pen = 1.0;
    for (size_t k = 0; k < nc; k++) {
        if (cs[k].kind != IT_TERM)
            continue;
        double have = concept_in_doc(ix, &cs[k], top[0].doc);
        double p = 1.0 - TOPIC_DROP * ix->terms[cs[k].id].topical * (1 - have) * cs[k].w /
                             (ix->idf_max[l] > 0 ? ix->idf_max[l] : 1);
        if (p < topic_pen)
            topic_pen = p;
    }
    penalty *= topic_pen;
    for (size_t k = 0; k < ntop && nres < max; k++) {
        const raw_entry *re = &m->entries[ix->docs[top[k].doc].entry];
        double conf = top[k].conf * tie * penalty;
        out[nres].entry_id = re->id;
        out[nres].owner = re->owner;
        out[nres].score = top[k].score;
        out[nres].confidence = conf < 0 ? 0 : conf > 1 ? 1 : conf;
        nres++;
    }
done:
    pthread_mutex_unlock(&sc->lock);
    return nres;
}

size_t camas_matcher_bodies(const camas_matcher *m, const char *question, const char *lang,
                            const char **out, size_t max)
{
    if (!m || !m->ix || !question || !out || max == 0)
        return 0;
    const index_t *ix = m->ix;
    scratch *sc = ix->sc;
    int l = lang_idx(lang ? lang : camas_detect_lang(question, NULL));
    if (pthread_mutex_lock(&sc->lock) != 0)
        return 0;
    size_t n = 0;
    tok t[MAX_QTOK];
    item it[MAX_QTOK];
    long nt = prepare(ix, sc->stem, l, question, true, t, MAX_QTOK);
    size_t ni = nt < 0 ? 0 : fold(&ix->map, l, t, (size_t)nt, it, MAX_QTOK, ix);
    for (size_t i = 0; i < ni && n < max; i++) {
        if (it[i].kind != IT_BODY || it[i].id >= m->nbodies)
            continue;
        const char *b = m->bodies[it[i].id];
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++)
            dup = out[k] == b;
        if (!dup)
            out[n++] = b;
    }
    pthread_mutex_unlock(&sc->lock);
    return n;
}
