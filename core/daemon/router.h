/* The router decides whether a message is for camas and who answers it. Until the plugin
 * host exists, a built-in responder answers !ping and !help. */
#ifndef CAMAS_ROUTER_H
#define CAMAS_ROUTER_H

#include "event.h"

#include <stdbool.h>

typedef struct camas_answer {
    char *plain;
    char *html;         /* may be NULL: the plain text is escaped instead */
    const char *source; /* who answered ("builtin", a plugin name); static string */
} camas_answer;

void camas_answer_clear(camas_answer *a);

/* True when camas should consider answering m in its room: always in help rooms and direct
 * chats; in staff rooms only commands and messages that mention the bot. */
bool camas_router_addressed(const camas_message *m, const char *bot_user_id);

/* The message text with a leading mention of the bot ("camas: ", "@camas:hs ") removed. */
const char *camas_router_strip_address(const char *body, const char *bot_user_id);

struct camas_messages;

/* Produces the built-in answer for an addressed message (!ping, !help, unknown commands,
 * and a fallback when no plugins run), in the texts of msgs (NULL: the compiled ones).
 * plugin_help is extra !help text (plugin commands), may be NULL. Returns 1 with *out filled,
 * 0 when there is nothing to say, -1 when out of memory. */
int camas_router_answer(const camas_message *m, const char *bot_user_id, const char *plugin_help,
                        const char *lang, const struct camas_messages *msgs, camas_answer *out);

struct camas_plugin_host;
struct camas_safety;

/* Where an addressed message goes. */
typedef enum camas_route_kind {
    CAMAS_ROUTE_NONE,    /* nothing to say */
    CAMAS_ROUTE_BUILTIN, /* answered by the core: answer is filled */
    CAMAS_ROUTE_PLUGIN,  /* a plugin command (command/args) or a question (command empty) */
    CAMAS_ROUTE_ADMIN,   /* "!camas ...": args holds the rest */
} camas_route_kind;

typedef struct camas_route {
    camas_route_kind kind;
    bool danger;        /* the safety reply must go first, whatever else happens */
    char lang[3];       /* "en" or "fr": the language to answer in */
    char match_lang[3]; /* the language the question is written in (differs when forced) */
    bool lang_unsure;   /* nothing in the text says which language, and none was forced */
    const char *text;   /* the message without its leading mention (points into m->body) */
    char command[33];   /* plugin command name without '!' */
    const char *args;   /* text after the command word */
    camas_answer answer;
} camas_route;

/* Decides the route for an addressed message. host may be NULL (no plugins); its messages
 * (camas_plugin_host_messages) word the built-in answers. forced_lang
 * overrides detection when not NULL. Returns 0, or -1 when out of memory. */
int camas_router_route(const camas_message *m, const char *bot_user_id,
                       const struct camas_plugin_host *host, const struct camas_safety *safety,
                       const char *forced_lang, camas_route *out);
void camas_route_clear(camas_route *r);

#endif
