/* Logging to stderr with a level threshold. The threshold is the one process-wide setting
 * outside the core context: it is written once before the loop starts and only read after. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int log_threshold = CAMAS_LOG_INFO;
static int log_format = CAMAS_LOG_TEXT;
static const char *const level_names[] = {"error", "warn", "info", "debug"};
static const char *const format_names[] = {"text", "journal", "json"};
/* syslog priorities, as the journal reads them from a "<N>" prefix */
static const int journal_priority[] = {3, 4, 6, 7};

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

int camas_log_format_parse(const char *name)
{
    for (int i = 0; i < 3; i++)
        if (name && strcmp(name, format_names[i]) == 0)
            return i;
    return -1;
}

const char *camas_log_format_name(int format)
{
    return format >= 0 && format < 3 ? format_names[format] : "text";
}

int camas_log_default_format(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    if (js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(2, &st) == 0 &&
        (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino)
        return CAMAS_LOG_JOURNAL;
    return CAMAS_LOG_TEXT;
}

void camas_log_set_format(int format)
{
    log_format = format;
}

int camas_log_get_format(void)
{
    return log_format;
}

/* msg as a JSON string body (quotes, backslashes and control characters escaped). */
static void json_escape(char *out, size_t cap, const char *msg)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)msg; *p && o + 7 < cap; p++) {
        if (*p == '"' || *p == '\\') {
            out[o++] = '\\';
            out[o++] = (char)*p;
        } else if (*p < 0x20) {
            o += (size_t)snprintf(out + o, cap - o, "\\u%04x", *p);
        } else {
            out[o++] = (char)*p;
        }
    }
    out[o] = '\0';
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
    if (log_format == CAMAS_LOG_JOURNAL) {
        fprintf(stderr, "<%d>%s: %s\n", journal_priority[level], area, line);
    } else if (log_format == CAMAS_LOG_JSON) {
        char esc[6 * sizeof line];
        json_escape(esc, sizeof esc, line);
        fprintf(stderr,
                "{\"time\":\"%s.%03ldZ\",\"level\":\"%s\",\"area\":\"%s\",\"message\":\"%s\"}\n",
                stamp, ts.tv_nsec / 1000000, level_names[level], area, esc);
    } else {
        fprintf(stderr, "%s.%03ldZ %s %s: %s\n", stamp, ts.tv_nsec / 1000000, level_names[level],
                area, line);
    }
}
