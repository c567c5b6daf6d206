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

/* Produces the answer for an addressed message. Returns 1 with *out filled, 0 when there is
 * nothing to say, -1 when out of memory. */
int camas_router_answer(const camas_message *m, const char *bot_user_id, camas_answer *out);

#endif
