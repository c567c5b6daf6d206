/* Question matching: ranks registered entries for a question (see match.h for the model).
 *
 * Texts are normalised when added (and kept only in that form); everything else costly
 * happens in camas_matcher_build(): texts are tokenised, stemmed, aliases and multi-word
 * synonyms folded, and the result stored as posting lists, per-phrasing weights and a typo
 * vocabulary. Each text is analysed once (struct analysis)
 * and the synonyms and aliases once (struct base), so a rebuild after one plugin reloads
 * mostly replays earlier work. A query then only normalises its own text and walks the
 * postings of its few terms, using scratch arrays owned by the build.
 *
 * This file holds the public lifecycle, add and remove API; match_text.c analyses text,
 * match_build.c builds the index and match_query.c ranks entries for a question. */
#include "match_internal.h"

#include <stdlib.h>
#include <string.h>

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

void match_index_free(index_t *ix)
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

void match_base_free(base_t *bs)
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

void match_pool_clear(camas_matcher *m)
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
    match_base_free(&m->base);
    match_pool_clear(m);
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
    match_index_free(m->ix);
    camas_stemmer_free(m->build_stem);
    match_base_free(&m->base);
    match_pool_clear(m);
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
