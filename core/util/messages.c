/* The texts camas says to chat users: the catalog (key, placeholders allowed, compiled
 * defaults) and the loader of knowledge/messages/messages.yaml. A text is data, never a
 * format string: placeholders are named ({command}) and filled here, and each message may
 * only use the ones its key allows. */
#include "messages.h"
#include "util.h"
#include "yaml_json.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
    HOTLINE = 1, /* must name the hotline, its text number and 911 */
    ONE = 2,     /* sent without knowing the reader's language: one text, not en/fr */
};

struct spec {
    const char *key;
    const char *placeholders; /* allowed names, space separated ("" none) */
    int flags;
    const char *text[2]; /* [0] English, [1] French */
};

/* The compiled defaults, byte for byte what knowledge/messages/messages.yaml ships. */
static const struct spec catalog[CAMAS_MSG_COUNT] = {
    [CAMAS_MSG_HELP_INTRO] =
        {"help.intro",
         "",
         0,
         {"I answer questions about Washington State's anti-trafficking bodies: the Task Force "
          "Against Trafficking of Persons, WashACT and the Statewide Coordinating Committee on "
          "Commercially Sexually Exploited Children (CSEC).",
          "Je réponds aux questions sur les organismes de l'État de Washington qui luttent contre "
          "la traite des personnes : le Groupe de travail contre la traite des personnes, WashACT "
          "et le Comité de coordination sur les enfants exploités sexuellement à des fins "
          "commerciales (CSEC)."}},
    [CAMAS_MSG_HELP_COMMANDS] = {"help.commands", "", 0, {"Commands:", "Commandes :"}},
    [CAMAS_MSG_HELP_HELP] = {"help.help", "", 0, {"!help - this text", "!help - ce texte"}},
    [CAMAS_MSG_HELP_PING] = {"help.ping",
                             "",
                             0,
                             {"!ping - check that I am listening",
                              "!ping - vérifier que je vous entends"}},
    [CAMAS_MSG_HELP_TAIL] = {"help.tail",
                             "",
                             0,
                             {"Or just ask a question in English or French.",
                              "Ou posez simplement votre question, en français ou en anglais."}},
    [CAMAS_MSG_PING_REPLY] = {"ping.reply", "", 0, {"pong", "pong"}},
    [CAMAS_MSG_COMMAND_UNKNOWN] =
        {"command.unknown",
         "command",
         0,
         {"I don't know the command {command}. Send !help to see what I can do.",
          "Je ne connais pas la commande {command}. Envoyez !help pour voir ce que je sais "
          "faire."}},
    [CAMAS_MSG_BUILTIN_FALLBACK] =
        {"builtin.fallback",
         "",
         0,
         {"I can't answer questions in my own words yet. Send !help to see what I can do.",
          "I can't answer questions in my own words yet. Send !help to see what I can do."}},
    [CAMAS_MSG_SAFETY_DANGER] =
        {"safety.danger",
         "",
         HOTLINE,
         {"If you or someone you know may be in danger or trafficked, you are not alone. Call 911 "
          "in an emergency. The National Human Trafficking Hotline is free, confidential and "
          "open 24 hours a day: call 1-888-373-7888 or text 233733.",
          "Si vous ou une personne que vous connaissez êtes peut-être en danger ou victime de la "
          "traite, vous n'êtes pas seul·e. Appelez le 911 en cas d'urgence. La ligne nationale "
          "contre la traite des êtres humains (National Human Trafficking Hotline) est gratuite, "
          "confidentielle et ouverte 24 h/24 : appelez le 1-888-373-7888 ou envoyez un SMS au "
          "233733."}},
    [CAMAS_MSG_SAFETY_FOOTER] =
        {"safety.footer",
         "",
         HOTLINE,
         {"If you or someone you know is in danger: National Human Trafficking Hotline "
          "1-888-373-7888 (text 233733), or 911 in an emergency.",
          "Si vous ou une personne que vous connaissez êtes en danger : ligne nationale contre la "
          "traite 1-888-373-7888 (SMS 233733), ou le 911 en cas d'urgence."}},
    [CAMAS_MSG_SAFETY_TOO_LONG] =
        {"safety.too_long",
         "",
         HOTLINE,
         {"Your message is too long for me to answer. Please ask your question in a few "
          "sentences. If you or someone you know is in danger: National Human Trafficking "
          "Hotline 1-888-373-7888 (text 233733), or 911 in an emergency.",
          "Votre message est trop long pour que je puisse y répondre. Posez votre question en "
          "quelques phrases. Si vous ou une personne que vous connaissez êtes en danger : ligne "
          "nationale contre la traite 1-888-373-7888 (SMS 233733), ou le 911 en cas d'urgence."}},
    [CAMAS_MSG_ANSWER_FAILED] =
        {"answer.failed",
         "",
         0,
         {"Sorry, something went wrong while I was preparing that answer. Please try again later.",
          "Désolé, un problème est survenu pendant que je préparais cette réponse. Veuillez "
          "réessayer plus tard."}},
    [CAMAS_MSG_ANSWER_ABSTAIN] =
        {"answer.abstain",
         "",
         0,
         {"I'm not sure I can answer that from what I know. I answer questions about the Task "
          "Force Against Trafficking of Persons, WashACT and the Statewide Coordinating Committee "
          "on Commercially Sexually Exploited Children (CSEC); send !help to see how to ask.",
          "Je ne suis pas sûr de pouvoir répondre à cela avec ce que je sais. Je réponds aux "
          "questions sur le Groupe de travail contre la traite des personnes, WashACT et le "
          "Comité de coordination sur les enfants exploités sexuellement à des fins commerciales "
          "(CSEC) ; envoyez !help pour voir comment poser une question."}},
    [CAMAS_MSG_CLARIFY_INTRO] = {"clarify.intro", "", 0, {"Did you mean:", "Vouliez-vous dire :"}},
    [CAMAS_MSG_CLARIFY_TAIL] = {"clarify.tail",
                                "",
                                0,
                                {"Reply with the number, or ask in other words.",
                                 "Répondez avec le numéro, ou posez la question autrement."}},
    [CAMAS_MSG_VERDICT_YES] = {"verdict.yes", "", 0, {"Yes", "Oui"}},
    [CAMAS_MSG_VERDICT_NO] = {"verdict.no", "", 0, {"No", "Non"}},
    [CAMAS_MSG_NOTICE_UNDECRYPTABLE] =
        {"notice.undecryptable",
         "",
         ONE,
         {"I could not decrypt a message here: its key has not reached me. I will answer once it "
          "does; if I do not, please send your question again.",
          NULL}},
    [CAMAS_MSG_ADMIN_DENIED] = {"admin.denied",
                                "",
                                ONE,
                                {"Sorry, only camas administrators can do that.", NULL}},
};

struct camas_messages {
    char *text[CAMAS_MSG_COUNT][2];
};

static int lang_index(const char *lang)
{
    return lang && strcmp(lang, "fr") == 0;
}

const char *camas_messages_key(camas_msg_id id)
{
    return id < CAMAS_MSG_COUNT ? catalog[id].key : "?";
}

const char *camas_messages_get(const camas_messages *m, camas_msg_id id, const char *lang)
{
    if (id >= CAMAS_MSG_COUNT)
        return "";
    int fr = catalog[id].flags & ONE ? 0 : lang_index(lang);
    const char *t = m ? m->text[id][fr] : NULL;
    return t ? t : catalog[id].text[fr];
}

void camas_messages_free(camas_messages *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < CAMAS_MSG_COUNT; i++)
        for (int k = 0; k < 2; k++)
            free(m->text[i][k]);
    free(m);
}

/* ---- placeholders --------------------------------------------------------------------- */

/* The placeholder at p ('{' followed by a name and '}'): its name's length, or 0 when p does
 * not start one. */
static size_t placeholder_len(const char *p)
{
    size_t n = 0;
    while ((p[1 + n] >= 'a' && p[1 + n] <= 'z') || p[1 + n] == '_')
        n++;
    return n > 0 && n <= 32 && p[1 + n] == '}' ? n : 0;
}

/* Is name (n bytes) one of the space-separated names in allowed? */
static bool allowed_name(const char *allowed, const char *name, size_t n)
{
    for (const char *a = allowed; *a;) {
        size_t al = strcspn(a, " ");
        if (al == n && strncmp(a, name, n) == 0)
            return true;
        a += al;
        while (*a == ' ')
            a++;
    }
    return false;
}

int camas_messages_fill(const camas_messages *m, camas_msg_id id, const char *lang,
                        const char *const *vars, camas_buf *out)
{
    const char *t = camas_messages_get(m, id, lang);
    int rc = 0;
    while (*t && rc == 0) {
        size_t lit = strcspn(t, "{");
        rc |= camas_buf_append(out, t, lit);
        t += lit;
        if (!*t)
            break;
        size_t n = placeholder_len(t);
        if (t[1] == '{' || n == 0) { /* "{{", or a brace that starts no placeholder */
            rc |= camas_buf_append(out, "{", 1);
            t += t[1] == '{' ? 2 : 1;
            continue;
        }
        for (const char *const *v = vars; v && v[0] && v[1]; v += 2)
            if (strlen(v[0]) == n && strncmp(v[0], t + 1, n) == 0) {
                rc |= camas_buf_puts(out, v[1]);
                break;
            }
        t += n + 2;
    }
    /* even an empty result leaves out holding a C string */
    camas_buf_cstr(out);
    return rc || !out->data ? -1 : 0;
}

/* ---- validation ----------------------------------------------------------------------- */

struct load {
    const char *name;
    char *err;
    size_t errlen;
};

static int fail(struct load *l, const cJSON *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct load *l, const cJSON *node, const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(l->err, l->errlen, "%s:%d: %s", l->name, node ? camas_yaml_key_line(node) : 1, what);
    return -1;
}

/* Length of the valid UTF-8 sequence at s, or 0 (overlong forms, surrogates and code
 * points past U+10FFFF are invalid). */
static size_t utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xc2 && s[0] <= 0xdf   ? 2
               : s[0] >= 0xe0 && s[0] <= 0xef ? 3
               : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                              : 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
        return 0;
    return n;
}

/* One text of one message: well-formed, placeholders allowed, the hotline kept. */
static int check_text(struct load *l, const cJSON *node, const struct spec *s, const char *lang)
{
    const char *t = node->valuestring;
    size_t len = strlen(t);
    if (len > CAMAS_MESSAGE_MAX)
        return fail(l, node, "'%s'%s is %zu bytes long; at most %d", s->key, lang, len,
                    CAMAS_MESSAGE_MAX);
    if (strspn(t, " \t\n") == len)
        return fail(l, node, "'%s'%s is empty; expected the text camas sends", s->key, lang);
    for (const unsigned char *p = (const unsigned char *)t; *p;) {
        size_t n = utf8_len(p);
        if (n == 0)
            return fail(l, node, "'%s'%s is not valid UTF-8 (byte %zu); save the file as UTF-8",
                        s->key, lang, (size_t)(p - (const unsigned char *)t) + 1);
        if (n == 1 && *p < 0x20 && *p != '\n' && *p != '\t')
            return fail(l, node, "'%s'%s contains a control character (byte %zu)", s->key, lang,
                        (size_t)(p - (const unsigned char *)t) + 1);
        p += n;
    }
    for (const char *p = strchr(t, '{'); p; p = strchr(p, '{')) {
        if (p[1] == '{') {
            p += 2;
            continue;
        }
        size_t n = placeholder_len(p);
        if (n == 0)
            return fail(l, node,
                        "'%s'%s: a '{' must start a placeholder such as {command} (write {{ for "
                        "a brace)",
                        s->key, lang);
        if (!allowed_name(s->placeholders, p + 1, n)) {
            if (!*s->placeholders)
                return fail(l, node, "'%s'%s: unknown placeholder {%.*s}; this message takes none",
                            s->key, lang, (int)n, p + 1);
            return fail(l, node, "'%s'%s: unknown placeholder {%.*s}; this message allows {%s}",
                        s->key, lang, (int)n, p + 1, s->placeholders);
        }
        p += n + 2;
    }
    if (s->flags & HOTLINE) {
        const char *need[] = {CAMAS_HOTLINE_PHONE, CAMAS_HOTLINE_SMS, CAMAS_EMERGENCY};
        for (size_t i = 0; i < 3; i++)
            if (!strstr(t, need[i]))
                return fail(l, node,
                            "'%s'%s must give the hotline " CAMAS_HOTLINE_PHONE
                            ", its text number " CAMAS_HOTLINE_SMS " and " CAMAS_EMERGENCY
                            "; %s is missing",
                            s->key, lang, need[i]);
    }
    return 0;
}

static const char *node_kind(const cJSON *n)
{
    return cJSON_IsString(n) ? "a text" : cJSON_IsArray(n) ? "a list" : "a mapping";
}

/* One key of the file into m. */
static int load_one(struct load *l, const cJSON *item, camas_messages *m)
{
    size_t id = 0;
    while (id < CAMAS_MSG_COUNT && strcmp(catalog[id].key, item->string) != 0)
        id++;
    if (id == CAMAS_MSG_COUNT)
        return fail(l, item,
                    "unknown message '%s'; expected one of the keys listed in "
                    "docs/knowledge-format.md (\"Messages\")",
                    item->string);
    const struct spec *s = &catalog[id];
    if (s->flags & ONE) {
        if (!cJSON_IsString(item))
            return fail(l, item,
                        "'%s': expected one text (camas sends it without knowing the reader's "
                        "language), found %s",
                        s->key, node_kind(item));
        if (check_text(l, item, s, ""))
            return -1;
        m->text[id][0] = strdup(item->valuestring);
        return m->text[id][0] ? 0 : fail(l, item, "out of memory");
    }
    if (!cJSON_IsObject(item))
        return fail(l, item, "'%s': expected 'en' and 'fr' texts, found %s", s->key,
                    node_kind(item));
    static const char *const langs[2] = {"en", "fr"};
    const cJSON *sub;
    cJSON_ArrayForEach(sub, item)
    {
        if (strcmp(sub->string, "en") && strcmp(sub->string, "fr"))
            return fail(l, sub, "'%s': unknown language '%s'; expected 'en' and 'fr'", s->key,
                        sub->string);
    }
    for (int k = 0; k < 2; k++) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(item, langs[k]);
        char where[8];
        snprintf(where, sizeof where, " (%s)", langs[k]);
        if (!t)
            return fail(l, item, "'%s' has no '%s' text; expected both 'en' and 'fr'", s->key,
                        langs[k]);
        if (!cJSON_IsString(t))
            return fail(l, t, "'%s'%s: expected a text, found %s", s->key, where, node_kind(t));
        if (check_text(l, t, s, where))
            return -1;
        m->text[id][k] = strdup(t->valuestring);
        if (!m->text[id][k])
            return fail(l, t, "out of memory");
    }
    return 0;
}

int camas_messages_parse(const char *text, size_t len, const char *name, camas_messages **out,
                         char *err, size_t errlen)
{
    *out = NULL;
    struct load l = {name, err, errlen};
    cJSON *doc = camas_yaml_parse(text, len, name, err, errlen);
    if (!doc)
        return -1;
    camas_messages *m = calloc(1, sizeof *m);
    int rc = m ? 0 : fail(&l, doc, "out of memory");
    if (rc == 0 && !cJSON_IsObject(doc))
        rc = fail(&l, doc, "expected a mapping of message keys (help.intro: …), found %s",
                  node_kind(doc));
    const cJSON *item;
    if (rc == 0)
        cJSON_ArrayForEach(item, doc)
        {
            if ((rc = load_one(&l, item, m)) != 0)
                break;
        }
    for (size_t id = 0; rc == 0 && id < CAMAS_MSG_COUNT; id++)
        if (!m->text[id][0])
            rc = fail(&l, doc,
                      "'%s' is missing; every message must be given (copy it from the shipped "
                      "knowledge/messages/messages.yaml)",
                      catalog[id].key);
    cJSON_Delete(doc);
    if (rc) {
        camas_messages_free(m);
        return -1;
    }
    *out = m;
    return 1;
}

/* Anything in the messages folder that looks like a messages file but is not the one read:
 * staff who write en.yaml should hear that camas ignores it. */
static int stray_files(const char *dir, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        bool yaml = (n > 5 && strcmp(e->d_name + n - 5, ".yaml") == 0) ||
                    (n > 4 && strcmp(e->d_name + n - 4, ".yml") == 0);
        if (yaml && e->d_name[0] != '.' && strcmp(e->d_name, "messages.yaml") != 0) {
            snprintf(err, errlen,
                     "%s/%s:1: unknown file; camas reads only messages.yaml in this folder", dir,
                     e->d_name);
            rc = -1;
        }
    }
    closedir(d);
    return rc;
}

int camas_messages_load(const char *knowledge_dir, camas_messages **out, char *err, size_t errlen)
{
    *out = NULL;
    if (errlen)
        err[0] = '\0';
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/%s", knowledge_dir, CAMAS_MESSAGES_DIR);
    snprintf(path, sizeof path, "%s/%s", knowledge_dir, CAMAS_MESSAGES_FILE);
    struct stat sb;
    if (stat(dir, &sb) != 0 && errno == ENOENT)
        return 0;
    if (stat(path, &sb) != 0) {
        snprintf(err, errlen, "%s:1: cannot read (%s); expected the messages file here", path,
                 strerror(errno));
        return -1;
    }
    if (stray_files(dir, err, errlen))
        return -1;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s:1: cannot open: %s", path, strerror(errno));
        return -1;
    }
    camas_buf b = {0};
    char chunk[8192];
    size_t got;
    int rc = 0;
    while (rc == 0 && (got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        rc = camas_buf_append(&b, chunk, got);
        if (b.len > 256 * 1024) {
            snprintf(err, errlen, "%s:1: larger than 256 KiB; this is not a messages file", path);
            rc = -1;
        }
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "%s:1: cannot read", path);
        rc = -1;
    } else if (rc && !err[0]) {
        snprintf(err, errlen, "%s: out of memory", path);
    }
    fclose(f);
    if (rc == 0)
        rc = camas_messages_parse(b.data ? b.data : "", b.len, path, out, err, errlen) < 0 ? -1 : 1;
    camas_buf_free(&b);
    return rc;
}
