/* Conversation context (see convo.h): a small table of askers, the least recently used
 * replaced when full, expired entries wiped as they are met. */
#include "convo.h"

#include "text.h"
#include "worker_protocol.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS       256
#define MAX_OPTIONS 3

struct slot {
    char *key; /* room '\n' user '\n' thread; NULL = free */
    char *question;
    char *options[MAX_OPTIONS];
    int64_t at_ms;
};

struct camas_convo {
    struct slot slots[SLOTS];
    char *context; /* the last string returned by camas_convo_context */
};

camas_convo *camas_convo_new(void)
{
    return calloc(1, sizeof(camas_convo));
}

static void slot_clear(struct slot *s)
{
    free(s->key);
    free(s->question);
    for (int i = 0; i < MAX_OPTIONS; i++)
        free(s->options[i]);
    memset(s, 0, sizeof *s);
}

void camas_convo_free(camas_convo *c)
{
    if (!c)
        return;
    for (int i = 0; i < SLOTS; i++)
        slot_clear(&c->slots[i]);
    free(c->context);
    free(c);
}

static char *make_key(const char *room, const char *user, const char *thread)
{
    size_t n = strlen(room) + strlen(user) + (thread ? strlen(thread) : 0) + 3;
    char *k = malloc(n);
    if (k)
        snprintf(k, n, "%s\n%s\n%s", room, user, thread ? thread : "");
    return k;
}

/* The asker's live slot, or NULL; expired slots met on the way are wiped. */
static struct slot *find(camas_convo *c, const char *key, int64_t now_ms)
{
    struct slot *hit = NULL;
    for (int i = 0; i < SLOTS; i++) {
        struct slot *s = &c->slots[i];
        if (!s->key)
            continue;
        if (now_ms - s->at_ms > CAMAS_CONVO_TTL_MS || now_ms < s->at_ms - CAMAS_CONVO_TTL_MS)
            slot_clear(s);
        else if (strcmp(s->key, key) == 0)
            hit = s;
    }
    return hit;
}

int camas_convo_choice(const char *text)
{
    static const char *const filler[] = {"option", "number", "numero", "no",    "n",      "nr",
                                         "num",    "choice", "choix",  "le",    "la",     "the",
                                         "i",      "want",   "je",     "veux",  "prends", "ok",
                                         "please", "svp",    "stp",    "merci", "thanks"};
    static const char *const words[][4] = {{"1", "one", "first", "premier"},
                                           {"2", "two", "second", "deuxieme"},
                                           {"3", "three", "third", "troisieme"}};
    static const char *const more[][3] = {
        {"un", "une", "premiere"}, {"deux", "seconde", "2nd"}, {"trois", "3rd", "3e"}};
    char norm[128];
    long n = camas_text_normalize(text, strnlen(text, 100), norm, sizeof norm);
    if (n <= 0 || n >= 100)
        return 0;
    int choice = 0;
    char *save = NULL;
    for (char *w = strtok_r(norm, " .,;:!?#()-", &save); w;
         w = strtok_r(NULL, " .,;:!?#()-", &save)) {
        int k = 0;
        for (int i = 0; i < 3 && !k; i++) {
            for (int j = 0; j < 4 && !k; j++)
                if (strcmp(w, words[i][j]) == 0)
                    k = i + 1;
            for (int j = 0; j < 3 && !k; j++)
                if (strcmp(w, more[i][j]) == 0)
                    k = i + 1;
        }
        if (k) {
            if (choice)
                return 0; /* two numbers: not a choice */
            choice = k;
            continue;
        }
        bool fill = false;
        for (size_t i = 0; i < sizeof filler / sizeof filler[0] && !fill; i++)
            fill = strcmp(w, filler[i]) == 0;
        if (!fill)
            return 0;
    }
    return choice;
}

const char *camas_convo_context(camas_convo *c, const char *room, const char *user,
                                const char *thread, const char *text, int64_t now_ms)
{
    if (!c || !room || !user || !text)
        return NULL;
    char *key = make_key(room, user, thread);
    if (!key)
        return NULL;
    struct slot *s = find(c, key, now_ms);
    free(key);
    free(c->context);
    c->context = NULL;
    if (!s)
        return NULL;
    int k = s->options[0] ? camas_convo_choice(text) : 0;
    const char *what = k && s->options[k - 1] ? s->options[k - 1] : s->question;
    if (!what)
        return NULL;
    const char *prefix = k && s->options[k - 1] ? CAMAS_IPC_CONTEXT_PICK : CAMAS_IPC_CONTEXT_PREV;
    size_t n = strlen(prefix) + strlen(what) + 1;
    if ((c->context = malloc(n)))
        snprintf(c->context, n, "%s%s", prefix, what);
    return c->context;
}

void camas_convo_note(camas_convo *c, const char *room, const char *user, const char *thread,
                      const char *understood, const char *options, int64_t now_ms)
{
    if (!c || !room || !user)
        return;
    char *key = make_key(room, user, thread);
    if (!key)
        return;
    struct slot *s = find(c, key, now_ms);
    if (!s) {
        struct slot *oldest = &c->slots[0];
        for (int i = 0; i < SLOTS; i++) {
            if (!c->slots[i].key) {
                oldest = &c->slots[i];
                break;
            }
            if (c->slots[i].at_ms < oldest->at_ms)
                oldest = &c->slots[i];
        }
        s = oldest;
        slot_clear(s);
        s->key = key;
    } else {
        free(key);
    }
    free(s->question);
    s->question = understood && *understood ? strdup(understood) : NULL;
    for (int i = 0; i < MAX_OPTIONS; i++) {
        free(s->options[i]);
        s->options[i] = NULL;
    }
    for (int i = 0; options && *options && i < MAX_OPTIONS; i++) {
        const char *nl = strchr(options, '\n');
        size_t len = nl ? (size_t)(nl - options) : strlen(options);
        s->options[i] = strndup(options, len);
        options = nl ? nl + 1 : options + len;
    }
    s->at_ms = now_ms;
}
