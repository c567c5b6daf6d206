/* Unit tests of the meetings plugin's recurrence rule check (plugins/meetings/rrule.c) and of
 * what the plugin does with a rule it refuses: libical 3.0 searched up to the year 20000 (or
 * forever) for rules that never or seldom match, stalling the worker (fuzz_calendar,
 * tests/fuzz/corpus/calendar/calendar-libical-rrule-hang.ics). Behaviour only, no timings:
 * refused rules are never handed to libical here, accepted ones are, and must expand. */
#ifndef LIBICAL_SONAME
#define LIBICAL_SONAME "libical.so.3"
#endif
#define PLUGIN_VERSION "test"
#include "../../plugins/meetings/meetings.c"
#include "check.h"
#include "yaml_json.h"

#include <stdarg.h>
#include "../support/plugin_host.h"

static bool ok(const char *dtstart, const char *rrule, char *why, size_t whylen)
{
    struct icalrecurrencetype r = icalrecurrencetype_from_string(rrule);
    return camas_meetings_rrule_ok(&r, icaltime_from_string(dtstart), why, whylen);
}

/* Refused, with a reason containing want. */
static void refused(const char *dtstart, const char *rrule, const char *want)
{
    char why[300] = "";
    bool accepted = ok(dtstart, rrule, why, sizeof why);
    CHECK(!accepted);
    CHECK(strstr(why, want) != NULL);
    if (accepted || !strstr(why, want))
        fprintf(stderr, "  %s from %s: %s\n", rrule, dtstart, accepted ? "accepted" : why);
}

/* Accepted, and libical expands it: its first occurrence is first (NULL: none). */
static void accepted(const char *dtstart, const char *rrule, const char *first)
{
    char why[300] = "";
    bool yes = ok(dtstart, rrule, why, sizeof why);
    CHECK(yes);
    if (!yes) {
        fprintf(stderr, "  %s from %s refused: %s\n", rrule, dtstart, why);
        return;
    }
    icalrecur_iterator *it = icalrecur_iterator_new(icalrecurrencetype_from_string(rrule),
                                                    icaltime_from_string(dtstart));
    CHECK(it != NULL);
    if (!it)
        return;
    struct icaltimetype t = icalrecur_iterator_next(it);
    if (first)
        CHECK_STR(icaltime_as_ical_string(t), first);
    else /* none: it ended before its start */
        CHECK(icaltime_is_null_time(t));
    icalrecur_iterator_free(it);
}

static void test_rules(void)
{
    const char *start = "20250114T100000";
    const char *never = "selects no date at all";
    /* the fuzzer's rule, and the other ways of asking for a day that never comes */
    refused(start, "FREQ=MONTHLY;BYDAY=6TU;UNTIL=20251231T235959Z", never);
    refused(start, "FREQ=MONTHLY;BYDAY=-6TU", never);
    refused(start, "FREQ=MONTHLY;BYDAY=6TU;COUNT=3", never);
    refused(start, "FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30", never);
    refused(start, "FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31", never);
    refused(start, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", never);
    refused(start, "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31", never);
    refused(start, "FREQ=DAILY;BYMONTHDAY=-1", never); /* libical compares the value as is */
    refused(start, "FREQ=DAILY;BYDAY=1MO", never);     /* likewise the encoded weekday */
    refused(start, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;INTERVAL=4", never); /* 2025, 2029... */
    refused(start, "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6", never);
    refused(start, "FREQ=MONTHLY;BYMONTHDAY=1;BYDAY=FR;BYSETPOS=2", never);
    refused(start, "FREQ=YEARLY;BYDAY=MO;BYSETPOS=60", never);
    refused(start, "FREQ=MONTHLY;INTERVAL=12;BYMONTH=3", never); /* always January */
    /* too seldom, or searched a second, minute or hour at a time */
    refused(start, "FREQ=DAILY;BYMONTH=6;BYHOUR=1,2,3,4,5,6,7,8,9,10;BYMINUTE=0,1,2,3,4,5",
            "days apart");
    refused(start, "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30", "more often than daily");
    refused(start, "FREQ=MINUTELY;BYMONTH=12", "more often than daily");
    refused(start, "FREQ=SECONDLY;BYHOUR=9", "more often than daily");
    refused(start, "FREQ=YEARLY;BYWEEKNO=53", "BYWEEKNO");
    refused(start, "FREQ=YEARLY;BYYEARDAY=366", "BYYEARDAY");
    refused("15000114T100000", "FREQ=MONTHLY;BYDAY=2TU", "before 1583");

    /* what meetings calendars hold, and the edges that still expand quickly */
    accepted(start, "FREQ=MONTHLY;BYDAY=2TU", "20250114T100000");
    accepted(start, "FREQ=MONTHLY;BYDAY=5TU", "20250429T100000");
    accepted(start, "FREQ=MONTHLY;BYDAY=-1FR", "20250131T100000");
    accepted(start, "FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR", "20250613T100000");
    accepted(start, "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "20250131T100000");
    accepted("20250121T090000", "FREQ=YEARLY;BYMONTH=1,4,7,10;BYDAY=3TU", "20250121T090000");
    accepted("20250131T100000", "FREQ=MONTHLY", "20250131T100000");
    accepted(start, "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO", "20440229T100000");
    accepted("20240101T100000", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;INTERVAL=100",
             "20240229T100000");
    accepted(start, "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH", "20250114T100000");
    accepted(start, "FREQ=WEEKLY;INTERVAL=52;BYMONTH=2;BYDAY=MO",
             "22810228T100000"); /* 364 days a step: 256 steps to reach February */
    accepted(start, "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=5", "20250114T100000");
    accepted(start, "FREQ=MONTHLY;INTERVAL=32000", "20250114T100000");
    accepted(start, "FREQ=DAILY;INTERVAL=32000", "20250114T100000");
    accepted("25800114T100000", "FREQ=MONTHLY;BYDAY=2TU", "25800208T100000");
    accepted(start, "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20240101T000000Z", NULL);
}

/* The plugin with a stand-in host: the calendar below as knowledge/meetings/t.ics. */
static const char *calendar_text;
static char logged[4096];
static char replied[4096];

static int h_reply(camas_plugin *p, const char *plain, const char *html)
{
    (void)p, (void)html;
    strncat(replied, plain, sizeof replied - strlen(replied) - 1);
    return 0;
}

static void h_log(camas_plugin *p, int level, const char *fmt, ...)
{
    (void)p, (void)level;
    va_list ap;
    va_start(ap, fmt);
    size_t n = strlen(logged);
    vsnprintf(logged + n, sizeof logged - n, fmt, ap);
    va_end(ap);
    strncat(logged, "\n", sizeof logged - strlen(logged) - 1);
}

static char *h_read(camas_plugin *p, const char *rel, size_t *len, int *err)
{
    (void)p;
    if (strcmp(rel, "meetings/t.ics") != 0) {
        *err = CAMAS_ERR_NOTFOUND;
        return NULL;
    }
    *len = strlen(calendar_text);
    return strdup(calendar_text);
}

static cJSON *h_yaml(camas_plugin *p, const char *rel, int *err)
{
    (void)p;
    static const char yaml[] = "meetings:\n  - body: washact\n    timezone: America/Los_Angeles\n"
                               "    calendar: t.ics\n";
    char why[256];
    *err = 0;
    return camas_yaml_parse(yaml, strlen(yaml), rel, why, sizeof why);
}

static int h_list(camas_plugin *p, const char *suffix, char ***names)
{
    (void)p, (void)suffix;
    *names = calloc(2, sizeof **names);
    (*names)[0] = strdup("meetings.yaml");
    return 1;
}

/* Appends "PREFIX FILE:LINE: message" to the log. */
__attribute__((format(printf, 4, 0))) static void
log_knowledge(const char *prefix, const char *rel, int line, const char *fmt, va_list ap)
{
    size_t n = strlen(logged);
    snprintf(logged + n, sizeof logged - n, "%s %s:%d: ", prefix, rel, line);
    n = strlen(logged);
    vsnprintf(logged + n, sizeof logged - n, fmt, ap);
}

static int h_error(camas_plugin *p, const char *rel, int line, const char *fmt, ...)
{
    (void)p;
    va_list ap;
    va_start(ap, fmt);
    log_knowledge("ERROR", rel, line, fmt, ap);
    va_end(ap);
    return CAMAS_ERR_DATA;
}

/* Logged as the worker logs it: "knowledge/FILE:LINE: message". */
static int h_warning(camas_plugin *p, const char *rel, int line, const char *fmt, ...)
{
    (void)p;
    char path[300];
    snprintf(path, sizeof path, "knowledge/%s", rel);
    va_list ap;
    va_start(ap, fmt);
    log_knowledge("WARN", path, line, fmt, ap);
    va_end(ap);
    strncat(logged, "\n", sizeof logged - strlen(logged) - 1);
    return 0;
}

static const char *h_body_name(camas_plugin *p, const char *body, const char *lang,
                               enum camas_body_name_form form)
{
    (void)p, (void)body, (void)lang, (void)form;
    return "WashACT";
}

/* Loads text as the body's calendar and asks for the next meeting on 2025-01-01. */
static int load_and_ask(const char *text)
{
    static char handle;
    camas_plugin *p = (camas_plugin *)&handle;
    calendar_text = text;
    logged[0] = replied[0] = '\0';
    void *state = NULL;
    int rc = meetings_init(p, &stand_in_host, &state);
    struct meetings *s = state;
    camas_request req = {.text = "next meeting", .lang = "en", .now_ms = 1735689600000, .args = ""};
    if (rc == 0 && s->n == 1 && s->b[0].calendar)
        meetings_render(p, state, s->b[0].entry_id, &req);
    meetings_teardown(p, state);
    return rc;
}

static void test_plugin_drops_only_the_bad_event(void)
{
    static const char text[] =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//camas//test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:never@camas.test\r\nDTSTAMP:20250101T000000Z\r\n"
        "DTSTART:20250107T180000Z\r\n"
        "RRULE:FREQ=MONTHLY;BYDAY=6TU;UNTIL=20251231T235959Z\r\n" /* line 8 */
        "SUMMARY:Never\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:member@camas.test\r\nDTSTAMP:20250101T000000Z\r\n"
        "DTSTART:20250114T180000Z\r\nRRULE:FREQ=MONTHLY;BYDAY=2TU\r\n"
        "SUMMARY:Member meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    CHECK(load_and_ask(text) == 0);
    CHECK(strstr(logged, "WARN knowledge/meetings/t.ics:8: recurrence rule "
                         "'RRULE:FREQ=MONTHLY;BYDAY=6TU;UNTIL=20251231T235959Z' refused: it "
                         "selects no date at all") != NULL);
    CHECK(strstr(logged, "its event 'Never' is left out") != NULL);
    CHECK(strstr(logged, "ERROR") == NULL);
    CHECK(strstr(replied, "January 14, 2025") != NULL);
    CHECK(strstr(replied, "Member meeting") != NULL);
    if (!strstr(replied, "January 14, 2025") || !strstr(logged, "t.ics:8:"))
        fprintf(stderr, "  log: %s  reply: %s\n", logged, replied);
}

static void test_plugin_drops_a_time_zone_with_a_bad_rule(void)
{
    static const char text[] =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//camas//test//EN\r\n"
        "BEGIN:VTIMEZONE\r\nTZID:America/Los_Angeles\r\n"
        "BEGIN:STANDARD\r\nDTSTART:19701101T020000\r\n"
        "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30\r\n" /* line 8 */
        "TZOFFSETFROM:-0700\r\nTZOFFSETTO:-0800\r\nTZNAME:PST\r\nEND:STANDARD\r\n"
        "END:VTIMEZONE\r\n"
        "BEGIN:VEVENT\r\nUID:member@camas.test\r\nDTSTAMP:20250101T000000Z\r\n"
        "DTSTART;TZID=America/Los_Angeles:20250114T100000\r\nRRULE:FREQ=MONTHLY;BYDAY=2TU\r\n"
        "SUMMARY:Member meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    CHECK(load_and_ask(text) == 0);
    CHECK(strstr(logged, "t.ics:8: recurrence rule 'RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30'") !=
          NULL);
    CHECK(strstr(logged, "its time zone is left out") != NULL);
    /* libical's own America/Los_Angeles is used: 10:00 PST */
    CHECK(strstr(replied, "January 14, 2025 at 10:00 AM Pacific Time") != NULL);
    if (!strstr(replied, "10:00 AM") || !strstr(logged, "t.ics:8:"))
        fprintf(stderr, "  log: %s  reply: %s\n", logged, replied);
}

static void test_plugin_refuses_a_calendar_left_without_events(void)
{
    static const char text[] =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//camas//test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:never@camas.test\r\nDTSTAMP:20250101T000000Z\r\n"
        "DTSTART:20250107T180000Z\r\nRRULE:FREQ=MONTHLY;BYDAY=-6TU\r\n" /* line 8 */
        "SUMMARY:Never\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    CHECK(load_and_ask(text) != 0);
    CHECK(strstr(logged, "t.ics:8: recurrence rule 'RRULE:FREQ=MONTHLY;BYDAY=-6TU' refused") !=
          NULL);
    CHECK(strstr(logged, "ERROR meetings/t.ics:1: not an iCalendar file with events") != NULL);
    if (!strstr(logged, "t.ics:8:"))
        fprintf(stderr, "  log: %s\n", logged);
}

int main(void)
{
    icalerror_set_errors_are_fatal(0);
    test_rules();
    test_plugin_drops_only_the_bad_event();
    test_plugin_drops_a_time_zone_with_a_bad_rule();
    test_plugin_refuses_a_calendar_left_without_events();
    icaltimezone_free_builtin_timezones();
    return check_done("meetings_rrule");
}
