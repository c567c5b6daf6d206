/* Short-lived conversation context per asker (room, user, thread): the previous question and
 * the options of a clarification ("Did you mean: 1. … 2. …"), so that "2" or "and for
 * WashACT?" are understood. Kept in memory only, for CAMAS_CONVO_TTL_MS, never written
 * anywhere: no user id outlives its context. */
#ifndef CAMAS_CONVO_H
#define CAMAS_CONVO_H

#include <stddef.h>
#include <stdint.h>

#define CAMAS_CONVO_TTL_MS (5 * 60 * 1000)

typedef struct camas_convo camas_convo;

camas_convo *camas_convo_new(void);
void camas_convo_free(camas_convo *c);

/* The context for a new question text from this asker, as the worker expects it
 * (camas_question.context): "pick:ENTRY" when text chooses an option of the clarification
 * just offered ("2", "option 2", "la deuxième"), "prev:QUESTION" when there is a recent
 * previous question, else NULL. The string lives until the next call on c. thread may be
 * NULL. */
const char *camas_convo_context(camas_convo *c, const char *room, const char *user,
                                const char *thread, const char *text, int64_t now_ms);

/* Records what was understood of the asker's latest question and the options offered
 * (entry ids separated by '\n', NULL when none). */
void camas_convo_note(camas_convo *c, const char *room, const char *user, const char *thread,
                      const char *understood, const char *options, int64_t now_ms);

/* Which option (1-based) text chooses, 0 when it does not read as a choice. */
int camas_convo_choice(const char *text);

#endif
