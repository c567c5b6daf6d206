/* Ranking the model's nearest entries for a question: each one's score from its nearest
 * phrasing, its centroid, the facts its answer states, the lexical matcher's confidence and
 * the entry model; the order; a tie the model cannot break; and the entries of a body the
 * question tells by a fact or office of its own (understand.c decides). */
#include "understand_internal.h"

#include <stdlib.h>
#include <string.h>

/* The lexical confidence that breaks a tie between the model's two nearest entries. */
#ifndef TIE_LEX_MIN
#define TIE_LEX_MIN 0.50
#endif
/* How much nearer than the told body's best entry another body's may be and still give way */
#ifndef TOLD_GAP
#define TOLD_GAP 0.03f
#endif

const char *camas_understand_entry_topic(const char *entry_id, const char *body)
{
    size_t bl = strlen(body);
    return strncmp(entry_id, body, bl) == 0 ? entry_id + bl : "";
}

/* Is id the entry of body on topic ("washact" + "-meetings")? */
static bool on_topic(const char *id, const char *body, const char *topic)
{
    return *topic && strcmp(camas_understand_entry_topic(id, body), topic) == 0;
}

/* Hits less other bodies' entries and those about every body on a topic the told body has an
 * entry of its own on ("all-meetings" beside "washact-meetings"); the count kept. */
static size_t only_told(const camas_understand *u, const char *told, camas_dense_hit *hits,
                        size_t nh)
{
    size_t kept = 0;
    for (size_t k = 0; k < nh; k++) {
        const char *body = camas_dense_entry_body(u->dense, hits[k].entry_id);
        bool keep = body && strcmp(body, told) == 0;
        if (body && strcmp(body, "all") == 0) {
            const char *topic = camas_understand_entry_topic(hits[k].entry_id, body);
            if (strncmp(topic, "-bodies", 7) == 0)
                topic += 7; /* "all-bodies-overview": "washact-overview" */
            keep = true;
            for (size_t j = 0; j < nh && keep; j++)
                keep = !on_topic(hits[j].entry_id, told, topic);
        }
        if (keep)
            hits[kept++] = hits[k];
    }
    return kept;
}

size_t camas_understand_among_told(const camas_understand *u, struct filter_wrap *fw,
                                   const char *told, const float *q, camas_dense_hit *hits,
                                   size_t nh)
{
    const char *b0 = camas_dense_entry_body(u->dense, hits[0].entry_id);
    if (!b0)
        return nh;
    /* its entry first: the others' go, which scoring could still rank higher ("how often
     * does the federal prosecutors group in western WA meet?" was answered with
     * task-force-meetings) */
    if (strcmp(b0, told) == 0)
        return only_told(u, told, hits, nh);
    struct body_filter tb = {camas_understand_plugin_entries_only, fw, u, &told, 1, true};
    camas_dense_hit th[MAX_HITS];
    size_t nt =
        camas_dense_query(u->dense, q, &told, 1, camas_understand_only_bodies, &tb, th, MAX_HITS);
    /* another body's first: its own entry on the same topic ("task-force-meetings" for a
     * question about the meetings of the group the U.S. Attorney's Office convened:
     * "washact-meetings") */
    size_t same = nt;
    const char *topic = camas_understand_entry_topic(hits[0].entry_id, b0);
    for (size_t k = 0; *topic == '-' && k < nt && same == nt; k++)
        if (on_topic(th[k].entry_id, told, topic))
            same = k;
    if (same < nt && same > 0) {
        camas_dense_hit first = th[same];
        memmove(th + 1, th, same * sizeof *th);
        th[0] = first;
    }
    /* ...or its best when nearly as near (the entry about every body gives way only to the
     * same topic's own) */
    bool every = strcmp(b0, "all") == 0;
    if (nt && (same < nt || (!every && th[0].score >= hits[0].score - TOLD_GAP))) {
        memcpy(hits, th, nt * sizeof *th);
        return nt;
    }
    return nh;
}

#ifndef WHICH_TIE
#define WHICH_TIE 0.02f
#endif
/* Added to an entry's cosine when its answer states a number or address of the question. */
#define FACT_BONUS 0.03f
/* Weight of the cosine to an entry's centroid against its nearest phrasing's, in ranking
 * (chosen on the development questions: top-1 80.5% -> 83.9% there). */
#ifndef CENTROID_WEIGHT
#define CENTROID_WEIGHT 0.5f
#endif
/* Weight of the entry model's log probability added to an entry's score (development
 * questions, in the prototype: 0.02). */
#ifndef ENTRY_MODEL_WEIGHT
#define ENTRY_MODEL_WEIGHT 0.04f
#endif
/* Weight of the lexical confidence added to an entry's cosine. */
#define LEX_WEIGHT 0.05f

/* Each hit's score: its nearest phrasing and its centroid, a bonus when its answer states a
 * fact of the question (states[i]) and, in hybrid mode, the lexical matcher's confidence in it
 * (a little). */
void camas_understand_score_hits(camas_understand *u, const camas_dense_hit *hits, size_t nh,
                                 char (*qfacts)[CAMAS_TOKEN_MAX + 1], size_t nqf,
                                 const camas_match *lex, size_t nlex, bool described, float *score,
                                 bool *states)
{
    for (size_t i = 0; i < nh; i++) {
        /* the nearest phrasing, and how near the entry's phrasings are as a whole */
        score[i] = (hits[i].score + CENTROID_WEIGHT * hits[i].centroid) / (1 + CENTROID_WEIGHT);
        const struct label *l =
            nqf ? camas_understand_label_for(u, hits[i].owner, hits[i].entry_id, false) : NULL;
        bool fact = false;
        for (size_t a = 0; l && a < nqf && !fact; a++)
            for (size_t b = 0; b < l->nfacts && !fact; b++)
                fact = strcmp(qfacts[a], l->facts[b]) == 0;
        states[i] = fact;
        if (fact)
            score[i] += FACT_BONUS;
        for (size_t k = 0; u->mode == CAMAS_MODE_HYBRID && !described && k < nlex; k++)
            if (strcmp(lex[k].entry_id, hits[i].entry_id) == 0)
                score[i] += LEX_WEIGHT * (float)lex[k].confidence;
    }
}

/* Adds the learned view of which entry the question (vector q) belongs to, when the entry
 * model is trained and no text is masked. */
void camas_understand_add_entry_model(const camas_understand *u, const float *q,
                                      const camas_dense_hit *hits, size_t nh, float *score)
{
    const struct entry_model *em = &u->entries;
    float *lp = em->m && !em->training && !u->nmasked ? malloc(em->n * sizeof *lp) : NULL;
    if (lp) {
        camas_softmax_log_probs(em->m, q, lp);
        for (size_t i = 0; i < nh; i++)
            for (uint32_t c = 0; c < em->n; c++)
                if (em->owners[c] == hits[i].owner && strcmp(em->ids[c], hits[i].entry_id) == 0) {
                    score[i] += ENTRY_MODEL_WEIGHT * lp[c];
                    break;
                }
        free(lp);
    }
}

/* Insertion sort of the hits (with their scores and states) on the combined score. */
void camas_understand_sort_hits(camas_dense_hit *hits, size_t nh, float *score, bool *states)
{
    for (size_t i = 1; i < nh; i++)
        for (size_t k = i; k > 0 && score[k] > score[k - 1]; k--) {
            float ts = score[k];
            score[k] = score[k - 1];
            score[k - 1] = ts;
            bool tf = states[k];
            states[k] = states[k - 1];
            states[k - 1] = tf;
            camas_dense_hit th = hits[k];
            hits[k] = hits[k - 1];
            hits[k - 1] = th;
        }
}

/* Two entries the model cannot tell apart: the lexical matcher, which reads the words, breaks
 * the tie ("what happens at WashACT's quaterly member meetings?" was as near the meetings'
 * rhythm as what the members do at them). */
void camas_understand_break_tie(camas_dense_hit *hits, size_t nh, float *score, bool *states,
                                const camas_match *lex_best, double lexconf, bool asks_which)
{
    if (nh < 2 || !lex_best || lexconf < TIE_LEX_MIN ||
        score[0] - score[1] >= (asks_which ? WHICH_TIE : DENSE_MARGIN) ||
        strcmp(lex_best->entry_id, hits[1].entry_id) != 0)
        return;
    camas_dense_hit h = hits[0];
    float sc = score[0];
    bool st = states[0];
    hits[0] = hits[1], score[0] = score[1], states[0] = states[1];
    hits[1] = h, score[1] = sc, states[1] = st;
}
