/* Query time: ranks the built index's documents for a question (camas_matcher_query) and
 * lists the bodies a question names (camas_matcher_bodies). */
#include "match_internal.h"

#include <stdlib.h>
#include <string.h>

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

/* Concepts: distinct items with their weights, into cs (returns how many); the bodies the
 * question names go to qbodies, the weights' sum to *wall_out and the confidence kept for
 * unknown and corrected words to *penalty_out. */
static size_t weigh_concepts(const index_t *ix, int l, const item *it, size_t ni, concept *cs,
                             int *qbodies, size_t *nqb_out, double *wall_out, double *penalty_out)
{
    size_t nc = 0;
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
    *nqb_out = nqb;
    *wall_out = wall;
    *penalty_out = penalty;
    return nc;
}

/* Accumulates the concepts' matches per document and per phrasing (query generation qgen)
 * in the scratch; returns how many documents it touched (sc->touched). */
static uint32_t score_terms(const index_t *ix, scratch *sc, int l, concept *cs, size_t nc,
                            uint32_t qgen)
{
    uint32_t ntouched = 0, nptouched = 0;
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
    return ntouched;
}

/* Adds the documents of the named bodies to the ntouched documents; returns the new count. */
static uint32_t add_body_docs(const index_t *ix, scratch *sc, int l, const int *qbodies, size_t nqb,
                              uint32_t qgen, uint32_t ntouched)
{
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
    return ntouched;
}

/* Final scores of the ntouched documents: the best max + 1 that pass the filter, into top
 * by score (returns how many). */
static size_t rank_docs(const camas_matcher *m, scratch *sc, uint32_t ntouched, uint32_t qgen,
                        const int *qbodies, size_t nqb, double wall, camas_match_filter f, void *ud,
                        cand *top, size_t max)
{
    const index_t *ix = m->ix;
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
    return ntop;
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
    long nt = match_prepare(ix, sc->stem, l, question, true, t, MAX_QTOK);
    if (nt < 0)
        goto done;
    size_t ni = match_fold(&ix->map, l, t, (size_t)nt, it, MAX_QTOK, ix);

    /* concepts: distinct items with their weights */
    concept cs[MAX_QTOK];
    int qbodies[MAX_BODIES_Q];
    size_t nqb;
    double wall, penalty;
    size_t nc = weigh_concepts(ix, l, it, ni, cs, qbodies, &nqb, &wall, &penalty);
    if (nc == 0 || wall <= 0)
        goto done;

    /* accumulate term matches per document and per phrasing */
    uint32_t qgen = ++sc->gen;
    uint32_t ntouched = score_terms(ix, sc, l, cs, nc, qgen);
    ntouched = add_body_docs(ix, sc, l, qbodies, nqb, qgen, ntouched);

    /* final scores */
    cand top[CAMAS_MATCH_MAX_RESULTS + 2];
    size_t ntop = rank_docs(m, sc, ntouched, qgen, qbodies, nqb, wall, f, ud, top, max);
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
    long nt = match_prepare(ix, sc->stem, l, question, true, t, MAX_QTOK);
    size_t ni = nt < 0 ? 0 : match_fold(&ix->map, l, t, (size_t)nt, it, MAX_QTOK, ix);
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

/* ---------------------------------------------------------------------------------------
 * Long names */

#define NAME_WORDS 48

/* The question's tokens, each with the byte span of the whitespace-separated word it comes
 * from (a word may give several: "l'État" gives "l", "etat"). */
static size_t words_with_spans(const char *q, camas_token *t, size_t *from, size_t *to, size_t max)
{
    size_t n = 0;
    for (const char *p = q; *p && n < max;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        const char *w = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
            p++;
        if (p == w)
            break;
        char word[256];
        size_t wl = (size_t)(p - w) < sizeof word - 1 ? (size_t)(p - w) : sizeof word - 1;
        memcpy(word, w, wl);
        word[wl] = '\0';
        long k = camas_text_tokenize(word, t + n, max - n);
        for (long i = 0; i < k && n < max; i++, n++) {
            from[n] = (size_t)(w - q);
            to[n] = (size_t)(p - q);
        }
    }
    return n;
}

const char *camas_matcher_long_alias(const camas_matcher *m, const char *question, size_t *from,
                                     size_t *to)
{
    if (!m || !question)
        return NULL;
    camas_token qt[NAME_WORDS], at[NAME_WORDS];
    size_t qf[NAME_WORDS], qto[NAME_WORDS];
    size_t nq = words_with_spans(question, qt, qf, qto, NAME_WORDS);
    const char *best = NULL;
    size_t best_len = 0;
    for (size_t a = 0; a < m->naliases; a++) {
        /* most aliases are a word or two: counted by their separators before any work */
        size_t gaps = 0;
        for (const char *c = m->aliases[a].phrase; *c; c++)
            gaps += *c == ' ' || *c == '\'' || *c == '-' ||
                    (*c == '\xe2' && c[1] == '\x80' && c[2] == '\x99'); /* ’ */
        if (gaps + 1 < CAMAS_LONG_ALIAS_WORDS)
            continue;
        long na = camas_text_tokenize(m->aliases[a].phrase, at, NAME_WORDS);
        if (na < CAMAS_LONG_ALIAS_WORDS || (size_t)na <= best_len || (size_t)na > nq)
            continue;
        /* "le groupe de travail" is the short name with its article */
        if (camas_text_in_words(at[0].text,
                                (const char *const[]){"the", "le", "la", "l", "les", NULL}))
            continue;
        for (size_t i = 0; i + (size_t)na <= nq; i++) {
            size_t k = 0;
            while (k < (size_t)na && strcmp(qt[i + k].text, at[k].text) == 0)
                k++;
            if (k < (size_t)na)
                continue;
            best = m->aliases[a].body;
            best_len = (size_t)na;
            *from = qf[i];
            *to = qto[i + k - 1];
            /* "...Exploited Children?": the word's punctuation is not the name's */
            while (*to > *from && strchr("?!.,;:)\"", question[*to - 1]))
                (*to)--;
            break;
        }
    }
    return best;
}
