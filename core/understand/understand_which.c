/* Questions that ask which body ("which group meets quarterly?", "lequel est présidé par
 * Richard Torrance ?"), and the words that name a body by what it is or ask which one
 * (understand.c and understand_parts.c read them). Split out of understand_parts.c. */
#include "understand_internal.h"

#include "text.h"

#include <stdio.h>
#include <string.h>

/* The words that ask which body, before the noun of a body ("which group", "what
 * committee", "quel comité"), or alone ("lequel", "which one"). */
const char *const camas_understand_which_words[] = {"which", "what",    "quel", "quelle",
                                                    "quels", "quelles", NULL};
const char *const camas_understand_which_alone[] = {"lequel", "laquelle", "lesquels", "lesquelles",
                                                    NULL};

bool camas_understand_asks_which_body(const char *question)
{
    camas_token t[48];
    long n = camas_text_tokenize(question, t, 48);
    /* "whose meetings can the public observe?", "at whose meetings…": opening the question
     * (after a noun, "the group whose contact is…", it is a relative) */
    static const char *const at[] = {"at", "to", "in", "on", "for", "from", "of", "with", NULL};
    if (n > 1 && (strcmp(t[0].text, "whose") == 0 ||
                  (camas_text_in_words(t[0].text, at) && strcmp(t[1].text, "whose") == 0)))
        return true;
    for (long i = 0; i < n; i++) {
        if (camas_text_in_words(t[i].text, camas_understand_which_alone))
            return true;
        if (!camas_text_in_words(t[i].text, camas_understand_which_words))
            continue;
        /* "which of these groups", "what anti-trafficking body", "quel groupe"; not "in what
         * year was the group…" */
        static const char *const between[] = {"of",    "the",         "these", "those", "ces",
                                              "des",   "les",         "anti",  "state", "statewide",
                                              "three", "trafficking", NULL};
        long k = i + 1;
        bool three = false; /* "which of the three meets…": the three bodies camas knows */
        while (k < n && k <= i + 4 && camas_text_in_words(t[k].text, between))
            three |= strcmp(t[k++].text, "three") == 0;
        if (three)
            return true;
        if (k < n) {
            char stem[CAMAS_TOKEN_MAX + 1];
            snprintf(stem, sizeof stem, "%s", t[k].text);
            size_t l = strlen(stem);
            if (l > 3 && stem[l - 1] == 's') /* "groups", "bodies" read as "bodie" */
                stem[l - 1] = '\0';
            if (camas_text_in_words(stem, camas_understand_body_heads) ||
                strcmp(stem, "bodie") == 0)
                return true;
        }
    }
    return false;
}

bool camas_understand_asks_every_body(const char *question)
{
    static const char *const every[] = {"each",   "every", "chaque", "all", "tous",
                                        "toutes", "three", "trois",  "3",   NULL};
    camas_token t[64];
    long n = camas_text_tokenize(question, t, 64);
    for (long i = 0; i + 1 < n && i < 64; i++) {
        if (!camas_text_in_words(t[i].text, every))
            continue;
        /* "chaque organisme", "all three bodies", "tous les organismes", "les 3 groupes" */
        for (long j = i + 1; j < n && j <= i + 3; j++) {
            char one[CAMAS_TOKEN_MAX + 1];
            snprintf(one, sizeof one, "%s", t[j].text);
            size_t l = strlen(one);
            if (l > 3 && one[l - 1] == 's')
                one[l - 1] = '\0'; /* "organismes", "groups" */
            if (strcmp(t[j].text, "bodies") == 0)
                snprintf(one, sizeof one, "body");
            if (camas_text_in_words(one, camas_understand_body_heads))
                return true;
        }
    }
    return false;
}

/* How far below the best an entry about every body may be and still answer a question
 * that asks which body. */
#ifndef WHICH_OVERVIEW_GAP
#define WHICH_OVERVIEW_GAP 0.10f
#endif

/* "which group meets quarterly?", "quel groupe inclut la police de Seattle ?": a question
 * that asks which body (camas_understand_asks_which_body, checked by the caller), naming
 * none, is answered by telling the body. One body's entry may
 * be nearest only for the words the bodies share ("meets", "réunions": the Task Force's
 * meetings for "quarterly"); an entry about every body (body "all") near it states each
 * body's, so the asker reads which. It moves to the front when within WHICH_OVERVIEW_GAP of
 * the best and at min_score at least; returns whether the front entry is such an entry (moved
 * there, or the best already). */
bool camas_understand_overview_for_which(const camas_understand *u, const char *question,
                                         camas_dense_hit *hits, size_t nh, float *score,
                                         bool *states, float min_score)
{
    const char *top = nh ? camas_dense_entry_body(u->dense, hits[0].entry_id) : NULL;
    /* a fact the best entry states ("which body is under RCW 7.68.801?") or a person or
     * office named ("which body is co-chaired by WARN?") already tells the body */
    char named[1][CAMAS_NAME_PHRASE_MAX];
    if (!top || states[0] || (u->names && u->names(u->names_ud, question, named, NULL, 1)))
        return false;
    /* already the entry about every body: it answers, however close the next one is */
    if (strcmp(top, "all") == 0)
        return hits[0].score >= min_score;
    for (size_t i = 1; i < nh && i < 6; i++) {
        const char *body = camas_dense_entry_body(u->dense, hits[i].entry_id);
        if (!body || strcmp(body, "all") != 0 || score[0] - score[i] > WHICH_OVERVIEW_GAP ||
            hits[i].score < min_score)
            continue;
        camas_dense_hit h = hits[i];
        float sc = score[i];
        bool st = states[i];
        memmove(hits + 1, hits, i * sizeof *hits);
        memmove(score + 1, score, i * sizeof *score);
        memmove(states + 1, states, i * sizeof *states);
        hits[0] = h, score[0] = sc, states[0] = st;
        if (u->trace)
            fprintf(u->trace, "WHICH\t%s\t%s\n", question, h.entry_id);
        return true;
    }
    return false;
}
