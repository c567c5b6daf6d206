/* members plugin: chairs, co-chairs, conveners, member organisations and composition counts,
 * from knowledge/members/, plus "is X part of Y?" lookups over the listed memberships and the
 * !member [name|body] command. What it says around the data is in
 * knowledge/members/messages.yaml; the catalog below is its compiled fallback. */
#include "../common/kb.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct membership {
    const char *body;
    const char *role;
    const char *name[2];
    char **aliases; /* folded */
    size_t n_aliases;
};

struct members {
    const camas_host_api *host;
    kb k;
    struct membership *m;
    size_t n;
};

static const char *const roles[] = {"chair", "co-chair", "convener", "member", "contact"};
#define N_ROLES (sizeof roles / sizeof *roles)

/* The compiled texts: byte for byte what knowledge/members/messages.yaml ships. A role is said
 * through "role.<role>", the role as the knowledge writes it. */
static const camas_template templates[] = {
    {"help.line", "", "!member [name|body] - who takes part, and in what role",
     "!member [nom|organisme] - qui participe, et à quel titre"},
    {"membership", "name role body", "{name}: {role} of the {body}.", "{name} : {role} — {body}."},
    {"role.chair", "", "chair", "présidence"},
    {"role.co-chair", "", "co-chair", "coprésidence"},
    {"role.convener", "", "convener", "convocation"},
    {"role.member", "", "member", "membre"},
    {"role.contact", "", "contact person", "personne à contacter"},
    {"not-listed", "name",
     "The source text does not list \"{name}\" as taking part in any of the three bodies.",
     "Le texte source ne mentionne « {name} » parmi les membres d'aucun des trois organismes."},
    {"usage", "", "Usage: !member NAME or !member task-force|washact|csec",
     "Usage : !member NOM ou !member task-force|washact|csec"},
};

static int role_index(const char *role)
{
    for (int i = 0; i < (int)N_ROLES; i++)
        if (strcmp(role, roles[i]) == 0)
            return i;
    return -1;
}

static int add_membership(struct members *s, camas_plugin *p, const char *file, const cJSON *r)
{
    const camas_host_api *host = s->host;
    const char *body = kb_str(r, "body", 0);
    const char *role = kb_str(r, "role", 0);
    if (!body || !host->body_name(p, body, "en", CAMAS_BODY_NAME_SHORT))
        return host->knowledge_error(p, file, host->line(r), "membership needs a known 'body'");
    if (!role || role_index(role) < 0)
        return host->knowledge_error(p, file, host->line(r),
                                     "membership 'role' must be chair, co-chair, convener, "
                                     "member or contact");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(r, "name");
    if (!kb_str(name, NULL, 0) || !kb_str(name, NULL, 1))
        return host->knowledge_error(p, file, host->line(r),
                                     "membership needs name.en and name.fr");
    struct membership *grown = realloc(s->m, (s->n + 1) * sizeof *grown);
    if (!grown)
        return CAMAS_ERR_NOMEM;
    s->m = grown;
    struct membership *m = &s->m[s->n++];
    memset(m, 0, sizeof *m);
    m->body = body;
    m->role = role;
    m->name[0] = kb_str(name, NULL, 0);
    m->name[1] = kb_str(name, NULL, 1);
    const cJSON *al = cJSON_GetObjectItemCaseSensitive(r, "aliases");
    m->aliases = calloc((size_t)cJSON_GetArraySize(al) + 2, sizeof *m->aliases);
    if (!m->aliases)
        return CAMAS_ERR_NOMEM;
    const cJSON *a;
    cJSON_ArrayForEach(a, al)
    {
        if (cJSON_IsString(a) && strlen(a->valuestring) >= 3)
            m->aliases[m->n_aliases++] = kb_fold(a->valuestring);
    }
    return 0;
}

static int members_init(camas_plugin *p, const camas_host_api *host, void **state)
{
    struct members *s = calloc(1, sizeof *s);
    if (!s)
        return CAMAS_ERR_NOMEM;
    s->host = host;
    *state = s;
    int rc = kb_templates(p, host, "members", templates, sizeof templates / sizeof *templates);
    int kr = kb_load(&s->k, p, host);
    rc = rc ? rc : kr;
    /* Memberships live inside entries (or at a file's top level). */
    for (size_t i = 0; i < s->k.n_docs; i++) {
        const cJSON *top = cJSON_GetObjectItemCaseSensitive(s->k.docs[i], "memberships");
        const cJSON *r;
        cJSON_ArrayForEach(r, top)
        {
            int x = add_membership(s, p, s->k.doc_names[i], r);
            rc = rc ? rc : x;
        }
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(s->k.docs[i], "entries"))
        {
            cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(e, "memberships"))
            {
                int x = add_membership(s, p, s->k.doc_names[i], r);
                rc = rc ? rc : x;
            }
        }
    }
    char *en = kb_fill(p, host, "help.line", "en", NULL);
    char *fr = kb_fill(p, host, "help.line", "fr", NULL);
    if (rc == 0)
        rc = en && fr ? host->register_command(p, "member", en, fr) : CAMAS_ERR_NOMEM;
    host->free(en);
    host->free(fr);
    return rc;
}

static void members_teardown(camas_plugin *p, void *state)
{
    (void)p;
    struct members *s = state;
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++) {
        for (size_t j = 0; j < s->m[i].n_aliases; j++)
            free(s->m[i].aliases[j]);
        free(s->m[i].aliases);
    }
    free(s->m);
    kb_free(&s->k, s->host);
    free(s);
}

/* Whole-word (folded) occurrence of needle in hay. */
static bool has_phrase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) {
        bool start = p == hay || !isalnum((unsigned char)p[-1]);
        bool end = !isalnum((unsigned char)p[n]);
        if (start && end)
            return true;
    }
    return false;
}

static void say_membership(struct members *s, camas_plugin *p, const struct membership *m, int lang)
{
    const char *code = lang ? "fr" : "en";
    const char *body = s->host->body_name(p, m->body, code, CAMAS_BODY_NAME_FULL);
    char key[32];
    snprintf(key, sizeof key, "role.%s", m->role);
    char *role = kb_fill(p, s->host, key, code, NULL);
    const char *vars[] = {"name", m->name[lang],         "role", role ? role : m->role,
                          "body", body ? body : m->body, NULL};
    kb_say(p, s->host, "membership", code, vars, false);
    s->host->free(role);
}

/* Memberships the question names (at most max), longest alias first. */
static size_t lookup(const struct members *s, const char *folded, const struct membership **out,
                     size_t max)
{
    size_t found = 0;
    for (size_t i = 0; i < s->n && found < max; i++)
        for (size_t j = 0; j < s->m[i].n_aliases; j++)
            if (strlen(s->m[i].aliases[j]) >= 4 && has_phrase(folded, s->m[i].aliases[j])) {
                out[found++] = &s->m[i];
                break;
            }
    return found;
}

static int members_render(camas_plugin *p, void *state, const char *entry_id,
                          const camas_request *req)
{
    struct members *s = state;
    const kb_entry *e = kb_find(&s->k, entry_id);
    if (!e)
        return CAMAS_ERR_NOTFOUND;
    int lang = kb_lang(req->lang);
    /* "Is the Seattle police part of WashACT?": state the listed role first (a contact
     * person is no role in the body: "chaired by Torrance rather than Kyle Bois?") */
    char *folded = kb_fold(req->text);
    const struct membership *hits[2];
    size_t n = folded ? lookup(s, folded, hits, 2) : 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(hits[i]->role, "member") != 0 && strcmp(hits[i]->role, "contact") != 0)
            say_membership(s, p, hits[i], lang);
    free(folded);
    return kb_reply_text(p, s->host, e->answer[lang]);
}

static int members_command(camas_plugin *p, void *state, const char *name, const camas_request *req)
{
    struct members *s = state;
    (void)name;
    int lang = kb_lang(req->lang);
    char *arg = kb_fold(req->args);
    if (!arg)
        return CAMAS_ERR_NOMEM;
    int said = 0;
    static const char *const ids[] = {"task-force", "washact", "csec"};
    const char *body = NULL;
    for (int i = 0; i < 3 && *arg; i++) {
        char *nm = kb_fold(s->host->body_name(p, ids[i], lang ? "fr" : "en", CAMAS_BODY_NAME_FULL));
        if (strcmp(arg, ids[i]) == 0 || (nm && strstr(nm, arg) && strlen(arg) >= 4))
            body = ids[i];
        free(nm);
    }
    if (!body && (strcmp(arg, "esec") == 0 || strcmp(arg, "cstc") == 0))
        body = "csec";
    for (size_t i = 0; i < s->n; i++) {
        const struct membership *m = &s->m[i];
        bool hit = body ? strcmp(m->body, body) == 0 : false;
        for (size_t j = 0; !body && *arg && j < m->n_aliases && !hit; j++)
            hit = strstr(m->aliases[j], arg) != NULL || has_phrase(arg, m->aliases[j]);
        if (hit) {
            say_membership(s, p, m, lang);
            said++;
        }
    }
    if (!said) {
        const char *vars[] = {"name", req->args, NULL};
        kb_say(p, s->host, *arg ? "not-listed" : "usage", req->lang, vars, false);
    }
    free(arg);
    return 0;
}

static const camas_plugin_descriptor descriptor = {
    CAMAS_PLUGIN_DESCRIPTOR_HEADER, .name = "members",
    .version = PLUGIN_VERSION,      .init = members_init,
    .teardown = members_teardown,   .render = members_render,
    .command = members_command,
};

const camas_plugin_descriptor *camas_plugin_entry(void)
{
    return &descriptor;
}
