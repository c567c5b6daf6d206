/* Personal data taken out of questions before camas keeps them (camas unanswered):
 * e-mail addresses, phone numbers, Matrix ids, URLs and long digit runs (see text.h).
 * Split out of text.c, which prepares text for matching. */
#include "text.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool word_byte(unsigned char c)
{
    return isalnum(c) || c >= 0x80 || c == '.' || c == '-' || c == '_' || c == '+' || c == '%';
}

/* The end of an e-mail address or Matrix id starting at p (which holds '@', '!' or '#'
 * preceded by its local part for e-mail), or NULL. */
static const char *id_end(const char *p)
{
    const char *q = p;
    while (*q && !isspace((unsigned char)*q) && *q != '<' && *q != '>' && *q != '"' && *q != '\'' &&
           *q != ',' && *q != ';' && *q != '(' && *q != ')')
        q++;
    while (q > p && (q[-1] == '.' || q[-1] == '?' || q[-1] == '!' || q[-1] == ':'))
        q--; /* the sentence's punctuation */
    return q;
}

static size_t put(char *out, size_t o, const char *what)
{
    size_t n = strlen(what);
    memcpy(out + o, what, n);
    return o + n;
}

char *camas_text_redact_personal(const char *text)
{
    if (!text)
        return NULL;
    size_t n = strlen(text);
    /* every replacement is at most 11 bytes and replaces at least 2 */
    char *out = malloc(n * 6 + 16);
    if (!out)
        return NULL;
    size_t o = 0;
    const char *p = text;
    while (*p) {
        unsigned char c = (unsigned char)*p;
        bool at_start = p == text || !word_byte((unsigned char)p[-1]);
        /* URLs */
        if (at_start && (strncasecmp(p, "http://", 7) == 0 || strncasecmp(p, "https://", 8) == 0 ||
                         strncasecmp(p, "www.", 4) == 0)) {
            p = id_end(p);
            o = put(out, o, "[url]");
            continue;
        }
        /* Matrix ids, room ids and aliases: sigil, localpart, ':', server */
        if (at_start && (c == '@' || c == '!' || c == '#') && p[1] &&
            word_byte((unsigned char)p[1])) {
            const char *colon = p + 1;
            while (*colon && word_byte((unsigned char)*colon))
                colon++;
            if (*colon == ':' && colon[1] && word_byte((unsigned char)colon[1])) {
                p = id_end(colon + 1);
                o = put(out, o, "[matrix-id]");
                continue;
            }
        }
        /* e-mail: a word, '@', a domain with a dot */
        if (at_start && word_byte(c) && c != '.' && c != '-') {
            const char *q = p;
            while (*q && word_byte((unsigned char)*q))
                q++;
            if (*q == '@' && q > p) {
                const char *d = q + 1, *e = d;
                bool dot = false;
                while (*e && word_byte((unsigned char)*e))
                    dot |= *e++ == '.';
                while (e > d && e[-1] == '.')
                    e--;
                if (dot && e > d + 2) {
                    p = e;
                    o = put(out, o, "[email]");
                    continue;
                }
            }
        }
        /* phone numbers and long digit runs */
        if ((isdigit(c) || (c == '+' && isdigit((unsigned char)p[1])) ||
             (c == '(' && isdigit((unsigned char)p[1]))) &&
            at_start) {
            const char *q = p, *last_digit = NULL;
            int digits = 0;
            while (*q && (isdigit((unsigned char)*q) || *q == ' ' || *q == '-' || *q == '.' ||
                          *q == '(' || *q == ')' || (*q == '+' && q == p))) {
                if (isdigit((unsigned char)*q)) {
                    digits++;
                    last_digit = q;
                }
                q++;
            }
            if (digits >= 7 && last_digit && !isalpha((unsigned char)last_digit[1])) {
                p = last_digit + 1;
                o = put(out, o, "[number]");
                continue;
            }
        }
        out[o++] = *p++;
    }
    out[o] = '\0';
    return out;
}
