/* Answering one question in the worker: its language (worker_lang.c), a command, a choice
 * of a clarification or the understanding of the question, yes/no verdicts, the danger
 * verdict's effect on the reply, and the answer frame back to the core. */
#include "worker_internal.h"
#include "ipc.h"
#include "worker_protocol.h"
#include "log.h"
#include "messages.h"
#include "match.h"
#include "person.h"
#include "safety.h"
#include "understand.h"
#include "chat.h"
#include "yesno.h"
#include "util.h"

#include <camas/plugin.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

/* The confidence an answer needs to follow the hotline in the same reply. At 0.91 (was
 * 0.93) no danger message of tests/fixtures/dev-danger-2.yaml gets an answer after the
 * hotline, and a survivor's or a youth worker's real question does; at 0.90 one cry for
 * help got the overview of what camas answers. */
#define DANGER_ANSWER_MIN 0.91
/* ...or this much when the message names the body the answer is about and reads as a
 * question more than a cry for help (combined danger score below DANGER_ANSWER_CALM): a
 * nurse's "je vois des ados exploitées, il existe un comité de l'État sur les enfants
 * exploités ? je peux contacter qui ?" (0.62) gets the CSEC contact after the hotline;
 * "i read about the task force, is there anyone there who can help me, he holds my
 * passport" (0.87) the hotline alone. */
#define DANGER_ANSWER_NAMED_MIN 0.85
#define DANGER_ANSWER_CALM      0.65f

/* Does text hold two words (of 4 letters or more, no little words) of body b's own that no
 * other body has ("le comité de l'État qui s'occupe des enfants exploités" tells the CSEC
 * committee)? */
static bool describes_body(const struct worker *w, const char *text, const char *lang,
                           const struct body *b)
{
    char *norm = camas_text_normalize_dup(text);
    camas_token t[48];
    size_t n = norm ? camas_tokenize(norm, t, 48) : 0, found = 0;
    if (n > 48)
        n = 48;
    for (size_t i = 0; i < n && found < 2; i++) {
        bool again = false; /* a word counts once */
        for (size_t k = 0; k < i && !again; k++)
            again = strcmp(t[k].text, t[i].text) == 0;
        if (again || t[i].len < 4 || camas_is_stopword(lang, t[i].text) ||
            !camas_worker_body_has_word(b, t[i].text))
            continue;
        bool shared = false; /* "washington", "traite": more than one body's */
        for (size_t k = 0; k < w->n_bodies && !shared; k++)
            shared = &w->bodies[k] != b && camas_worker_body_has_word(&w->bodies[k], t[i].text);
        found += !shared;
    }
    free(norm);
    return found >= 2;
}

/* Does text name, or tell by its name's words, the one body entry_id is about? */
static bool names_entry_body(const struct worker *w, const char *text, const char *lang,
                             const char *entry_id)
{
    const char *body = entry_id ? camas_understand_body(w->understand, entry_id) : NULL;
    if (!body || strcmp(body, "all") == 0)
        return false;
    if (camas_worker_names_body(w, text, lang, body))
        return true;
    const struct body *b = camas_worker_body_by_id(w, body);
    return b && describes_body(w, text, lang, b);
}

/* One question answered in one language: the reply in w->reply_plain and w->reply_html, and
 * what the answer frame says of it. */
struct ask_run {
    camas_request req; /* req.lang: the language the reply is in */
    const char *match_lang, *command, *prev, *pick;
    /* the run in the other language whose understanding this one reuses (a bilingual
     * reply: both read the question the same way, match_lang), or NULL */
    const struct ask_run *same;
    camas_understanding understood; /* what the question was understood as (the model's) */
    const char *plugin_name, *entry_id;
    double confidence;
    bool abstained;
    uint8_t flags;
    camas_buf options, effective, asked, described, last, intro;
    /* the previous question without the person it ended on, that person, and the question
     * with its "he"/"elle" read as that person (person.c) */
    camas_buf prev_question, personal;
    char person[CAMAS_NAME_PHRASE_MAX];
    /* the question after an introduction, when read alone, and the introduction */
    const char *last_text, *intro_text;
};

static void ask_run_free(struct ask_run *r)
{
    camas_buf_free(&r->options);
    camas_buf_free(&r->effective);
    camas_buf_free(&r->asked);
    camas_buf_free(&r->described);
    camas_buf_free(&r->last);
    camas_buf_free(&r->intro);
    camas_buf_free(&r->prev_question);
    camas_buf_free(&r->personal);
}

/* The understood text of r (its effective one) as its question with, in brackets, the short
 * name of the one body whose entry answered it (in the reply's language), when the question
 * named none. */
static void understood_with_body(struct worker *w, struct ask_run *r, const char *match_lang,
                                 const char *entry_id)
{
    const char *named[1];
    const char *body = camas_understand_body(w->understand, entry_id);
    const char *name =
        body && strcmp(body, "all") != 0 ? camas_worker_body_short(w, body, r->req.lang) : NULL;
    if (name && camas_matcher_bodies(w->matcher, r->req.text, match_lang, named, 1) == 0)
        camas_buf_printf(&r->effective, "%s (%s)", r->req.text, name);
}

/* Long on purpose: one question's steps (command, choice, understanding, yes/no, danger)
 * share their locals. */
static void ask_run(struct worker *w, int64_t id, uint8_t in_flags, struct ask_run *r)
{
    camas_request req = r->req;
    const char *match_lang = r->match_lang, *command = r->command, *prev = r->prev, *pick = r->pick;
    camas_buf_reset(&w->reply_plain);
    camas_buf_reset(&w->reply_html);
    const char *plugin_name = "";
    const char *entry_id = "";
    double confidence = 0;
    bool abstained = true;
    uint8_t flags = 0;
    float danger_score = -1, danger_kernel = -1; /* the learned detector's, when it ran */
    camas_buf *options = &r->options, *effective = &r->effective, *asked = &r->asked;
    const char *whole = NULL; /* the question, when matched on its part before a comparison */
    if (command) {
        camas_plugin *p = camas_worker_plugin_by_command(w, command);
        if (p && (req.room_kind != CAMAS_ROOMKIND_HELP || p->allow_help) && p->d->command) {
            plugin_name = p->name;
            if (camas_worker_call_plugin(w, id, p, NULL, command, &req) == 0 &&
                w->reply_plain.len) {
                abstained = false;
                confidence = 1;
            }
        }
    } else if (pick) {
        /* the asker chose an option of the clarification camas offered */
        uint32_t owner = camas_understand_owner(w->understand, pick);
        struct camas_worker_filter fc = {w, req.room_kind};
        if (owner && camas_worker_room_policy(owner, pick, &fc) &&
            camas_worker_render_entry(w, id, owner, pick, &req, &plugin_name)) {
            abstained = false;
            entry_id = pick;
            confidence = 1;
        }
    } else {
        struct camas_worker_filter fc = {w, req.room_kind};
        camas_understanding u;
        /* "is he with the Seattle police?" after an answer naming Richard Torrance: asked of
         * him, on its own */
        if (prev && r->person[0] &&
            camas_person_for_pronoun(w->names, req.text, match_lang, r->person, &r->personal)) {
            req.text = camas_buf_cstr(&r->personal);
            prev = NULL;
            if (!r->same)
                camas_buf_puts(effective, req.text);
        }
        /* "the group that meets two to three times a year, who's on it?": read as "the
         * Task Force, who's on it?" */
        if (!prev && camas_worker_name_described(w, &req, match_lang, &r->described))
            req.text = camas_buf_cstr(&r->described);
        else if (camas_worker_name_third(w, req.text, prev, match_lang, &r->described))
            req.text = camas_buf_cstr(&r->described);
        const struct ask_run *same = r->same;
        if (same) {
            u = same->understood;
            if (same->effective.len)
                camas_buf_append(effective, same->effective.data, same->effective.len);
            if (same->last_text)
                req.text = same->last_text;
        } else {
            camas_understand_ask(w->understand, w->matcher, req.text, prev, match_lang,
                                 camas_worker_room_policy, &fc, &u, effective);
            if (!prev &&
                (u.decision == CAMAS_DECIDE_DECLINE || u.decision == CAMAS_DECIDE_CLARIFY) &&
                camas_worker_last_question(w, &req, match_lang, &u, &r->last, &r->intro)) {
                req.text = r->last_text = camas_buf_cstr(&r->last);
                r->intro_text = camas_buf_cstr(&r->intro);
            }
        }
        log_debug("worker",
                  "ask %lld: decision %d, best %s (%.3f), danger %.2f (kernel %.2f, patterns %s), "
                  "scope %.2f, %zu documents",
                  (long long)id, (int)u.decision, u.noptions ? u.options[0].entry_id : "-",
                  u.confidence, (double)u.danger, (double)u.danger_kernel,
                  in_flags & CAMAS_IPC_PATTERNS_FIRED ? "fired" : "quiet", (double)u.scope,
                  camas_matcher_size(w->matcher));
        char full[1024];
        bool yes_no = camas_yesno_question(
            camas_chat_unabbreviate(req.text, match_lang, full, sizeof full) ? full : req.text,
            match_lang);
        if (yes_no && !prev && camas_worker_comparison_cut(w, req.text, match_lang, asked)) {
            /* matched and judged on what is asked about; the danger stays the whole
             * message's */
            camas_understanding cut;
            if (same) {
                cut = same->understood;
            } else {
                camas_understand_query(w->understand, w->matcher, camas_buf_cstr(asked), match_lang,
                                       camas_worker_room_policy, &fc, &cut);
                cut.danger = u.danger;
                cut.danger_kernel = u.danger_kernel;
            }
            u = cut;
            whole = req.text;
            req.text = camas_buf_cstr(asked);
        }
        r->understood = u;
        /* a yes/no follow-up asks of what the previous question was about ("can I just show
         * up?" after "how often do WashACT's members meet?": the member meetings, not the
         * open information sessions the answer also tells of): judged alone first, then
         * with it, unless the previous question claimed something of its own */
        if (yes_no && prev && !whole && effective->len && !camas_yesno_question(prev, match_lang))
            whole = camas_buf_cstr(effective);
        if (u.decision != CAMAS_DECIDE_DECLINE &&
            camas_matcher_other_group(w->matcher, w->lexicon, req.text, match_lang,
                                      camas_worker_body_word, w))
            u.decision = CAMAS_DECIDE_DECLINE;
        confidence = u.confidence;
        danger_score = u.danger;
        danger_kernel = u.danger_kernel;
        int verdict = 0;
        if (!prev && !yes_no && u.decision != CAMAS_DECIDE_DECLINE &&
            camas_worker_answer_two_parts(w, id, &req, match_lang,
                                          r->same ? r->same->intro_text : r->intro_text,
                                          &plugin_name, &entry_id)) {
            abstained = false;
        } else if (!prev &&
                   camas_worker_answer_ages(w, id, &req, match_lang, &plugin_name, &entry_id)) {
            abstained = false;
        } else if (camas_worker_answer_each_body(w, id, &req, match_lang, &u, &plugin_name,
                                                 &entry_id)) {
            abstained = false;
        } else if (u.decision == CAMAS_DECIDE_ANSWER &&
                   camas_worker_render_entry(w, id, u.options[0].owner, u.options[0].entry_id, &req,
                                             &plugin_name)) {
            abstained = false;
            entry_id = u.options[0].entry_id;
            if (yes_no)
                entry_id = camas_worker_answer_yes_no(w, id, &u, &req, whole, prev, &plugin_name,
                                                      &verdict);
        } else if (u.decision == CAMAS_DECIDE_CLARIFY && yes_no &&
                   camas_worker_render_entry(w, id, u.options[0].owner, u.options[0].entry_id, &req,
                                             &plugin_name) &&
                   (entry_id = camas_worker_answer_yes_no(w, id, &u, &req, whole, prev,
                                                          &plugin_name, &verdict),
                    verdict)) {
            /* options in doubt, but the best one settles the yes/no question: no need to ask
             * which was meant ("was WashACT set up before the CSEC committee?") */
            abstained = false;
        } else if (camas_worker_answer_two_asks(w, id, &req, match_lang, &u, &plugin_name,
                                                &entry_id)) {
            abstained = false;
        } else if (camas_worker_answer_covering(w, id, &req, &u, &plugin_name, &entry_id)) {
            abstained = false;
        } else if (u.decision == CAMAS_DECIDE_CLARIFY) {
            camas_buf_reset(&w->reply_plain);
            camas_buf_reset(&w->reply_html);
            plugin_name = NULL;
            camas_worker_reply_clarify(w, &u, req.lang);
            for (size_t i = 0; i < u.noptions; i++)
                camas_buf_printf(options, "%s%s", i ? "\n" : "", u.options[i].entry_id);
            entry_id = camas_buf_cstr(options);
            flags |= CAMAS_IPC_CLARIFY;
            abstained = false;
        }
    }
    bool patterns = (in_flags & CAMAS_IPC_PATTERNS_FIRED) != 0;
    int level = camas_safety_level(patterns, danger_score, danger_kernel);
    /* A follow-up answered with the previous question ("and they're free?" after "are
     * WashACT's info sessions open to the public?"), no pattern fired and a combined score
     * short of CALM: the asker is going on about the bodies, so the hotline follows the
     * answer as a footer; it is never taken away. */
    if (level == 2 && prev && effective->len && !patterns && !abstained && !command &&
        danger_score < DANGER_ANSWER_CALM)
        level = 1;
    flags |= level == 2 ? CAMAS_IPC_DANGER_STRONG : level == 1 ? CAMAS_IPC_DANGER_FOOTER : 0;
    /* After the hotline, only a confident answer to what was actually asked ("I am being
     * trafficked, help" must not be followed by some entry about the task force's duties). */
    if (level == 2 && !command && !abstained && confidence < DANGER_ANSWER_MIN &&
        !(confidence >= DANGER_ANSWER_NAMED_MIN && danger_score < DANGER_ANSWER_CALM &&
          names_entry_body(w, req.text, match_lang, entry_id)))
        abstained = true;
    if (abstained) {
        camas_buf_reset(&w->reply_plain);
        camas_buf_reset(&w->reply_html);
        w->replying = true;
        camas_plugin fake = {.w = w};
        camas_worker_reply(
            &fake, camas_messages_get(w->messages, CAMAS_MSG_ANSWER_ABSTAIN, req.lang), NULL);
        w->replying = false;
    }
    /* a reverse question's answer names the body it asked for: what a follow-up resumes
     * ("j'écris à qui pour être invitée ?" after "quel organisme se réunit chaque
     * trimestre ?" is about WashACT) */
    if (!abstained && !command && !pick && !prev && !(flags & CAMAS_IPC_CLARIFY) &&
        !effective->len && camas_understand_asks_which_body(r->req.text))
        understood_with_body(w, r, match_lang, entry_id);
    /* an answer naming one person: what "he" or "elle" in a follow-up points at */
    if (!abstained && !command && !(flags & CAMAS_IPC_CLARIFY) && !r->same)
        camas_person_understood(w->names, camas_buf_cstr(&w->reply_plain), r->req.text, effective);
    r->plugin_name = plugin_name;
    r->entry_id = entry_id;
    r->confidence = confidence;
    r->abstained = abstained;
    r->flags = flags;
}

/* A question with no cue of its language ("Kyle Bois", "RCW 7.68.801", "email csec") is
 * answered in both, the default language first: either guess would answer half of the
 * askers in the other one. The second reply follows the first; both are read the same way
 * (match_lang), so they say the same thing. False (the first reply alone) when the second
 * could not be made. */
static bool answer_in_both(struct worker *w, int64_t id, uint8_t in_flags,
                           const struct ask_run *first)
{
    camas_buf plain = {0}, html = {0};
    bool ok = !camas_buf_puts(&plain, camas_buf_cstr(&w->reply_plain)) &&
              !camas_buf_puts(&html, camas_buf_cstr(&w->reply_html));
    struct ask_run second = {.req = first->req,
                             .match_lang = first->match_lang,
                             .command = first->command,
                             .prev = first->prev,
                             .pick = first->pick,
                             .same = first};
    second.req.lang = strcmp(first->req.lang, "fr") ? "fr" : "en";
    memcpy(second.person, first->person, sizeof second.person);
    if (ok)
        ask_run(w, id, in_flags, &second);
    ok = ok && w->reply_plain.len && !camas_buf_puts(&plain, "\n\n") &&
         !camas_buf_puts(&plain, camas_buf_cstr(&w->reply_plain)) &&
         !camas_buf_puts(&html, camas_buf_cstr(&w->reply_html));
    ask_run_free(&second);
    camas_worker_take_reply(w, &plain, &html);
    return ok;
}

void camas_worker_op_ask(struct worker *w, const camas_ipc_frame *f)
{
    int64_t id = f->id;
    camas_worker_announce_call(w, id, NULL);
    struct ask_run r = {.req = {.text = f->s[CAMAS_IPC_ASK_TEXT],
                                .lang = f->s[CAMAS_IPC_ASK_LANG],
                                .args = f->s[CAMAS_IPC_ASK_ARGS],
                                .room_kind = f->room_kind,
                                .now_ms = f->now_ms},
                        .command =
                            f->s[CAMAS_IPC_ASK_COMMAND][0] ? f->s[CAMAS_IPC_ASK_COMMAND] : NULL};
    const char *context = f->s[CAMAS_IPC_ASK_CONTEXT];
    if (strcmp(r.req.lang, "en") && strcmp(r.req.lang, "fr"))
        r.req.lang = "en";
    /* Matched in the language it is written in, answered in the one asked for. */
    r.match_lang = f->s[CAMAS_IPC_ASK_MATCH_LANG];
    if (strcmp(r.match_lang, "en") && strcmp(r.match_lang, "fr"))
        r.match_lang = r.req.lang;
    r.prev = camas_ipc_context_after(context, CAMAS_IPC_CONTEXT_PREV);
    r.pick = camas_ipc_context_after(context, CAMAS_IPC_CONTEXT_PICK);
    if (r.prev &&
        camas_person_in_prev(w->names, r.prev, &r.prev_question, r.person, sizeof r.person))
        r.prev = camas_buf_cstr(&r.prev_question);
    bool both = false;
    if (!r.command && !(f->flags & CAMAS_IPC_LANG_FORCED)) {
        const char *settled = camas_worker_settle_lang(w, r.req.text, r.prev, &both);
        if (settled)
            r.req.lang = r.match_lang = settled;
        both = both && !r.pick; /* "2" chooses an option: no language of its own to lack */
    }
    ask_run(w, id, f->flags, &r);
    uint8_t flags = r.flags;
    if (both && answer_in_both(w, id, f->flags, &r))
        flags |= CAMAS_IPC_BILINGUAL;
    camas_request req = r.req;
    const char *plugin_name = r.plugin_name, *entry_id = r.entry_id;
    camas_ipc_frame a = {.kind = CAMAS_IPC_ANSWER,
                         .abstained = r.abstained,
                         .flags = flags,
                         .id = id,
                         .confidence = r.confidence,
                         .s = {[CAMAS_IPC_ANSWER_LANG] = req.lang,
                               [CAMAS_IPC_ANSWER_PLAIN] = camas_buf_cstr(&w->reply_plain),
                               [CAMAS_IPC_ANSWER_HTML] = camas_buf_cstr(&w->reply_html),
                               [CAMAS_IPC_ANSWER_PLUGIN] = plugin_name,
                               [CAMAS_IPC_ANSWER_ENTRY] = entry_id,
                               [CAMAS_IPC_ANSWER_UNDERSTOOD] =
                                   r.effective.len ? camas_buf_cstr(&r.effective) : req.text}};
    size_t len;
    char *frame = camas_ipc_frame_encode(&a, &len);
    if (!frame) {
        /* a reply too long for one datagram: say so rather than leave the asker waiting */
        a.abstained = 1;
        a.s[CAMAS_IPC_ANSWER_PLAIN] =
            camas_messages_get(w->messages, CAMAS_MSG_ANSWER_ABSTAIN, req.lang);
        a.s[CAMAS_IPC_ANSWER_HTML] = "";
        a.s[CAMAS_IPC_ANSWER_UNDERSTOOD] = "";
        frame = camas_ipc_frame_encode(&a, &len);
    }
    ask_run_free(&r);
    if (!frame) {
        log_error("worker", "cannot answer the core: out of memory");
        return;
    }
    if (w->n_out == CAMAS_IPC_BATCH)
        camas_worker_answers_flush(w);
    w->out[w->n_out++] = (struct iovec){frame, len};
}
