/* Yes/no questions ("is WARN part of WashACT?", "do they meet monthly?", "le comité CSEC
 * est-il ouvert au public ?") answered directly: "Yes — …" or "No — …" before the answer
 * text, when the answer settles it. Deliberately conservative: "No" only when the answer
 * gives another value of the same kind (a year, a number, a frequency, a person), "Yes" only
 * when everything the question claims is in the answer; otherwise no verdict, just the
 * answer. Pure text functions; the worker calls them after rendering an entry. */
#ifndef CAMAS_YESNO_H
#define CAMAS_YESNO_H

#include <stdbool.h>

struct camas_stemmer;

/* True when question (in lang "en"/"fr") reads as a yes/no question. */
bool camas_yesno_question(const char *question, const char *lang);

/* +1 (yes), -1 (no) or 0 (the answer does not settle it) for a yes/no question and the
 * plain text of its answer. st may be NULL (no stemming: exact words only). */
int camas_yesno_verdict(struct camas_stemmer *st, const char *question, const char *answer,
                        const char *lang);

#endif
