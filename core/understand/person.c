/* The person a follow-up points at ("is he also a co-chair of WashACT?" after "who chairs the
 * task force?", "il travaille pour le bureau du procureur général ?" after "qui est le contact
 * du comité CSEC ?"). An answer naming exactly one person (bodies.yaml `people:`) leaves that
 * name in brackets at the end of the understood text the core keeps as the asker's context;
 * the next question's "he", "she", "him", "il", "elle" or "lui" is read as that name, and the
 * question is then answered on its own: joined to the previous one, its words would pull the
 * answer back to the entry that named the person, and a yes/no claim about the person would be
 * judged against it ("is he with the Seattle police?" got the Seattle police's entry's "Yes"). */
#include "person.h"

#include "text.h"
#include "util.h"
#include "yesno.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool camas_person_in_prev(const camas_yesno_names *names, const char *prev, camas_buf *question,
                          char *person, size_t cap)
{
    size_t len = prev ? strlen(prev) : 0;
    const char *open = len ? strrchr(prev, '(') : NULL;
    if (!open || open == prev || prev[len - 1] != ')' || open[-1] != ' ')
        return false;
    char inside[CAMAS_NAME_PHRASE_MAX];
    size_t il = (size_t)(prev + len - 1 - open - 1);
    if (il == 0 || il >= sizeof inside)
        return false;
    memcpy(inside, open + 1, il);
    inside[il] = '\0';
    char found[CAMAS_NAME_PHRASE_MAX];
    /* the brackets hold the name and nothing else */
    char *norm = camas_text_normalize_dup(inside);
    bool whole = norm && camas_yesno_person_in(names, inside, found, sizeof found) &&
                 strcmp(norm, found) == 0 && strlen(found) < cap;
    free(norm);
    if (!whole)
        return false;
    memcpy(person, inside, il + 1); /* as the answer wrote it: the model minds capitals */
    camas_buf_reset(question);
    return camas_buf_append(question, prev, (size_t)(open - 1 - prev)) == 0;
}

/* Is the word of text at [at, at + len) one of words (case aside)? */
static bool word_is_one_of(const char *at, size_t len, const char *const *words)
{
    for (size_t k = 0; words[k]; k++)
        if (strlen(words[k]) == len && strncasecmp(at, words[k], len) == 0)
            return true;
    return false;
}

bool camas_person_for_pronoun(const camas_yesno_names *names, const char *text, const char *lang,
                              const char *person, camas_buf *out)
{
    static const char *const subject_en[] = {"he", "she", "him", NULL};
    static const char *const owner_en[] = {"his", "her", NULL};
    static const char *const subject_fr[] = {"il", "elle", "lui", NULL};
    /* impersonal "il": "il y a", "il faut", "il existe" */
    static const char *const impersonal[] = {"y", "faut", "existe", "s", "semble", "reste", NULL};
    /* what only a body does: "il a été créé en 2012 ?", "does he meet quarterly?" are about
     * the body the previous answer was about */
    static const char *const of_a_body[] = {
        "created",    "founded",  "reauthorized", "authorized", "meet",      "meets",      "met",
        "meeting",    "meetings", "members",      "law",        "bill",      "rcw",        "cree",
        "creee",      "fonde",    "fondee",       "autorise",   "autorisee", "reautorise", "reunit",
        "reunissent", "reunion",  "reunions",     "membres",    "loi",       "public",     NULL};
    char named[CAMAS_NAME_PHRASE_MAX];
    bool fr = strcmp(lang, "fr") == 0;
    if (camas_yesno_person_in(names, text, named, sizeof named))
        return false; /* it names someone itself */
    char *norm = camas_text_normalize_dup(text);
    camas_token t[48];
    size_t nt = norm ? camas_tokenize(norm, t, 48) : 0;
    free(norm);
    for (size_t i = 0; i < nt && i < 48; i++)
        if (camas_text_in_words(t[i].text, of_a_body))
            return false;
    camas_buf_reset(out);
    bool replaced = false, inverted_seen = false;
    const char *p = text;
    while (*p) {
        if (!isalpha((unsigned char)*p) ||
            (p > text && (isalnum((unsigned char)p[-1]) || (unsigned char)p[-1] >= 0x80))) {
            camas_buf_append(out, p, 1);
            p++;
            continue;
        }
        size_t len = 0;
        while (isalpha((unsigned char)p[len]) || (unsigned char)p[len] >= 0x80)
            len++;
        const char *next = p + len;
        while (*next == ' ' || *next == '\'')
            next++;
        size_t nlen = 0;
        while (isalpha((unsigned char)next[nlen]) || (unsigned char)next[nlen] >= 0x80)
            nlen++;
        bool inverted = p > text && p[-1] == '-'; /* "dirige-t-il": the name goes first */
        /* "et le public, il peut faire quoi ?": "il" takes up what comes before it */
        const char *before = p;
        while (before > text && before[-1] == ' ')
            before--;
        bool resumes = before > text && before[-1] == ',';
        if (!fr && word_is_one_of(p, len, subject_en)) {
            camas_buf_puts(out, person);
            replaced = true;
        } else if (!fr && word_is_one_of(p, len, owner_en)) {
            camas_buf_printf(out, "%s's", person);
            replaced = true;
        } else if (fr && !inverted && !resumes && word_is_one_of(p, len, subject_fr) &&
                   !(nlen && word_is_one_of(next, nlen, impersonal))) {
            camas_buf_puts(out, person);
            replaced = true;
        } else {
            inverted_seen |= fr && inverted && word_is_one_of(p, len, subject_fr);
            camas_buf_append(out, p, len);
        }
        p += len;
    }
    if (!replaced && inverted_seen) { /* "Richard Torrance dirige-t-il aussi WashACT ?" */
        camas_buf_reset(out);
        camas_buf_printf(out, "%s %s", person, text);
        replaced = true;
    }
    return replaced;
}

void camas_person_understood(const camas_yesno_names *names, const char *reply, const char *asked,
                             camas_buf *understood)
{
    /* only an answer to "who…?"/"qui…?", whose person the asker may go on about; "what is the
     * CSEC committee?" names its contact, but "il" after it is the committee */
    static const char *const who[] = {"who", "whom", "whos", "qui", NULL};
    char *norm = camas_text_normalize_dup(asked);
    camas_token t[48];
    size_t nt = norm ? camas_tokenize(norm, t, 48) : 0;
    free(norm);
    bool asks_who = false;
    for (size_t i = 0; i < nt && i < 48 && !asks_who; i++)
        asks_who = camas_text_in_words(t[i].text, who);
    char person[CAMAS_NAME_PHRASE_MAX];
    if (!asks_who || !camas_yesno_person_in(names, reply, person, sizeof person))
        return;
    /* the name as the reply writes it ("Richard Torrance"), when its letters are plain */
    const char *at = strcasestr(reply, person);
    if (at)
        memcpy(person, at, strlen(person));
    if (!understood->len)
        camas_buf_puts(understood, asked);
    camas_buf_printf(understood, " (%s)", person);
}
