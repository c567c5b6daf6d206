/* Yes/no questions that restrict ("is the CSEC committee made up only of AG office staff?",
 * "le groupe de travail ne regarde que les programmes fédéraux ?", "WashACT a un seul
 * président ?"): the answer says "no" when it lists more than the question allows. Kept
 * apart from yesno.c's general rules because it reads the answer's structure (lists and
 * enumerations) rather than its values. Also which questions restrict, which claim
 * something of every one ("all four legislators…?"), and which word a "yes" may not do
 * without (camas_yesno_one_missing_tolerable). */
#include "yesno_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Phrases that restrict to one ("a single chair?"), not to a kind ("only state agencies?"). */
static const char *const only_one[] = {"un seul",  "une seule",  "a single", "only one",
                                       "just one", "one single", "le seul",  "la seule",
                                       "the only", "the sole",   NULL};

/* The first word of three letters or more after a phrase of only_one in qn ("un seul
 * président" -> "president", "a single co-chair" -> "chair") into out; false when the
 * question has none. */
static bool one_of_what(const char *qn, char *out, size_t cap)
{
    for (size_t i = 0; only_one[i]; i++) {
        size_t pl = strlen(only_one[i]);
        for (const char *p = strstr(qn, only_one[i]); p; p = strstr(p + 1, only_one[i])) {
            if ((p != qn && p[-1] != ' ') || p[pl] != ' ')
                continue;
            camas_token t[4];
            size_t n = camas_tokenize(p + pl, t, 4);
            for (size_t k = 0; k < n && k < 4; k++)
                if (t[k].len >= 3) {
                    snprintf(out, cap, "%s", t[k].text);
                    return true;
                }
        }
    }
    return false;
}

/* Does the list item name one of the question's people or offices? */
static bool names_one(const camas_yesno_context *c, const unsigned *qnames, size_t nqn,
                      const char *item)
{
    unsigned ids[MAX_NAME_HITS];
    size_t n = nqn ? camas_yesno_find_names(c->names, item, ids, MAX_NAME_HITS, NULL) : 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < nqn; k++)
            if (ids[i] == qnames[k])
                return true;
    return false;
}

/* Does text hold one of the words (the question's claim words, or the one thing "a single"
 * is about)? */
static bool holds_claim(const camas_yesno_context *c, const char *lang, const char *const *words,
                        size_t nw, const char *text)
{
    camas_token t[MAX_TOK];
    size_t n = camas_tokenize(text, t, MAX_TOK);
    if (n > MAX_TOK)
        n = MAX_TOK;
    for (size_t i = 0; i < nw; i++)
        if (camas_yesno_word_in(c, lang, words[i], t, n, text))
            return true;
    return false;
}

/* Kinds of members from which a list of them answers "only X?" with "no" even when X is
 * none of them. */
#define MEMBERS_LIST_MIN 3

/* Lists: items of one list, how many hold a claim word, and whether the line introducing
 * them does. */
static int list_verdict(const camas_yesno_context *c, const char *lang, bool one,
                        bool about_members, const char *const *words, size_t nw,
                        const unsigned *qnames, size_t nqn, const struct unit *units,
                        const bool *usable, size_t nunits)
{
    for (size_t u = 0; u < nunits; u++) {
        if (!usable[u] || !units[u].list || (u > 0 && units[u - 1].list == units[u].list))
            continue; /* not the first item of a list */
        size_t items = 0, claimed = 0;
        bool header_claims = false;
        for (size_t k = u; k < nunits && units[k].list == units[u].list; k++) {
            if (!usable[k] || !units[k].item)
                continue;
            items++;
            claimed += holds_claim(c, lang, words, nw, units[k].item) ||
                       names_one(c, qnames, nqn, units[k].item);
            /* norm is the header, a space, then the item */
            size_t hl = strlen(units[k].norm) - strlen(units[k].item);
            char *header = hl > 1 ? strndup(units[k].norm, hl - 1) : NULL;
            header_claims |= header && holds_claim(c, lang, words, nw, header);
            free(header);
        }
        if (items < 2)
            continue;
        if (one && header_claims)
            return -1; /* "a single chair?" against a list of co-chairs */
        if (!one && claimed > 0 && claimed < items)
            return -1; /* "only the AG's office?" against eight kinds of members */
        /* "made up only of prosecutors?" against a list of members none of which is that:
         * the members are others too (only a question about its members: "meet only
         * quarterly?" against the list of what the meetings do is not one) */
        if (!one && claimed == 0 && !header_claims && items >= MEMBERS_LIST_MIN && about_members)
            return -1;
    }
    return 0;
}

/* Enumerations inside a sentence: the claimed word next to "," "and" "et" "or" "ou" with a
 * neighbour the question does not claim ("only federal programs?" against "federal, state
 * and local programs"). A comma counts only when a conjunction follows within three words,
 * so an apposition ("Kyle Bois, Assistant Attorney General") is not a list. */
static const char *const conjunctions[] = {"and", "et", "or", "ou", NULL};
static const char *const articles[] = {"the", "le", "la",  "les", "l",  "des",  "du", "de",
                                       "a",   "an", "une", "un",  "in", "dans", NULL};

static bool claimed_token(const camas_yesno_context *c, const char *lang, const camas_token *qt,
                          size_t nq, const bool *is_claim, const camas_token *t)
{
    for (size_t i = 0; i < nq; i++)
        if (is_claim[i] && camas_yesno_word_in(c, lang, qt[i].text, t, 1, NULL))
            return true;
    return false;
}

/* The word at or after position k, skipping articles; NULL at the end. */
static const camas_token *next_word(const camas_token *t, size_t n, size_t k)
{
    while (k < n && camas_text_in_words(t[k].text, articles))
        k++;
    return k < n ? &t[k] : NULL;
}

static int enumeration_verdict(const camas_yesno_context *c, const char *lang,
                               const camas_token *qt, size_t nq, const bool *is_claim,
                               const struct unit *units, const bool *usable, size_t nunits)
{
    for (size_t u = 0; u < nunits; u++) {
        if (!usable[u])
            continue;
        /* tokens, with which of them a comma follows (commas stay in normalised text) */
        const char *text = units[u].item ? units[u].item : units[u].norm;
        camas_token t[MAX_TOK];
        bool comma[MAX_TOK] = {false};
        size_t n = 0;
        for (const char *p = text; *p && n < MAX_TOK;) {
            while (*p == ' ')
                p++;
            const char *end = p;
            while (*end && *end != ' ')
                end++;
            if (end == p)
                break;
            char word[4 * CAMAS_TOKEN_MAX];
            snprintf(word, sizeof word, "%.*s", (int)(end - p), p);
            size_t got = camas_tokenize(word, t + n, MAX_TOK - n);
            n += got < MAX_TOK - n ? got : MAX_TOK - n;
            if (n && end[-1] == ',')
                comma[n - 1] = true;
            p = end;
        }
        for (size_t k = 0; k < n; k++) {
            if (!claimed_token(c, lang, qt, nq, is_claim, &t[k]))
                continue;
            const camas_token *other = NULL;
            if (k + 1 < n && camas_text_in_words(t[k + 1].text, conjunctions))
                other = next_word(t, n, k + 2); /* "the House and the Senate" */
            else if (comma[k])
                for (size_t j = k + 1; j < n && j <= k + 3 && !other; j++)
                    if (camas_text_in_words(t[j].text, conjunctions))
                        other = next_word(t, n, k + 1); /* "federal, state and local" */
            if (!other) { /* "state and local", "the House and the Senate" */
                size_t j = k;
                while (j > 0 && camas_text_in_words(t[j - 1].text, articles))
                    j--;
                if (j >= 2 && camas_text_in_words(t[j - 1].text, conjunctions))
                    other = &t[j - 2];
            }
            if (other && !claimed_token(c, lang, qt, nq, is_claim, other)) {
                if (c->trace)
                    fprintf(c->trace, "listed beside '%s': '%s'\n", t[k].text, other->text);
                return -1;
            }
        }
    }
    return 0;
}

int camas_yesno_only(const camas_yesno_context *c, const char *lang, const char *qn,
                     const camas_token *qt, size_t nq, const bool *is_claim, const unsigned *qnames,
                     size_t nqn, const struct unit *units, const bool *usable, size_t nunits)
{
    char thing[CAMAS_TOKEN_MAX + 1];
    bool one = one_of_what(qn, thing, sizeof thing);
    const char *words[MAX_TOK];
    size_t nw = 0;
    if (one)
        words[nw++] = thing;
    else
        for (size_t i = 0; i < nq && nw < MAX_TOK; i++)
            if (is_claim[i])
                words[nw++] = qt[i].text;
    static const char *const members[] = {"made up", "composed",  "compose",    "composee",
                                          "members", "membres",   "membership", "consists",
                                          "consist", "constitue", NULL};
    int v = list_verdict(c, lang, one, camas_yesno_any_phrase(qn, members), words, nw,
                         one ? NULL : qnames, one ? 0 : nqn, units, usable, nunits);
    if (!v && !one)
        v = enumeration_verdict(c, lang, qt, nq, is_claim, units, usable, nunits);
    return v;
}

/* A restrictive question: "only advocacy groups?", "n'a que des législateurs ?" (not "by
 * invitation only"). */
bool camas_yesno_restrictive(const char *qn, const camas_token *qt, size_t nq)
{
    static const char *const only[] = {
        "only",       "just",          "solely",     "exclusively", "seulement",
        "uniquement", "exclusivement", "limitative", "exhaustive",  "n a que",
        "n ont que",  "ne sont que",   "un seul",    "une seule",   "a single",
        "le seul",    "la seule",      "the sole",   NULL};
    static const char *const by_invitation[] = {"invite only", "invitation only", NULL};
    bool ne_que = false; /* "ne regarde que", "n'a que" */
    for (size_t i = 0; i + 1 < nq && !ne_que; i++)
        if (strcmp(qt[i].text, "ne") == 0 || strcmp(qt[i].text, "n") == 0)
            for (size_t k = i + 1; k < nq && k <= i + 4 && !ne_que; k++) /* "ne compte-t-il que" */
                ne_que = strcmp(qt[k].text, "que") == 0 || strcmp(qt[k].text, "qu") == 0;
    return (camas_yesno_any_phrase(qn, only) && !camas_yesno_any_phrase(qn, by_invitation)) ||
           ne_que;
}

/* A claim about every one of something: "are all four legislators from the Senate?",
 * "viennent-ils tous du Sénat ?" (not "tous les trimestres", "at all", nor the answer's own
 * "all the resources"). An answer that names them among others does not settle it. */
bool camas_yesno_universal(const camas_token *qt, size_t nq, const camas_token *at, size_t na)
{
    for (size_t i = 0; i < nq; i++) {
        const char *w = qt[i].text, *next = i + 1 < nq ? qt[i + 1].text : "";
        bool all = (strcmp(w, "all") == 0 && (i == 0 || strcmp(qt[i - 1].text, "at") != 0)) ||
                   ((strcmp(w, "tous") == 0 || strcmp(w, "toutes") == 0) &&
                    strcmp(next, "les") != 0 && strcmp(next, "l") != 0);
        bool answer_says_it = false;
        for (size_t k = 0; all && k < na && !answer_says_it; k++)
            answer_says_it = strcmp(at[k].text, w) == 0;
        if (all && !answer_says_it)
            return true;
    }
    return false;
}

/* Is word w (normalised) written with a capital inside the question ("Tacoma", "FBI"), not
 * as its first word? A name the answer does not give is the point of the question. */
bool camas_yesno_proper_noun(const char *question, const char *w)
{
    size_t wl = strlen(w);
    for (const char *p = question; *p; p++) {
        if (p > question && isalnum((unsigned char)p[-1]))
            continue;
        if (strncasecmp(p, w, wl) == 0 && !isalnum((unsigned char)p[wl]))
            return p > question && isupper((unsigned char)*p);
    }
    return false;
}

/* May a question whose claims are all in the answer but one still get a "yes"? Only when
 * the missing word is no crux: not with a comparison or a restriction in the question
 * ("the same bill", "only", "limited to"), not a level ("federal agencies" against "state
 * agencies"), and not the qualifier of an institution ("the Tacoma police"). */
static bool missing_is_tolerable(const camas_token *qt, size_t nq, size_t miss)
{
    static const char *const cruxes[] = {
        "same",          "meme",       "different", "differente", "differents", "differentes",
        "both",          "limited",    "limite",    "limitee",    "just",       "only",
        "seulement",     "uniquement", "rather",    "plutot",     "instead",    "exclusively",
        "exclusivement", "solely",     "except",    "sauf",       "never",      "jamais",
        "aucun",         "aucune",     "no",        "not",        "pas",        "sans",
        "without",       NULL};
    static const char *const levels[] = {
        "federal",   "federale",   "federales",  "federaux",      "national",
        "nationale", "nationales", "nationaux",  "international", "internationale",
        "county",    "municipal",  "municipale", "regional",      "regionale",
        "local",     "locale",     "locales",    "locaux",        "private",
        "prive",     "privee",     "privees",    "public",        "publique",
        "publiques", NULL};
    static const char *const institutions[] = {
        "police",   "department", "departement", "office",   "bureau",  "unit",   "unite",
        "sheriff",  "county",     "city",        "ville",    "agency",  "agence", "court",
        "tribunal", "university", "universite",  "hospital", "hopital", NULL};
    for (size_t i = 0; i < nq; i++)
        if (camas_text_in_words(qt[i].text, cruxes))
            return false;
    if (camas_text_in_words(qt[miss].text, levels))
        return false;
    for (size_t k = miss > 2 ? miss - 2 : 0; k < nq && k <= miss + 2; k++)
        if (k != miss && camas_text_in_words(qt[k].text, institutions))
            return false;
    return true;
}
bool camas_yesno_one_missing_tolerable(const char *question, const camas_token *qt, size_t nq,
                                       size_t miss)
{
    return missing_is_tolerable(qt, nq, miss) && !camas_yesno_proper_noun(question, qt[miss].text);
}

/* Phrases that set aside what follows them ("rather than", "sans regarder"). */
static const char *const aside[] = {"rather than",
                                    "instead of",
                                    "plutot que",
                                    "au lieu de",
                                    "au lieu des",
                                    "sans regarder",
                                    "sans tenir compte",
                                    "sans s interesser",
                                    "not at",
                                    "and not",
                                    "et non",
                                    "mais pas",
                                    "ignore",
                                    "ignores",
                                    "ignoring",
                                    "ignorer",
                                    "ignorent",
                                    "neglect",
                                    "neglects",
                                    "negliger",
                                    NULL};

/* "Does the CSEC committee review international practices rather than local and regional
 * ones?", "se limite-t-il à l'État sans regarder ce qui se fait au niveau national ?", "is
 * the task force supposed to ignore what other states are doing?": what the question sets
 * aside, when the answer states it, says "no". The words after the phrase (to the end of
 * the clause), less little words and the bodies' own, must all be in the answer. */
bool camas_yesno_sets_aside_stated(const camas_yesno_context *c, const char *lang, const char *qn,
                                   const camas_token *at, size_t na, const char *an)
{
    /* words that point at what is set aside without saying it */
    static const char *const pointers[] = {"ones",  "one",   "those", "that",   "what",   "celles",
                                           "ceux",  "celle", "celui", "things", "choses", "fait",
                                           "doing", "done",  "being", NULL};
    for (const char *const *p = aside; *p; p++) {
        size_t pl = strlen(*p);
        for (const char *at_p = strstr(qn, *p); at_p; at_p = strstr(at_p + 1, *p)) {
            if ((at_p != qn && at_p[-1] != ' ') || (at_p[pl] && at_p[pl] != ' '))
                continue;
            /* people and offices set aside are for the names' own rules ("chaired by
             * Torrance rather than Kyle Bois?") */
            if (c->names && camas_yesno_names_in(c->names, at_p + pl))
                continue;
            camas_token t[24];
            size_t n = camas_tokenize(at_p + pl, t, 24), content = 0, found = 0;
            for (size_t i = 0; i < n && i < 24; i++) {
                const char *w = t[i].text;
                if (camas_is_stopword(lang, w) || camas_text_in_words(w, pointers) ||
                    (c->is_body_word && c->is_body_word(c->ud, w, lang)) || t[i].len < 3)
                    continue;
                content++;
                found += camas_yesno_word_in(c, lang, w, at, na, an);
            }
            /* two words at least: one alone ("rather than the legislature") is too often
             * read into the answer by its stem or synonyms */
            if (content >= 2 && found == content)
                return true;
        }
    }
    return false;
}

/* Is a name of the span [from, to) of normalised text one the answer also names? */
static bool aside_stated(const camas_yesno_context *c, const char *from, size_t len,
                         const char *answer, size_t *named)
{
    char span[256];
    snprintf(span, sizeof span, "%.*s", (int)len, from);
    unsigned mid[4], tid[16];
    size_t nm = camas_yesno_find_names(c->names, span, mid, 4, NULL);
    char *an = nm ? camas_text_normalize_dup(answer) : NULL;
    size_t nt = an ? camas_yesno_find_names(c->names, an, tid, 16, NULL) : 0;
    free(an);
    bool stated = false;
    for (size_t i = 0; i < nm; i++)
        for (size_t k = 0; k < nt; k++)
            stated |= mid[i] == tid[k];
    *named = nm;
    return stated;
}

void camas_yesno_cut_aside_names(const camas_yesno_context *c, char *qn, const char *answer)
{
    /* "not by the Attorney General but by the U.S. Attorney's Office", "pas par X mais par
     * Y": what lies between is set aside, what follows "but" is claimed */
    static const char *const contrast[] = {"not by", "pas par", "non par", "not the",
                                           "pas le", "pas la",  NULL};
    static const char *const but[] = {" but ", " mais ", NULL};
    for (const char *const *p = contrast; c->names && *p; p++) {
        const char *at_p = strstr(qn, *p);
        if (!at_p || (at_p != qn && at_p[-1] != ' '))
            continue;
        for (const char *const *b = but; *b; b++) {
            char *end = strstr(at_p, *b);
            size_t named = 0, claimed = 0;
            /* ...when the answer names who is claimed: then who is denied claims nothing */
            if (!end)
                continue;
            aside_stated(c, at_p, (size_t)(end - at_p), answer, &named);
            if (!named || !aside_stated(c, end, strlen(end), answer, &claimed))
                continue;
            size_t keep = strlen(end + strlen(*b));
            memmove((char *)at_p, end + strlen(*b), keep + 1);
            return;
        }
    }
    for (const char *const *p = aside; c->names && *p; p++) {
        size_t pl = strlen(*p);
        for (char *at_p = strstr(qn, *p); at_p; at_p = strstr(at_p + 1, *p)) {
            if ((at_p != qn && at_p[-1] != ' ') || (at_p[pl] && at_p[pl] != ' '))
                continue;
            size_t nm = 0;
            bool stated = aside_stated(c, at_p + pl, strlen(at_p + pl), answer, &nm);
            if (nm && !stated) {
                *at_p = '\0';
                return;
            }
        }
    }
}

/* t (n tokens) without "only", "just", "seulement", "uniquement", "que": the new count. */
size_t camas_yesno_without_only(camas_token *t, size_t n)
{
    static const char *const only[] = {"only", "just", "seulement", "uniquement", "que", NULL};
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!camas_text_in_words(t[i].text, only))
            t[k++] = t[i];
    return k;
}
