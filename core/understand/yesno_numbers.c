/* Numbers in yes/no questions and answers (split out of yesno.c): numbers in digits or
 * words, what kind each is (a year, a section of law, a telephone or bill number, a count),
 * and whether the answer gives another of the question's kind ("8 legislators" against "four
 * legislators", "SB 5308" against "SB 5884"), or another e-mail address; the words a claim
 * of a year may use that the answer need not ("formed", "remonte à", "existe depuis"); a
 * contact detail claimed of what the question only points at. */
#include "yesno_internal.h"

#include "text.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Number words, so that "six legislators" is compared with "four legislators" ("one" and
 * "un" are left out: they are also articles and pronouns). */
static const char *number_word(const char *w)
{
    static const char *const words[][2] = {
        {"two", "2"},       {"three", "3"},   {"four", "4"},      {"five", "5"},
        {"six", "6"},       {"seven", "7"},   {"eight", "8"},     {"nine", "9"},
        {"ten", "10"},      {"eleven", "11"}, {"twelve", "12"},   {"fifteen", "15"},
        {"twenty", "20"},   {"thirty", "30"}, {"deux", "2"},      {"trois", "3"},
        {"quatre", "4"},    {"cinq", "5"},    {"sept", "7"},      {"huit", "8"},
        {"neuf", "9"},      {"dix", "10"},    {"onze", "11"},     {"douze", "12"},
        {"quinze", "15"},   {"vingt", "20"},  {"trente", "30"},   {"twenty-five", "25"},
        {"forty", "40"},    {"fifty", "50"},  {"hundred", "100"}, {"quarante", "40"},
        {"cinquante", "50"}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(w, words[i][0]) == 0)
            return words[i][1];
    return NULL;
}

/* A token's value when it states a number ("2015", "huit"), else NULL. */
const char *camas_yesno_number_value(const camas_token *t)
{
    if (t->kind == CAMAS_TOK_NUMBER)
        return t->text;
    return t->kind == CAMAS_TOK_WORD ? number_word(t->text) : NULL;
}

bool camas_yesno_is_year(const char *v)
{
    return strlen(v) == 4 && (strncmp(v, "19", 2) == 0 || strncmp(v, "20", 2) == 0) &&
           isdigit((unsigned char)v[2]) && isdigit((unsigned char)v[3]);
}

/* What number token i of t is, so that only numbers of a kind contradict: a year, a section
 * of law ("7.68.801"), a telephone number ("206-442-4488"), a bill's number ("SB 5884",
 * "projet de loi 5308"), or a count. */
static int number_kind(const camas_token *t, size_t i, const char *v)
{
    static const char *const bill[] = {"sb", "hb", "ssb", "esb", "shb", "bill", "loi", NULL};
    if (camas_yesno_is_year(v))
        return 0;
    if (strchr(v, '.'))
        return 1;
    if (strchr(v, '-') && strlen(v) >= 7)
        return 2;
    /* ...also a few words after the word for it ("the bill was 5308?", "le projet de loi,
     * c'était le 5308 ?"), in digits ("la loi se réunit deux fois" counts) */
    for (size_t k = i; t[i].kind == CAMAS_TOK_NUMBER && k > 0 && i - k < 4; k--)
        if (camas_text_in_words(t[k - 1].text, bill))
            return 4;
    return 3;
}

/* How the answer counts what follows a number of the question: +1 when it gives the same
 * number before the same word ("8 agencies" / "eight state agencies", within two words),
 * -1 when it gives another number before it ("8 legislators" / "four legislators"), 0 when
 * it does not count that word. */
static int counted_as(const camas_yesno_context *c, const char *lang, const char *number,
                      const char *what, const camas_token *at, size_t na)
{
    char ws[CAMAS_TOKEN_MAX + 1];
    camas_yesno_stem(c->stemmer, lang, what, ws, sizeof ws);
    int result = 0;
    for (size_t k = 0; k < na; k++) {
        char as[CAMAS_TOKEN_MAX + 1];
        camas_yesno_stem(c->stemmer, lang, at[k].text, as, sizeof as);
        /* "un seul président ?" counts the "trois coprésidents" too (English splits "co-chairs") */
        if (strcmp(ws, as) != 0 && strcmp(lang, "fr") == 0 &&
            strncmp(at[k].text, "copresid", 8) == 0)
            camas_yesno_stem(c->stemmer, lang, at[k].text + 2, as, sizeof as);
        if (strcmp(ws, as) != 0)
            continue;
        for (size_t back = 1; back <= 2 && back <= k; back++) {
            /* "one survivor", "un survivant": one, when a count of one is asked ("one" and "un"
             * are no number words elsewhere) */
            static const char *const one[] = {"one", "un", "une", NULL};
            if (strcmp(number, "1") == 0 && camas_text_in_words(at[k - back].text, one))
                return 1;
            const char *v = camas_yesno_number_value(&at[k - back]);
            if (!v || number_kind(at, k - back, v) != 3)
                continue; /* a year, a section, a telephone or a bill's number */
            if (strcmp(v, number) == 0)
                return 1;
            result = -1;
            break;
        }
    }
    return result;
}

/* Does the answer give an e-mail address and not the question's? *q_mail: the question
 * gives one; *mail_found: the answer holds one of the question's. */
const char *const camas_yesno_mail_providers[] = {"gmail",  "hotmail", "outlook", "yahoo",
                                                  "icloud", "proton",  "aol",     NULL};

/* Is provider (a word of camas_yesno_mail_providers) the domain of e-mail address a? */
static bool at_provider(const char *a, const char *provider)
{
    const char *d = strchr(a, '@');
    size_t pl = strlen(provider);
    return d && strncmp(d + 1, provider, pl) == 0 && (d[1 + pl] == '.' || d[1 + pl] == '\0');
}

bool camas_yesno_other_email(const camas_token *qt, size_t nq, const camas_token *at, size_t na,
                             bool *q_mail, bool *mail_found)
{
    bool a_mail = false;
    for (size_t k = 0; k < na; k++)
        a_mail |= at[k].kind == CAMAS_TOK_EMAIL;
    for (size_t i = 0; i < nq; i++) {
        /* "c sur gmail ?", "is it a yahoo address?": the provider of the answer's address */
        if (a_mail && camas_text_in_words(qt[i].text, camas_yesno_mail_providers)) {
            *q_mail = true;
            for (size_t k = 0; k < na; k++)
                *mail_found |= at[k].kind == CAMAS_TOK_EMAIL && at_provider(at[k].text, qt[i].text);
            continue;
        }
        if (qt[i].kind != CAMAS_TOK_EMAIL)
            continue;
        *q_mail = true;
        for (size_t k = 0; k < na; k++)
            *mail_found |= at[k].kind == CAMAS_TOK_EMAIL && strcmp(at[k].text, qt[i].text) == 0;
    }
    return *q_mail && a_mail && !*mail_found;
}

/* Does the answer give another number of the kind of one of the question's (another year,
 * another count of the same thing)? *numbers_found: every number of the question is in the
 * answer; *claims counts the question's numbers. */
bool camas_yesno_numbers_differ(const camas_yesno_context *c, const char *lang,
                                const camas_token *qt, size_t nq, const camas_token *at, size_t na,
                                bool comparing, bool *numbers_found, size_t *claims)
{
    for (size_t i = 0; i < nq; i++) {
        const char *v = camas_yesno_number_value(&qt[i]);
        if (!v)
            continue;
        /* in a comparison a year or a bill may be the other body's ("plus récent que le groupe
         * convoqué en 2006 ?"): it contradicts nothing */
        int kind = number_kind(qt, i, v);
        if (comparing && (kind == 0 || kind == 4)) {
            *numbers_found = false;
            continue;
        }
        /* "tous deux", "les deux": both, not a count */
        static const char *const both[] = {"tous", "toutes", "les", NULL};
        if (i > 0 && strcmp(qt[i].text, "deux") == 0 && camas_text_in_words(qt[i - 1].text, both))
            continue;
        /* "every 3 months", "tous les 3 mois": a frequency, compared as one */
        static const char *const every[] = {"every", "each", "les", NULL};
        static const char *const months[] = {"months", "mois", NULL};
        if (i > 0 && i + 1 < nq && camas_text_in_words(qt[i - 1].text, every) &&
            camas_text_in_words(qt[i + 1].text, months))
            continue;
        /* "before 2010", "plus récent que 2006": a bound, not the year claimed; the answer's
         * year does not contradict it (nor, alone, confirm it) */
        static const char *const bounds[] = {"before", "after", "than", "avant",
                                             "apres",  "que",   "qu",   NULL};
        if (camas_yesno_is_year(v) && i > 0 && camas_text_in_words(qt[i - 1].text, bounds)) {
            *numbers_found = false;
            continue;
        }
        /* a range ("2-3 fois par an") is two numbers */
        char part[2][8] = {"", ""};
        int nparts = sscanf(v, "%2[0-9]-%2[0-9]", part[0], part[1]) == 2 &&
                             strlen(v) == strlen(part[0]) + 1 + strlen(part[1])
                         ? 2
                         : 0;
        /* a count of something ("8 legislators"): the answer's count of the same thing */
        /* ...not a section ("chapitre 7.68 du RCW": no count of "du") */
        /* ...not a bill's number, nor a number before a pronoun ("le projet de loi 5308, il
         * s'occupe…": "RCW 7.68.801. Il est…" counts nothing) */
        static const char *const pronouns[] = {"il", "elle", "ils", "elles", "on",   "ce",   "c",
                                               "it", "they", "he",  "she",   "this", "that", NULL};
        if (!nparts && number_kind(qt, i, v) == 3 && i + 1 < nq &&
            !camas_text_in_words(qt[i + 1].text, pronouns)) {
            int counted = counted_as(c, lang, v, qt[i + 1].text, at, na);
            if (counted < 0)
                return true; /* "four legislators" */
        }
        for (int pi = 0; pi < (nparts ? nparts : 1); pi++) {
            const char *x = nparts ? part[pi] : v;
            bool found = false, same_kind = false;
            for (size_t k = 0; k < na; k++) {
                const char *w = camas_yesno_number_value(&at[k]);
                if (!w)
                    continue;
                size_t xl = strlen(x);
                /* "chapter 7.68" holds section 7.68.801 */
                found |= strcmp(w, x) == 0 || (strchr(x, '.') && strncmp(w, x, xl) == 0 &&
                                               w[xl] == '.' && isdigit((unsigned char)w[xl + 1]));
                same_kind |= number_kind(at, k, w) == number_kind(qt, i, x);
            }
            if (!found && same_kind)
                return true; /* another year, another number of its kind */
            *numbers_found &= found;
        }
        (*claims)++;
    }
    return false;
}

/* "just one legislator", "un seul législateur", "a single survivor": a count of one, which
 * another count of the same thing in the answer contradicts ("four legislators"). */
int camas_yesno_single_count(const camas_yesno_context *c, const char *lang, const camas_token *qt,
                             size_t nq, const camas_token *at, size_t na)
{
    int one = 0;
    static const char *const only[] = {"just", "only", "a", NULL};
    static const char *const fr_one[] = {"un", "une", NULL}, *const fr_only[] = {"seul", "seule",
                                                                                 NULL};
    for (size_t i = 1; i + 1 < nq; i++) {
        size_t what = 0;
        if ((strcmp(qt[i].text, "one") == 0 || strcmp(qt[i].text, "single") == 0) &&
            camas_text_in_words(qt[i - 1].text, only))
            what = i + 1;
        else if (camas_text_in_words(qt[i - 1].text, fr_one) &&
                 camas_text_in_words(qt[i].text, fr_only))
            what = i + 1;
        int counted = what ? counted_as(c, lang, "1", qt[what].text, at, na) : 0;
        if (counted < 0)
            return -1;
        one |= counted > 0;
    }
    return one;
}

/* A phone number written with spaces, dots or brackets ("206 442 4488", "(206) 442-4488",
 * "2064424488") in the form the answers give ("206-442-4488"): read as it is, its groups were
 * separate numbers, and "(206)" one the answer did not state. */
size_t camas_yesno_join_phones(const char *in, char *out, size_t cap)
{
    size_t o = 0, joined = 0;
    if (!cap)
        return 0;
    for (size_t i = 0; in[i] && o + 1 < cap;) {
        bool start = (isdigit((unsigned char)in[i]) ||
                      (in[i] == '(' && isdigit((unsigned char)in[i + 1]))) &&
                     (i == 0 || !isalnum((unsigned char)in[i - 1]));
        char digits[16];
        size_t nd = 0, groups[8], ng = 0, end = i;
        for (size_t k = i; start && in[k] && nd < sizeof digits; k++) {
            if (isdigit((unsigned char)in[k])) {
                if (k == i || !isdigit((unsigned char)in[k - 1])) {
                    if (ng == 8)
                        break;
                    groups[ng++] = 0;
                }
                groups[ng - 1]++;
                digits[nd++] = in[k];
                end = k + 1;
            } else if (!strchr(" .-()", in[k]) || (k > i && strchr(" .-()", in[k - 1]) &&
                                                   !(in[k - 1] == ')' && in[k] == ' '))) {
                break;
            }
        }
        bool phone = nd == 10 && !isalnum((unsigned char)in[end]) &&
                     ((ng == 3 && groups[0] == 3 && groups[1] == 3) || ng == 1);
        bool hyphenated = phone && ng == 3 && in[i] != '(' && in[i + 3] == '-' && in[i + 7] == '-';
        if (!phone || hyphenated) {
            out[o++] = in[i++];
            continue;
        }
        if (o + 13 > cap)
            break;
        o += (size_t)snprintf(out + o, cap - o, "%.3s-%.3s-%.4s", digits, digits + 3, digits + 6);
        i = end;
        joined++;
    }
    out[o] = '\0';
    return joined;
}

bool camas_yesno_value_unsaid(const camas_token *qt, size_t nq)
{
    static const char *const lead[] = {"and", "et",   "so",   "alors", "mais",  "but",
                                       "ok",  "okay", "donc", "also",  "aussi", NULL};
    static const char *const pointer[] = {"c",   "cest", "ce",    "ca",   "cela", "it",
                                          "its", "that", "thats", "this", NULL};
    static const char *const contact[] = {"mail",    "email", "emails", "courriel",  "adresse",
                                          "address", "phone", "tel",    "telephone", "number",
                                          "numero",  "num",   "site",   "website",   NULL};
    size_t i = 0;
    while (i < nq && camas_text_in_words(qt[i].text, lead))
        i++;
    /* "is it...", "is that...", "est-ce..." put the verb first */
    if (i + 1 < nq && (strcmp(qt[i].text, "is") == 0 || strcmp(qt[i].text, "est") == 0) &&
        camas_text_in_words(qt[i + 1].text, pointer))
        i++;
    if (i >= nq || !camas_text_in_words(qt[i].text, pointer))
        return false;
    bool asks_contact = false;
    for (size_t k = 0; k < nq; k++) {
        if (qt[k].kind == CAMAS_TOK_EMAIL || qt[k].kind == CAMAS_TOK_NUMBER)
            return false; /* "is it 206-442-4488?": the value is said */
        asks_contact |= camas_text_in_words(qt[k].text, contact);
    }
    return asks_contact;
}

/* A body convened rather than created ("was WashACT formed in 2006?" against "convened in
 * 2006 by the U.S. Attorney's Office"): its convening is its founding, so a word of founding
 * is borne out by one of convening when the question claims a year and the answer says
 * nothing of a creation. Only the year: the CSEC committee was created by the Legislature and
 * is convened by the Attorney General's Office, which did not create it ("le comité csec a
 * été créé par le bureau du procureur général ?" is a "Non"; who made a body is the roles'
 * reading, yesno_compare.c). */
bool camas_yesno_claims_year(const camas_token *qt, size_t nq)
{
    for (size_t i = 0; i < nq; i++)
        if (camas_yesno_is_year(qt[i].text))
            return true;
    return false;
}

bool camas_yesno_gives_year(const char *text)
{
    char *qn = camas_text_normalize_dup(text);
    camas_token *t = qn ? malloc(MAX_TOK * sizeof *t) : NULL;
    size_t n = t ? camas_tokenize(qn, t, MAX_TOK) : 0;
    bool year = t && camas_yesno_claims_year(t, n < MAX_TOK ? n : MAX_TOK);
    free(t);
    free(qn);
    return year;
}

/* Verbs that only place a body in a year ("datent de 2006", "dates back to 2013"): the year
 * is the claim. */
static const char *const dating[] = {"date",   "dates",  "dated",   "dating",    "dater",
                                     "datent", "datant", "remonte", "remontent", "remonter",
                                     "goes",   "go",     "back",    NULL};

/* Words that place a body's beginning in a year ("existe depuis 2006", "has it been around
 * since 2013?"): borne out by an answer that gives the year the body began, not only the year
 * it was renewed ("de nouveau autorisé en 2015" says nothing of when it began). */
static bool existing_since(const char *w, const char *an)
{
    static const char *const existing[] = {"exist", "exists", "existed", "existe", "existent",
                                           "since", "depuis", "around",  NULL};
    static const char *const began[] = {"convened", "created", "founded", "established", "convoque",
                                        "cree",     "creee",   "fonde",   NULL};
    return camas_text_in_words(w, existing) && camas_yesno_any_phrase(an, began);
}

static bool founding_as_convened(const char *w, const char *an)
{
    static const char *const founding[] = {
        "created", "create", "creates", "creation", "formed",    "founded", "established",
        "cree",    "creee",  "crees",   "creer",    "fonde",     "fondee",  "forme",
        "formee",  "etabli", "etablie", "institue", "instituee", NULL};
    static const char *const convening[] = {"convened", "convoque", "convoquee", NULL};
    static const char *const creation[] = {"created", "creation", "cree", "creee", NULL};
    return camas_text_in_words(w, founding) && camas_yesno_any_phrase(an, convening) &&
           !camas_yesno_any_phrase(an, creation);
}

bool camas_yesno_year_word_borne(const char *w, const char *an)
{
    return founding_as_convened(w, an) || camas_text_in_words(w, dating) || existing_since(w, an);
}

bool camas_yesno_count_of_prev(const char *question, const char *prev, char *out, size_t cap)
{
    /* what the previous question counted: "how many X", "combien de X", "combien d'X" */
    camas_token pt[MAX_TOK], qt[MAX_TOK];
    long np = prev ? camas_text_tokenize(prev, pt, MAX_TOK) : 0;
    long nq = camas_text_tokenize(question, qt, MAX_TOK);
    const char *noun = NULL;
    for (long i = 0; i + 1 < np && !noun; i++) {
        long k = 0;
        if (strcmp(pt[i].text, "how") == 0 && strcmp(pt[i + 1].text, "many") == 0)
            k = i + 2;
        else if (strcmp(pt[i].text, "combien") == 0 &&
                 (strcmp(pt[i + 1].text, "de") == 0 || strcmp(pt[i + 1].text, "d") == 0))
            k = i + 2;
        if (k && k < np && pt[k].len >= 3 && pt[k].kind == CAMAS_TOK_WORD)
            noun = pt[k].text;
    }
    if (!noun)
        return false;
    /* a count the question gives with no noun after it ("y en a huit ?", "are there 8?",
     * "four, right?") */
    static const char *const tags[] = {"right", "correct", "non", "hein", "ca", "c",    "est",
                                       "ce",    "pas",     "isn", "it",   "t",  "vrai", NULL};
    const char *count = NULL;
    for (long i = 0; i < nq; i++) {
        const char *v = camas_yesno_number_value(&qt[i]);
        if (!v || camas_yesno_is_year(v))
            continue;
        long k = i + 1;
        while (k < nq && camas_text_in_words(qt[k].text, tags))
            k++;
        count = k == nq ? qt[i].text : NULL;
    }
    if (!count)
        return false;
    /* the noun after the count as written ("y en a huit législateurs ?") */
    const char *at = NULL;
    size_t cl = strlen(count);
    for (const char *p = strcasestr(question, count); p; p = strcasestr(p + 1, count))
        if ((p == question || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[cl]))
            at = p;
    if (!at)
        return false;
    int n = snprintf(out, cap, "%.*s %s%s", (int)(at + cl - question), question, noun, at + cl);
    return n > 0 && (size_t)n < cap;
}
