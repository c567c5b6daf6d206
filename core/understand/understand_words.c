/* The words of a question as the readers in parts see them: split at white space with each
 * word's first and last tokens (camas_understand_question_words), and split into a
 * description and what is asked about it (camas_understand_split_clauses). Split out of
 * understand_parts.c. Also whether a description is a person by their role, and the asked
 * part with its pronoun replaced by a name, and the nouns that name a body
 * (camas_understand_body_heads). */
#include "understand_internal.h"

#include "text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Words that name a body by what it is, to be told which by a description ("the group
 * created under RCW 7.68.350", "le comité dont Kyle Bois est le contact"). */
const char *const camas_understand_body_heads[] = {
    "group",   "committee", "body",       "panel",  "organization", "organisation", "entity",
    "one",     "council",   "groupe",     "comite", "organisme",    "instance",     "conseil",
    "entite",  "grp",       "commission", "force",  "taskforce",    "commitee",     "comittee",
    "travail", NULL};

/* Where the subject pronoun (" il ", " elle ", " ils ", " elles ") opens the asked part of
 * a question that starts by describing a body ("celui…", "le comité qui…": its first or
 * second word a body's noun or "celui"), three words or more before it; NULL otherwise.
 * *len gets the separator's length (the space before the pronoun). */
static const char *pronoun_after_description(const char *q, size_t *len)
{
    static const char *const pronouns[] = {" il ", " elle ", " ils ", " elles ", NULL};
    static const char *const openers[] = {"celui", "celle", "ceux", "celles", NULL};
    camas_token t[3];
    long nt = camas_text_tokenize(q, t, 3);
    bool described = false;
    for (long i = 0; i < nt && i < 2 && !described; i++)
        described = camas_text_in_words(t[i].text, openers) ||
                    camas_text_in_words(t[i].text, camas_understand_body_heads);
    if (!described)
        return NULL;
    for (size_t k = 0; pronouns[k]; k++) {
        const char *h = strcasestr(q, pronouns[k]);
        size_t words = 0;
        for (const char *p = q; h && p < h; p++)
            words += *p == ' ';
        if (h && words >= 2) {
            *len = 1;
            return h;
        }
    }
    return NULL;
}

/* Splits "DESCRIPTION, QUESTION" (or with " - ", " — ", ": ", "; ", or a "?" inside) at its
 * last separator into two parts of two words or more. */
bool camas_understand_split_clauses(const char *q, char *a, char *b, size_t cap)
{
    static const char *const seps[] = {", ", " - ", " — ", " – ", ": ", "; ", "? "};
    const char *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < sizeof seps / sizeof seps[0]; i++) {
        const char *p = NULL;
        for (const char *h = strstr(q, seps[i]); h; h = strstr(h + 1, seps[i]))
            p = h;
        if (p && (!best || p > best)) {
            best = p;
            best_len = strlen(seps[i]);
        }
    }
    /* "celui créé en 2013 il s'occupe de quoi": without a separator, the subject pronoun
     * after a description of a body opens what is asked */
    if (!best)
        best = pronoun_after_description(q, &best_len);
    if (!best)
        return false;
    size_t la = (size_t)(best - q);
    const char *rest = best + best_len;
    if (la + 1 > cap || strlen(rest) + 1 > cap || !strchr(q, ' ') || !strchr(rest, ' '))
        return false;
    /* a tag ("…, doesn't it?", "…, non ?", "…, c'est ça ?") asks nothing of its own */
    static const char *const tag_words[] = {
        "right", "correct", "true",  "non",  "vrai", "hein", "yes", "no",   "ok",   "okay",
        "pas",   "ca",      "doesn", "isn",  "wasn", "aren", "don", "didn", "hasn", "haven",
        "weren", "won",     "does",  "is",   "was",  "are",  "do",  "did",  "has",  "have",
        "were",  "t",       "it",    "they", "est",  "ce",   "n",   NULL};
    camas_token t[8];
    long nt = camas_text_tokenize(rest, t, 8), content = 0;
    for (long i = 0; i < nt; i++)
        content +=
            !camas_is_stopword(NULL, t[i].text) && !camas_text_in_words(t[i].text, tag_words);
    if (nt > 0 && nt <= 4 && content == 0)
        return false;
    memcpy(a, q, la);
    a[la] = '\0';
    strcpy(b, rest);
    if (best_len == 2 && best[0] == '?')
        strcat(a, "?");
    return strchr(a, ' ') != NULL; /* both parts have two words or more */
}

size_t camas_understand_question_words(const char *question, struct qword *w, size_t max)
{
    size_t n = 0;
    for (const char *p = question; *p && n < max;) {
        p += strspn(p, " \t\r\n");
        size_t l = strcspn(p, " \t\r\n");
        if (!l)
            break;
        char word[CAMAS_TOKEN_MAX * 2];
        size_t wl = l < sizeof word - 1 ? l : sizeof word - 1;
        memcpy(word, p, wl);
        word[wl] = '\0';
        camas_token t[4];
        long nt = camas_text_tokenize(word, t, 4);
        struct qword *q = &w[n++];
        q->start = p;
        q->len = l;
        q->first[0] = q->last[0] = '\0';
        /* "attorney's" is "attorney" "s"; "attorneys'" keeps its "s" */
        q->owner = nt == 2 && strcmp(t[1].text, "s") == 0;
        if (nt > 0 && nt <= 4) {
            memcpy(q->first, t[0].text, (size_t)t[0].len + 1);
            memcpy(q->last, t[nt - 1].text, (size_t)t[nt - 1].len + 1);
        }
        p += l;
    }
    return n;
}

bool camas_understand_role_named(const char *text)
{
    static const char *const roles[] = {
        "contact", "chair", "chairperson", "chairman", "chairwoman", "president", "presidente",
        "cochair", "co-chair", "copresident", "copresidente", "director", "directeur", "directrice",
        "head", "responsable", "leader",
        /* people a body counts among its members ("les quatre législateurs du groupe de
         * travail, ils viennent d'où ?") */
        "legislators", "legislateurs", "lawmakers", "members", "membres", "survivor", "survivors",
        "survivant", "survivants", "chairs", "copresidents", NULL};
    static const char *const lead[] = {
        "and",   "et", "so",  "alors", "the", "le",    "la",  "l",   "les", "this",  "these",
        "those", "ce", "ces", "cette", "our", "notre", "nos", "its", "ses", "leurs", NULL};
    char *norm = camas_text_normalize_dup(text);
    camas_token t[24];
    size_t nt = norm ? camas_tokenize(norm, t, 24) : 0, i = 0;
    free(norm);
    if (nt > 24)
        return false; /* a long description is a body's */
    while (i < nt &&
           (camas_text_in_words(t[i].text, lead) || camas_understand_count_of(&t[i], false)))
        i++;
    /* the role heads it ("le contact du comité CSEC", "the chair of the task force") or ends
     * a short one ("the CSEC contact"); one inside a body's description is the body's ("le
     * groupe présidé par le directeur du bureau", "the committee Kyle Bois is the contact
     * for") */
    if (i < nt && (camas_text_in_words(t[i].text, roles) ||
                   (nt - i <= 3 && camas_text_in_words(t[nt - 1].text, roles))))
        return true;
    /* ...or by their name: two or three words, each with a capital ("Richard Torrance, il
     * fait quoi ?") */
    char name[128];
    camas_understand_role_trimmed(text, name, sizeof name);
    size_t words = 0;
    for (const char *p = name; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        if (!isupper((unsigned char)*p))
            return false;
        while (*p && *p != ' ') {
            if (!isalpha((unsigned char)*p) && *p != '-' && (unsigned char)*p < 0x80)
                return false;
            p++;
        }
        words++;
    }
    return words >= 2 && words <= 3;
}

const char *camas_understand_role_trimmed(const char *text, char *out, size_t cap)
{
    while (*text && strchr(" ,;:-?!.", *text))
        text++;
    if (strncasecmp(text, "and ", 4) == 0 || strncasecmp(text, "et ", 3) == 0)
        text += text[0] == 'a' || text[0] == 'A' ? 4 : 3;
    size_t n = strlen(text);
    while (n && strchr(" ,;:-?!.", text[n - 1]))
        n--;
    snprintf(out, cap, "%.*s", (int)n, text);
    return out;
}

/* The asked part with its pronoun replaced by the body's id read as words ("what is it
 * focused on?" -> "what is csec focused on?"): alone, a short part with a pronoun is about
 * as near several of the body's entries (0.849, 0.848, 0.846), and the name makes it the
 * question the model knows. False when the part has no pronoun to replace. */
bool camas_understand_with_named(const char *part, const char *name, bool person, char *out,
                                 size_t cap)
{
    static const char *const subject[] = {"it",  "they",  "them", "il",  "elle",
                                          "ils", "elles", "he",   "she", NULL};
    static const char *const possessive[] = {"its", "their", "his", "her", NULL};
    /* "he", "she", "his", "her" only for a person ("le contact du comité, il a quel titre ?") */
    const size_t subjects = person ? 9 : 7, possessives = person ? 4 : 2;
    for (const char *p = part; *p;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break; /* trailing spaces: stepping past them would pass the end */
        size_t wl = strcspn(p, " ?,.!");
        char w[16];
        if (wl && wl < sizeof w) {
            for (size_t i = 0; i < wl; i++)
                w[i] = (char)tolower((unsigned char)p[i]);
            w[wl] = '\0';
            bool poss = false, subj = false;
            for (size_t k = 0; k < possessives; k++)
                poss |= strcmp(w, possessive[k]) == 0;
            for (size_t k = 0; k < subjects; k++)
                subj |= strcmp(w, subject[k]) == 0;
            if (poss || subj) {
                int n = snprintf(out, cap, "%.*s%s%s%s", (int)(p - part), part, name,
                                 poss ? "'s" : "", p + wl);
                return n > 0 && (size_t)n < cap;
            }
            /* a French possessive comes before its noun: "son titre" is "le titre de NAME" */
            static const char *const fr_possessive[] = {"son", "sa", "ses", NULL};
            size_t nl = strcspn(p + wl + (p[wl] == ' '), " ?,.!");
            if (person && nl && p[wl] == ' ' && camas_text_in_words(w, fr_possessive)) {
                const char *noun = p + wl + 1;
                int n = snprintf(out, cap, "%.*s%s %.*s de %s%s", (int)(p - part), part,
                                 w[1] == 'e'   ? "les"
                                 : w[1] == 'a' ? "la"
                                               : "le",
                                 (int)nl, noun, name, noun + nl);
                return n > 0 && (size_t)n < cap;
            }
            /* "c'est qui ?", "c'est quoi son rôle ?": "NAME est qui ?" */
            if (person && (strcmp(w, "c'est") == 0 || strcmp(w, "c\xe2\x80\x99"
                                                                "est") == 0)) {
                int n = snprintf(out, cap, "%.*s%s est%s", (int)(p - part), part, name, p + wl);
                return n > 0 && (size_t)n < cap;
            }
        }
        p += wl ? wl : 1;
    }
    return false;
}

bool camas_understand_with_body_named(const char *part, const char *body, char *out, size_t cap)
{
    char name[64];
    size_t nl = strlen(body);
    if (nl >= sizeof name)
        return false;
    for (size_t i = 0; i <= nl; i++)
        name[i] = body[i] == '-' ? ' ' : body[i];
    return camas_understand_with_named(part, name, false, out, cap);
}
