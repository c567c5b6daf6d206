/* libFuzzer target: iCalendar files as the meetings plugin reads them (staff export them from
 * their calendar program into knowledge/meetings/). The plugin's own code is compiled in here
 * with a stand-in host: its init parses the input with libical (opened by dlopen as in the
 * worker) and checks it; when accepted, "when is the next meeting", "the meetings this year"
 * and !meetings are answered at a few moments (recurrence rules, exceptions, moved and
 * cancelled instances, time zones, dates at the edges of the calendar). Checks: no crash or
 * sanitizer report in the plugin (libical itself is not instrumented), every reply a
 * non-empty string. */
/* what plugins/meson.build passes the meetings plugin (scripts/fuzz builds without meson) */
#ifndef LIBICAL_SONAME
#define LIBICAL_SONAME "libical.so.3"
#endif
#define PLUGIN_VERSION "fuzz"
#include "../../plugins/meetings/meetings.c"
#include "templates.h"
#include "util.h"
#include "yaml_json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../support/plugin_host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *cal_data;
static size_t cal_size;

static const char meetings_yaml[] = "meetings:\n"
                                    "  - body: washact\n"
                                    "    cadence: {en: quarterly, fr: trimestriel}\n"
                                    "    timezone: America/Los_Angeles\n"
                                    "    calendar: fuzz.ics\n"
                                    "  - body: csec\n"
                                    "    timezone: America/New_York\n"
                                    "    calendar: fuzz.ics\n";

static int h_reply(camas_plugin *p, const char *plain, const char *html)
{
    (void)p;
    (void)html;
    if (!plain || !*plain)
        abort();
    return 0;
}

static void h_log(camas_plugin *p, int level, const char *fmt, ...)
{
    (void)p;
    (void)level;
    (void)fmt;
}

static char *h_read(camas_plugin *p, const char *rel, size_t *len, int *err)
{
    (void)p;
    if (strcmp(rel, "meetings/fuzz.ics") != 0) {
        *err = CAMAS_ERR_NOTFOUND;
        return NULL;
    }
    char *text = malloc(cal_size + 1);
    if (!text)
        return NULL;
    memcpy(text, cal_data, cal_size);
    text[cal_size] = '\0';
    *len = cal_size;
    return text;
}

static cJSON *h_yaml(camas_plugin *p, const char *rel, int *err)
{
    (void)p;
    (void)rel;
    char why[256];
    cJSON *doc = camas_yaml_parse(meetings_yaml, strlen(meetings_yaml), rel, why, sizeof why);
    if (!doc)
        abort();
    *err = 0;
    return doc;
}

static int h_list(camas_plugin *p, const char *suffix, char ***names)
{
    (void)p;
    (void)suffix;
    *names = calloc(2, sizeof **names);
    if (!*names)
        return CAMAS_ERR_NOMEM;
    (*names)[0] = strdup("meetings.yaml");
    return (*names)[0] ? 1 : CAMAS_ERR_NOMEM;
}

static int h_error(camas_plugin *p, const char *rel, int line, const char *fmt, ...)
{
    (void)p;
    (void)rel;
    (void)line;
    (void)fmt;
    return CAMAS_ERR_DATA;
}

static int h_warning(camas_plugin *p, const char *rel, int line, const char *fmt, ...)
{
    (void)p, (void)rel, (void)line, (void)fmt;
    return 0;
}

static const char *h_body_name(camas_plugin *p, const char *body, const char *lang,
                               enum camas_body_name_form form)
{
    (void)p, (void)lang;
    if (strcmp(body, "washact") == 0)
        return form == CAMAS_BODY_NAME_SHORT ? "WashACT" : "Washington Advisory Committee";
    if (strcmp(body, "csec") == 0)
        return form == CAMAS_BODY_NAME_SHORT ? "CSEC" : "CSEC Statewide Coordinating Committee";
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cal_data = data;
    cal_size = size;
    static char handle;
    camas_plugin *p = (camas_plugin *)&handle; /* opaque to the plugin: any non-NULL pointer */
    void *state = NULL;
    int rc = meetings_init(p, &stand_in_host, &state);
    struct meetings *s = state;
    if (rc == 0 && s) {
        /* 2026-03-01 and 1970-01-01; both languages and !meetings at the first. (Later
         * moments are left out: each answer walks every rule from its start, a thousand
         * steps a century for a monthly one, and fuzzing slowed to a few inputs a second.) */
        static const int64_t moments[] = {1772323200000, 0};
        for (size_t m = 0; m < sizeof moments / sizeof moments[0]; m++) {
            for (int l = 0; l < (m == 0 ? 2 : 1); l++) {
                camas_request req = {.text = l ? "les réunions cette année" : "meetings this year",
                                     .lang = l ? "fr" : "en",
                                     .now_ms = moments[m],
                                     .args = ""};
                for (size_t i = 0; i < s->n; i++) {
                    if (!s->b[i].calendar)
                        continue;
                    meetings_render(p, state, s->b[i].entry_id, &req);
                    meetings_render(p, state, s->b[i].upcoming_id, &req);
                }
                if (m == 0)
                    meetings_command(p, state, "meetings", &req);
            }
        }
    }
    meetings_teardown(p, state);
    return 0;
}
