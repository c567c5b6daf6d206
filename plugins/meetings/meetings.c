/* meetings plugin: meeting cadence and who may attend (the YAML files of knowledge/meetings) and,
 * bodies whose staff put an iCalendar export beside it, the next meeting computed from the
 * recurrence rules with libical, shown in the body's time zone. Also !meetings [body].
 *
 * libical is opened with dlopen, and only when some record names a calendar: it brings ICU
 * and the C++ runtime with it, about 3 MiB of the worker's resident memory, and the shipped
 * knowledge has no calendar. With a calendar the worker pays that again, as it always did
 * (and, once opened, until the worker restarts).
 *
 * What it says around the dates is in knowledge/meetings/messages.yaml; the catalog below is
 * its compiled fallback. The names of days, months and time zones stay here. */
#include "../common/kb.h"
#include "rrule.h"

#include <ctype.h>
#include <dlfcn.h>
#include <stddef.h>
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Every libical function this plugin calls, looked up by name when libical is opened; the
 * pointer types come from libical's own declarations, so a mismatch fails to compile. */
#define ICAL_FUNCTIONS(X)                                                                          \
    X(icalcompiter_deref)                                                                          \
    X(icalcompiter_next)                                                                           \
    X(icalcomponent_begin_component)                                                               \
    X(icalcomponent_count_errors)                                                                  \
    X(icalcomponent_free)                                                                          \
    X(icalcomponent_get_dtstart)                                                                   \
    X(icalcomponent_get_first_component)                                                           \
    X(icalcomponent_get_first_property)                                                            \
    X(icalcomponent_get_location)                                                                  \
    X(icalcomponent_get_next_component)                                                            \
    X(icalcomponent_get_next_property)                                                             \
    X(icalcomponent_get_recurrenceid)                                                              \
    X(icalcomponent_get_status)                                                                    \
    X(icalcomponent_get_summary)                                                                   \
    X(icalcomponent_get_uid)                                                                       \
    X(icalcomponent_isa)                                                                           \
    X(icalcomponent_remove_component)                                                              \
    X(icalerror_set_errors_are_fatal)                                                              \
    X(icalparser_parse_string)                                                                     \
    X(icalproperty_get_exdate)                                                                     \
    X(icalproperty_get_rrule)                                                                      \
    X(icalrecur_iterator_free)                                                                     \
    X(icalrecur_iterator_new)                                                                      \
    X(icalrecur_iterator_next)                                                                     \
    X(icaltime_as_timet_with_zone)                                                                 \
    X(icaltime_compare)                                                                            \
    X(icaltime_compare_date_only)                                                                  \
    X(icaltime_convert_to_zone)                                                                    \
    X(icaltime_day_of_week)                                                                        \
    X(icaltime_is_null_time)                                                                       \
    X(icaltime_null_time)                                                                          \
    X(icaltimezone_free_builtin_timezones)                                                         \
    X(icaltimezone_get_builtin_timezone)                                                           \
    X(icaltimezone_get_utc_timezone)

typedef struct ical_api {
    void *dl; /* NULL until a calendar is configured */
#define ICAL_MEMBER(f) __typeof__(f) *f;
    ICAL_FUNCTIONS(ICAL_MEMBER)
#undef ICAL_MEMBER
} ical_api;

/* Opens libical (LIBICAL_SONAME, the ABI the plugin was compiled against). Returns 0, or -1
 * with a reason in err. */
static int ical_open(ical_api *ic, char *err, size_t errlen)
{
    /* Never unloaded once opened (RTLD_NODELETE): libical keeps state of its own that no call
     * frees, lost at each knowledge reload when it was closed and opened again. */
    void *dl = dlopen(LIBICAL_SONAME, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (!dl) {
        snprintf(err, errlen, "%s", dlerror());
        return -1;
    }
#define ICAL_LOOKUP(f)                                                                             \
    if (!(*(void **)&ic->f = dlsym(dl, #f))) {                                                     \
        snprintf(err, errlen, "%s has no %s", LIBICAL_SONAME, #f);                                 \
        dlclose(dl);                                                                               \
        return -1;                                                                                 \
    }
    ICAL_FUNCTIONS(ICAL_LOOKUP)
#undef ICAL_LOOKUP
    ic->dl = dl;
    ic->icalerror_set_errors_are_fatal(0);
    return 0;
}

/* Whether the system's time zone database ($TZDIR, else /usr/share/zoneinfo: glibc's) has a
 * zone of that name: the check for records without a calendar, where the zone is never used
 * and loading libical only to ask it would cost its 3 MiB. Debian's libical reads that same
 * database, so both accept the same names. */
static bool tz_known_to_system(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 200 || name[0] == '/')
        return false;
    for (size_t i = 0; i < n; i++) /* no "..", no spaces: a zone name, not a path */
        if (!isalnum((unsigned char)name[i]) && !strchr("/_+-", name[i]))
            return false;
    const char *dir = getenv("TZDIR");
    char path[512], magic[4];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    bool ok = fread(magic, 1, sizeof magic, f) == sizeof magic && memcmp(magic, "TZif", 4) == 0;
    fclose(f);
    return ok;
}

#define MAX_BODIES 8

#include "meetings_texts.h"

struct body_meetings {
    const char *body;
    const cJSON *record;
    const char *timezone;
    icalcomponent *calendar; /* NULL without a calendar */
    char entry_id[64];       /* "when is the next meeting" */
    char upcoming_id[64];    /* "the next three meetings", "the meetings this year" */
};

struct meetings {
    const camas_host_api *host;
    ical_api ical;
    kb k;
    struct body_meetings b[MAX_BODIES];
    size_t n;
};

/* Registers entry_id for body with the asks under key in the knowledge (or the defaults). */
static int register_asks(camas_plugin *p, const camas_host_api *host, const char *entry_id,
                         const char *body, const cJSON *ask, const char *const defaults[2][8])
{
    int rc = 0;
    for (int l = 0; l < 2; l++) {
        const char *texts[64];
        size_t n = 0;
        const cJSON *q;
        cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(ask, l ? "fr" : "en"))
        {
            if (cJSON_IsString(q) && n < 64)
                texts[n++] = q->valuestring;
        }
        /* the defaults, and the same naming the body ("the next three WashACT meetings") */
        char named[8][160];
        size_t nd = 0;
        for (size_t j = 0; n == 0 && defaults[l][j]; j++)
            texts[j] = defaults[l][j], nd = j + 1;
        const char *name =
            nd ? host->body_name(p, body, l ? "fr" : "en", CAMAS_BODY_NAME_SHORT) : NULL;
        for (size_t j = 0; name && j < nd && j < 8; j++) {
            snprintf(named[j], sizeof named[j], l ? "%s (%s)" : "%s of %s", defaults[l][j], name);
            texts[nd + j] = named[j];
        }
        if (nd)
            n = nd + (name ? nd : 0);
        if (host->register_entry(p, entry_id, body, l ? "fr" : "en", texts, n))
            rc = CAMAS_ERR_NOMEM;
    }
    return rc;
}

/* A date and time that exists on the calendar: libical reads "20254714T100000" (month 47,
 * day 14) without counting an error, and names of months and days are looked up by them. */
static bool time_ok(struct icaltimetype t)
{
    return t.year >= 1 && t.year <= 9999 && t.month >= 1 && t.month <= 12 && t.day >= 1 &&
           t.day <= 31 &&
           (t.is_date || (t.hour >= 0 && t.hour <= 23 && t.minute >= 0 && t.minute <= 59 &&
                          t.second >= 0 && t.second <= 60));
}

/* The first lines of the calendar's RRULE properties, in document order (as libical keeps
 * them): the line numbers and rule texts of drop_slow_rules's messages. */
static size_t rrule_lines(const char *text, int *lines, const char **starts, size_t max)
{
    size_t n = 0;
    int line = 1;
    for (const char *l = text; *l && n < max; line++) {
        if (strncasecmp(l, "RRULE", 5) == 0 && (l[5] == ':' || l[5] == ';'))
            lines[n] = line, starts[n++] = l;
        const char *nl = strchr(l, '\n');
        if (!nl)
            break;
        l = nl + 1;
    }
    return n;
}

struct rule_walk {
    const ical_api *ic;
    int lines[256];
    const char *starts[256];
    size_t n_lines, k; /* RRULEs found in the text, and seen so far in the tree */
    bool bad;          /* the first bad rule of the component being walked: */
    int bad_line;
    const char *bad_text;
    char why[300];
};

/* Checks every rule of component c and those inside it (rrule.h); false when one fails, the
 * first described in w. Every rule is counted, for the lines of later components. */
static bool rules_ok(struct rule_walk *w, icalcomponent *c)
{
    const ical_api *ic = w->ic;
    bool ok = true;
    /* before the walk: it moves the component's one property cursor */
    struct icaltimetype start = ic->icalcomponent_get_dtstart(c);
    for (icalproperty *rp = ic->icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY); rp;
         rp = ic->icalcomponent_get_next_property(c, ICAL_RRULE_PROPERTY), w->k++) {
        struct icalrecurrencetype rule = ic->icalproperty_get_rrule(rp);
        char why[sizeof w->why];
        if (camas_meetings_rrule_ok(&rule, start, why, sizeof why))
            continue;
        ok = false;
        if (!w->bad) {
            w->bad = true;
            w->bad_line = w->k < w->n_lines ? w->lines[w->k] : 0;
            w->bad_text = w->k < w->n_lines ? w->starts[w->k] : "RRULE";
            memcpy(w->why, why, sizeof why);
        }
    }
    /* a separate iterator: the caller walks c's parent with one */
    icalcompiter it = ic->icalcomponent_begin_component(c, ICAL_ANY_COMPONENT);
    for (icalcomponent *sub; (sub = ic->icalcompiter_deref(&it)); ic->icalcompiter_next(&it))
        ok = rules_ok(w, sub) && ok;
    return ok;
}

/* Leaves out of the calendar each event (and each time zone, for which libical's own zone of
 * that name is then used) with a recurrence rule libical would search too long for: a
 * stalled worker answers nothing, danger replies included. The rest of the calendar is kept;
 * each one left out is logged with its file, line and rule. */
static void drop_slow_rules(struct meetings *s, camas_plugin *p, icalcomponent *cal,
                            const char *rel, const char *text)
{
    const ical_api *ic = &s->ical;
    struct rule_walk *w = calloc(1, sizeof *w);
    if (!w)
        return;
    w->ic = ic;
    w->n_lines = rrule_lines(text, w->lines, w->starts, sizeof w->lines / sizeof w->lines[0]);
    icalcompiter it = ic->icalcomponent_begin_component(cal, ICAL_ANY_COMPONENT);
    for (icalcomponent *c = ic->icalcompiter_deref(&it); c;) {
        w->bad = false;
        if (rules_ok(w, c)) {
            c = ic->icalcompiter_next(&it);
            continue;
        }
        int n = (int)strcspn(w->bad_text, "\r\n");
        bool zone = ic->icalcomponent_isa(c) == ICAL_VTIMEZONE_COMPONENT;
        const char *summary = zone ? NULL : ic->icalcomponent_get_summary(c);
        char what[300];
        if (zone)
            snprintf(what, sizeof what,
                     "its time zone is left out (libical's own zone of that name is used)");
        else
            snprintf(what, sizeof what, "its event%s%s%s is left out", summary ? " '" : "",
                     summary ? summary : "", summary ? "'" : "");
        char msg[900];
        snprintf(msg, sizeof msg,
                 "recurrence rule '%.*s%s' refused: %s; %s, the calendar's other events are kept",
                 n > 120 ? 120 : n, w->bad_text, n > 120 ? "..." : "", w->why, what);
        /* ABI 1.2: the admins and `camas check` hear of it; an older host only logs it */
        if (s->host->size > offsetof(camas_host_api, knowledge_warning))
            s->host->knowledge_warning(p, rel, w->bad_line, "%s", msg);
        else
            s->host->log(p, CAMAS_PLOG_WARN, "knowledge/%s:%d: %s", rel, w->bad_line, msg);
        /* step past it before removing it: removal frees the node the iterator stands on */
        icalcomponent *bad = c;
        c = ic->icalcompiter_next(&it);
        ic->icalcomponent_remove_component(cal, bad);
        ic->icalcomponent_free(bad);
    }
    free(w);
}

static int load_calendar(struct meetings *s, camas_plugin *p, struct body_meetings *bm,
                         const char *file, const char *cal_name)
{
    const camas_host_api *host = s->host;
    const ical_api *ic = &s->ical;
    char rel[256];
    snprintf(rel, sizeof rel, "meetings/%s", cal_name);
    int err = 0;
    size_t len;
    char *text = host->knowledge_read(p, rel, &len, &err);
    if (!text)
        return host->knowledge_error(p, file, host->line(bm->record),
                                     "calendar '%s' cannot be read (it must be a file in "
                                     "knowledge/meetings/)",
                                     cal_name);
    icalcomponent *cal = ic->icalparser_parse_string(text);
    if (cal)
        drop_slow_rules(s, p, cal, rel, text);
    host->free(text);
    if (!cal || !ic->icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT)) {
        if (cal)
            ic->icalcomponent_free(cal);
        return host->knowledge_error(p, rel, 1,
                                     "not an iCalendar file with events (expected "
                                     "BEGIN:VCALENDAR ... BEGIN:VEVENT)");
    }
    /* libical accepts broken dates and rules silently (as hidden error properties): refuse
     * them here rather than answer "no upcoming meeting" from a calendar we misread. */
    const char *problem = NULL;
    if (ic->icalcomponent_count_errors(cal) > 0)
        problem = "a date, time or rule could not be read";
    icalcompiter it = ic->icalcomponent_begin_component(cal, ICAL_VEVENT_COMPONENT);
    for (icalcomponent *ev; !problem && (ev = ic->icalcompiter_deref(&it));
         ic->icalcompiter_next(&it)) {
        struct icaltimetype start = ic->icalcomponent_get_dtstart(ev);
        if (ic->icaltime_is_null_time(start))
            problem = "an event has no start (DTSTART)";
        else if (!time_ok(start))
            problem = "an event starts on a date or at a time that does not exist (DTSTART)";
        icalproperty *rp = ic->icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
        if (!problem && rp && ic->icalproperty_get_rrule(rp).freq == ICAL_NO_RECURRENCE)
            problem = "a recurrence rule (RRULE) has no valid FREQ";
    }
    if (problem) {
        ic->icalcomponent_free(cal);
        return host->knowledge_error(p, rel, 1,
                                     "%s; fix the event in your calendar program and "
                                     "export it again",
                                     problem);
    }
    bm->calendar = cal;
    return 0;
}

static int meetings_init(camas_plugin *p, const camas_host_api *host, void **state)
{
    struct meetings *s = calloc(1, sizeof *s);
    if (!s)
        return CAMAS_ERR_NOMEM;
    s->host = host;
    *state = s;
    int rc = kb_templates(p, host, "meetings", templates, sizeof templates / sizeof *templates);
    int kr = kb_load(&s->k, p, host);
    rc = rc ? rc : kr;
    const cJSON *next_ask = NULL, *upcoming_ask = NULL;
    for (size_t i = 0; i < s->k.n_docs; i++) {
        const char *file = s->k.doc_names[i];
        const cJSON *na = cJSON_GetObjectItemCaseSensitive(s->k.docs[i], "next_meeting");
        if (na)
            next_ask = cJSON_GetObjectItemCaseSensitive(na, "ask");
        const cJSON *ua = cJSON_GetObjectItemCaseSensitive(s->k.docs[i], "upcoming_meetings");
        if (ua)
            upcoming_ask = cJSON_GetObjectItemCaseSensitive(ua, "ask");
        const cJSON *r;
        cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(s->k.docs[i], "meetings"))
        {
            const char *body = kb_str(r, "body", 0);
            if (!body || !host->body_name(p, body, "en", CAMAS_BODY_NAME_SHORT)) {
                rc = host->knowledge_error(p, file, host->line(r),
                                           "each meetings record needs a known 'body'");
                continue;
            }
            if (s->n == MAX_BODIES)
                break;
            struct body_meetings *bm = &s->b[s->n++];
            bm->body = body;
            bm->record = r;
            bm->timezone = kb_str(r, "timezone", 0);
            const char *cal = kb_str(r, "calendar", 0);
            char why[300];
            if (cal && !s->ical.dl && ical_open(&s->ical, why, sizeof why)) {
                rc = host->knowledge_error(p, file, host->line(r),
                                           "calendar '%s' needs libical, which could not be "
                                           "loaded: %s",
                                           cal, why);
                continue;
            }
            /* The zone is used only to show a calendar's dates, by libical: ask libical when
             * there is a calendar, the system's zone database otherwise. */
            if (bm->timezone &&
                !(cal ? s->ical.icaltimezone_get_builtin_timezone(bm->timezone) != NULL
                      : tz_known_to_system(bm->timezone)))
                rc = host->knowledge_error(p, file, host->line(r),
                                           "unknown time zone '%s' (use a name like "
                                           "America/Los_Angeles)",
                                           bm->timezone);
            if (cal && load_calendar(s, p, bm, file, cal))
                rc = CAMAS_ERR_DATA;
        }
    }
    /* Bodies with a calendar can answer "when is the next meeting". */
    for (size_t i = 0; i < s->n; i++) {
        struct body_meetings *bm = &s->b[i];
        if (!bm->calendar)
            continue;
        snprintf(bm->entry_id, sizeof bm->entry_id, "next-meeting-%s", bm->body);
        snprintf(bm->upcoming_id, sizeof bm->upcoming_id, "upcoming-meetings-%s", bm->body);
        if (register_asks(p, host, bm->entry_id, bm->body, next_ask, next_ask_default) ||
            register_asks(p, host, bm->upcoming_id, bm->body, upcoming_ask, upcoming_ask_default))
            rc = CAMAS_ERR_NOMEM;
    }
    char *en = kb_fill(p, host, "help.line", "en", NULL);
    char *fr = kb_fill(p, host, "help.line", "fr", NULL);
    if (rc == 0)
        rc = en && fr ? host->register_command(p, "meetings", en, fr) : CAMAS_ERR_NOMEM;
    host->free(en);
    host->free(fr);
    return rc;
}

static void meetings_teardown(camas_plugin *p, void *state)
{
    (void)p;
    struct meetings *s = state;
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        if (s->b[i].calendar)
            s->ical.icalcomponent_free(s->b[i].calendar);
    if (s->ical.dl) {
        /* libical keeps the zones it has looked up (the zone table, each zone's rules) until
         * asked to free them: closing it without that lost them at every knowledge reload */
        s->ical.icaltimezone_free_builtin_timezones();
        dlclose(s->ical.dl);
    }
    kb_free(&s->k, s->host);
    free(s);
}

static bool is_excluded(const ical_api *ic, icalcomponent *ev, struct icaltimetype t,
                        icalcomponent *cal, const char *uid)
{
    for (icalproperty *x = ic->icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY); x;
         x = ic->icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY)) {
        struct icaltimetype ex = ic->icalproperty_get_exdate(x);
        if (ic->icaltime_compare(ex, t) == 0 ||
            (ex.is_date && ic->icaltime_compare_date_only(ex, t) == 0))
            return true;
    }
    /* A moved instance (same UID, RECURRENCE-ID) replaces this one. A separate iterator:
     * get_first/next_component share one cursor with the caller's loop. */
    icalcompiter it = ic->icalcomponent_begin_component(cal, ICAL_VEVENT_COMPONENT);
    for (icalcomponent *o; (o = ic->icalcompiter_deref(&it)); ic->icalcompiter_next(&it)) {
        const char *ouid = ic->icalcomponent_get_uid(o);
        if (o == ev || !ouid || !uid || strcmp(ouid, uid))
            continue;
        struct icaltimetype rid = ic->icalcomponent_get_recurrenceid(o);
        if (!ic->icaltime_is_null_time(rid) && ic->icaltime_compare(rid, t) == 0)
            return true;
    }
    return false;
}

/* The first occurrence strictly after now (Unix seconds) across the calendar's events. */
static bool next_occurrence(const ical_api *ic, icalcomponent *cal, time_t now,
                            struct icaltimetype *out, const char **summary, const char **location)
{
    bool found = false;
    time_t best = 0;
    icalcomponent *saved_ev = NULL;
    icalcomponent *ev;
    for (ev = ic->icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
         ev = ic->icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        if (ic->icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED)
            continue;
        struct icaltimetype start = ic->icalcomponent_get_dtstart(ev);
        if (ic->icaltime_is_null_time(start))
            continue;
        const icaltimezone *zone = start.zone ? start.zone : ic->icaltimezone_get_utc_timezone();
        icalproperty *rp = ic->icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
        struct icaltimetype cand = ic->icaltime_null_time();
        if (rp && ic->icaltime_is_null_time(ic->icalcomponent_get_recurrenceid(ev))) {
            struct icalrecurrencetype rule = ic->icalproperty_get_rrule(rp);
            icalrecur_iterator *it = ic->icalrecur_iterator_new(rule, start);
            for (int guard = 0; it && guard < 20000; guard++) {
                struct icaltimetype t = ic->icalrecur_iterator_next(it);
                if (ic->icaltime_is_null_time(t))
                    break;
                t.zone = start.zone;
                if (ic->icaltime_as_timet_with_zone(t, zone) > now &&
                    !is_excluded(ic, ev, t, cal, ic->icalcomponent_get_uid(ev))) {
                    cand = t;
                    break;
                }
            }
            if (it)
                ic->icalrecur_iterator_free(it);
        } else if (ic->icaltime_as_timet_with_zone(start, zone) > now) {
            cand = start;
        }
        if (ic->icaltime_is_null_time(cand))
            continue;
        time_t tt = ic->icaltime_as_timet_with_zone(cand, zone);
        if (!found || tt < best) {
            found = true;
            best = tt;
            *out = cand;
            out->zone = start.zone;
            saved_ev = ev;
        }
    }
    if (found && summary)
        *summary = ic->icalcomponent_get_summary(saved_ev);
    if (found && location) {
        *location = ic->icalcomponent_get_location(saved_ev);
        if (*location && !**location)
            *location = NULL;
    }
    return found;
}

/* How people name the time zones of the region, in English and French. */
static const char *const zone_names[][3] = {
    {"America/Los_Angeles", "Pacific Time", "heure du Pacifique"},
    {"America/Vancouver", "Pacific Time", "heure du Pacifique"},
    {"America/Denver", "Mountain Time", "heure des Rocheuses"},
    {"America/Chicago", "Central Time", "heure du Centre"},
    {"America/New_York", "Eastern Time", "heure de l'Est"},
    {"America/Anchorage", "Alaska Time", "heure de l'Alaska"},
    {"Pacific/Honolulu", "Hawaii Time", "heure d'Hawaï"},
    {"UTC", "UTC", "UTC"},
};

/* "Thursday, April 16, 2026 at 1:30 PM Pacific Time" or "jeudi 16 avril 2026 à 13 h 30
 * (heure du Pacifique)", in the body's time zone, through the "when" templates; the caller
 * frees it with host->free (NULL when memory ran out). */
static char *format_when(struct meetings *s, camas_plugin *p, struct icaltimetype t,
                         const char *tzname, const char *code)
{
    static const char *const days[2][7] = {
        {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
        {"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}};
    static const char *const months[2][12] = {
        {"January", "February", "March", "April", "May", "June", "July", "August", "September",
         "October", "November", "December"},
        {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
         "octobre", "novembre", "décembre"}};
    const ical_api *ic = &s->ical;
    int lang = kb_lang(code);
    icaltimezone *tz = tzname ? ic->icaltimezone_get_builtin_timezone(tzname) : NULL;
    if (tz && !t.is_date)
        t = ic->icaltime_convert_to_zone(t, tz);
    char day[8], year[8], hour[8], hour_ampm[8], minute[8];
    if (!time_ok(t)) { /* not from a checked calendar; never index the names with it */
        char raw[40];
        snprintf(raw, sizeof raw, "%04d-%02d-%02d", t.year, t.month, t.day);
        return strdup(raw);
    }
    int dow = ic->icaltime_day_of_week(t) - 1; /* 1 = Sunday */
    if (dow < 0 || dow > 6)
        dow = 0;
    snprintf(day, sizeof day, "%d", t.day);
    snprintf(year, sizeof year, "%d", t.year);
    snprintf(hour, sizeof hour, "%d", t.hour);
    snprintf(hour_ampm, sizeof hour_ampm, "%d", t.hour % 12 == 0 ? 12 : t.hour % 12);
    snprintf(minute, sizeof minute, "%02d", t.minute);
    const char *zone = tzname ? tzname : "UTC";
    const char *named = NULL;
    for (size_t i = 0; i < sizeof zone_names / sizeof zone_names[0]; i++)
        if (strcmp(zone_names[i][0], zone) == 0)
            named = zone_names[i][1 + lang];
    const char *zv[] = {"zone", zone, NULL};
    char *unnamed = named || t.is_date ? NULL : kb_fill(p, s->host, "when.zone", code, zv);
    const char *vars[] = {"weekday",   days[lang][dow],
                          "day",       day,
                          "month",     months[lang][t.month - 1],
                          "year",      year,
                          "hour",      hour,
                          "hour_ampm", hour_ampm,
                          "minute",    minute,
                          "ampm",      t.hour < 12 ? "AM" : "PM",
                          "zone",      named ? named : (unnamed ? unnamed : zone),
                          NULL};
    char *out = kb_fill(p, s->host, t.is_date ? "when.date" : "when.time", code, vars);
    s->host->free(unnamed);
    return out;
}

/* " — "summary"" and " — location: ..." for a meeting that has them (each "" otherwise);
 * free both with host->free. */
static void meeting_details(struct meetings *s, camas_plugin *p, const char *code,
                            const char *summary, const char *location, char **sum, char **loc)
{
    const char *sv[] = {"summary", summary, NULL}, *lv[] = {"location", location, NULL};
    *sum = summary ? kb_fill(p, s->host, "meeting.summary", code, sv) : NULL;
    *loc = location ? kb_fill(p, s->host, "meeting.location", code, lv) : NULL;
}

static void say_next(struct meetings *s, camas_plugin *p, const struct body_meetings *bm,
                     const camas_request *req)
{
    const char *name = s->host->body_name(p, bm->body, req->lang, CAMAS_BODY_NAME_SHORT);
    struct icaltimetype t;
    const char *summary = NULL, *location = NULL;
    if (!next_occurrence(&s->ical, bm->calendar, (time_t)(req->now_ms / 1000), &t, &summary,
                         &location)) {
        const char *vars[] = {"body", name, NULL};
        kb_say(p, s->host, "next.none", req->lang, vars, false);
        return;
    }
    char *when = format_when(s, p, t, bm->timezone, req->lang), *sum, *loc;
    meeting_details(s, p, req->lang, summary, location, &sum, &loc);
    const char *vars[] = {"body",           name,           "when",
                          when ? when : "", "summary",      sum ? sum : "",
                          "location",       loc ? loc : "", NULL};
    kb_say(p, s->host, "next", req->lang, vars, false);
    s->host->free(when);
    s->host->free(sum);
    s->host->free(loc);
}

/* Appends str to the malloc'd *buf of *len bytes; false when memory ran out. */
static bool append(char **buf, size_t *len, const char *str)
{
    size_t n = strlen(str);
    char *grown = realloc(*buf, *len + n + 1);
    if (!grown)
        return false;
    memcpy(grown + *len, str, n + 1);
    *buf = grown;
    *len += n;
    return true;
}

/* Up to three meetings, or all those left this year when the question says "this year" /
 * "cette année" (at most twelve). */
static void say_upcoming(struct meetings *s, camas_plugin *p, const struct body_meetings *bm,
                         const camas_request *req)
{
    const char *name = s->host->body_name(p, bm->body, req->lang, CAMAS_BODY_NAME_SHORT);
    char *q = kb_fold(req->text);
    bool this_year = q && (strstr(q, "this year") || strstr(q, "cette annee") ||
                           strstr(q, "cette anne") || strstr(q, "en cours"));
    free(q);
    time_t now = (time_t)(req->now_ms / 1000), after = now;
    struct tm tm;
    gmtime_r(&now, &tm);
    int year = tm.tm_year + 1900;
    const char *bv[] = {"body", name, NULL};
    char *title = kb_fill(p, s->host, this_year ? "upcoming.this-year" : "upcoming", req->lang, bv);
    char *text = NULL;
    size_t len = 0;
    int count = 0;
    for (int guard = 0; title && guard < (this_year ? 12 : 3); guard++) {
        struct icaltimetype t;
        const char *summary = NULL, *location = NULL;
        if (!next_occurrence(&s->ical, bm->calendar, after, &t, &summary, &location))
            break;
        const icaltimezone *zone = t.zone ? t.zone : s->ical.icaltimezone_get_utc_timezone();
        time_t at = s->ical.icaltime_as_timet_with_zone(t, zone);
        if (at <= after || (this_year && t.year > year))
            break;
        after = at;
        char *when = format_when(s, p, t, bm->timezone, req->lang), *sum, *loc;
        meeting_details(s, p, req->lang, summary, location, &sum, &loc);
        const char *vars[] = {"when",     when ? when : "", "summary", sum ? sum : "",
                              "location", loc ? loc : "",   NULL};
        char *item = kb_fill(p, s->host, "upcoming.item", req->lang, vars);
        s->host->free(when);
        s->host->free(sum);
        s->host->free(loc);
        bool ok = item && (count || append(&text, &len, title)) && append(&text, &len, "\n") &&
                  append(&text, &len, item);
        s->host->free(item);
        if (!ok)
            break;
        count++;
    }
    if (count == 0)
        kb_say(p, s->host, this_year ? "upcoming.none-this-year" : "next.none", req->lang, bv,
               false);
    else
        kb_reply_text(p, s->host, text);
    s->host->free(title);
    free(text);
}

/* The answer without its sentences saying the source gives no dates (a calendar gives
 * them). NULL when memory ran out. */
static char *without_no_dates(const char *answer)
{
    static const char *const markers[] = {
        "no specific",  "no dates", "no meeting dates", "aucune date",
        "pas de dates", "ni dates", "ni les dates",     NULL};
    char *out = malloc(strlen(answer) + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    const char *p = answer;
    while (*p) {
        const char *end = p;
        while (*end && !(end[0] == '.' && (end[1] == ' ' || end[1] == '\0')))
            end++;
        if (*end == '.')
            end++;
        char *sentence = strndup(p, (size_t)(end - p));
        char *folded = sentence ? kb_fold(sentence) : NULL;
        bool drop = false;
        for (size_t i = 0; folded && markers[i] && !drop; i++)
            drop = strstr(folded, markers[i]) != NULL;
        if (!drop) {
            memcpy(out + k, p, (size_t)(end - p));
            k += (size_t)(end - p);
        }
        free(sentence);
        free(folded);
        p = end;
    }
    while (k > 0 && out[k - 1] == ' ')
        k--;
    out[k] = '\0';
    return out;
}

static int meetings_render(camas_plugin *p, void *state, const char *entry_id,
                           const camas_request *req)
{
    struct meetings *s = state;
    for (size_t i = 0; i < s->n; i++) {
        if (s->b[i].calendar && strcmp(s->b[i].entry_id, entry_id) == 0) {
            say_next(s, p, &s->b[i], req);
            return 0;
        }
        if (s->b[i].calendar && strcmp(s->b[i].upcoming_id, entry_id) == 0) {
            say_upcoming(s, p, &s->b[i], req);
            return 0;
        }
    }
    const kb_entry *e = kb_find(&s->k, entry_id);
    if (!e)
        return CAMAS_ERR_NOTFOUND;
    const struct body_meetings *bm = NULL;
    for (size_t i = 0; e->body && i < s->n; i++)
        if (s->b[i].calendar && strcmp(s->b[i].body, e->body) == 0)
            bm = &s->b[i];
    if (!bm)
        return kb_reply_text(p, s->host, e->answer[kb_lang(req->lang)]);
    /* The body has a calendar: the answer without its "the source gives no dates", then the
     * next date. */
    char *text = without_no_dates(e->answer[kb_lang(req->lang)]);
    int rc = kb_reply_text(p, s->host, text ? text : e->answer[kb_lang(req->lang)]);
    free(text);
    if (rc == 0)
        say_next(s, p, bm, req);
    return rc;
}

static int meetings_command(camas_plugin *p, void *state, const char *name,
                            const camas_request *req)
{
    struct meetings *s = state;
    (void)name;
    int lang = kb_lang(req->lang);
    char *arg = kb_fold(req->args);
    int said = 0;
    for (size_t i = 0; arg && i < s->n; i++) {
        const struct body_meetings *bm = &s->b[i];
        const char *shortname = s->host->body_name(p, bm->body, req->lang, CAMAS_BODY_NAME_SHORT);
        char *full = kb_fold(s->host->body_name(p, bm->body, req->lang, CAMAS_BODY_NAME_FULL));
        bool match = !*arg || strcmp(arg, bm->body) == 0 ||
                     (full && strlen(arg) >= 4 && strstr(full, arg)) ||
                     (strcmp(bm->body, "csec") == 0 &&
                      (strcmp(arg, "esec") == 0 || strcmp(arg, "cstc") == 0));
        free(full);
        if (!match)
            continue;
        const char *cadence = kb_str(bm->record, "cadence", lang);
        const char *attend = kb_str(bm->record, "attendance", lang);
        const char *vars[] = {"body",       shortname,
                              "cadence",    cadence ? cadence : "?",
                              "attendance", attend ? attend : "",
                              NULL};
        kb_say(p, s->host, "command", req->lang, vars, false);
        if (bm->calendar)
            say_next(s, p, bm, req);
        said++;
    }
    if (!said)
        kb_say(p, s->host, "usage", req->lang, NULL, false);
    free(arg);
    return 0;
}

static const camas_plugin_descriptor descriptor = {
    CAMAS_PLUGIN_DESCRIPTOR_HEADER, .name = "meetings",
    .version = PLUGIN_VERSION,      .init = meetings_init,
    .teardown = meetings_teardown,  .render = meetings_render,
    .command = meetings_command,
};

const camas_plugin_descriptor *camas_plugin_entry(void)
{
    return &descriptor;
}
