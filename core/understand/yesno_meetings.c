/* Where a question tells a body only by how it meets ("the group that meets 2-3 times a
 * year, who's on it?", "qui contacter pour le groupe dont les réunions sont sur invitation
 * uniquement ?"): the description's span and the claim it makes, found in the text as
 * written so that the worker can check the claim against each body's answer about its
 * meetings and put the body's name in its place (worker_described.c). Text only: no
 * knowledge is read here. */
#include "yesno.h"

#include "text.h"

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
        /* into the word's own buffer: this runs on every question that names no body */
        w[n].at = start;
        w[n].len = i - start;
        if (camas_text_normalize(text + start, i - start < 63 ? i - start : 63, w[n].folded,
                                 sizeof w[n].folded) < 0)
            w[n].folded[0] = '\0';
        /* "l'organisme": the noun, its article elided into the word */
        if (strncmp(w[n].folded, "l ", 2) == 0)
            memmove(w[n].folded, w[n].folded + 2, strlen(w[n].folded + 2) + 1);
        n++;
    }
    return n;
}

/* The nouns (or pronouns) a description follows, the relatives that open it, and the words
 * that make it about meetings (the only answer it is checked against). */
static const char *const heads[] = {
    "group",        "committee",    "body",   "one",       "groupe", "comite", "organisme",
    "instance",     "celui",        "celle",  "grp",       "org",    "entity", "entite",
    "organization", "organisation", "agency", "structure", NULL};
static const char *const relatives[] = {"that", "which", "who",  "whose", "where",
                                        "qui",  "ki",    "dont", "ou",    NULL};
static const char *const meeting[] = {
    "meet",      "meets",       "meeting",  "meetings", "reunit",     "reunissent",
    "reunion",   "reunions",    "session",  "sessions", "seance",     "seances",
    "rencontre", "rencontrent", "together", "retrouve", "retrouvent", NULL};
/* a copula that, after the description's first words, says what is claimed or asked of
 * the body ("the group that meets 2-3 times a year is chaired by…"); after "whose"/"dont"
 * the first one is the description's own ("whose meetings are invitation-only") */
static const char *const copulas[] = {"is",   "are",   "was",     "were", "est",
                                      "sont", "etait", "etaient", NULL};
static const char *const articles[] = {"the", "le", "la", "l", "un", "une", "a", NULL};

/* "Which group meets every quarter to …?", "quel groupe réunit ses membres chaque trimestre
 * pour … ?": asks which body the rest of the question describes. The which-word and the
 * noun are replaced by the body's name, and the rest is the claim, to the end. meetings: the
 * rest must be about meetings or their access (or, false, must not: what a body does). */
static bool which_span(const struct raw_word *wd, size_t n, bool meetings, camas_yesno_span *out)
{
    static const char *const which[] = {"which", "what",    "quel", "quelle",
                                        "quels", "quelles", NULL};
    /* "lequel est sur invitation ?": the which-word is the noun too */
    static const char *const which_alone[] = {"lequel", "laquelle", "lesquels", "lesquelles", NULL};
    if (n < 3)
        return false;
    bool alone = camas_text_in_words(wd[0].folded, which_alone);
    /* "lequel des organismes …", "which of them …", "laquelle de ces instances …": the
     * partitive and the words of the bodies it points to are the noun */
    static const char *const partitive[] = {"des", "de", "d", "of", NULL};
    static const char *const pointed[] = {
        "the",       "these",   "those",   "them",       "three",  "3",      "ces",
        "les",       "eux",     "entre",   "trois",      "bodies", "groups", "organismes",
        "instances", "groupes", "comites", "committees", NULL};
    size_t noun = !alone ? 1 : 0;
    if (n > 3 && camas_text_in_words(wd[1].folded, partitive) &&
        (alone || camas_text_in_words(wd[0].folded, which))) {
        noun = 2;
        while (noun + 2 < n && noun < 5 && camas_text_in_words(wd[noun + 1].folded, pointed))
            noun++;
        if (!alone && !camas_text_in_words(wd[noun].folded, pointed))
            return false;
    }
    if (n < 3 + noun || (!alone && !camas_text_in_words(wd[0].folded, which)) ||
        (!alone && noun == 1 && !camas_text_in_words(wd[1].folded, heads)) ||
        camas_text_in_words(wd[noun + 1].folded, relatives))
        return false;
    /* a second which-word asks of two bodies ("lequel … et lequel …") */
    for (size_t i = noun + 1; i < n; i++)
        if (camas_text_in_words(wd[i].folded, which) ||
            camas_text_in_words(wd[i].folded, which_alone))
            return false;
    /* a comparison between the bodies is not a description of one ("which body meets most
     * often?") */
    static const char *const comparing[] = {"most",  "least", "more", "less",    "plus",
                                            "moins", "first", "last", "premier", NULL};
    /* ...or their access ("which group is invitation-only?") */
    static const char *const access[] = {"invitation", "invitation-only", "invite-only", NULL};
    bool about_meetings = false;
    for (size_t i = noun + 1; i < n; i++) {
        if (camas_text_in_words(wd[i].folded, comparing))
            return false;
        about_meetings |=
            camas_text_in_words(wd[i].folded, meeting) || camas_text_in_words(wd[i].folded, access);
    }
    if (meetings != about_meetings)
        return false;
    out->from = wd[0].at;
    out->to = wd[noun].at + wd[noun].len;
    out->claim = wd[noun + 1].at;
    out->claim_to = wd[n - 1].at + wd[n - 1].len;
    return true;
}

bool camas_yesno_which_span(const char *text, camas_yesno_span *out)
{
    struct raw_word wd[MAX_WORDS];
    size_t n = raw_words(text, wd, MAX_WORDS);
    return which_span(wd, n, false, out);
}

/* "the invitation-only group, who convened it?", "le groupe sur invitation uniquement, qui
 * l'a convoqué ?": a body told by its meetings' access, in the noun phrase itself. The claim
 * is the access words; the span the article, the noun and them. */
static bool invitation_description(const struct raw_word *wd, size_t n, camas_yesno_span *out)
{
    static const char *const before[] = {"invitation-only", "invite-only", "invitation", NULL};
    static const char *const only[] = {"only", "uniquement", "seulement", NULL};
    for (size_t i = 0; i + 1 < n; i++) {
        if (!camas_text_in_words(wd[i].folded, heads))
            continue;
        size_t from = i, to = i, claim = n, claim_to = n;
        if (i > 0 && camas_text_in_words(wd[i - 1].folded, before)) {
            from = claim = claim_to = i - 1;
        } else if (i + 2 < n && strcmp(wd[i + 1].folded, "sur") == 0 &&
                   strcmp(wd[i + 2].folded, "invitation") == 0) {
            claim = i + 1;
            to = claim_to = i + 2 + (i + 3 < n && camas_text_in_words(wd[i + 3].folded, only));
        } else {
            continue;
        }
        if (from > 0 && camas_text_in_words(wd[from - 1].folded, articles))
            from--;
        if (n - (to - from + 1) < 2)
            return false; /* nothing asked besides */
        out->from = wd[from].at;
        out->to = wd[to].at + wd[to].len;
        out->claim = wd[claim].at;
        out->claim_to = wd[claim_to].at + wd[claim_to].len;
        return true;
    }
    return false;
}

bool camas_yesno_meetings_description(const char *text, camas_yesno_span *out)
{
    struct raw_word wd[MAX_WORDS];
    size_t n = raw_words(text, wd, MAX_WORDS), head = n;
    if (which_span(wd, n, true, out) || invitation_description(wd, n, out))
        return true;
    for (size_t i = 0; i + 2 < n && head == n; i++)
        if (camas_text_in_words(wd[i].folded, heads) &&
            camas_text_in_words(wd[i + 1].folded, relatives))
            head = i;
    if (head == n)
        return false;
    bool whose = camas_text_in_words(wd[head + 1].folded,
                                     (const char *const[]){"whose", "dont", "where", "ou", NULL});
    size_t first = head + 2, end = first, copulas_seen = 0;
    bool about_meetings = false;
    for (; end < n; end++) {
        /* ...or a compound past ("a été réautorisé", "ont été", "has been") */
        bool compound = end + 1 < n && strcmp(wd[end + 1].folded, "ete") == 0 &&
                        (strcmp(wd[end].folded, "a") == 0 || strcmp(wd[end].folded, "ont") == 0);
        compound |= end + 1 < n && strcmp(wd[end + 1].folded, "been") == 0;
        if ((camas_text_in_words(wd[end].folded, copulas) || compound) && end > first &&
            copulas_seen++ >= (whose ? 1u : 0u))
            break;
        about_meetings |= camas_text_in_words(wd[end].folded, meeting);
        const char *after = text + wd[end].at + wd[end].len;
        if (*after == ',' || *after == '?' || *after == ';' || *after == ':') {
            end++;
            break;
        }
    }
    /* what is asked besides the description: at least two words ("is [it] co-chaired by
     * WARN?" is not "is WashACT?") */
    size_t before = head - (head > 0 && camas_text_in_words(wd[head - 1].folded, articles));
    if (!about_meetings || end <= first + 1 || before + n - end < 2)
        return false;
    out->from = wd[before].at;
    out->claim = wd[first].at;
    out->to = out->claim_to = wd[end - 1].at + wd[end - 1].len;
    return true;
}
