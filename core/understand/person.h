/* The person a follow-up points at (person.c): an answer to "who…?" naming one person
 * (bodies.yaml `people:`) leaves the name in brackets at the end of the understood text the
 * core keeps as the asker's context, and the next question's "he"/"elle" is read as it. */
#ifndef CAMAS_PERSON_H
#define CAMAS_PERSON_H

#include "util.h"
#include "yesno.h"

#include <stdbool.h>
#include <stddef.h>

/* prev, the asker's previous understood text, ending on a person in brackets ("who chairs the
 * task force? (Richard Torrance)"): true, with the text before the brackets in question and
 * the name (at most cap bytes with its NUL) in person. */
bool camas_person_in_prev(const camas_yesno_names *names, const char *prev, camas_buf *question,
                          char *person, size_t cap);
/* text with "he", "she", "him", "il", "elle", "lui" read as person ("his", "her" as person's),
 * into out; false when it has no such word, names a person itself or asks what only a body
 * does ("il a été créé quand ?"). */
bool camas_person_for_pronoun(const camas_yesno_names *names, const char *text, const char *lang,
                              const char *person, camas_buf *out);
/* When asked asks "who…?" and reply names exactly one person, understood (asked when empty)
 * ends on that name in brackets. */
void camas_person_understood(const camas_yesno_names *names, const char *reply, const char *asked,
                             camas_buf *understood);

#endif
