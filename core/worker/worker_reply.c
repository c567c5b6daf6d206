/* How the worker puts a reply together once a question is understood (worker.c): "Yes —"
 * or "No —" before an answer that settles a yes/no question, each body's answer for a
 * question about several, and "Did you mean…" when the options are too close. */
#include "worker_internal.h"

#include "log.h"
#include "match.h"
#include "messages.h"
#include "reply.h"
#include "understand.h"
#include "util.h"
#include "chat.h"
#include "yesno.h"

#include <camas/plugin.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void camas_worker_take_reply(struct worker *w, camas_buf *plain, camas_buf *html)
{
    camas_buf_free(&w->reply_plain);
    camas_buf_free(&w->reply_html);
    w->reply_plain = *plain;
    w->reply_html = *html;
    *plain = (camas_buf){0};
    *html = (camas_buf){0};
}

static size_t yesno_bodies(void *ud, const char *text, const char *lang, const char **ids,
                           size_t max)
{
    const struct worker *w = ud;
    return camas_matcher_bodies(w->matcher, text, lang, ids, max);
}

/* Is word in a body's name or short name (either language)? */
bool camas_worker_body_has_word(const struct body *b, const char *word)
{
    size_t wl = strlen(word);
    const char *norm = b->words;
    for (const char *p = norm ? strstr(norm, word) : NULL; p; p = strstr(p + 1, word))
        if ((p == norm || p[-1] == ' ') && (p[wl] == '\0' || p[wl] == ' '))
            return true;
    return false;
}

bool camas_worker_body_word(void *ud, const char *word, const char *lang)
{
    (void)lang;
    const struct worker *w = ud;
    for (size_t i = 0; i < w->n_bodies; i++)
        if (camas_worker_body_has_word(&w->bodies[i], word))
            return true;
    return false;
}

size_t camas_worker_names(void *ud, const char *text, char (*out)[CAMAS_NAME_PHRASE_MAX],
                          unsigned *ids, size_t max)
{
    const struct worker *w = ud;
    return camas_yesno_name_phrases(w->names, text, out, ids, max);
}

const char *camas_worker_body_short(void *ud, const char *body_id, const char *lang)
{
    const struct worker *w = ud;
    int l = camas_worker_lang_index(lang);
    for (size_t i = 0; i < w->n_bodies; i++)
        if (strcmp(w->bodies[i].id, body_id) == 0)
            return w->bodies[i].short_[l]; /* never NULL: its name or id when it has none */
    return NULL;
}

void camas_worker_about_forget(struct worker *w)
{
    for (size_t i = 0; i < w->n_about; i++)
        free(w->about[i].text);
    w->n_about = 0;
}

/* A minute: long enough for a burst of questions, short enough that "next meeting" answers
 * follow the calendar without a reload. */
#define ABOUT_TTL_MS 60000

static struct camas_worker_about *about_remembered(struct worker *w, const char *body_id, int topic,
                                                   int room_kind, int fr)
{
    int64_t now = camas_monotonic_ms();
    for (size_t i = 0; i < w->n_about; i++) {
        struct camas_worker_about *a = &w->about[i];
        if (a->topic == topic && a->room_kind == room_kind && a->fr == fr &&
            strcmp(a->body_id, body_id) == 0 && now - a->at_ms < ABOUT_TTL_MS)
            return a;
    }
    return NULL;
}

static void about_remember(struct worker *w, const char *body_id, int topic, int room_kind, int fr,
                           const char *text)
{
    char *copy = text ? strdup(text) : NULL;
    if (strlen(body_id) >= sizeof w->about[0].body_id || (text && !copy)) {
        free(copy);
        return;
    }
    size_t slot = w->n_about;
    if (slot == CAMAS_WORKER_ABOUT_MAX) { /* full: the oldest goes */
        slot = 0;
        for (size_t i = 1; i < w->n_about; i++)
            if (w->about[i].at_ms < w->about[slot].at_ms)
                slot = i;
        free(w->about[slot].text);
    } else {
        w->n_about++;
    }
    struct camas_worker_about *a = &w->about[slot];
    snprintf(a->body_id, sizeof a->body_id, "%s", body_id);
    a->topic = topic;
    a->room_kind = room_kind;
    a->fr = fr;
    a->text = copy;
    a->at_ms = camas_monotonic_ms();
}

const struct body *camas_worker_body_by_id(const struct worker *w, const char *id)
{
    for (size_t k = 0; k < w->n_bodies; k++)
        if (strcmp(w->bodies[k].id, id) == 0)
            return &w->bodies[k];
    return NULL;
}

/* The question that asks body b's topic in language fr into question (cap bytes); false
 * when there is no body or it has no name in that language. */
static bool about_question(const struct body *b, int fr, camas_yesno_topic topic, char *question,
                           size_t cap)
{
    if (!b || !b->name[fr])
        return false;
    const char *body_name = b->short_[fr] ? b->short_[fr] : b->name[fr];
    switch (topic) { /* literal formats: the compiler checks each */
    case CAMAS_YESNO_FOUNDED:
        snprintf(question, cap, fr ? "Quand %s a-t-il été créé ?" : "When was %s created?",
                 body_name);
        break;
    case CAMAS_YESNO_MEETS:
        snprintf(question, cap,
                 fr ? "À quelle fréquence %s se réunit-il ?" : "How often does %s meet?",
                 body_name);
        break;
    case CAMAS_YESNO_CONVENER:
        snprintf(question, cap, fr ? "Qui a convoqué %s ?" : "Who convened %s?", body_name);
        break;
    case CAMAS_YESNO_CHAIR:
        snprintf(question, cap, fr ? "Qui préside %s ?" : "Who chairs %s?", body_name);
        break;
    case CAMAS_YESNO_COCHAIR:
        snprintf(question, cap, fr ? "Qui copréside %s ?" : "Who co-chairs %s?", body_name);
        break;
    case CAMAS_YESNO_CREATOR:
        snprintf(question, cap, fr ? "Qui a créé %s ?" : "Who created %s?", body_name);
        break;
    case CAMAS_YESNO_LAW:
        snprintf(question, cap, fr ? "Quelle loi a créé %s ?" : "Which law created %s?", body_name);
        break;
    case CAMAS_YESNO_DUTIES:
        snprintf(question, cap, fr ? "Que fait %s ?" : "What does %s do?", body_name);
        break;
    default:
        snprintf(question, cap, fr ? "Qui contacter pour %s ?" : "Who is the contact for %s?",
                 body_name);
        break;
    }
    return true;
}

/* Asks the knowledge the question of one topic about a body; the rendered answer, or NULL. */
static char *about_ask(struct worker *w, const struct body *b, int fr, const char *lang,
                       camas_yesno_topic topic)
{
    char question[512];
    if (!about_question(b, fr, topic, question, sizeof question))
        return NULL;
    struct camas_worker_filter fc = {w, w->yesno_req->room_kind};
    camas_understanding u;
    camas_understand_query(w->understand, w->matcher, question, lang, camas_worker_room_policy, &fc,
                           &u);
    if (u.decision != CAMAS_DECIDE_ANSWER || !u.noptions ||
        !camas_understand_body(w->understand, u.options[0].entry_id) ||
        strcmp(camas_understand_body(w->understand, u.options[0].entry_id), b->id))
        return NULL;
    /* rendered aside: the reply being built stays as it is */
    camas_buf plain = w->reply_plain, html = w->reply_html;
    w->reply_plain = (camas_buf){0};
    w->reply_html = (camas_buf){0};
    camas_request req = *w->yesno_req;
    req.text = question;
    const char *name;
    char *text = NULL;
    if (camas_worker_render_entry(w, -1, u.options[0].owner, u.options[0].entry_id, &req, &name))
        text = strdup(camas_buf_cstr(&w->reply_plain));
    camas_worker_take_reply(w, &plain, &html);
    return text;
}

/* What the knowledge answers to a question about a body (when it began, how often it
 * meets), asked of the same matcher within the asker's room policy, for comparisons of two
 * bodies. */
static char *yesno_about(void *ud, const char *body_id, const char *lang, camas_yesno_topic topic)
{
    struct worker *w = ud;
    int fr = camas_worker_lang_index(lang);
    if (!w->yesno_req)
        return NULL;
    int room_kind = w->yesno_req->room_kind;
    const struct camas_worker_about *seen = about_remembered(w, body_id, topic, room_kind, fr);
    if (seen)
        return seen->text ? strdup(seen->text) : NULL;
    const struct body *b = camas_worker_body_by_id(w, body_id);
    if (!b)
        return NULL;
    char *text = about_ask(w, b, fr, lang, topic);
    about_remember(w, body_id, topic, room_kind, fr, text);
    return text;
}

static const char *yesno_body_id(void *ud, size_t i)
{
    const struct worker *w = ud;
    return i < w->n_bodies ? w->bodies[i].id : NULL;
}

/* Does the answer being built (reply_plain) settle the yes/no question? +1, -1, or 0. */
static const char *yesno_describe(void *ud, const char *question, char *rest, size_t cap)
{
    const struct worker *w = ud;
    return camas_understand_described_body(w->understand, question, rest, cap);
}

static int verdict_on(struct worker *w, const char *question, const char *answer, const char *lang,
                      const char *only_body);

static int yes_no_verdict(struct worker *w, const char *question, const char *lang)
{
    return verdict_on(w, question, camas_buf_cstr(&w->reply_plain), lang, NULL);
}

int camas_worker_claim_verdict(struct worker *w, const char *claim, const char *answer,
                               const char *lang)
{
    return verdict_on(w, claim, answer, lang, NULL);
}

char *camas_worker_about(struct worker *w, const char *body_id, const char *lang,
                         camas_yesno_topic topic)
{
    return yesno_about(w, body_id, lang, topic);
}

static int verdict_on(struct worker *w, const char *question, const char *answer, const char *lang,
                      const char *only_body)
{
    if (!w->stemmer)
        w->stemmer = camas_stemmer_new();
    camas_yesno_context c = {.stemmer = w->stemmer,
                             .names = w->names,
                             .bodies = yesno_bodies,
                             .is_body_word = camas_worker_body_word,
                             .about = yesno_about,
                             .body_id = yesno_body_id,
                             .lexicon = w->lexicon,
                             .describe = yesno_describe,
                             .trace = camas_understand_trace(w->understand),
                             .only_body = only_body,
                             .strict = w->yesno_strict,
                             .ud = w};
    /* with its shorthand written out ("ts les mois") and its typos mended ("every montth" ->
     * "every month"), real words left alone */
    char spelled[1024], full[1024];
    c.as_written = question;
    if (camas_chat_unabbreviate(question, lang, full, sizeof full))
        question = full;
    if (camas_matcher_spell(w->matcher, w->lexicon, question, lang, spelled, sizeof spelled) > 0)
        question = spelled;
    int v = camas_yesno_verdict_ctx(&c, question, answer, lang);
    if (c.trace)
        fprintf(c.trace, "VERDICT %d\t%s\n", v, question);
    return v;
}

void camas_worker_load_messages(struct worker *w)
{
    char err[600];
    camas_messages *m = NULL;
    int rc = camas_messages_load(w->knowledge_dir, &m, err, sizeof err);
    if (rc < 0) {
        log_warn("worker", "messages refused, the previous texts keep serving: %s", err);
        return;
    }
    camas_messages_free(w->messages);
    w->messages = m;
    camas_worker_about_forget(w);
}

/* "Yes — …" / "No — …" before the answer (verdict.yes, verdict.no). */
static void prefix_verdict(struct worker *w, int v, const char *lang)
{
    const char *word =
        camas_messages_get(w->messages,
                           v == CAMAS_YESNO_CONTRADICTS ? CAMAS_MSG_VERDICT_CONTRADICTS
                           : v > 0                      ? CAMAS_MSG_VERDICT_YES
                                                        : CAMAS_MSG_VERDICT_NO,
                           lang);
    char *word_h = camas_html_escape(word);
    camas_buf plain = {0}, html = {0};
    camas_buf_printf(&plain, "%s — %s", word, camas_buf_cstr(&w->reply_plain));
    const char *h = camas_buf_cstr(&w->reply_html);
    /* inside the first paragraph when the answer starts with one */
    if (strncmp(h, "<p>", 3) == 0)
        camas_buf_printf(&html, "<p><strong>%s</strong> — %s", word_h ? word_h : "", h + 3);
    else
        camas_buf_printf(&html, "<p><strong>%s</strong></p>%s", word_h ? word_h : "", h);
    free(word_h);
    camas_worker_take_reply(w, &plain, &html);
}

/* How far (in combined score) a runner-up entry may be from the best for a yes/no question
 * to take its answer when the best entry's does not settle the question. */
#ifndef YESNO_RUNNER_GAP
#define YESNO_RUNNER_GAP 0.05
#endif

/* Answers a yes/no question with "Yes —"/"No —" before the entry's answer when it settles
 * it. When the best entry's answer does not, a close runner-up about the same body whose
 * answer does is given instead ("was WashACT convened by the Seattle police?": the co-chairs' entry
 * names the police but not who convened it; WashACT's description does). Returns the entry
 * answered. */
/* "Is WashACT authorized under RCW 7.68.801?", "is 206-442-4488 the task force's number?":
 * the question names one body and states a number or address only another body's answers
 * state, so it is not that body's. Not when the question compares ("is WashACT older than the
 * committee created by SB 5308?"), where the other body's fact only tells which it is. */
static bool fact_of_another_body(struct worker *w, const char *question, const char *lang,
                                 const char *body)
{
    static const char *const comparing[] = {
        "than",    "before", "after",  "same",   "both",  "like",  "also", "too",   "unlike",
        "whereas", "while",  "rather", "as",     "avant", "apres", "plus", "moins", "meme",
        "comme",   "aussi",  "deux",   "tandis", "alors", "que",   NULL};
    const char *ids[4];
    size_t n = camas_matcher_bodies(w->matcher, question, lang, ids, 4);
    if (!body || n != 1 || strcmp(ids[0], body) != 0)
        return false;
    const char *theirs = camas_understand_body_of_facts(w->understand, question);
    if (!theirs || strcmp(theirs, body) == 0)
        return false;
    camas_token t[64];
    long nt = camas_text_tokenize(question, t, 64);
    for (long i = 0; i < nt; i++)
        for (size_t k = 0; comparing[k]; k++)
            if (strcmp(t[i].text, comparing[k]) == 0)
                return false;
    return true;
}

bool camas_worker_names_body(const struct worker *w, const char *text, const char *lang,
                             const char *id)
{
    const char *ids[4];
    size_t n = camas_matcher_bodies(w->matcher, text, lang, ids, 4);
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], id) == 0)
            return true;
    return false;
}

/* The best entry among body id's own for req's question (understood in lang with the body's
 * name as its context) into *out: 1, or 0 when the question is not answered from that body's
 * entries, -1 when the body has no name in req's language. */
static int own_entry(struct worker *w, const camas_request *req, const char *id, const char *lang,
                     camas_match *out)
{
    int fr = camas_worker_lang_index(req->lang);
    const struct body *b = camas_worker_body_by_id(w, id);
    if (!b || !b->name[fr])
        return -1;
    struct camas_worker_filter fc = {w, req->room_kind};
    camas_understanding one;
    camas_understand_query_bodies(w->understand, w->matcher, req->text, b->name[fr], lang,
                                  camas_worker_room_policy, &fc, &one);
    const char *theirs = one.decision == CAMAS_DECIDE_ANSWER
                             ? camas_understand_body(w->understand, one.options[0].entry_id)
                             : NULL;
    if (!theirs || strcmp(theirs, id) != 0)
        return 0;
    *out = one.options[0];
    return 1;
}

/* Renders entry (body id's own) into the reply: true when it speaks for that body. A plugin
 * may answer the question's words rather than the entry (the members plugin gives the card of
 * the office the question names, which may be another body's): then the entry is rendered
 * for the body's name alone. Only an answer that names this body and not `other` counts. */
static bool render_own(struct worker *w, int64_t id, const camas_match *entry,
                       const camas_request *req, const char *body_id, const char *other,
                       const char **plugin_name)
{
    const struct body *b = camas_worker_body_by_id(w, body_id);
    const char *name = b ? b->name[camas_worker_lang_index(req->lang)] : NULL;
    camas_request alone = *req;
    alone.text = name;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && !name)
            break;
        camas_buf_reset(&w->reply_plain);
        camas_buf_reset(&w->reply_html);
        if (camas_worker_render_entry(w, id, entry->owner, entry->entry_id, pass ? &alone : req,
                                      plugin_name) &&
            camas_worker_names_body(w, camas_buf_cstr(&w->reply_plain), req->lang, body_id) &&
            !camas_worker_names_body(w, camas_buf_cstr(&w->reply_plain), req->lang, other))
            return true;
    }
    return false;
}

/* "Do the task force and WashACT both meet quarterly?", "le groupe de travail et le comité
 * CSEC comptent-ils tous deux des législateurs ?": a claim made of two or three bodies holds
 * only if it holds for each. Each other body named gets its own best entry; a "no" there
 * answers for the question (its reply replaces the first body's), and a "yes" stands only
 * when every body's answer bears it out. Not for comparisons ("created before", "the same
 * bill"), which compare what the bodies' answers say. v is the verdict on the first entry. */
static int each_body_too(struct worker *w, int64_t id, const camas_request *req, const char *body,
                         int v, const char **plugin_name, const char **entry)
{
    static const char *const both[] = {
        "both",      "tous les deux",  "toutes les deux", "tous deux", "toutes deux",
        "les deux",  "each",           "chacun",          "chacune",   "all three",
        "les trois", "tous les trois", "l un et l autre", "ils tous",  "elles toutes",
        "they all",  "all of them",    "both of them",    NULL};
    static const char *const same[] = {"same", "meme", "memes", "like", "comme", NULL};
    const char *ids[4];
    size_t n = camas_matcher_bodies(w->matcher, req->text, req->lang, ids, 4);
    char *norm = camas_text_normalize_dup(req->text);
    bool each = norm && n >= 2 && body && camas_yesno_any_phrase(norm, both) &&
                !camas_yesno_any_phrase(norm, same) && !camas_yesno_compares(norm);
    if (!each || v == -1) {
        free(norm);
        return v;
    }
    /* the claim without its "both" ("tous les deux" would claim the number two), judged for
     * each body alone against that body's own answer */
    free(norm);
    norm = strdup(req->text); /* as written: its capitals tell names */
    for (size_t k = 0; norm && both[k]; k++)
        for (char *at = strcasestr(norm, both[k]); at; at = strcasestr(at + 1, both[k])) {
            size_t len = strlen(both[k]);
            if ((at == norm || !isalnum((unsigned char)at[-1])) && !isalnum((unsigned char)at[len]))
                memset(at, ' ', len);
        }
    if (!norm)
        return v;
    int mine = verdict_on(w, norm, camas_buf_cstr(&w->reply_plain), req->lang, body);
    if (mine == -1) {
        free(norm);
        return -1;
    }
    bool all_yes = mine == 1 || v == 1, year = camas_yesno_gives_year(norm);
    for (size_t i = 0; i < n; i++) {
        camas_match theirs;
        int own = strcmp(ids[i], body) != 0 ? own_entry(w, req, ids[i], req->lang, &theirs) : -1;
        /* a year the question gives may be another body's and pull its entry ("WashACT et le
         * comité CSEC datent-ils tous les deux de 2006 ?"): the body's founding then */
        camas_request founded = *req;
        char asked[512];
        if (own == 0 && year &&
            about_question(camas_worker_body_by_id(w, ids[i]), camas_worker_lang_index(req->lang),
                           CAMAS_YESNO_FOUNDED, asked, sizeof asked)) {
            founded.text = asked;
            own = own_entry(w, &founded, ids[i], req->lang, &theirs);
        }
        if (own < 0)
            continue;
        if (own == 0) {
            all_yes = false; /* not borne out for this body */
            continue;
        }
        camas_buf plain = w->reply_plain, html = w->reply_html;
        const char *name = *plugin_name;
        w->reply_plain = (camas_buf){0};
        w->reply_html = (camas_buf){0};
        int vb = render_own(w, id, &theirs, &founded, ids[i], body, plugin_name)
                     ? verdict_on(w, norm, camas_buf_cstr(&w->reply_plain), req->lang, ids[i])
                     : 0;
        if (vb == -1) { /* this body's answer says why not */
            camas_buf_free(&plain);
            camas_buf_free(&html);
            *entry = theirs.entry_id;
            free(norm);
            return -1;
        }
        camas_worker_take_reply(w, &plain, &html);
        *plugin_name = name;
        all_yes &= vb == 1;
    }
    free(norm);
    return all_yes ? 1 : 0;
}

const char *camas_worker_answer_yes_no(struct worker *w, int64_t id, const camas_understanding *u,
                                       const camas_request *req, const char *whole,
                                       const char *prev, const char **plugin_name, int *verdict)
{
    const char *entry = u->options[0].entry_id;
    const char *body = camas_understand_body(w->understand, entry);
    /* "y en a huit ?" after "combien de législateurs… ?": eight legislators, not the eight
     * state agencies the answer also counts */
    char counted[1024];
    camas_request with_noun;
    if (prev && camas_yesno_count_of_prev(req->text, prev, counted, sizeof counted)) {
        with_noun = *req;
        with_noun.text = counted;
        req = &with_noun;
    }
    w->yesno_req = req;
    /* a follow-up that names no body is about the one the previous question named ("and is
     * it convened by the state attorney general?" after "when was WashACT set up?"): judged
     * with that body's name too, the answer's sentences about another body do not count */
    const char *ids[2];
    int fr = camas_worker_lang_index(req->lang);
    camas_buf with_body = {0};
    /* ...and so is one that compares its subject with another body ("so it came after
     * WashACT?" after "when was the CSEC committee created?"): the previous body, named in
     * brackets at the end, is the subject (yesno_compare.c reads it so) */
    const char *mine[2];
    size_t nmine = prev ? camas_matcher_bodies(w->matcher, req->text, req->lang, mine, 2) : 0;
    char *qnorm = nmine == 1 ? camas_text_normalize_dup(req->text) : NULL;
    bool compares = qnorm && camas_yesno_compares(qnorm);
    free(qnorm);
    if (prev && (nmine == 0 || compares) &&
        camas_matcher_bodies(w->matcher, prev, req->lang, ids, 2) == 1 &&
        (nmine == 0 || strcmp(ids[0], mine[0]) != 0))
        for (size_t i = 0; i < w->n_bodies; i++)
            if (strcmp(w->bodies[i].id, ids[0]) == 0 && w->bodies[i].short_[fr])
                camas_buf_printf(&with_body, "%s (%s)", req->text, w->bodies[i].short_[fr]);
    int v = yes_no_verdict(w, req->text, req->lang);
    int named = v && with_body.len ? yes_no_verdict(w, camas_buf_cstr(&with_body), req->lang) : 0;
    if (v && with_body.len && named == -v)
        v = -v; /* overturned only by a verdict of its own (the name is no pronoun's) */
    else if (v && with_body.len && !named && whole && yes_no_verdict(w, whole, req->lang) == -v)
        v = -v; /* ...or by the previous question's ask ("was it the Attorney General's
                 * Office?" after "who convened WashACT?": its card is the CSEC committee's) */
    else if (!v && with_body.len)
        v = yes_no_verdict(w, camas_buf_cstr(&with_body), req->lang);
    camas_buf_free(&with_body);
    for (size_t k = 1; v == 0 && k < 3 && u->options[k].entry_id &&
                       u->options[0].score - u->options[k].score <= YESNO_RUNNER_GAP;
         k++) {
        const char *other = camas_understand_body(w->understand, u->options[k].entry_id);
        if (!body || !other || strcmp(body, other) != 0)
            continue; /* about another body: it cannot settle this one */
        camas_buf plain = w->reply_plain, html = w->reply_html;
        const char *name = *plugin_name;
        w->reply_plain = (camas_buf){0};
        w->reply_html = (camas_buf){0};
        if (camas_worker_render_entry(w, id, u->options[k].owner, u->options[k].entry_id, req,
                                      plugin_name) &&
            (v = yes_no_verdict(w, req->text, req->lang)) != 0) {
            camas_buf_free(&plain);
            camas_buf_free(&html);
            entry = u->options[k].entry_id;
            break;
        }
        camas_worker_take_reply(w, &plain, &html);
        *plugin_name = name;
    }
    /* the point of comparison may carry what settles it ("is the CSEC committee
     * invitation-only like WashACT's member meetings?") */
    if (v == 0 && whole)
        v = yes_no_verdict(w, whole, req->lang);
    /* ...as may a previous yes/no question the answer bears out ("are they open to the
     * public?" after "does WashACT hold information sessions?": the sessions) */
    if (v == 0 && !whole && prev && yes_no_verdict(w, prev, req->lang) == 1) {
        camas_buf both = {0};
        camas_buf_printf(&both, "%s %s", req->text, prev);
        v = yes_no_verdict(w, camas_buf_cstr(&both), req->lang);
        camas_buf_free(&both);
    }
    if (v == 0 && fact_of_another_body(w, req->text, req->lang, body))
        v = -1;
    v = each_body_too(w, id, req, body, v, plugin_name, &entry);
    w->yesno_req = NULL;
    if (v)
        prefix_verdict(w, v, req->lang);
    *verdict = v;
    return entry;
}

bool camas_worker_render_entries(struct worker *w, int64_t id, const camas_request *req,
                                 const camas_match *each, size_t found, const char **plugin_name,
                                 const char **entry_id)
{
    camas_buf plain = {0}, html = {0};
    size_t rendered = 0;
    for (size_t i = 0; i < found; i++) {
        camas_buf_reset(&w->reply_plain);
        camas_buf_reset(&w->reply_html);
        if (!camas_worker_render_entry(w, id, each[i].owner, each[i].entry_id, req, plugin_name))
            continue;
        camas_buf_printf(&plain, "%s%s", rendered ? "\n\n" : "", camas_buf_cstr(&w->reply_plain));
        camas_buf_puts(&html, camas_buf_cstr(&w->reply_html));
        if (!rendered++)
            *entry_id = each[i].entry_id;
    }
    camas_worker_take_reply(w, &plain, &html);
    return rendered > 0;
}

/* Are the found entries (each[i] body ids[i]'s own) all on one topic, other than an overview
 * and other than every's ("all-legal-basis" is already each body's legal basis)? */
static bool each_on_one_topic(const char *const *ids, const camas_match *each, size_t found,
                              const char *every)
{
    const char *topic = camas_understand_entry_topic(each[0].entry_id, ids[0]);
    if (!*topic || strcmp(topic, "-overview") == 0 ||
        strcmp(topic, camas_understand_entry_topic(every, "all")) == 0)
        return false;
    for (size_t i = 1; i < found; i++)
        if (strcmp(camas_understand_entry_topic(each[i].entry_id, ids[i]), topic) != 0)
            return false;
    return true;
}

/* A question about two or three bodies at once ("who do I e-mail about the CSEC committee
 * vs WashACT?", "when were WashACT and the CSEC committee each set up?"): each body's own
 * answer, one after the other, when the question is understood for each of them. Not for
 * yes/no questions (they compare) nor when an entry about all the bodies answers it. */
bool camas_worker_answer_each_body(struct worker *w, int64_t id, const camas_request *req,
                                   const char *match_lang, const camas_understanding *u,
                                   const char **plugin_name, const char **entry_id)
{
    const char *ids[4];
    size_t n = camas_matcher_bodies(w->matcher, req->text, match_lang, ids, 4), named = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], "all") != 0)
            ids[named++] = ids[i];
    /* ...but a yes/no question that two values settle ("do WashACT and the CSEC committee use
     * the same e-mail?") gets both bodies' answers after its verdict */
    static const char *const same[] = {"same", "meme", "memes", NULL};
    int same_verdict = 0;
    if (named >= 2 && camas_yesno_question(req->text, match_lang)) {
        char *norm = camas_text_normalize_dup(req->text);
        const camas_request *was = w->yesno_req;
        w->yesno_req = req; /* what each body's answer gives is asked within its room policy */
        if (norm && camas_yesno_any_phrase(norm, same) && !camas_yesno_compares(norm))
            same_verdict = verdict_on(w, req->text, "", req->lang, NULL);
        w->yesno_req = was;
        free(norm);
        if (!same_verdict)
            return false;
    }
    if (named < 2)
        return false;
    const char *best = u->decision == CAMAS_DECIDE_ANSWER
                           ? camas_understand_body(w->understand, u->options[0].entry_id)
                           : NULL;
    bool every = best && strcmp(best, "all") == 0;
    camas_match each[3];
    size_t found = 0;
    for (size_t i = 0; i < named && found < 3; i++)
        found += own_entry(w, req, ids[i], match_lang, &each[found]) == 1;
    /* the entry about every body answers, unless each body's own is on one topic of its own
     * that the entry about every body is not ("task force vs CSEC committee - which bill set
     * up each one?": each one's legal basis, not how the three differ) */
    if (every && !(found >= 2 && each_on_one_topic(ids, each, found, u->options[0].entry_id)))
        return false;
    if (found < 2 || !camas_worker_render_entries(w, id, req, each, found, plugin_name, entry_id))
        return false;
    if (same_verdict)
        prefix_verdict(w, same_verdict, req->lang);
    return true;
}

bool camas_worker_answer_ages(struct worker *w, int64_t id, const camas_request *req,
                              const char *match_lang, const char **plugin_name,
                              const char **entry_id)
{
    /* "older" may be the people helped ("which group helps older victims?"): a comparative
     * compares only the bodies it names */
    static const char *const ages[] = {"older", "newer", "more recent", NULL};
    static const char *const most[] = {
        "oldest",           "newest",     "most recent",  "earliest",        "created first",
        "set up first",     "came first", "plus recent",  "plus recente",    "plus ancien",
        "plus ancienne",    "plus vieux", "plus vieille", "le premier cree", "cree en premier",
        "creee en premier", NULL};
    if (camas_yesno_question(req->text, match_lang))
        return false; /* "was the CSEC committee created before WashACT?" compares years */
    char full[1024];  /* "le + ancien" */
    char *norm = camas_text_normalize_dup(
        camas_chat_unabbreviate(req->text, match_lang, full, sizeof full) ? full : req->text);
    bool superlative = norm && camas_yesno_any_phrase(norm, most);
    bool asks = superlative || (norm && camas_yesno_any_phrase(norm, ages));
    /* which body, not which meeting ("quelle est la réunion la plus récente ?") */
    bool which_one = superlative && camas_understand_asks_which_body(req->text);
    free(norm);
    if (!asks)
        return false;
    const char *ids[4];
    size_t n = camas_matcher_bodies(w->matcher, req->text, match_lang, ids, 4), named = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], "all") != 0)
            ids[named++] = ids[i];
    if (named == 0 && which_one)
        for (size_t k = 0; k < w->n_bodies && named < 4; k++)
            ids[named++] = w->bodies[k].id;
    if (named < 2)
        return false;
    int fr = camas_worker_lang_index(req->lang);
    camas_match each[4];
    size_t found = 0;
    struct camas_worker_filter fc = {w, req->room_kind};
    for (size_t i = 0; i < named; i++) {
        char asked[512];
        camas_understanding one;
        /* asked alone: it names the body ("When was … created?"), and the body's name as its
         * context would pull it to the body's overview */
        if (!about_question(camas_worker_body_by_id(w, ids[i]), fr, CAMAS_YESNO_FOUNDED, asked,
                            sizeof asked))
            continue;
        camas_understand_query(w->understand, w->matcher, asked, match_lang,
                               camas_worker_room_policy, &fc, &one);
        const char *theirs = one.decision == CAMAS_DECIDE_ANSWER
                                 ? camas_understand_body(w->understand, one.options[0].entry_id)
                                 : NULL;
        if (theirs && strcmp(theirs, ids[i]) == 0)
            each[found++] = one.options[0];
    }
    return found >= 2 &&
           camas_worker_render_entries(w, id, req, each, found, plugin_name, entry_id);
}

/* A question that asks two things of one body ("is there a statewide committee on exploited
 * kids, and who would I contact there?", "how many legislators are on the task force and how
 * are they picked?") is about as near two of its entries, which would make camas ask which
 * was meant: both are answered instead, the nearer first, when the second ask is joined by
 * "and"/"et" and opens with a question word. */
bool camas_worker_answer_two_asks(struct worker *w, int64_t id, const camas_request *req,
                                  const char *match_lang, const camas_understanding *u,
                                  const char **plugin_name, const char **entry_id)
{
    static const char *const joined[] = {
        "and who",    "and what", "and how", "and when",   "and where", "and which",
        "and is",     "et qui",   "et quel", "et quelle",  "et quels",  "et quelles",
        "et comment", "et quand", "et ou",   "et combien", "et a qui",  NULL};
    if (u->decision != CAMAS_DECIDE_CLARIFY || u->noptions < 2 ||
        camas_yesno_question(req->text, match_lang))
        return false;
    const char *a = camas_understand_body(w->understand, u->options[0].entry_id);
    const char *b = camas_understand_body(w->understand, u->options[1].entry_id);
    if (!a || !b || strcmp(a, b) != 0 || strcmp(a, "all") == 0)
        return false;
    char *norm = camas_text_normalize_dup(req->text);
    bool two = norm && camas_yesno_any_phrase(norm, joined);
    free(norm);
    return two && camas_worker_render_entries(w, id, req, u->options, 2, plugin_name, entry_id);
}

/* "Did you mean: 1. … 2. …" with the entries' labels, as the reply. */
void camas_worker_reply_clarify(struct worker *w, const camas_understanding *u, const char *lang)
{
    camas_buf plain = {0}, html = {0};
    const char *intro = camas_messages_get(w->messages, CAMAS_MSG_CLARIFY_INTRO, lang);
    const char *tail = camas_messages_get(w->messages, CAMAS_MSG_CLARIFY_TAIL, lang);
    char *intro_h = camas_html_escape(intro), *tail_h = camas_html_escape(tail);
    camas_buf_puts(&plain, intro);
    camas_buf_printf(&html, "<p>%s</p><ol>", intro_h ? intro_h : "");
    for (size_t i = 0; i < u->noptions; i++) {
        const char *label = camas_understand_label(w->understand, u->options[i].entry_id, lang);
        char *esc = camas_html_escape(label ? label : u->options[i].entry_id);
        camas_buf_printf(&plain, "\n%zu. %s", i + 1, label ? label : u->options[i].entry_id);
        camas_buf_printf(&html, "<li>%s</li>", esc ? esc : "");
        free(esc);
    }
    camas_buf_printf(&plain, "\n%s", tail);
    camas_buf_printf(&html, "</ol><p>%s</p>", tail_h ? tail_h : "");
    free(intro_h);
    free(tail_h);
    camas_plugin fake = {.w = w};
    w->replying = true;
    camas_worker_reply(&fake, camas_buf_cstr(&plain), camas_buf_cstr(&html));
    w->replying = false;
    camas_buf_free(&plain);
    camas_buf_free(&html);
}
