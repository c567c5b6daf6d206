/* The common words the safety patterns never read as a typo of one of theirs (safety.c):
 * real words one letter from a pattern word ("ferme" and "femme", "talking" and "taking"),
 * found by auditing the tables against the commonest English and French words. */
#include "safety.h"

#include <stdlib.h>
#include <string.h>

/* Common words one letter from a pattern's, read as themselves and never as its typo:
 * "ferme" (a farm) is no misspelt "femme", "pays" no "payes", "talking" no "taking". Kept
 * sorted (bsearch); the unit tests check it. Plausible typos stay out: "looked" for
 * "locked", "stick" for "stuck", "tapped" for "trapped". */
static const char *const known_words[] = {
    "agent",    "ages",     "aimer",    "aimez",      "aire",    "ajout",   "amused",
    "anger",    "aout",     "arent",    "arising",    "atout",   "band",    "bands",
    "bean",     "belles",   "bing",     "bland",      "boeing",  "bother",  "bout",
    "breach",   "bright",   "capte",    "caste",      "celles",  "centre",  "charte",
    "chick",    "chose",    "chuck",    "clarte",     "clocks",  "coeurs",  "confiture",
    "crache",   "dagger",   "dancer",   "debat",      "debout",  "decade",  "decede",
    "departed", "dive",     "dove",     "drague",     "drive",   "each",    "earn",
    "earning",  "eaten",    "ecarte",   "eleve",      "elevee",  "eleves",  "etais",
    "etat",     "ever",     "faille",   "fair",       "farce",   "fare",    "farther",
    "feather",  "ferme",    "fermes",   "fiere",      "file",    "fill",    "filled",
    "fire",     "flemme",   "fleurs",   "foire",      "folle",   "forged",  "forme",
    "formed",   "formee",   "forment",  "formes",     "fortes",  "garden",  "garment",
    "glowing",  "grade",    "heck",     "heir",       "hiking",  "hiring",  "horse",
    "hose",     "lace",     "lacking",  "lacks",      "lave",    "leaning", "lesser",
    "leve",     "licking",  "loin",     "males",      "manque",  "manques", "marker",
    "marking",  "masque",   "masques",  "mates",      "mating",  "merry",   "monde",
    "montre",   "morte",    "newer",    "nice",       "noire",   "note",    "noter",
    "olds",     "other",    "ours",     "pace",       "paint",   "palace",  "parier",
    "parker",   "pasteur",  "pays",     "paysage",    "peace",   "peak",    "permet",
    "permets",  "pint",     "player",   "playing",    "pleurs",  "point",   "policy",
    "poumons",  "poussant", "pouvions", "prayer",     "praying", "preach",  "presidence",
    "preview",  "prone",    "quelque",  "raced",      "raising", "rand",    "rapid",
    "rated",    "recue",    "reich",    "rejet",      "relay",   "remet",   "rend",
    "resort",   "revenu",   "revenue",  "reviennent", "revient", "riding",  "sacred",
    "salarie",  "saurez",   "savez",    "scaled",     "scored",  "sejours", "shared",
    "sheep",    "skill",    "smelling", "sneak",      "solaire", "sole",    "sour",
    "spared",   "spelling", "spill",    "sprint",     "stakes",  "stall",   "stared",
    "starred",  "stated",   "steak",    "steep",      "style",   "sueur",   "sweep",
    "swelling", "tales",    "talking",  "tapes",      "taxes",   "telles",  "tent",
    "tient",    "till",     "token",    "trent",      "trip",    "tuant",   "usable",
    "valent",   "ventre",   "venu",     "vile",       "ville",   "voient",  "voile",
    "volant",   "votent",   "voter",    "wakes",      "wales",   "waves",   "white",
    "wording",  "words",    "wright",   "wrote",
};

/* Stems of common words one typo from a pattern's prefix ("cherche" from "coerc*",
 * "rappel" from "frapp*", "menage" from "menac*"). */
static const char *const known_stems[] = {"cercl", "cercueil", "cherch", "enact", "equestr",
                                          "menag", "rappe",    "rappo",  "rappr"};

static int compare_word(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

bool camas_safety_known_word(const char *w)
{
    if (bsearch(w, known_words, sizeof known_words / sizeof known_words[0], sizeof known_words[0],
                compare_word))
        return true;
    for (size_t i = 0; i < sizeof known_stems / sizeof known_stems[0]; i++)
        if (strncmp(w, known_stems[i], strlen(known_stems[i])) == 0)
            return true;
    return false;
}

bool camas_safety_known_words_sorted(void)
{
    for (size_t i = 1; i < sizeof known_words / sizeof known_words[0]; i++)
        if (strcmp(known_words[i - 1], known_words[i]) >= 0)
            return false;
    return true;
}
