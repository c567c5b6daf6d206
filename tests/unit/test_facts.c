/* The facts a question and an answer share (understand.c): numbers, addresses and counts of
 * things, across languages and plurals, and what is no count ("one of", "two to three
 * times", "à"); whether a question asks which body; where a description ends. */
#include "check.h"
#include "understand_internal.h"

#include <stdbool.h>
#include <string.h>

static size_t facts(const char *text, bool articles, char out[][CAMAS_TOKEN_MAX + 1])
{
    return camas_understand_text_facts(text, articles, out, 8);
}

static bool has(char f[][CAMAS_TOKEN_MAX + 1], size_t n, const char *fact)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i], fact) == 0)
            return true;
    return false;
}

int main(void)
{
    char f[8][CAMAS_TOKEN_MAX + 1];
    size_t n = facts("four legislators, eight state agencies and 25 organizations", false, f);
    CHECK(has(f, n, "#4legis"));
    CHECK(has(f, n, "#8state") && has(f, n, "#8agenc"));
    CHECK(has(f, n, "25"));
    CHECK(n > 0 && strcmp(f[0], "25") == 0); /* numbers first: counts never crowd them out */
    n = facts("le groupe qui compte huit agences d'État ?", true, f);
    CHECK(has(f, n, "#8agenc"));
    n = facts("who leads the group with 4 legislators?", true, f);
    CHECK(has(f, n, "#4legis"));
    /* an answer's "one" counts, its article does not; a question's article does */
    n = facts("one survivor of human trafficking, and a multidisciplinary task force", false, f);
    CHECK(has(f, n, "#1survi") && !has(f, n, "#1multi"));
    n = facts("the group with a trafficking survivor", true, f);
    CHECK(has(f, n, "#1survi"));
    /* an address's provider: of an address in an answer, of the word by an address's noun in
     * a question; not of words far from one, nor in an answer */
    n = facts("e-mail warntrafficking@yahoo.com for more information", false, f);
    CHECK(has(f, n, "warntrafficking@yahoo.com") && has(f, n, "@yahoo") && !has(f, n, "@more"));
    n = facts("the one with the yahoo email address, how often does it meet?", true, f);
    CHECK(has(f, n, "@yahoo") && !has(f, n, "@often"));
    n = facts("le groupe avec l'adresse yahoo ?", true, f);
    CHECK(has(f, n, "@yahoo"));
    n = facts("the committee with the atg.wa.gov email", true, f);
    CHECK(has(f, n, "@atg"));
    n = facts("the yahoo group meets quarterly", true, f);
    CHECK(!has(f, n, "@yahoo"));
    /* no thing counted: "one of", "un de chaque", a range of times, a count of time */
    n = facts("One of the Task Force's duties; un de chaque caucus", false, f);
    CHECK(n == 0);
    n = facts("meets two to three times a year, trois fois par an", false, f);
    CHECK(n == 0);
    n = facts("KyleW@atg.wa.gov, 206-442-4488", true, f);
    CHECK(n == 3 && has(f, n, "kylew@atg.wa.gov") && has(f, n, "206-442-4488") &&
          has(f, n, "@atg"));
    /* which body a question asks for: "whose …?" opening it, not as a relative */
    CHECK(camas_understand_asks_which_body("whose meetings can the public observe?"));
    CHECK(camas_understand_asks_which_body("at whose meetings can the public sit in?"));
    CHECK(camas_understand_asks_which_body("which group meets quarterly?"));
    CHECK(!camas_understand_asks_which_body("the committee whose contact is Kyle, when is it?"));
    CHECK(!camas_understand_asks_which_body("in what year was the task force renewed?"));
    /* a description and what is asked of it: at a comma, or without one at the subject
     * pronoun after a description of a body ("celui …", "le comité …") */
    char a[128], b[128];
    CHECK(camas_understand_split_clauses("the group created in 2006, who chairs it?", a, b, 128));
    CHECK_STR(a, "the group created in 2006");
    CHECK_STR(b, "who chairs it?");
    CHECK(camas_understand_split_clauses("celui créé en 2013 il s'occupe de quoi", a, b, 128));
    CHECK_STR(a, "celui créé en 2013");
    CHECK_STR(b, "il s'occupe de quoi");
    CHECK(!camas_understand_split_clauses("est-ce qu'il se réunit souvent", a, b, 128));
    CHECK(!camas_understand_split_clauses("Torrance il préside quoi", a, b, 128));
    /* asking of every body */
    CHECK(camas_understand_asks_every_body("en quelle année chaque organisme a-t-il été créé ?"));
    CHECK(camas_understand_asks_every_body("what do all three bodies do?"));
    CHECK(camas_understand_asks_every_body("tous les groupes se réunissent quand ?"));
    CHECK(!camas_understand_asks_every_body("what does the task force do each year?"));
    CHECK(!camas_understand_asks_every_body("who are all the members of WashACT?"));
    camas_token t = {.text = "huit", .kind = CAMAS_TOK_WORD};
    CHECK_STR(camas_understand_count_of(&t, false), "8");
    snprintf(t.text, sizeof t.text, "a");
    CHECK(camas_understand_count_of(&t, false) == NULL);
    CHECK_STR(camas_understand_count_of(&t, true), "1");
    return check_done("facts");
}
