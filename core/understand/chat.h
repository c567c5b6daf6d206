/* Chat shorthand written out before a question is read ("c koi", "cmb", "kel", "r u",
 * "2-3x a year"): the matcher, the sentence model and the yes/no reading know the words, not
 * the shorthand. */
#ifndef CAMAS_CHAT_H
#define CAMAS_CHAT_H

#include <stdbool.h>
#include <stddef.h>

/* Writes text with its shorthand written out into out (cap bytes): whole words only, as typed
 * (a single letter only in lowercase: "U.S." is no "you"), the English-only ones ("r", "u",
 * "wat") only when lang is "en" and the French-only ones ("koi", "cmb", "c") only when it is
 * "fr"; punctuation kept. False, out unspecified, when nothing was written out or out is too
 * small. */
bool camas_chat_unabbreviate(const char *text, const char *lang, char *out, size_t cap);

/* Writes text without the word "number" where it qualifies a law ("the bill number", "rcw
 * number", "le numéro du projet de loi") into out: read whole, the sentence model takes it
 * for a phone number. False, out unspecified, when there is none or out is too small. */
bool camas_chat_without_law_number(const char *text, char *out, size_t cap);

#endif
