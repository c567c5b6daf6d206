/* A body told only by how it meets ("celui qui se réunit tous les trimestres, il a été créé
 * quand ?", "the group that meets 2-3 times a year, who's on it?", "qui contacter pour le
 * groupe dont les réunions sont sur invitation uniquement ?"): no fact or name of one body
 * tells it, and the model reads every body's meetings alike. The description is a claim
 * only one body's answer about its meetings bears out (yes/no reading, worker_reply.c);
 * the question is then read with that body's name in its place. */
#include "worker_internal.h"

#include "log.h"
#include "text.h"
#include "util.h"
#include "yesno.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 64

/* A word of the question as written, and its folded form. */
struct raw_word {
    size_t at, len;
    char folded[32];
};

static bool is_separator(unsigned char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == ',' || ch == ';' ||
           ch == '?' || ch == '!' || ch == ':' || ch == '(' || ch == ')';
}

static size_t raw_words(const char *text, struct raw_word *w, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; text[i] && n < max;) {
        if (is_separator((unsigned char)text[i])) {
            i++;
            continue;
        }
        size_t start = i;
        while (text[i] && !is_separator((unsigned char)text[i]))
            i++;
        char word[64];
        snprintf(word, sizeof word, "%.*s", (int)(i - start < 63 ? i - start : 63), text + start);
        char *f = camas_text_normalize_dup(word);
        w[n].at = start;
        w[n].len = i - start;
        snprintf(w[n].folded, sizeof w[n].folded, "%s", f ? f : "");
        free(f);
        n++;
    }
    return n;
}

static bool in_list(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(w, *list) == 0)
            return true;
    return false;
}

/* The nouns (or pronouns) a description follows, the relatives that open it, and the words
 * that make it about meetings (the only answer it is checked against). */
static const char *const heads[] = {"group",     "committee", "body",  "one",   "groupe", "comite",
                                    "organisme", "instance",  "celui", "celle", NULL};
static const char *const relatives[] = {"that", "which", "who", "whose", "qui", "dont", NULL};
static const char *const meeting[] = {
    "meet",      "meets",       "meeting",  "meetings", "reunit",     "reunissent",
    "reunion",   "reunions",    "session",  "sessions", "seance",     "seances",
    "rencontre", "rencontrent", "together", "retrouve", "retrouvent", NULL};
/* a copula or auxiliary that, after the description's first words, says what is claimed or
 * asked of the body ("the group that meets 2-3 times a year is chaired by…") */
static const char *const copulas[] = {"is",   "are",   "was",     "were", "est",
                                      "sont", "etait", "etaient", NULL};
static const char *const articles[] = {"the", "le", "la", "l", "un", "une", "a", NULL};

bool camas_worker_name_described(struct worker *w, const camas_request *req, const char *lang,
                                 camas_buf *out)
{
    const char *text = req->text, *ids[1];
    if (camas_matcher_bodies(w->matcher, text, lang, ids, 1) != 0)
        return false; /* a body named: nothing to tell */
    struct raw_word wd[MAX_WORDS];
    size_t n = raw_words(text, wd, MAX_WORDS), head = n;
    for (size_t i = 0; i + 2 < n && head == n; i++)
        if (in_list(wd[i].folded, heads) && in_list(wd[i + 1].folded, relatives))
            head = i;
    if (head == n)
        return false;
    bool whose = in_list(wd[head + 1].folded, (const char *const[]){"whose", "dont", NULL});
    size_t first = head + 2, end = first, copulas_seen = 0;
    bool about_meetings = false;
    for (; end < n; end++) {
        if (in_list(wd[end].folded, copulas) && end > first && copulas_seen++ >= (whose ? 1u : 0u))
            break;
        about_meetings |= in_list(wd[end].folded, meeting);
        const char *after = text + wd[end].at + wd[end].len;
        if (*after == ',' || *after == '?' || *after == ';') {
            end++;
            break;
        }
    }
    /* what is asked besides the description: at least two words ("is [it] co-chaired by
     * WARN?" is not "is WashACT?") */
    size_t before = head - (head > 0 && in_list(wd[head - 1].folded, articles));
    if (!about_meetings || end <= first + 1 || before + n - end < 2)
        return false;
    /* the description as a claim, checked against each body's answer about its meetings */
    camas_buf claim = {0};
    camas_buf_printf(&claim, "%.*s ?", (int)(wd[end - 1].at + wd[end - 1].len - wd[first].at),
                     text + wd[first].at);
    const struct body *found = NULL;
    size_t holds = 0;
    const camas_request *was = w->yesno_req;
    w->yesno_req = req;
    for (size_t b = 0; b < w->n_bodies && holds < 2; b++) {
        char *answer = camas_worker_about(w, w->bodies[b].id, lang, CAMAS_YESNO_MEETS);
        if (answer && camas_worker_claim_verdict(w, camas_buf_cstr(&claim), answer, lang) == 1) {
            found = &w->bodies[b];
            holds++;
        }
        free(answer);
    }
    w->yesno_req = was;
    camas_buf_free(&claim);
    int fr = camas_worker_lang_index(lang);
    const char *name = found ? found->short_[fr] ? found->short_[fr] : found->name[fr] : NULL;
    if (holds != 1 || !name)
        return false;
    /* the description, its noun and the noun's article, give way to the body's name */
    size_t from = wd[before].at;
    size_t to = wd[end - 1].at + wd[end - 1].len;
    camas_buf_reset(out);
    camas_buf_printf(out, "%.*s%s%s", (int)from, text, name, text + to);
    log_debug("worker", "a body told by its meetings: read as \"%s\"", camas_buf_cstr(out));
    return true;
}
