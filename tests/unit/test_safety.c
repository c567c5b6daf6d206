/* Unit tests for the safety detector: danger messages in English and French (accents
 * optional, typos), informational questions that must not trigger it, and the message. */
#include "check.h"
#include "safety.h"

static const char *const danger_en[] = {
    "I'm being forced to work and can't leave",
    "they took my passport",
    "someone is trafficking my sister",
    "I think my neighbour is a victim of trafficking",
    "help me",
    "I am scared they will hurt me",
    "he won't let me leave",
    "they took my pasport",
    "my boss keeps my ID and says I owe him money",
    "I'm in danger right now",
};

static const char *const danger_fr[] = {
    "je suis en danger",
    "on m'oblige à me prostituer",
    "aidez-moi",
    "on m'a pris mon passeport",
    "je ne peux pas partir",
    "je suis enfermee",
    "ma voisine est victime de traite",
    "ils menacent ma famille",
    "je suis en dangé",
};

static const char *const safe[] = {
    "what does the task force do against trafficking?",
    "who should I contact about trafficking?",
    "quelles sont les missions du comité ?",
    "can you help me find the chair of washact?",
    "how does WashACT help victims of trafficking?",
    "aidez-moi à trouver le président du groupe de travail",
    "what is forced labor and sex trafficking?",
    "who is a victim of trafficking under the law?",
    "a l'aide de quelle loi le comité a-t-il été créé ?",
    "when does the task force meet?",
};

int main(void)
{
    const char *lang = NULL;
    for (size_t i = 0; i < sizeof danger_en / sizeof danger_en[0]; i++) {
        bool hit = camas_safety_check(danger_en[i], &lang);
        if (!hit)
            fprintf(stderr, "missed: %s\n", danger_en[i]);
        CHECK(hit);
        CHECK_STR(lang, "en");
    }
    for (size_t i = 0; i < sizeof danger_fr / sizeof danger_fr[0]; i++) {
        bool hit = camas_safety_check(danger_fr[i], &lang);
        if (!hit)
            fprintf(stderr, "missed: %s\n", danger_fr[i]);
        CHECK(hit);
        CHECK_STR(lang, "fr");
    }
    for (size_t i = 0; i < sizeof safe / sizeof safe[0]; i++) {
        bool hit = camas_safety_check(safe[i], NULL);
        if (hit)
            fprintf(stderr, "false positive: %s\n", safe[i]);
        CHECK(!hit);
    }
    CHECK(!camas_safety_check(NULL, NULL));
    CHECK(!camas_safety_check("", &lang));
    const char *en = camas_safety_message("en"), *fr = camas_safety_message("fr");
    CHECK(strstr(en, "1-888-373-7888") && strstr(en, "233733") && strstr(en, "911"));
    CHECK(strstr(fr, "1-888-373-7888") && strstr(fr, "233733"));
    CHECK(strstr(fr, "ppelez le 911 en cas d'urgence") != NULL);
    CHECK(camas_safety_message(NULL) == en);
    return check_done("safety");
}
