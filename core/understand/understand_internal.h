/* What understand.c and understand_learn.c, _load.c and _parts.c share: the understanding's state,
 * and the learned parts (scope classifier, danger detector, entry model) the query side calls. Not
 * for other files. */
#ifndef CAMAS_UNDERSTAND_INTERNAL_H
#define CAMAS_UNDERSTAND_INTERNAL_H

#include "dense.h"
#include "embed.h"
#include "logreg.h"
#include "text.h"
#include "yesno.h"
#include "understand.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Owners of the classifiers' examples in the dense index (plugins have small numbers). */
#define DANGER_OWNER UINT32_MAX
#define SCOPE_OWNER  (UINT32_MAX - 1)
#define MAX_DIM      1024
/* Dense: the lead of the best entry over the next that it needs to be answered. */
#define DENSE_MARGIN 0.005f
/* The cosine from which an entry answers the asked part of a question read in two parts
 * (understand_parts.c): a part alone is further from every entry than a whole question. */
#ifndef DESCRIBED_MIN
#define DESCRIBED_MIN 0.86f
#endif
/* ...and from which it is answered by its nearest entry however near the next one is */
#ifndef DESCRIBED_SURE
#define DESCRIBED_SURE 0.95f
#endif
#define MAX_HITS     16    /* entries ranked by the dense index per question */
#define MAX_EXAMPLES 16384 /* labelled examples of one kind (danger, scope, asks) */

/* Labelled examples from a file in knowledge/ and the model trained on them. */
struct examples {
    char **texts;
    unsigned char *labels;
    size_t n, cap;
    camas_logreg *model;
    uint64_t trained_on; /* fingerprint of the training set (scope: with the plugins' asks) */
    bool tried;
    /* training in progress (in background slices); model stays the last one until done */
    camas_logreg_trainer *trainer;
    uint64_t training_on;
    const char *what; /* "danger", "scope": for the log */
};

/* The softmax over the plugins' entries, trained on their example questions and answers;
 * classes map to (owner, entry id). */
struct entry_model {
    camas_softmax *m;
    char **ids;
    uint32_t *owners;
    uint32_t n;
    uint64_t trained_on;
    bool tried;    /* trained (or found in the cache) for the current knowledge */
    bool training; /* m is still being trained, in slices */
};

#define MAX_FACTS 16
struct label {
    char *entry_id;
    uint32_t owner;
    char *text[2]; /* en, fr */
    /* numbers and e-mail addresses its answers state (normalised): "2013", "7.68.801" */
    char facts[MAX_FACTS][CAMAS_TOKEN_MAX + 1];
    size_t nfacts;
    unsigned name_ids[MAX_FACTS]; /* the people and offices its answers name (u->names) */
    size_t nnames;
};

struct camas_understand {
    camas_match_mode mode;
    camas_embed_model *model;
    camas_dense *dense;
    struct label *labels;
    size_t nlabels;
    bool wants_model; /* a model is configured (and did not fail to open) */
    bool opened;      /* camas_understand_open_model has run */
    char *model_path, *knowledge_dir;
    int cache_fd;
    struct examples danger; /* danger (1) and safe (0) messages */
    /* the danger examples' vectors, contiguous, for the kernel-density score */
    uint16_t *danger_x; /* half precision (camas_dense_to_half) */
    unsigned char *danger_y;
    size_t danger_n;
    struct examples scope; /* out-of-scope messages (0); the plugins' example questions are 1 */
    struct entry_model entries; /* which entry a question belongs to, learned (softmax) */
    long nmasked; /* texts masked (leave-one-out): the entry model, trained on them, sits out */
    /* the known people and offices a text names (their phrases, normalised) */
    size_t (*names)(void *ud, const char *text, char (*out)[CAMAS_NAME_PHRASE_MAX], unsigned *ids,
                    size_t max);
    void *names_ud;
    /* a body's short name in lang ("WashACT", "le Groupe de travail"; names_ud; NULL: none) */
    const char *(*body_name)(void *ud, const char *body_id, const char *lang);
    /* is a question a yes/no one (the worker's reading, yesno.h; NULL: never) */
    bool (*yes_no)(const char *question, const char *lang);
    const struct camas_lexicon *lexicon; /* real words, never spelling-corrected (lexicon.h) */
    char **places; /* normalised names of places other than Washington State */
    size_t nplaces;
    FILE *trace; /* CAMAS_UNDERSTAND_TRACE=FILE: one line per decision (for tuning tools) */
};

/* understand_load.c: opens the model and the vector cache and loads the classifiers'
 * examples and the other places from knowledge/ (the first camas_understand_work); frees a
 * set of examples. */
void camas_understand_open_model(camas_understand *u);
void camas_understand_examples_free(struct examples *ex);
/* What the plugins' example questions are to a classifier: left out, or examples of one
 * label (in scope, for the scope classifier; safe, for the danger detector). */
enum camas_asks_as { CAMAS_ASKS_NONE, CAMAS_ASKS_POSITIVE, CAMAS_ASKS_NEGATIVE };
/* Finds the logistic regression of ex in the vector cache, or starts training it (asks_as
 * says what the plugins' example questions are to it); camas_understand_train_step then
 * trains for up to budget_ms and says whether training is still under way. */
void camas_understand_train(camas_understand *u, struct examples *ex, enum camas_asks_as asks_as,
                            float pos_weight, const char *what);
bool camas_understand_train_step(camas_understand *u, struct examples *ex, int64_t budget_ms);
/* Copies the danger examples' vectors side by side for camas_understand_danger_score. */
void camas_understand_gather_danger(camas_understand *u);
/* The learned danger scores of a question's vector q, in [0,1]: the kernel density ratio
 * (kernel) and its geometric mean with the logistic regression (combined). */
typedef struct camas_danger_view {
    float combined, kernel;
} camas_danger_view;
camas_danger_view camas_understand_danger_view(const camas_understand *u, const float *q);
/* A run of one or two characters, which the learned detector leaves alone. */
bool camas_understand_noise(const char *text);
/* The danger of text given whole (its vector's score): long texts by windows, uncertain
 * messages of several sentences sentence by sentence. */
camas_danger_view camas_understand_long_danger(const camas_understand *u, const char *text,
                                               camas_danger_view whole);
/* The entry model: found in the cache or started (start), trained in slices (train),
 * forgotten (clear). */
void camas_understand_entries_start(camas_understand *u);
void camas_understand_entries_train(camas_understand *u, int64_t budget_ms);
void camas_understand_entries_clear(struct entry_model *em);

/* The caller's filter, with the plugins' entries only (not the classifiers' examples). */
struct filter_wrap {
    camas_match_filter f;
    void *ud;
    const camas_matcher *m; /* the lexical matcher and the question's language, for a tie */
    const char *lang;
};
bool camas_understand_plugin_entries_only(uint32_t owner, const char *entry_id, void *ud);

/* Entries about the given bodies only (not those about every body: "and for WashACT?"
 * asks about WashACT), then the caller's filter. */
struct body_filter {
    camas_match_filter f;
    void *ud;
    const camas_understand *u;
    const char *const *bodies;
    size_t nb;
    bool own; /* the bodies' own entries only, not those about every body */
};
bool camas_understand_only_bodies(uint32_t owner, const char *entry_id, void *ud);
/* understand_rank.c: the hits (ranked by the whole question, q) narrowed to the entries of
 * told, the body a fact or office of the question tells; their new count. */
size_t camas_understand_among_told(const camas_understand *u, struct filter_wrap *fw,
                                   const char *told, const float *q, camas_dense_hit *hits,
                                   size_t nh);

/* A count of one to twelve, spelt or a digit ("eight", "huit", "8"), as its digits; NULL for
 * any other token. With articles, "a", "an", "un", "une" count one too: a question's "a
 * trafficking survivor" is what an answer calls "one survivor", where its own articles
 * count nothing ("a multidisciplinary task force"). */
const char *camas_understand_count_of(const camas_token *t, bool articles);
/* The facts of a text, normalised: numbers of two digits or more, e-mail addresses, then
 * counts of things ("eight state agencies" as "#8state" and "#8agenc", which "huit agences
 * d'État" states too), at most max. articles as for camas_understand_count_of. */
size_t camas_understand_text_facts(const char *text, bool articles, char out[][CAMAS_TOKEN_MAX + 1],
                                   size_t max);
/* understand_parts.c: replace hits and q (the question's vector) when reading the question
 * in two parts answers it more clearly, and say so; see there. */
bool camas_understand_try_clauses(camas_understand *u, const char *question, struct filter_wrap *fw,
                                  camas_dense_hit *hits, size_t *nh, size_t max, float *q);
bool camas_understand_try_description(camas_understand *u, const char *question, const char *named,
                                      struct filter_wrap *fw, char facts[][CAMAS_TOKEN_MAX + 1],
                                      size_t nf, camas_dense_hit *hits, size_t *nh, size_t max,
                                      float *q);
bool camas_understand_try_named(camas_understand *u, const char *question, const char *named,
                                struct filter_wrap *fw, camas_dense_hit *hits, size_t *nh,
                                size_t max, float *q);

/* The label (and facts) of an entry, created when asked and missing; NULL when out of memory
 * or not found. */
struct label *camas_understand_label_for(camas_understand *u, uint32_t owner, const char *id,
                                         bool create);
/* Ranking (understand_rank.c): each hit's score (its nearest phrasing and centroid, a bonus
 * when its answer states a fact of the question, marked in states, and in hybrid mode the
 * lexical matcher's confidence), the entry model's view added, the hits sorted on it, and a
 * tie of the two best broken by the lexical matcher's pick (lex_best, may be NULL; a wider
 * tie when the question asks which body, naming none). */
void camas_understand_score_hits(camas_understand *u, const camas_dense_hit *hits, size_t nh,
                                 char (*qfacts)[CAMAS_TOKEN_MAX + 1], size_t nqf,
                                 const camas_match *lex, size_t nlex, bool described, float *score,
                                 bool *states);
void camas_understand_add_entry_model(const camas_understand *u, const float *q,
                                      const camas_dense_hit *hits, size_t nh, float *score);
void camas_understand_sort_hits(camas_dense_hit *hits, size_t nh, float *score, bool *states);
void camas_understand_break_tie(camas_dense_hit *hits, size_t nh, float *score, bool *states,
                                const camas_match *lex_best, double lexconf, bool asks_which);
/* The body a person or office of text belongs to: the first name (in text's order) that
 * only one body's answers name ("le groupe du procureur fédéral": WashACT, convened by the
 * U.S. Attorney's Offices; "the Legislature" names no one body), or NULL. */
const char *camas_understand_body_of_names(const camas_understand *u, const char *text);
/* Nouns that name a body by what it is ("group", "comité"), the words that ask which one
 * before such a noun ("which", "quel") or alone ("lequel"): understand_which.c. */
extern const char *const camas_understand_body_heads[];
extern const char *const camas_understand_which_words[];
extern const char *const camas_understand_which_alone[];
/* "the coordinating committee the legislature set up in 2013 - who convenes it?": a body named
 * in a description, then a question that names none and refers to it by a pronoun. */
bool camas_understand_asks_of_described(const camas_matcher *m, const char *question,
                                        const char *lang);
/* A question that asks which body (the caller checked), naming none, answered by the entry
 * about every body near the best one: hits, score and states reordered (understand_parts.c). */
bool camas_understand_overview_for_which(const camas_understand *u, const char *question,
                                         camas_dense_hit *hits, size_t nh, float *score,
                                         bool *states, float min_score);

/* understand_words.c: a word of a question (split at white space) and its tokens:
 * "l'organisme" is read by its last ("organisme"), "attorney's" by its first and is a
 * possessive. */
struct qword {
    const char *start;
    size_t len;
    char first[CAMAS_TOKEN_MAX + 1], last[CAMAS_TOKEN_MAX + 1];
    bool owner;
};
size_t camas_understand_question_words(const char *question, struct qword *w, size_t max);
/* Splits "DESCRIPTION, QUESTION" (or with " - ", " — ", ": ", "; ", or a "?" inside) at its
 * last separator into two parts of two words or more (a tag, "…, right?", is no part). */
bool camas_understand_split_clauses(const char *q, char *a, char *b, size_t cap);

/* Does text name a person by a role in a body ("le contact du comité CSEC", "the chair of the
 * task force") or by a name ("Richard Torrance")? Then a pronoun after it is that person, not
 * the body. */
bool camas_understand_role_named(const char *text);
/* text without its punctuation around it and a leading "and"/"et", into out (cap bytes):
 * the role as a subject ("le contact du comité CSEC"). Returns out. */
const char *camas_understand_role_trimmed(const char *text, char *out, size_t cap);

/* part with its pronoun ("it", "ils"; for a person also "he", "his", "son titre") replaced by
 * name, into out; false when it has none. */
bool camas_understand_with_named(const char *part, const char *name, bool person, char *out,
                                 size_t cap);
/* The same with a body's id read as words ("what is it focused on?" -> "what is csec
 * focused on?"). */
bool camas_understand_with_body_named(const char *part, const char *body, char *out, size_t cap);

#endif
