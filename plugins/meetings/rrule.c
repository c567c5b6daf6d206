/* meetings plugin: the check of a recurrence rule before libical expands it (see rrule.h).
 *
 * libical 3.0.16 (Debian 12, built with ICU) walks a rule one period at a time: a month of a
 * MONTHLY rule, a year of a YEARLY one, a day (and each BYHOUR x BYMINUTE x BYSECOND time in it)
 * of a DAILY one, a week of a WEEKLY one. icalrecur_iterator_new searches for the first period
 * with a day in it up to the year 20000; icalrecur_iterator_next, for the next one with no
 * limit but the year 2582 (and, for an empty month or year, none at all). Neither UNTIL nor
 * COUNT shortens those searches. So this check models which periods libical finds a day in,
 * the same way its expand_month_days, expand_year_days and check_contracting_rules do, over a
 * whole cycle of the Gregorian calendar (400 years: 146,097 days, 20,871 weeks), and refuses a
 * rule whose longest run of empty periods is more than libical walks in a few milliseconds.
 * Rule parts libical handles in other ways (BYYEARDAY, BYWEEKNO, RSCALE, rules more frequent
 * than daily) are refused rather than modelled: a meetings calendar has no use for them. */
#include "rrule.h"

#include <stdio.h>
#include <stdlib.h>

#define END ICAL_RECURRENCE_ARRAY_MAX

/* The longest search allowed between two occurrences. Measured with Debian's libical 3.0.16 on
 * this project's 2-core VM (bench/results/fuzz.md): about 6 us per empty month, 6 to 15 us per
 * empty year and 3 us per daily step, so each bound stays under about 10 ms. A real meeting's
 * rule is far below them: the rarest, 29 February on a Monday, waits 40 years. */
#define MAX_GAP_STEPS  3000 /* DAILY and WEEKLY: days (or BYDAY days) x times of day */
#define MAX_GAP_MONTHS 600
#define MAX_GAP_YEARS  100

#define CYCLE_DAYS 146097L /* 400 Gregorian years, exactly 20,871 weeks */

struct view {
    const struct icalrecurrencetype *r;
    struct icaltimetype start;
    long interval;
};

static int len(const short *a, int size)
{
    int n = 0;
    while (n < size && a[n] != END)
        n++;
    return n;
}

static bool in(const short *a, int size, int v)
{
    for (int i = 0; i < size && a[i] != END; i++)
        if (a[i] == v)
            return true;
    return false;
}

#define LEN(field)   len(v->r->field, (int)(sizeof v->r->field / sizeof v->r->field[0]))
#define IN(field, x) in(v->r->field, (int)(sizeof v->r->field / sizeof v->r->field[0]), (x))

static bool leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(long y, int m)
{
    static const int n[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : n[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard Hinnant's
 * days_from_civil and civil_from_days). */
static long days_from_civil(long y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * CYCLE_DAYS + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void civil_from_days(long z, long *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - CYCLE_DAYS + 1) / CYCLE_DAYS;
    long doe = z - era * CYCLE_DAYS;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* 1 = Sunday ... 7 = Saturday, as libical numbers weekdays. */
static int weekday(long z)
{
    long w = (z + 4) % 7; /* 1970-01-01 was a Thursday */
    return (int)(w < 0 ? w + 7 : w) + 1;
}

static long mod(long a, long n)
{
    a %= n;
    return a < 0 ? a + n : a;
}

static long gcd(long a, long b)
{
    while (b) {
        long t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* libical's expand_by_day: the BYDAY days of one period (a month, or a whole year) of
 * last_day days starting after mask[off], added to the mask or, when limiting, kept only where
 * the mask already has a day. Returns the number of days left, libical's BYSETPOS total. */
static int expand_by_day(const struct view *v, bool *mask, int off, int last_day, int first_dow,
                         int last_dow, bool limiting)
{
    bool by[367] = {false};
    for (int i = 0; i < ICAL_BY_DAY_SIZE && v->r->by_day[i] != END; i++) {
        short code = v->r->by_day[i];
        int dow = abs(code) % 8;
        int pos = (abs(code) - dow) / 8 * (code < 0 ? -1 : 1);
        int first = ((dow + 7 - first_dow) % 7) + 1;
        int last = last_day - ((last_dow + 7 - dow) % 7);
        if (pos == 0) {
            for (int day = first; day <= last_day; day += 7)
                by[day] = true;
        } else if (pos > 0) {
            int day = first + (pos - 1) * 7;
            if (day <= last)
                by[day] = true;
        } else {
            int day = last + (pos + 1) * 7;
            if (day >= first)
                by[day] = true;
        }
    }
    int total = 0;
    for (int day = 1; day <= last_day; day++) {
        mask[off + day] = limiting ? mask[off + day] && by[day] : by[day];
        total += mask[off + day];
    }
    return total;
}

/* libical's expand_bymonth_days: BYMONTHDAY (or DTSTART's day) in month m of year y, whose first
 * day is mask[off + 1]. Counts each value, as libical does, even when two name the same day. */
static int expand_bymonth_days(const struct view *v, bool *mask, int off, long y, int m)
{
    int n = days_in_month(y, m), total = 0;
    bool given = LEN(by_month_day) > 0;
    for (int i = 0; i < (given ? LEN(by_month_day) : 1); i++) {
        int md = given ? v->r->by_month_day[i] : v->start.day;
        if (abs(md) > n)
            continue; /* SKIP=OMIT, the only one without RSCALE */
        mask[off + (md > 0 ? md : n + 1 + md)] = true;
        total++;
    }
    return total;
}

/* libical's filter_bysetpos over mask[from..to]; whether a day is left. */
static bool filter_bysetpos(const struct view *v, bool *mask, int from, int to, int total)
{
    bool any = false;
    int count = 0;
    for (int d = from; d <= to; d++) {
        if (!mask[d])
            continue;
        mask[d] = IN(by_set_pos, count + 1) || IN(by_set_pos, count - total);
        any = any || mask[d];
        count++;
    }
    return any;
}

static bool any_day(const bool *mask, int from, int to)
{
    for (int d = from; d <= to; d++)
        if (mask[d])
            return true;
    return false;
}

/* MONTHLY: whether libical finds a day in month k of the rule (expand_month_days; a month
 * outside BYMONTH is stepped over by increment_month). */
static bool month_has_day(const struct view *v, long k)
{
    long start = mod(v->start.year, 400) * 12 + v->start.month - 1;
    long mi = mod(start + k * v->interval, 400 * 12);
    long y = mi / 12;
    int m = (int)(mi % 12) + 1;
    if (LEN(by_month) && !IN(by_month, m))
        return false;
    bool mask[33] = {false};
    int n = days_in_month(y, m);
    int total = expand_bymonth_days(v, mask, 0, y, m);
    if (LEN(by_day))
        total = expand_by_day(v, mask, 0, n, weekday(days_from_civil(y, m, 1)),
                              weekday(days_from_civil(y, m, n)), LEN(by_month_day) > 0);
    if (LEN(by_set_pos))
        return filter_bysetpos(v, mask, 1, n, total);
    return any_day(mask, 1, n);
}

/* YEARLY: whether libical finds a day in year k of the rule (expand_year_days without
 * BYYEARDAY and BYWEEKNO). BYMONTH and BYMONTHDAY default to DTSTART's. */
static bool year_has_day(const struct view *v, long k)
{
    long y = mod(v->start.year + k * v->interval, 400);
    bool mask[400] = {false};
    int ndays = leap(y) ? 366 : 365, total = 0;
    int nmonths = LEN(by_month) ? LEN(by_month) : 1;
    for (int i = 0; i < nmonths; i++) {
        int m = LEN(by_month) ? v->r->by_month[i] : v->start.month;
        int off = (int)(days_from_civil(y, m, 1) - days_from_civil(y, 1, 1));
        total += expand_bymonth_days(v, mask, off, y, m);
    }
    if (LEN(by_day)) {
        bool limiting = LEN(by_month_day) > 0;
        total = 0;
        if (LEN(by_month)) { /* an ordinal BYDAY counts within each month */
            for (int i = 0; i < LEN(by_month); i++) {
                int m = v->r->by_month[i], n = days_in_month(y, m);
                int off = (int)(days_from_civil(y, m, 1) - days_from_civil(y, 1, 1));
                total += expand_by_day(v, mask, off, n, weekday(days_from_civil(y, m, 1)),
                                       weekday(days_from_civil(y, m, n)), limiting);
            }
        } else { /* within the year */
            total = expand_by_day(v, mask, 0, ndays, weekday(days_from_civil(y, 1, 1)),
                                  weekday(days_from_civil(y, 12, 31)), limiting);
        }
    }
    if (LEN(by_set_pos))
        return filter_bysetpos(v, mask, 1, ndays, total);
    return any_day(mask, 1, ndays);
}

/* DAILY: whether day k passes libical's check_contracting_rules. BYDAY is compared as its
 * encoded value with the weekday, so an ordinal (1MO) never passes, nor does a negative
 * BYMONTHDAY. */
static bool day_matches(const struct view *v, long k)
{
    long z0 = days_from_civil(v->start.year, v->start.month, v->start.day);
    long z = mod(z0 + k * v->interval, CYCLE_DAYS), y;
    int m, d;
    civil_from_days(z, &y, &m, &d);
    return (!LEN(by_month) || IN(by_month, m)) && (!LEN(by_month_day) || IN(by_month_day, d)) &&
           (!LEN(by_day) || IN(by_day, weekday(z)));
}

/* WEEKLY: BYMONTH is the only filter; a week whose seven days all lie in BYMONTH months
 * surely has an occurrence, whichever days BYDAY names (so this errs on the side of refusing). */
static bool week_matches(const struct view *v, long k)
{
    if (!LEN(by_month))
        return true;
    long z0 = days_from_civil(v->start.year, v->start.month, v->start.day);
    int wkst = v->r->week_start >= 1 && v->r->week_start <= 7 ? (int)v->r->week_start : 2;
    long sow = z0 - (weekday(z0) - wkst + 7) % 7;
    for (int i = 0; i < 7; i++) {
        long y;
        int m, d;
        civil_from_days(mod(sow + 7 * k * v->interval + i, CYCLE_DAYS), &y, &m, &d);
        if (!IN(by_month, m))
            return false;
    }
    return true;
}

/* The longest distance, in periods, from any period to the next one with an occurrence, over a
 * cycle of the pattern (which then repeats forever); -1 when no period has one. */
static long longest_gap(const struct view *v, bool (*has)(const struct view *, long), long cycle)
{
    long first = -1, last = -1, gap = 0;
    for (long k = 0; k < cycle; k++) {
        if (!has(v, k))
            continue;
        if (first < 0)
            first = k;
        else if (k - last > gap)
            gap = k - last;
        last = k;
    }
    if (first < 0)
        return -1;
    return first + cycle - last > gap ? first + cycle - last : gap;
}

/* The value ranges libical trusts its caller with: out of them it indexes or normalises
 * dates into something no model here follows. */
static const char *bad_value(const struct view *v)
{
    for (int i = 0; i < LEN(by_month); i++)
        if (v->r->by_month[i] < 1 || v->r->by_month[i] > 12)
            return "BYMONTH must be 1 to 12";
    for (int i = 0; i < LEN(by_month_day); i++)
        if (v->r->by_month_day[i] == 0 || abs(v->r->by_month_day[i]) > 31)
            return "BYMONTHDAY must be 1 to 31 or -31 to -1";
    for (int i = 0; i < LEN(by_day); i++) {
        int code = v->r->by_day[i], dow = abs(code) % 8;
        if (dow < 1 || dow > 7 || abs(code) / 8 > 53)
            return "BYDAY must be a weekday, with an ordinal of at most 53";
    }
    for (int i = 0; i < LEN(by_set_pos); i++)
        if (v->r->by_set_pos[i] == 0 || abs(v->r->by_set_pos[i]) > 366)
            return "BYSETPOS must be 1 to 366 or -366 to -1";
    for (int i = 0; i < LEN(by_hour); i++)
        if (v->r->by_hour[i] < 0 || v->r->by_hour[i] > 23)
            return "BYHOUR must be 0 to 23";
    for (int i = 0; i < LEN(by_minute); i++)
        if (v->r->by_minute[i] < 0 || v->r->by_minute[i] > 59)
            return "BYMINUTE must be 0 to 59";
    for (int i = 0; i < LEN(by_second); i++)
        if (v->r->by_second[i] < 0 || v->r->by_second[i] > 60)
            return "BYSECOND must be 0 to 60";
    return NULL;
}

bool camas_meetings_rrule_ok(const struct icalrecurrencetype *rule, struct icaltimetype start,
                             char *why, size_t whylen)
{
    const struct view view = {.r = rule, .start = start, .interval = rule->interval};
    const struct view *v = &view;
    const char *bad = NULL;
    if (rule->freq == ICAL_SECONDLY_RECURRENCE || rule->freq == ICAL_MINUTELY_RECURRENCE ||
        rule->freq == ICAL_HOURLY_RECURRENCE)
        bad = "it repeats more often than daily (FREQ=SECONDLY, MINUTELY or HOURLY), which this "
              "plugin does not expand";
    else if (rule->freq < ICAL_DAILY_RECURRENCE || rule->freq > ICAL_YEARLY_RECURRENCE)
        bad = "it has no valid FREQ";
    else if (rule->interval < 1)
        bad = "its INTERVAL is not a positive number";
    else if (rule->rscale)
        bad = "RSCALE (a calendar other than the Gregorian) is not supported";
    else if (LEN(by_year_day) || LEN(by_week_no))
        bad = "BYYEARDAY and BYWEEKNO are not supported";
    else if (start.year < 1583 || start.month < 1 || start.month > 12 || start.day < 1 ||
             start.day > days_in_month(start.year, start.month))
        bad = "its event starts before 1583 (libical counts those dates in the Julian calendar)";
    else
        bad = bad_value(v);
    if (bad) {
        snprintf(why, whylen, "%s", bad);
        return false;
    }
    long times = (LEN(by_hour) ? LEN(by_hour) : 1) * (LEN(by_minute) ? LEN(by_minute) : 1) *
                 (LEN(by_second) ? LEN(by_second) : 1);
    long gap, limit;
    const char *unit;
    switch (rule->freq) {
    case ICAL_DAILY_RECURRENCE: /* without a filter every day is one: no need to walk */
        gap = !LEN(by_month) && !LEN(by_month_day) && !LEN(by_day)
                  ? 1
                  : longest_gap(v, day_matches, CYCLE_DAYS / gcd(v->interval, CYCLE_DAYS));
        limit = MAX_GAP_STEPS / times, unit = "days";
        break;
    case ICAL_WEEKLY_RECURRENCE:
        gap = longest_gap(v, week_matches, CYCLE_DAYS / 7 / gcd(v->interval, CYCLE_DAYS / 7));
        limit = MAX_GAP_STEPS / times / (LEN(by_day) ? LEN(by_day) : 1), unit = "weeks";
        break;
    case ICAL_MONTHLY_RECURRENCE:
        gap = longest_gap(v, month_has_day, 4800 / gcd(v->interval, 4800));
        limit = MAX_GAP_MONTHS, unit = "months";
        break;
    default:
        gap = longest_gap(v, year_has_day, 400 / gcd(v->interval, 400));
        limit = MAX_GAP_YEARS, unit = "years";
        break;
    }
    if (gap < 0) {
        snprintf(why, whylen,
                 "it selects no date at all (a day that does not exist, such as "
                 "the 6th Tuesday of a month or 30 February, or a BYMONTH, "
                 "BYSETPOS or INTERVAL that never meets the others)");
        return false;
    }
    if (gap > limit) {
        snprintf(why, whylen,
                 "its occurrences can be up to %ld %s apart (at most %ld are searched)", gap, unit,
                 limit);
        return false;
    }
    return true;
}
