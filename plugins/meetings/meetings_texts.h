/* The meetings plugin's compiled wording and default example questions: the fallback when
 * knowledge/meetings/messages.yaml or meetings.yaml does not give them. Data only, included
 * once, by meetings.c. */
#ifndef CAMAS_MEETINGS_TEXTS_H
#define CAMAS_MEETINGS_TEXTS_H

#include <camas/plugin.h>

/* The compiled texts: byte for byte what knowledge/meetings/messages.yaml ships. */
static const camas_template templates[] = {
    {"help.line", "", "!meetings [body] - when and how often each body meets",
     "!meetings [organisme] - quand et à quel rythme chaque organisme se réunit"},
    {"next", "body when summary location", "Next meeting of {body}: {when}{summary}{location}.",
     "Prochaine réunion ({body}) : {when}{summary}{location}."},
    {"next.none", "body", "The calendar of {body} has no upcoming meeting.",
     "Le calendrier de {body} ne contient aucune réunion à venir."},
    {"upcoming", "body", "Upcoming meetings of {body}:", "Prochaines réunions ({body}) :"},
    {"upcoming.this-year", "body", "Meetings of {body} for the rest of the year:",
     "Réunions de {body} d'ici la fin de l'année :"},
    {"upcoming.item", "when summary location", "- {when}{summary}{location}",
     "- {when}{summary}{location}"},
    {"upcoming.none-this-year", "body", "The calendar of {body} has no more meetings this year.",
     "Le calendrier de {body} ne contient plus de réunion cette année."},
    {"meeting.summary", "summary", " — \"{summary}\"", " — « {summary} »"},
    {"meeting.location", "location", " — location: {location}", " — lieu : {location}"},
    {"when.date", "weekday day month year", "{weekday}, {month} {day}, {year}",
     "{weekday} {day} {month} {year}"},
    {"when.time", "weekday day month year hour hour_ampm minute ampm zone",
     "{weekday}, {month} {day}, {year} at {hour_ampm}:{minute} {ampm} {zone}",
     "{weekday} {day} {month} {year} à {hour} h {minute} ({zone})"},
    {"when.zone", "zone", "({zone} time)", "heure de {zone}"},
    {"command", "body cadence attendance", "{body} — cadence: {cadence}. {attendance}",
     "{body} — rythme : {cadence}. {attendance}"},
    {"usage", "", "Usage: !meetings [task-force|washact|csec]",
     "Usage : !meetings [task-force|washact|csec]"},
};

static const char *const next_ask_default[2][8] = {
    {"when is the next meeting?", "next meeting date", "when do they meet next?",
     "date of the next meeting", "upcoming meeting", NULL},
    {"quand a lieu la prochaine réunion ?", "date de la prochaine réunion", "prochaine réunion",
     "quand se réunissent-ils la prochaine fois ?", "réunion à venir", NULL},
};

static const char *const upcoming_ask_default[2][8] = {
    {"the next three meetings", "upcoming meetings", "list the meetings this year",
     "meetings this year", "what meetings are coming up?", "all the meetings planned this year",
     "the next few meetings", NULL},
    {"les trois prochaines réunions", "réunions à venir", "liste des réunions de cette année",
     "réunions cette année", "quelles réunions sont prévues ?",
     "toutes les réunions prévues cette année", "les prochaines réunions", NULL},
};

#endif
