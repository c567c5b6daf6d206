/* Administration of a running camas: the table of admin commands (names, aliases, arguments,
 * help, where each may be run from), the parser and the dispatcher shared by chat, the
 * control socket and SIGHUP. */
#include "admin.h"
#include "log.h"
#include "messages.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FROM_ADMINS (CAMAS_ADMIN_FROM_CHAT | CAMAS_ADMIN_FROM_CONTROL)

static const camas_admin_spec commands[] = {
    {.cmd = CAMAS_ADMIN_HELP,
     .spellings = {"help"},
     .audit = "help",
     .args = CAMAS_ADMIN_ARGS_NONE,
     .usage_args = "",
     .from = FROM_ADMINS,
     .help = "list these commands"},
    {.cmd = CAMAS_ADMIN_STATUS,
     .spellings = {"status"},
     .audit = "status",
     .args = CAMAS_ADMIN_ARGS_NONE,
     .usage_args = "",
     .from = FROM_ADMINS,
     .help = "the bot's state: transport, sync, rooms, outbox, worker, plugins, knowledge"},
    {.cmd = CAMAS_ADMIN_PLUGINS,
     .spellings = {"plugins"},
     .audit = "plugins",
     .args = CAMAS_ADMIN_ARGS_NONE,
     .usage_args = "",
     .from = FROM_ADMINS,
     .help = "the loaded plugins: versions, SHA-256, rooms, commands"},
    {.cmd = CAMAS_ADMIN_LOAD,
     .spellings = {"load"},
     .audit = "load",
     .args = CAMAS_ADMIN_ARGS_NAME_FORCE,
     .usage_args = "NAME [force]",
     .from = FROM_ADMINS,
     .help = "verify and load plugin NAME (force: even an older version)"},
    {.cmd = CAMAS_ADMIN_RELOAD,
     .spellings = {"reload"},
     .audit = "reload",
     .args = CAMAS_ADMIN_ARGS_NAME_FORCE,
     .usage_args = "NAME|all [force]",
     .from = FROM_ADMINS,
     .help = "verify and load NAME again, or every loaded plugin"},
    {.cmd = CAMAS_ADMIN_UNLOAD,
     .spellings = {"unload"},
     .audit = "unload",
     .args = CAMAS_ADMIN_ARGS_NAME,
     .usage_args = "NAME",
     .from = FROM_ADMINS,
     .help = "remove plugin NAME and everything it registered"},
    {.cmd = CAMAS_ADMIN_KNOWLEDGE_RELOAD,
     .spellings = {"knowledge reload", "knowledge-reload"},
     .audit = "knowledge-reload",
     .args = CAMAS_ADMIN_ARGS_NONE,
     .usage_args = "",
     .from = FROM_ADMINS | CAMAS_ADMIN_FROM_SIGNAL,
     .help = "reload the knowledge, then every plugin (as SIGHUP does)"},
};

#define N_COMMANDS (sizeof commands / sizeof *commands)
#define MAX_WORDS  16
#define LINE_MAX_  512

const camas_admin_spec *camas_admin_commands(size_t *n)
{
    *n = N_COMMANDS;
    return commands;
}

const camas_admin_spec *camas_admin_spec_of(camas_admin_cmd cmd)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (commands[i].cmd == cmd)
            return &commands[i];
    return NULL;
}

/* ---- parsing ----------------------------------------------------------------------------- */

void camas_admin_synopsis(char *out, size_t outlen, const char *sep)
{
    size_t used = 0;
    if (outlen)
        out[0] = '\0';
    for (size_t i = 0; i < N_COMMANDS && used < outlen; i++) {
        const camas_admin_spec *s = &commands[i];
        int n = snprintf(out + used, outlen - used, "%s%s%s%s", i ? sep : "", s->spellings[0],
                         *s->usage_args ? " " : "", s->usage_args);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

/* How many leading words of words[] spell the one- or two-word spelling sp (0: no match). */
static int match_spelling(const char *sp, int n, const char *const *words)
{
    const char *space = strchr(sp, ' ');
    size_t first = space ? (size_t)(space - sp) : strlen(sp);
    if (n < 1 || strlen(words[0]) != first || strncasecmp(words[0], sp, first))
        return 0;
    if (!space)
        return 1;
    return n >= 2 && strcasecmp(words[1], space + 1) == 0 ? 2 : 0;
}

/* True when word is the first word of some two-word spelling ("knowledge"). */
static bool starts_a_spelling(const char *word)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        for (const char *const *sp = commands[i].spellings; *sp; sp++) {
            const char *space = strchr(*sp, ' ');
            if (space && strlen(word) == (size_t)(space - *sp) &&
                strncasecmp(word, *sp, (size_t)(space - *sp)) == 0)
                return true;
        }
    return false;
}

/* A plugin's name, as manifests have it: lowercase letters, digits, dashes and underscores. */
static bool plugin_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 31)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return false;
    return true;
}

static int parse_error(char *err, size_t errlen, const camas_admin_spec *s, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Writes fmt's message to err, then the usage of s, or every command when s is NULL. */
static int parse_error(char *err, size_t errlen, const camas_admin_spec *s, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (s) {
        snprintf(err, errlen, "%s (usage: %s%s%s)", what, s->spellings[0],
                 *s->usage_args ? " " : "", s->usage_args);
    } else {
        char all[512];
        camas_admin_synopsis(all, sizeof all, " | ");
        snprintf(err, errlen, "%s. Valid commands: %s", what, all);
    }
    return -1;
}

int camas_admin_parse_words(int n, const char *const *words, camas_admin_request *out, char *err,
                            size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (errlen)
        err[0] = '\0';
    if (n < 1)
        return parse_error(err, errlen, NULL, "no command given");
    const camas_admin_spec *spec = NULL;
    int used = 0;
    for (size_t i = 0; i < N_COMMANDS; i++)
        for (const char *const *sp = commands[i].spellings; *sp; sp++) {
            int k = match_spelling(*sp, n, words);
            if (k > used) {
                used = k;
                spec = &commands[i];
            }
        }
    if (!spec) {
        if (n >= 2 && starts_a_spelling(words[0]))
            return parse_error(err, errlen, NULL, "unknown command '%.63s %.63s'", words[0],
                               words[1]);
        return parse_error(err, errlen, NULL, "unknown command '%.63s'", words[0]);
    }
    out->cmd = spec->cmd;
    out->spec = spec;
    const char *const *rest = words + used;
    int left = n - used;
    if (spec->args != CAMAS_ADMIN_ARGS_NONE) {
        if (left < 1)
            return parse_error(err, errlen, spec, "'%s' needs a plugin NAME", spec->spellings[0]);
        if (!plugin_name_ok(rest[0]))
            return parse_error(err, errlen, spec,
                               "'%.63s' is not a plugin name (lowercase letters, digits, dashes "
                               "and underscores, at most 31)",
                               rest[0]);
        snprintf(out->name, sizeof out->name, "%s", rest[0]);
        rest++;
        left--;
    }
    if (spec->args == CAMAS_ADMIN_ARGS_NAME_FORCE && left >= 1 &&
        strcasecmp(rest[0], "force") == 0) {
        out->force = true;
        rest++;
        left--;
    }
    if (left > 0)
        return parse_error(err, errlen, spec, "unexpected '%.63s' after '%s'", rest[0],
                           spec->spellings[0]);
    return 0;
}

int camas_admin_parse(const char *line, camas_admin_request *out, char *err, size_t errlen)
{
    char buf[LINE_MAX_];
    const char *words[MAX_WORDS];
    int n = 0;
    if (strlen(line) >= sizeof buf) {
        memset(out, 0, sizeof *out);
        snprintf(err, errlen, "the command is too long (at most %d bytes)", LINE_MAX_ - 1);
        return -1;
    }
    memcpy(buf, line, strlen(line) + 1);
    char *save = NULL;
    for (char *w = strtok_r(buf, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
        if (n == MAX_WORDS) {
            memset(out, 0, sizeof *out);
            snprintf(err, errlen, "too many words (at most %d)", MAX_WORDS);
            return -1;
        }
        words[n++] = w;
    }
    return camas_admin_parse_words(n, words, out, err, errlen);
}

void camas_admin_format(const camas_admin_request *req, char *out, size_t outlen)
{
    const camas_admin_spec *s = req->spec ? req->spec : camas_admin_spec_of(req->cmd);
    snprintf(out, outlen, "%s%s%s%s", s ? s->spellings[0] : "", req->name[0] ? " " : "", req->name,
             req->force ? " force" : "");
}

char *camas_admin_help(const char *prefix, unsigned from)
{
    size_t width = 0;
    char usage[N_COMMANDS][96];
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const camas_admin_spec *s = &commands[i];
        snprintf(usage[i], sizeof usage[i], "%s%s%s%s", prefix, s->spellings[0],
                 *s->usage_args ? " " : "", s->usage_args);
        if ((s->from & from) && strlen(usage[i]) > width)
            width = strlen(usage[i]);
    }
    camas_buf b = {0};
    camas_buf_puts(&b, "Admin commands, the same in chat (!camas COMMAND, admins only) and "
                       "locally (camas ctl COMMAND):");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const camas_admin_spec *s = &commands[i];
        if (!(s->from & from))
            continue;
        camas_buf_printf(&b, "\n  %-*s  %s", (int)width, usage[i], s->help);
        for (int a = 1; s->spellings[a]; a++)
            camas_buf_printf(&b, "%s%s", a == 1 ? "; also spelt " : ", ", s->spellings[a]);
    }
    if (!camas_buf_cstr(&b)) {
        camas_buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* ---- dispatching ------------------------------------------------------------------------- */

/* A plugin host action under way: its completion becomes the request's outcome. The host
 * reports some failures through the callback during the call and others (out of memory)
 * only by its return value, so both are watched. */
struct action {
    camas_admin_done_fn done;
    void *ud;
    bool returned, called;
};

static void on_action(void *ud, bool ok, const char *summary)
{
    struct action *a = ud;
    a->called = true;
    a->done(a->ud, ok ? CAMAS_ADMIN_DONE : CAMAS_ADMIN_REFUSED, summary ? summary : "");
    if (a->returned)
        free(a);
}

static void action_returned(struct action *a, int rc, bool result_may_follow)
{
    a->returned = true;
    if (a->called) {
        free(a);
    } else if (rc != 0 && !result_may_follow) {
        a->done(a->ud, CAMAS_ADMIN_REFUSED, "the action could not start (out of memory)");
        free(a);
    }
}

static void shown(camas_admin_done_fn done, void *ud, char *text)
{
    if (text)
        done(ud, CAMAS_ADMIN_SHOWN, text);
    else
        done(ud, CAMAS_ADMIN_REFUSED, "out of memory");
    free(text);
}

void camas_admin_dispatch(const camas_admin_env *env, const camas_admin_request *req,
                          camas_admin_done_fn done, void *ud)
{
    const camas_admin_spec *s = req->spec ? req->spec : camas_admin_spec_of(req->cmd);
    if (!s || !(s->from & env->from)) {
        char all[512], text[700];
        camas_admin_synopsis(all, sizeof all, " | ");
        snprintf(text, sizeof text, "'%s' cannot be run from here. Valid commands: %s",
                 s ? s->spellings[0] : "?", all);
        done(ud, CAMAS_ADMIN_INVALID, text);
        return;
    }
    switch (s->cmd) {
    case CAMAS_ADMIN_HELP:
        shown(done, ud, camas_admin_help(env->prefix ? env->prefix : "", env->from));
        return;
    case CAMAS_ADMIN_STATUS:
        if (!env->core)
            done(ud, CAMAS_ADMIN_REFUSED, "the bot's status is not available here");
        else
            shown(done, ud, camas_core_status(env->core));
        return;
    default:
        break;
    }
    if (!env->host) {
        done(ud, CAMAS_ADMIN_REFUSED, "plugins are disabled (no trusted plugin keys)");
        return;
    }
    if (s->cmd == CAMAS_ADMIN_PLUGINS) {
        shown(done, ud, camas_plugin_host_describe(env->host));
        return;
    }
    struct action *a = calloc(1, sizeof *a);
    if (!a) {
        done(ud, CAMAS_ADMIN_REFUSED, "out of memory");
        return;
    }
    a->done = done;
    a->ud = ud;
    int rc;
    /* "all" queues one load per plugin and reports the last: an earlier refusal makes rc
     * non-zero while the last one's result is still to come. */
    bool may_follow = false;
    switch (s->cmd) {
    case CAMAS_ADMIN_LOAD:
    case CAMAS_ADMIN_RELOAD:
        may_follow = strcmp(req->name, "all") == 0;
        rc = camas_plugin_host_load(env->host, req->name, env->actor, req->force, on_action, a);
        break;
    case CAMAS_ADMIN_UNLOAD:
        rc = camas_plugin_host_unload(env->host, req->name, env->actor, on_action, a);
        break;
    default: /* CAMAS_ADMIN_KNOWLEDGE_RELOAD */
        /* A part whose files have an error is refused and keeps its previous knowledge. */
        rc = camas_plugin_host_reload_knowledge(env->host, env->actor, on_action, a);
        break;
    }
    action_returned(a, rc, may_follow);
}

void camas_admin_run(const camas_admin_env *env, const char *line, camas_admin_done_fn done,
                     void *ud)
{
    camas_admin_request req;
    char err[1024];
    int rc = camas_admin_parse(line, &req, err, sizeof err);
    if (!env->allowed) {
        /* Refused whatever was asked, and audited under the command's name when it has one. */
        char first[32] = "";
        sscanf(line, "%31s", first);
        log_warn("admin", "%s is not an admin: refused '%s'", env->actor, line);
        if (env->st)
            camas_store_audit(env->st, env->actor,
                              rc == 0  ? req.spec->audit
                              : *first ? first
                                       : "admin",
                              rc == 0 ? req.name : "", "", "", "denied", "not an admin");
        done(ud, CAMAS_ADMIN_DENIED,
             camas_messages_get(camas_plugin_host_messages(env->host), CAMAS_MSG_ADMIN_DENIED,
                                NULL));
        return;
    }
    if (rc) {
        done(ud, CAMAS_ADMIN_INVALID, err);
        return;
    }
    char canon[128];
    camas_admin_format(&req, canon, sizeof canon);
    log_info("admin", "%s: %s", env->actor, canon);
    camas_admin_dispatch(env, &req, done, ud);
}
