/* Building the matcher's index (camas_matcher_build): the base made from the synonyms and
 * aliases, each text's analysis (kept and replayed by later builds) and the posting lists,
 * weights, typo vocabulary and query scratch that a query reads. */
#include "match_internal.h"

#include <stdlib.h>
#include <string.h>

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
            long nt = match_prepare(NULL, m->build_stem, s->lang, s->words[w], false, t, MAX_QTOK);
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
            long nt =
                match_prepare(NULL, m->build_stem, l, m->aliases[a].phrase, false, t, MAX_QTOK);
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
        match_base_free(bs);
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
    long nt = match_prepare_normalized(m->ix, m->build_stem, l, norm, false, t, MAX_QTOK * 4);
    if (nt < 0)
        return NULL;
    size_t ni = match_fold(&m->base.map, l, t, (size_t)nt, it, MAX_QTOK * 4, NULL);
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

/* Term postings and alternatives, flattened into the index, with each term's document
 * frequencies and topicality. */
static int finish_terms(builder *b)
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
    return 0;
}

/* The largest idf per language and each phrasing's weight. */
static int finish_phrasings(builder *b)
{
    index_t *ix = b->ix;
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
    return 0;
}

/* The typo vocabulary, per language sorted by length. */
static int finish_surfaces(index_t *ix)
{
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
    return 0;
}

static int finish_bodies(index_t *ix)
{
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
    return 0;
}

static int finish_scratch(index_t *ix)
{
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

/* Turns the builder's lists into the index a query reads. */
static int finish(builder *b)
{
    if (finish_terms(b) < 0 || finish_phrasings(b) < 0 || finish_surfaces(b->ix) < 0 ||
        finish_bodies(b->ix) < 0 || finish_scratch(b->ix) < 0)
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
    match_pool_clear(m);
    if (rc == 0) {
        match_index_free(m->ix);
        m->ix = ix;
    } else {
        match_index_free(ix);
    }
    return rc;
}
