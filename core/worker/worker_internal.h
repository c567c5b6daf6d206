/* What the plugin worker's files share (worker.c: the process, its loop and its requests;
 * worker_host.c: the host API plugins call, and the shared knowledge). Not for plugins. */
#ifndef CAMAS_WORKER_INTERNAL_H
#define CAMAS_WORKER_INTERNAL_H

#include "ipc.h"
#include "lexicon.h"
#include "match.h"
#include "templates.h"
#include "text.h"
#include "understand.h"
#include "util.h"
#include "yesno.h"

#include <camas/plugin.h>
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct worker;

/* What the knowledge answered about one body on one topic, for one room kind and language:
 * a yes/no comparison or role check asks it again for most questions naming that body, and
 * each asking costs an embedding (see yesno_about in worker_reply.c). */
struct camas_worker_about {
    char body_id[32];
    int topic, room_kind, fr;
    char *text;    /* NULL: the knowledge had no answer (also remembered) */
    int64_t at_ms; /* monotonic; meeting answers change with time, so entries expire */
};
#define CAMAS_WORKER_ABOUT_MAX 64

struct camas_plugin {
    struct worker *w;
    char name[64];
    char version[32];
    char knowledge[64]; /* its folder under knowledge/ */
    bool allow_help;    /* may answer in public help rooms */
    uint32_t owner;
    void *dl;
    int fd; /* the sealed memfd dl came from; open while loaded (see op_load) */
    const camas_plugin_descriptor *d;
    void *state;
    bool initialised;
    int data_errors;
    cJSON *commands; /* array of {name, usage_en, usage_fr} */
    cJSON *errors;   /* array of strings: knowledge problems found during init */
    cJSON *warnings; /* array of strings: problems reported without refusing the load */
    /* its reply templates (host->templates_load): the catalog copied, and the file's texts
     * (NULL: the compiled ones) */
    camas_tpl_spec *tpl_specs;
    camas_tpl_catalog tpl_catalog;
    camas_tpl *tpl;
    char *tpl_file; /* "the shipped knowledge/NAME/messages.yaml", for errors */
};

struct body {
    char id[32];
    char *name[2]; /* [0] en, [1] fr */
    char *short_[2];
    char *words; /* its names and short names, normalised, space-separated (yes/no claims) */
    /* its English name (before any parenthesis) and short name, normalised: the words a
     * French question may borrow (worker_lang.c); NULL when there is none */
    char *english[2];
};

struct worker {
    int sock;
    char *ipc_buf;
    char knowledge_dir[4096];
    camas_plugin **plugins;
    size_t n_plugins;
    uint32_t next_owner;
    camas_matcher *matcher;
    bool matcher_dirty;
    camas_understand *understand;   /* the model, dense index and learned danger detector */
    bool background;                /* camas_understand_work has work left */
    camas_stemmer *stemmer;         /* for yes/no verdicts */
    const camas_request *yesno_req; /* the request a yes/no verdict is being reached for */
    bool yesno_strict;      /* verdicts need every claim word (camas_yesno_context.strict) */
    camas_lexicon *lexicon; /* real words: never spelling-corrected (lexicon.h) */
    struct body *bodies;
    size_t n_bodies;
    camas_yesno_names *names; /* people and offices (bodies.yaml names:), for yes/no */
    /* the worker's own texts (knowledge/messages; NULL: the compiled ones) */
    struct camas_messages *messages;
    /* answers about bodies, kept until the knowledge or the plugins change (about_forget) */
    struct camas_worker_about about[CAMAS_WORKER_ABOUT_MAX];
    size_t n_about;

    /* The answer being built by the current render/command call. */
    camas_buf reply_plain, reply_html;
    bool replying;
    int64_t current_id;
    camas_ipc_blackbox *blackbox; /* shared with the core; NULL when it was not given one */

    /* Answers to questions that arrived together leave together (see answers_flush). */
    struct iovec out[CAMAS_IPC_BATCH];
    size_t n_out;
};

/* Reads knowledge/messages again: swapped in when it loads cleanly, else the last good set
 * (or the compiled texts) keeps serving. Only logged here: the core reads the same file for
 * its own texts and reports the refusal. */
void camas_worker_load_messages(struct worker *w);

/* Forgets the remembered answers about bodies: the knowledge or the plugins changed. */
void camas_worker_about_forget(struct worker *w);

/* Frees what templates_load gave p. */
void camas_worker_templates_free(camas_plugin *p);

/* worker_reply.c, for worker_described.c: whether answer bears out a claim (+1), denies it
 * (-1) or neither (0), read as a yes/no question; and what the knowledge answers about a
 * body (malloc'ed, or NULL; w->yesno_req set). */
int camas_worker_claim_verdict(struct worker *w, const char *claim, const char *answer,
                               const char *lang);
char *camas_worker_about(struct worker *w, const char *body_id, const char *lang,
                         camas_yesno_topic topic);
/* worker_described.c: text with a body told only by how it meets ("the group that meets
 * two to three times a year") named instead, into out (true); false when it tells none. */
bool camas_worker_name_described(struct worker *w, const camas_request *req, const char *lang,
                                 struct camas_buf *out);
/* "and the third one, who convenes it?" after a question naming two of the three bodies: the
 * follow-up with the third's short name in brackets, in out (worker_described.c). */
bool camas_worker_name_third(struct worker *w, const char *text, const char *prev, const char *lang,
                             struct camas_buf *out);

/* 0 for English, 1 for French (anything else is English). */
int camas_worker_lang_index(const char *lang);

/* The host API handed to every plugin's init. */
extern const camas_host_api camas_worker_host_api;

/* Appends the reply text of the call in progress (host API reply; also the worker's own
 * replies: declines, clarifications). */
int camas_worker_reply(camas_plugin *p, const char *plain, const char *html);

/* worker.c: the room policy as a matcher filter (ud: a struct camas_worker_filter), and one
 * entry rendered by the plugin that registered it into the reply buffers (true when it
 * answered; plugin_name gets the plugin's). */
struct camas_worker_filter {
    struct worker *w;
    int room_kind;
};
bool camas_worker_room_policy(uint32_t owner, const char *entry_id, void *ud);
bool camas_worker_render_entry(struct worker *w, int64_t id, uint32_t owner, const char *entry,
                               const camas_request *req, const char **plugin_name);
/* worker.c, for worker_ask.c: the black box's note of the request being served (p: the
 * plugin called, NULL: none), a plugin call with the reply buffers armed (its return code),
 * the plugin serving a command, and the answers held back sent. */
void camas_worker_announce_call(struct worker *w, int64_t id, const camas_plugin *p);
int camas_worker_call_plugin(struct worker *w, int64_t id, camas_plugin *p, const char *entry,
                             const char *command, const camas_request *req);
camas_plugin *camas_worker_plugin_by_command(struct worker *w, const char *cmd);
void camas_worker_answers_flush(struct worker *w);
/* worker_ask.c: answers one ask frame (the answer frame joins w->out). */
void camas_worker_op_ask(struct worker *w, const struct camas_ipc_frame *f);

/* worker_reply.c: replies put together from an understanding. */
/* Is word part of a body's name or short name (either language)? (ud: the worker) */
bool camas_worker_body_word(void *ud, const char *word, const char *lang);

/* A yes/no question that ends on a point of comparison ("does the task force meet quarterly
 * like WashACT does?", "… open to the public like its information sessions?"): the part
 * asked about, before "like"/"comme", into out (true); false when there is none. */
bool camas_worker_comparison_cut(const struct worker *w, const char *text, const char *lang,
                                 struct camas_buf *out);
/* The known people and offices text names (understand.h's names callback; ud: the worker). */
/* The language to answer text in when the core's reading of its cues is in doubt (the
 * asker's previous question prev, the knowledge's vocabulary, names set aside), or NULL to
 * keep the core's (worker_lang.c). */
const char *camas_worker_settle_lang(const struct worker *w, const char *text, const char *prev,
                                     bool *undecided);
size_t camas_worker_names(void *ud, const char *text, char (*out)[CAMAS_NAME_PHRASE_MAX],
                          unsigned *ids, size_t max);
/* A body's short name in lang (its name, or id, when it has none), or NULL for an unknown
 * body: ud is the worker. */
const char *camas_worker_body_short(void *ud, const char *body_id, const char *lang);
/* With u's best entry rendered: "Yes —"/"No —" before it when it (or a close runner-up about
 * the same body) settles the yes/no question; *verdict gets +1, -1 or 0. whole: the whole
 * question when req's is the part before a point of comparison (tried when that part
 * settles nothing), else NULL; prev: the asker's previous question for a follow-up, else
 * NULL. Returns the entry answered. */
const char *camas_worker_answer_yes_no(struct worker *w, int64_t id, const camas_understanding *u,
                                       const camas_request *req, const char *whole,
                                       const char *prev, const char **plugin_name, int *verdict);
/* Does text name the body id (by a name, alias or office the matcher knows)? */
bool camas_worker_names_body(const struct worker *w, const char *text, const char *lang,
                             const char *id);
/* The entries' answers one after the other, as the reply (a blank line between them);
 * *entry_id becomes the first one answered. False when none could be rendered. */
bool camas_worker_render_entries(struct worker *w, int64_t id, const camas_request *req,
                                 const camas_match *each, size_t found, const char **plugin_name,
                                 const char **entry_id);
/* Both asks of a question that joins two ("who chairs the task force and how often does it
 * meet?", "qui copréside WashACT et est-ce que les réunions sont ouvertes ?"), each
 * understood alone (the second as a follow-up of the first), when they get two entries
 * (worker_asks.c). False otherwise, the reply buffers untouched. */
bool camas_worker_answer_two_parts(struct worker *w, int64_t id, const camas_request *req,
                                   const char *match_lang, const char *context,
                                   const char **plugin_name, const char **entry_id);
/* A question after an introduction that asks nothing ("Hello, I'm on staff at a county
 * prosecutor's office. Is the committee…?"), declined whole: its last sentence, with the
 * sentences before it as context, into out (those into intro); or a question followed only by
 * what it is for ("qui copréside WashACT ? j'ai besoin des trois pour la lettre"), declined or
 * offered as a choice whole: its first sentence alone, into out. *u becomes its understanding
 * (the danger stays the whole message's) when that answers. False otherwise, out empty. */
bool camas_worker_last_question(struct worker *w, const camas_request *req, const char *lang,
                                camas_understanding *u, camas_buf *out, camas_buf *intro);
/* Is normalised word one of body b's own words (its names, short names, one-word aliases)? */
bool camas_worker_body_has_word(const struct body *b, const char *word);
/* The body of that id, or NULL. */
const struct body *camas_worker_body_by_id(const struct worker *w, const char *id);
/* Each body's founding, for a question that compares their ages ("lequel est le plus récent :
 * le CSEC ou WashACT ?", "which of the three is the oldest?"): the bodies it names, or all when
 * it asks which and names none. False when not such a question (the reply is then untouched). */
bool camas_worker_answer_ages(struct worker *w, int64_t id, const camas_request *req,
                              const char *match_lang, const char **plugin_name,
                              const char **entry_id);
/* Each named body's own answer, for a question about two or three; false when not such a
 * question or not understood for each (the reply buffers are then untouched). */
bool camas_worker_answer_each_body(struct worker *w, int64_t id, const camas_request *req,
                                   const char *match_lang, const camas_understanding *u,
                                   const char **plugin_name, const char **entry_id);
/* Of two entries of one body camas would ask between, the one whose answer holds nearly all
 * the other's words, as the reply; false (the reply buffers then empty) when neither does. */
bool camas_worker_answer_covering(struct worker *w, int64_t id, const camas_request *req,
                                  const camas_understanding *u, const char **plugin_name,
                                  const char **entry_id);
/* Both of the two nearest entries of one body, for a question that asks two things of it
 * (", and who…", "et comment…") where camas would otherwise ask which was meant. */
bool camas_worker_answer_two_asks(struct worker *w, int64_t id, const camas_request *req,
                                  const char *match_lang, const camas_understanding *u,
                                  const char **plugin_name, const char **entry_id);
/* The reply becomes plain and html, built aside: they are moved, not copied, and left
 * empty. */
void camas_worker_take_reply(struct worker *w, camas_buf *plain, camas_buf *html);
/* "Did you mean: 1. … 2. …" as the reply. */
void camas_worker_reply_clarify(struct worker *w, const camas_understanding *u, const char *lang);

/* What bodies.yaml and synonyms.yaml produce; built aside so a broken edit changes nothing. */
struct camas_worker_shared {
    camas_matcher *matcher;
    struct body *bodies;
    size_t n_bodies;
    camas_yesno_names *names;
    cJSON *errors;
};

/* Loads bodies.yaml and synonyms.yaml into sh->matcher, sh->bodies and sh->names. Problems are
 * recorded in sh->errors, not fatal. */
void camas_worker_load_shared(struct camas_worker_shared *sh, const char *knowledge_dir);
void camas_worker_bodies_free(struct body *bodies, size_t n);

#endif
