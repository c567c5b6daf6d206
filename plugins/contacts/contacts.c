/* contacts plugin: who to contact for which body and how, from knowledge/contacts/.
 * Also !contact [body]. What it says around the data is in knowledge/contacts/messages.yaml;
 * the catalog below is its compiled fallback. */
#include "../common/kb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The compiled texts: byte for byte what knowledge/contacts/messages.yaml ships. */
static const camas_template templates[] = {
    {"help.line", "", "!contact [body] - who to contact (task-force, washact, csec)",
     "!contact [organisme] - qui contacter (task-force, washact, csec)"},
    {"record", "body name title email phone", "{body}: {name}{title}{email}{phone}",
     "{body}: {name}{title}{email}{phone}"},
    {"record.title", "title", ", {title}", ", {title}"},
    {"record.email", "email", " - {email}", " - {email}"},
    {"record.phone", "phone", " - {phone}", " - {phone}"},
    {"none", "", "No contact is known.", "Aucun contact connu."},
    {"usage", "", "Usage: !contact [task-force|washact|csec]",
     "Usage : !contact [task-force|washact|csec]"},
};

struct contacts {
    const camas_host_api *host;
    kb k;
    const cJSON *records; /* the contacts: list, inside k.docs */
};

static int contacts_init(camas_plugin *p, const camas_host_api *host, void **state)
{
    struct contacts *c = calloc(1, sizeof *c);
    if (!c)
        return CAMAS_ERR_NOMEM;
    c->host = host;
    *state = c;
    int rc = kb_templates(p, host, "contacts", templates, sizeof templates / sizeof *templates);
    int kr = kb_load(&c->k, p, host);
    rc = rc ? rc : kr;
    for (size_t i = 0; i < c->k.n_docs; i++) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(c->k.docs[i], "contacts");
        if (!list)
            continue;
        if (!cJSON_IsArray(list))
            return host->knowledge_error(p, c->k.doc_names[i], host->line(list),
                                         "'contacts' must be a list");
        const cJSON *r;
        cJSON_ArrayForEach(r, list)
        {
            const cJSON *body = cJSON_GetObjectItemCaseSensitive(r, "body");
            if (!cJSON_IsString(body) ||
                !host->body_name(p, body->valuestring, "en", CAMAS_BODY_NAME_SHORT))
                rc = host->knowledge_error(p, c->k.doc_names[i], host->line(r),
                                           "each contact needs a known 'body'");
            if (!kb_str(r, "email", 0) && !kb_str(r, "phone", 0))
                rc = host->knowledge_error(p, c->k.doc_names[i], host->line(r),
                                           "a contact needs an 'email' or a 'phone'");
        }
        c->records = list;
    }
    char *en = kb_fill(p, host, "help.line", "en", NULL);
    char *fr = kb_fill(p, host, "help.line", "fr", NULL);
    if (rc == 0)
        rc = en && fr ? host->register_command(p, "contact", en, fr) : CAMAS_ERR_NOMEM;
    host->free(en);
    host->free(fr);
    return rc;
}

static void contacts_teardown(camas_plugin *p, void *state)
{
    (void)p;
    struct contacts *c = state;
    if (!c)
        return;
    kb_free(&c->k, c->host);
    free(c);
}

static int contacts_render(camas_plugin *p, void *state, const char *entry_id,
                           const camas_request *req)
{
    struct contacts *c = state;
    const kb_entry *e = kb_find(&c->k, entry_id);
    if (!e)
        return CAMAS_ERR_NOTFOUND;
    return kb_reply_text(p, c->host, e->answer[kb_lang(req->lang)]);
}

/* Which body the argument names: an id, or a word of its names. */
static const char *body_from_arg(camas_plugin *p, const camas_host_api *host, const char *arg)
{
    static const char *const ids[] = {"task-force", "washact", "csec"};
    char *a = kb_fold(arg);
    const char *found = NULL;
    for (size_t i = 0; a && !found && i < 3; i++) {
        if (strcmp(a, ids[i]) == 0)
            found = ids[i];
        for (int l = 0; !found && l < 2; l++) {
            const char *nm = host->body_name(p, ids[i], l ? "fr" : "en", CAMAS_BODY_NAME_FULL);
            char *n = nm ? kb_fold(nm) : NULL;
            if (n && *a && strstr(n, a))
                found = ids[i];
            free(n);
        }
    }
    if (a && !found && (strstr(a, "esec") || strstr(a, "cstc") || strstr(a, "groupe")))
        found = strstr(a, "groupe") ? "task-force" : "csec";
    free(a);
    return found;
}

/* A record without a prepared answer: its fields through the "record" templates. */
static void say_record(struct contacts *c, camas_plugin *p, const cJSON *r, const char *b,
                       const char *lang)
{
    int l = kb_lang(lang);
    const char *body = c->host->body_name(p, b ? b : "", lang, CAMAS_BODY_NAME_SHORT);
    const char *name = kb_str(r, "name", l), *title = kb_str(r, "title", l);
    const char *email = kb_str(r, "email", 0), *phone = kb_str(r, "phone", 0);
    const char *tv[] = {"title", title, NULL}, *ev[] = {"email", email, NULL},
               *pv[] = {"phone", phone, NULL};
    char *t = title ? kb_fill(p, c->host, "record.title", lang, tv) : NULL;
    char *e = email ? kb_fill(p, c->host, "record.email", lang, ev) : NULL;
    char *ph = phone ? kb_fill(p, c->host, "record.phone", lang, pv) : NULL;
    const char *vars[] = {"body",  body ? body : (b ? b : ""),
                          "name",  name ? name : "",
                          "title", t ? t : "",
                          "email", e ? e : "",
                          "phone", ph ? ph : "",
                          NULL};
    kb_say(p, c->host, "record", lang, vars, false);
    c->host->free(t);
    c->host->free(e);
    c->host->free(ph);
}

static int contacts_command(camas_plugin *p, void *state, const char *name,
                            const camas_request *req)
{
    struct contacts *c = state;
    (void)name;
    int lang = kb_lang(req->lang);
    const char *body = *req->args ? body_from_arg(p, c->host, req->args) : NULL;
    if (*req->args && !body)
        return kb_say(p, c->host, "usage", req->lang, NULL, false);
    int said = 0;
    for (size_t i = 0; i < c->k.n; i++) {
        const kb_entry *e = &c->k.entries[i];
        if (strcmp(e->topic, "contact") == 0 && (!body || strcmp(e->body, body) == 0)) {
            kb_reply_text(p, c->host, e->answer[lang]);
            said++;
        }
    }
    if (!said) {
        /* No prepared answer: list the raw records. */
        const cJSON *r;
        cJSON_ArrayForEach(r, c->records)
        {
            const char *b = kb_str(r, "body", 0);
            if (body && b && strcmp(b, body))
                continue;
            say_record(c, p, r, b, req->lang);
            said++;
        }
    }
    if (!said)
        kb_say(p, c->host, "none", req->lang, NULL, false);
    return 0;
}

static const camas_plugin_descriptor descriptor = {
    CAMAS_PLUGIN_DESCRIPTOR_HEADER, .name = "contacts",
    .version = PLUGIN_VERSION,      .init = contacts_init,
    .teardown = contacts_teardown,  .render = contacts_render,
    .command = contacts_command,
};

const camas_plugin_descriptor *camas_plugin_entry(void)
{
    return &descriptor;
}
