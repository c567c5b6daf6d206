/* Yes/no questions: which questions are yes/no ones, and verdicts that contradict only on a
 * value of the same kind and agree only when every claim is in the answer. */
#include "check.h"
#include "text.h"
#include "yesno.h"

static const char tf_meet[] = "The Task Force meets two to three times a year. Agendas and "
                              "documents are posted as they become available.";
static const char wa_chairs[] =
    "WashACT is co-chaired by the U.S. Attorney's Office, the Seattle Police Department's Vice "
    "/ High-Risk Victims Unit and the Washington Anti-Trafficking Response Network (WARN).";
static const char wa_meet[] = "WashACT members meet quarterly. Meetings are by invitation only.";
static const char tf_law[] =
    "The Task Force was reauthorized in 2015 by Senate Bill 5884. Its founding legislation is "
    "RCW 7.68.350.";
static const char fr_meet[] = "Les membres de WashACT se réunissent tous les trimestres. Les "
                              "réunions sont sur invitation uniquement.";

int main(void)
{
    CHECK(camas_yesno_question("Is WARN part of WashACT?", "en"));
    CHECK(camas_yesno_question("does the task force meet monthly", "en"));
    CHECK(camas_yesno_question("Est-ce que WashACT se réunit chaque mois ?", "fr"));
    CHECK(camas_yesno_question("le comité CSEC est-il ouvert au public ?", "fr"));
    CHECK(camas_yesno_question("WashACT c'est gratuit ?", "fr"));
    CHECK(!camas_yesno_question("Who chairs WashACT?", "en"));
    CHECK(!camas_yesno_question("is there a way to know who chairs it?", "en"));
    CHECK(!camas_yesno_question("Qui préside le groupe de travail ?", "fr"));
    CHECK(!camas_yesno_question("email washact ?", "fr"));
    CHECK(!camas_yesno_question("task force meetings", "en"));

    camas_stemmer *st = camas_stemmer_new();
    CHECK(camas_yesno_verdict(st, "does the task force meet monthly?", tf_meet, "en") == -1);
    CHECK(camas_yesno_verdict(st, "Does WashACT meet quarterly?", wa_meet, "en") == 1);
    CHECK(camas_yesno_verdict(st, "Is WARN part of WashACT?", wa_chairs, "en") == 1);
    CHECK(camas_yesno_verdict(st, "Are WashACT meetings open to the public?", wa_meet, "en") == -1);
    CHECK(camas_yesno_verdict(st, "Was the task force reauthorized in 2015?", tf_law, "en") == 1);
    CHECK(camas_yesno_verdict(st, "Was the task force reauthorized in 2012?", tf_law, "en") == -1);
    /* a claim the answer does not mention: no verdict rather than a guess */
    CHECK(camas_yesno_verdict(st, "Is the FBI a co-chair of WashACT?", wa_chairs, "en") == 0);
    CHECK(camas_yesno_verdict(st, "Est-ce que WashACT se réunit chaque mois ?", fr_meet, "fr") ==
          -1);
    CHECK(camas_yesno_verdict(st, "WashACT se réunit tous les trimestres ?", fr_meet, "fr") == 1);
    CHECK(camas_yesno_verdict(NULL, "Is WARN part of WashACT?", wa_chairs, "en") == 1);
    camas_stemmer_free(st);
    return check_done("yesno");
}
