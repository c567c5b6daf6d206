/* Token-bucket rate limits keyed by a string (a user id or a room id). */
#ifndef CAMAS_RATELIMIT_H
#define CAMAS_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct camas_ratelimit camas_ratelimit;

/* per_minute == 0 means unlimited. */
camas_ratelimit *camas_ratelimit_new(long per_minute);
void camas_ratelimit_free(camas_ratelimit *rl);
/* Takes one token for key at time now_ms; false when the key is over its limit. */
bool camas_ratelimit_take(camas_ratelimit *rl, const char *key, int64_t now_ms);
size_t camas_ratelimit_size(const camas_ratelimit *rl);

#endif
