/* A name pieced together from a list's items: "La police d'État de Washington copréside
 * WashACT ?" against "WashACT a trois coprésidents : - le bureau du procureur adjoint des
 * États-Unis ; - … département de police de Seattle ; - … Washington Anti-Trafficking
 * Response Network". Each word is in the answer, so the claim looked borne out; but words
 * the question writes as one phrase name one thing, and a list gives one thing per item.
 * Text only: no knowledge is read here. */
#include "yesno_internal.h"

#include "text.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS 16

/* The words that join the words of one name ("police d'État de Washington", "Office of
 * Crime Victims Advocacy"); any other word between two claim words ends the phrase. */
static const char *const joiners[] = {"de", "d", "du", "des", "of", "the", "la", "le", "l", NULL};

/* Is the word qn's token text written with a capital (past the question's first word) in the
 * question as written? Latin-1 capitals (É) count: "police d'État". */
static bool written_capital(const char *question, const char *word)
{
    size_t words = 0;
    for (const char *p = question; *p;) {
        while (*p && !((unsigned char)*p >= 0x80 || (*p >= '0' && *p <= '9') ||
                       (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
            p++;
        const char *start = p;
        while ((unsigned char)*p >= 0x80 || (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
               (*p >= 'A' && *p <= 'Z'))
            p++;
        if (p == start)
            break;
        char folded[CAMAS_TOKEN_MAX + 1];
        long fl = camas_text_normalize(start, (size_t)(p - start), folded, sizeof folded);
        bool capital = (start[0] >= 'A' && start[0] <= 'Z') ||
                       ((unsigned char)start[0] == 0xC3 && (unsigned char)start[1] >= 0x80 &&
                        (unsigned char)start[1] <= 0x9E);
        if (words++ > 0 && capital && fl > 0 && strcmp(folded, word) == 0)
            return true;
    }
    return false;
}

/* Is token k a word of a body's name that names no body here ("d'État de Washington" in "la
 * police d'État de Washington"): not in a known name (qused, over qn), a body's word, and
 * no stopword? Such words are part of the phrase. */
static bool body_word_in_phrase(const camas_yesno_context *c, const char *lang, const char *qn,
                                const unsigned char *qused, const camas_token *t, size_t *pos)
{
    const char *at = strstr(qn + *pos, t->text);
    if (at)
        *pos = (size_t)(at - qn) + t->len;
    return at && !qused[at - qn] && t->len >= 2 && c->is_body_word &&
           c->is_body_word(c->ud, t->text, lang) && !camas_is_stopword(lang, t->text);
}

int camas_yesno_items_apart(const camas_yesno_context *c, const char *lang, const char *question,
                            const char *qn, const unsigned char *qused, const camas_token *qt,
                            size_t nq, const bool *is_claim, const char *answer)
{
    /* the answer's list items (lines opening with "- "), normalised, and the rest */
    char *items[MAX_ITEMS];
    size_t nitems = 0;
    camas_buf rest = {0};
    for (const char *line = answer; line && *line && nitems < MAX_ITEMS;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *s = line;
        while (s < line + len && *s == ' ')
            s++;
        bool item = s + 1 < line + len && (s[0] == '-' || s[0] == '*') && s[1] == ' ';
        char *raw = strndup(line, len);
        char *norm = raw ? camas_text_normalize_dup(raw) : NULL;
        free(raw);
        if (norm && item)
            items[nitems++] = norm;
        else if (norm) {
            camas_buf_printf(&rest, "%s%s", rest.len ? " . " : "", norm);
            free(norm);
        }
        line = end ? end + 1 : NULL;
    }
    int verdict = 0;
    camas_token it[MAX_TOK], rt[MAX_TOK];
    const char *rn = camas_buf_cstr(&rest);
    size_t nr = nitems >= 2 ? camas_tokenize(rn, rt, MAX_TOK) : 0;
    if (nr > MAX_TOK)
        nr = MAX_TOK;
    /* the claim words of each phrase (claim words joined only by joiners), less those the
     * rest of the answer holds (the list's introduction: "three co-chairs") */
    for (size_t i = 0; nitems >= 2 && i < nq && !verdict;) {
        if (!is_claim[i]) {
            i++;
            continue;
        }
        size_t phrase[MAX_TOK], np = 0, j = i, pos = 0;
        bool capital = false;
        for (size_t k = 0; k < i; k++) /* where token i sits in qn */
            body_word_in_phrase(c, lang, qn, qused, &qt[k], &pos);
        for (size_t k = i; k < nq; k++) {
            if (is_claim[k] || body_word_in_phrase(c, lang, qn, qused, &qt[k], &pos)) {
                if (!camas_yesno_word_in(c, lang, qt[k].text, rt, nr, rn)) {
                    phrase[np++] = k;
                    capital |= written_capital(question, qt[k].text);
                }
                j = k;
            } else if (!camas_text_in_words(qt[k].text, joiners)) {
                break;
            }
        }
        i = j + 1;
        /* a name: written with a capital (words a list gives apart without one are often
         * the question's commas lost: "identified, investigated and prosecuted") */
        if (np < 2 || !capital)
            continue;
        /* each word in some item, no item with them all: pieced together */
        /* each item tokenized once: the phrase's words it holds, and whether it holds all */
        bool somewhere[MAX_TOK] = {false}, one = false, each = true;
        for (size_t n = 0; n < nitems && !one; n++) {
            size_t ni = camas_tokenize(items[n], it, MAX_TOK);
            bool all = true;
            for (size_t p = 0; p < np; p++) {
                bool held = camas_yesno_word_in(c, lang, qt[phrase[p]].text, it,
                                                ni < MAX_TOK ? ni : MAX_TOK, items[n]);
                somewhere[p] |= held;
                all &= held;
            }
            one = all;
        }
        for (size_t p = 0; p < np; p++)
            each &= somewhere[p];
        if (each && !one) {
            if (c->trace)
                fprintf(c->trace, "a name pieced together from the list's items\n");
            verdict = -1;
        }
    }
    for (size_t n = 0; n < nitems; n++)
        free(items[n]);
    camas_buf_free(&rest);
    return verdict;
}
