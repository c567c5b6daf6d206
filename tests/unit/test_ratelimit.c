/* Unit tests for token-bucket rate limits and exponential back-off. */
#include "backoff.h"
#include "check.h"
#include "ratelimit.h"

#include <sodium.h>
#include <stdlib.h>

int main(void)
{
    CHECK(sodium_init() >= 0);
    camas_ratelimit *rl = camas_ratelimit_new(3);
    int64_t t = 1000000;
    CHECK(camas_ratelimit_take(rl, "@a", t));
    CHECK(camas_ratelimit_take(rl, "@a", t));
    CHECK(camas_ratelimit_take(rl, "@a", t));
    CHECK(!camas_ratelimit_take(rl, "@a", t));         /* burst used up */
    CHECK(camas_ratelimit_take(rl, "@b", t));          /* independent key */
    CHECK(!camas_ratelimit_take(rl, "@a", t + 19000)); /* 0.95 token */
    CHECK(camas_ratelimit_take(rl, "@a", t + 20000));  /* one token per 20 s */
    CHECK(!camas_ratelimit_take(rl, "@a", t + 20001));

    /* A flood of distinct keys: buckets that refilled are dropped, memory stays bounded. */
    char key[32];
    for (int i = 0; i < 100000; i++) {
        snprintf(key, sizeof key, "@flood%d", i);
        camas_ratelimit_take(rl, key, t + 100000 + (int64_t)i * 100);
    }
    CHECK(camas_ratelimit_size(rl) < 2000);
    camas_ratelimit_free(rl);

    camas_ratelimit *off = camas_ratelimit_new(0);
    for (int i = 0; i < 1000; i++)
        CHECK(camas_ratelimit_take(off, "@a", t));
    camas_ratelimit_free(off);

    camas_backoff b = {100, 1000, 0};
    int64_t d0 = camas_backoff_next(&b), d1 = camas_backoff_next(&b);
    CHECK(d0 >= 50 && d0 <= 100);
    CHECK(d1 >= 100 && d1 <= 200);
    for (int i = 0; i < 100; i++) {
        int64_t d = camas_backoff_next(&b);
        CHECK((d >= 500 && d <= 1000) || i < 3);
    }
    camas_backoff_reset(&b);
    d0 = camas_backoff_next(&b);
    CHECK(d0 >= 50 && d0 <= 100);
    return check_done("ratelimit");
}
