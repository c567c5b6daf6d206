/* Token buckets in an open-addressing table. A bucket that has refilled completely carries no
 * information, so such buckets are dropped whenever the table needs room: memory stays
 * proportional to the number of recently active keys, however many keys a flood invents. */
#include "ratelimit.h"

#include <stdlib.h>
#include <string.h>

struct bucket {
    char *key; /* NULL: free slot */
    double tokens;
    int64_t last_ms;
};

struct camas_ratelimit {
    double capacity;
    double per_ms;
    struct bucket *slots;
    size_t cap; /* power of two */
    size_t used;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

camas_ratelimit *camas_ratelimit_new(long per_minute)
{
    camas_ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
    rl->capacity = (double)per_minute;
    rl->per_ms = (double)per_minute / 60000.0;
    rl->cap = 64;
    rl->slots = calloc(rl->cap, sizeof *rl->slots);
    if (!rl->slots) {
        free(rl);
        return NULL;
    }
    return rl;
}

void camas_ratelimit_free(camas_ratelimit *rl)
{
    if (!rl)
        return;
    for (size_t i = 0; i < rl->cap; i++)
        free(rl->slots[i].key);
    free(rl->slots);
    free(rl);
}

static double refilled(const camas_ratelimit *rl, const struct bucket *b, int64_t now_ms)
{
    double t = b->tokens + (double)(now_ms - b->last_ms) * rl->per_ms;
    return t > rl->capacity ? rl->capacity : t;
}

/* Re-inserts live buckets into a table of new_cap slots, dropping full ones. */
static int rebuild(camas_ratelimit *rl, size_t new_cap, int64_t now_ms)
{
    struct bucket *slots = calloc(new_cap, sizeof *slots);
    if (!slots)
        return -1;
    size_t used = 0;
    for (size_t i = 0; i < rl->cap; i++) {
        struct bucket *b = &rl->slots[i];
        if (!b->key)
            continue;
        if (refilled(rl, b, now_ms) >= rl->capacity) {
            free(b->key);
            continue;
        }
        size_t j = hash_str(b->key) & (new_cap - 1);
        while (slots[j].key)
            j = (j + 1) & (new_cap - 1);
        slots[j] = *b;
        used++;
    }
    free(rl->slots);
    rl->slots = slots;
    rl->cap = new_cap;
    rl->used = used;
    return 0;
}

bool camas_ratelimit_take(camas_ratelimit *rl, const char *key, int64_t now_ms)
{
    if (rl->capacity <= 0)
        return true;
    size_t i = hash_str(key) & (rl->cap - 1);
    while (rl->slots[i].key && strcmp(rl->slots[i].key, key) != 0)
        i = (i + 1) & (rl->cap - 1);
    struct bucket *b = &rl->slots[i];
    if (!b->key) {
        if ((rl->used + 1) * 4 > rl->cap * 3) {
            /* Either step failing means no memory: fail open rather than silence everyone. */
            if (rebuild(rl, rl->cap, now_ms))
                return true;
            if ((rl->used + 1) * 2 > rl->cap && rebuild(rl, rl->cap * 2, now_ms))
                return true;
            return camas_ratelimit_take(rl, key, now_ms);
        }
        char *copy = strdup(key);
        if (!copy)
            return true; /* out of memory: fail open rather than silence everyone */
        b->key = copy;
        b->tokens = rl->capacity;
        b->last_ms = now_ms;
        rl->used++;
    }
    b->tokens = refilled(rl, b, now_ms);
    b->last_ms = now_ms;
    if (b->tokens < 1.0)
        return false;
    b->tokens -= 1.0;
    return true;
}

size_t camas_ratelimit_size(const camas_ratelimit *rl)
{
    return rl->used;
}
