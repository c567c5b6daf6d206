/* Logging: one line per record on stderr: "TIME LEVEL AREA: message"; under systemd, when
 * stderr is the journal, "<PRIORITY>AREA: message" (the journal keeps the time and maps the
 * priority); with log.format: json, one JSON object per line. */
#ifndef CAMAS_LOG_H
#define CAMAS_LOG_H

enum camas_log_level { CAMAS_LOG_ERROR = 0, CAMAS_LOG_WARN, CAMAS_LOG_INFO, CAMAS_LOG_DEBUG };

/* Parses "error", "warn", "info", "debug"; returns -1 for anything else. */
int camas_log_level_parse(const char *name);
/* Set once at start-up, before the event loop runs. */
void camas_log_set_level(int level);
int camas_log_get_level(void);

enum camas_log_format { CAMAS_LOG_TEXT = 0, CAMAS_LOG_JOURNAL, CAMAS_LOG_JSON };
/* Parses "text", "journal", "json"; -1 for anything else. */
int camas_log_format_parse(const char *name);
const char *camas_log_format_name(int format);
/* Text, or journal when stderr is the journal (JOURNAL_STREAM names it, as systemd sets it
 * for a service whose StandardError= is the journal). */
int camas_log_default_format(void);
/* Set once at start-up, like the level (and handed to the worker: --log-format). */
void camas_log_set_format(int format);
int camas_log_get_format(void);

void camas_log(int level, const char *area, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_error(area, ...) camas_log(CAMAS_LOG_ERROR, area, __VA_ARGS__)
#define log_warn(area, ...)  camas_log(CAMAS_LOG_WARN, area, __VA_ARGS__)
#define log_info(area, ...)  camas_log(CAMAS_LOG_INFO, area, __VA_ARGS__)
#define log_debug(area, ...) camas_log(CAMAS_LOG_DEBUG, area, __VA_ARGS__)

#endif
