/* What yesno.c shares with the rules split out of it (yesno_only.c, yesno_compare.c,
 * yesno_question.c): the answer read as sentences ("units"), and the test of whether a
 * question's word is in a text. */
#ifndef CAMAS_YESNO_INTERNAL_H
#define CAMAS_YESNO_INTERNAL_H

#include "text.h"
#include "yesno.h"

#include <stdbool.h>
#include <stddef.h>

#define MAX_TOK       96
#define MAX_UNITS     32 /* sentences of one answer */
#define MAX_NAME_HITS 8  /* names found in one text */

/* One sentence of an answer, normalised. A list item ("- WARN;") carries the line that
 * introduces it ("WashACT is co-chaired by:") in norm, and alone in item. */
struct unit {
    char *norm;
    char *item;    /* the item's own text, without its header; NULL when not a list item */
    unsigned list; /* which list of the answer it belongs to (1, 2…), 0 when none */
    const char *bodies[4];
    size_t nbodies;
    unsigned names[MAX_NAME_HITS];
    size_t nnames;
};

/* Is word w (a question's) in text's tokens (at, na), by stem, synonym or, for longer words,
 * one typo away? text, when not NULL, is searched for the synonyms that are phrases. */
bool camas_yesno_word_in(const camas_yesno_context *c, const char *lang, const char *w,
                         const camas_token *at, size_t na, const char *text);

/* The people and offices (ids, at most max) named in normalised text; used, when not NULL,
 * gets the bytes of norm they cover marked. */
size_t camas_yesno_find_names(const camas_yesno_names *names, const char *norm, unsigned *ids,
                              size_t max, unsigned char *used);

/* A restrictive question ("only state agencies?", "n'a qu'un seul président ?") against the
 * answer's usable sentences: -1 when they hold more than the question allows (a list whose
 * items are not all of the claimed kind, an enumeration "federal, state and local" around
 * the claimed word, several items where the question says one), else 0. Never +1: a list
 * does not say that nothing else exists. qn is the normalised question; is_claim marks its
 * claim words among qt; qnames are the people and offices it names. */
int camas_yesno_only(const camas_yesno_context *c, const char *lang, const char *qn,
                     const camas_token *qt, size_t nq, const bool *is_claim, const unsigned *qnames,
                     size_t nqn, const struct unit *units, const bool *usable, size_t nunits);

/* yesno_question.c, also used by yesno.c: the words that open a yes/no question
 * (normalised). */
extern const char *const camas_yesno_openers_en[];
extern const char *const camas_yesno_openers_fr[];

/* Shared by yesno.c and yesno_compare.c. */
bool camas_yesno_has_phrase(const char *norm, const char *phrase); /* whole words */
bool camas_yesno_is_year(const char *v);
size_t camas_yesno_join_phones(const char *in, char *out, size_t cap);
/* "206 442 4488" */ /* "2013" */
/* Splits an answer into units (at most max; each unit's norm and item to be freed). */
size_t camas_yesno_split_units(const camas_yesno_context *c, const char *answer, const char *lang,
                               struct unit *u, size_t max);

/* yesno_compare.c: +1, -1 or 0 (not settled this way) for whether something is open to
 * the public; CAMAS_YESNO_UNSETTLED when the answer has open and closed gatherings and the
 * question names neither (no verdict at all). qn is the normalised question. */
int camas_yesno_access(const char *qn, const struct unit *units, const bool *usable, size_t nunits);
/* "do I have to pay?" against "free", "eastern Washington?" against "western Washington":
 * does the answer (an) give the other value (yesno_compare.c)? */
bool camas_yesno_cost_or_side_differs(const char *qn, const char *an);
/* A word's stem in lang, or the word itself without a stemmer (yesno.c). */
bool camas_yesno_stem(camas_stemmer *st, const char *lang, const char *w, char *out, size_t cap);
/* Numbers (yesno_numbers.c): a token's value when it states one ("2015", "huit"), else NULL;
 * does the answer (at) give another number of the kind of one of the question's (qt: in a
 * comparison, years and bills may be the other body's and are skipped)? *numbers_found: every
 * number of the question is in the answer; *claims counts them. */
const char *camas_yesno_number_value(const camas_token *t);
bool camas_yesno_numbers_differ(const camas_yesno_context *c, const char *lang,
                                const camas_token *qt, size_t nq, const camas_token *at, size_t na,
                                bool comparing, bool *numbers_found, size_t *claims);
/* "just one legislator", "un seul président": -1 when the answer counts it otherwise, +1 when
 * it counts one ("one survivor of human trafficking"), else 0. */
int camas_yesno_single_count(const camas_yesno_context *c, const char *lang, const camas_token *qt,
                             size_t nq, const camas_token *at, size_t na);
/* Does the answer give an e-mail address and not the question's? *q_mail: the question gives
 * one; *mail_found: the answer holds one of the question's. */
/* "more state agencies than member organizations?", "plus de législateurs que d'agences ?":
 * 1 or -1 when the answer gives a count before each noun, 0 otherwise (yesno_counts.c). */
int camas_yesno_compare_counts(const char *qn, const char *answer);
/* Does the question claim a year (a token that reads as one)? */
bool camas_yesno_claims_year(const camas_token *qt, size_t nq);
/* Is claim word w, in a question that claims a year, borne out by answer an although an does
 * not say it: a founding word against a body convened in that year, a verb that only dates
 * ("remonte à 2006"), one of existing since a year against the year a body began? */
bool camas_yesno_year_word_borne(const char *w, const char *an);
/* "c'est aussi le mail du comité CSEC ?", "is that the task force's phone number?": a contact
 * detail claimed of something the question only points at, and gives no value of. Asked of
 * a body it names, whose address or number "it" is cannot be told from the question, so no
 * verdict (was a wrong "Oui" after "mail de washact ?"); the caller lets a follow-up naming no
 * body ("c'est une adresse yahoo ?") be judged against the answer it resumes. */
bool camas_yesno_value_unsaid(const camas_token *qt, size_t nq);
bool camas_yesno_other_email(const camas_token *qt, size_t nq, const camas_token *at, size_t na,
                             bool *q_mail, bool *mail_found);
int camas_yesno_compare_years(const camas_yesno_context *c, const char *question, const char *lang,
                              const struct unit *units, size_t nunits);
/* "was the task force created in 2015?" against "reauthorized in 2015": -1 when the question
 * says a body began in a year the answer gives only as a renewal's, else 0. */
int camas_yesno_began_when_renewed(const char *qn, const struct unit *units, size_t nunits);
/* "Is WashACT the Washington Advisory Committee on Trafficking?": +1 when a question made
 * only of two names (and framing words) names one body twice, -1 when two bodies, else 0. */
int camas_yesno_identity(const camas_yesno_context *c, const char *qn, const char *lang);
/* "Does WashACT stand for Washington Alliance for Child Trafficking?": an expansion of a
 * body's short name with words no body's name has is a "no" (-1), else 0. */
int camas_yesno_expansion(const camas_yesno_context *c, const char *qn, const char *lang);
/* "Were the task force and the CSEC committee authorized by the same bill?": two bodies
 * and what "the same" is about (bill, RCW section, year, convening office), each body's from
 * what the knowledge answers about it; +1 when they share one, -1 when not, else 0. */
int camas_yesno_compare_same(const camas_yesno_context *c, const char *qn, const char *lang);
/* The bodies (ids, at most max) a question asks about. */
size_t camas_yesno_subject_bodies(const camas_yesno_context *c, const char *qn, const char *lang,
                                  const char **ids, size_t max);
/* Is w a word of a role ("co", "chair", "convened", "copreside")? (yesno_compare.c) */
bool camas_yesno_role_word(const char *w);

/* What a question asks after any preamble ("I'm a nurse in Yakima - does the task force…"):
 * the text after its last " - ", ", ", ": " or ". " (the question itself when none). */
const char *camas_yesno_asked_part(const char *question);
/* Is text only a question tag ("isn't it?", "c'est ça ?", "right?"), which asks nothing of
 * its own: what comes before it is the question, not a preamble? */
bool camas_yesno_only_tag(const char *text);
/* A claim a question reports ("my notes say there are ten agencies…", "on m'a dit que les
 * séances sont gratuites, c'est vrai ?"): how many of its normalised tokens come before the
 * claim (up to the end of its last reporting phrase), or 0. Who said so claims nothing.
 * (yesno_question.c) */
size_t camas_yesno_reported_words(const char *question);
/* A restrictive question: "only advocacy groups?", "n'a que des législateurs ?" (not "by
 * invitation only"). */
bool camas_yesno_restrictive(const char *qn, const camas_token *qt, size_t nq);
/* May a question whose claim words are all in the answer but token miss still get a "yes"?
 * Not when that word is the point: a comparison or restriction in the question, a level
 * ("federal"), an institution's qualifier ("the Tacoma police"), a capitalised name in
 * question (as written). */
/* Is word w (normalised) written with a capital inside the question, not as its first word
 * ("Tacoma", "FBI", "Oregon")? */
bool camas_yesno_proper_noun(const char *question, const char *w);
/* Is a claim word missing from the answer the qualifier of a unit ("Homicide Unit") when
 * the answer names a unit too (yesno_names.c)? missed[i]: qt[i] is a claim word not found. */
bool camas_yesno_other_unit(const camas_token *qt, size_t nq, const bool *missed,
                            const camas_token *at, size_t na);
/* Does the question set aside something the answer states (yesno_only.c)? */
bool camas_yesno_sets_aside_stated(const camas_yesno_context *c, const char *lang, const char *qn,
                                   const camas_token *at, size_t na, const char *an);
/* "chaired by Torrance rather than Kyle Bois?": people or offices the question sets aside
 * and the answer does not name claim nothing; qn (normalised) is cut before them. */
void camas_yesno_cut_aside_names(const camas_yesno_context *c, char *qn, const char *answer);
/* Mail providers, names of an address's domain ("gmail", "yahoo"), not words to mend. */
extern const char *const camas_yesno_mail_providers[];
bool camas_yesno_one_missing_tolerable(const char *question, const camas_token *qt, size_t nq,
                                       size_t miss);
/* A claim about every one of something that the answer (at, na) does not itself say "all"
 * of: "are all four legislators from the Senate?". */
bool camas_yesno_universal(const camas_token *qt, size_t nq, const camas_token *at, size_t na);
/* The question's tokens (t, n) without "only", "just", "seulement", "uniquement", "que"
 * (yesno_only.c): the new count. */
size_t camas_yesno_without_only(camas_token *t, size_t n);
/* Who holds the role the question names, asked of the knowledge, as a verdict that needs
 * every other claim word found but one paraphrase (yesno_names.c). */
int camas_yesno_held_only_role(const camas_yesno_context *c, const char *lang, const char *question,
                               const char *qn, const camas_token *qt, size_t nq, const bool *missed,
                               const char *body, const unsigned *qnames, size_t nqn);
/* The meeting frequencies a normalised text names, one bit each (monthly, weekly,
 * quarterly, yearly, "times a year", daily, "every N months/weeks/years"); 0 for none. */
unsigned camas_yesno_freq_mask(const char *norm);
/* The same for a question's words, which may have a typo in a one-word frequency ("montly");
 * the knowledge's answers are spelt right and skip that cost. */
unsigned camas_yesno_asked_freq_mask(const char *norm);
/* The frequency asked as the question was written (c->as_written, when it is not question):
 * the typo mending reads "monthy" as "month", a word of the knowledge, where a frequency one
 * letter away was meant. */
unsigned camas_yesno_written_freq_mask(const camas_yesno_context *c, const char *question);
/* How many times a year a normalised text says something meets (quarterly: 4, "two to
 * three times a year": 3), or 0 when it gives no frequency. */
int camas_yesno_yearly_rate(const char *norm);
/* The same, and the least it says in *least ("two to three times a year": 3, least 2).
 * "every 2 years" is -2 (less than once a year, equal to no other rate). */
int camas_yesno_yearly_range(const char *norm, int *least);
/* "4 times a year" read as quarterly: the count before "times"/"fois" is the frequency's,
 * no number to find in the answer; its tokens become "times" (yesno_freq.c). */
void camas_yesno_blank_times_count(camas_token *qt, size_t nq);
/* A question comparing how often two bodies meet ("does WashACT meet more often than the
 * task force?"): +1 or -1 when both frequencies are known, CAMAS_YESNO_UNSETTLED when one
 * is not ("the source does not say how often" holds the words "often" and "meet"), 0 when
 * the question compares no two bodies' meetings. */
#define CAMAS_YESNO_UNSETTLED 2
/* A question claiming someone holds a role in a body ("was WashACT convened by the Seattle
 * police?", "le contact du comité CSEC, c'est Richard Torrance ?") that the answer does not
 * settle: what the knowledge answers to who holds that role (c->about). +1 when a sentence
 * saying the role names them all (qnames), -1 when such sentences name only others, else 0. */
int camas_yesno_role_elsewhere(const camas_yesno_context *c, const char *qn, const char *lang,
                               const char *body, const unsigned *qnames, size_t nqn);
int camas_yesno_compare_frequency(const camas_yesno_context *c, const char *question,
                                  const char *lang, const struct unit *units, size_t nunits);
/* Is question a statement said in the negative ("WashACT doesn't meet monthly?", "aucun
 * survivant n'en fait partie, c'est ça ?"), a question tag aside? Questions opened like
 * one ("isn't WashACT…?", "n'est-il pas…") are not: they ask about the positive. */
bool camas_yesno_negated_statement(const char *question);
/* Does a French question end by asking whether it is right ("…, c'est ça ?", "vrai ?")? A
 * claim said in the negative and then asked that way is answered "Non" when its positive
 * holds ("aucun survivant n'en fait partie, c'est ça ?"), not "Si". */
bool camas_yesno_asks_if_right(const char *question);

/* The verdict on question (a body it describes, when not NULL, as the one it asks about),
 * before the negated statements (yesno.c). */
int camas_yesno_verdict_for(const camas_yesno_context *c, const char *question, const char *answer,
                            const char *lang, const char *body);

/* yesno_described.c: the body a question tells by a description instead of its name ("the
 * committee convened by the Attorney General", "le comité convoqué en 2006"), when exactly
 * one body fits it (asked of c->about), with *rest the normalised question (qn) without the
 * description (malloc'ed); NULL when there is none or it fits no body or several. */
const char *camas_yesno_described(const camas_yesno_context *c, const char *qn, const char *lang,
                                  char **rest);

/* Does the question write as a name (capitalised past its first word, or an acronym), or put
 * to an institution in lower case (its tokens qt, nq), something that is no known name, no
 * body's word and not in the answer (at, na, an)? */
bool camas_yesno_unknown_name(const camas_yesno_context *c, const char *lang, const char *question,
                              const char *qn, const camas_token *qt, size_t nq,
                              const unsigned char *qused, const camas_token *at, size_t na,
                              const char *an);

/* yesno_items.c: -1 when words the question writes as one name, one of them with a capital
 * ("la police d'État de Washington"), are each in an item of the answer's list and in no
 * one item; 0 otherwise. is_claim marks the claim words among qt (tokens of qn, the normalised
 * question, whose known names qused marks); question as written. */
int camas_yesno_items_apart(const camas_yesno_context *c, const char *lang, const char *question,
                            const char *qn, const unsigned char *qused, const camas_token *qt,
                            size_t nq, const bool *is_claim, const char *answer);

/* The names, synonyms and opposites (yesno_names.c). */
struct name_phrase {
    char *norm; /* normalised phrase */
    unsigned id;
};

/* A word of a synonym group (knowledge/synonyms.yaml), stemmed. */
struct syn_word {
    char stem[CAMAS_TOKEN_MAX + 1];
    unsigned group;
    bool fr;
    bool phrase; /* several words, compared unstemmed with the answer's text */
};

struct camas_yesno_names {
    struct name_phrase *p;
    size_t n;
    struct syn_word *syn;
    size_t nsyn;
    unsigned groups;
    unsigned (*opposite)[2]; /* pairs of synonym groups that exclude each other */
    size_t nopposite;
    unsigned supposed_from; /* ids from here on are not in the source (0: none are) */
    unsigned people_end;    /* ids below it are people (`people:`), not offices */
};

/* People and offices in the answer's sentences (yesno_names.c). usable marks the sentences
 * that may speak for the question (about no other body). */
/* Does a usable sentence that names people or offices make one of the question's claims
 * (is_claim marks them among qt)? */
bool camas_yesno_claim_beside_names(const camas_yesno_context *c, const char *lang,
                                    const camas_token *qt, size_t nq, const bool *is_claim,
                                    const struct unit *units, const bool *usable, size_t nunits);
/* Does one usable sentence name all the people and offices of the question (qnames) and
 * make the claims that sentences about others make? *others: a sentence makes the
 * question's claim about others. */
bool camas_yesno_names_in_one_unit(const camas_yesno_context *c, const char *lang,
                                   const camas_token *qt, size_t nq, const bool *is_claim,
                                   const unsigned *qnames, size_t nqn, const struct unit *units,
                                   const bool *usable, size_t nunits, bool *others);
/* "Is Richard Torrance an assistant attorney general?", no body named: the first of the
 * question's people and offices the answer names, whose sentences about it name another
 * office or person of its own, and no sentence names two of the question's: -1 ("no"),
 * else 0. */
int camas_yesno_affiliated_elsewhere(const unsigned *qnames, size_t nqn, const struct unit *units,
                                     const bool *usable, size_t nunits);
/* Does a sentence name every person and office the question names (at least one)? */
bool camas_yesno_named_elsewhere(const camas_yesno_context *c, const char *qn, unsigned char *qused,
                                 const struct unit *units, size_t nunits);

/* How many of ids (people and offices) a sentence names. */
size_t camas_yesno_unit_names(const struct unit *unit, const unsigned *ids, size_t n);
/* Frees n units' texts and the array (NULL: nothing). */
void camas_yesno_units_free(struct unit *units, size_t n);
/* What the knowledge answers about a body (c->about), split into units (*n of them); NULL
 * when it answers nothing. Free with camas_yesno_units_free. */
struct unit *camas_yesno_about_units(const camas_yesno_context *c, const char *body,
                                     const char *lang, camas_yesno_topic topic, size_t *n);

#endif
