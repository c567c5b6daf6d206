/* Administration of a running camas: the one table of admin commands, the parser that turns
 * words into a request and the dispatcher that carries it out. Chat (!camas ...), the control
 * socket (camas ctl ...) and SIGHUP all go through here, so they accept the same spellings. */
#ifndef CAMAS_ADMIN_H
#define CAMAS_ADMIN_H

#include "matrix.h"
#include "plugins.h"
#include "store.h"

#include <stdbool.h>
#include <stddef.h>

typedef enum camas_admin_cmd {
    CAMAS_ADMIN_HELP,
    CAMAS_ADMIN_STATUS,
    CAMAS_ADMIN_PLUGINS,
    CAMAS_ADMIN_LOAD,
    CAMAS_ADMIN_RELOAD,
    CAMAS_ADMIN_UNLOAD,
    CAMAS_ADMIN_KNOWLEDGE_RELOAD,
} camas_admin_cmd;

/* Where a command comes from. Each command lists the places it may be run from; in chat only
 * the users listed in admins may run any (the control socket is the bot's own user's). */
enum {
    CAMAS_ADMIN_FROM_CHAT = 1,    /* !camas ... */
    CAMAS_ADMIN_FROM_CONTROL = 2, /* camas ctl ... over STATE_DIR/control.sock */
    CAMAS_ADMIN_FROM_SIGNAL = 4,  /* SIGHUP */
};

/* What SIGHUP runs (systemctl reload). */
#define CAMAS_ADMIN_SIGHUP_COMMAND "knowledge reload"

/* What a command takes after its name. */
typedef enum camas_admin_args {
    CAMAS_ADMIN_ARGS_NONE,
    CAMAS_ADMIN_ARGS_NAME,       /* a plugin NAME */
    CAMAS_ADMIN_ARGS_NAME_FORCE, /* a plugin NAME (or all), then optionally the word force */
} camas_admin_args;

#define CAMAS_ADMIN_MAX_SPELLINGS 3

typedef struct camas_admin_spec {
    camas_admin_cmd cmd;
    /* One or two words each, matched without regard to case; the first is the one shown in
     * the help, the others are aliases. NULL after the last. */
    const char *spellings[CAMAS_ADMIN_MAX_SPELLINGS + 1];
    const char *audit; /* one word, for the audit log */
    camas_admin_args args;
    const char *usage_args; /* as the help shows them: "NAME|all [force]" */
    unsigned from;          /* CAMAS_ADMIN_FROM_* */
    const char *help;
} camas_admin_spec;

/* The table, in the order the help lists it. */
const camas_admin_spec *camas_admin_commands(size_t *n);
const camas_admin_spec *camas_admin_spec_of(camas_admin_cmd cmd);

typedef struct camas_admin_request {
    camas_admin_cmd cmd;
    const camas_admin_spec *spec;
    char name[32]; /* the plugin NAME ("all" for every plugin), "" when the command takes none */
    bool force;
} camas_admin_request;

/* A command line as words. Returns 0, or -1 with a message in err that names what was wrong
 * and, for an unknown command, lists the valid ones. */
int camas_admin_parse_words(int n, const char *const *words, camas_admin_request *out, char *err,
                            size_t errlen);
/* The same for one line (split at blanks). */
int camas_admin_parse(const char *line, camas_admin_request *out, char *err, size_t errlen);
/* The request written back in its first spelling: "reload faq force". */
void camas_admin_format(const camas_admin_request *req, char *out, size_t outlen);

/* The commands that may be run from `from`, one line each with their aliases, each preceded
 * by prefix ("!camas ", "camas ctl "); malloc'd, NULL when memory ran out. */
char *camas_admin_help(const char *prefix, unsigned from);
/* The commands on one line, separated by sep: "help | status | plugins | load NAME ...". */
void camas_admin_synopsis(char *out, size_t outlen, const char *sep);

typedef enum camas_admin_outcome {
    CAMAS_ADMIN_SHOWN,   /* help, status, plugins: the text is the answer */
    CAMAS_ADMIN_DONE,    /* an action was carried out: the text sums it up */
    CAMAS_ADMIN_REFUSED, /* an action was refused or failed: the text says why */
    CAMAS_ADMIN_DENIED,  /* the sender may not administer camas: nothing was done */
    CAMAS_ADMIN_INVALID, /* not a valid command here: the text says why and lists the valid ones */
} camas_admin_outcome;

/* Runs exactly once per request, during the call or later on the event loop. */
typedef void (*camas_admin_done_fn)(void *ud, camas_admin_outcome outcome, const char *text);

typedef struct camas_admin_env {
    unsigned from;           /* CAMAS_ADMIN_FROM_* */
    const char *actor;       /* for the audit log: a user id, "local control socket", "SIGHUP" */
    bool allowed;            /* the actor may administer camas (in chat: listed in admins) */
    const char *prefix;      /* how commands are typed here, for the help: "!camas " */
    camas_plugin_host *host; /* NULL: plugins are disabled */
    camas_core *core;        /* for status (NULL: not available) */
    camas_store *st;         /* audits refused attempts (NULL: not audited) */
} camas_admin_env;

/* Parses line and runs it: what every way in uses. */
void camas_admin_run(const camas_admin_env *env, const char *line, camas_admin_done_fn done,
                     void *ud);
/* Runs a parsed request (env->allowed must be true). */
void camas_admin_dispatch(const camas_admin_env *env, const camas_admin_request *req,
                          camas_admin_done_fn done, void *ud);

#endif
