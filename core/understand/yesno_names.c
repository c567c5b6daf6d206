/* The people and offices, synonym groups and opposites the yes/no verdicts compare
 * (yesno.h): stored normalised, found in normalised text (a longer name hides the shorter
 * ones inside it); and which of the answer's sentences name the question's people. */
#include "yesno.h"
#include "yesno_internal.h"

#include "text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

camas_yesno_names *camas_yesno_names_new(void)
{
    return calloc(1, sizeof(camas_yesno_names));
}

void camas_yesno_names_free(camas_yesno_names *names)
{
    if (!names)
        return;
    for (size_t i = 0; i < names->n; i++)
        free(names->p[i].norm);
    free(names->p);
    free(names->syn);
    free(names->opposite);
    free(names);
}

int camas_yesno_names_add(camas_yesno_names *names, unsigned id, const char *phrase)
{
    char *norm = camas_text_normalize_dup(phrase);
    if (!norm || !*norm) {
        free(norm);
        return -1;
    }
    struct name_phrase *grown = realloc(names->p, (names->n + 1) * sizeof *grown);
    if (!grown) {
        free(norm);
        return -1;
    }
    names->p = grown;
    names->p[names->n++] = (struct name_phrase){norm, id};
    /* a French name is also written without the article after "de" ("bureau de défense des
     * victimes" for "Bureau de la défense des victimes") */
    static const char *const articles[] = {" de la ", " de l ", NULL};
    for (size_t k = 0; articles[k]; k++) {
        const char *at = strstr(norm, articles[k]);
        if (!at)
            continue;
        size_t head = (size_t)(at - norm), al = strlen(articles[k]);
        char *bare = malloc(strlen(norm) + 1);
        if (!bare)
            return -1;
        snprintf(bare, strlen(norm) + 1, "%.*s de %s", (int)head, norm, at + al);
        grown = realloc(names->p, (names->n + 1) * sizeof *grown);
        if (!grown) {
            free(bare);
            return -1;
        }
        names->p = grown;
        names->p[names->n++] = (struct name_phrase){bare, id};
        break;
    }
    return 0;
}

int camas_yesno_names_add_synonyms(camas_yesno_names *names, struct camas_stemmer *st,
                                   const char *lang, const char *const *words, size_t n)
{
    unsigned group = ++names->groups;
    for (size_t i = 0; i < n; i++) {
        char norm[CAMAS_TOKEN_MAX + 1];
        long len = camas_text_normalize(words[i], strlen(words[i]), norm, sizeof norm);
        if (len <= 0)
            continue;
        struct syn_word *grown = realloc(names->syn, (names->nsyn + 1) * sizeof *grown);
        if (!grown)
            return -1;
        names->syn = grown;
        struct syn_word *w = &names->syn[names->nsyn++];
        w->phrase = strchr(norm, ' ') != NULL; /* kept whole: "de nouveau autorise" */
        if (w->phrase || !st || camas_stem(st, lang, norm, w->stem, sizeof w->stem) < 0)
            snprintf(w->stem, sizeof w->stem, "%s", norm);
        w->group = group;
        w->fr = strcmp(lang, "fr") == 0;
    }
    return 0;
}

int camas_yesno_names_add_opposites(camas_yesno_names *names, struct camas_stemmer *st,
                                    const char *lang, const char *const *a, size_t na,
                                    const char *const *b, size_t nb)
{
    unsigned(*grown)[2] = realloc(names->opposite, (names->nopposite + 1) * sizeof *grown);
    if (!grown)
        return -1;
    names->opposite = grown;
    if (camas_yesno_names_add_synonyms(names, st, lang, a, na))
        return -1;
    unsigned ga = names->groups;
    if (camas_yesno_names_add_synonyms(names, st, lang, b, nb))
        return -1;
    names->opposite[names->nopposite][0] = ga;
    names->opposite[names->nopposite][1] = names->groups;
    names->nopposite++;
    return 0;
}

size_t camas_yesno_names_count(const camas_yesno_names *names)
{
    return names ? names->n : 0;
}

/* The length of a name written at p (pl bytes), or in the plural ("législateurs"), or 0. */
static size_t phrase_at(const char *norm, const char *p, size_t pl)
{
    if (p != norm && isalnum((unsigned char)p[-1]))
        return 0;
    if (!isalnum((unsigned char)p[pl]))
        return pl;
    return p[pl] == 's' && !isalnum((unsigned char)p[pl + 1]) ? pl + 1 : 0;
}

/* The ids of the names in norm (a longer name hides the shorter ones inside it: "assistant
 * attorney general" is not "attorney general"). Marks the bytes they cover in used. */
struct name_hit {
    size_t start, end;
    unsigned id;
};

/* The names in norm, a longer one hiding the shorter ones inside it; at most max. */
static size_t name_hits(const camas_yesno_names *names, const char *norm, struct name_hit *out,
                        size_t max)
{
    struct name_hit hit[4 * MAX_NAME_HITS];
    size_t nh = 0;
    for (size_t i = 0; names && i < names->n; i++) {
        size_t pl = strlen(names->p[i].norm);
        for (const char *p = strstr(norm, names->p[i].norm); p && nh < 4 * MAX_NAME_HITS;
             p = strstr(p + 1, names->p[i].norm)) {
            size_t at = phrase_at(norm, p, pl);
            if (at)
                hit[nh++] =
                    (struct name_hit){(size_t)(p - norm), (size_t)(p - norm) + at, names->p[i].id};
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < nh && n < max; i++) {
        bool inside = false;
        for (size_t k = 0; k < nh && !inside; k++)
            inside = k != i && hit[k].start <= hit[i].start && hit[i].end <= hit[k].end &&
                     hit[k].end - hit[k].start > hit[i].end - hit[i].start;
        if (!inside)
            out[n++] = hit[i];
    }
    return n;
}

size_t camas_yesno_find_names(const camas_yesno_names *names, const char *norm, unsigned *ids,
                              size_t max, unsigned char *used)
{
    struct name_hit hit[4 * MAX_NAME_HITS];
    size_t nh = name_hits(names, norm, hit, 4 * MAX_NAME_HITS), n = 0;
    for (size_t i = 0; i < nh; i++) {
        if (used)
            memset(used + hit[i].start, 1, hit[i].end - hit[i].start);
        bool dup = false;
        for (size_t k = 0; k < n && !dup; k++)
            dup = ids[k] == hit[i].id;
        if (!dup && n < max)
            ids[n++] = hit[i].id;
    }
    return n;
}

size_t camas_yesno_name_phrases(const camas_yesno_names *names, const char *text,
                                char (*out)[CAMAS_NAME_PHRASE_MAX], unsigned *ids, size_t max)
{
    char *norm = names && names->n ? camas_text_normalize_dup(text) : NULL;
    struct name_hit hit[4 * MAX_NAME_HITS];
    size_t nh = norm ? name_hits(names, norm, hit, 4 * MAX_NAME_HITS) : 0, n = 0;
    for (size_t i = 0; i < nh && n < max; i++) {
        size_t len = hit[i].end - hit[i].start;
        if ((names->supposed_from && hit[i].id >= names->supposed_from) ||
            len >= CAMAS_NAME_PHRASE_MAX)
            continue; /* not in the source */
        memcpy(out[n], norm + hit[i].start, len);
        out[n][len] = '\0';
        if (ids)
            ids[n] = hit[i].id;
        n++;
    }
    free(norm);
    return n;
}

void camas_yesno_blank_names(const camas_yesno_names *names, char *norm)
{
    size_t len = names && norm ? strlen(norm) : 0;
    unsigned char *used = len ? calloc(len + 1, 1) : NULL;
    unsigned ids[MAX_NAME_HITS];
    if (used && camas_yesno_find_names(names, norm, ids, MAX_NAME_HITS, used))
        for (size_t i = 0; i < len; i++)
            if (used[i])
                norm[i] = ' ';
    free(used);
}

void camas_yesno_names_people_below(camas_yesno_names *names, unsigned id)
{
    if (names)
        names->people_end = id;
}

bool camas_yesno_person_in(const camas_yesno_names *names, const char *text, char *out, size_t cap)
{
    char phrases[MAX_NAME_HITS][CAMAS_NAME_PHRASE_MAX];
    unsigned ids[MAX_NAME_HITS];
    size_t n = names && names->people_end
                   ? camas_yesno_name_phrases(names, text, phrases, ids, MAX_NAME_HITS)
                   : 0;
    long person = -1;
    for (size_t i = 0; i < n; i++) {
        if (ids[i] >= names->people_end)
            continue;
        if (person >= 0 && ids[i] != ids[person])
            return false; /* two people: no one in particular */
        if (person < 0 || strlen(phrases[i]) > strlen(phrases[person]))
            person = (long)i; /* the fullest way it is written */
    }
    if (person < 0 || strlen(phrases[person]) >= cap)
        return false;
    memcpy(out, phrases[person], strlen(phrases[person]) + 1);
    return true;
}

void camas_yesno_names_suppose_from(camas_yesno_names *names, unsigned id)
{
    if (names)
        names->supposed_from = id;
}

bool camas_yesno_names_in(const camas_yesno_names *names, const char *text)
{
    char *norm = names && names->n ? camas_text_normalize_dup(text) : NULL;
    unsigned ids[MAX_NAME_HITS];
    size_t n = norm ? camas_yesno_find_names(names, norm, ids, MAX_NAME_HITS, NULL) : 0;
    free(norm);
    for (size_t i = 0; i < n; i++)
        if (!names->supposed_from || ids[i] < names->supposed_from)
            return true;
    return false;
}

/* Written in lower case, a name the source does not give shows by the institution it is
 * put to: the word before "police", "sheriff", "department"… ("is the portland police
 * department a co-chair?") or after "police de" ("la police de tacoma"), that is no known
 * name, no body's word and not in the answer. */
static bool unknown_place(const camas_yesno_context *c, const char *lang, const char *qn,
                          const camas_token *t, size_t n, const unsigned char *qused,
                          const camas_token *at, size_t na, const char *an)
{
    static const char *const institutions[] = {"police",      "sheriff",   "sheriffs", "department",
                                               "dept",        "county",    "pd",       "prosecutor",
                                               "prosecutors", "procureur", NULL};
    for (size_t i = 0; i + 1 < n; i++) {
        size_t w = n; /* the place's word */
        if (camas_text_in_words(t[i + 1].text, institutions))
            w = i; /* "portland police" */
        else if (camas_text_in_words(t[i].text, institutions) && i + 2 < n &&
                 (strcmp(t[i + 1].text, "de") == 0 || strcmp(t[i + 1].text, "du") == 0 ||
                  strcmp(t[i + 1].text, "of") == 0))
            w = i + 2; /* "police de tacoma" */
        if (w == n || t[w].len < 3 || camas_is_stopword(lang, t[w].text) ||
            camas_text_in_words(t[w].text, institutions) || camas_yesno_number_value(&t[w]) ||
            (c->is_body_word && c->is_body_word(c->ud, t[w].text, lang)))
            continue;
        bool named = false;
        for (const char *h = strstr(qn, t[w].text); h && !named; h = strstr(h + 1, t[w].text))
            named = qused[h - qn] != 0;
        if (!named && !camas_yesno_word_in(c, lang, t[w].text, at, na, an))
            return true;
    }
    return false;
}

/* A name the source does not give, written as one in the question ("le FBI", "the Congress",
 * "Tacoma Police"): a capitalised word past the first, or an acronym, that is no known name,
 * no body's word and not in the answer. */
bool camas_yesno_unknown_name(const camas_yesno_context *c, const char *lang, const char *question,
                              const char *qn, const camas_token *qt, size_t nq,
                              const unsigned char *qused, const camas_token *at, size_t na,
                              const char *an)
{
    const char *asked = camas_yesno_asked_part(question);
    if (!camas_yesno_only_tag(asked))
        question = asked;
    size_t words = 0;
    for (const char *p = question; *p;) {
        while (*p && !isalnum((unsigned char)*p) && !((unsigned char)*p & 0x80))
            p++;
        const char *start = p;
        size_t upper = 0, len = 0;
        while (*p && (isalnum((unsigned char)*p) || ((unsigned char)*p & 0x80))) {
            upper += isupper((unsigned char)*p) != 0;
            len++;
            p++;
        }
        if (!len)
            break;
        bool acronym = len >= 2 && upper == len;
        bool capital = isupper((unsigned char)start[0]) && words > 0;
        words++;
        if (!acronym && !capital)
            continue;
        char word[CAMAS_TOKEN_MAX + 1];
        long wl = camas_text_normalize(start, len, word, sizeof word);
        if (wl < 2 || (c->is_body_word && c->is_body_word(c->ud, word, lang)))
            continue;
        /* inside a known name of the question ("Seattle Police Department")? */
        bool named = false;
        for (const char *h = strstr(qn, word); h && !named; h = strstr(h + 1, word))
            named = qused[h - qn] != 0;
        if (!named && !camas_yesno_word_in(c, lang, word, at, na, an))
            return true;
    }
    return unknown_place(c, lang, qn, qt, nq, qused, at, na, an);
}

/* Is the ". " at h the end of an abbreviation ("the U.S. Attorney's Office", "W. District")
 * rather than of a sentence: after a single letter? */
static bool abbreviation_at(const char *start, const char *h)
{
    return *h == '.' && h > start && isalpha((unsigned char)h[-1]) &&
           (h - 1 == start || !isalpha((unsigned char)h[-2]));
}

const char *camas_yesno_asked_part(const char *question)
{
    static const char *const seps[] = {" - ", " — ", " – ", ", ", ": ", ". "};
    const char *start = question;
    for (size_t k = 0; k < sizeof seps / sizeof seps[0]; k++)
        for (const char *h = strstr(question, seps[k]); h; h = strstr(h + 1, seps[k]))
            if (!abbreviation_at(start, h))
                question = h + strlen(seps[k]);
    return question;
}

/* Does a usable sentence that names people or offices make one of the question's claims
 * (is_claim marks them among qt)? */
bool camas_yesno_claim_beside_names(const camas_yesno_context *c, const char *lang,
                                    const camas_token *qt, size_t nq, const bool *is_claim,
                                    const struct unit *units, const bool *usable, size_t nunits)
{
    camas_token ut[MAX_TOK];
    for (size_t u = 0; u < nunits; u++) {
        if (!usable[u] || !units[u].nnames)
            continue;
        size_t nu = camas_tokenize(units[u].norm, ut, MAX_TOK);
        if (nu > MAX_TOK)
            nu = MAX_TOK;
        for (size_t i = 0; i < nq; i++)
            if (is_claim[i] && camas_yesno_word_in(c, lang, qt[i].text, ut, nu, units[u].norm)) {
                if (c->trace)
                    fprintf(c->trace, "an unknown name where the answer names others\n");
                return true;
            }
    }
    return false;
}

/* Does one usable sentence name all the people and offices of the question (qnames) and
 * make the claims that sentences about others make? *others: a sentence makes the
 * question's claim about others. */
/* Is each of the question's names in a usable sentence holding every relation word (the
 * claim words sentences about others make)? */
static bool each_makes_claim(const camas_yesno_context *c, const char *lang, const camas_token *qt,
                             size_t nq, const bool *relation, const unsigned *qnames, size_t nqn,
                             const struct unit *units, const bool *usable, size_t nunits)
{
    camas_token ut[MAX_TOK];
    const char *body = NULL; /* the claim is of one body ("co-chair of WashACT" each) */
    for (size_t j = 0; j < nqn; j++) {
        bool made = false;
        for (size_t u = 0; u < nunits && !made; u++) {
            if (!usable[u] || camas_yesno_unit_names(&units[u], &qnames[j], 1) != 1 ||
                (body && units[u].nbodies && strcmp(units[u].bodies[0], body) != 0))
                continue;
            size_t nu = camas_tokenize(units[u].norm, ut, MAX_TOK);
            if (nu > MAX_TOK)
                nu = MAX_TOK;
            made = true;
            for (size_t i = 0; i < nq && made; i++)
                made =
                    !relation[i] || camas_yesno_word_in(c, lang, qt[i].text, ut, nu, units[u].norm);
            if (made && !body && units[u].nbodies)
                body = units[u].bodies[0];
        }
        if (!made)
            return false;
    }
    return nqn > 1;
}

bool camas_yesno_names_in_one_unit(const camas_yesno_context *c, const char *lang,
                                   const camas_token *qt, size_t nq, const bool *is_claim,
                                   const unsigned *qnames, size_t nqn, const struct unit *units,
                                   const bool *usable, size_t nunits, bool *others)
{
    bool all_named = false;
    /* the claim words sentences about others make ("convened" in "convened by the U.S.
     * Attorney's Office"): a sentence naming the question's people must make them too
     * ("did the Seattle police convene WashACT?" is not answered by "co-chaired by the
     * Seattle Police Department") */
    bool *relation = calloc(nq ? nq : 1, sizeof *relation);
    bool related = false;
    camas_token ut[MAX_TOK];
    for (int pass = 0; pass < 2; pass++)
        for (size_t u = 0; u < nunits; u++) {
            if (!usable[u] || !units[u].nnames)
                continue;
            size_t have = camas_yesno_unit_names(&units[u], qnames, nqn);
            if ((have == nqn) != (pass == 1))
                continue;
            size_t nu = camas_tokenize(units[u].norm, ut, MAX_TOK);
            if (nu > MAX_TOK)
                nu = MAX_TOK;
            if (pass == 1) { /* a sentence naming them all */
                bool makes = true;
                for (size_t i = 0; i < nq && makes && relation; i++)
                    makes = !relation[i] ||
                            camas_yesno_word_in(c, lang, qt[i].text, ut, nu, units[u].norm);
                all_named |= makes;
                continue;
            }
            /* the claim is the sentence's words outside its names: "un survivant" is not
             * claimed of "Bureau de la défense des victimes" */
            char *bare = strdup(units[u].norm);
            unsigned char *in_name = calloc(strlen(units[u].norm) + 1, 1);
            unsigned ids[MAX_NAME_HITS];
            if (bare && in_name) {
                camas_yesno_find_names(c->names, units[u].norm, ids, MAX_NAME_HITS, in_name);
                for (size_t k = 0; bare[k]; k++)
                    if (in_name[k])
                        bare[k] = ' ';
                nu = camas_tokenize(bare, ut, MAX_TOK);
                if (nu > MAX_TOK)
                    nu = MAX_TOK;
            }
            free(in_name);
            for (size_t i = 0; i < nq; i++)
                if (is_claim[i] &&
                    camas_yesno_word_in(c, lang, qt[i].text, ut, nu, bare ? bare : units[u].norm)) {
                    *others = true;
                    if (relation)
                        relation[i] = related = true;
                }
            free(bare);
        }
    /* a list with one of them per line ("U.S. Attorney's Office: co-chair of WashACT",
     * "WARN: co-chair of WashACT"): each named in a sentence making the claim is all named */
    if (!all_named && related)
        all_named = each_makes_claim(c, lang, qt, nq, relation, qnames, nqn, units, usable, nunits);
    free(relation);
    if (!all_named && related)
        *others = true;
    return all_named;
}

/* Does a sentence name every person and office the question names (at least one)? Used
 * when no sentence of the answer is about the question's body. */
bool camas_yesno_named_elsewhere(const camas_yesno_context *c, const char *qn, unsigned char *qused,
                                 const struct unit *units, size_t nunits)
{
    unsigned qnames[MAX_NAME_HITS];
    size_t nqn = camas_yesno_find_names(c->names, qn, qnames, MAX_NAME_HITS, qused);
    for (size_t u = 0; nqn && u < nunits; u++) {
        if (camas_yesno_unit_names(&units[u], qnames, nqn) >= nqn)
            return true;
    }
    return false;
}

size_t camas_yesno_unit_names(const struct unit *unit, const unsigned *ids, size_t n)
{
    size_t have = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < unit->nnames; k++)
            have += unit->names[k] == ids[i];
    return have;
}

void camas_yesno_units_free(struct unit *units, size_t n)
{
    for (size_t u = 0; units && u < n; u++) {
        free(units[u].norm);
        free(units[u].item);
    }
    free(units);
}

struct unit *camas_yesno_about_units(const camas_yesno_context *c, const char *body,
                                     const char *lang, camas_yesno_topic topic, size_t *n)
{
    *n = 0;
    char *text = c->about ? c->about(c->ud, body, lang, topic) : NULL;
    struct unit *units = text ? calloc(MAX_UNITS, sizeof *units) : NULL;
    if (units)
        *n = camas_yesno_split_units(c, text, lang, units, MAX_UNITS);
    free(text);
    return units;
}

int camas_yesno_affiliated_elsewhere(const unsigned *qnames, size_t nqn, const struct unit *units,
                                     const bool *usable, size_t nunits)
{
    if (nqn < 2)
        return 0;
    size_t subject = nqn;
    for (size_t i = 0; i < nqn; i++) {
        bool named = false;
        for (size_t u = 0; u < nunits && !named; u++)
            named = usable[u] && camas_yesno_unit_names(&units[u], &qnames[i], 1);
        if (named && subject == nqn)
            subject = i; /* the first the question names: "is Richard Torrance with SPD?" */
    }
    /* two of the question's names in one sentence: not this reading */
    for (size_t u = 0; subject < nqn && u < nunits; u++) {
        size_t together = 0;
        for (size_t i = 0; usable[u] && i < nqn; i++)
            together += camas_yesno_unit_names(&units[u], &qnames[i], 1);
        if (together >= 2)
            return 0;
    }
    /* the sentences naming the subject name another person or office of its own */
    for (size_t u = 0; subject < nqn && u < nunits; u++) {
        if (!usable[u] || !camas_yesno_unit_names(&units[u], &qnames[subject], 1))
            continue;
        for (size_t k = 0; k < units[u].nnames; k++) {
            bool asked = false;
            for (size_t i = 0; i < nqn && !asked; i++)
                asked = units[u].names[k] == qnames[i];
            if (!asked)
                return -1;
        }
    }
    return 0;
}

/* Is a claim word missing from the answer the qualifier of a unit ("Homicide Unit", "l'unité
 * des mineurs", "la brigade des stupéfiants") when the answer names a unit too? */
bool camas_yesno_other_unit(const camas_token *qt, size_t nq, const bool *missed,
                            const camas_token *at, size_t na)
{
    static const char *const units[] = {"unit",    "unite",   "division", "squad",
                                        "brigade", "section", NULL};
    static const char *const of[] = {"de", "des", "du", "d", "of", "for", NULL};
    bool answer_unit = false;
    for (size_t k = 0; k < na && !answer_unit; k++)
        answer_unit = camas_text_in_words(at[k].text, units);
    for (size_t j = 0; answer_unit && j < nq && j < MAX_TOK; j++) {
        if (!camas_text_in_words(qt[j].text, units))
            continue;
        size_t after = j + 1 < nq && camas_text_in_words(qt[j + 1].text, of) ? j + 2 : j + 1;
        if ((j > 0 && missed[j - 1]) || (after < nq && after < MAX_TOK && missed[after]))
            return true;
    }
    return false;
}

/* Who holds the role the question names, asked of the knowledge (camas_yesno_role_elsewhere);
 * its holder bears out only the role: a "yes" needs every other claim word found (not
 * missed): "is the task force chaired by Richard Torrance in Olympia?" claims a place too. */
int camas_yesno_held_only_role(const camas_yesno_context *c, const char *lang, const char *question,
                               const char *qn, const camas_token *qt, size_t nq, const bool *missed,
                               const char *body, const unsigned *qnames, size_t nqn)
{
    int verdict = camas_yesno_role_elsewhere(c, qn, lang, body, qnames, nqn);
    /* (one paraphrased word aside, as for a claim the answer states: "le comité convoqué
     * par le procureur général travaille-t-il à …", never a place or a name) */
    size_t other = 0, at = 0;
    for (size_t i = 0; verdict == 1 && i < nq && i < MAX_TOK; i++)
        if (missed[i] && !camas_yesno_role_word(qt[i].text))
            other++, at = i;
    if (verdict == 1 && other &&
        (other > 1 || c->strict ||
         !camas_yesno_one_missing_tolerable(c->as_written ? c->as_written : question, qt, nq, at)))
        verdict = 0;
    return verdict;
}
