/* Real words: Debian's word lists (wamerican, wfrench: /usr/share/dict/american-english and
 * /usr/share/dict/french), normalised as questions are (lowercase, no accents). A word found
 * here is spelt right, so camas never "corrects" it into a vocabulary word one letter away:
 * "funding" is not a typo of "founding", though "fundnig" may be. */
#ifndef CAMAS_LEXICON_H
#define CAMAS_LEXICON_H

#include <stdbool.h>
#include <stddef.h>

typedef struct camas_lexicon camas_lexicon;

/* The default word lists (either may be missing). */
#define CAMAS_LEXICON_EN "/usr/share/dict/american-english"
#define CAMAS_LEXICON_FR "/usr/share/dict/french"

/* Reads the word lists at paths (one word per line; lines that are empty, too long or not
 * UTF-8 are skipped; a missing file is skipped). NULL when none could be read or memory ran
 * out: callers then treat no word as known. */
camas_lexicon *camas_lexicon_load(const char *const *paths, size_t npaths);
void camas_lexicon_free(camas_lexicon *lx);
size_t camas_lexicon_size(const camas_lexicon *lx);

/* Is the normalised word (n bytes) a real word of one of the lists? false for a NULL lexicon. */
bool camas_lexicon_has(const camas_lexicon *lx, const char *word, size_t n);
/* The lists the word is in: bit p set for paths[p] of camas_lexicon_load (0: none; the
 * fourth and later lists count as the fourth). */
unsigned camas_lexicon_lists(const camas_lexicon *lx, const char *word, size_t n);
/* The same, only the lists that write it as a common word, not only capitalised as a name
 * ("quebec": none; "bill": the English list, which also has "Bill"). */
unsigned camas_lexicon_common_lists(const camas_lexicon *lx, const char *word, size_t n);

#endif
