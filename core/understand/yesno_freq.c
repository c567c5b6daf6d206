/* Meeting frequencies in yes/no questions and answers: which a normalised text names
 * ("quarterly", "tous les 3 mois", "montly" with its typo) and how many times a year that is.
 * Split out of yesno.c, which compares them. */
#include "yesno_internal.h"

#include "text.h"

#include <ctype.h>
#include <stdbool.h>
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
     "fois par annee", NULL},
    {"daily", "every day", "each day", "chaque jour", "tous les jours", "quotidien", "quotidienne",
     NULL},
};
#define NFREQ (sizeof freq_phrases / sizeof freq_phrases[0])

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

unsigned camas_yesno_freq_mask(const char *norm)
{
    unsigned m = 0;
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
                    if (!isalnum((unsigned char)w[len]) &&
                        camas_text_distance(w, len, ph, pl, 1) <= 1)
                        m |= 1u << f;
            }
        w += wl;
        while (*w && !isalnum((unsigned char)*w))
            w++;
    }
    return m;
}

int camas_yesno_yearly_rate(const char *norm)
{
    static const int rate[NFREQ] = {12, 52, 4, 1, 0, 365};
    static const char *const counts[] = {"one", "two",  "three", "four",   "five", "six",
                                         "un",  "deux", "trois", "quatre", "cinq", "six"};
    unsigned m = camas_yesno_freq_mask(norm);
    for (size_t f = 0; f < NFREQ; f++) {
        if (!(m & (1u << f)))
            continue;
        if (rate[f])
            return rate[f];
        /* "two to three times a year": the most it says */
        int most = 0;
        for (size_t k = 0; k < sizeof counts / sizeof *counts; k++)
            if (camas_yesno_has_phrase(norm, counts[k]) && (int)(k % 6) + 1 > most)
                most = (int)(k % 6) + 1;
        for (const char *p = norm; *p; p++)
            if (isdigit((unsigned char)*p) && (p == norm || !isalnum((unsigned char)p[-1])) &&
                !isalnum((unsigned char)p[1]) && *p - '0' > most)
                most = *p - '0';
        return most ? most : (camas_yesno_has_phrase(norm, "twice a year") ? 2 : 0);
    }
    return 0;
}
