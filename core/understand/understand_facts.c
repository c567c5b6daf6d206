/* The facts of a text that tell a body as its wording cannot: numbers, e-mail addresses and
 * counts of things ("eight state agencies"), as the answers state them and questions repeat
 * them (camas_understand_text_facts). Split out of understand.c. */
#include "understand_internal.h"

#include "text.h"

#include <stdio.h>
#include <string.h>

const char *camas_understand_count_of(const camas_token *t, bool articles)
{
    static const char *const spelt[][3] = {
        {"one", "un", "1"},      {"two", "deux", "2"},     {"three", "trois", "3"},
        {"four", "quatre", "4"}, {"five", "cinq", "5"},    {"six", "six", "6"},
        {"seven", "sept", "7"},  {"eight", "huit", "8"},   {"nine", "neuf", "9"},
        {"ten", "dix", "10"},    {"eleven", "onze", "11"}, {"twelve", "douze", "12"}};
    static const char *const single[] = {"a", "an", "une", "single", "seul", "seule", NULL};
    if (t->kind == CAMAS_TOK_WORD && articles && camas_text_in_words(t->text, single))
        return "1";
    for (size_t i = 0; i < sizeof spelt / sizeof spelt[0]; i++)
        if (t->kind == CAMAS_TOK_NUMBER ? strcmp(t->text, spelt[i][2]) == 0
                                        : strcmp(t->text, spelt[i][0]) == 0 ||
                                              (articles && strcmp(t->text, spelt[i][1]) == 0) ||
                                              (i > 0 && strcmp(t->text, spelt[i][1]) == 0))
            return spelt[i][2];
    return NULL;
}

/* Adds fact to out (k of max written) unless there already; the new count. */
static size_t add_fact(char out[][CAMAS_TOKEN_MAX + 1], size_t k, size_t max, const char *fact)
{
    for (size_t j = 0; j < k; j++)
        if (strcmp(out[j], fact) == 0)
            return k;
    if (k < max)
        snprintf(out[k++], CAMAS_TOKEN_MAX + 1, "%s", fact);
    return k;
}

size_t camas_understand_text_facts(const char *text, bool articles, char out[][CAMAS_TOKEN_MAX + 1],
                                   size_t max)
{
    camas_token t[128];
    long n = camas_text_tokenize(text, t, 128);
    size_t k = 0;
    for (long i = 0; i < n && k < max; i++)
        if ((t[i].kind == CAMAS_TOK_NUMBER && t[i].len >= 2) || t[i].kind == CAMAS_TOK_EMAIL)
            k = add_fact(out, k, max, t[i].text);
    /* an address's provider ("@yahoo" of warntrafficking@yahoo.com), which a question tells a
     * body by ("the one with the yahoo email", "l'adresse yahoo"): the word next to a noun of
     * an address, in a question */
    static const char *const address_nouns[] = {"email",   "mail",   "courriel", "adresse",
                                                "address", "domain", "domaine",  NULL};
    for (long i = 0; i < n && k < max; i++) {
        char fact[CAMAS_TOKEN_MAX + 1];
        const char *at = t[i].kind == CAMAS_TOK_EMAIL ? strchr(t[i].text, '@') : NULL;
        if (at) {
            snprintf(fact, sizeof fact, "@%.*s", (int)strcspn(at + 1, "."), at + 1);
            k = add_fact(out, k, max, fact);
            continue;
        }
        if (!articles || t[i].kind != CAMAS_TOK_WORD || t[i].len < 3 ||
            camas_is_stopword(NULL, t[i].text) || camas_text_in_words(t[i].text, address_nouns))
            continue;
        bool by_noun = false;
        /* the noun right before it ("l'adresse yahoo") or a little after ("the yahoo email",
         * "the atg.wa.gov email") */
        for (long j = i - 1; j <= i + 3 && !by_noun; j++)
            by_noun = j >= 0 && j < n && j != i && camas_text_in_words(t[j].text, address_nouns);
        if (by_noun) {
            snprintf(fact, sizeof fact, "@%.*s", (int)(sizeof fact - 2), t[i].text);
            k = add_fact(out, k, max, fact);
        }
    }
    /* then the counts, after the numbers and addresses so that those always fit */
    static const char *const partitive[] = {"of", "de", "d", "des", "du", NULL};
    static const char *const time_units[] = {
        "times", "fois", "years",   "year",     "annees", "annee", "months", "month",  "mois",
        "weeks", "week", "semaine", "semaines", "days",   "jours", "hours",  "heures", NULL};
    for (long i = 0; i + 1 < n && k < max; i++) {
        const char *count = camas_understand_count_of(&t[i], articles);
        if (!count || camas_text_in_words(t[i + 1].text, partitive))
            continue; /* "one of the Task Force's duties", "un de chaque caucus" */
        /* the two words counted, their first five letters (plurals, both languages) */
        for (long j = i + 1, got = 0; j < n && j <= i + 3 && got < 2; j++) {
            /* (short words count nothing: "three co-chairs" counts the chairs) */
            if (t[j].kind != CAMAS_TOK_WORD || camas_is_stopword(NULL, t[j].text) ||
                (t[j].len < 4 && !camas_understand_count_of(&t[j], true)))
                continue;
            /* "two to three times": a range; "trois fois par an": how often, which the
             * meetings' readers weigh (yesno_freq.c), no thing counted */
            if (camas_understand_count_of(&t[j], true) ||
                camas_text_in_words(t[j].text, time_units))
                break;
            char fact[CAMAS_TOKEN_MAX + 1];
            snprintf(fact, sizeof fact, "#%s%.5s", count, t[j].text);
            k = add_fact(out, k, max, fact);
            got++;
        }
    }
    return k;
}
