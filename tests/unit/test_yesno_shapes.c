/* The shape of a question before any verdict: chat shorthand written out, a body told by how it
 * meets, and which statements with a question mark are yes/no questions (split out of
 * test_yesno.c). */
#include "check.h"
#include "chat.h"
#include "test_yesno.h"
#include "yesno.h"
#include "yesno_internal.h"

#include <string.h>

/* Chat shorthand written out for the yes/no reading: whole words only, English ones only in
 * English, punctuation kept. */
void test_unabbreviate(void)
{
    char out[128];
    CHECK(camas_chat_unabbreviate("washact se reunit ts les mois ?", "fr", out, sizeof out) &&
          strcmp(out, "washact se reunit tous les mois ?") == 0);
    CHECK(camas_chat_unabbreviate("r washact sessions free n open?", "en", out, sizeof out) &&
          strcmp(out, "are washact sessions free and open?") == 0);
    CHECK(camas_chat_unabbreviate("does it hav 8 agencies", "en", out, sizeof out) &&
          strcmp(out, "does it have 8 agencies") == 0);
    /* "n" and "r" are shorthand in English only; words that merely start alike stay */
    CHECK(!camas_chat_unabbreviate("r n", "fr", out, sizeof out));
    CHECK(!camas_chat_unabbreviate("tsunami pretty", "en", out, sizeof out));
    CHECK(!camas_chat_unabbreviate("", "en", out, sizeof out));
    /* too long for out: refused, never cut */
    CHECK(!camas_chat_unabbreviate("ts ts ts ts", "fr", out, 8));
    /* French shorthand in French, English in English; a capital single letter is no
     * shorthand ("U.S."); a count of times */
    CHECK(
        camas_chat_unabbreviate("c koi le num du grp ke preside torrance", "fr", out, sizeof out) &&
        strcmp(out, "c'est quoi le numéro du groupe que preside torrance") == 0);
    CHECK(!camas_chat_unabbreviate("c koi", "en", out, sizeof out));
    CHECK(camas_chat_unabbreviate("wat r the U.S. Attorney's duties", "en", out, sizeof out) &&
          strcmp(out, "what are the U.S. Attorney's duties") == 0);
    CHECK(camas_chat_unabbreviate("Cmb de membres ?", "fr", out, sizeof out) &&
          strcmp(out, "combien de membres ?") == 0);
    CHECK(camas_chat_unabbreviate("meets 2-3x a year", "en", out, sizeof out) &&
          strcmp(out, "meets 2-3 times a year") == 0);
    /* what staff write for the bodies and their offices */
    CHECK(camas_chat_unabbreviate("cmte convened by AG's office", "en", out, sizeof out) &&
          strcmp(out, "committee convened by Attorney General's office") == 0);
    CHECK(camas_chat_unabbreviate("tf mtgs per yr?", "en", out, sizeof out) &&
          strcmp(out, "task force meetings per year?") == 0);
    CHECK(!camas_chat_unabbreviate("l'AG de l'asso", "fr", out, sizeof out) ||
          strstr(out, "Attorney") == NULL);
    /* "number" qualifying a law goes; a phone's stays */
    CHECK(camas_chat_without_law_number("whats the bill number?", out, sizeof out) &&
          strcmp(out, "whats the bill?") == 0);
    CHECK(camas_chat_without_law_number("csec rcw number", out, sizeof out) &&
          strcmp(out, "csec rcw") == 0);
    CHECK(camas_chat_without_law_number("le numéro du projet de loi ?", out, sizeof out) &&
          strcmp(out, "le du projet de loi ?") == 0);
    CHECK(!camas_chat_without_law_number("what's the csec phone number?", out, sizeof out));
    CHECK(!camas_chat_without_law_number("number", out, sizeof out));
    /* and the question it makes is read as yes/no */
    CHECK(camas_chat_unabbreviate("r the info sessions free?", "en", out, sizeof out) &&
          camas_yesno_question(out, "en"));
}

/* A body told by how it meets: the description's span and its claim, as written. */
void test_meetings_description(void)
{
    camas_yesno_span sp;
    const char *q = "the group that meets 2-3 times a year, who's on it?";
    CHECK(camas_yesno_meetings_description(q, &sp));
    CHECK(sp.from == 0 && strncmp(q + sp.claim, "meets 2-3 times a year", sp.to - sp.claim) == 0 &&
          sp.to - sp.claim == strlen("meets 2-3 times a year"));
    q = "qui contacter pour le groupe dont les réunions sont sur invitation uniquement ?";
    CHECK(camas_yesno_meetings_description(q, &sp));
    CHECK(strncmp(q + sp.from, "le groupe dont", 14) == 0 &&
          strncmp(q + sp.claim, "les réunions sont sur invitation uniquement", sp.to - sp.claim) ==
              0 &&
          sp.to - sp.claim == strlen("les réunions sont sur invitation uniquement"));
    /* the noun abbreviated ("grp") or with its article elided ("l'organisme") */
    q = "le grp qui se reunit sur invitation, ils se voient a quel rythme ?";
    CHECK(camas_yesno_meetings_description(q, &sp));
    CHECK(strncmp(q + sp.from, "le grp", 6) == 0 && strncmp(q + sp.claim, "se reunit", 9) == 0);
    q = "l'organisme dont les réunions sont sur invitation, comment on demande une invit ?";
    CHECK(camas_yesno_meetings_description(q, &sp));
    CHECK(sp.from == 0 && strncmp(q + sp.claim, "les réunions", 13) == 0);
    /* what is claimed of the body after a copula is not the description's */
    q = "the group whose meetings are invitation-only is co-chaired by WARN, right?";
    CHECK(camas_yesno_meetings_description(q, &sp));
    CHECK(sp.to - sp.claim == strlen("meetings are invitation-only"));
    /* ...nor after a compound past ("a été", "has been") */
    q = "le groupe qui se réunit 2 à 3 fois par an a été réautorisé quand ?";
    CHECK(camas_yesno_meetings_description(q, &sp));
    CHECK(sp.to - sp.claim == strlen("se réunit 2 à 3 fois par an"));
    /* not about meetings; nothing asked besides it; no description */
    CHECK(!camas_yesno_meetings_description("the group that Torrance chairs, who is on it?", &sp));
    CHECK(!camas_yesno_meetings_description(
        "is the group whose meetings are invitation-only co-chaired by WARN?", &sp));
    CHECK(!camas_yesno_meetings_description("how often does WashACT meet?", &sp));
    CHECK(!camas_yesno_meetings_description("", &sp));
    /* which body a description tells: the which-word and its noun give way to the name */
    q = "quel groupe réunit ses membres chaque trimestre pour parler des victimes ?";
    CHECK(camas_yesno_meetings_description(q, &sp));
    CHECK(sp.from == 0 && sp.to == strlen("quel groupe") &&
          strncmp(q + sp.claim, "réunit ses membres", 18) == 0 && sp.claim_to == strlen(q) - 2);
    /* ...by its meetings' access too, and "lequel" is the which-word and the noun at once */
    q = "Which group is invitation-only?";
    CHECK(camas_yesno_meetings_description(q, &sp));
    CHECK(sp.from == 0 && sp.to == strlen("Which group") &&
          strncmp(q + sp.claim, "is invitation-only", 18) == 0);
    q = "lequel est sur invitation ?";
    CHECK(camas_yesno_meetings_description(q, &sp));
    CHECK(sp.from == 0 && sp.to == strlen("lequel") && strncmp(q + sp.claim, "est sur", 7) == 0);
    CHECK(!camas_yesno_meetings_description("lequel ?", &sp));
    /* "which of them", "laquelle de ces instances": the partitive and what it points to are
     * the noun */
    q = "which of them meets quarterly?";
    CHECK(camas_yesno_meetings_description(q, &sp));
    CHECK(sp.from == 0 && sp.to == strlen("which of them") &&
          strncmp(q + sp.claim, "meets", 5) == 0);
    q = "laquelle de ces instances se réunit deux à trois fois par an ?";
    CHECK(camas_yesno_meetings_description(q, &sp));
    CHECK(sp.to == strlen("laquelle de ces instances") && strncmp(q + sp.claim, "se", 2) == 0);
    CHECK(!camas_yesno_meetings_description("which of WashACT's meetings are open?", &sp));
    /* asking whether something is open, not claiming it is by invitation */
    CHECK(camas_yesno_asks_if_open("is it open to the public"));
    CHECK(camas_yesno_asks_if_open("can anyone attend"));
    CHECK(!camas_yesno_asks_if_open("is it invitation only"));
    CHECK(!camas_yesno_asks_if_open("who chairs it"));
    /* which body does what: the which-word and noun, then the claim; not about meetings, not
     * a comparison, not two which-words */
    q = "which group coordinates investigations and prosecutions?";
    CHECK(camas_yesno_which_span(q, &sp));
    CHECK(sp.from == 0 && sp.to == strlen("which group") &&
          strncmp(q + sp.claim, "coordinates", 11) == 0);
    CHECK(!camas_yesno_which_span("which group meets quarterly?", &sp));
    CHECK(!camas_yesno_which_span("which body does the most for victims?", &sp));
    CHECK(!camas_yesno_which_span("lequel est convoqué par un bureau fédéral et lequel par "
                                  "l'État ?",
                                  &sp));
    CHECK(!camas_yesno_which_span("", &sp));
    CHECK(!camas_yesno_meetings_description("which group is chaired by Torrance?", &sp));
    CHECK(!camas_yesno_meetings_description("Which body meets most often?", &sp));
    CHECK(!camas_yesno_meetings_description("which group that meets quarterly is free?", &sp) ||
          sp.claim_to == sp.to);
}

/* Statements with a question mark that are yes/no questions: a pronoun and a copula, a
 * French "a"; and keyword queries that are not. */
void test_question_shapes(void)
{
    CHECK(camas_yesno_question("and those are monthly?", "en"));
    CHECK(camas_yesno_question("and they're free?", "en"));
    CHECK(!camas_yesno_question("what are they?", "en"));
    CHECK(!camas_yesno_question("washact email?", "en"));
    CHECK(camas_yesno_question("WashACT a seulement deux coprésidents ?", "fr"));
    CHECK(!camas_yesno_question("WashACT a combien de coprésidents ?", "fr"));
    /* the thing asked for and what it is of, with no verb, is a keyword query; with a verb
     * it claims */
    CHECK(!camas_yesno_question("email for kyle at the AG office?", "en"));
    CHECK(!camas_yesno_question("phone number of the csec contact person?", "en"));
    CHECK(!camas_yesno_question("le nom complet du comité CSEC ?", "fr"));
    CHECK(camas_yesno_question("the email for WashACT is warntrafficking@yahoo.com?", "en"));
    CHECK(camas_yesno_question("le mail de washact c'est bien warntrafficking@yahoo.com ?", "fr"));
    CHECK(camas_yesno_question("le contact du comité csec bosse au bureau du procureur fédéral ?",
                               "fr"));
    /* no verb, a value beside what it is about: a claim; the thing asked for instead, or no
     * subject beside the value, a keyword query */
    CHECK(camas_yesno_question("WashACT quarterly?", "en"));
    CHECK(camas_yesno_question("CSEC meetings public?", "en"));
    CHECK(camas_yesno_question("WashACT invite only?", "en"));
    CHECK(camas_yesno_question("comité CSEC 2013 ?", "fr"));
    CHECK(camas_yesno_question("loi 5308 pour WashACT ?", "fr"));
    CHECK(!camas_yesno_question("CSEC bill number?", "en"));
    CHECK(!camas_yesno_question("RCW 7.68.350 ?", "en"));
    CHECK(!camas_yesno_question("WashACT quarterly or monthly?", "en"));
    CHECK(!camas_yesno_question("WashACT invitation?", "en"));
    CHECK(!camas_yesno_question("CSEC 2013 bill number?", "en"));
    CHECK(camas_yesno_question("WashACT coordinates prosecutions?", "en"));
    /* "twice yearly" is a count of times a year, not "yearly" */
    char tw[] = "the task force meets twice or thrice yearly";
    int least = 0;
    CHECK(camas_yesno_yearly_range(tw, &least) == 3 && least == 2);
    /* who reported a claim comes before it; "U.S." ends no sentence */
    CHECK(camas_yesno_reported_words("my notes say WashACT meets quarterly") == 3);
    CHECK(camas_yesno_reported_words("on m'a dit que WashACT se réunit chaque mois ?") == 5);
    CHECK(camas_yesno_reported_words("is that what you heard?") == 0);
    CHECK(camas_yesno_reported_words("does WashACT meet quarterly?") == 0);
    CHECK(strcmp(camas_yesno_asked_part("hi — is WashACT convened by the U.S. Attorney?"),
                 "is WashACT convened by the U.S. Attorney?") == 0);
    CHECK(strcmp(camas_yesno_asked_part("I'm a nurse. Is it free?"), "Is it free?") == 0);
    /* the count of "4 times a year" is the frequency's */
    camas_token qt[4];
    size_t nq = camas_tokenize("meets 4 times a", qt, 4);
    camas_yesno_blank_times_count(qt, nq);
    CHECK(nq == 4 && strcmp(qt[1].text, "times") == 0 && strcmp(qt[0].text, "meets") == 0);
    char once[] = "washact meets yearly";
    CHECK(camas_yesno_yearly_range(once, &least) == 1 && least == 1);
}

int test_yesno_shapes_results(int *count)
{
    *count = check_count;
    return check_failures;
}
