/* Yes/no questions that compare two counts the answer gives ("does the task force have more
 * state agencies than member organizations?" against "eight state agencies ... 25
 * organizations", "a-t-il plus de législateurs que d'agences d'État ?"): the count before
 * each noun, compared as the question says. Split out of yesno.c, whose word-by-word
 * reading found both nouns and numbers in the answer and said "yes" whatever their order. */
#include "yesno_internal.h"

#include "text.h"

#include <stdlib.h>
#include <string.h>

#define COUNT_NEAR 3 /* a count comes at most this many words before its noun */

/* The count of token t (digits, a number word, "one"/"un"/"une"), or -1. */
static long count_of(const camas_token *t)
{
    static const char *const one[] = {"one", "un", "une", "single", "seul", "seule", NULL};
    if (camas_text_in_words(t->text, one))
        return 1;
    const char *v = camas_yesno_number_value(t);
    if (!v || camas_yesno_is_year(v))
        return -1;
    char *end;
    long n = strtol(v, &end, 10);
    return *end || n < 0 ? -1 : n;
}

/* Do two words share a stem (five letters, or the whole of a shorter one)? */
static bool same_stem(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), n = la < lb ? la : lb;
    if (n < 4)
        return false;
    return strncmp(a, b, n < 5 ? n : 5) == 0;
}

/* The count the answer gives before one of the words of a noun phrase (qt[from, to)), or -1
 * when none or two different ones. */
static long count_before(const camas_token *qt, size_t from, size_t to, const camas_token *at,
                         size_t na)
{
    long found = -1;
    for (size_t q = from; q < to; q++) {
        if (qt[q].len < 4)
            continue;
        for (size_t a = 1; a < na; a++) {
            if (!same_stem(qt[q].text, at[a].text))
                continue;
            for (size_t back = 1; back <= COUNT_NEAR && back <= a; back++) {
                long n = count_of(&at[a - back]);
                if (n < 0)
                    continue;
                if (found >= 0 && found != n)
                    return -1;
                found = n;
                break;
            }
        }
        if (found >= 0)
            return found;
    }
    return found;
}

/* "more than 3 legislators", "plus de 2 coprésidents", "at least 20 organizations", "moins de
 * 5 législateurs": a bound, not a count (a "3" the answer does not give says no "no"). The
 * bound's sign (1 more, -1 fewer; 2 at least) and value, its noun from *noun; 0 when qt[i]
 * opens none. */
static int bound_at(const camas_token *qt, size_t nq, size_t i, long *n, size_t *noun)
{
    static const struct {
        const char *word, *then;
        int sign;
    } bounds[] = {{"more", "than", 1},  {"over", NULL, 1},   {"fewer", "than", -1},
                  {"less", "than", -1}, {"under", NULL, -1}, {"plus", "de", 1},
                  {"moins", "de", -1},  {"least", NULL, 2},  {"moins", NULL, 2},
                  {NULL, NULL, 0}};
    for (size_t b = 0; bounds[b].word; b++) {
        if (strcmp(qt[i].text, bounds[b].word) != 0)
            continue;
        size_t k = i + 1;
        if (bounds[b].then && k < nq && strcmp(qt[k].text, bounds[b].then) == 0)
            k++;
        else if (bounds[b].then)
            continue;
        /* "at least" and "au moins" are read at their second word */
        if (bounds[b].sign == 2 &&
            (i == 0 || (strcmp(qt[i - 1].text, "at") != 0 && strcmp(qt[i - 1].text, "au") != 0)))
            continue;
        if (k + 1 >= nq || (*n = count_of(&qt[k])) < 0 || qt[k].kind != CAMAS_TOK_NUMBER)
            continue;
        *noun = k + 1;
        return bounds[b].sign;
    }
    return 0;
}

/* The answer's tokens (malloc'ed into *at, NULL when memory ran out); how many. */
static size_t answer_tokens(const char *answer, camas_token **at)
{
    char *an = camas_text_normalize_dup(answer);
    *at = an ? malloc(4 * MAX_TOK * sizeof **at) : NULL;
    size_t na = *at ? camas_tokenize(an, *at, 4 * MAX_TOK) : 0;
    free(an);
    return na > 4 * MAX_TOK ? 4 * MAX_TOK : na;
}

int camas_yesno_compare_counts(const char *qn, const char *answer)
{
    static const struct {
        const char *more, *than;
        int sign;
    } forms[] = {{"more", "than", 1}, {"fewer", "than", -1}, {"less", "than", -1},
                 {"plus", "que", 1},  {"moins", "que", -1},  {"plus", "qu", 1},
                 {"moins", "qu", -1}, {NULL, NULL, 0}};
    camas_token qt[MAX_TOK];
    size_t nq = camas_tokenize(qn, qt, MAX_TOK);
    if (nq > MAX_TOK)
        nq = MAX_TOK;
    for (size_t i = 0; i < nq; i++) {
        long bound;
        size_t noun;
        int sign = bound_at(qt, nq, i, &bound, &noun);
        if (!sign)
            continue;
        camas_token *at;
        size_t na = answer_tokens(answer, &at);
        long x = at ? count_before(qt, noun, noun + 2 < nq ? noun + 2 : nq, at, na) : -1;
        free(at);
        if (x < 0)
            return 0;
        bool holds = sign == 1 ? x > bound : sign == -1 ? x < bound : x >= bound;
        return holds ? 1 : -1;
    }
    for (size_t f = 0; forms[f].more; f++)
        for (size_t i = 0; i + 1 < nq; i++) {
            if (strcmp(qt[i].text, forms[f].more) != 0)
                continue;
            size_t j = i + 1;
            while (j < nq && strcmp(qt[j].text, forms[f].than) != 0)
                j++;
            if (j >= nq || j == i + 1)
                continue;
            camas_token *at;
            size_t na = answer_tokens(answer, &at);
            long x = at ? count_before(qt, i + 1, j, at, na) : -1;
            long y = at ? count_before(qt, j + 1, nq, at, na) : -1;
            free(at);
            if (x < 0 || y < 0)
                return 0;
            return (forms[f].sign > 0 ? x > y : x < y) ? 1 : -1;
        }
    return 0;
}
