/* The texts camas says to chat users: the catalog (key, placeholders allowed, compiled
 * defaults) and the loader of knowledge/messages/messages.yaml. A text is data, never a
 * format string: placeholders are named ({command}) and filled here, and each message may
 * only use the ones its key allows. */
#include "messages.h"
#include "templates.h"
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

enum { HOTLINE = CAMAS_TPL_HOTLINE, ONE = CAMAS_TPL_ONE };

/* The compiled defaults, byte for byte what knowledge/messages/messages.yaml ships. */
static const camas_tpl_spec specs[CAMAS_MSG_COUNT] = {
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
    [CAMAS_MSG_VERDICT_CONTRADICTS] = {"verdict.contradicts", "", 0, {"Yes", "Si"}},
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

static const camas_tpl_catalog catalog = {specs, CAMAS_MSG_COUNT,
                                          "docs/knowledge-format.md (\"Messages\")",
                                          "knowledge/messages/messages.yaml"};

/* A loaded set is the engine's, under the name the rest of the core knows it by. */
struct camas_messages {
    camas_tpl *tpl;
};

const char *camas_messages_key(camas_msg_id id)
{
    return id < CAMAS_MSG_COUNT ? specs[id].key : "?";
}

const char *camas_messages_get(const camas_messages *m, camas_msg_id id, const char *lang)
{
    return camas_tpl_get(&catalog, m ? m->tpl : NULL, id, lang);
}

int camas_messages_fill(const camas_messages *m, camas_msg_id id, const char *lang,
                        const char *const *vars, camas_buf *out)
{
    return camas_tpl_fill(&catalog, m ? m->tpl : NULL, id, lang, vars, out);
}

void camas_messages_free(camas_messages *m)
{
    if (!m)
        return;
    camas_tpl_free(m->tpl);
    free(m);
}

static int wrap(camas_tpl *t, camas_messages **out)
{
    *out = t ? calloc(1, sizeof **out) : NULL;
    if (!*out) {
        camas_tpl_free(t);
        return -1;
    }
    (*out)->tpl = t;
    return 1;
}

int camas_messages_parse(const char *text, size_t len, const char *name, camas_messages **out,
                         char *err, size_t errlen)
{
    *out = NULL;
    camas_tpl *t = NULL;
    if (camas_tpl_parse(&catalog, text, len, name, &t, err, errlen) < 0)
        return -1;
    if (wrap(t, out) < 0) {
        snprintf(err, errlen, "%s: out of memory", name);
        return -1;
    }
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
    camas_tpl *t = NULL;
    int rc = camas_tpl_load(&catalog, path, path, &t, err, errlen);
    if (rc == 0) {
        snprintf(err, errlen, "%s:1: cannot read (%s); expected the messages file here", path,
                 strerror(ENOENT));
        return -1;
    }
    if (rc < 0)
        return -1;
    if (wrap(t, out) < 0) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    return 1;
}
