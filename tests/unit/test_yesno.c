/* Yes/no questions: which questions are yes/no ones, and verdicts that contradict only on a
 * value of the same kind and agree only when every claim is in the answer. */
#include "check.h"
#include "text.h"
#include "lexicon.h"
#include "yaml_json.h"
#include "chat.h"
#include "yesno.h"
#include "yesno_internal.h"
#include "test_yesno.h"

#include <string.h>
#include <unistd.h>
#include <stdlib.h>

const char tf_meet[] = "The Task Force meets two to three times a year. Agendas and "
                       "documents are posted as they become available.";
static const char wa_chairs[] =
    "WashACT is co-chaired by the U.S. Attorney's Office, the Seattle Police Department's Vice "
    "/ High-Risk Victims Unit and the Washington Anti-Trafficking Response Network (WARN).";
static const char wa_meet[] = "WashACT members meet quarterly. Meetings are by invitation only.";
const char tf_law[] =
    "The Task Force was reauthorized in 2015 by Senate Bill 5884. Its founding legislation is "
    "RCW 7.68.350.";
static const char fr_meet[] = "Les membres de WashACT se réunissent tous les trimestres. Les "
                              "réunions sont sur invitation uniquement.";

/* Bodies named in a text, by a few of their names (the worker asks the matcher). */
size_t stub_bodies(void *ud, const char *text, const char *lang, const char **ids, size_t max)
{
    (void)ud;
    (void)lang;
    size_t n = 0;
    if (n < max && (strstr(text, "Task Force") || strstr(text, "task force")))
        ids[n++] = "task-force";
    if (n < max && (strstr(text, "WashACT") || strstr(text, "washact")))
        ids[n++] = "washact";
    if (n < max && (strstr(text, "CSEC") || strstr(text, "csec")))
        ids[n++] = "csec";
    return n;
}

bool stub_body_word(void *ud, const char *word, const char *lang)
{
    (void)ud;
    (void)lang;
    return strcmp(word, "task") == 0 || strcmp(word, "force") == 0 ||
           strcmp(word, "washact") == 0 || strcmp(word, "csec") == 0 ||
           strcmp(word, "committee") == 0;
}

/* What the knowledge says of when a body began (the worker asks its matcher). */
static char *stub_founding(void *ud, const char *body, const char *lang, camas_yesno_topic topic)
{
    (void)ud;
    (void)lang;
    return strcmp(body, "washact") == 0 && topic == CAMAS_YESNO_FOUNDED
               ? strdup("WashACT was convened in 2006 by the U.S. Attorney's Office.")
               : NULL;
}

static char *stub_meetings(void *ud, const char *body, const char *lang, camas_yesno_topic topic)
{
    (void)ud;
    (void)lang;
    if (topic != CAMAS_YESNO_MEETS)
        return NULL;
    if (strcmp(body, "task-force") == 0)
        return strdup("The Task Force meets two to three times a year.");
    if (strcmp(body, "csec") == 0)
        return strdup("The source text does not say how often the CSEC Committee meets.");
    return NULL;
}

static char *stub_roles(void *ud, const char *body, const char *lang, camas_yesno_topic topic)
{
    (void)ud;
    (void)lang;
    if (strcmp(body, "washact") == 0 && topic == CAMAS_YESNO_CONVENER)
        return strdup("WashACT was convened in 2006 by the U.S. Attorney's Office.");
    if (strcmp(body, "csec") == 0 && topic == CAMAS_YESNO_CONTACT)
        return strdup("For the CSEC Committee, contact Kyle Bois, Assistant Attorney General.");
    if (strcmp(body, "task-force") == 0 && topic == CAMAS_YESNO_CONVENER)
        return strdup("The Task Force is chaired by Richard Torrance."); /* says no convener */
    if (strcmp(body, "washact") == 0 && topic == CAMAS_YESNO_COCHAIR)
        return strdup("U.S. Attorney's Office: co-chair of WashACT.\n\nWARN: co-chair of "
                      "WashACT.\n\nSeattle Police Department: co-chair of WashACT.");
    return NULL;
}

/* Which law set up each body, and who convened them. */
static char *stub_law(void *ud, const char *body, const char *lang, camas_yesno_topic topic)
{
    (void)ud;
    (void)lang;
    if (topic == CAMAS_YESNO_LAW && strcmp(body, "task-force") == 0)
        return strdup("The Task Force was reauthorized in 2015 by Senate Bill 5884. Its founding "
                      "legislation is RCW 7.68.350.");
    if (topic == CAMAS_YESNO_LAW && strcmp(body, "csec") == 0)
        return strdup("The CSEC Committee was created in 2013 by Senate Bill 5308. It is "
                      "authorized at RCW 7.68.801.");
    if (topic == CAMAS_YESNO_CONVENER && strcmp(body, "csec") == 0)
        return strdup("The CSEC Committee is convened by the Attorney General's Office.");
    if (topic == CAMAS_YESNO_CONVENER && strcmp(body, "washact") == 0)
        return strdup("WashACT was convened in 2006 by the U.S. Attorney's Office.");
    return NULL;
}

static void with_names(camas_stemmer *st)
{
    camas_yesno_names *names = camas_yesno_names_new();
    CHECK(names != NULL);
    CHECK(camas_yesno_names_add(names, 1, "Richard Torrance") == 0);
    CHECK(camas_yesno_names_add(names, 2, "Kyle Bois") == 0);
    CHECK(camas_yesno_names_add(names, 2, "Assistant Attorney General") == 0);
    CHECK(camas_yesno_names_add(names, 3, "Attorney General's Office") == 0);
    CHECK(camas_yesno_names_add(names, 3, "Attorney General") == 0);
    CHECK(camas_yesno_names_add(names, 4, "Seattle Police Department") == 0);
    CHECK(camas_yesno_names_add(names, 5, "U.S. Attorney's Office") == 0);
    CHECK(camas_yesno_names_add(names, 6, "WARN") == 0);
    CHECK(camas_yesno_names_add(names, 7, "") == -1);
    /* an office the source does not name: it contradicts, it does not put a question in scope */
    camas_yesno_names_suppose_from(names, 7);
    CHECK(camas_yesno_names_add(names, 7, "Governor") == 0);
    CHECK(!camas_yesno_names_in(names, "who is the governor of Washington?"));
    CHECK(camas_yesno_names_in(names, "is Kyle Bois the governor?"));
    CHECK(camas_yesno_names_in(names, "quelle instance est convoquée par l'Attorney General ?"));
    CHECK(!camas_yesno_names_in(names, "who chairs the task force?"));
    CHECK(!camas_yesno_names_in(NULL, "Kyle Bois"));
    const char *const include[] = {"compte", "comprend", "inclut"};
    const char *const again[] = {"réautorisé", "de nouveau autorisé"};
    CHECK(camas_yesno_names_add_synonyms(names, st, "fr", include, 3) == 0);
    CHECK(camas_yesno_names_add_synonyms(names, st, "fr", again, 2) == 0);
    const char *const open[] = {"public", "open", "attend"};
    CHECK(camas_yesno_names_add_synonyms(names, st, "en", open, 3) == 0);
    camas_yesno_context c = {
        .stemmer = st, .names = names, .bodies = stub_bodies, .is_body_word = stub_body_word};
    /* an answer that says the source leaves the question open settles nothing */
    CHECK(camas_yesno_verdict_ctx(&c, "Is the task force meeting open to the public?",
                                  "The source text does not say whether the public may attend Task "
                                  "Force meetings. It says only that the Task Force meets two to "
                                  "three times a year.",
                                  "en") == 0);
    CHECK(camas_yesno_verdict_ctx(&c, "Les réunions du groupe de travail sont-elles publiques ?",
                                  "Le texte source ne précise pas si le public peut assister aux "
                                  "réunions du Groupe de travail.",
                                  "fr") == 0);
    static const char chair[] = "The Task Force is chaired by Richard Torrance, director of the "
                                "Office of Crime Victims Advocacy.";
    /* one of two people or offices in the answer, with another of its own: "no" */
    static const char works_at[] = "Richard Torrance works at the Seattle Police Department.";
    CHECK(camas_yesno_verdict_ctx(&c, "Is Richard Torrance an assistant attorney general?",
                                  works_at, "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Is Richard Torrance with the Seattle Police Department?",
                                  works_at, "en") == 1);
    CHECK(camas_yesno_verdict_ctx(&c, "Is Richard Torrance an assistant attorney general?",
                                  "Richard Torrance chairs it.", "en") == 0);
    /* both named, in sentences of their own: the first one's gives another office */
    static const char apart[] = "Richard Torrance, director of the Attorney General's Office: "
                                "chair of the Task Force.\n\nSeattle Police Department: "
                                "co-chair of WashACT.";
    CHECK(camas_yesno_verdict_ctx(&c, "Is Richard Torrance with the Seattle Police Department?",
                                  apart, "en") == -1);
    static const char member[] = "Attorney General's Office: convener of the CSEC Committee.\n\n"
                                 "The Task Force is chaired by Richard Torrance.";
    static const char cochairs[] = "WashACT is co-chaired by:\n- the U.S. Attorney's Office;\n"
                                   "- the Seattle Police Department;\n- WARN.";
    static const char contacts[] = "How to reach each body:\n"
                                   "- WashACT: e-mail warntrafficking@yahoo.com.\n"
                                   "- CSEC Committee: Kyle Bois, Assistant Attorney General, "
                                   "KyleW@atg.wa.gov.";
    static const char members[] = "The Task Force's membership includes:\n"
                                  "- four legislators, one from each caucus;\n"
                                  "- eight state agencies;\n- one trafficking survivor.";
    static const char meet[] = "WashACT members meet quarterly. These meetings are by invitation "
                               "only. WashACT also holds quarterly information sessions that are "
                               "free and open to the public.";
    static const char convened[] = "The CSEC Committee was created by the Legislature in 2013. It "
                                   "is convened by the Attorney General's Office.";
    CHECK(camas_yesno_verdict_ctx(&c, "Is the CSEC committee convened by the Governor?", convened,
                                  "en") == -1);
    /* a sentence naming the police makes another claim than the one asked ("convene") */
    static const char overview[] = "WashACT is a group convened in 2006 by the U.S. "
                                   "Attorney's Office. It is co-chaired by the U.S. Attorney's "
                                   "Office and the Seattle Police Department.";
    CHECK(camas_yesno_verdict_ctx(&c, "Did the Seattle Police Department convene WashACT?",
                                  overview, "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Is WashACT co-chaired by the Seattle Police Department?",
                                  overview, "en") == 1);
    /* a number contradicts only a number of its kind: a section of law is not a telephone */
    static const char welcome[] = "The public is welcome at the CSEC Committee's meetings. "
                                  "Contact Kyle Bois at 206-442-4488.";
    CHECK(camas_yesno_verdict_ctx(&c,
                                  "Are the meetings of the committee under RCW 7.68.801 open "
                                  "to the public?",
                                  welcome, "en") != -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Is the CSEC committee's phone 206-442-4400?", welcome,
                                  "en") == -1);
    /* a contact detail claimed of what the question only points at ("it", "c'"): no verdict;
     * one that says its value is judged */
    static const char csec_mail[] = "For more information about the CSEC Committee, contact "
                                    "Kyle Bois: e-mail KyleW@atg.wa.gov, phone 206-442-4488.";
    CHECK(camas_yesno_verdict_ctx(&c, "c'est aussi le mail du comité csec ?", csec_mail, "fr") ==
          0);
    CHECK(camas_yesno_verdict_ctx(&c, "and is that also the CSEC committee's phone number?",
                                  csec_mail, "en") == 0);
    CHECK(camas_yesno_verdict_ctx(&c, "is it the CSEC committee's e-mail, KyleW@atg.wa.gov?",
                                  csec_mail, "en") == 1);
    /* an answer only about another body, which the person named belongs to */
    CHECK(camas_yesno_verdict_ctx(&c, "Is WashACT chaired by Richard Torrance?", chair, "en") ==
          -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Does WashACT meet quarterly?", chair, "en") == 0);
    /* a question tag alone is no question of its own: what comes before it is the claim,
     * not a preamble */
    CHECK(camas_yesno_verdict_ctx(&c, "The task force is chaired by Kyle Bois, isn't it?", chair,
                                  "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "The task force is chaired by Richard Torrance, right?",
                                  chair, "en") == 1);
    CHECK(camas_yesno_only_tag("isn't it?") && camas_yesno_only_tag(" c'est ça ?") &&
          !camas_yesno_only_tag("is it open?"));
    /* a claim said in the negative reads both ways: the answer alone */
    CHECK(camas_yesno_verdict_ctx(&c, "The task force isn't chaired by Richard Torrance, right?",
                                  chair, "en") == 0);
    CHECK(camas_yesno_negated_statement("aucun survivant ne fait partie du groupe, c'est ça ?"));
    CHECK(!camas_yesno_negated_statement("Le groupe de travail n'est-il pas présidé par lui ?"));
    CHECK(!camas_yesno_negated_statement("Isn't WashACT co-chaired by WARN?"));
    CHECK(!camas_yesno_negated_statement("Le groupe de travail a-t-il été créé en 2015 ?"));
    CHECK(!camas_yesno_negated_statement("le comité ne regarde que les pratiques nationales ?"));
    /* another person in the same role: no; the one named: yes */
    CHECK(camas_yesno_verdict_ctx(&c, "Is the task force chaired by Kyle Bois?", chair, "en") ==
          -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Is the task force chaired by Richard Torrance?", chair,
                                  "en") == 1);
    /* a sentence about another body does not speak for this one */
    CHECK(camas_yesno_verdict_ctx(&c, "Is the task force chaired by the Attorney General?", member,
                                  "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Is WashACT chaired by Richard Torrance?", cochairs, "en") ==
          -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Is WashACT co-chaired by the Seattle Police Department?",
                                  cochairs, "en") == 1);
    /* a name that only describes the body claims nothing */
    CHECK(camas_yesno_verdict_ctx(&c, "Is the committee the Attorney General convenes open?",
                                  member, "en") == 0);
    /* e-mail addresses, sentence by sentence */
    CHECK(camas_yesno_verdict_ctx(&c, "Is the CSEC committee's email warntrafficking@yahoo.com?",
                                  contacts, "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Is WashACT's email warntrafficking@yahoo.com?", contacts,
                                  "en") == 1);
    /* an address is compared as an address, not as a question about invitations */
    CHECK(camas_yesno_verdict_ctx(&c,
                                  "Is KyleW@atg.wa.gov the address to request a WashACT "
                                  "invitation?",
                                  "To request a WashACT invitation, e-mail "
                                  "warntrafficking@yahoo.com.",
                                  "en") == -1);
    /* a range is two numbers */
    CHECK(camas_yesno_verdict_ctx(&c, "Does the task force meet 2-3 times a year?",
                                  "The Task Force meets two to three times a year.", "en") == 1);
    CHECK(camas_yesno_verdict_ctx(&c, "Does the task force meet 4-5 times a year?",
                                  "The Task Force meets two to three times a year.", "en") == -1);
    /* a count of one ("just one", "un seul") against another count of the same thing, or
     * against a count of one ("one survivor"): a count, not a kind the list might hold more
     * of */
    CHECK(camas_yesno_verdict_ctx(&c, "Does the task force have just one legislator?", members,
                                  "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Un seul législateur siège au groupe de travail ?",
                                  "Le Groupe de travail comprend quatre législateurs.",
                                  "fr") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Does the task force have just one survivor?", members,
                                  "en") == 1);
    /* numbers written as words */
    CHECK(camas_yesno_verdict_ctx(&c, "Does the task force have six legislators?", members, "en") ==
          -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Does the task force include eight state agencies?", members,
                                  "en") == 1);
    /* members' meetings and information sessions are told apart */
    CHECK(camas_yesno_verdict_ctx(&c, "Are WashACT meetings open to the public?", meet, "en") ==
          -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Are WashACT information sessions open to the public?", meet,
                                  "en") == 1);
    CHECK(camas_yesno_verdict_ctx(&c,
                                  "Do you need an invitation for a WashACT information "
                                  "session?",
                                  meet, "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Do you have to pay for WashACT information sessions?", meet,
                                  "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Are WashACT meetings invitation-only?", meet, "en") == 1);
    /* when two bodies began, from an answer that gives both years */
    static const char years[] = "How the bodies began:\n- WashACT: convened in 2006.\n"
                                "- CSEC Committee: created in 2013.\n"
                                "- Task Force: reauthorized in 2015.";
    CHECK(camas_yesno_verdict_ctx(&c, "Was WashACT set up before the CSEC committee?", years,
                                  "en") == 1);
    CHECK(camas_yesno_verdict_ctx(&c, "Was the CSEC committee created before WashACT?", years,
                                  "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Is the CSEC committee newer than WashACT?", years, "en") ==
          1);
    /* a reauthorization is not when a body began: no verdict */
    CHECK(camas_yesno_verdict_ctx(&c, "Is the task force older than WashACT?", years, "en") == 0);
    /* a count of something is compared with the answer's count of the same thing */
    CHECK(camas_yesno_verdict_ctx(&c, "does the task force have 8 legislators", members, "en") ==
          -1);
    CHECK(camas_yesno_verdict_ctx(&c, "does the task force have 8 state agencies?", members,
                                  "en") == 1);
    /* a list does not say that nothing else is in it, but one with other kinds says "no" */
    CHECK(camas_yesno_verdict_ctx(&c, "Is the task force only legislators?", members, "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c,
                                  "Does the task force include only legislators and "
                                  "agencies and a survivor?",
                                  members, "en") == 0);
    CHECK(camas_yesno_verdict_ctx(&c, "Is WashACT co-chaired only by WARN?", cochairs, "en") == -1);
    /* "a single": the list is of the thing itself; one item of a kind is not a count */
    CHECK(camas_yesno_verdict_ctx(&c, "Is WashACT co-chaired by a single office?", cochairs,
                                  "en") == 0);
    CHECK(camas_yesno_verdict_ctx(&c, "Does WashACT have a single co-chair?", cochairs, "en") ==
          -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Is there a single trafficking survivor on the task force?",
                                  members, "en") == 1);
    /* enumerations in a sentence, not appositions */
    static const char programs[] =
        "One of the Task Force's duties is to identify the available federal, state and local "
        "programs.";
    CHECK(camas_yesno_verdict_ctx(&c, "Does the task force only look at federal programs?",
                                  programs, "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Does the task force only look at local programs?", programs,
                                  "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c,
                                  "Does the task force only look at federal, state and local "
                                  "programs?",
                                  programs, "en") == 0);
    CHECK(camas_yesno_verdict_ctx(&c, "Are the task force legislators only from the House?",
                                  "The Task Force includes four legislators, one from each "
                                  "caucus in the House and the Senate.",
                                  "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Is Kyle Bois only an assistant attorney general?",
                                  "The contact is Kyle Bois, Assistant Attorney General, at "
                                  "KyleW@atg.wa.gov.",
                                  "en") == 0);
    CHECK(camas_yesno_verdict_ctx(&c, "Le groupe de travail ne compte que quatre législateurs ?",
                                  "Le Groupe de travail comprend quatre législateurs.", "fr") == 0);
    /* "ne … que" with the subject inverted between */
    CHECK(camas_yesno_verdict_ctx(&c, "Le groupe de travail ne compte-t-il que des législateurs ?",
                                  "Le Groupe de travail comprend quatre législateurs, un de chaque "
                                  "caucus à la Chambre et au Sénat.",
                                  "fr") != 1);
    /* every one of them: a list that names them among others does not say "yes" */
    static const char caucus[] = "The Task Force includes four legislators, one from each caucus "
                                 "in the House and the Senate.";
    CHECK(camas_yesno_verdict_ctx(&c, "Are all of the task force's legislators from the Senate?",
                                  caucus, "en") == 0);
    CHECK(camas_yesno_verdict_ctx(&c, "Les législateurs du groupe viennent-ils tous du Sénat ?",
                                  "Le Groupe de travail comprend quatre législateurs, un de chaque "
                                  "caucus à la Chambre et au Sénat.",
                                  "fr") == 0);
    /* ...but not "tous les trimestres", nor the answer's own "all" */
    CHECK(camas_yesno_verdict_ctx(&c, "Does WashACT want victims to get all the resources?",
                                  "WashACT's mission is to ensure that trafficking victims receive "
                                  "all the resources available to them.",
                                  "en") == 1);
    /* synonyms from knowledge/synonyms.yaml, words and phrases */
    CHECK(camas_yesno_verdict_ctx(&c, "Le groupe de travail compte quatre législateurs ?",
                                  "Le Groupe de travail comprend quatre législateurs.", "fr") == 1);
    CHECK(camas_yesno_verdict_ctx(&c, "Le groupe de travail a-t-il été réautorisé en 2015 ?",
                                  "Le Groupe de travail a été de nouveau autorisé en 2015.",
                                  "fr") == 1);
    /* a point of comparison is not what is asked about; a sentence naming no body goes on
     * about the previous one's ("These meetings…" are WashACT's) */
    CHECK(camas_yesno_verdict_ctx(&c, "are csec committee meetings invitation-only like washact's?",
                                  meet, "en") == 0);
    CHECK(camas_yesno_verdict_ctx(&c, "are washact meetings invitation-only?", meet, "en") == 1);
    /* "closed to the public" without a word about going there */
    CHECK(camas_yesno_verdict_ctx(&c, "is the csec committee closed to the public?",
                                  "CSEC Committee meetings are open to the public.", "en") == -1);
    /* a name the source does not give where the answer names others for the same claim;
     * a preamble's names ("in Yakima") claim nothing */
    CHECK(camas_yesno_verdict_ctx(&c, "Is WashACT co-chaired by the FBI?", cochairs, "en") == -1);
    /* ...in lower case, told by the institution it is put to */
    CHECK(camas_yesno_verdict_ctx(&c, "is the portland police department a co-chair of washact?",
                                  cochairs, "en") == -1);
    CHECK(
        camas_yesno_verdict_ctx(&c, "la police de tacoma copréside-t-elle washact ?",
                                "WashACT est coprésidé par le bureau du procureur des États-Unis, "
                                "la police de Seattle et le WARN.",
                                "fr") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "I'm a nurse in Yakima - is WashACT co-chaired by WARN?",
                                  cochairs, "en") == 1);
    CHECK(camas_yesno_verdict_ctx(&c, "Does WashACT meet in Olympia?", meet, "en") == 0);
    /* a tag closes the claim; the preamble comes before the claim, not before the tag */
    CHECK(camas_yesno_verdict_ctx(&c, "quick question: washact meets quarterly, right?", meet,
                                  "en") == 1);
    /* a name in the plural is the name ("un législateur" in "quatre législateurs") */
    CHECK(camas_yesno_names_add(names, 8, "législateur") == 0);
    CHECK(camas_yesno_verdict_ctx(&c, "le groupe de travail a un législateur de chaque caucus ?",
                                  "Le Groupe de travail comprend quatre législateurs, un de chaque "
                                  "caucus.",
                                  "fr") == 1);
    /* a synonym phrase of the question, held by the answer in other words */
    const char *const posted[] = {"publiés", "mis en ligne"};
    CHECK(camas_yesno_names_add_synonyms(names, st, "fr", posted, 2) == 0);
    CHECK(camas_yesno_verdict_ctx(&c, "les documents du groupe de travail sont mis en ligne ?",
                                  "Les documents du Groupe de travail sont publiés.", "fr") == 1);
    /* comparing when two bodies began, the answer giving the year of one only: the other's
     * from what the knowledge answers to when it began */
    c.about = stub_founding;
    CHECK(camas_yesno_verdict_ctx(&c, "Was the CSEC committee created before WashACT?", convened,
                                  "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Was WashACT created before the CSEC committee?", convened,
                                  "en") == 1);
    /* a reauthorization compared with when another body began: each side's own event */
    static const char renewed[] = "The Task Force was reauthorized in 2015 by Senate Bill 5884.";
    CHECK(camas_yesno_verdict_ctx(&c,
                                  "Was the task force reauthorized before WashACT was convened?",
                                  renewed, "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Was the task force reauthorized after WashACT was convened?",
                                  renewed, "en") == 1);
    CHECK(camas_yesno_verdict_ctx(&c, "Was the task force created before WashACT?", renewed,
                                  "en") == 0); /* the source does not say when it began */
    CHECK(camas_yesno_verdict_ctx(&c, "WashACT existe depuis plus longtemps que le comité CSEC ?",
                                  convened, "fr") == 1);
    c.about = NULL;
    CHECK(camas_yesno_verdict_ctx(&c, "Was the CSEC committee created before WashACT?", convened,
                                  "en") == 0);
    /* how often two bodies meet: the other's from what the knowledge answers to it; a body
     * whose frequency the source does not give settles nothing ("how often" is no claim) */
    /* a role the answer does not give, asked of the knowledge: held by others, "no"; by
     * the one named, "yes"; an answer that does not say the role settles nothing */
    c.about = stub_roles;
    static const char spd[] = "Seattle Police Department: co-chair of WashACT.";
    CHECK(camas_yesno_verdict_ctx(&c, "Was WashACT convened by the Seattle Police Department?", spd,
                                  "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Was WashACT convened by the U.S. Attorney's Office?",
                                  "The U.S. Attorney's Office: co-chair of WashACT.", "en") == 1);
    /* "the same": each body's value from the knowledge, compared */
    c.about = stub_law;
    CHECK(camas_yesno_verdict_ctx(&c,
                                  "Were the task force and the CSEC committee authorized by the "
                                  "same bill?",
                                  "WashACT meets quarterly.", "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c,
                                  "La task force et le comité CSEC ont-ils la même section RCW ?",
                                  "WashACT meets quarterly.", "fr") == -1);
    CHECK(camas_yesno_verdict_ctx(&c,
                                  "Are WashACT and the CSEC committee convened by the same office?",
                                  "WashACT meets quarterly.", "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Is the task force's bill the same as the task force's?",
                                  "WashACT meets quarterly.", "en") == 0); /* one body */
    c.about = stub_roles;
    /* created: whoever convened a body no one is said to have created */
    CHECK(camas_yesno_verdict_ctx(&c, "Was WashACT created by the Seattle Police Department?",
                                  "WashACT meets quarterly.", "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Was WashACT created by the U.S. Attorney's Office?",
                                  "WashACT meets quarterly.", "en") == 1);
    /* the role given one name per sentence: each named one holds it */
    CHECK(camas_yesno_verdict_ctx(&c,
                                  "Is WashACT co-chaired by WARN and the U.S. Attorney's Office?",
                                  "WashACT meets quarterly.", "en") == 1);
    CHECK(camas_yesno_verdict_ctx(&c, "Is WashACT co-chaired by WARN and Kyle Bois?",
                                  "WashACT meets quarterly.", "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Is the CSEC committee's contact Richard Torrance?",
                                  "The CSEC Committee studies exploitation.", "en") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Was the task force convened by the Attorney General?",
                                  "The Task Force meets two to three times a year.", "en") == 0);
    c.about = stub_meetings;
    CHECK(camas_yesno_verdict_ctx(&c, "Does WashACT meet more often than the task force?", meet,
                                  "en") == 1);
    CHECK(camas_yesno_verdict_ctx(&c,
                                  "WashACT se réunit-il moins souvent que le groupe de "
                                  "travail (task force) ?",
                                  meet, "fr") == -1);
    CHECK(camas_yesno_verdict_ctx(&c, "Does the CSEC committee meet more often than WashACT?",
                                  "The source text does not say how often the CSEC Committee "
                                  "meets.",
                                  "en") == 0);
    CHECK(camas_yesno_yearly_rate("se reunit deux a trois fois par an") == 3);
    CHECK(camas_yesno_yearly_rate("members meet quarterly") == 4);
    int least = 0;
    CHECK(camas_yesno_yearly_range("meets two to three times a year", &least) == 3 && least == 2);
    /* the other numbers of a long answer are not its rate */
    CHECK(camas_yesno_yearly_range("rcw 7 68 350 un survivant et 25 organisations il se reunit "
                                   "deux a trois fois par an",
                                   &least) == 3 &&
          least == 2);
    CHECK(camas_yesno_yearly_rate("every other month") == 6);
    CHECK(camas_yesno_yearly_rate("toutes les 2 semaines") == 26);
    CHECK(camas_yesno_yearly_rate("every 5 months") == 0);   /* not a whole number a year */
    CHECK(camas_yesno_yearly_rate("every 2 weekends") == 0); /* a weekend is no unit */
    CHECK(camas_yesno_yearly_rate("every 99999999999999999999 weeks") == 0);
    c.about = NULL;
    /* "one of" is one among them, not a count */
    CHECK(camas_yesno_verdict_ctx(&c, "Is WARN one of the co-chairs of WashACT?",
                                  "WashACT has three co-chairs: the U.S. Attorney's Office, the "
                                  "Seattle Police Department and WARN.",
                                  "en") == 1);
    /* one name per sentence, each making the claim: all of them hold it */
    static const char listed[] = "U.S. Attorney's Office: co-chair of WashACT.\n\nWARN: co-chair "
                                 "of WashACT.";
    CHECK(camas_yesno_verdict_ctx(&c,
                                  "Is WashACT co-chaired by WARN and the U.S. Attorney's Office?",
                                  listed, "en") == 1);
    CHECK(camas_yesno_verdict_ctx(&c,
                                  "Was WashACT convened by WARN and the U.S. Attorney's Office?",
                                  "WashACT was convened by the U.S. Attorney's Office.\n\nWARN: "
                                  "co-chair of WashACT.",
                                  "en") == -1);
    camas_yesno_names_free(names);
}

int main(void)
{
    test_unabbreviate();
    test_meetings_description();
    CHECK(camas_yesno_question("Is WARN part of WashACT?", "en"));
    /* an opener after a linking word; a question word there still asks what */
    CHECK(camas_yesno_question("and are they free?", "en"));
    CHECK(camas_yesno_question("so is it open to everyone?", "en"));
    CHECK(!camas_yesno_question("and who chairs it?", "en"));
    CHECK(camas_yesno_question("does the task force meet monthly", "en"));
    CHECK(camas_yesno_question("Est-ce que WashACT se réunit chaque mois ?", "fr"));
    CHECK(camas_yesno_question("le comité CSEC est-il ouvert au public ?", "fr"));
    CHECK(camas_yesno_question("WashACT c'est gratuit ?", "fr"));
    /* a short English statement with a question mark and a verb; not a misspelt "when" */
    CHECK(camas_yesno_question("washact meets quarterly?", "en"));
    CHECK(!camas_yesno_question("wen was washact convend?", "en"));
    CHECK(!camas_yesno_question("washact email address?", "en"));
    /* a description, then what is asked as a keyword: no claim */
    CHECK(!camas_yesno_question("committee convened by Attorney General — email?", "en"));
    CHECK(!camas_yesno_question("le groupe présidé par Torrance, réunions ?", "fr"));
    CHECK(camas_yesno_question("WashACT meets quarterly, right?", "en"));
    CHECK(!camas_yesno_question("qu'est-ce que le WARN ?", "fr"));
    /* a relative clause after a singular body noun; a cleft after "et"; "réuni" misspelt */
    CHECK(camas_yesno_question("L'organisme qui compte un survivant a-t-il été réautorisé en "
                               "2015 ?",
                               "fr"));
    CHECK(camas_yesno_question("slt, le groupe qui se reunit tous les trimestres organise aussi "
                               "des séances d'info ?",
                               "fr"));
    CHECK(camas_yesno_question("et c'est le procureur général qui le convoque ?", "fr"));
    CHECK(!camas_yesno_question("et qui le convoque ?", "fr"));
    CHECK(camas_yesno_question("washact se reuni chaque mois ?", "fr"));
    CHECK(camas_yesno_question("washact briefings cost money?", "en"));
    /* a question word opens the last part: what is asked, not whether */
    CHECK(!camas_yesno_question("WashACT and the CSEC committee: who convened each one?", "en"));
    CHECK(!camas_yesno_question("je compare les trois organismes : lesquels ont un site ?", "fr"));
    CHECK(camas_yesno_question("who chairs the task force, is it richard torrance?", "en"));
    CHECK(!camas_yesno_question("combien de législateurs, d'agences et d'associations y siègent ?",
                                "fr"));
    CHECK(camas_yesno_question("who chairs the task force, is it Richard Torrance?", "en"));
    CHECK(!camas_yesno_question("c'est quoi, qu'est-ce qui se passe aux réunions ?", "fr"));
    CHECK(!camas_yesno_question("Who chairs WashACT?", "en"));
    CHECK(!camas_yesno_question("is there a way to know who chairs it?", "en"));
    /* a clause the yes/no question embeds; an asker's request for what it says is no yes/no */
    CHECK(camas_yesno_question("does the task force look at what other states are doing?", "en"));
    CHECK(camas_yesno_question("Les séances expliquent-elles comment la police et les associations "
                               "collaborent ?",
                               "fr"));
    CHECK(!camas_yesno_question("can you tell me who chairs the task force?", "en"));
    CHECK(!camas_yesno_question("pouvez-vous me dire quand le comité se réunit ?", "fr"));
    CHECK(!camas_yesno_question("le comité. en quelle année a-t-il été créé ?", "fr"));
    CHECK(!camas_yesno_question("Qui préside le groupe de travail ?", "fr"));
    CHECK(!camas_yesno_question("email washact ?", "fr"));
    CHECK(!camas_yesno_question("task force meetings", "en"));
    CHECK(camas_yesno_question("Le comité CSEC a-t-il été créé en 2013 ?", "fr"));
    CHECK(camas_yesno_question("Aren't WashACT meetings open to anyone who wants to come?", "en"));
    CHECK(camas_yesno_question("le groupe de travail compte quatre législateurs ?", "fr"));
    CHECK(
        camas_yesno_question("Est-il vrai que le groupe de travail compte 4 législateurs ?", "fr"));
    CHECK(camas_yesno_question("c vrai que washact se reunit tous les mois ?", "fr"));
    CHECK(camas_yesno_question("on peut aller aux reunions du comite CSEC en tant que simple "
                               "citoyen ?",
                               "fr"));
    CHECK(camas_yesno_question(
        "pour une invitation à WashACT on écrit à warntrafficking@yahoo.com ?", "fr"));
    CHECK(!camas_yesno_question("que fait le comité CSEC ?", "fr"));
    /* casual forms: a tag, a last part after a question or a preamble, a statement with "?" */
    CHECK(camas_yesno_question("washact meets every month right?", "en"));
    CHECK(camas_yesno_question("who chairs the task force, is it richard torrance?", "en"));
    CHECK(camas_yesno_question("quick q: task force was reauthorized in 2015 by SB 5884?", "en"));
    CHECK(camas_yesno_question("washact info sessions are held once a year?", "en"));
    CHECK(camas_yesno_question("qui préside le groupe de travail, c'est Richard Torrance ?", "fr"));
    CHECK(!camas_yesno_question("washact email?", "en"));
    CHECK(camas_yesno_question("washact was convened in 2008 wasnt it", "en"));
    CHECK(camas_yesno_question("c'est le procureur général qui a convoqué washact ?", "fr"));
    CHECK(camas_yesno_question("le projet de loi 5884 c'est celui qui a créé le comité ?", "fr"));
    CHECK(!camas_yesno_question("c'est qui le président ?", "fr"));
    CHECK(camas_yesno_question("c le projet de loi 5308 qui a réautorisé le groupe ?", "fr"));
    CHECK(!camas_yesno_question("c qui le président du groupe de travail ?", "fr"));
    CHECK(!camas_yesno_question("how often does washact meet, and where?", "en"));
    /* a greeting before the question */
    CHECK(camas_yesno_question("hey is the washact email warntrafficking@yahoo.org", "en"));
    CHECK(!camas_yesno_question("hey what is the washact email", "en"));
    /* tags of a person or with "that", SMS tags, and a French inversion without its hyphens */
    CHECK(camas_yesno_question("Richard Torrance is the director of OCVA, isn't he?", "en"));
    CHECK(camas_yesno_question("csec contact number is 206-442-4488 rite", "en"));
    CHECK(camas_yesno_question("washact se reunit tt les trimestres c bien ca", "fr"));
    CHECK(camas_yesno_question("le public est il bienvenu aux reunions du comite csec", "fr"));
    CHECK(camas_yesno_question("Kyle Bois travaille t il pour la police de Seattle ?", "fr"));
    CHECK(!camas_yesno_question("qui est il ?", "fr"));
    /* relative and embedded clauses are not the question's own question word */
    CHECK(camas_yesno_question("Isn't the CSEC committee open to members of the public who want "
                               "to observe?",
                               "en"));
    CHECK(camas_yesno_question("N'importe qui peut débarquer aux réunions de WashACT ?", "fr"));
    CHECK(camas_yesno_question("Le groupe de travail doit-il regarder ce qui se fait ailleurs ?",
                               "fr"));
    CHECK(camas_yesno_question("L'assistance juridique figure-t-elle parmi les services pour "
                               "lesquels le groupe doit identifier des programmes ?",
                               "fr"));
    CHECK(!camas_yesno_question("ce que fait le comité ?", "fr"));
    CHECK(!camas_yesno_question("pour qui travaille Kyle Bois ?", "fr"));
    CHECK(!camas_yesno_question("lesquels se réunissent chaque trimestre ?", "fr"));
    /* "isn't that right" is a tag: the statement before it is affirmative */
    CHECK(!camas_yesno_negated_statement("The task force meets quarterly, isn't that right?"));
    CHECK(camas_yesno_negated_statement("The task force doesn't meet quarterly, right?"));

    camas_stemmer *st = camas_stemmer_new();
    CHECK(camas_yesno_verdict(st, "does the task force meet monthly?", tf_meet, "en") == -1);
    {
        /* the typo mending made "monthy" the knowledge's "month": the frequency as written */
        camas_yesno_context c = {.stemmer = st, .as_written = "does washact meet monthy?"};
        CHECK(camas_yesno_verdict_ctx(&c, "does washact meet month?", wa_meet, "en") == -1);
    }
    CHECK(camas_yesno_verdict(st, "Does WashACT meet quarterly?", wa_meet, "en") == 1);
    CHECK(camas_yesno_verdict(st, "Is WARN part of WashACT?", wa_chairs, "en") == 1);
    CHECK(camas_yesno_verdict(st, "Are WashACT meetings open to the public?", wa_meet, "en") == -1);
    CHECK(camas_yesno_verdict(st, "Was the task force reauthorized in 2015?", tf_law, "en") == 1);
    CHECK(camas_yesno_verdict(st, "Was the task force reauthorized in 2012?", tf_law, "en") == -1);
    /* a bill's number is not a count ("SB 5884 ... eight agencies"), nor another bill's */
    CHECK(camas_yesno_verdict(st, "Was the task force reauthorized by SB 5308?", tf_law, "en") ==
          -1);
    CHECK(camas_yesno_verdict(st, "The body reauthorized by SB 5884 has eight state agencies?",
                              "The Task Force's membership includes four legislators and eight "
                              "state agencies.",
                              "en") != -1);
    /* a year as a bound ("before 2010") is not the year claimed */
    static const char wa_began[] = "WashACT was convened in 2006 by the U.S. Attorney's Office.";
    CHECK(camas_yesno_verdict(st, "Was WashACT convened before 2010?", wa_began, "en") == 0);
    CHECK(camas_yesno_verdict(st, "Was WashACT convened in 2010?", wa_began, "en") == -1);
    /* "aucun", "no": the negation, not a claim word; French says "Si" to the claim it denies */
    static const char tf_legislators[] = "Le Groupe de travail comprend quatre législateurs, un "
                                         "de chaque caucus à la Chambre et au Sénat.";
    CHECK(camas_yesno_verdict(st, "le groupe de travail n'a aucun législateur ?", tf_legislators,
                              "fr") == CAMAS_YESNO_CONTRADICTS);
    /* two counts the answer gives, compared as asked */
    static const char tf_members[] = "The Task Force's membership includes: four legislators, "
                                     "one from each caucus; eight state agencies; one survivor; "
                                     "representatives of 25 organizations.";
    CHECK(camas_yesno_verdict(st,
                              "Does the task force have more state agencies than member "
                              "organizations?",
                              tf_members, "en") == -1);
    CHECK(camas_yesno_verdict(st, "Are there fewer legislators than state agencies?", tf_members,
                              "en") == 1);
    CHECK(camas_yesno_verdict(st, "Y a-t-il plus de législateurs que de survivants ?",
                              "Quatre législateurs ; huit agences d'État ; un survivant.",
                              "fr") == 1);
    /* a bound ("more than 3", "au moins 10") against the count the answer gives */
    CHECK(camas_yesno_verdict(st, "Does it have more than 3 legislators?", tf_members, "en") == 1);
    CHECK(camas_yesno_verdict(st, "Does it have more than 8 state agencies?", tf_members, "en") ==
          -1);
    CHECK(camas_yesno_verdict(st, "Are there at least 20 organizations?", tf_members, "en") == 1);
    CHECK(camas_yesno_verdict(st, "a-t-il moins de 5 législateurs ?",
                              "Quatre législateurs ; huit agences d'État.", "fr") == 1);
    /* a bare count after "how many X?" counts X */
    {
        char out[256];
        CHECK(camas_yesno_count_of_prev("y en a huit ?", "combien de législateurs dans le groupe ?",
                                        out, sizeof out) &&
              strcmp(out, "y en a huit legislateurs ?") == 0);
        CHECK(camas_yesno_count_of_prev("are there 8, right?", "how many state agencies?", out,
                                        sizeof out) &&
              strcmp(out, "are there 8 state, right?") == 0);
        CHECK(!camas_yesno_count_of_prev("are there 8 agencies?", "how many legislators?", out,
                                         sizeof out));
        CHECK(!camas_yesno_count_of_prev("y en a huit ?", "qui préside le groupe ?", out,
                                         sizeof out));
    }
    /* existing since a year: borne out by the year a body began, not the year it was renewed */
    CHECK(camas_yesno_verdict(st, "Has WashACT existed since 2006?", wa_began, "en") == 1);
    CHECK(camas_yesno_verdict(st, "Has the task force existed since 2015?", tf_law, "en") == 0);
    /* in a comparison a year may be the other body's */
    CHECK(camas_yesno_verdict(st, "Is the CSEC committee newer than the group convened in 2006?",
                              "The CSEC Committee was created in 2013 by Senate Bill 5308.",
                              "en") != -1);
    /* a claim the answer does not mention: no verdict rather than a guess */
    CHECK(camas_yesno_verdict(st, "Is the FBI a co-chair of WashACT?", wa_chairs, "en") == 0);
    CHECK(camas_yesno_verdict(st, "Est-ce que WashACT se réunit chaque mois ?", fr_meet, "fr") ==
          -1);
    CHECK(camas_yesno_verdict(st, "WashACT se réunit tous les trimestres ?", fr_meet, "fr") == 1);
    CHECK(camas_yesno_verdict(NULL, "Is WARN part of WashACT?", wa_chairs, "en") == 1);
    CHECK(camas_yesno_verdict(st, "The task force meets quarterly, isn't that right?", tf_meet,
                              "en") == -1);
    /* a frequency in numbers, its nouns no claim of their own */
    CHECK(camas_yesno_verdict(st, "does washact meet every 3 months?", wa_meet, "en") == 1);
    CHECK(camas_yesno_verdict(st, "washact se reunit tous les 3 mois ?", fr_meet, "fr") == 1);
    CHECK(camas_yesno_verdict(st, "does the task force meet every 3 months?", tf_meet, "en") == -1);
    CHECK(camas_yesno_verdict(st, "does the task force meet 2 or 3 times a yr?", tf_meet, "en") ==
          1);
    CHECK(camas_yesno_verdict(st, "Is the task force expected to post agendas?", tf_meet, "en") ==
          1);
    /* a chapter holds its sections: "7.68" is not another number than "7.68.350" */
    CHECK(camas_yesno_verdict(st, "Is the task force's founding legislation in chapter 7.68 RCW?",
                              tf_law, "en") != -1);
    CHECK(camas_yesno_verdict(st, "Is the task force's founding legislation in chapter 7.69 RCW?",
                              tf_law, "en") == -1);
    /* "tous deux" is both, not a count of two */
    CHECK(camas_yesno_verdict(st,
                              "Le comité CSEC et le groupe de travail ont-ils tous deux été "
                              "réautorisés en 2015 ?",
                              "Le Groupe de travail a été réautorisé en 2015 par le projet de loi "
                              "5884 du Sénat.",
                              "fr") != -1);
    CHECK(camas_yesno_verdict(st,
                              "Les deux, le groupe de travail et le comité CSEC, sont dans le "
                              "chapitre RCW 7.68 ?",
                              "Le Comité CSEC a été créé en 2013 par le projet de loi 5308. Il est "
                              "autorisé par le RCW 7.68.801.",
                              "fr") != -1);
    /* meetings and sessions both named: the first is asked about, the other compared with */
    static const char sessions_and_meetings[] =
        "WashACT organise des séances d'information. Ces séances sont ouvertes au public. Les "
        "réunions des membres de WashACT, elles, sont sur invitation uniquement.";
    CHECK(camas_yesno_verdict(st,
                              "Les réunions des membres de WashACT sont ouvertes au public comme "
                              "les séances d'info ?",
                              sessions_and_meetings, "fr") == -1);
    CHECK(camas_yesno_verdict(st,
                              "Les séances d'info de WashACT sont ouvertes au public comme les "
                              "réunions des membres ?",
                              sessions_and_meetings, "fr") == 1);
    /* a frequency with a typo is still one, also in a phrase of several words; one that
     * cannot be read gets no verdict */
    CHECK(camas_yesno_verdict(st, "Does WashACT meet montly?", wa_meet, "en") == -1);
    CHECK(camas_yesno_verdict(st, "does the task force meet quaterly?", tf_meet, "en") == -1);
    CHECK(camas_yesno_verdict(st, "WashACT se réunit-il chaque moi ?", fr_meet, "fr") == -1);
    CHECK(camas_yesno_verdict(st, "does washact meet every wek?", wa_meet, "en") == -1);
    CHECK(camas_yesno_verdict(st, "WashACT se réunit-il tous les trimestre ?", fr_meet, "fr") == 1);
    CHECK(camas_yesno_verdict(st, "WashACT se réunit-il chq mwa ?", fr_meet, "fr") == 0);
    CHECK(camas_yesno_verdict(st, "does washact meet evry wk?", wa_meet, "en") == 0);
    /* as many times a year in other words is the same frequency; a count of times ("4x") */
    CHECK(camas_yesno_verdict(st, "does WashACT meet twelve times a year?", wa_meet, "en") == -1);
    CHECK(camas_yesno_verdict(st, "does WashACT meet 4 times a year?", wa_meet, "en") != -1);
    /* "every N months": a number is never a typo ("6" is not the "3" of "every 3 months") */
    CHECK(camas_yesno_verdict(st, "does washact meet every 6 months?", wa_meet, "en") == -1);
    CHECK(camas_yesno_verdict(st, "WashACT se réunit tous les six mois ?", fr_meet, "fr") == -1);
    CHECK(camas_yesno_verdict(st, "does washact meet every two years?", wa_meet, "en") == -1);
    CHECK(camas_yesno_verdict(st, "does WashACT meet every 3 months?", wa_meet, "en") == 1);
    CHECK(camas_yesno_verdict(st, "does the task force meet every 3 months?", tf_meet, "en") == -1);
    /* ...and one inside the range an answer gives settles nothing */
    CHECK(camas_yesno_verdict(st, "does the task force meet every 6 months?", tf_meet, "en") == 0);
    /* a claim said in the negative: "No" agrees either way, "Yes" would not; French says
     * "Si" to the positive, English has no such word */
    CHECK(camas_yesno_verdict(st, "WashACT ne se réunit pas tous les mois ?", fr_meet, "fr") == -1);
    CHECK(camas_yesno_verdict(st, "WashACT ne se réunit pas tous les trimestres ?", fr_meet,
                              "fr") == CAMAS_YESNO_CONTRADICTS);
    CHECK(camas_yesno_verdict(st, "WashACT doesn't meet quarterly?", wa_meet, "en") == 0);
    /* ...unless it asks whether that is right: then it is not */
    CHECK(camas_yesno_verdict(st, "WashACT ne se réunit pas tous les trimestres, c'est ça ?",
                              fr_meet, "fr") == -1);
    /* "can one attend?" asks whether it is open */
    CHECK(camas_yesno_verdict(st, "on peut assister aux réunions de WashACT ?", fr_meet, "fr") ==
          -1);
    /* French writes the co-chairs in one word: "un seul président" counts them */
    CHECK(camas_yesno_verdict(st, "WashACT a-t-il un seul président ?",
                              "WashACT a trois coprésidents : le bureau du procureur, la police "
                              "et le réseau WARN.",
                              "fr") == -1);
    /* a frequency the answer does not give is not confirmed by its other words */
    CHECK(camas_yesno_verdict(st, "do WashACT members meet monthly?",
                              "Members of WashACT share information at their meetings.",
                              "en") == 0);
    /* two letters swapped in a short acronym */
    CHECK(camas_yesno_verdict(st, "Le CSEC est autorisé au RWC 7.68.801 ?",
                              "Le Comité CSEC est autorisé par le RCW 7.68.801.", "fr") == 1);
    /* two typos in a long word that starts the same; a third is a claim missed */
    CHECK(camas_yesno_verdict(st, "Are the task force's docmuentts posted?", tf_meet, "en") == 1);
    CHECK(camas_yesno_verdict(st, "Are the task force's docmuenttss posted?", tf_meet, "en") == 0);
    with_names(st);
    test_opposites(st);
    test_lexicon(st);
    test_described_by_fact(st);
    test_one_missing(st);
    test_written_values(st);
    test_people(st);
    test_renewal_year(st);
    test_claim_readings(st);
    test_question_shapes();
    test_described(st);
    test_identity(st);
    test_tags_and_auxiliaries(st);
    test_items_apart(st);
    camas_stemmer_free(st);
    int count, failed = test_yesno_context_results(&count);
    check_count += count;
    check_failures += failed;
    failed = test_yesno_shapes_results(&count);
    check_count += count;
    check_failures += failed;
    return check_done("yesno");
}
