/* Small helpers shared by the core: growable buffers, URL encoding, clocks, random ids. */
#ifndef CAMAS_UTIL_H
#define CAMAS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef struct camas_buf {
    char *data; /* always NUL-terminated when len > 0 or after camas_buf_cstr() */
    size_t len;
    size_t cap;
} camas_buf;

/* Each returns 0, or -1 when memory ran out (the buffer keeps what it had). */
int camas_buf_append(camas_buf *b, const void *data, size_t len);
int camas_buf_puts(camas_buf *b, const char *s);
int camas_buf_printf(camas_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *camas_buf_cstr(camas_buf *b);
void camas_buf_reset(camas_buf *b);
void camas_buf_free(camas_buf *b);

/* strdup that accepts NULL (returns NULL). */
char *camas_strdup(const char *s);
/* Percent-encodes everything but RFC 3986 unreserved characters (for path segments). */
int camas_buf_urlenc(camas_buf *b, const char *s);

int64_t camas_now_ms(void);       /* wall clock, Unix milliseconds */
int64_t camas_monotonic_ms(void); /* for timers and rate limits */

/* Writes 2*nbytes lowercase hex characters of fresh randomness plus NUL into out. */
void camas_random_hex(char *out, size_t nbytes);

/* A JSON number from outside as an integer in [min, max]: false (out untouched) when v is
 * not a number, not finite or out of range. Converting first would be undefined behaviour
 * for 9e90 or 1e300. */
struct cJSON;
/* Bounds: timestamps up to the year 33658; Retry-After up to an hour. */
#define CAMAS_TS_MAX_MS          INT64_C(1000000000000000)
#define CAMAS_RETRY_AFTER_MAX_MS INT64_C(3600000)
bool camas_json_int(const struct cJSON *v, int64_t min, int64_t max, int64_t *out);

/* Case-insensitive ASCII substring search. */
bool camas_contains_ci(const char *hay, const char *needle);

#endif
