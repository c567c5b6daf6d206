/* Unit tests for the safety detector: danger messages in English and French (accents
 * optional, typos), informational questions that must not trigger it, and the message. */
#include "check.h"
#include "safety.h"
#include "util.h"

static const char *const danger_en[] = {
    "I'm being forced to work and can't leave",
    "they took my passport",
    "passport taken",
    "papers confiscated by the agency",
    "someone is trafficking my sister",
    "I think my neighbour is a victim of trafficking",
    "help me",
    "I am scared they will hurt me",
    "he won't let me leave",
    "they took my pasport",
    "my boss keeps my ID and says I owe him money",
    "I'm in danger right now",
    "is it normal that I owe more now than when I started?",
    "my debt keeps growing even though I work every day",
    "he branded me with his initials",
    "they have all my docs and tell me where to go every day",
    /* close to a defuser, still danger */
    "they took my passport and won't give it back",
    "they won't let me go out alone, not even in the daytime",
    "my boss locks me in at night until my shift",
    "he took my phone and only gives it back on sunday",
    "my boss took my passport and says I get it back when I pay what I owe",
    "the pastor makes us work for free and says God will punish us if we leave",
    "I've been stuck at their house for 3 months, number please",
    "they keep me in the truck and I can't leave, they move us every week",
    "the manager took my work permit",
    /* "locked" is a word of the tables, not a misspelt "blocked" (a defuser) */
    "HELP they locked me in the basement again",
    "we ran but they still have our passports",
    "I have to pay back the coyote by working",
    "my parents make me work for their friend instead of going to school",
    /* a real word one letter from a defuser's ("grounded", "novel", "unblocked") is no
     * typo of it: defusers match exactly */
    "they rounded us up and took our passports",
    "since noel he keeps my passport and I can't leave",
    "the door is never unlocked, they won't let me leave",
    /* a threat after a group's attempt to leave */
    "if we try to leave they let the dogs out",
    /* moved from motel to motel, the place lost; hit for one's pace; a phone about to be
     * taken */
    "they drive us to another motel every few days",
    "i don't even know what town this is anymore",
    "the foreman slaps us if we are too slow",
    "my phone is going to get taken tonight",
};

static const char *const danger_fr[] = {
    "je suis en danger",
    "on m'oblige à me prostituer",
    "aidez-moi",
    "on m'a pris mon passeport",
    "mon employeur a pris mon permis de travail",
    "mon oncle dit que je lui dois encore le voyage, ça fait deux ans",
    "est-ce que c'est normal que ma tante garde tout ce que je gagne au salon ?",
    "je ne peux pas partir",
    "je suis enfermee",
    "ma voisine est victime de traite",
    "ils menacent ma famille",
    "je suis en dangé",
    "c'est normal que je doive plus d'argent qu'au début ?",
    "ma dette augmente chaque mois",
    "il m'a marquée avec un tatouage de son nom",
    "le patron garde mes docs dans son bureau",
    /* close to a defuser, still danger */
    "il garde mon passeport et ne me l'a jamais rendu",
    "ils m'empêchent de sortir, même en plein jour",
    "je suis enfermée dans une chambre, ils ne me laissent pas sortir",
    "ils ont pris mon passeport pour le garder, je dois rembourser ma dette",
    "la dame chez qui je fais le menage m'enferme a cle quand elle part",
    "jsui coincee chez eux depui 3 mois. numero svp",
    "ils me gardent dans le camion, je peux pas sortir, ils nous déplacent chaque semaine",
    /* "sans salaire" alone: the pattern asked for a third word */
    "je travaille sans salaire depuis mars",
    "on doit rembourser le passeur en travaillant",
    "on s'est enfuie mais ils ont encore nos papiers",
    "mes parents me font travailler pour leur ami au lieu d'aller à l'école",
    "depuis noël il garde mon passeport",
    "ils lâchent le chien si on essaie de sortir de la cour",
    "ils nous déplacent de motel en motel",
    "je sais même plus où on est",
    "le contremaître gifle celles qui trient trop lentement",
    "il va me faire confisquer mon portable ce soir",
};

static const char *const safe[] = {
    "we moved into a quieter motel room last night",
    "i know what town this is, i grew up here",
    "she hits the ball hard and fast",
    "the phone I ordered should be delivered tomorrow",
    "my ex keeps texting me, I finally blocked him",
    "my coworkers locked me in the walk-in freezer for 5 seconds as a prank",
    "the villain in that Netflix show keeps the girl locked in a basement",
    "je dois rembourser mon prêt étudiant",
    "mes collègues m'ont enfermé dans la chambre froide pour rire",
    "how long does a passport renewal take right now?",
    "mon fils garde tout ce qu'il gagne pour s'acheter une console",
    "je dois encore réserver le billet pour le voyage à Lyon",
    "what does the task force do against trafficking?",
    "who should I contact about trafficking?",
    "quelles sont les missions du comité ?",
    "can you help me find the chair of washact?",
    "can someone help me format the footnotes in the annual report?",
    "ce voyage m'a marquée pour toujours",
    "cette réunion du lundi me tue",
    "on a marqué les veaux au fer ce week-end",
    "the brand of my phone is bad",
    "what docs do I need for a passport appointment?",
    "how does WashACT help victims of trafficking?",
    "aidez-moi à trouver le président du groupe de travail",
    "what is forced labor and sex trafficking?",
    "who is a victim of trafficking under the law?",
    "a l'aide de quelle loi le comité a-t-il été créé ?",
    "when does the task force meet?",
    "I owe more than 20 dollars to my friend",
    "je ne dois plus rien à la banque",
    "la question me tient à cœur",
    /* a pattern's words in a situation where nobody is held (the defusers) */
    "ugh, locked out of my account again",
    "the bouncer took my ID to scan it and gave it right back",
    "I have a student loan debt and I owe them $20k",
    "stuck in the elevator for 10 minutes, I can't leave lol",
    "can't leave work until my replacement shows up",
    "my parents won't let me go to the party",
    "mom won't let me go out after 11 on school nights",
    "ma mère m'interdit de sortir après 22h en semaine",
    "ma coloc m'a enfermée dehors, j'attends le serrurier",
    "le videur a pris ma carte d'identité puis me l'a rendue",
    "je suis criblée de dettes depuis l'achat de la maison",
    "je suis enfermée dans mes pensées",
    "je peux pas partir du boulot avant que ma collègue arrive",
    "jsuis mort de fatigue, ce taf va me tuer",
    "ma mère m'a confisqué mon téléphone jusqu'aux vacances",
    "I'm held hostage by this meeting until 5pm",
    "my abuela says I'm not allowed to leave the table until I finish my food",
    "I locked my keys in the car, can't leave the rest area",
    "j'ai enfermé mes clés dans la voiture sur une aire d'autoroute",
    "l'hôtel a gardé ma carte d'identité en caution, je l'ai récupérée au départ",
    "je peux pas sortir ce soir, mes parents m'ont puni",
    "je me sens prisonnière chez moi avec ma jambe cassée",
    "au secours je suis coincé dans un appel Zoom qui finit jamais",
    /* stuck, but not where someone else lives */
    "stuck at home with the flu, what does the task force do?",
    "je suis coincée chez moi avec la grippe, le comité se réunit quand ?",
    "coincé chez lui à cause de la neige, on annule la réunion",
    "we're stuck at their place, snowed in until monday",
    "I'm held hostage by my two-year phone contract.",
    "the car salesman wouldn't let me leave for an hour",
    "je suis bloquée dans un forfait de 2 ans, je peux pas partir sans payer",
    "my ex keeps texting me, I finally blocked him",
    "someone parked me in at the lot, I can't leave",
    "qqn s'est garé devant moi, je peux pas sortir ma voiture",
    /* common words one letter from a pattern's ("rappel" from "frapp*") are no typos */
    "on me rappelle demain",
    "il me rappelle tous les jours pour le rapport",
    /* one's own attempt to leave for work is no threat */
    "my cat cries if I try to leave for work",
    "mon chien pleure quand je tente de partir au travail",
};

/* One typo is tolerated in words of 5+ letters, anywhere but the first letter (a swap of
 * the first two letters, or a letter added or missing at the front, still counts). */
static const struct {
    const char *text;
    bool danger;
} typos[] = {
    {"they took my passport", true},
    {"they took my pasport", true},             /* deletion */
    {"they took my passpoort", true},           /* insertion */
    {"they took my passprot", true},            /* transposition */
    {"they took my passpxrt", true},            /* substitution */
    {"they took my apssport", true},            /* first two letters swapped */
    {"they took my xpassport", true},           /* letter added at the front */
    {"they took my assport", true},             /* first letter missing */
    {"they took my xassport", false},           /* first letter wrong */
    {"they took my pasxprot", false},           /* two typos */
    {"someone is trafickking my sister", true}, /* typo inside a prefix ("traffick*") */
    {"someone is trafficking my sister", true},
    {"they took my pay", true}, /* short words: exact only */
    {"they took my pya", false},
    {"je suis en dangé", true},
    {"je suis en dangxr", true},
};

/* The patterns' verdict weighed by the learned detector, and the reply put together. */
static void test_levels_and_compose(void)
{
    CHECK(camas_safety_level(true, -1, -1) == 2); /* no model: the patterns decide */
    CHECK(camas_safety_level(false, -1, -1) == 0);
    CHECK(camas_safety_level(false, 0.9f, 0.9f) == 2); /* the learned detector alone */
    CHECK(camas_safety_level(false, 0.4f, 0.9f) == 1); /* the combined doubts: the footer */
    CHECK(camas_safety_level(false, 0.4f, 0.5f) == 0);
    CHECK(camas_safety_level(true, 0.45f, 0.3f) == 2);  /* a pattern hit it does not contradict */
    CHECK(camas_safety_level(true, 0.1f, 0.5f) == 2);   /* ... or its nearest examples do not */
    CHECK(camas_safety_level(true, 0.15f, 0.25f) == 1); /* doubtful: the footer */
    CHECK(camas_safety_level(true, 0.05f, 0.25f) == 0); /* both views say safe */
    CHECK(camas_safety_level(true, 0.25f, 0.1f) == 0);  /* the nearest examples say safe */
    CHECK(camas_safety_level(true, 0.1f, 0.15f) == 0);  /* sure it is safe: overruled */

    camas_buf p = {0}, h = {0};
    camas_safety_compose(NULL, "en", 2, false, "The Task Force meets.", NULL, false, false, &p, &h);
    CHECK(strncmp(camas_buf_cstr(&p), camas_safety_message(NULL, "en"), 40) == 0);
    CHECK(strstr(camas_buf_cstr(&p), "\n\nThe Task Force meets.") != NULL);
    camas_buf_reset(&p), camas_buf_reset(&h);
    /* after the hotline, no "I'm not sure" and no "Did you mean" */
    camas_safety_compose(NULL, "fr", 2, false, "Je ne suis pas sûr", NULL, true, false, &p, &h);
    CHECK(strcmp(camas_buf_cstr(&p), camas_safety_message(NULL, "fr")) == 0);
    camas_buf_reset(&p), camas_buf_reset(&h);
    camas_safety_compose(NULL, "en", 2, false, "Did you mean: 1. x", NULL, false, true, &p, &h);
    CHECK(strcmp(camas_buf_cstr(&p), camas_safety_message(NULL, "en")) == 0);
    camas_buf_reset(&p), camas_buf_reset(&h);
    /* the hotline already went out as its own event: only the answer */
    camas_safety_compose(NULL, "en", 2, true, "An answer.", "<p>An answer.</p>", false, false, &p,
                         &h);
    CHECK(strcmp(camas_buf_cstr(&p), "An answer.") == 0);
    CHECK(strcmp(camas_buf_cstr(&h), "<p>An answer.</p>") == 0);
    camas_buf_reset(&p), camas_buf_reset(&h);
    CHECK(!camas_safety_compose(NULL, "en", 1, false, "An answer.", NULL, false, false, &p, &h));
    CHECK(strncmp(camas_buf_cstr(&p), "An answer.\n\n", 12) == 0);
    CHECK(strstr(camas_buf_cstr(&p), camas_safety_footer(NULL, "en")) != NULL);
    CHECK(strstr(camas_buf_cstr(&h), "<em>") != NULL);
    camas_buf_reset(&p), camas_buf_reset(&h);
    /* with nothing answered, nothing is read before the hotline: it leads the decline */
    CHECK(camas_safety_compose(NULL, "fr", 1, false, "Je ne suis pas sûr", NULL, true, false, &p,
                               &h));
    CHECK(strncmp(camas_buf_cstr(&p), camas_safety_footer(NULL, "fr"),
                  strlen(camas_safety_footer(NULL, "fr"))) == 0);
    CHECK(strstr(camas_buf_cstr(&p), "\n\nJe ne suis pas sûr") != NULL);
    CHECK(strncmp(camas_buf_cstr(&h), "<p><em>", 7) == 0);
    camas_buf_reset(&p), camas_buf_reset(&h);
    CHECK(camas_safety_compose(NULL, "en", 1, false, "Did you mean: 1. x", NULL, false, true, &p,
                               &h));
    CHECK(strstr(camas_buf_cstr(&p), "\n\nDid you mean: 1. x") != NULL);
    camas_buf_reset(&p), camas_buf_reset(&h);
    CHECK(camas_safety_compose(NULL, "en", 2, false, "An answer.", NULL, false, false, &p, &h));
    camas_buf_reset(&p), camas_buf_reset(&h);
    CHECK(!camas_safety_compose(NULL, "en", 0, false, "An answer.", NULL, false, false, &p, &h));
    CHECK(strcmp(camas_buf_cstr(&p), "An answer.") == 0);
    camas_buf_reset(&p), camas_buf_reset(&h);
    /* a reply in both languages (no cue to the asker's): the hotline in both, its first */
    CHECK(strcmp(camas_safety_langs("en", true), "en+fr") == 0);
    CHECK(strcmp(camas_safety_langs("fr", true), "fr+en") == 0);
    CHECK(strcmp(camas_safety_langs("fr", false), "fr") == 0);
    CHECK(camas_safety_compose(NULL, "en+fr", 2, false, "x", NULL, true, false, &p, &h));
    const char *en = camas_safety_message(NULL, "en"), *fr = camas_safety_message(NULL, "fr");
    CHECK(strncmp(camas_buf_cstr(&p), en, strlen(en)) == 0);
    CHECK(strcmp(camas_buf_cstr(&p) + strlen(en), "\n\n") > 0 &&
          strcmp(camas_buf_cstr(&p) + strlen(en) + 2, fr) == 0);
    camas_buf_reset(&p), camas_buf_reset(&h);
    CHECK(!camas_safety_compose(NULL, "fr+en", 1, false, "Réponse.\n\nAnswer.", NULL, false, false,
                                &p, &h));
    CHECK(strstr(camas_buf_cstr(&p), camas_safety_footer(NULL, "fr")) != NULL);
    CHECK(strstr(camas_buf_cstr(&p), camas_safety_footer(NULL, "en")) >
          strstr(camas_buf_cstr(&p), camas_safety_footer(NULL, "fr")));
    camas_buf_free(&p);
    camas_buf_free(&h);
}

int main(void)
{
    const char *lang = NULL;
    camas_safety *s = camas_safety_new();
    CHECK(s != NULL);
    if (!s)
        return check_done("safety");
    for (size_t i = 0; i < sizeof danger_en / sizeof danger_en[0]; i++) {
        bool hit = camas_safety_check(s, danger_en[i], &lang);
        if (!hit)
            fprintf(stderr, "missed: %s\n", danger_en[i]);
        CHECK(hit);
        CHECK_STR(lang, "en");
    }
    for (size_t i = 0; i < sizeof danger_fr / sizeof danger_fr[0]; i++) {
        bool hit = camas_safety_check(s, danger_fr[i], &lang);
        if (!hit)
            fprintf(stderr, "missed: %s\n", danger_fr[i]);
        CHECK(hit);
        CHECK_STR(lang, "fr");
    }
    for (size_t i = 0; i < sizeof safe / sizeof safe[0]; i++) {
        bool hit = camas_safety_check(s, safe[i], NULL);
        if (hit)
            fprintf(stderr, "false positive: %s\n", safe[i]);
        CHECK(!hit);
    }
    for (size_t i = 0; i < sizeof typos / sizeof typos[0]; i++) {
        bool hit = camas_safety_check(s, typos[i].text, NULL);
        if (hit != typos[i].danger)
            fprintf(stderr, "typo rule broken (expected %s): %s\n",
                    typos[i].danger ? "danger" : "no danger", typos[i].text);
        CHECK(hit == typos[i].danger);
    }
    CHECK(camas_safety_known_words_sorted());
    CHECK(!camas_safety_check(s, NULL, NULL));
    CHECK(!camas_safety_check(s, "", &lang));
    CHECK(!camas_safety_check(NULL, "help me", &lang));
    /* far more tokens than the detector looks at: no overflow, and the cue still counts */
    char long_msg[4096] = "";
    for (int i = 0; i < 150; i++)
        strcat(long_msg, "word ");
    CHECK(!camas_safety_check(s, long_msg, NULL));
    strcpy(long_msg + 60, " they took my passport");
    CHECK(camas_safety_check(s, long_msg, NULL));
    camas_safety_free(s);
    camas_safety_free(NULL);
    const char *en = camas_safety_message(NULL, "en"), *fr = camas_safety_message(NULL, "fr");
    CHECK(strstr(en, "1-888-373-7888") && strstr(en, "233733") && strstr(en, "911"));
    CHECK(strstr(fr, "1-888-373-7888") && strstr(fr, "233733"));
    CHECK(strstr(fr, "ppelez le 911 en cas d'urgence") != NULL);
    CHECK(camas_safety_message(NULL, NULL) == en);
    test_levels_and_compose();
    return check_done("safety");
}
