/* Exponential back-off with "equal jitter": spreads reconnecting clients apart while still
 * guaranteeing at least half the nominal delay. */
#include "backoff.h"

#include <sodium.h>

int64_t camas_backoff_next(camas_backoff *b)
{
    int64_t d = b->base_ms;
    for (unsigned i = 0; i < b->attempt && d < b->cap_ms; i++)
        d *= 2;
    if (d > b->cap_ms)
        d = b->cap_ms;
    if (b->attempt < 64)
        b->attempt++;
    int64_t half = d / 2;
    return half + (int64_t)randombytes_uniform((uint32_t)(d - half + 1));
}

void camas_backoff_reset(camas_backoff *b)
{
    b->attempt = 0;
}
