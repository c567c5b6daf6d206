/* meetings plugin: meeting cadence and who may attend (the YAML files of knowledge/meetings) and,
 * bodies whose staff put an iCalendar export beside it, the next meeting computed from the
 * recurrence rules with libical, shown in the body's time zone. Also !meetings [body]. */
#include "../common/kb.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BODIES 8

struct body_meetings {
    const char *body;
    const cJSON *record;
    const char *timezone;
    icalcomponent *calendar; /* NULL without a calendar */
    char entry_id[64];
};

struct meetings {
    const camas_host_api *host;
    kb k;
    struct body_meetings b[MAX_BODIES];
    size_t n;
};

static const char *const next_ask_default[2][6] = {
    {"when is the next meeting?", "next meeting date", "when do they meet next?",
     "date of the next meeting", "upcoming meeting", NULL},
    {"quand a lieu la prochaine réunion ?", "date de la prochaine réunion", "prochaine réunion",
     "quand se réunissent-ils la prochaine fois ?", "réunion à venir", NULL},
};

static int load_calendar(struct meetings *s, camas_plugin *p, struct body_meetings *bm,
                         const char *file, const char *cal_name)
{
    const camas_host_api *host = s->host;
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
    icalerror_set_errors_are_fatal(0);
    icalcomponent *cal = icalparser_parse_string(text);
    host->free(text);
    if (!cal || !icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT)) {
        if (cal)
            icalcomponent_free(cal);
        return host->knowledge_error(p, rel, 1,
                                     "not an iCalendar file with events (expected "
                                     "BEGIN:VCALENDAR ... BEGIN:VEVENT)");
    }
    /* libical accepts broken dates and rules silently (as hidden error properties): refuse
     * them here rather than answer "no upcoming meeting" from a calendar we misread. */
    const char *problem = NULL;
    if (icalcomponent_count_errors(cal) > 0)
        problem = "a date, time or rule could not be read";
    icalcompiter it = icalcomponent_begin_component(cal, ICAL_VEVENT_COMPONENT);
    for (icalcomponent *ev; !problem && (ev = icalcompiter_deref(&it)); icalcompiter_next(&it)) {
        if (icaltime_is_null_time(icalcomponent_get_dtstart(ev)))
            problem = "an event has no start (DTSTART)";
        icalproperty *rp = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
        if (!problem && rp && icalproperty_get_rrule(rp).freq == ICAL_NO_RECURRENCE)
            problem = "a recurrence rule (RRULE) has no valid FREQ";
    }
    if (problem) {
        icalcomponent_free(cal);
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
    int rc = kb_load(&s->k, p, host);
    const cJSON *next_ask = NULL;
    for (size_t i = 0; i < s->k.n_docs; i++) {
        const char *file = s->k.doc_names[i];
        const cJSON *na = cJSON_GetObjectItemCaseSensitive(s->k.docs[i], "next_meeting");
        if (na)
            next_ask = cJSON_GetObjectItemCaseSensitive(na, "ask");
        const cJSON *r;
        cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(s->k.docs[i], "meetings"))
        {
            const char *body = kb_str(r, "body", 0);
            if (!body || !host->body_name(p, body, "en", 0)) {
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
            if (bm->timezone && !icaltimezone_get_builtin_timezone(bm->timezone))
                rc = host->knowledge_error(p, file, host->line(r),
                                           "unknown time zone '%s' (use a name like "
                                           "America/Los_Angeles)",
                                           bm->timezone);
            const char *cal = kb_str(r, "calendar", 0);
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
        for (int l = 0; l < 2; l++) {
            const char *texts[64];
            size_t n = 0;
            const cJSON *q;
            cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(next_ask, l ? "fr" : "en"))
            {
                if (cJSON_IsString(q) && n < 64)
                    texts[n++] = q->valuestring;
            }
            for (size_t j = 0; n == 0 && next_ask_default[l][j]; j++)
                texts[j] = next_ask_default[l][j], n = j + 1;
            if (host->register_entry(p, bm->entry_id, bm->body, l ? "fr" : "en", texts, n))
                rc = CAMAS_ERR_NOMEM;
        }
    }
    if (rc == 0)
        rc = host->register_command(p, "meetings",
                                    "!meetings [body] - when and how often each body meets",
                                    "!meetings [organisme] - quand et à quel rythme chaque "
                                    "organisme se réunit");
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
            icalcomponent_free(s->b[i].calendar);
    kb_free(&s->k, s->host);
    free(s);
}

static bool is_excluded(icalcomponent *ev, struct icaltimetype t, icalcomponent *cal,
                        const char *uid)
{
    for (icalproperty *x = icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY); x;
         x = icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY)) {
        struct icaltimetype ex = icalproperty_get_exdate(x);
        if (icaltime_compare(ex, t) == 0 || (ex.is_date && icaltime_compare_date_only(ex, t) == 0))
            return true;
    }
    /* A moved instance (same UID, RECURRENCE-ID) replaces this one. A separate iterator:
     * get_first/next_component share one cursor with the caller's loop. */
    icalcompiter it = icalcomponent_begin_component(cal, ICAL_VEVENT_COMPONENT);
    for (icalcomponent *o; (o = icalcompiter_deref(&it)); icalcompiter_next(&it)) {
        const char *ouid = icalcomponent_get_uid(o);
        if (o == ev || !ouid || !uid || strcmp(ouid, uid))
            continue;
        struct icaltimetype rid = icalcomponent_get_recurrenceid(o);
        if (!icaltime_is_null_time(rid) && icaltime_compare(rid, t) == 0)
            return true;
    }
    return false;
}

/* The first occurrence strictly after now (Unix seconds) across the calendar's events. */
static bool next_occurrence(icalcomponent *cal, time_t now, struct icaltimetype *out,
                            const char **summary)
{
    bool found = false;
    time_t best = 0;
    icalcomponent *saved_ev = NULL;
    icalcomponent *ev;
    for (ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT); ev;
         ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT)) {
        if (icalcomponent_get_status(ev) == ICAL_STATUS_CANCELLED)
            continue;
        struct icaltimetype start = icalcomponent_get_dtstart(ev);
        if (icaltime_is_null_time(start))
            continue;
        const icaltimezone *zone = start.zone ? start.zone : icaltimezone_get_utc_timezone();
        icalproperty *rp = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
        struct icaltimetype cand = icaltime_null_time();
        if (rp && icaltime_is_null_time(icalcomponent_get_recurrenceid(ev))) {
            struct icalrecurrencetype rule = icalproperty_get_rrule(rp);
            icalrecur_iterator *it = icalrecur_iterator_new(rule, start);
            for (int guard = 0; it && guard < 20000; guard++) {
                struct icaltimetype t = icalrecur_iterator_next(it);
                if (icaltime_is_null_time(t))
                    break;
                t.zone = start.zone;
                if (icaltime_as_timet_with_zone(t, zone) > now &&
                    !is_excluded(ev, t, cal, icalcomponent_get_uid(ev))) {
                    cand = t;
                    break;
                }
            }
            if (it)
                icalrecur_iterator_free(it);
        } else if (icaltime_as_timet_with_zone(start, zone) > now) {
            cand = start;
        }
        if (icaltime_is_null_time(cand))
            continue;
        time_t tt = icaltime_as_timet_with_zone(cand, zone);
        if (!found || tt < best) {
            found = true;
            best = tt;
            *out = cand;
            out->zone = start.zone;
            saved_ev = ev;
        }
    }
    if (found && summary)
        *summary = icalcomponent_get_summary(saved_ev);
    return found;
}

static void format_when(struct icaltimetype t, const char *tzname, int lang, char *out,
                        size_t outlen)
{
    static const char *const days[2][7] = {
        {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
        {"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}};
    static const char *const months[2][12] = {
        {"January", "February", "March", "April", "May", "June", "July", "August", "September",
         "October", "November", "December"},
        {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
         "octobre", "novembre", "décembre"}};
    icaltimezone *tz = tzname ? icaltimezone_get_builtin_timezone(tzname) : NULL;
    if (tz && !t.is_date)
        t = icaltime_convert_to_zone(t, tz);
    int dow = icaltime_day_of_week(t) - 1; /* 1 = Sunday */
    if (dow < 0 || dow > 6)
        dow = 0;
    if (t.is_date) {
        if (lang)
            snprintf(out, outlen, "%s %d %s %d", days[1][dow], t.day, months[1][t.month - 1],
                     t.year);
        else
            snprintf(out, outlen, "%s, %s %d, %d", days[0][dow], months[0][t.month - 1], t.day,
                     t.year);
    } else if (lang) {
        snprintf(out, outlen, "%s %d %s %d à %d h %02d (heure de %s)", days[1][dow], t.day,
                 months[1][t.month - 1], t.year, t.hour, t.minute, tzname ? tzname : "UTC");
    } else {
        snprintf(out, outlen, "%s, %s %d, %d at %02d:%02d (%s time)", days[0][dow],
                 months[0][t.month - 1], t.day, t.year, t.hour, t.minute, tzname ? tzname : "UTC");
    }
}

static void say_next(struct meetings *s, camas_plugin *p, const struct body_meetings *bm,
                     const camas_request *req)
{
    int lang = kb_lang(req->lang);
    const char *name = s->host->body_name(p, bm->body, req->lang, 0);
    struct icaltimetype t;
    const char *summary = NULL;
    char text[700], when[200];
    if (next_occurrence(bm->calendar, (time_t)(req->now_ms / 1000), &t, &summary)) {
        format_when(t, bm->timezone, lang, when, sizeof when);
        if (lang)
            snprintf(text, sizeof text, "Prochaine réunion (%s) : %s%s%s%s.", name, when,
                     summary ? " — « " : "", summary ? summary : "", summary ? " »" : "");
        else
            snprintf(text, sizeof text, "Next meeting of %s: %s%s%s%s.", name, when,
                     summary ? " — \"" : "", summary ? summary : "", summary ? "\"" : "");
    } else {
        snprintf(text, sizeof text,
                 lang ? "Le calendrier de %s ne contient aucune réunion à venir."
                      : "The calendar of %s has no upcoming meeting.",
                 name);
    }
    s->host->reply(p, text, NULL);
}

static int meetings_render(camas_plugin *p, void *state, const char *entry_id,
                           const camas_request *req)
{
    struct meetings *s = state;
    for (size_t i = 0; i < s->n; i++)
        if (s->b[i].calendar && strcmp(s->b[i].entry_id, entry_id) == 0) {
            say_next(s, p, &s->b[i], req);
            return 0;
        }
    const kb_entry *e = kb_find(&s->k, entry_id);
    if (!e)
        return CAMAS_ERR_NOTFOUND;
    return kb_reply_text(p, s->host, e->answer[kb_lang(req->lang)]);
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
        const char *shortname = s->host->body_name(p, bm->body, req->lang, 0);
        char *full = kb_fold(s->host->body_name(p, bm->body, req->lang, 1));
        bool match = !*arg || strcmp(arg, bm->body) == 0 ||
                     (full && strlen(arg) >= 4 && strstr(full, arg)) ||
                     (strcmp(bm->body, "csec") == 0 &&
                      (strcmp(arg, "esec") == 0 || strcmp(arg, "cstc") == 0));
        free(full);
        if (!match)
            continue;
        char text[1200];
        const char *cadence = kb_str(bm->record, "cadence", lang);
        const char *attend = kb_str(bm->record, "attendance", lang);
        snprintf(text, sizeof text, lang ? "%s — rythme : %s. %s" : "%s — cadence: %s. %s",
                 shortname, cadence ? cadence : "?", attend ? attend : "");
        s->host->reply(p, text, NULL);
        if (bm->calendar)
            say_next(s, p, bm, req);
        said++;
    }
    if (!said)
        s->host->reply(p,
                       lang ? "Usage : !meetings [task-force|washact|csec]"
                            : "Usage: !meetings [task-force|washact|csec]",
                       NULL);
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
