/* A question in its conversation (understand.h, camas_understand_ask): what the same asker
 * asked just before completes a follow-up ("and for WashACT?", "et leur email ?", "on peut
 * assister aux réunions ?" after "c'est quoi le WashACT"). Split out of understand.c. */
#include "understand_internal.h"

#include "text.h"
#include "util.h"

#include <string.h>

/* A follow-up naming another body takes the previous question's best entry about it from
 * this cosine on. */
#define FOLLOWUP_MIN 0.85f
#ifndef ASKS_ON_ITS_OWN_MIN
#define ASKS_ON_ITS_OWN_MIN 4
#endif

/* Does the question open like a follow-up of the previous one ("and for WashACT?", "et leur
 * email ?", "what about the task force?")? */
static bool opens_as_followup(const char *question)
{
    static const char *const cues[] = {"and ",     "et ",     "what about", "how about",
                                       "same for", "pareil",  "aussi pour", "also for",
                                       "and for",  "et pour", "ok and",     "ok et"};
    char norm[512];
    long n = camas_text_normalize(question, strnlen(question, 400), norm, sizeof norm);
    if (n <= 0)
        return false;
    for (size_t i = 0; i < sizeof cues / sizeof cues[0]; i++)
        if (strncmp(norm, cues[i], strlen(cues[i])) == 0)
            return true;
    return false;
}

/* Does the question hold nothing but question words and little words ("par qui ?", "when
 * then?", "et ?")? Alone it asks nothing, whatever entry its words happen to be near. */
static bool asks_nothing_alone(const char *question, const char *lang)
{
    camas_token t[16];
    long n = camas_text_tokenize(question, t, 16);
    if (n <= 0 || n > 6)
        return false;
    for (long i = 0; i < n; i++)
        if (!camas_is_stopword(lang, t[i].text) && !camas_is_question_word(lang, t[i].text))
            return false;
    return true;
}

/* Does a follow-up ask a question of its own, not about what the previous answer said
 * ("when?", "and what's his job?" after "who chairs the task force?")? Five words or more,
 * none pointing at a person. */
static bool asks_on_its_own(const char *question)
{
    static const char *const person[] = {"his", "her", "him", "he",   "she", "son",
                                         "sa",  "ses", "lui", "elle", NULL};
    camas_token t[16];
    long n = camas_text_tokenize(question, t, 16);
    if (n < ASKS_ON_ITS_OWN_MIN)
        return false;
    for (long i = 0; i < n && i < 16; i++)
        for (size_t k = 0; person[k]; k++)
            if (strcmp(t[i].text, person[k]) == 0)
                return false;
    return true;
}

/* Does the question ask something with a question word of its own ("and the task force, how
 * often does it meet?"), not only "what about…"? */
static bool has_own_question_word(const char *question, const char *lang)
{
    camas_token t[16];
    long n = camas_text_tokenize(question, t, 16);
    for (long i = 0; i < n; i++)
        if (camas_is_question_word(lang, t[i].text) &&
            !(i + 1 < n && strcmp(t[i + 1].text, "about") == 0))
            return true;
    return false;
}

void camas_understand_ask(camas_understand *u, const camas_matcher *m, const char *question,
                          const char *prev, const char *lang, camas_match_filter f, void *ud,
                          camas_understanding *out, struct camas_buf *understood)
{
    camas_understand_query(u, m, question, lang, f, ud, out);
    if (!prev || !*prev)
        return;
    /* Without an opening like "and…", the context only helps a question not understood
     * alone ("their e-mail?"): a question answered alone is answered alone. */
    bool cue = opens_as_followup(question) || asks_nothing_alone(question, lang);
    const char *qb[4], *pb[4];
    size_t nqb = camas_matcher_bodies(m, question, lang, qb, 4);
    size_t npb = camas_matcher_bodies(m, prev, lang, pb, 4);
    /* ...unless it names no body and is answered about another body than the one the
     * previous question named ("qui peut venir aux réunions ?" after "c quoi WashACT"): the
     * asker goes on about that one */
    const char *answered = out->decision == CAMAS_DECIDE_ANSWER
                               ? camas_dense_entry_body(u->dense, out->options[0].entry_id)
                               : NULL;
    bool elsewhere = answered && nqb == 0 && npb == 1 && strcmp(pb[0], "all") != 0 &&
                     strcmp(answered, pb[0]) != 0;
    /* ...the same when it is answered about every body ("can anyone just show up to those
     * meetings?" after "when do WashACT members meet?"): it asks that of the previous
     * question's body alone */
    bool of_all = elsewhere && strcmp(answered, "all") == 0;
    if (!cue && out->decision == CAMAS_DECIDE_ANSWER && !elsewhere)
        return;
    /* "and for WashACT?" after "who chairs the task force?": the previous question about
     * the bodies the follow-up names; "and their e-mail?": both together */
    bool other_body = nqb > 0 && (npb == 0 || strcmp(qb[0], pb[0]) != 0);
    /* ...but "and the task force, how often does it meet?" asks its own question of the body
     * it names, answered alone */
    if (other_body && nqb == 1 && answered && strcmp(answered, qb[0]) == 0 &&
        asks_on_its_own(question) && has_own_question_word(question, lang))
        return;
    camas_buf joined = {0};
    camas_buf_printf(&joined, "%s %s", question, prev);
    camas_understanding follow;
    /* a follow-up that asks a whole question of its own about the same body ("et par quel
     * bureau il est convoqué ?" after "quand a été créé le comité CSEC ?") is that question
     * among the body's entries: joined, the previous question's words would win */
    bool own = false;
    if (!other_body && npb == 1 && (of_all || asks_on_its_own(question))) {
        camas_understand_query_bodies(u, m, question, prev, lang, f, ud, &follow);
        own = follow.decision == CAMAS_DECIDE_ANSWER;
    }
    if (!own)
        camas_understand_query_bodies(u, m, other_body ? prev : camas_buf_cstr(&joined),
                                      other_body ? question : prev, lang, f, ud, &follow);
    /* The previous question about another body reads less like that body's own examples:
     * its best entry, if near enough, is the answer (the asker said which body). */
    if (other_body && cue && follow.decision != CAMAS_DECIDE_ANSWER && follow.used_model &&
        follow.scope >= CAMAS_SCOPE_MIN && follow.confidence >= FOLLOWUP_MIN &&
        follow.options[0].entry_id) {
        follow.decision = CAMAS_DECIDE_ANSWER;
        follow.noptions = 1;
    }
    if (follow.decision == CAMAS_DECIDE_ANSWER ||
        (follow.decision == CAMAS_DECIDE_CLARIFY && out->decision == CAMAS_DECIDE_DECLINE)) {
        float danger = out->danger, kernel = out->danger_kernel; /* the message's own */
        *out = follow;
        out->danger = danger;
        out->danger_kernel = kernel;
        if (understood) {
            camas_buf_reset(understood);
            camas_buf_puts(understood, camas_buf_cstr(&joined));
        }
    }
    camas_buf_free(&joined);
}
