/* Yes/no verdicts from an answer's text (see yesno.h). The question's claims are compared
 * with the answer by kind: numbers (years apart from other numbers) and meeting frequencies
 * contradict when the answer gives another value of the same kind; every other content word
 * of the question must be in the answer (by stem) for a "yes". */
#include "yesno.h"

#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOK 96

static bool in_list(const char *w, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(w, *list) == 0)
            return true;
    return false;
}

/* Words that open a yes/no question (after normalisation: no accents, "isn't" -> "isn t"). */
static const char *const openers_en[] = {
    "is",   "are",  "was",  "were",  "does",   "do",    "did",  "can", "could", "has",
    "have", "had",  "will", "would", "should", "may",   "must", "isn", "aren",  "doesn",
    "don",  "didn", "wasn", "weren", "hasn",   "haven", "cant", NULL};
static const char *const openers_fr[] = {"est",     "sont", "a",      "ont",     "peut",
                                         "peuvent", "faut", "existe", "etait",   "etaient",
                                         "y",       "se",   "doit",   "doivent", NULL};
/* Verbs that make a French question said with rising intonation a yes/no one
 * ("WashACT c'est gratuit ?", "le comité se réunit chaque mois ?"). */
static const char *const verbs_fr[] = {
    "est",        "sont",     "ont",     "peut",     "peuvent",   "faut",     "existe", "reunit",
    "reunissent", "preside",  "fait",    "font",     "doit",      "doivent",  "ouvert", "ouverte",
    "ouverts",    "ouvertes", "gratuit", "gratuite", "gratuites", "gratuits", NULL};

bool camas_yesno_question(const char *question, const char *lang)
{
    camas_token t[MAX_TOK];
    long n = camas_text_tokenize(question, t, MAX_TOK);
    if (n <= 0)
        return false;
    bool fr = lang && strcmp(lang, "fr") == 0;
    /* "est-ce que", "est-ce qu'" */
    if (fr && n >= 3 && strcmp(t[0].text, "est") == 0 && strcmp(t[1].text, "ce") == 0 &&
        (strcmp(t[2].text, "que") == 0 || strcmp(t[2].text, "qu") == 0))
        return true;
    for (long i = 0; i < n; i++) {
        if (fr && i > 0 && strcmp(t[i].text, "ou") == 0)
            continue; /* "ou" (or) is not "où" once accents are gone */
        if (camas_is_question_word(lang, t[i].text))
            return false;
    }
    if (in_list(t[0].text, fr ? openers_fr : openers_en))
        return true;
    if (!fr)
        return false;
    const char *q = strrchr(question, '?');
    if (!q)
        return false;
    for (long i = 0; i < n; i++)
        if (in_list(t[i].text, verbs_fr))
            return true;
    return false;
}

/* Meeting frequencies, each a set of phrases in normalised text. */
static const char *const freq_phrases[][12] = {
    {"monthly", "every month", "each month", "once a month", "mensuel", "mensuelle", "mensuelles",
     "chaque mois", "tous les mois", "par mois", NULL},
    {"weekly", "every week", "each week", "hebdomadaire", "hebdomadaires", "chaque semaine",
     "toutes les semaines", "par semaine", NULL},
    {"quarterly", "every quarter", "every three months", "each quarter", "trimestriel",
     "trimestrielle", "trimestriels", "trimestrielles", "tous les trimestres", "chaque trimestre",
     "tous les trois mois", NULL},
    {"yearly", "annually", "once a year", "annuel", "annuelle", "annuelles", "une fois par an",
     NULL},
    {"times a year", "twice a year", "fois par an", NULL},
    {"daily", "every day", "each day", "chaque jour", "tous les jours", "quotidien", "quotidienne",
     NULL},
};
#define NFREQ (sizeof freq_phrases / sizeof freq_phrases[0])

static bool has_phrase(const char *norm, const char *phrase)
{
    size_t pl = strlen(phrase);
    for (const char *p = strstr(norm, phrase); p; p = strstr(p + 1, phrase)) {
        bool start = p == norm || p[-1] == ' ';
        bool end = p[pl] == '\0' || p[pl] == ' ' || p[pl] == '?' || p[pl] == '.' || p[pl] == ',';
        if (start && end)
            return true;
    }
    return false;
}

static unsigned freq_mask(const char *norm)
{
    unsigned m = 0;
    for (size_t f = 0; f < NFREQ; f++)
        for (size_t k = 0; freq_phrases[f][k]; k++)
            if (has_phrase(norm, freq_phrases[f][k]))
                m |= 1u << f;
    return m;
}

static bool is_year(const camas_token *t)
{
    return t->kind == CAMAS_TOK_NUMBER && t->len == 4 &&
           (strncmp(t->text, "19", 2) == 0 || strncmp(t->text, "20", 2) == 0);
}

/* Words a membership or yes/no question carries without claiming anything ("is WARN
 * part of WashACT?", "is it true that…"). */
static const char *const weak_words[] = {
    "part",      "member",       "members",      "membre",    "membres",
    "partie",    "involved",     "include",      "includes",  "included",
    "inclus",    "incluse",      "among",        "parmi",     "one",
    "true",      "vrai",         "really",       "vraiment",  "actually",
    "still",     "encore",       "also",         "aussi",     "it",
    "there",     "they",         "them",         "their",     "ils",
    "elles",     "leur",         "leurs",        "cela",      "ca",
    "c",         "ce",           "body",         "group",     "groupe",
    "organisme", "organization", "organisation", "committee", "comite",
    "t",         "il",           "elle",         NULL};

int camas_yesno_verdict(camas_stemmer *st, const char *question, const char *answer,
                        const char *lang)
{
    char *qn = camas_text_normalize_dup(question), *an = camas_text_normalize_dup(answer);
    camas_token *qt = malloc(MAX_TOK * sizeof *qt), *at = malloc(4 * MAX_TOK * sizeof *at);
    int verdict = 0;
    if (!qn || !an || !qt || !at)
        goto out;
    size_t nq = camas_tokenize(qn, qt, MAX_TOK), na = camas_tokenize(an, at, 4 * MAX_TOK);
    if (nq > MAX_TOK)
        nq = MAX_TOK;
    if (na > 4 * MAX_TOK)
        na = 4 * MAX_TOK;
    /* frequencies: a different one in the answer is a "no" */
    unsigned qf = freq_mask(qn), af = freq_mask(an);
    if (qf && af && !(qf & af)) {
        verdict = -1;
        goto out;
    }
    /* access: "open to the public?" against "by invitation only" */
    static const char *const open_q[] = {"open",          "public",        "anyone",  "everyone",
                                         "ouvert",        "ouverte",       "ouverts", "ouvertes",
                                         "tout le monde", "n importe qui", NULL};
    static const char *const invite[] = {"invitation", NULL};
    static const char *const open_a[] = {"open to",   "ouvert",   "ouverte",
                                         "ouverts",   "ouvertes", "public may",
                                         "bienvenus", "welcome",  NULL};
    bool q_open = false, q_invite = false, a_open = false, a_invite = false;
    for (size_t k = 0; open_q[k]; k++)
        q_open |= has_phrase(qn, open_q[k]);
    q_invite = has_phrase(qn, invite[0]);
    for (size_t k = 0; open_a[k]; k++)
        a_open |= has_phrase(an, open_a[k]) || strstr(an, open_a[k]) != NULL;
    a_invite = has_phrase(an, invite[0]);
    if (q_open && !q_invite && a_invite) {
        verdict = a_open ? 0 : -1; /* both in the answer: it depends on which meetings */
        goto out;
    }
    bool all_found = true;
    size_t claims = 0;
    for (size_t i = 0; i < nq; i++) {
        const camas_token *t = &qt[i];
        if (t->kind == CAMAS_TOK_NUMBER) {
            bool found = false, same_kind = false;
            for (size_t k = 0; k < na; k++) {
                if (at[k].kind != CAMAS_TOK_NUMBER)
                    continue;
                found |= strcmp(at[k].text, t->text) == 0;
                same_kind |= is_year(&at[k]) == is_year(t);
            }
            if (!found && same_kind) {
                verdict = -1; /* another year, another number */
                goto out;
            }
            all_found &= found;
            claims++;
            continue;
        }
        if (i == 0 || t->len < 2 || camas_is_stopword(lang, t->text) ||
            camas_is_question_word(lang, t->text) || in_list(t->text, weak_words) ||
            in_list(t->text, openers_en) || in_list(t->text, openers_fr))
            continue;
        if (freq_mask(t->text))
            continue; /* compared as frequencies above */
        char qs[CAMAS_TOKEN_MAX + 1];
        if (!st || camas_stem(st, lang, t->text, qs, sizeof qs) < 0)
            snprintf(qs, sizeof qs, "%s", t->text);
        bool found = false;
        for (size_t k = 0; k < na && !found; k++) {
            char as[CAMAS_TOKEN_MAX + 1];
            if (!st || camas_stem(st, lang, at[k].text, as, sizeof as) < 0)
                snprintf(as, sizeof as, "%s", at[k].text);
            found = strcmp(qs, as) == 0;
        }
        all_found &= found;
        claims++;
    }
    if (qf && (qf & af))
        claims++;
    verdict = all_found && claims > 0 ? 1 : 0;
out:
    free(qn);
    free(an);
    free(qt);
    free(at);
    return verdict;
}
