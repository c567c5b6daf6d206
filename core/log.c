/* Logging to stderr with a level threshold. The threshold is the one process-wide setting
 * outside the core context: it is written once before the loop starts and only read after. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int log_threshold = CAMAS_LOG_INFO;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

int camas_log_level_parse(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (name && strcmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

void camas_log_set_level(int level)
{
    log_threshold = level;
}

int camas_log_get_level(void)
{
    return log_threshold;
}

void camas_log(int level, const char *area, const char *fmt, ...)
{
    if (level > log_threshold)
        return;
    char stamp[32];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* One fprintf per record so concurrent writers (the plugin worker) do not interleave. */
    fprintf(stderr, "%s.%03ldZ %s %s: %s\n", stamp, ts.tv_nsec / 1000000, level_names[level], area,
            line);
}
