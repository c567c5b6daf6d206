/* The language a question is answered in, when the core's reading of its cues may be wrong
 * (worker.c asks): a question with no cue at all, and a French question whose English words
 * are only a name's. */
#include "worker_internal.h"

#include "log.h"
#include "match.h"
#include "text.h"
#include "yesno.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* "fr" when more of the words are only in the French word list than only in the English
 * one ("richard torrance fonction", "reseau warn role"), "en" the other way round, else
 * NULL. */
static const char *dictionary_lang(const struct worker *w, const char *text)
{
    char *norm = camas_text_normalize_dup(text);
    if (!norm)
        return NULL;
    /* names say nothing of the language ("Torrance" is a town of the English list, "Bois"
     * a French word): their words are blanked out first */
    camas_yesno_blank_names(w->names, norm);
    camas_token t[64];
    size_t n = camas_tokenize(norm, t, 64);
    int only_fr = 0, only_en = 0;
    for (size_t i = 0; i < n && i < 64; i++) {
        if (camas_worker_body_word((void *)w, t[i].text, NULL))
            continue; /* "warn", "washact" */
        /* names ("Quebec", "Spokane") are in the English list only, and are no English */
        unsigned lists = camas_lexicon_common_lists(w->lexicon, t[i].text, t[i].len);
        only_en += lists == 1u; /* word_lists: English first, then French */
        only_fr += lists == 2u;
    }
    free(norm);
    log_debug("worker", "language vote: words only French %d, only English %d", only_fr, only_en);
    return only_fr > only_en ? "fr" : only_en > only_fr ? "en" : NULL;
}

/* The language of a question with no language cue at all ("reunions washact", "csec
 * telphone"), which camas_detect_lang can only default to English: the same asker's previous
 * question when it had cues (a follow-up keeps the conversation's language), else the
 * knowledge's own vocabulary, i.e. the language whose example questions and answers the
 * words match clearly better, else the word lists. NULL for English or when nothing tips it.
 * *undecided when no word is only in one language's list: the reply is in both. */
#define LANG_VOCAB_MARGIN 1.15
static const char *no_cue_lang(const struct worker *w, const char *text, const char *prev,
                               bool *undecided)
{
    double confidence;
    camas_detect_lang(text, &confidence);
    if (confidence > 0)
        return NULL;
    if (prev) {
        const char *lang = camas_detect_lang(prev, &confidence);
        if (confidence > 0)
            return lang;
    }
    camas_match fr, en;
    double sfr = camas_matcher_query(w->matcher, text, "fr", NULL, NULL, &fr, 1) ? fr.score : 0;
    double sen = camas_matcher_query(w->matcher, text, "en", NULL, NULL, &en, 1) ? en.score : 0;
    log_debug("worker", "language vote: vocabulary fr %.3f en %.3f", sfr, sen);
    if (sen > sfr * LANG_VOCAB_MARGIN)
        return NULL;
    const char *words = dictionary_lang(w, text);
    /* the vocabulary reads typos, so it also reads real words of the other language as
     * typos of its own ("into" as "info"): words that are only English are English; and
     * with no word only in one list its French is a guess ("washact comitee mision"): both
     * languages, French first. (English is the default anyway: its vote needs no words.) */
    *undecided = !words;
    if (sfr > sen * LANG_VOCAB_MARGIN)
        return words && strcmp(words, "en") == 0 ? NULL : "fr";
    return words && strcmp(words, "fr") == 0 ? "fr" : NULL;
}

/* "le sigle WashACT veut dire Washington Advisory Committee on Trafficking ?": the English
 * words of a name make a French question read as English. "fr" when, less the bodies' and
 * the source's names (English proper nouns), the rest reads as French; else NULL. */
static const char *lang_without_names(const struct worker *w, const char *text)
{
    if (strcmp(camas_detect_lang(text, NULL), "en") != 0)
        return NULL;
    char *norm = camas_text_normalize_dup(text);
    if (!norm)
        return NULL;
    for (size_t i = 0; i < w->n_bodies; i++)
        for (int k = 0; k < 2; k++) {
            const char *name = w->bodies[i].english[k];
            size_t nl = name ? strlen(name) : 0;
            for (char *at = nl > 8 ? strstr(norm, name) : NULL; at; at = strstr(at + nl, name))
                memset(at, ' ', nl);
        }
    camas_yesno_blank_names(w->names, norm);
    double confidence;
    bool french = strcmp(camas_detect_lang(norm, &confidence), "fr") == 0 && confidence > 0;
    free(norm);
    return french ? "fr" : NULL;
}

/* "who chairs the Groupe de travail contre la traite des personnes?": the French words of a
 * body's name make an English question read as French. "en" when, less each run of three or
 * more words of one body's names (one of them a word of five letters or more, not only "de
 * la"), the rest reads as English; else NULL. */
static const char *lang_without_french_names(const struct worker *w, const char *text)
{
    if (strcmp(camas_detect_lang(text, NULL), "fr") != 0)
        return NULL;
    camas_token t[64];
    char *norm = camas_text_normalize_dup(text);
    size_t n = norm ? camas_tokenize(norm, t, 64) : 0;
    free(norm);
    if (n > 64)
        n = 64;
    bool blank[64] = {false}, blanked = false;
    for (size_t b = 0; b < w->n_bodies; b++)
        for (size_t i = 0; i < n;) {
            size_t j = i, long_words = 0;
            while (j < n && camas_worker_body_has_word(&w->bodies[b], t[j].text))
                long_words += t[j++].len >= 5;
            if (j - i >= 3 && long_words) {
                for (size_t k = i; k < j; k++)
                    blank[k] = true;
                blanked = true;
            }
            i = j > i ? j : i + 1;
        }
    if (!blanked)
        return NULL;
    camas_buf rest = {0};
    for (size_t i = 0; i < n; i++)
        if (!blank[i])
            camas_buf_printf(&rest, "%s ", t[i].text);
    double confidence;
    bool english = rest.len &&
                   strcmp(camas_detect_lang(camas_buf_cstr(&rest), &confidence), "en") == 0 &&
                   confidence > 0;
    camas_buf_free(&rest);
    return english ? "en" : NULL;
}

const char *camas_worker_settle_lang(const struct worker *w, const char *text, const char *prev,
                                     bool *undecided)
{
    *undecided = false;
    const char *lang = no_cue_lang(w, text, prev, undecided);
    if (lang)
        return lang;
    lang = lang_without_names(w, text);
    if (!lang)
        lang = lang_without_french_names(w, text);
    if (lang)
        *undecided = false;
    return lang;
}
