/* libFuzzer target: what people type, through everything that reads a question before any
 * plugin does: language detection, the danger patterns, the lexical matcher (over a small
 * index built once, and a body's long name in it), another group's name
 * (camas_matcher_other_group, with the system's word lists when they are there), the yes/no
 * reading of a question (its chat shorthand written out, the names it holds), the person a
 * follow-up's pronoun points at (person.c) and the verdict against an answer (with the question as
 * written, the count a follow-up's previous question asked for); a description that is a person
 * (understand_words.c). An input is a question, optionally followed by a line break and an answer
 * text (as the worker renders one). Checks: no crash or sanitizer report, results within the bounds
 * the APIs promise (a language "en"/"fr", at most max matches with confidences in [0,1], a verdict
 * of -1, 0, +1 or, in French, CAMAS_YESNO_CONTRADICTS). Runs without the model: the dense half has
 * fuzz_embed. */
#include "lexicon.h"
#include "match.h"
#include "safety.h"
#include "text.h"
#include "chat.h"
#include "person.h"
#include "understand_internal.h"
#include "yesno.h"
#include "yesno_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static camas_matcher *matcher;
static camas_safety *safety;
static camas_stemmer *stemmer;
static camas_yesno_names *names;
static camas_lexicon *lexicon; /* NULL without the word lists: nothing reads as another group */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    matcher = camas_matcher_new();
    safety = camas_safety_new();
    stemmer = camas_stemmer_new();
    names = camas_yesno_names_new();
    if (!matcher || !safety || !stemmer || !names)
        abort();
    const char *const lists[] = {CAMAS_LEXICON_EN, CAMAS_LEXICON_FR};
    lexicon = camas_lexicon_load(lists, 2);
    static const char *const meet_en[] = {"how often does washact meet?", "washact meetings"};
    static const char *const meet_fr[] = {"quand se réunit WashACT ?", "réunions washact"};
    static const char *const chair_en[] = {"who chairs the task force?", "task force chair"};
    static const char *const chair_fr[] = {"qui préside le groupe de travail ?"};
    static const char *const syn[] = {"chair", "chairs", "head", "leads", "runs"};
    static const char *const adults[] = {"adult", "adults"}, *const youth[] = {"youth", "minors"};
    if (camas_matcher_add_synonyms(matcher, "en", syn, 5) ||
        camas_matcher_add_alias(matcher, "fr", "groupe de travail", "task-force") ||
        camas_matcher_add_alias(matcher, "en", "WashACT", "washact") ||
        camas_matcher_add_alias(matcher, "fr", "comité consultatif de Washington sur la traite",
                                "washact") ||
        camas_matcher_add_entry(matcher, 1, "meet", "washact", "en", meet_en, 2) ||
        camas_matcher_add_entry(matcher, 1, "meet", "washact", "fr", meet_fr, 2) ||
        camas_matcher_add_entry(matcher, 2, "chair", "task-force", "en", chair_en, 2) ||
        camas_matcher_add_entry(matcher, 2, "chair", "task-force", "fr", chair_fr, 1) ||
        camas_matcher_add_answer(matcher, 2, "chair", "en",
                                 "The Task Force is chaired by Richard Torrance.") ||
        camas_matcher_build(matcher) || camas_yesno_names_add(names, 1, "Richard Torrance") ||
        camas_yesno_names_add(names, 2, "Kyle Bois") ||
        camas_yesno_names_add_synonyms(names, stemmer, "en", syn, 5) ||
        camas_yesno_names_add_opposites(names, stemmer, "en", adults, 2, youth, 2))
        abort();
    camas_yesno_names_people_below(names, 3); /* both names are people's */
    return 0;
}

static size_t bodies(void *ud, const char *text, const char *lang, const char **ids, size_t max)
{
    return camas_matcher_bodies(ud, text, lang, ids, max);
}

/* What the knowledge answers about a body, so that descriptions ("the committee Richard
 * Torrance chairs", "the group convened in 2006") and comparisons are read too. */
static char *about(void *ud, const char *body, const char *lang, camas_yesno_topic topic)
{
    (void)ud;
    (void)lang;
    (void)topic;
    return strdup(strcmp(body, "washact") == 0
                      ? "WashACT was convened in 2006. WashACT members meet quarterly."
                      : "The Task Force is chaired by Richard Torrance. It meets two to three "
                        "times a year.");
}

static const char *body_id(void *ud, size_t i)
{
    (void)ud;
    static const char *const ids[] = {"task-force", "washact"};
    return i < 2 ? ids[i] : NULL;
}

static bool body_word(void *ud, const char *word, const char *lang)
{
    (void)ud;
    (void)lang;
    return strcmp(word, "washact") == 0 || strcmp(word, "csec") == 0 ||
           strcmp(word, "trafficking") == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!matcher)
        LLVMFuzzerInitialize(NULL, NULL); /* libFuzzer without the initialiser hook */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *answer = strchr(text, '\n');
    if (answer)
        *answer++ = '\0';

    double confidence = -1;
    const char *lang = camas_detect_lang(text, &confidence);
    if (!lang || (strcmp(lang, "en") && strcmp(lang, "fr")) || confidence < 0 || confidence > 1)
        abort();
    const char *hint = NULL;
    camas_safety_check(safety, text, &hint);
    if (hint && strcmp(hint, "en") && strcmp(hint, "fr"))
        abort();
    camas_match out[4];
    for (int l = 0; l < 2; l++) {
        size_t n = camas_matcher_query(matcher, text, l ? "fr" : "en", NULL, NULL, out, 4);
        if (n > 4)
            abort();
        for (size_t i = 0; i < n; i++)
            if (!out[i].entry_id || !(out[i].confidence >= 0 && out[i].confidence <= 1))
                abort();
    }
    const char *ids[4];
    if (camas_matcher_bodies(matcher, text, lang, ids, 4) > 4)
        abort();
    camas_matcher_other_group(matcher, lexicon, text, lang, body_word, NULL);
    /* a long name: a span of whole words inside the text */
    size_t from = 0, to = 0;
    if (camas_matcher_long_alias(matcher, text, &from, &to) && !(from < to && to <= strlen(text)))
        abort();
    camas_yesno_question(text, lang);
    /* the part asked after a preamble: a suffix of the text; who reported a claim: fewer
     * words than the text has */
    const char *asked_part = camas_yesno_asked_part(text);
    if (asked_part < text || asked_part > text + strlen(text))
        abort();
    if (camas_yesno_reported_words(text) > strlen(text))
        abort();
    /* a body told by how it meets: spans within the text, the claim after the replaced
     * part's start, and inside it or after it */
    camas_yesno_span span;
    if (camas_yesno_meetings_description(text, &span) &&
        !(span.from <= span.to && span.from <= span.claim && span.claim < span.claim_to &&
          span.claim_to <= strlen(text) && (span.claim_to == span.to || span.to <= span.claim)))
        abort();
    if (camas_yesno_which_span(text, &span) &&
        !(span.from <= span.to && span.to <= span.claim && span.claim <= span.claim_to &&
          span.claim_to <= strlen(text)))
        abort();
    /* chat shorthand written out: a string within the buffer, or refused; a small buffer
     * too, where it must refuse rather than cut */
    char full[1024], small[16];
    if (camas_chat_unabbreviate(text, lang, full, sizeof full) && strlen(full) >= sizeof full)
        abort();
    if (camas_chat_unabbreviate(text, lang, small, sizeof small) && strlen(small) >= sizeof small)
        abort();
    /* names with their ids, as the understanding reads answers */
    char phrases[4][CAMAS_NAME_PHRASE_MAX];
    unsigned name_ids[4];
    if (camas_yesno_name_phrases(names, text, phrases, name_ids, 4) > 4)
        abort();
    /* the person a follow-up points at: a name within its buffer, the question before it
     * shorter than the text; the pronouns read as a name; the understood text marked */
    char person[CAMAS_NAME_PHRASE_MAX];
    camas_buf asked = {0}, with = {0}, understood = {0};
    if (camas_person_in_prev(names, text, &asked, person, sizeof person) &&
        (strlen(person) >= sizeof person || asked.len >= size))
        abort();
    camas_person_for_pronoun(names, text, lang, "Richard Torrance", &with);
    camas_person_understood(names, answer ? answer : text, text, &understood);
    camas_buf_free(&asked);
    camas_buf_free(&with);
    camas_buf_free(&understood);
    /* the count a follow-up's previous question asked for: the question with its noun */
    char counted[96];
    if (camas_yesno_count_of_prev(text, answer ? answer : text, counted, sizeof counted) &&
        strlen(counted) <= strlen(text))
        abort();
    /* the facts a question tells a body by (numbers, addresses and their providers,
     * counts): never more than asked for */
    char facts[4][CAMAS_TOKEN_MAX + 1];
    if (camas_understand_text_facts(text, true, facts, 4) > 4 ||
        camas_understand_text_facts(text, false, facts, 4) > 4)
        abort();
    /* a description that is a person, and the asked part with its pronoun as that person */
    char role[64], named[128];
    camas_understand_role_named(text);
    camas_understand_role_trimmed(text, role, sizeof role);
    camas_understand_with_named(answer ? answer : text, role, true, named, sizeof named);
    camas_understand_with_body_named(text, "task-force", named, sizeof named);
    camas_yesno_context c = {.stemmer = stemmer,
                             .names = names,
                             .bodies = bodies,
                             .about = about,
                             .body_id = body_id,
                             .as_written = answer,
                             .ud = matcher};
    int v = camas_yesno_verdict_ctx(&c, text, answer ? answer : text, lang);
    if (v < -1 || v > CAMAS_YESNO_CONTRADICTS ||
        (v == CAMAS_YESNO_CONTRADICTS && strcmp(lang, "fr")))
        abort();
    /* names blanked out of normalised text (the worker's language vote): same length */
    char *norm = camas_text_normalize_dup(text);
    if (norm) {
        size_t before = strlen(norm);
        camas_yesno_blank_names(names, norm);
        if (strlen(norm) != before)
            abort();
        free(norm);
    }
    free(text);
    return 0;
}
