/* Hybrid question understanding in the worker (see understand.h). The thresholds below were
 * chosen on tests/fixtures/questions.yaml and on leave-one-out over knowledge/'s example
 * questions (tests/unit/eval_match --model), never on the frozen evaluation set. */
#include "understand_internal.h"

#include "chat.h"

#include "log.h"
#include "safety.h"
#include "util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lexical confidence at which the lexical matcher answers alone. */
#define LEX_SURE 0.80
/* Dense: cosine of the best entry needed to answer it (and the lead DENSE_MARGIN). */
#define DENSE_ANSWER 0.880f
/* So close to the question that the best entry is answered even without a lead. */
#define DENSE_SURE 0.950f
/* The cosine from which a question asking which body, about an office only one body's answers
 * name, gets that body's nearest entry: each of them names the body asked for ("which group
 * did federal prosecutors start instead of lawmakers?", 0.849). 0.86 before session 21; 0.84
 * and 0.82 gave the development sets the same one more right answer. */
#ifndef BY_NAME_MIN
#define BY_NAME_MIN 0.84f
#endif
/* The lead over the next entry from which the model's best entry overrules the lexical
 * matcher's sure answer. */
#ifndef DENSE_OVERRULE
#define DENSE_OVERRULE 0.08f
#endif
/* Below DENSE_ANSWER (or without the lead) but at least this: offer the close entries. */
#define DENSE_CLARIFY 0.880f
/* Entries within this of the best are offered together. */
#define CLARIFY_GAP 0.020f
/* The cosine from which an entry whose answer alone states the question's fact answers. */
#define FACT_ANSWER_MIN 0.82f
/* A body named and an entry this near: in scope whatever the scope classifier says, which
 * read misspelt or slangy questions ("le grp de travail il fait koi", "réotorisé kan") as
 * out of scope (dev questions: 3 declined -> answered; no out-of-scope question answered),
 * and a body named by its whole French name ("…enfants exploités sexuellement à des fins
 * commerciales", 0.91: was 0.92). */
#define NAMED_BODY_IN_SCOPE 0.905f
/* Both rankings agreeing on a body's entry answer from these (see both_first). */
#ifndef AGREE_DENSE_MIN
#define AGREE_DENSE_MIN 0.86f
#endif
#ifndef AGREE_LEX_MIN
#define AGREE_LEX_MIN 0.10
#endif
#ifndef AGREE_LEAD
#define AGREE_LEAD 0.02f
#endif

int camas_match_mode_parse(const char *s)
{
    if (!s || strcmp(s, "hybrid") == 0)
        return CAMAS_MODE_HYBRID;
    if (strcmp(s, "lexical") == 0)
        return CAMAS_MODE_LEXICAL;
    if (strcmp(s, "dense") == 0)
        return CAMAS_MODE_DENSE;
    return -1;
}

static int lang_i(const char *lang)
{
    return lang && strcmp(lang, "fr") == 0;
}

/* Does the question name a place other than Washington State, without naming WashACT or
 * CSEC ("what does California's anti-trafficking task force do?")? */
static bool about_elsewhere(const camas_understand *u, const camas_matcher *m, const char *question,
                            const char *lang)
{
    if (!u->nplaces)
        return false;
    const char *bodies[4];
    size_t nb = camas_matcher_bodies(m, question, lang, bodies, 4);
    for (size_t i = 0; i < nb; i++)
        if (strcmp(bodies[i], "washact") == 0 || strcmp(bodies[i], "csec") == 0)
            return false;
    char *norm = camas_text_normalize_dup(question);
    bool found = false;
    for (size_t i = 0; norm && !found && i < u->nplaces; i++) {
        size_t pl = strlen(u->places[i]);
        for (const char *p = strstr(norm, u->places[i]); p && !found;
             p = strstr(p + 1, u->places[i]))
            found = (p == norm || !isalnum((unsigned char)p[-1])) && !isalnum((unsigned char)p[pl]);
    }
    free(norm);
    return found;
}

camas_understand *camas_understand_new(camas_match_mode mode, const char *model_path, int cache_fd,
                                       const char *knowledge_dir)
{
    camas_understand *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->mode = mode;
    u->cache_fd = cache_fd;
    const char *trace = getenv("CAMAS_UNDERSTAND_TRACE");
    if (trace && *trace)
        u->trace = fopen(trace, "a");
    u->wants_model = mode != CAMAS_MODE_LEXICAL && model_path && *model_path;
    u->model_path = u->wants_model ? strdup(model_path) : NULL;
    u->knowledge_dir = knowledge_dir ? strdup(knowledge_dir) : NULL;
    if (!(u->dense = camas_dense_new()) || (u->wants_model && !u->model_path) ||
        (knowledge_dir && !u->knowledge_dir)) {
        camas_understand_free(u);
        return NULL;
    }
    return u;
}

void camas_understand_free(camas_understand *u)
{
    if (!u)
        return;
    for (size_t i = 0; i < u->nlabels; i++) {
        free(u->labels[i].entry_id);
        free(u->labels[i].text[0]);
        free(u->labels[i].text[1]);
    }
    for (size_t i = 0; i < u->nplaces; i++)
        free(u->places[i]);
    free(u->places);
    camas_understand_examples_free(&u->danger);
    camas_understand_entries_clear(&u->entries);
    free(u->danger_x);
    free(u->danger_y);
    camas_understand_examples_free(&u->scope);
    free(u->labels);
    camas_dense_free(u->dense);
    camas_embed_close(u->model);
    free(u->model_path);
    free(u->knowledge_dir);
    if (u->trace)
        fclose(u->trace);
    free(u);
}

bool camas_understand_has_model(const camas_understand *u)
{
    return u && (u->model || (u->wants_model && !u->opened));
}

bool camas_understand_ready(const camas_understand *u)
{
    return u && u->model && camas_dense_pending(u->dense) == 0 && u->danger.tried &&
           !u->danger.trainer && u->scope.tried && !u->scope.trainer && u->entries.tried;
}

struct label *camas_understand_label_for(camas_understand *u, uint32_t owner, const char *id,
                                         bool create)
{
    for (size_t i = 0; i < u->nlabels; i++)
        if (u->labels[i].owner == owner && strcmp(u->labels[i].entry_id, id) == 0)
            return &u->labels[i];
    if (!create)
        return NULL;
    struct label *nl = realloc(u->labels, (u->nlabels + 1) * sizeof *nl);
    if (!nl)
        return NULL;
    u->labels = nl;
    struct label *l = &u->labels[u->nlabels];
    *l = (struct label){.entry_id = strdup(id), .owner = owner};
    if (!l->entry_id)
        return NULL;
    u->nlabels++;
    return l;
}

static bool accent_free(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

/* The text with its Latin accents removed and its case and punctuation kept ("Où se
 * réunit-il ?" -> "Ou se reunit-il ?"): the letter of each decomposable character whose
 * normalisation is a single ASCII letter. */
static char *fold_accents(const char *s)
{
    size_t n = strlen(s);
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
        if (i + len > n)
            len = n - i;
        char buf[16];
        long m = len > 1 ? camas_text_normalize(s + i, len, buf, sizeof buf) : -1;
        if (m == 1 && isalpha((unsigned char)buf[0])) {
            bool upper = len == 2 && c == 0xc3 && (unsigned char)s[i + 1] < 0x9f;
            out[k++] = upper ? (char)toupper((unsigned char)buf[0]) : buf[0];
        } else {
            memcpy(out + k, s + i, len);
            k += len;
        }
        i += len;
    }
    out[k] = '\0';
    return out;
}

int camas_understand_add_entry(camas_understand *u, uint32_t owner, const char *entry_id,
                               const char *body_id, const char *lang, const char *const *texts,
                               size_t n)
{
    if (!u || !entry_id || !texts)
        return -1;
    struct label *l = camas_understand_label_for(u, owner, entry_id, true);
    if (!l)
        return -1;
    int li = lang_i(lang);
    if (!l->text[li] && n > 0 && !(l->text[li] = strdup(texts[0])))
        return -1;
    if (!u->wants_model)
        return 0;
    u->scope.tried = false; /* retrained (if the example questions changed) once embedded */
    u->entries.tried = false;
    for (size_t i = 0; i < n; i++) {
        if (camas_dense_add(u->dense, owner, entry_id, body_id, CAMAS_DENSE_ASK, texts[i]))
            return -1;
        /* French is often typed without accents: the model reads "réunion" and "reunion"
         * differently, so the examples are also indexed without theirs */
        if (li == 1 && !accent_free(texts[i])) {
            char *folded = fold_accents(texts[i]);
            int rc = folded ? camas_dense_add(u->dense, owner, entry_id, body_id, CAMAS_DENSE_ASK,
                                              folded)
                            : -1;
            free(folded);
            if (rc)
                return -1;
        }
    }
    return 0;
}

int camas_understand_add_answer(camas_understand *u, uint32_t owner, const char *entry_id,
                                const char *lang, const char *text)
{
    (void)lang;
    if (!u || !u->wants_model)
        return 0;
    struct label *l = camas_understand_label_for(u, owner, entry_id, true);
    if (l && l->nfacts < MAX_FACTS)
        l->nfacts +=
            camas_understand_text_facts(text, false, l->facts + l->nfacts, MAX_FACTS - l->nfacts);
    if (l && u->names && l->nnames < MAX_FACTS) {
        char phrase[MAX_FACTS][CAMAS_NAME_PHRASE_MAX];
        l->nnames +=
            u->names(u->names_ud, text, phrase, l->name_ids + l->nnames, MAX_FACTS - l->nnames);
    }
    /* the answer belongs to an entry already added; take its body from there */
    const char *body = camas_dense_entry_body(u->dense, entry_id);
    return camas_dense_add(u->dense, owner, entry_id, body, CAMAS_DENSE_ANSWER, text);
}

void camas_understand_remove_owner(camas_understand *u, uint32_t owner)
{
    if (!u)
        return;
    camas_dense_remove_owner(u->dense, owner);
    u->scope.tried = false;
    u->entries.tried = false;
    size_t keep = 0;
    for (size_t i = 0; i < u->nlabels; i++) {
        if (u->labels[i].owner == owner) {
            free(u->labels[i].entry_id);
            free(u->labels[i].text[0]);
            free(u->labels[i].text[1]);
            continue;
        }
        u->labels[keep++] = u->labels[i];
    }
    u->nlabels = keep;
}

/* (Re)trains ex's model on its examples, plus the plugins' example questions as positives
 * when with_asks (the scope classifier), unless the training set is the one already used. */
bool camas_understand_work(camas_understand *u, int64_t budget_ms)
{
    if (u && u->wants_model && !u->opened) {
        camas_understand_open_model(u);
        return u->model != NULL;
    }
    if (!u || !u->model)
        return false;
    if (camas_dense_pending(u->dense)) {
        long left = camas_dense_embed_pending(u->dense, u->model, budget_ms);
        if (left < 0) {
            log_error("understand", "embedding failed: lexical matching only from now on");
            camas_embed_close(u->model);
            u->model = NULL;
            u->wants_model = false;
            return false;
        }
        if (left > 0)
            return true;
    }
    /* each classifier in slices: a question sent meanwhile waits at most one slice (trained
     * whole, the danger detector kept a new worker deaf for 1.7-2.7 s on a loaded machine,
     * past the core's plugin deadline) */
    int64_t budget = budget_ms > 0 ? budget_ms : 1;
    if (!u->danger.tried)
        camas_understand_gather_danger(u);
    if (camas_understand_train_step(u, &u->danger, budget))
        return true;
    if (!u->scope.tried)
        camas_understand_train(u, &u->scope, CAMAS_ASKS_POSITIVE, 1.0f, "scope");
    if (camas_understand_train_step(u, &u->scope, budget))
        return true;
    if (!u->entries.tried)
        camas_understand_entries_start(u);
    if (u->entries.training) {
        camas_understand_entries_train(u, budget);
        return u->entries.training;
    }
    return false;
}

bool camas_understand_plugin_entries_only(uint32_t owner, const char *entry_id, void *ud)
{
    struct filter_wrap *fw = ud;
    return owner < SCOPE_OWNER && (!fw->f || fw->f(owner, entry_id, fw->ud));
}

bool camas_understand_only_bodies(uint32_t owner, const char *entry_id, void *ud)
{
    const struct body_filter *bf = ud;
    const char *body = bf->u ? camas_dense_entry_body(bf->u->dense, entry_id) : NULL;
    bool ok =
        !body && !bf->own; /* unknown to the dense index (no model): the lexical filter decides */
    for (size_t i = 0; !ok && i < bf->nb; i++)
        ok = strcmp(body, bf->bodies[i]) == 0;
    return ok && (!bf->f || bf->f(owner, entry_id, bf->ud));
}

static void danger_while_warming(camas_understand *u, const char *question,
                                 camas_understanding *out)
{
    float q[MAX_DIM];
    /* the first training of the detector under way: the patterns alone, as while the
     * knowledge is embedded (the nearest examples alone raise too many false alarms) */
    if (!u->model || !u->danger_n || !u->danger.model || camas_understand_noise(question) ||
        camas_embed_text(u->model, question, strlen(question), 1, q) != 0)
        return;
    camas_danger_view d =
        camas_understand_long_danger(u, question, camas_understand_danger_view(u, q));
    out->danger = d.combined;
    out->danger_kernel = d.kernel;
}

void camas_understand_query(camas_understand *u, const camas_matcher *m, const char *question,
                            const char *lang, camas_match_filter f, void *ud,
                            camas_understanding *out)
{
    camas_understand_query_bodies(u, m, question, NULL, lang, f, ud, out);
}

/* Typos the lexical matcher corrects are corrected for the model too ("how oftn does washact
 * meat"), whose subword pieces would otherwise read another question: q becomes the vector of
 * the corrected question when there is one. */
static const char *spell_for_model(camas_understand *u, const camas_matcher *m,
                                   const char *question, const char *lang, float *q, char *spelled,
                                   size_t cap)
{
    float qs[MAX_DIM];
    if (camas_matcher_spell(m, u->lexicon, question, lang, spelled, cap) > 0 &&
        camas_embed_text(u->model, spelled, strlen(spelled), 1, qs) == 0) {
        if (u->trace)
            fprintf(u->trace, "SPELLED\t%s\n", spelled);
        memcpy(q, qs, sizeof qs);
        return spelled;
    }
    return question;
}

/* "Bonjour, je suis infirmière à Seattle et j'aimerais en savoir plus sur la lutte contre la
 * traite. Est-ce qu'il y a des séances d'information ouvertes ?": who the asker is and why
 * dilute what is asked, and the scope classifier declined it. The scope of the last
 * sentence alone, when it asks (ends with "?") and something comes before it; else -1. */
#define ASKED_SENTENCE_MIN 12
static float asked_sentence_scope(const camas_understand *u, const char *question)
{
    size_t len = strlen(question), pos = 0, span[2] = {0, 0}, n = 0;
    while (len && (question[len - 1] == ' ' || question[len - 1] == '\n'))
        len--;
    if (!len || question[len - 1] != '?')
        return -1;
    for (size_t next[2]; camas_text_next_sentence(question, len, &pos, next);)
        if (next[1] > next[0])
            memcpy(span, next, sizeof span), n++;
    float q[MAX_DIM];
    if (n < 2 || span[1] - span[0] < ASKED_SENTENCE_MIN ||
        camas_embed_text(u->model, question + span[0], span[1] - span[0], 1, q) != 0)
        return -1;
    return camas_logreg_score(u->scope.model, q);
}

/* A body's description and what is asked about it, split at a comma or dash or told by a
 * fact only that body's answers state, or by a person or office only that body has ("the
 * committee convened by the Attorney General's Office"): hits and q become the asked part's. */
static bool read_in_parts(camas_understand *u, const char *question, struct filter_wrap *fw,
                          char (*qfacts)[CAMAS_TOKEN_MAX + 1], size_t nqf, camas_dense_hit *hits,
                          size_t *nh, float *q)
{
    return camas_understand_try_clauses(u, question, fw, hits, nh, MAX_HITS, q) ||
           camas_understand_try_description(u, question, NULL, fw, qfacts, nqf, hits, nh, MAX_HITS,
                                            q) ||
           camas_understand_try_named(u, question, NULL, fw, hits, nh, MAX_HITS, q);
}

/* A body named and described too, then asked about ("who chairs the task force under RCW
 * 7.68.350?", "qui siège au groupe de travail présidé par Torrance ?"): the description's
 * fact or name pulls the question to the entry that states it; the question less the
 * description, among that body's entries, is what is asked. */
static bool read_named_in_parts(camas_understand *u, const char *question, const char *body,
                                struct filter_wrap *fw, char (*qfacts)[CAMAS_TOKEN_MAX + 1],
                                size_t nqf, camas_dense_hit *hits, size_t *nh, float *q)
{
    return camas_understand_try_description(u, question, body, fw, qfacts, nqf, hits, nh, MAX_HITS,
                                            q) ||
           camas_understand_try_named(u, question, body, fw, hits, nh, MAX_HITS, q);
}

/* The decision once the ranked options are in out: answer the best when sure, offer the
 * close ones, or else the lexical matcher's answer (lex_best, when it is good enough). */
static void decide(camas_understanding *out, bool sure, float s1, const float *score, size_t nh,
                   const camas_match *lex_best, double lexconf)
{
    if (sure) {
        out->decision = CAMAS_DECIDE_ANSWER;
        out->noptions = 1;
    } else if (s1 >= DENSE_CLARIFY) {
        size_t k = 1;
        while (k < nh && k < 3 && score[0] - score[k] <= CLARIFY_GAP)
            k++;
        if (k >= 2) {
            out->decision = CAMAS_DECIDE_CLARIFY;
            out->noptions = k;
        } else if (s1 >= DENSE_ANSWER) {
            out->decision = CAMAS_DECIDE_ANSWER;
            out->noptions = 1;
        } else {
            out->decision = CAMAS_DECIDE_DECLINE;
        }
    } else if (lex_best) {
        out->decision = CAMAS_DECIDE_ANSWER;
        out->options[0] = *lex_best;
        out->noptions = 1;
        out->confidence = lexconf;
    } else {
        out->decision = CAMAS_DECIDE_DECLINE;
    }
}

/* The question with a body's long name in its short one ("qui fait partie du Groupe de travail
 * de l'État de Washington contre la traite des personnes ?" -> "... du Groupe de travail ?"):
 * out, or NULL when it names no body at length. The whole name draws both rankings to the
 * entry whose questions and answer restate it (the overview), whatever is asked of it. */
static const char *with_short_name(const camas_understand *u, const camas_matcher *m,
                                   const char *question, const char *lang, char *out, size_t cap)
{
    size_t from, to;
    const char *body = camas_matcher_long_alias(m, question, &from, &to);
    const char *name = body && u && u->body_name ? u->body_name(u->names_ud, body, lang) : NULL;
    if (!name)
        return NULL;
    /* the question's own article stays ("du", "the members of the") */
    static const char *const articles[] = {"the ", "The ", "le ", "Le ", "la ", "La ", "l'", "L'"};
    for (size_t i = 0; i < sizeof articles / sizeof *articles; i++)
        if (strncmp(name, articles[i], strlen(articles[i])) == 0) {
            name += strlen(articles[i]);
            break;
        }
    int n = snprintf(out, cap, "%.*s%s%s", (int)from, question, name, question + to);
    return n > 0 && (size_t)n < cap ? out : NULL;
}

void camas_understand_query_bodies(camas_understand *u, const camas_matcher *m, const char *written,
                                   const char *body_text, const char *lang, camas_match_filter f,
                                   void *ud, camas_understanding *out)
{
    /* read with its chat shorthand written out ("c koi", "cmb", "kel"): the danger view alone
     * keeps the words as written, as its examples were */
    char chat[1024], lawful[1024];
    const char *question =
        camas_chat_unabbreviate(written, lang, chat, sizeof chat) ? chat : written;
    if (camas_chat_without_law_number(question, lawful, sizeof lawful))
        question = lawful;
    char shortened[1024];
    const char *short_named = with_short_name(u, m, question, lang, shortened, sizeof shortened);
    if (short_named)
        question = short_named;
    memset(out, 0, sizeof *out);
    out->danger = out->danger_kernel = -1;
    /* the first body named by body_text (a follow-up's, or its context's most recent one)
     * restricts both rankings to its own entries */
    const char *bodies[4];
    size_t nb = body_text ? camas_matcher_bodies(m, body_text, lang, bodies, 1) : 0;
    struct body_filter bf = {f, ud, u, bodies, nb, false};
    if (nb) {
        f = camas_understand_only_bodies;
        ud = &bf;
    }
    camas_match lex[3];
    size_t nlex = camas_matcher_query(m, question, lang, f, ud, lex, 3);
    double lexconf = nlex ? lex[0].confidence : 0;
    bool lex_ok = nlex && lexconf >= CAMAS_MATCH_MIN_CONFIDENCE;
    if (!u || !u->model || u->mode == CAMAS_MODE_LEXICAL) {
        out->decision = lex_ok ? CAMAS_DECIDE_ANSWER : CAMAS_DECIDE_DECLINE;
        out->confidence = lexconf;
        if (nlex) {
            out->options[0] = lex[0];
            out->noptions = 1;
        }
        return;
    }
    if (!camas_understand_ready(u)) { /* warming up: never make a question wait for it */
        camas_understand_query_bodies(NULL, m, question, body_text, lang, f, ud, out);
        /* ...but while a reload re-embeds the knowledge, the danger detector of the last
         * load still reads every message: a cry for help no pattern catches must not go
         * unanswered for the seconds a reload takes (found by the soak run) */
        danger_while_warming(u, written, out);
        return;
    }
    float q[MAX_DIM];
    if (camas_embed_text(u->model, written, strlen(written), 1, q) != 0) {
        out->decision = lex_ok ? CAMAS_DECIDE_ANSWER : CAMAS_DECIDE_DECLINE;
        if (nlex)
            out->options[0] = lex[0], out->noptions = 1;
        return;
    }
    out->used_model = true;
    if (u->danger_n) {
        camas_danger_view d = {0, 0};
        if (!camas_understand_noise(written))
            d = camas_understand_long_danger(u, written, camas_understand_danger_view(u, q));
        out->danger = d.combined;
        out->danger_kernel = d.kernel;
    }
    /* The danger score above keeps the words as written: the knowledge's vocabulary is not
     * theirs. */
    if (question != written && camas_embed_text(u->model, question, strlen(question), 1, q) != 0)
        return; /* out of memory: declined */
    /* a description read with its typos mended ("le comitee cree en 2013") */
    char spelled_buf[1024];
    const char *spelled = spell_for_model(u, m, question, lang, q, spelled_buf, sizeof spelled_buf);
    out->scope = u->scope.model ? camas_logreg_score(u->scope.model, q) : 1.0f;
    if (out->scope < CAMAS_SCOPE_MIN) {
        float asked = asked_sentence_scope(u, question);
        if (asked > out->scope)
            out->scope = asked;
    }
    if (nb == 0)
        nb = camas_matcher_bodies(m, question, lang, bodies, 4);
    /* "which body is convened by the Attorney General's Office?": the office names it */
    bool asks_which = camas_understand_asks_which_body(question);
    const char *by_name =
        nb == 0 && asks_which ? camas_understand_body_of_names(u, question) : NULL;
    if (by_name)
        bodies[nb++] = by_name;
    /* a body told by a fact or a person of its own in a question that names none and does
     * not ask which: "how often does the federal prosecutors' group meet?", "l'instance
     * réautorisée en 2015, elle se réunit combien de fois par an ?" */
    const char *told = NULL;
    /* (in a yes/no question the fact or office is as often the claim: "was the committee
     * whose contact is Kyle Bois created in 2006?", "is the committee on exploited kids
     * convened by the Seattle police?") */
    if (nb == 0 && !asks_which && !(u->yes_no && u->yes_no(question, lang))) {
        told = camas_understand_body_of_facts(u, question);
        if (!told)
            told = camas_understand_body_of_names(u, question);
        if (told && strcmp(told, "all") == 0)
            told = NULL;
        if (told && u->trace)
            fprintf(u->trace, "TOLD\t%s\n", told);
    }
    struct filter_wrap fw = {f, ud, m, lang};
    camas_dense_hit hits[MAX_HITS];
    /* ...and among its own entries: the one about every body only lists what was asked */
    struct body_filter own = {camas_understand_plugin_entries_only, &fw, u, &by_name, 1, true};
    size_t nh = by_name
                    ? camas_dense_query(u->dense, q, bodies, nb, camas_understand_only_bodies, &own,
                                        hits, MAX_HITS)
                    : camas_dense_query(u->dense, q, bodies, nb,
                                        camas_understand_plugin_entries_only, &fw, hits, MAX_HITS);
    /* ...whose entries are what is asked ("the federal prosecutors' group" reads as the task
     * force's "group") */
    if (told && nh)
        nh = camas_understand_among_told(u, &fw, told, q, hits, nh);
    /* a number or e-mail address of the question that an entry's answer states ("which one
     * was created in 2013?") */
    char qfacts[8][CAMAS_TOKEN_MAX + 1];
    size_t nqf = camas_understand_text_facts(question, true, qfacts, 8);
    /* read as a body's description and what is asked about it: from then on only the asked
     * part counts (its vector, not the whole question's words or facts) */
    bool described = (nb == 0 && read_in_parts(u, spelled, &fw, qfacts, nqf, hits, &nh, q)) ||
                     (nb == 1 && camas_understand_asks_of_described(m, question, lang) &&
                      camas_understand_try_clauses(u, question, &fw, hits, &nh, MAX_HITS, q)) ||
                     (nb == 1 && !by_name &&
                      read_named_in_parts(u, spelled, bodies[0], &fw, qfacts, nqf, hits, &nh, q));
    if (described)
        nqf = 0;
    if (nh == 0) {
        out->decision = lex_ok ? CAMAS_DECIDE_ANSWER : CAMAS_DECIDE_DECLINE;
        if (nlex)
            out->options[0] = lex[0], out->noptions = 1;
        return;
    }
    float score[MAX_HITS];
    bool states[MAX_HITS]; /* the entry's answer states a fact of the question */
    camas_understand_score_hits(u, hits, nh, qfacts, nqf, lex, nlex, described, score, states);
    camas_understand_add_entry_model(u, q, hits, nh, score);
    camas_understand_sort_hits(hits, nh, score, states);
    bool overview =
        nb == 0 && !described && (asks_which || camas_understand_asks_every_body(question)) &&
        camas_understand_overview_for_which(u, question, hits, nh, score, states, DENSE_ANSWER);
    if (!overview && !described)
        camas_understand_break_tie(hits, nh, score, states, nlex ? &lex[0] : NULL, lexconf,
                                   asks_which && nb == 0);
    float s1 = hits[0].score, lead = nh > 1 ? score[0] - score[1] : 1.0f;
    if (overview)
        lead = 1.0f; /* chosen for what the question asks, not by its margin */
    if (u->trace)
        fprintf(u->trace, "TRACE\t%s\t%.4f\t%.4f\t%.4f\t%.4f\t%s\t%s\t%s\t%s\t%.4f\t%zu\n",
                question, (double)s1, (double)lead, (double)(nh > 2 ? score[0] - score[2] : 1.0f),
                lexconf, hits[0].entry_id, nh > 1 ? hits[1].entry_id : "-",
                nh > 2 ? hits[2].entry_id : "-", nlex ? lex[0].entry_id : "-", (double)out->scope,
                nb);
    /* the lexical matcher ranks every body's entries: one body named ("le comité CSEC
     * s'occupe-t-il des jeunes ?") is not answered by another's, nor by all three's */
    const char *lex_body = nlex ? camas_dense_entry_body(u->dense, lex[0].entry_id) : NULL;
    /* ...nor one told by a fact or office of its own ("group created by senate bill 5308 who
     * convenes it" is not the task force's bill), not even when nothing else is sure */
    bool lex_not_told =
        told && lex_body && strcmp(lex_body, told) != 0 && strcmp(lex_body, "all") != 0;
    bool lex_elsewhere = (nb == 1 && lex_body && strcmp(lex_body, bodies[0]) != 0) || lex_not_told;
    /* ...nor when the model is clearly sure of another entry ("quel est le texte de loi du
     * comité CSEC ?": the words "comité", "membres" pulled the lexical matcher to the
     * members) */
    bool dense_overrules = nlex && s1 >= DENSE_ANSWER && lead >= DENSE_OVERRULE &&
                           strcmp(hits[0].entry_id, lex[0].entry_id) != 0;
    /* a typo the lexical matcher mends at a discount ("anti trafficing bodies"): as sure as
     * the question spelt right when that one is and the model puts the same entry first */
    double sure_conf = lexconf;
    camas_match mended[1];
    if (nlex && lexconf < LEX_SURE && spelled != question &&
        strcmp(hits[0].entry_id, lex[0].entry_id) == 0 &&
        camas_matcher_query(m, spelled, lang, f, ud, mended, 1) == 1 &&
        strcmp(mended[0].entry_id, lex[0].entry_id) == 0 && mended[0].confidence > lexconf)
        sure_conf = mended[0].confidence;
    if (u->mode == CAMAS_MODE_HYBRID && nlex && sure_conf >= LEX_SURE && !described &&
        !lex_elsewhere && !dense_overrules && !about_elsewhere(u, m, question, lang)) {
        out->decision = CAMAS_DECIDE_ANSWER;
        out->confidence = sure_conf;
        out->options[0] = lex[0];
        out->noptions = 1;
        return;
    }
    /* a number or address only the knowledge states ("206-442-4488", "SB 5308") keeps a
     * question in scope however it is worded */
    bool known_fact = false;
    for (size_t i = 0; i < nh; i++)
        known_fact |= states[i];
    char found[1][CAMAS_NAME_PHRASE_MAX];
    /* ...its typos mended ("la police de Seatle") */
    bool named = s1 >= DENSE_ANSWER && u->names &&
                 (u->names(u->names_ud, question, found, NULL, 1) ||
                  (spelled != question && u->names(u->names_ud, spelled, found, NULL, 1)));
    /* ...as does asking which body does what when the entry about every body is near
     * ("which body meets two to three times per year?") */
    bool which_overview = overview && s1 >= DENSE_ANSWER;
    /* ...and asking which body does what, near one entry ("which body reviews the statutory
     * response to human trafficking and how effective the current state laws are?": the
     * laws read as a general legal question) */
    if ((out->scope < CAMAS_SCOPE_MIN && !known_fact && !named && !which_overview &&
         !((nb > 0 || asks_which || told) && s1 >= NAMED_BODY_IN_SCOPE)) ||
        about_elsewhere(u, m, question, lang)) {
        out->decision = CAMAS_DECIDE_DECLINE; /* not about the bodies: say so, guess nothing */
        out->confidence = s1;
        return;
    }
    for (size_t i = 0; i < nh && i < 3; i++)
        out->options[i] = (camas_match){.entry_id = hits[i].entry_id,
                                        .owner = hits[i].owner,
                                        .score = score[i],
                                        .confidence = hits[i].score};
    out->confidence = s1;
    bool lex_agrees = lex_ok && !described && strcmp(lex[0].entry_id, hits[0].entry_id) == 0;
    /* a number or address of the question that the best entry states pins it ("whose
     * number is 206-442-4488?") even when the wording is far from its examples: every entry
     * that states it answers with it */
    bool pinned = states[0] && s1 >= FACT_ANSWER_MIN;
    /* the asked part alone is further from every entry than a whole question */
    /* ...as is a question whose body is told by a fact or an office of its own: its other
     * words, the description, are far from every entry ("how often does the federal
     * prosecutors group in western WA meet?" 0.862) */
    float answer_min = described || told ? DESCRIBED_MIN : DENSE_ANSWER;
    /* both rankings put the same entry first, the lexical one without the confidence to
     * answer alone and the model a little short of it (a long question with who asks and
     * why: "my boss wants to know how the lawmaker seats on the task force are split…") */
    bool both_first = nlex && !described && nb > 0 && lexconf >= AGREE_LEX_MIN &&
                      s1 >= AGREE_DENSE_MIN && lead >= AGREE_LEAD &&
                      strcmp(lex[0].entry_id, hits[0].entry_id) == 0;
    bool sure = (s1 >= answer_min && (lead >= DENSE_MARGIN || s1 >= DENSE_SURE)) || lex_agrees ||
                pinned || (by_name && s1 >= BY_NAME_MIN) || both_first;
    /* "quel groupe inclut la police de Seattle ?": the body is what is asked, and entries of
     * one body too close to tell apart still tell it */
    if (!sure && s1 >= answer_min && nh > 1 && asks_which) {
        const char *b0 = camas_dense_entry_body(u->dense, hits[0].entry_id);
        const char *b1 = camas_dense_entry_body(u->dense, hits[1].entry_id);
        sure = b0 && b1 && strcmp(b0, "all") != 0 && strcmp(b0, b1) == 0;
    }
    decide(out, sure, s1, score, nh, lex_ok && !lex_not_told ? &lex[0] : NULL, lexconf);
}

const char *camas_understand_body(const camas_understand *u, const char *entry_id)
{
    return u && entry_id ? camas_dense_entry_body(u->dense, entry_id) : NULL;
}

uint32_t camas_understand_owner(const camas_understand *u, const char *entry_id)
{
    for (size_t i = 0; u && entry_id && i < u->nlabels; i++)
        if (strcmp(u->labels[i].entry_id, entry_id) == 0)
            return u->labels[i].owner;
    return 0;
}

const char *camas_understand_label(const camas_understand *u, const char *entry_id,
                                   const char *lang)
{
    for (size_t i = 0; u && i < u->nlabels; i++)
        if (strcmp(u->labels[i].entry_id, entry_id) == 0) {
            const char *t = u->labels[i].text[lang_i(lang)];
            return t ? t : u->labels[i].text[!lang_i(lang)];
        }
    return NULL;
}

void camas_understand_mask(camas_understand *u, const char *entry_id, const char *text, bool masked)
{
    if (!u)
        return;
    size_t n = camas_dense_mask(u->dense, entry_id, text, masked);
    if (n)
        u->nmasked += masked ? 1 : (u->nmasked ? -1 : 0);
    char *folded = accent_free(text) ? NULL : fold_accents(text); /* its accent-free twin */
    if (folded)
        camas_dense_mask(u->dense, entry_id, folded, masked);
    free(folded);
}

FILE *camas_understand_trace(const camas_understand *u)
{
    return u ? u->trace : NULL;
}
