/* Meeting frequencies in yes/no questions and answers: which a normalised text names
 * ("quarterly", "tous les 3 mois", "montly" with its typo) and how many times a year that is.
 * Split out of yesno.c, which compares them. */
#include "yesno_internal.h"

#include "text.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Meeting frequencies, each a set of phrases in normalised text. */
static const char *const freq_phrases[][16] = {
    {"monthly", "every month", "each month", "once a month", "mensuel", "mensuelle", "mensuelles",
     "chaque mois", "tous les mois", "par mois", NULL},
    {"weekly", "every week", "each week", "hebdomadaire", "hebdomadaires", "chaque semaine",
     "toutes les semaines", "par semaine", NULL},
    {"quarterly", "every quarter", "every three months", "each quarter", "trimestriel",
     "trimestrielle", "trimestriels", "trimestrielles", "tous les trimestres", "chaque trimestre",
     "tous les trois mois", "every 3 months", "each 3 months", "tous les 3 mois",
     "tt les trimestres", NULL},
    {"yearly", "annually", "once a year", "once a yr", "annuel", "annuelle", "annuelles",
     "une fois par an", NULL},
    {"times a year", "times a yr", "times per year", "twice a year", "fois par an",
     "fois par annee", "times yearly", "times annually", "twice yearly", "thrice yearly",
     "thrice a year", "twice annually", NULL},
    {"daily", "every day", "each day", "chaque jour", "tous les jours", "quotidien", "quotidienne",
     NULL},
};
#define NFREQ        (sizeof freq_phrases / sizeof freq_phrases[0])
#define FREQ_TIMES   4     /* "times a year": its count is read before it */
#define FREQ_EVERY_N NFREQ /* a frequency in "every N months", read by every_n_rate */

bool camas_yesno_has_phrase(const char *norm, const char *phrase)
{
    size_t pl = strlen(phrase);
    for (const char *p = strstr(norm, phrase); p; p = strstr(p + 1, phrase)) {
        bool start = p == norm || !isalnum((unsigned char)p[-1]);
        bool end = !isalnum((unsigned char)p[pl]);
        if (start && end)
            return true;
    }
    return false;
}

/* A typo is in the words, never in a number: "every 6 months" is not "every 3 months". */
static bool same_digits(const char *w, size_t len, const char *phrase)
{
    const char *p = phrase;
    for (size_t i = 0; i < len; i++) {
        if (!isdigit((unsigned char)w[i]))
            continue;
        while (*p && !isdigit((unsigned char)*p))
            p++;
        if (*p++ != w[i])
            return false;
    }
    while (*p && !isdigit((unsigned char)*p))
        p++;
    return *p == '\0';
}

/* Does normalised text start with the unit, in the singular or plural ("months", not
 * "weekend")? */
static bool unit_is(const char *text, const char *unit)
{
    size_t ul = strlen(unit);
    if (strncmp(text, unit, ul) != 0)
        return false;
    if (text[ul] == 's' || text[ul] == 'x')
        ul++;
    return !isalnum((unsigned char)text[ul]);
}

/* "every 6 months", "tous les deux mois", "every other week": times a year, or 0. */
static int every_n_rate(const char *norm)
{
    static const char *const every[] = {"every ", "each ", "tous les ", "toutes les ", NULL};
    static const struct {
        const char *word;
        int n;
    } counts[] = {{"other", 2}, {"two", 2},   {"three", 3},  {"four", 4},    {"six", 6},
                  {"deux", 2},  {"trois", 3}, {"quatre", 4}, {"twelve", 12}, {"douze", 12}};
    for (size_t e = 0; every[e]; e++)
        for (const char *p = strstr(norm, every[e]); p; p = strstr(p + 1, every[e])) {
            if (p != norm && isalnum((unsigned char)p[-1]))
                continue;
            const char *n = p + strlen(every[e]);
            int count = 0;
            if (isdigit((unsigned char)n[0])) {
                long v = strtol(n, NULL, 10); /* saturates: no overflow on a long run */
                count = v > 52 ? 53 : (int)v;
                while (isdigit((unsigned char)*n))
                    n++;
            } else {
                for (size_t k = 0; k < sizeof counts / sizeof *counts && !count; k++) {
                    size_t kl = strlen(counts[k].word);
                    if (strncmp(n, counts[k].word, kl) == 0 && n[kl] == ' ') {
                        count = counts[k].n;
                        n += kl;
                    }
                }
            }
            if (count < 1 || count > 52 || *n++ != ' ')
                continue;
            if (unit_is(n, "month") || unit_is(n, "mois"))
                return count <= 12 && 12 % count == 0 ? 12 / count : 0;
            if (unit_is(n, "week") || unit_is(n, "semaine"))
                return 52 / count;
            if (unit_is(n, "year") || unit_is(n, "an") || unit_is(n, "annee"))
                return -count; /* less than once a year: only unequal to a yearly rate */
        }
    return 0;
}

unsigned camas_yesno_freq_mask(const char *norm)
{
    unsigned m = every_n_rate(norm) ? 1u << FREQ_EVERY_N : 0;
    for (size_t f = 0; f < NFREQ; f++)
        for (size_t k = 0; freq_phrases[f][k]; k++)
            if (camas_yesno_has_phrase(norm, freq_phrases[f][k]))
                m |= 1u << f;
    return m;
}

unsigned camas_yesno_asked_freq_mask(const char *norm)
{
    unsigned m = camas_yesno_freq_mask(norm);
    /* a one-word frequency with a typo ("montly", "quaterly"): words of 6+ letters, one edit */
    for (const char *w = norm; *w;) {
        size_t wl = 0;
        while (isalnum((unsigned char)w[wl]))
            wl++;
        for (size_t f = 0; wl >= 6 && f < NFREQ; f++)
            for (size_t k = 0; freq_phrases[f][k]; k++) {
                const char *ph = freq_phrases[f][k];
                size_t pl = strlen(ph);
                if (w[0] == ph[0] && pl + 1 >= wl && pl <= wl + 1 && !strchr(ph, ' ') &&
                    camas_text_distance(w, wl, ph, pl, 1) <= 1)
                    m |= 1u << f;
            }
        /* ...and a phrase of several words with one ("tous les trimestre", "every mont") */
        size_t left = strlen(w);
        for (size_t f = 0; wl && f < NFREQ; f++)
            for (size_t k = 0; freq_phrases[f][k]; k++) {
                const char *ph = freq_phrases[f][k];
                size_t pl = strlen(ph);
                if (pl < 10 || !strchr(ph, ' ') || w[0] != ph[0])
                    continue;
                for (size_t len = pl - 1; len <= pl + 1 && len <= left; len++)
                    if (!isalnum((unsigned char)w[len]) && same_digits(w, len, ph) &&
                        camas_text_distance(w, len, ph, pl, 1) <= 1)
                        m |= 1u << f;
            }
        w += wl;
        while (*w && !isalnum((unsigned char)*w))
            w++;
    }
    return m;
}

/* The counts just before "times a year" ("two to three times a year": 2 and 3), so that
 * the other numbers of a long answer (a bill, "one survivor") are not read as its rate. */
static int times_a_year(const char *norm, int *least)
{
    static const char *const counts[] = {"one", "two",   "three",  "four",   "five", "six",
                                         "un",  "deux",  "trois",  "quatre", "cinq", "six",
                                         "",    "twice", "thrice", "",       "",     ""};
    const char *at = NULL;
    for (size_t k = 0; !at && freq_phrases[FREQ_TIMES][k]; k++) {
        const char *ph = freq_phrases[FREQ_TIMES][k];
        if (camas_yesno_has_phrase(norm, ph))
            at = strstr(norm, ph);
    }
    if (!at)
        return 0;
    /* "twice a year", "twice or thrice yearly": the count opens the phrase */
    int most = strncmp(at, "twice", 5) == 0 ? 2 : strncmp(at, "thrice", 6) == 0 ? 3 : 0;
    int fewest = most;
    char window[32];
    size_t start = at - norm > 28 ? (size_t)(at - norm) - 28 : 0;
    snprintf(window, sizeof window, "%.*s", (int)(at - norm - start), norm + start);
    for (size_t k = 0; k < sizeof counts / sizeof *counts; k++) {
        int n = (int)(k % 6) + 1;
        if (counts[k][0] && camas_yesno_has_phrase(window, counts[k])) {
            most = n > most ? n : most;
            fewest = !fewest || n < fewest ? n : fewest;
        }
    }
    for (const char *p = window; *p; p++)
        if (isdigit((unsigned char)*p) && (p == window || !isalnum((unsigned char)p[-1])) &&
            !isalnum((unsigned char)p[1])) {
            int n = *p - '0';
            most = n > most ? n : most;
            fewest = !fewest || n < fewest ? n : fewest;
        }
    *least = fewest;
    return most;
}

int camas_yesno_yearly_range(const char *norm, int *least)
{
    static const int rate[NFREQ] = {12, 52, 4, 1, 0, 365};
    unsigned m = camas_yesno_freq_mask(norm);
    *least = 0;
    if (m & (1u << FREQ_EVERY_N) && !(m & ~(1u << FREQ_EVERY_N)))
        return *least = every_n_rate(norm);
    /* "twice yearly" is a count of times, not "yearly" */
    if (m & (1u << FREQ_TIMES))
        return times_a_year(norm, least);
    for (size_t f = 0; f < NFREQ; f++)
        if (m & (1u << f))
            return rate[f] ? (*least = rate[f]) : times_a_year(norm, least);
    return 0;
}

int camas_yesno_yearly_rate(const char *norm)
{
    int least;
    return camas_yesno_yearly_range(norm, &least);
}

unsigned camas_yesno_written_freq_mask(const camas_yesno_context *c, const char *question)
{
    if (!c->as_written || c->as_written == question)
        return 0;
    char *wn = camas_text_normalize_dup(c->as_written);
    unsigned m = wn ? camas_yesno_asked_freq_mask(wn) : 0;
    free(wn);
    return m;
}

void camas_yesno_blank_times_count(camas_token *qt, size_t nq)
{
    static const char *const times[] = {"times", "fois", "x", NULL};
    static const char *const counts[] = {"one",  "two",   "three",  "four", "six",   "twelve", "un",
                                         "deux", "trois", "quatre", "six",  "douze", NULL};
    for (size_t i = 0; i + 1 < nq; i++)
        if (camas_text_in_words(qt[i + 1].text, times) &&
            (isdigit((unsigned char)qt[i].text[0]) || camas_text_in_words(qt[i].text, counts))) {
            snprintf(qt[i].text, sizeof qt[i].text, "times");
            qt[i].len = 5;
            qt[i].kind = CAMAS_TOK_WORD;
        }
}
