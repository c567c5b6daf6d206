/* faq plugin: the bodies' purpose, legal basis, duties, missions, membership and
 * attendance rules, from knowledge/faq/. Also the !faq [topic] command, whose replies are in
 * knowledge/faq/messages.yaml (the catalog below is their compiled fallback). */
#include "../common/kb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The compiled texts: byte for byte what knowledge/faq/messages.yaml ships. */
static const camas_template templates[] = {
    {"help.line", "", "!faq [topic] - answers on a topic, or lists topics",
     "!faq [sujet] - répond sur un sujet, ou liste les sujets"},
    {"topic.unknown", "topic topics",
     "I have no topic \"{topic}\". Topics: {topics}. Example: !faq washact mission",
     "Je n'ai pas de sujet « {topic} ». Sujets : {topics}. Exemple : !faq washact mission"},
    {"usage", "topics", "Usage: !faq TOPIC, for example !faq legal-basis. Topics: {topics}.",
     "Usage : !faq SUJET, par exemple !faq legal-basis. Sujets : {topics}."},
};

struct faq {
    const camas_host_api *host;
    kb k;
};

static int faq_init(camas_plugin *p, const camas_host_api *host, void **state)
{
    struct faq *f = calloc(1, sizeof *f);
    if (!f)
        return CAMAS_ERR_NOMEM;
    f->host = host;
    *state = f;
    int rc = kb_templates(p, host, "faq", templates, sizeof templates / sizeof *templates);
    int kr = kb_load(&f->k, p, host);
    rc = rc ? rc : kr;
    kb_drop_docs(&f->k, host); /* the FAQ answers from its entries alone */
    char *en = kb_fill(p, host, "help.line", "en", NULL);
    char *fr = kb_fill(p, host, "help.line", "fr", NULL);
    if (rc == 0)
        rc = en && fr ? host->register_command(p, "faq", en, fr) : CAMAS_ERR_NOMEM;
    host->free(en);
    host->free(fr);
    return rc;
}

static void faq_teardown(camas_plugin *p, void *state)
{
    (void)p;
    struct faq *f = state;
    if (!f)
        return;
    kb_free(&f->k, f->host);
    free(f);
}

static int faq_render(camas_plugin *p, void *state, const char *entry_id, const camas_request *req)
{
    struct faq *f = state;
    const kb_entry *e = kb_find(&f->k, entry_id);
    if (!e)
        return CAMAS_ERR_NOTFOUND;
    return kb_reply_text(p, f->host, e->answer[kb_lang(req->lang)]);
}

static int faq_command(camas_plugin *p, void *state, const char *name, const camas_request *req)
{
    struct faq *f = state;
    int lang = kb_lang(req->lang);
    (void)name;
    char *arg = kb_fold(req->args);
    if (!arg)
        return CAMAS_ERR_NOMEM;
    int answered = 0;
    for (size_t i = 0; *arg && i < f->k.n && answered < 3; i++) {
        const kb_entry *e = &f->k.entries[i];
        /* "!faq legal-basis", "!faq washact", "!faq washact mission" */
        char want[128];
        snprintf(want, sizeof want, "%s %s", e->body, e->topic);
        if (strcmp(arg, e->topic) == 0 || strcmp(arg, e->id) == 0 || strcmp(arg, want) == 0 ||
            (strcmp(arg, e->body) == 0 && strcmp(e->topic, "about") == 0)) {
            kb_reply_text(p, f->host, e->answer[lang]);
            answered++;
        }
    }
    if (!answered) {
        char topics[2048] = "";
        size_t used = 0;
        for (size_t i = 0; i < f->k.n; i++) {
            const char *t = f->k.entries[i].topic;
            if (!*t || strstr(topics, t))
                continue;
            used +=
                (size_t)snprintf(topics + used, sizeof topics - used, "%s%s", used ? ", " : "", t);
            if (used >= sizeof topics)
                break;
        }
        const char *vars[] = {"topic", req->args, "topics", topics, NULL};
        kb_say(p, f->host, *arg ? "topic.unknown" : "usage", req->lang, vars, false);
    }
    free(arg);
    return 0;
}

static const camas_plugin_descriptor descriptor = {
    CAMAS_PLUGIN_DESCRIPTOR_HEADER, .name = "faq",
    .version = PLUGIN_VERSION,      .init = faq_init,
    .teardown = faq_teardown,       .render = faq_render,
    .command = faq_command,
};

const camas_plugin_descriptor *camas_plugin_entry(void)
{
    return &descriptor;
}
