/* Question matching shared by all plugins: every plugin registers its entries (an id, the
 * body it is about, and example questions per language) in one matcher, so the router can
 * rank natural-language questions across plugins with comparable scores and confidences.
 *
 * Ranking: stemmed, stop-word-filtered terms, IDF-weighted coverage of the question by each
 * entry's phrasings (plus, at a lower weight, its answer text), a per-phrasing Dice bonus
 * that rewards the closest example question, body aliases folded into a body mention (a
 * question naming body X is never answered with body Y's entry), query-side synonym
 * expansion, and typo tolerance (Damerau-Levenshtein 1 for words of 4+ letters, 2 for 8+).
 *
 * Lifecycle: add synonyms/aliases/entries, camas_matcher_build(), then query. After any
 * add/remove the matcher must be rebuilt before the change is visible (queries keep using
 * the previous build until then). Build, add and remove must not run concurrently with
 * anything else on the same matcher; queries may run from several threads (they serialise
 * on an internal lock, since stemmers and scratch buffers are per matcher). */
#ifndef CAMAS_MATCH_H
#define CAMAS_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Answer only when the top match's confidence is at least this (tuned on
 * tests/fixtures/questions.yaml by tests/unit/eval_match). */
#define CAMAS_MATCH_MIN_CONFIDENCE 0.63

/* At most this many results per query (larger max values are clamped). */
#define CAMAS_MATCH_MAX_RESULTS 32

typedef struct camas_matcher camas_matcher;

/* Returns NULL when memory ran out. */
camas_matcher *camas_matcher_new(void);
void camas_matcher_free(camas_matcher *m);

/* A group of words or phrases meaning the same thing in questions of lang ("en"/"fr").
 * A question word is expanded to every member of its groups (matched a little below an
 * exact word). Returns 0, or -1 on bad arguments / out of memory. */
int camas_matcher_add_synonyms(camas_matcher *m, const char *lang, const char *const *words,
                               size_t n);

/* A way people name a body ("groupe de travail" -> "task-force", "CSEC"). Aliases are
 * recognised in questions of either language, longest first. Returns 0 or -1. */
int camas_matcher_add_alias(camas_matcher *m, const char *lang, const char *phrase,
                            const char *body_id);

/* One entry's example questions in one language (call once per language). owner says
 * which plugin registered it (for camas_matcher_remove_owner and filters); body_id is the
 * body it is about, or NULL/"all" for entries about every body. The strings are copied.
 * Returns 0, or -1 on bad arguments / out of memory. */
int camas_matcher_add_entry(camas_matcher *m, uint32_t owner, const char *entry_id,
                            const char *body_id, const char *lang, const char *const *texts,
                            size_t ntexts);

/* Optional: the entry's answer in lang, indexed at a low weight so a question using the
 * answer's own words ("who is Richard Torrance?") still finds it. Must name an entry added
 * with the same owner, id and lang (else -1). Returns 0 or -1. */
int camas_matcher_add_answer(camas_matcher *m, uint32_t owner, const char *entry_id,
                             const char *lang, const char *text);

/* Forgets every entry (and answer) that owner added, e.g. when its plugin unloads.
 * Synonyms and aliases are shared and kept. The analyses of the entries' texts are kept
 * until the next build, which reuses them for texts added again (a plugin reload). */
void camas_matcher_remove_owner(camas_matcher *m, uint32_t owner);

/* Adds to dst every entry (and answer) that owner added to src, as if added again: how a
 * new matcher (new synonyms or aliases) takes over the plugins' registrations without their
 * texts being kept twice. Returns 0, or -1 when memory ran out (dst then holds part). */
int camas_matcher_copy_owner(camas_matcher *dst, const camas_matcher *src, uint32_t owner);

/* Rebuilds the index from everything added. Each text is analysed (normalised, stemmed,
 * folded) by the first build that sees it; later builds replay the analysis, so their cost
 * is mostly that of new or changed texts, and the index is the one a first build of the
 * same entries would make. Adding synonyms or aliases makes the next build analyse
 * everything again. Returns 0, or -1 when memory ran out (the previous build then stays in
 * use). */
int camas_matcher_build(camas_matcher *m);

/* Number of documents (entry x language) in the current build. */
size_t camas_matcher_size(const camas_matcher *m);

typedef struct camas_match {
    const char *entry_id; /* owned by the matcher; valid until the next build or free */
    uint32_t owner;
    double score;      /* ranking score (higher is better; comparable within one query) */
    double confidence; /* in [0,1]: answer when >= CAMAS_MATCH_MIN_CONFIDENCE */
} camas_match;

/* Room policy: return false to exclude an entry from the results. */
typedef bool (*camas_match_filter)(uint32_t owner, const char *entry_id, void *ud);

/* Ranks the entries for question in lang ("en"/"fr"; NULL = camas_detect_lang). Writes up to
 * max results (best first) to out and returns how many were written (0 when nothing
 * matches, on error, or before the first build). f may be NULL. */
size_t camas_matcher_query(const camas_matcher *m, const char *question, const char *lang,
                           camas_match_filter f, void *ud, camas_match *out, size_t max);

/* The question with each word the matcher does not know but finds one typo (two for long
 * words) from its vocabulary replaced by that word ("who cheirs the task force" -> "who
 * chairs the task force"), for other readers (the sentence model). Words of lex (real words,
 * may be NULL) are never replaced: "funding" stays "funding", not the vocabulary's
 * "founding". Writes to out (cap bytes, always NUL-terminated) and returns how many words
 * were replaced (0: out holds the question as it came, possibly cut at cap). */
struct camas_lexicon;
size_t camas_matcher_spell(const camas_matcher *m, const struct camas_lexicon *lex,
                           const char *question, const char *lang, char *out, size_t cap);

/* Is word (one word, as written) in the vocabulary of the knowledge in lang, itself or its
 * stem? false before the first build. */
bool camas_matcher_knows(const camas_matcher *m, const char *word, const char *lang);

/* Does the question ask about some other group that shares the bodies' common nouns ("the
 * covid task force", "le comité d'entreprise")? body_word(ud, word, lang): is the normalised
 * word part of a body's name; lex: real words (NULL: none, and no question is about another
 * group). match_other.c. */
bool camas_matcher_other_group(const camas_matcher *m, const struct camas_lexicon *lex,
                               const char *question, const char *lang,
                               bool (*body_word)(void *ud, const char *word, const char *lang),
                               void *ud);

/* The bodies a question names (through their names and aliases), as body ids owned by the
 * matcher (valid until it is freed). Returns how many were written to out. */
size_t camas_matcher_bodies(const camas_matcher *m, const char *question, const char *lang,
                            const char **out, size_t max);

/* The longest alias of CAMAS_LONG_ALIAS_WORDS words or more that question holds, word for
 * word ("qui convoque le Comité de coordination à l'échelle de l'État ... ?"): its body id
 * (owned by the matcher) and the byte span [*from, *to) of the question's words it covers.
 * NULL when there is none. A body's full name draws the model to the entry that restates
 * it, its overview; understand.c asks with the short name instead. */
#define CAMAS_LONG_ALIAS_WORDS 6
const char *camas_matcher_long_alias(const camas_matcher *m, const char *question, size_t *from,
                                     size_t *to);

#endif
