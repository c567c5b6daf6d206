/* Yes/no questions ("is WARN part of WashACT?", "do they meet monthly?", "le comité CSEC
 * est-il ouvert au public ?") answered directly: "Yes — …" or "No — …" before the answer
 * text, when the answer settles it. Deliberately conservative: "No" only when the answer
 * gives another value of the same kind (a year, a number, a frequency, a person), "Yes" only
 * when everything the question claims is in the answer; otherwise no verdict, just the
 * answer. Pure text functions; the worker calls them after rendering an entry. */
#ifndef CAMAS_YESNO_H
#define CAMAS_YESNO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct camas_stemmer;
struct camas_lexicon;

/* The people and offices knowledge/bodies.yaml lists under `names:`, each with the ways
 * people write it ("Attorney General's Office", "AG", "procureur général"), so that a
 * question naming one can be compared with an answer naming another. */
typedef struct camas_yesno_names camas_yesno_names;
camas_yesno_names *camas_yesno_names_new(void);
void camas_yesno_names_free(camas_yesno_names *names);
/* Adds one way of writing name number id. 0, or -1 (empty phrase, out of memory). */
int camas_yesno_names_add(camas_yesno_names *names, unsigned id, const char *phrase);
size_t camas_yesno_names_count(const camas_yesno_names *names);
/* From id on, names are offices the source does not name (`supposed:` in bodies.yaml,
 * "Governor"): they contradict an answer naming another office, and nothing more. */
void camas_yesno_names_suppose_from(camas_yesno_names *names, unsigned id);
/* Names below id are people (`people:` in bodies.yaml, "Richard Torrance"), not offices. */
void camas_yesno_names_people_below(camas_yesno_names *names, unsigned id);
/* Does text name exactly one person (however often)? Then out gets that name as text writes
 * it, normalised ("richard torrance"). */
bool camas_yesno_person_in(const camas_yesno_names *names, const char *text, char *out, size_t cap);
/* Replaces with spaces, in norm (normalised text), the names it holds (any kind). */
void camas_yesno_blank_names(const camas_yesno_names *names, char *norm);
/* Does text name one of the people or offices the source names? */
bool camas_yesno_names_in(const camas_yesno_names *names, const char *text);
/* The source's names in text, normalised as written there ("attorney general s office"), at
 * most max; ids (may be NULL) gets each one's name id (the same for all ways of writing
 * it: "procureur fédéral" and "U.S. Attorney's Office"). */
#define CAMAS_NAME_PHRASE_MAX 96
size_t camas_yesno_name_phrases(const camas_yesno_names *names, const char *text,
                                char (*out)[CAMAS_NAME_PHRASE_MAX], unsigned *ids, size_t max);
/* Adds a group of words of the same meaning in lang (knowledge/synonyms.yaml; phrases of
 * several words are skipped), stemmed with st (may be NULL). 0, or -1 (out of memory). */
int camas_yesno_names_add_synonyms(camas_yesno_names *names, struct camas_stemmer *st,
                                   const char *lang, const char *const *words, size_t n);

/* Two groups of words that exclude each other in a claim ("adults" / "children, minors";
 * "House" / "Senate"): a question claiming a word of one side, about an answer that has the
 * other side and not that word, gets a "No". 0, or -1 (out of memory). */
int camas_yesno_names_add_opposites(camas_yesno_names *names, struct camas_stemmer *st,
                                    const char *lang, const char *const *a, size_t na,
                                    const char *const *b, size_t nb);

/* Reading names, synonyms and opposites from the parsed knowledge files (yesno_load.c).
 * error gets one message per problem (file:line and what was expected); group, when set,
 * gets every synonym group too (the worker's matcher expands questions with them). names
 * may be NULL (out of memory): the files are still checked and the groups still passed on. */
struct cJSON;
typedef struct camas_yesno_loader {
    camas_yesno_names *names;
    struct camas_stemmer *stemmer;
    void (*error)(void *ud, const char *message);
    void (*group)(void *ud, const char *lang, const char *const *words, size_t n);
    void *ud;
} camas_yesno_loader;
void camas_yesno_load_names(const camas_yesno_loader *ld, const struct cJSON *bodies_doc);
void camas_yesno_load_synonyms(const camas_yesno_loader *ld, const struct cJSON *synonyms_doc);

/* What a verdict may consult besides the two texts; every member may be NULL. */
/* Questions the verdict may ask the knowledge about a body: when it began, how often it
 * meets, who convened, chairs, co-chairs or created it, who its contact is, which law set it
 * up. */
typedef enum camas_yesno_topic {
    CAMAS_YESNO_FOUNDED,
    CAMAS_YESNO_MEETS,
    CAMAS_YESNO_CONVENER,
    CAMAS_YESNO_CHAIR,
    CAMAS_YESNO_COCHAIR,
    CAMAS_YESNO_CREATOR,
    CAMAS_YESNO_CONTACT,
    CAMAS_YESNO_LAW,    /* the law that set it up: bill, section of the RCW */
    CAMAS_YESNO_DUTIES, /* what it does (its duties, its mission) */
} camas_yesno_topic;

typedef struct camas_yesno_context {
    struct camas_stemmer *stemmer;
    const camas_yesno_names *names;
    /* the bodies a text names, as ids (see camas_matcher_bodies) */
    size_t (*bodies)(void *ud, const char *text, const char *lang, const char **ids, size_t max);
    /* is this normalised word part of a body's name ("committee", "exploited")? */
    bool (*is_body_word)(void *ud, const char *word, const char *lang);
    void *ud;
    /* real words (lexicon.h): a claim word that is one is not matched one typo away
     * ("funding" is not "founding") */
    const struct camas_lexicon *lexicon;
    /* what the knowledge answers (malloc'ed plain text, or NULL) to a question about a body
     * (camas_yesno_topic), for questions whose answer speaks of another body or another
     * role ("was the CSEC committee created before WashACT?", "does WashACT meet more often
     * than the task force?", "was WashACT convened by the Seattle police?"); may be NULL */
    char *(*about)(void *ud, const char *body, const char *lang, camas_yesno_topic topic);
    /* the bodies' ids, i from 0 on, NULL past the last (a body told by a description is
     * looked for among them); may be NULL */
    const char *(*body_id)(void *ud, size_t i);
    /* the body a question tells by a fact only that body's answers state ("did the group the
     * legislature renewed in 2015 get renewed through SB 5884?"), with the question less that
     * description written into rest (cap bytes); NULL when it tells none. May be NULL. */
    const char *(*describe)(void *ud, const char *question, char *rest, size_t cap);
    /* the question as written, when the one given is respelled (its capitals tell names) */
    const char *as_written;
    /* when set, the claim is judged for this body alone, whatever other bodies the question
     * names (one of the bodies of "do both WashACT and the CSEC committee…?") */
    const char *only_body;
    /* every claim word must be in the answer: no paraphrased word is let pass (which body
     * does what: another body's duties share most words) */
    bool strict;
    /* when set, why no verdict was reached (tests/unit/yesno_tool) */
    FILE *trace;
} camas_yesno_context;

/* A body told only by how it meets in text ("the group that meets 2-3 times a year, who's
 * on it?", "which group meets quarterly to …?"): the body's name goes in place of from..to
 * (the description from its noun, or the noun's article; or the which-word and its noun),
 * and the claim the description makes runs from claim to claim_to (byte offsets: from <= to,
 * claim < claim_to <= strlen; claim_to == to after a noun, to <= claim after a which-word).
 * False when text tells no body that way (yesno_meetings.c). */
typedef struct camas_yesno_span {
    size_t from, to, claim, claim_to;
} camas_yesno_span;
bool camas_yesno_meetings_description(const char *text, camas_yesno_span *out);
/* "which group coordinates investigations and prosecutions?", "quel organisme doit recenser
 * les programmes ?": a which-word and a body's noun (or "lequel") first, then what the body
 * does; the span is the which-word and noun, the claim the rest. Not a comparison ("which
 * body meets most often?"). */
bool camas_yesno_which_span(const char *text, camas_yesno_span *out);

/* True when question (in lang "en"/"fr") reads as a yes/no question. */
bool camas_yesno_question(const char *question, const char *lang);

/* +1 (yes), -1 (no) or 0 (the answer does not settle it) for a yes/no question and the
 * plain text of its answer. st may be NULL (no stemming: exact words only). */
int camas_yesno_verdict(struct camas_stemmer *st, const char *question, const char *answer,
                        const char *lang);

/* The same with names and bodies: the answer's sentences about another body than the
 * question's do not count, and a person or office the question names must be in one of the
 * others ("No" when they name someone else in its place). A claim said in the negative in
 * French whose positive the answer confirms ("les séances ne sont pas ouvertes au
 * public ?") gets CAMAS_YESNO_CONTRADICTS: French answers it "Si"; English has no word
 * that reads one way only, so it gets 0. */
#define CAMAS_YESNO_CONTRADICTS 2
int camas_yesno_verdict_ctx(const camas_yesno_context *c, const char *question, const char *answer,
                            const char *lang);

/* Does normalised text norm hold one of list's phrases as whole words? */
bool camas_yesno_any_phrase(const char *norm, const char *const *list);
/* Does the question (normalised) compare ("than", "before", "plus récent que", "unlike")?
 * Its descriptions and numbers may then be the other body's (yesno_described.c). */
bool camas_yesno_compares(const char *qn);

/* Does the question (normalised) ask whether something is open to all ("open to the
 * public?", "can anyone attend?", "sans invitation ?"), rather than claim it is by
 * invitation or not ask of access at all? */
bool camas_yesno_asks_if_open(const char *qn);

/* Does the text give a year ("datent de 2006", "set up in 2013")? */
bool camas_yesno_gives_year(const char *text);
/* "y en a huit ?" after "combien de législateurs ... ?": the question with what the previous
 * one counted after its count ("y en a huit législateurs ?"), into out (cap bytes); false when
 * the previous question counts nothing or the question gives no count without a noun. */
bool camas_yesno_count_of_prev(const char *question, const char *prev, char *out, size_t cap);

#endif
