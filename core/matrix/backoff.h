/* Exponential back-off with jitter for reconnects and retries. */
#ifndef CAMAS_BACKOFF_H
#define CAMAS_BACKOFF_H

#include <stdint.h>

typedef struct camas_backoff {
    int64_t base_ms;
    int64_t cap_ms;
    unsigned attempt;
} camas_backoff;

/* Next delay: uniform in [d/2, d] with d = min(cap, base * 2^attempt); attempt advances. */
int64_t camas_backoff_next(camas_backoff *b);
void camas_backoff_reset(camas_backoff *b);

#endif
