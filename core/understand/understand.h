/* Understanding a question in the worker: the lexical matcher (match.h) as the fast path,
 * the sentence-embedding model (embed.h) and dense retrieval (dense.h) when the lexical
 * matcher is not sure, and the learned danger detector (danger_model.h) on every message.
 * It decides between answering one entry, offering up to three ("Did you mean…"), and
 * declining. Without the model file it is the lexical matcher alone, as before. */
#ifndef CAMAS_UNDERSTAND_H
#define CAMAS_UNDERSTAND_H

#include "match.h"
#include "yesno.h"

struct camas_buf;

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum camas_match_mode {
    CAMAS_MODE_HYBRID = 0, /* lexical when confident, else dense (the default) */
    CAMAS_MODE_LEXICAL,    /* the lexical matcher only (no model is loaded) */
    CAMAS_MODE_DENSE,      /* dense retrieval only (for the ablation) */
} camas_match_mode;

/* "hybrid", "lexical", "dense" -> mode; -1 for anything else. */
int camas_match_mode_parse(const char *s);

typedef struct camas_understand camas_understand;

/* model_path NULL or missing file: lexical only (a warning is logged once). cache_fd >= 0:
 * a read-write file of vectors kept across restarts (owned by the caller). knowledge_dir:
 * where safety/danger-examples.yaml and scope/out-of-scope.yaml are (NULL: no classifiers). */
camas_understand *camas_understand_new(camas_match_mode mode, const char *model_path, int cache_fd,
                                       const char *knowledge_dir);
void camas_understand_free(camas_understand *u);

/* Mirrors camas_matcher_add_entry / add_answer / remove_owner for the dense index. */
int camas_understand_add_entry(camas_understand *u, uint32_t owner, const char *entry_id,
                               const char *body_id, const char *lang, const char *const *texts,
                               size_t n);
int camas_understand_add_answer(camas_understand *u, uint32_t owner, const char *entry_id,
                                const char *lang, const char *text);
void camas_understand_remove_owner(camas_understand *u, uint32_t owner);

/* Background work (embedding new texts, training the danger model) for at most budget_ms.
 * Returns true while work remains. */
bool camas_understand_work(camas_understand *u, int64_t budget_ms);

/* True when the model is loaded and in use. */
bool camas_understand_has_model(const camas_understand *u);
/* True when the model is loaded and every text is embedded: until then questions are
 * understood lexically (camas_understand_work does the rest in the background). */
bool camas_understand_ready(const camas_understand *u);

typedef enum camas_decision {
    CAMAS_DECIDE_DECLINE = 0,
    CAMAS_DECIDE_ANSWER,
    CAMAS_DECIDE_CLARIFY,
} camas_decision;

typedef struct camas_understanding {
    camas_decision decision;
    camas_match options[3]; /* ANSWER: options[0]; CLARIFY: noptions (2 or 3) */
    size_t noptions;
    double confidence;
    float danger; /* learned danger score in [0,1]; -1 without the model */
    /* the nearest examples' view alone (kernel density ratio), which can confirm a pattern
     * hit the combined score doubts; -1 without the model */
    float danger_kernel;
    float scope; /* scope classifier: in [0,1], 1 = about the bodies (1 without the model) */
    bool used_model;
} camas_understanding;

/* Understands question (written in lang) against the lexical matcher m and the dense
 * index. f/ud filter entries as for camas_matcher_query. Lexical only until ready. */
void camas_understand_query(camas_understand *u, const camas_matcher *m, const char *question,
                            const char *lang, camas_match_filter f, void *ud,
                            camas_understanding *out);
/* The same, with the bodies taken from body_text when it names any (follow-ups). */
void camas_understand_query_bodies(camas_understand *u, const camas_matcher *m,
                                   const char *question, const char *body_text, const char *lang,
                                   camas_match_filter f, void *ud, camas_understanding *out);

/* camas_understand_query, with follow-ups: when prev (the same asker's previous question,
 * or NULL) is given and the question reads as a follow-up ("and for WashACT?", "et leur
 * email ?") or is not understood alone, it is understood joined to prev, with the bodies it
 * names taking precedence. understood receives the question as understood (empty when it
 * is the question itself). The danger score is always the message's own. */
void camas_understand_ask(camas_understand *u, const camas_matcher *m, const char *question,
                          const char *prev, const char *lang, camas_match_filter f, void *ud,
                          camas_understanding *out, struct camas_buf *understood);

/* The owner (plugin) that added entry_id, 0 when none did. */
uint32_t camas_understand_owner(const camas_understand *u, const char *entry_id);
/* The body an entry is about ("task-force", "all", …), or NULL when unknown. */
const char *camas_understand_body(const camas_understand *u, const char *entry_id);
/* The topic of an entry of body: its id after the body's ("task-force-legal-basis" ->
 * "-legal-basis"), or "" when the id does not begin with it. */
const char *camas_understand_entry_topic(const char *entry_id, const char *body);

/* Does the question ask which body ("which group meets quarterly?", "quel comité…",
 * "lequel…", "which of the three…")? (understand_parts.c) */
bool camas_understand_asks_which_body(const char *question);
/* Does the question ask of every body ("en quelle année chaque organisme a-t-il été créé ?",
 * "what do all three bodies do?")? */
bool camas_understand_asks_every_body(const char *question);
/* The one body whose own answers state a number or address of text ("RCW 7.68.801",
 * "206-442-4488"), or NULL when none or several do (or no model: answers are not read). */
const char *camas_understand_body_of_facts(const camas_understand *u, const char *text);
/* The body a question tells by a fact only that body's answers state, placed in a
 * description after a body's noun ("did the group the legislature renewed in 2015 get renewed
 * through SB 5884?"), and the question less that description in rest (cap bytes: "did the
 * group get renewed through SB 5884?"); NULL when it tells none. */
const char *camas_understand_described_body(const camas_understand *u, const char *question,
                                            char *rest, size_t cap);

/* The label of an entry in lang, for "Did you mean": its first example question. */
const char *camas_understand_label(const camas_understand *u, const char *entry_id,
                                   const char *lang);

/* A question that names someone the knowledge knows (bodies.yaml names:, checked by
 * named(ud, text)) and is close to an entry is in scope whatever the scope classifier says
 * ("quelle instance est convoquée par le bureau du procureur général ?"). */
void camas_understand_set_names(camas_understand *u,
                                size_t (*names)(void *ud, const char *text,
                                                char (*out)[CAMAS_NAME_PHRASE_MAX], unsigned *ids,
                                                size_t max),
                                void *ud);

/* The worker's short name of a body in a language (called with set_names's ud): the asked
 * part of a question that describes a body reads better with the body named. */
void camas_understand_set_body_names(camas_understand *u,
                                     const char *(*body_name)(void *ud, const char *body_id,
                                                              const char *lang));

/* How to tell a yes/no question (the worker's camas_yesno_question): in one the office it
 * names is as often the claim as the body's description, so it does not tell the body. */
void camas_understand_set_yes_no(camas_understand *u,
                                 bool (*yes_no)(const char *question, const char *lang));

/* Real words (lexicon.h, owned by the caller, may be NULL): the model reads questions with
 * their typos corrected, never their real words. */
struct camas_lexicon;
void camas_understand_set_lexicon(camas_understand *u, const struct camas_lexicon *lexicon);

/* Leave-one-out evaluation: hides (or restores) one example question of an entry from the
 * dense index. */
void camas_understand_mask(camas_understand *u, const char *entry_id, const char *text,
                           bool masked);

/* The file CAMAS_UNDERSTAND_TRACE opened (a development aid), or NULL: the yes/no verdicts
 * write why to it too. */
FILE *camas_understand_trace(const camas_understand *u);

#endif
