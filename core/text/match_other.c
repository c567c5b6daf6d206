/* Questions about some other group that shares the bodies' common nouns: "what did the covid
 * task force recommend?", "le comité d'entreprise se réunit quand ?", "comment créer un groupe
 * de travail sur Teams ?". Each names a task force, committee or meeting only by such a noun,
 * and qualifies it with a word no body's name holds; the scope classifier, which reads
 * "task force" and "réunion" as in scope, would have them answered about the Task Force.
 * Read in the worker, with the knowledge's vocabulary (the matcher) and the real words. */
#include "lexicon.h"
#include "match.h"
#include "text.h"

#include <stdlib.h>
#include <string.h>

/* Nouns the bodies share with every other group. */
static const char *const group_nouns[] = {
    "force",  "committee", "committees", "comite",  "comites",  "commission", "travail",  "group",
    "groups", "groupe",    "groupes",    "meeting", "meetings", "reunion",    "reunions", NULL};

/* Words that go with those nouns without telling another group, among the real words the
 * knowledge may not use: articles, prepositions, whose it is, when it is. "task" is the
 * other half of "task force". */
static const char *const plain[] = {
    "the", "a", "an", "this", "that", "these", "those", "its", "their", "next", "last", "first",
    "task", "working", "which", "what", "whose", "each", "every", "le", "la", "l", "les", "un",
    "une", "ce", "cet", "cette", "ces", "son", "sa", "ses", "leur", "leurs", "quel", "quelle",
    "quels", "quelles", "chaque", "de", "des", "du", "d", "en", "sur", "on", "of", "for", "in",
    "about", "pour", "with", "avec", "to", "au", "aux", "et", "and", "or", "ou", "s", "is", "are",
    "est", "sont", "nos", "notre", "our", "my", "mon", "ma", "mes", "votre", "your", "vos",
    /* "la réunion de juin", "the March meeting" */
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "janvier", "fevrier", "mars", "avril", "mai", "juin",
    "juillet", "aout", "septembre", "octobre", "novembre", "decembre", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "lundi", "mardi", "mercredi", "jeudi",
    "vendredi", "samedi", "dimanche", "today", "tomorrow", "tonight", "week", "month", "year",
    "aujourd", "hui", "demain", "soir", "semaine", "mois", "annee", NULL};

/* The words before a complement's noun ("sur le climat", "of the HOA"). */
static const char *const determiners[] = {
    "the",   "a",    "an",  "this", "that", "these", "those", "its",   "their",
    "le",    "la",   "l",   "les",  "un",   "une",   "ce",    "cet",   "cette",
    "ces",   "son",  "sa",  "ses",  "leur", "leurs", "nos",   "notre", "our",
    "votre", "your", "vos", "my",   "mon",  "ma",    "mes",   NULL};

/* What the asker's own group is told by: "my company's", "ma boîte", "mon village" (not
 * "our", "notre": staff speak of their body so). */
static const char *const own[] = {"my", "mon", "ma", "mes", NULL};

/* Prepositions that put a complement after the noun ("comité d'entreprise", "groupe de
 * travail sur le climat", "task force on covid"). */
static const char *const after[] = {"de", "des", "du", "d", "sur", "on", "for", "of", NULL};

struct reader {
    const camas_matcher *m;
    const camas_lexicon *lex;
    bool (*body_word)(void *ud, const char *word, const char *lang);
    void *ud;
};

/* A word that tells a group apart: a real word (not a typo: "tsk force") that the knowledge
 * never uses, neither plain nor in any body's name ("covid", "entreprise", "climat",
 * "fetes"; not "invitation", "federal", "yearly", "compensation", which describe a body). */
static bool foreign(const struct reader *r, const camas_token *t, const char *lang)
{
    return t->kind == CAMAS_TOK_WORD && t->len > 2 && !camas_text_in_words(t->text, plain) &&
           !camas_text_in_words(t->text, group_nouns) && !r->body_word(r->ud, t->text, lang) &&
           camas_lexicon_has(r->lex, t->text, t->len) && !camas_matcher_knows(r->m, t->text, lang);
}

bool camas_matcher_other_group(const camas_matcher *m, const camas_lexicon *lex,
                               const char *question, const char *lang,
                               bool (*body_word)(void *ud, const char *word, const char *lang),
                               void *ud)
{
    struct reader r = {m, lex, body_word, ud};
    if (!question || !lang || !body_word)
        return false;
    char *qn = camas_text_normalize_dup(question);
    camas_token *t = qn ? malloc(64 * sizeof *t) : NULL;
    size_t n = t ? camas_tokenize(qn, t, 64) : 0;
    if (n > 64)
        n = 64;
    bool nouns = false, other = false, specific = false;
    for (size_t i = 0; i < n; i++) {
        bool noun = camas_text_in_words(t[i].text, group_nouns);
        /* a word of a body's own name besides the shared nouns ("CSEC", "trafficking",
         * "WashACT", "Washington"): the question is about that body */
        if (!noun && !camas_text_in_words(t[i].text, plain) && body_word(ud, t[i].text, lang))
            specific = true;
        if (!noun)
            continue;
        nouns = true;
        /* "covid task force", "HOA committee": a word before the noun (in English) */
        size_t before = i;
        if (before && strcmp(t[before - 1].text, "task") == 0)
            before--; /* "task force" */
        if (strcmp(lang, "fr") != 0 && before && foreign(&r, &t[before - 1], lang))
            other = true;
        /* "my company's task force", "ma boîte": the asker's own group, two words before */
        for (size_t k = before >= 3 ? before - 3 : 0; k < before; k++)
            if (camas_text_in_words(t[k].text, own))
                other = true;
        /* "comité d'entreprise", "groupe de travail sur le climat": a complement after it */
        size_t j = i + 1;
        if (strcmp(t[i].text, "groupe") == 0 && j + 1 < n && strcmp(t[j].text, "de") == 0 &&
            strcmp(t[j + 1].text, "travail") == 0)
            continue; /* "travail" follows, as its own noun */
        if (j < n && camas_text_in_words(t[j].text, after)) {
            j++;
            /* past its determiners only: after "la réunion de demain, rappelle-moi…" the
             * complement is "demain", and what follows is another clause */
            while (j < n && camas_text_in_words(t[j].text, determiners) &&
                   !camas_text_in_words(t[j].text, own))
                j++;
            if (j < n && camas_text_in_words(t[j].text, own))
                other = true;
            else if (j < n && foreign(&r, &t[j], lang))
                other = true;
        }
    }
    free(t);
    free(qn);
    return nouns && other && !specific;
}
