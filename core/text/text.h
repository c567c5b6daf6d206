/* Text preparation shared by question matching and the safety detector: Unicode
 * normalisation (NFKD, case folding, diacritics removed, apostrophes split), tokenising into
 * words that keep e-mail addresses, dotted/dashed numbers and dotted acronyms whole,
 * French/English language detection, stop words and Snowball stemming.
 *
 * Everything here is pure except the stemmer object, which wraps libstemmer's per-instance
 * buffers and therefore must not be shared between threads without a lock. */
#ifndef CAMAS_TEXT_H
#define CAMAS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest token the tokeniser returns; longer runs are cut (nobody asks about such words). */
#define CAMAS_TOKEN_MAX 64

/* Normalises UTF-8 text for matching: NFKD, Unicode case folding, combining marks removed
 * ("Réunion" -> "reunion"), ligatures œ/æ spelt out, every apostrophe (' ’ ‘ ʼ `) and
 * non-ASCII punctuation turned into a space ("l’adhésion" -> "l adhesion"). ASCII
 * punctuation is kept so the tokeniser can recognise "a@b.org" and "7.68.350".
 *
 * Writes at most cap-1 bytes plus NUL into buf; returns the length written, or -1 when the
 * input is not valid UTF-8 or memory ran out. Output longer than cap is truncated at a
 * character boundary (callers size buf at 3x the input to never truncate). ASCII-only input,
 * and text whose other characters are Latin letters, combining accents or common
 * punctuation, take a fast path with no allocation and no libunistring. */
long camas_text_normalize(const char *s, size_t n, char *buf, size_t cap);

/* Same, returning a malloc'ed string the caller frees (NULL on error). */
char *camas_text_normalize_dup(const char *s);

/* A copy of text with what identifies people taken out, for what camas keeps (unanswered
 * questions): e-mail addresses become "[email]", Matrix ids, room ids and aliases
 * ("@bob:example.org", "!x:hs", "#room:hs") "[matrix-id]", URLs "[url]", and phone numbers
 * or any run of 7 or more digits (spaces, dots, dashes, parentheses and a leading + inside)
 * "[number]". Years and short numbers stay. NULL when memory ran out. */
char *camas_text_redact_personal(const char *text);

/* camas_text_normalize computed through libunistring whatever the input: the reference
 * that camas_text_normalize's per-character table is generated from (core/text/gen_fold.c) and
 * falls back to. Same contract. */
long camas_text_normalize_unicode(const char *s, size_t n, char *buf, size_t cap);

enum camas_token_kind {
    CAMAS_TOK_WORD = 0,   /* letters (and digits mixed in): "reunion", "5884b" */
    CAMAS_TOK_NUMBER = 1, /* digits, possibly joined by . - / : "7.68.350" "206-442-4488" */
    CAMAS_TOK_EMAIL = 2,  /* "kylew@atg.wa.gov" */
    CAMAS_TOK_ACRONYM = 3 /* dotted acronym with the dots removed: "c.s.e.c." -> "csec" */
};

typedef struct camas_token {
    char text[CAMAS_TOKEN_MAX + 1]; /* NUL-terminated copy (acronyms lose their dots) */
    uint8_t len;
    uint8_t kind; /* enum camas_token_kind */
} camas_token;

/* Splits normalised text into tokens. Hyphenated words split ("task-force" -> "task",
 * "force") except inside numbers and e-mail addresses. Returns how many tokens were found
 * (which may exceed max: only the first max are written). */
size_t camas_tokenize(const char *norm, camas_token *out, size_t max);

/* camas_text_normalize then camas_tokenize, for callers that only want the tokens. Returns
 * how many were written (at most max), or -1 when text is not valid UTF-8 or memory ran
 * out. */
long camas_text_tokenize(const char *text, camas_token *out, size_t max);

/* Guesses whether text is French or English. Returns the static string "en" or "fr" (never
 * NULL) and, when confidence is not NULL, a confidence in [0,1]. Uses function words,
 * French elisions (l', qu'...), accented letters and a few domain words; text with no cue
 * (e.g. "washact contact") defaults to English with low confidence. */
const char *camas_detect_lang(const char *text, double *confidence);

/* The same from text already normalised and tokenised by the caller (text is still the
 * original, for its accents); only the first CAMAS_LANG_TOKENS tokens count. */
#define CAMAS_LANG_TOKENS 64
const char *camas_detect_lang_tokens(const char *text, const camas_token *toks, size_t nt,
                                     double *confidence);

/* True when the normalised word (no accents, lowercase) is a stop word in lang ("en"/"fr";
 * any other value checks both). Question words (who, quand...) are NOT stop words: they
 * tell "who chairs" from "when meets". */
bool camas_is_stopword(const char *lang, const char *word);

/* True for interrogative words (who, what, qui, quand...), which carry a little meaning but
 * must never count as an unknown, important term. */
bool camas_is_question_word(const char *lang, const char *word);

/* Snowball stemmers for English and French, created lazily on first use. */
typedef struct camas_stemmer camas_stemmer;
camas_stemmer *camas_stemmer_new(void);
void camas_stemmer_free(camas_stemmer *st);
/* Stems a normalised word in lang ("fr" = French, anything else English) into out (cap
 * bytes, NUL-terminated). Words with digits or '@', and words of 2 letters or fewer, are
 * copied unchanged. Returns the stem length, or -1 on error (stemmer could not be created,
 * out too small). */
int camas_stem(camas_stemmer *st, const char *lang, const char *word, char *out, size_t cap);

/* Damerau-Levenshtein (optimal string alignment) distance between a and b, giving up and
 * returning max+1 as soon as the distance must exceed max. Byte-wise: callers pass
 * normalised text. */
int camas_text_distance(const char *a, size_t alen, const char *b, size_t blen, int max);

/* The next sentence of text[0..len) from *pos: a span ended by ". ! ? ;" before a space,
 * a newline or the end, or by a newline, leading spaces and newlines skipped, the end
 * punctuation kept. Sets span (start, end) and moves *pos past it; false when no text is
 * left. Spans may be empty (a blank line). */
bool camas_text_next_sentence(const char *text, size_t len, size_t *pos, size_t span[2]);

/* Whether word equals one of list's words (a NULL-terminated array of normalised words). */
bool camas_text_in_words(const char *word, const char *const *list);

#endif
