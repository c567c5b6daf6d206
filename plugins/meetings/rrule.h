/* meetings plugin: the check of a recurrence rule (RRULE) before libical expands it. libical
 * 3.0 searches period after period, with no limit of its own, for the next day a rule selects:
 * up to the year 20000 when creating an iterator, to the year 2582 and beyond when asked for
 * the next occurrence. A rule that never or seldom matches (BYDAY=6TU, BYMONTHDAY=30;BYMONTH=2,
 * a BYSETPOS past the days selected, an INTERVAL that never meets BYMONTH, a minutely rule
 * filtered to one month) stalled the worker for seconds to hours. */
#ifndef CAMAS_MEETINGS_RRULE_H
#define CAMAS_MEETINGS_RRULE_H

#include <libical/ical.h>
#include <stdbool.h>
#include <stddef.h>

/* Whether libical finds every occurrence of rule, started at start, within a short search (a
 * few milliseconds): true, or false with a sentence for the calendar's author in why. Pure
 * arithmetic, no libical call: at most a 400-year Gregorian cycle of days is walked. */
bool camas_meetings_rrule_ok(const struct icalrecurrencetype *rule, struct icaltimetype start,
                             char *why, size_t whylen);

#endif
