/* Questions that hold more than one ask or more than the ask: two asks joined ("who chairs
 * the task force and how often does it meet?", "qui préside le groupe de travail et il se
 * réunit combien de fois par an ?"): read whole, it is nearest one of the two entries and the
 * other ask goes unanswered, so each ask is understood alone, the second as a follow-up of
 * the first (its "it" is the first's body), and both entries are answered; and a question
 * after an introduction ("Hello, I'm on staff at a county prosecutor's office. Is the
 * committee…?") that the introduction pulled away from every entry; and a choice between two
 * entries of one body where one's answer holds the other's. */
#include "worker_internal.h"

#include "text.h"
#include "util.h"
#include "yesno.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The share of one answer's words another must hold to answer for it. */
#define COVERED 0.9

/* Does part ask something of its own: it opens with a question word or a yes/no opener
 * ("and how often…", "et est-ce que…"), or with a subject pronoun and holds a question word
 * ("et il se réunit combien de fois ?")? */
static bool second_asks(const char *part, const char *lang)
{
    static const char *const subject[] = {"it", "they", "il", "elle", "ils", "elles", "on", NULL};
    camas_token t[64];
    long n = camas_text_tokenize(part, t, 64);
    if (n < 2)
        return false;
    /* a question word after a preposition asks too ("et à quel rythme…", "and in which
     * month…") */
    static const char *const prepositions[] = {"a",  "au", "de", "du",  "en", "dans", "pour", "par",
                                               "at", "in", "on", "for", "to", "with", "from", NULL};
    if (camas_is_question_word(lang, t[0].text) ||
        (camas_text_in_words(t[0].text, prepositions) && camas_is_question_word(lang, t[1].text)))
        return true;
    /* a yes/no ask opens like one ("and are the meetings open?", "et est-ce que…"); a
     * statement with a question mark is the rest of the first ("when were washact and the
     * csec committee each set up?") */
    static const char *const openers[] = {"is",   "are", "does", "do",  "did",  "can",  "was",
                                          "were", "has", "have", "est", "peut", "sont", NULL};
    if (camas_text_in_words(t[0].text, openers) && camas_yesno_question(part, lang))
        return true;
    if (!camas_text_in_words(t[0].text, subject))
        return false;
    for (long i = 1; i < n; i++)
        if (camas_is_question_word(lang, t[i].text))
            return true;
    return false;
}

static bool has_question_word(const char *part, const char *lang)
{
    camas_token t[64];
    long n = camas_text_tokenize(part, t, 64);
    for (long i = 0; i < n; i++)
        if (camas_is_question_word(lang, t[i].text))
            return true;
    return false;
}

/* Where the second ask starts (after " and ", " et ", ", and "…), or 0 when the question
 * does not join two: the first part must ask (a question word) and so must the second.
 * *first_end: where the first ask ends (before the joining word and any comma). */
static size_t second_ask_at(const char *text, const char *lang, size_t *first_end)
{
    static const char *const joins[] = {" and ", " et ", " & ", NULL};
    for (const char *p = text; *p; p++)
        for (size_t k = 0; joins[k]; k++) {
            size_t jl = strlen(joins[k]);
            if (strncasecmp(p, joins[k], jl) != 0)
                continue;
            size_t first = (size_t)(p - text);
            while (first > 0 && (text[first - 1] == ',' || text[first - 1] == ' '))
                first--;
            char *before = strndup(text, first);
            bool ok = before && has_question_word(before, lang) && second_asks(p + jl, lang);
            free(before);
            if (ok) {
                *first_end = first;
                return (size_t)(p - text) + jl;
            }
        }
    return 0;
}

bool camas_worker_answer_two_parts(struct worker *w, int64_t id, const camas_request *req,
                                   const char *match_lang, const char *context,
                                   const char **plugin_name, const char **entry_id)
{
    const char *text = req->text;
    size_t first = 0, at = second_ask_at(text, match_lang, &first);
    if (!at || camas_yesno_question(text, match_lang))
        return false;
    camas_buf a = {0}, understood = {0};
    camas_buf_printf(&a, "%.*s ?", (int)first, text);
    const char *second = text + at;
    struct camas_worker_filter fc = {w, req->room_kind};
    camas_understanding ua, ub;
    camas_buf first_understood = {0};
    if (context) /* an introduction before the question may name what "it" is */
        camas_understand_ask(w->understand, w->matcher, camas_buf_cstr(&a), context, match_lang,
                             camas_worker_room_policy, &fc, &ua, &first_understood);
    else
        camas_understand_query(w->understand, w->matcher, camas_buf_cstr(&a), match_lang,
                               camas_worker_room_policy, &fc, &ua);
    /* the second ask's context: the first as understood (with the body the introduction
     * named) */
    if (first_understood.len)
        camas_buf_printf(&a, " %s", camas_buf_cstr(&first_understood));
    camas_buf_free(&first_understood);
    /* the second ask's "it" is the body the first names; one it names itself is its own */
    const char *ids[1];
    if (camas_matcher_bodies(w->matcher, second, match_lang, ids, 1) == 0 &&
        camas_matcher_bodies(w->matcher, camas_buf_cstr(&a), match_lang, ids, 1) == 1)
        camas_understand_query_bodies(w->understand, w->matcher, second, camas_buf_cstr(&a),
                                      match_lang, camas_worker_room_policy, &fc, &ub);
    else
        camas_understand_ask(w->understand, w->matcher, second, camas_buf_cstr(&a), match_lang,
                             camas_worker_room_policy, &fc, &ub, &understood);
    bool two = ua.decision == CAMAS_DECIDE_ANSWER && ub.decision == CAMAS_DECIDE_ANSWER &&
               strcmp(ua.options[0].entry_id, ub.options[0].entry_id) != 0;
    camas_match each[2] = {ua.options[0], ub.options[0]};
    bool done = two && camas_worker_render_entries(w, id, req, each, 2, plugin_name, entry_id);
    camas_buf_free(&a);
    camas_buf_free(&understood);
    return done;
}

/* The length of a greeting text opens with ("hello, ", "Bonjour à tous ! ", "hi there "), or
 * 0. */
static size_t greeting_len(const char *text)
{
    static const char *const hello[] = {
        "good morning", "good afternoon", "good evening", "hello", "hiya",   "hey",  "hi",
        "yo",           "bonjour",        "bonsoir",      "salut", "coucou", "allo", NULL};
    static const char *const whom[] = {"there",  "all",      "everyone", "folks",         "team",
                                       "à tous", "à toutes", "a tous",   "tout le monde", NULL};
    size_t g = 0;
    for (size_t k = 0; hello[k] && !g; k++)
        if (strncasecmp(text, hello[k], strlen(hello[k])) == 0 &&
            !isalnum((unsigned char)text[strlen(hello[k])]))
            g = strlen(hello[k]);
    while (g && text[g] == ' ')
        g++;
    for (size_t k = 0; g && whom[k]; k++)
        if (strncasecmp(text + g, whom[k], strlen(whom[k])) == 0 &&
            !isalnum((unsigned char)text[g + strlen(whom[k])])) {
            g += strlen(whom[k]);
            break;
        }
    while (g && text[g] && strchr(" ,!.:;-", text[g]))
        g++;
    return g;
}

bool camas_worker_last_question(struct worker *w, const camas_request *req, const char *lang,
                                camas_understanding *u, camas_buf *out, camas_buf *intro)
{
    const char *text = req->text;
    size_t len = strlen(text), pos = 0, last[2] = {0, 0}, first[2] = {0, 0}, n = 0;
    size_t asking[2] = {0, 0}, nasking = 0; /* the sentences that end with a question mark */
    while (len && isspace((unsigned char)text[len - 1]))
        len--;
    for (size_t span[2]; camas_text_next_sentence(text, len, &pos, span);)
        if (span[1] > span[0]) {
            if (!n)
                memcpy(first, span, sizeof first);
            memcpy(last, span, sizeof last), n++;
            if (text[span[1] - 1] == '?')
                memcpy(asking, span, sizeof asking), nasking++;
        }
    /* "hello, CSEC info?": the greeting pulled a keyword query away from its entry */
    size_t g = greeting_len(text);
    bool greeted = n < 2 && g && len > g + 3;
    if (n < 2 && !greeted)
        return false;
    /* "Bonjour ! Je suis étudiante… Pourriez-vous me dire qui préside le groupe de travail ?
     * Merci beaucoup !": the one question between an introduction and thanks or what it is
     * for, read alone with the introduction as its context when the whole was declined or
     * unsure */
    bool between = nasking == 1 && asking[0] > first[0] && asking[1] < last[1] &&
                   asking[1] - asking[0] >= 12 && u->decision != CAMAS_DECIDE_ANSWER;
    if (between) {
        first[0] = 0, first[1] = asking[0]; /* the introduction */
        last[0] = asking[0], last[1] = asking[1];
        len = asking[1];
    }
    /* "qui copréside WashACT ? j'ai besoin des trois pour la lettre": the question first,
     * and after it only what it is for, which asks nothing */
    bool first_asks = text[len - 1] != '?' && text[first[1] - 1] == '?' &&
                      !memchr(text + first[1], '?', len - first[1]) && first[1] - first[0] >= 12;
    /* the introduction asks nothing itself, and the question is more than a word or two
     * (read alone only when the whole was declined: "… Do you know?" asks nothing alone) */
    if (greeted) {
        first_asks = true; /* the message after its greeting, read alone */
        first[0] = g, first[1] = len;
    }
    if (!first_asks && !between &&
        (u->decision != CAMAS_DECIDE_DECLINE || !len || text[len - 1] != '?' ||
         memchr(text, '?', last[0]) || last[1] - last[0] < 12))
        return false;
    camas_buf understood = {0};
    camas_buf_reset(intro);
    camas_buf_reset(out);
    if (first_asks) {
        camas_buf_printf(out, "%.*s", (int)(first[1] - first[0]), text + first[0]);
    } else {
        camas_buf_printf(intro, "%.*s", (int)last[0], text);
        camas_buf_printf(out, "%.*s", (int)(last[1] - last[0]), text + last[0]);
    }
    struct camas_worker_filter fc = {w, req->room_kind};
    camas_understanding asked;
    camas_understand_ask(w->understand, w->matcher, camas_buf_cstr(out),
                         intro->len ? camas_buf_cstr(intro) : NULL, lang, camas_worker_room_policy,
                         &fc, &asked, &understood);
    camas_buf_free(&understood);
    if (asked.decision != CAMAS_DECIDE_ANSWER) {
        camas_buf_reset(out);
        camas_buf_reset(intro);
        return false;
    }
    /* the danger is the whole message's */
    asked.danger = u->danger;
    asked.danger_kernel = u->danger_kernel;
    *u = asked;
    return true;
}

/* How much of a's words (normalised, 3 letters or more) b holds, from 0 to 1. */
static double words_covered(const char *a, const char *b)
{
    char *na = camas_text_normalize_dup(a), *nb = camas_text_normalize_dup(b);
    camas_token ta[128], tb[256];
    size_t n = na ? camas_tokenize(na, ta, 128) : 0, m = nb ? camas_tokenize(nb, tb, 256) : 0;
    if (n > 128)
        n = 128;
    if (m > 256)
        m = 256;
    size_t words = 0, held = 0;
    for (size_t i = 0; i < n; i++) {
        if (ta[i].len < 3)
            continue;
        words++;
        for (size_t j = 0; j < m; j++)
            if (strcmp(ta[i].text, tb[j].text) == 0) {
                held++;
                break;
            }
    }
    free(na);
    free(nb);
    return words ? (double)held / (double)words : 0.0;
}

bool camas_worker_answer_covering(struct worker *w, int64_t id, const camas_request *req,
                                  const camas_understanding *u, const char **plugin_name,
                                  const char **entry_id)
{
    if (u->decision != CAMAS_DECIDE_CLARIFY || u->noptions < 2)
        return false;
    const char *a = camas_understand_body(w->understand, u->options[0].entry_id);
    const char *b = camas_understand_body(w->understand, u->options[1].entry_id);
    if (!a || !b || strcmp(a, b) != 0 || strcmp(a, "all") == 0)
        return false;
    const char *names[2];
    camas_buf plain[2] = {{0}}, html[2] = {{0}};
    bool ok = true;
    for (int k = 0; k < 2 && ok; k++) {
        camas_buf_reset(&w->reply_plain);
        camas_buf_reset(&w->reply_html);
        ok = camas_worker_render_entry(w, id, u->options[k].owner, u->options[k].entry_id, req,
                                       plugin_name);
        names[k] = *plugin_name;
        plain[k] = w->reply_plain, html[k] = w->reply_html;
        w->reply_plain = (camas_buf){0}, w->reply_html = (camas_buf){0};
    }
    /* the one whose answer holds nearly all the other's words answers both readings ("what
     * does the CSEC committee actually do?": its overview holds what it does) */
    int pick = -1;
    if (ok && words_covered(camas_buf_cstr(&plain[1]), camas_buf_cstr(&plain[0])) >= COVERED)
        pick = 0;
    else if (ok && words_covered(camas_buf_cstr(&plain[0]), camas_buf_cstr(&plain[1])) >= COVERED)
        pick = 1;
    if (pick >= 0) {
        camas_worker_take_reply(w, &plain[pick], &html[pick]);
        *plugin_name = names[pick];
        *entry_id = u->options[pick].entry_id;
    }
    for (int k = 0; k < 2; k++) {
        camas_buf_free(&plain[k]);
        camas_buf_free(&html[k]);
    }
    return pick >= 0;
}
