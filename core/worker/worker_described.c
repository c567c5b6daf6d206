/* A body told only by how it meets ("celui qui se réunit tous les trimestres, il a été créé
 * quand ?", "the group that meets 2-3 times a year, who's on it?", "qui contacter pour le
 * groupe dont les réunions sont sur invitation uniquement ?", "which committee meets
 * quarterly?"): no fact or name of one body
 * tells it, and the model reads every body's meetings alike. The description (found by
 * camas_yesno_meetings_description) is a claim only one body's answer about its meetings
 * bears out (yes/no reading, worker_reply.c); the question is then read with that body's
 * name in its place. So is one told by what it does ("which group coordinates investigations
 * and prosecutions?", camas_yesno_which_span), against each body's answers about its duties
 * and its meetings, every word of the claim borne out. */
#include "worker_internal.h"

#include "log.h"
#include "text.h"
#include "util.h"
#include "yesno.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The one body whose answers about the topics bear the claim out, or NULL (none, or more
 * than one); strict: with every claim word (what a body does: the bodies' duties share most
 * of their words). */
static const struct body *one_body_bears(struct worker *w, const camas_request *req,
                                         const char *lang, const char *claim,
                                         const camas_yesno_topic *topics, size_t ntopics,
                                         bool strict)
{
    const struct body *found = NULL;
    size_t holds = 0;
    const camas_request *was = w->yesno_req;
    w->yesno_req = req;
    w->yesno_strict = strict;
    for (size_t b = 0; b < w->n_bodies && holds < 2; b++) {
        bool bears = false;
        for (size_t t = 0; t < ntopics && !bears; t++) {
            char *answer = camas_worker_about(w, w->bodies[b].id, lang, topics[t]);
            bears = answer && camas_worker_claim_verdict(w, claim, answer, lang) == 1;
            free(answer);
        }
        if (bears) {
            found = &w->bodies[b];
            holds++;
        }
    }
    w->yesno_req = was;
    w->yesno_strict = false;
    return holds == 1 ? found : NULL;
}

bool camas_worker_name_described(struct worker *w, const camas_request *req, const char *lang,
                                 camas_buf *out)
{
    const char *text = req->text, *ids[1];
    camas_yesno_span span;
    if (camas_matcher_bodies(w->matcher, text, lang, ids, 1) != 0)
        return false; /* a body named */
    /* "which group coordinates investigations and prosecutions?": what a body does (or,
     * as WashACT's members do it at their meetings, how it meets) tells it */
    static const camas_yesno_topic meets[] = {CAMAS_YESNO_MEETS},
                                   does[] = {CAMAS_YESNO_DUTIES, CAMAS_YESNO_MEETS};
    bool duties = false;
    if (!camas_yesno_meetings_description(text, &span)) {
        if (!camas_yesno_which_span(text, &span))
            return false; /* none told by its meetings or by what it does */
        duties = true;
    }
    /* "which group is open to the public?": WashACT's sessions are, its members' meetings
     * are not, and the CSEC Committee's are; no one body is, and the matcher's answer about
     * every body's meetings tells which (a description asked about, "the committee where the
     * public can observe the meetings: which bill created it?", is the one that fits best) */
    char *claimed = span.to <= span.claim ? camas_text_normalize_dup(text + span.claim) : NULL;
    bool open = claimed && camas_yesno_asks_if_open(claimed);
    free(claimed);
    if (open)
        return false;
    /* the description as a claim, checked against each body's answers on those topics */
    camas_buf claim = {0};
    /* access alone ("the invitation-only group", "which group is invitation-only?", "lequel
     * est sur invitation ?") is the members' meetings' */
    static const char *const copulas[] = {"is ", "are ", "est ", "sont ", NULL};
    for (size_t k = 0; copulas[k]; k++)
        if (span.claim_to - span.claim > strlen(copulas[k]) &&
            strncasecmp(text + span.claim, copulas[k], strlen(copulas[k])) == 0 &&
            (strncasecmp(text + span.claim + strlen(copulas[k]), "invit", 5) == 0 ||
             strncasecmp(text + span.claim + strlen(copulas[k]), "sur invit", 9) == 0))
            span.claim += strlen(copulas[k]);
    bool access_only =
        span.claim_to - span.claim < 40 && strncasecmp(text + span.claim, "invit", 5) == 0;
    bool sur = strncasecmp(text + span.claim, "sur invit", 9) == 0;
    camas_buf_printf(
        &claim, "%s%.*s ?",
        access_only || sur ? (camas_worker_lang_index(lang) ? "réunions " : "meetings ") : "",
        (int)(span.claim_to - span.claim), text + span.claim);
    const struct body *found = one_body_bears(w, req, lang, camas_buf_cstr(&claim),
                                              duties ? does : meets, duties ? 2 : 1, duties);
    camas_buf_free(&claim);
    int fr = camas_worker_lang_index(lang);
    const char *name = found ? found->short_[fr] ? found->short_[fr] : found->name[fr] : NULL;
    if (!name)
        return false;
    camas_buf_reset(out);
    camas_buf_printf(out, "%.*s%s%s", (int)span.from, text, name, text + span.to);
    /* "which group meets quarterly?" becomes "WashACT meets quarterly": a statement, so
     * that the answer names the body without a "Yes" to a question nobody asked */
    while (span.to <= span.claim && out->len &&
           (out->data[out->len - 1] == '?' || out->data[out->len - 1] == ' '))
        out->data[--out->len] = '\0';
    log_debug("worker", "a body told by %s: read as \"%s\"",
              duties ? "what it does" : "its meetings", camas_buf_cstr(out));
    return true;
}

bool camas_worker_name_third(struct worker *w, const char *text, const char *prev, const char *lang,
                             camas_buf *out)
{
    static const char *const third[] = {"third",    "3rd",     "troisieme", "3e",
                                        "3eme",     "last",    "remaining", "dernier",
                                        "derniere", "restant", NULL};
    const char *named[4], *before[4];
    if (!prev || w->n_bodies != 3 || camas_matcher_bodies(w->matcher, text, lang, named, 4))
        return false;
    camas_token t[16];
    long n = camas_text_tokenize(text, t, 16);
    bool cue = false;
    for (long i = 0; i < n && !cue; i++)
        cue = camas_text_in_words(t[i].text, third);
    size_t nb = cue ? camas_matcher_bodies(w->matcher, prev, lang, before, 4) : 0;
    if (nb != 2 || strcmp(before[0], "all") == 0 || strcmp(before[1], "all") == 0)
        return false; /* "the third" is the one of three the previous question left out */
    for (size_t b = 0; b < w->n_bodies; b++) {
        const char *id = w->bodies[b].id;
        if (strcmp(id, before[0]) == 0 || strcmp(id, before[1]) == 0)
            continue;
        int fr = camas_worker_lang_index(lang);
        const char *name =
            w->bodies[b].short_[fr] ? w->bodies[b].short_[fr] : w->bodies[b].name[fr];
        camas_buf_reset(out);
        camas_buf_printf(out, "%s (%s)", text, name);
        log_debug("worker", "the third body: read as \"%s\"", camas_buf_cstr(out));
        return true;
    }
    return false;
}
