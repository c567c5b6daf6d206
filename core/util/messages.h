/* The texts camas itself says to chat users (!help, the hotline message, "I'm not sure…",
 * "Did you mean…", …), read from knowledge/messages/messages.yaml so staff can edit them, with
 * the same texts compiled in as the fallback. Both programs read the file: the core for the
 * texts it sends, the worker for its own; a file that does not load cleanly is refused whole
 * (the caller keeps its last good set). */
#ifndef CAMAS_MESSAGES_H
#define CAMAS_MESSAGES_H

#include "templates.h"

#include <stddef.h>

/* Every message, in the order of the catalog in messages.c. */
typedef enum camas_msg_id {
    CAMAS_MSG_HELP_INTRO,           /* !help: what camas answers about */
    CAMAS_MSG_HELP_COMMANDS,        /* !help: the title of the command list */
    CAMAS_MSG_HELP_HELP,            /* !help: the line for !help */
    CAMAS_MSG_HELP_PING,            /* !help: the line for !ping */
    CAMAS_MSG_HELP_TAIL,            /* !help: the last line */
    CAMAS_MSG_PING_REPLY,           /* !ping */
    CAMAS_MSG_COMMAND_UNKNOWN,      /* !something nobody handles; {command} */
    CAMAS_MSG_BUILTIN_FALLBACK,     /* a question when no plugin host runs */
    CAMAS_MSG_SAFETY_DANGER,        /* the hotline message, first */
    CAMAS_MSG_SAFETY_FOOTER,        /* the hotline after an answer */
    CAMAS_MSG_SAFETY_TOO_LONG,      /* a message over the size cap */
    CAMAS_MSG_ANSWER_FAILED,        /* a plugin crashed or hung */
    CAMAS_MSG_ANSWER_ABSTAIN,       /* nothing confident enough (worker) */
    CAMAS_MSG_CLARIFY_INTRO,        /* "Did you mean:" (worker) */
    CAMAS_MSG_CLARIFY_TAIL,         /* after the options (worker) */
    CAMAS_MSG_VERDICT_YES,          /* "Yes" before an answer (worker) */
    CAMAS_MSG_VERDICT_NO,           /* "No" before an answer (worker) */
    CAMAS_MSG_VERDICT_CONTRADICTS,  /* French "Si": yes to a claim said in the negative */
    CAMAS_MSG_NOTICE_UNDECRYPTABLE, /* an encrypted message camas cannot decrypt yet */
    CAMAS_MSG_ADMIN_DENIED,         /* !camas from someone who is not an admin */
    CAMAS_MSG_COUNT
} camas_msg_id;

/* Where the file lives, relative to the knowledge directory. */
#define CAMAS_MESSAGES_DIR  "messages"
#define CAMAS_MESSAGES_FILE "messages/messages.yaml"
/* The hotline numbers every safety text keeps, and CAMAS_MESSAGE_MAX, are the engine's. */

/* A loaded set; immutable once loaded. NULL everywhere means the compiled defaults. */
typedef struct camas_messages camas_messages;

/* Reads KNOWLEDGE_DIR/messages/messages.yaml. Returns 1 with *out set (the file's texts), 0
 * with *out NULL when there is no messages directory (the compiled defaults, said nowhere:
 * fresh installs and older knowledge trees have none), or -1 with "FILE:LINE: what was
 * expected" in err and *out NULL. */
int camas_messages_load(const char *knowledge_dir, camas_messages **out, char *err, size_t errlen);
/* The same on the bytes of a file called name (tests, fuzzing). 1 or -1. */
int camas_messages_parse(const char *text, size_t len, const char *name, camas_messages **out,
                         char *err, size_t errlen);
void camas_messages_free(camas_messages *m);

/* The text of id in lang ("fr" for French, anything else English) from m, or the compiled
 * default when m is NULL. Never NULL. Texts with placeholders go through camas_messages_fill. */
const char *camas_messages_get(const camas_messages *m, camas_msg_id id, const char *lang);
/* The stable key of id in the file ("help.intro"). */
const char *camas_messages_key(camas_msg_id id);

/* Appends the text of id to out with each {name} replaced by its value: vars holds name,
 * value pairs and ends with NULL. A placeholder without a value becomes empty (the loader
 * refuses placeholders a message does not allow, so only a caller's mistake gets here);
 * "{{" is a literal "{". Returns 0, or -1 when memory ran out. */
struct camas_buf;
int camas_messages_fill(const camas_messages *m, camas_msg_id id, const char *lang,
                        const char *const *vars, struct camas_buf *out);

#endif
