/* Is a question a yes/no one (camas_yesno_question)? An opening verb ("is", "does", "est-ce
 * que"), a French inversion ("a-t-il") or rising intonation with a verb ("WashACT c'est gratuit
 * ?"), a tag ("…, right?", "ou pas ?"), or any of these in the part after a preamble, and no
 * question word that asks for something else ("who", "qui", unless in a cleft or a relative
 * clause). Split out of yesno.c, which gives the verdicts; the openers are also its weak words. */
#include "yesno.h"
#include "yesno_internal.h"

#include "text.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Words that open a yes/no question (after normalisation: no accents, "isn't" -> "isn t"). */
const char *const camas_yesno_openers_en[] = {
    "is",   "are",  "was",  "were",  "does",   "do",    "did",  "can", "could", "has",
    "have", "had",  "will", "would", "should", "may",   "must", "isn", "aren",  "doesn",
    "don",  "didn", "wasn", "weren", "hasn",   "haven", "cant", NULL};
const char *const camas_yesno_openers_fr[] = {"est",     "sont", "a",      "ont",     "peut",
                                              "peuvent", "faut", "existe", "etait",   "etaient",
                                              "y",       "se",   "doit",   "doivent", NULL};
/* Verbs that make a French question said with rising intonation a yes/no one
 * ("WashACT c'est gratuit ?", "le comité se réunit chaque mois ?"). */
static const char *const verbs_fr[] = {
    "est",         "sont",        "ont",          "peut",       "peuvent",
    "faut",        "existe",      "date",         "datent",     "reunit",
    "reunissent",  "reuni",       "preside",      "fait",       "font",
    "doit",        "doivent",     "ouvert",       "ouverte",    "ouverts",
    "ouvertes",    "gratuit",     "gratuite",     "gratuites",  "gratuits",
    "c",           "cest",        "compte",       "comptent",   "comprend",
    "comprennent", "inclut",      "incluent",     "ete",        "cree",
    "creee",       "convoque",    "convoquee",    "examine",    "accueille",
    "organise",    "identifie",   "repose",       "payant",     "payante",
    "payantes",    "reservee",    "reservees",    "ya",         "vrai",
    "coordonne",   "coordonnent", "travaille",    "s",          "recommande",
    "copreside",   "copresident", "president",    "dirige",     "dirigent",
    "rassemble",   "regroupe",    "siege",        "siegent",    "publie",
    "publient",    "a",           "copresidente", "copresidee", "presidee",
    "compare",     "comparent",   "evalue",       "evaluent",   "coordonnee",
    NULL};

/* Verbs that make a short English statement with a question mark a yes/no question
 * ("washact meets every quarter?", "task force chaired by torrance?"); keyword queries have
 * none ("washact email?"). Not "is" or "was": "wen was washact convend?" asks when. */
static const char *const verbs_en[] = {
    "meets",        "meet",       "met",        "includes",  "include",
    "chairs",       "chaired",    "convened",   "convenes",  "created",
    "holds",        "covers",     "sits",       "posts",     "publishes",
    "works",        "requires",   "reviews",    "cochaired", "founded",
    "reauthorized", "authorized", "welcomes",   "cost",      "costs",
    "coordinates",  "coordinate", "started",    "began",     "compares",
    "assesses",     "examines",   "organizes",  "hosts",     "focuses",
    "shares",       "identifies", "recommends", NULL};

/* "anyone who wants to come": a relative clause, not a question word. */
static bool relative_after(const char *w)
{
    static const char *const heads[] = {
        "anyone",        "someone",      "everyone", "people",    "person",       "those",
        "one",           "body",         "group",    "committee", "organization", "member",
        "members",       "quelqu",       "ceux",     "celles",    "personne",     "personnes",
        "celui",         "celle",        "public",   "victims",   "survivors",    "groups",
        "organizations", "agencies",     "membres",  "victimes",  "survivants",   "groupes",
        "organismes",    "agences",      "importe",  "groupe",    "organisme",    "comite",
        "instance",      "organisation", NULL};
    return camas_text_in_words(w, heads);
}

/* Is token i of t, a question word, the start of a relative or embedded clause rather than
 * the question's own: after a head noun ("the public who want to observe", "n'importe
 * qui"), "ce qui" / "ce que" past the start ("regarder ce qui se fait"), or "lequel" after a
 * preposition ("les services pour lesquels…"). */
static bool relative_at(const camas_token *t, long i)
{
    static const char *const which[] = {"lequel", "laquelle", "lesquels", "lesquelles", NULL};
    static const char *const preps[] = {"pour", "dans", "par", "sur", "avec", "sans", NULL};
    if (i <= 0)
        return false;
    if (relative_after(t[i - 1].text))
        return true;
    if (i >= 2 && strcmp(t[i - 1].text, "ce") == 0)
        return true;
    return i >= 2 && camas_text_in_words(t[i].text, which) &&
           camas_text_in_words(t[i - 1].text, preps);
}

static bool yesno_sentence(const char *question, const char *lang);
static bool inverted_fr(const char *question);

/* Is token i of t, a question word, the start of a clause the yes/no question embeds ("does
 * the task force look at what other states do?", "les séances expliquent-elles comment les
 * services collaborent ?"): past an opening auxiliary or a French inversion, and not after
 * "you"/"vous"/"tu" or "know", "tell", which ask for what the clause says ("can you tell me
 * who…", "is there a way to know who…", "pouvez-vous me dire quand…")? */
static bool embedded_at(const char *question, const camas_token *t, long i, bool fr)
{
    static const char *const asker[] = {"you",    "u",    "vous", "tu",      "me",    "m",
                                        "know",   "tell", "say",  "find",    "learn", "ask",
                                        "savoir", "sait", "dire", "trouver", NULL};
    static const char *const subject[] = {"il", "elle", "ils", "elles", "on", NULL};
    if (i < 3 ||
        !(fr ? inverted_fr(question) : camas_text_in_words(t[0].text, camas_yesno_openers_en)))
        return false;
    bool inverted = !fr; /* in French, the inverted subject comes first ("…-elles comment") */
    for (long k = 0; k < i; k++) {
        if (camas_text_in_words(t[k].text, asker))
            return false;
        inverted |= k > 0 && camas_text_in_words(t[k].text, subject);
    }
    return inverted;
}

static const char *const tags[] = {" right",
                                   " correct",
                                   " true",
                                   " yes",
                                   " isn t it",
                                   " wasn t it",
                                   " wasnt it",
                                   " isnt it",
                                   " don t they",
                                   " doesn t it",
                                   " isn t he",
                                   " isnt he",
                                   " isn t she",
                                   " isnt she",
                                   " didn t it",
                                   " didnt it",
                                   " didn t they",
                                   " aren t they",
                                   " arent they",
                                   " rite",
                                   " is that right",
                                   " isn t that right",
                                   " isnt that right",
                                   " is that true",
                                   " is that so",
                                   " isn t that so",
                                   " corect",
                                   " is this true",
                                   " is it true",
                                   " true or false",
                                   " am i right",
                                   " c est vrai",
                                   " c est exact",
                                   " is that accurate",
                                   " est ce vrai",
                                   " vrai ou faux",
                                   " n est ce pas",
                                   " hein",
                                   " c est ca",
                                   " ou pas",
                                   " c est bien ca",
                                   " c bien ca",
                                   " cest bien ca",
                                   " vrai",
                                   " non",
                                   NULL};

/* The length of norm without the question and exclamation marks and spaces it ends with. */
static size_t trimmed_len(const char *norm)
{
    size_t n = strlen(norm);
    while (n > 0 && (norm[n - 1] == '?' || norm[n - 1] == ' ' || norm[n - 1] == '!'))
        n--;
    return n;
}

/* Ends like a tag question ("…, right?", "wasn't it", "c'est ça ?", "ou pas ?"). */
static bool tag_question(const char *norm)
{
    size_t n = trimmed_len(norm);
    for (size_t k = 0; tags[k]; k++) {
        size_t tl = strlen(tags[k]);
        if (n > tl && strncmp(norm + n - tl, tags[k], tl) == 0)
            return true;
    }
    return false;
}

bool camas_yesno_asks_if_right(const char *question)
{
    static const char *const right[] = {
        " c est ca", " c est bien ca", " c bien ca", " cest bien ca", " vrai", " exact", NULL};
    char *norm = camas_text_normalize_dup(question);
    bool asks = false;
    size_t n = norm ? trimmed_len(norm) : 0;
    for (size_t k = 0; n && right[k] && !asks; k++) {
        size_t tl = strlen(right[k]);
        asks = n > tl && strncmp(norm + n - tl, right[k], tl) == 0;
    }
    free(norm);
    return asks;
}

bool camas_yesno_only_tag(const char *text)
{
    char *norm = camas_text_normalize_dup(text);
    bool only = false;
    const char *start = norm;
    while (start && *start == ' ')
        start++;
    size_t n = start ? trimmed_len(start) : 0;
    for (size_t k = 0; n && tags[k] && !only; k++)
        only = strlen(tags[k] + 1) == n && strncmp(start, tags[k] + 1, n) == 0;
    free(norm);
    return only;
}

/* "combien de législateurs, d'agences et d'organisations y siègent ?": the part after the
 * last comma is the end of an enumeration in a question asking something else (a question
 * word before it), not a yes/no question of its own, unless it opens like one ("who chairs
 * the task force, is it Richard Torrance?"). */
static bool enumerated_in_question(const char *question, const char *cut, const char *lang)
{
    camas_token t[MAX_TOK];
    long n = camas_text_tokenize(cut, t, MAX_TOK);
    bool fr = lang && strcmp(lang, "fr") == 0;
    static const char *const confirm[] = {"c", "cest", "it", "its", "that", "thats", NULL};
    if (n > 0 && (camas_text_in_words(t[0].text, camas_yesno_openers_en) ||
                  camas_text_in_words(t[0].text, camas_yesno_openers_fr) ||
                  camas_text_in_words(t[0].text, confirm))) /* "…, c'est Richard Torrance ?" */
        return false;
    char *before = strndup(question, (size_t)(cut - question));
    n = before ? camas_text_tokenize(before, t, MAX_TOK) : 0;
    free(before);
    for (long i = 0; i < n; i++)
        if (camas_is_question_word(fr ? "fr" : "en", t[i].text) && !relative_at(t, i))
            return true;
    return false;
}

/* The part after the last ", ", " - ", ": " or "; " of question, or NULL. */
static const char *last_part(const char *question)
{
    const char *cut = NULL;
    static const char *const seps[] = {", ", " - ", " — ", " – ", ": ", "; ", NULL};
    for (size_t k = 0; seps[k]; k++)
        for (const char *p = strstr(question, seps[k]); p; p = strstr(p + 1, seps[k]))
            if (!cut || p + strlen(seps[k]) > cut)
                cut = p + strlen(seps[k]);
    return cut && *cut ? cut : NULL;
}

/* Does the last part open with a question word ("WashACT and the CSEC committee: who
 * convened each one?", "je compare les trois organismes : lesquels comptent des
 * législateurs ?")? Then the question asks what, whatever came before it (read whole, the
 * "who" after "committee" looked like a relative pronoun). */
static bool last_part_asks(const char *question, const char *lang)
{
    if (lang && strcmp(lang, "fr") == 0 && strncasecmp(question, "est-ce l", 8) == 0)
        return false; /* a cleft: "est-ce le bureau … qui a convoqué WashACT ?" */
    static const char *const which[] = {"lequel", "laquelle", "lesquels", "lesquelles", NULL};
    const char *part = last_part(question);
    camas_token t[2];
    if (!part || camas_text_tokenize(part, t, 2) < 2)
        return false;
    return camas_is_question_word(lang, t[0].text) || camas_text_in_words(t[0].text, which);
}

/* Does the last part name only what is asked, as a keyword query does ("cmte convened by
 * AG — email?", "groupe de travail, réunions ?")? Then the part before it describes a body
 * and claims nothing. */
static bool last_part_keyword(const char *question)
{
    static const char *const asked[] = {
        "email",    "e",           "mail",      "courriel", "phone",   "telephone", "tel",
        "number",   "numero",      "contact",   "contacts", "address", "adresse",   "website",
        "site",     "web",         "chair",     "chairs",   "members", "membres",   "meetings",
        "reunions", "law",         "loi",       "rcw",      "bill",    "year",      "annee",
        "date",     "frequency",   "frequence", "mission",  "role",    "info",      "infos",
        "details",  "composition", NULL};
    const char *part = last_part(question);
    camas_token t[4];
    long n = part ? camas_text_tokenize(part, t, 4) : 0;
    if (n < 1 || n > 3 || !strchr(part, '?'))
        return false;
    for (long i = 0; i < n; i++)
        if (!camas_text_in_words(t[i].text, asked))
            return false;
    return true;
}

bool camas_yesno_question(const char *question, const char *lang)
{
    if (last_part_asks(question, lang) || last_part_keyword(question))
        return false;
    if (yesno_sentence(question, lang))
        return true;
    char *norm = camas_text_normalize_dup(question);
    /* the tag alone makes it a question ("washact was convened in 2008 wasnt it") once the
     * sentence is long enough not to be a keyword query */
    bool yes = norm && (strchr(question, '?') || strlen(norm) >= 24) && tag_question(norm);
    free(norm);
    if (yes)
        return true;
    /* the last part after a preamble or a question about something else: "who chairs the
     * task force, is it richard torrance?", "quick q: task force was reauthorized in 2015?" */
    const char *cut = last_part(question);
    if (cut && yesno_sentence(cut, lang) && !enumerated_in_question(question, cut, lang))
        return true;
    /* a greeting first: "hey is the washact email …", "salut, …" */
    static const char *const hello[] = {"hey ",     "hi ",     "hello ", "salut ",
                                        "bonjour ", "coucou ", NULL};
    for (size_t k = 0; hello[k]; k++)
        if (strncasecmp(question, hello[k], strlen(hello[k])) == 0)
            return yesno_sentence(question + strlen(hello[k]), lang);
    return false;
}

/* A French question by inversion ("n'est-il pas…", "se réunit-elle…", "est-ce que"). */
static bool inverted_fr(const char *question)
{
    static const char *const marks[] = {"-il", "-elle", "-ils", "-elles", "-on", "-ce", NULL};
    for (size_t k = 0; marks[k]; k++) {
        size_t ml = strlen(marks[k]);
        for (const char *p = strstr(question, marks[k]); p; p = strstr(p + 1, marks[k]))
            if (!isalpha((unsigned char)p[ml]))
                return true;
    }
    return false;
}

bool camas_yesno_negated_statement(const char *question)
{
    if (inverted_fr(question))
        return false;
    char *norm = camas_text_normalize_dup(question);
    if (!norm)
        return false;
    size_t n = trimmed_len(norm), longest = 0;
    /* the longest tag: "…, isn't that right?" denies nothing, "right" alone would leave "isn't" */
    for (size_t k = 0; tags[k]; k++) {
        size_t tl = strlen(tags[k]);
        if (n > tl && tl > longest && strncmp(norm + n - tl, tags[k], tl) == 0)
            longest = tl;
    }
    n -= longest;
    norm[n] = '\0';
    camas_token t[MAX_TOK];
    size_t nt = camas_tokenize(norm, t, MAX_TOK);
    if (nt > MAX_TOK)
        nt = MAX_TOK;
    static const char *const negations[] = {"not",    "no",  "never", "none",   "nobody",
                                            "cannot", "pas", "aucun", "aucune", "jamais",
                                            "ne",     "n",   "rien",  NULL};
    /* "doesn't" is "doesn t"; the "t" of "a-t-il" is no negation */
    static const char *const nt_verbs[] = {"isn", "aren",    "wasn",   "weren",  "doesn",
                                           "don", "didn",    "hasn",   "haven",  "can",
                                           "won", "shouldn", "couldn", "wouldn", NULL};
    /* "only…, not…" and "ne … que" restrict (camas_yesno_only reads them); they deny nothing */
    static const char *const restrict_words[] = {"only", "seulement", "uniquement",
                                                 "que",  "qu",        NULL};
    for (size_t i = 0; i < nt; i++)
        if (camas_text_in_words(t[i].text, restrict_words)) {
            free(norm);
            return false;
        }
    bool negated = false;
    if (nt && !camas_text_in_words(t[0].text, camas_yesno_openers_en) &&
        !camas_text_in_words(t[0].text, camas_yesno_openers_fr))
        for (size_t i = 0; i < nt && !negated; i++)
            negated = (camas_text_in_words(t[i].text, negations) &&
                       !(strcmp(t[i].text, "n") == 0 && i + 1 < nt &&
                         strcmp(t[i + 1].text, "importe") == 0)) ||
                      (strcmp(t[i].text, "t") == 0 && i > 0 &&
                       camas_text_in_words(t[i - 1].text, nt_verbs));
    free(norm);
    return negated;
}

/* "email for kyle at the AG office?", "le nom complet du comité CSEC ?": the thing asked
 * for and what it is of, with no verb: a keyword query, not a claim. */
static bool asked_thing_query(const camas_token *t, long n)
{
    static const char *const things[] = {
        "email", "mail",    "e",       "courriel",  "phone", "number",  "numero", "name",
        "nom",   "adresse", "address", "website",   "site",  "date",    "dates",  "rcw",
        "loi",   "law",     "bill",    "telephone", "tel",   "mission", NULL};
    static const char *const articles[] = {"the", "a", "le", "la", "l", "les", "un", "une", NULL};
    static const char *const of[] = {"for", "of",   "at", "to", "du",  "de", "des",
                                     "d",   "pour", "a",  "au", "aux", NULL};
    long i = n > 0 && camas_text_in_words(t[0].text, articles) ? 1 : 0;
    if (n > 8 || i >= n || !camas_text_in_words(t[i].text, things))
        return false;
    /* "loi 5884 pour le CSEC ?": a value after the thing claims it */
    if (i + 1 < n && isdigit((unsigned char)t[i + 1].text[0]))
        return false;
    /* "e-mail", "le nom complet du…": one word more before what it is of */
    long j = i + 1 < n && strcmp(t[i].text, "e") == 0 ? i + 2 : i + 1;
    if (j < n && !camas_text_in_words(t[j].text, of))
        j++;
    if (j >= n || !camas_text_in_words(t[j].text, of))
        return false;
    for (long k = 0; k < n; k++)
        if (camas_text_in_words(t[k].text, camas_yesno_openers_fr) ||
            camas_text_in_words(t[k].text, camas_yesno_openers_en) ||
            camas_text_in_words(t[k].text, verbs_fr) || camas_text_in_words(t[k].text, verbs_en))
            return false; /* "the email for WashACT is warntrafficking@yahoo.com?" claims it */
    return true;
}

/* "WashACT quarterly?", "CSEC since 2013?", "loi 5884 pour le CSEC ?": a short message with
 * no verb that puts a value next to what it is about (how often, who may come, a number) is
 * a claim to check; a keyword query names what it asks for instead ("CSEC bill number?"). */
static bool verbless_claim(const camas_token *t, long n)
{
    static const char *const values[] = {
        "monthly",       "quarterly",    "yearly",         "annually", "annual",     "weekly",
        "biannual",      "biannually",   "public",         "open",     "free",       "private",
        "closed",        "mensuel",      "mensuelle",      "mensuels", "mensuelles", "trimestriel",
        "trimestrielle", "trimestriels", "trimestrielles", "annuel",   "annuelle",   "annuels",
        "annuelles",     "hebdomadaire", "hebdomadaires",  "publique", "publiques",  "publics",
        "ouvert",        "ouverte",      "ouverts",        "ouvertes", "gratuit",    "gratuite",
        "gratuits",      "gratuites",    "prive",          "privee",   "privees",    "prives",
        "payant",        "payante",      "payantes",       "payants",  NULL};
    static const char *const invite[] = {"invite", "invitation", "invitations", NULL};
    static const char *const only[] = {"only", "uniquement", "seulement", "sur", NULL};
    static const char *const asked[] = {
        "number", "numero",    "num",   "name",    "nom",     "email",   "mail",      "courriel",
        "phone",  "telephone", "tel",   "address", "adresse", "website", "site",      "date",
        "dates",  "year",      "annee", "info",    "infos",   "details", "frequency", "frequence",
        "or",     "ou",        "vs",    "versus",  "contact", NULL};
    bool value = false, subject = false;
    if (n < 2 || n > 7)
        return false;
    for (long i = 0; i < n; i++) {
        if (camas_text_in_words(t[i].text, asked))
            return false;
        bool number = isdigit((unsigned char)t[i].text[0]) != 0;
        bool v = number || camas_text_in_words(t[i].text, values) ||
                 (camas_text_in_words(t[i].text, invite) &&
                  ((i + 1 < n && camas_text_in_words(t[i + 1].text, only)) ||
                   (i > 0 && camas_text_in_words(t[i - 1].text, only))));
        value |= v;
        subject |= !v && strlen(t[i].text) >= 4 && !camas_text_in_words(t[i].text, only);
    }
    return value && subject;
}

static bool yesno_sentence(const char *question, const char *lang)
{
    camas_token t[MAX_TOK];
    long n = camas_text_tokenize(question, t, MAX_TOK);
    if (n <= 0)
        return false;
    bool fr = lang && strcmp(lang, "fr") == 0;
    /* "est-ce que", "est-ce qu'" */
    if (fr && n >= 3 && strcmp(t[0].text, "est") == 0 && strcmp(t[1].text, "ce") == 0 &&
        (strcmp(t[2].text, "que") == 0 || strcmp(t[2].text, "qu") == 0))
        return true;
    /* "est-ce le bureau du procureur général qui a convoqué WashACT ?": a cleft, whether it
     * was that one ("qui" is its relative, not a question word) */
    static const char *const det[] = {"le", "la", "l", "les", "un", "une", NULL};
    if (fr && n >= 5 && strcmp(t[0].text, "est") == 0 && strcmp(t[1].text, "ce") == 0 &&
        camas_text_in_words(t[2].text, det))
        for (long i = 3; i < n; i++)
            if (strcmp(t[i].text, "qui") == 0 || strcmp(t[i].text, "que") == 0)
                return true;
    /* "qu'est-ce que le WARN ?", "qu'est-ce qui…": what, not whether */
    for (long i = 0; fr && i + 2 < n; i++)
        if (strcmp(t[i].text, "qu") == 0 && strcmp(t[i + 1].text, "est") == 0 &&
            strcmp(t[i + 2].text, "ce") == 0)
            return false;
    for (long i = 0; i < n; i++) {
        /* "ou" (or) is not "où" once accents are gone, unless written "où" or "d'où" ("les
         * élus du groupe de travail viennent d'où ?") */
        if (fr && i > 0 && strcmp(t[i].text, "ou") == 0 && strcmp(t[i - 1].text, "d") != 0 &&
            !strstr(question, "o\xc3\xb9"))
            continue;
        if (fr && i > 1 && (strcmp(t[i].text, "que") == 0 || strcmp(t[i].text, "qu") == 0))
            continue; /* "est-il vrai que", "en tant que": a conjunction past the start */
        /* "c'est le procureur général qui a convoqué washact ?" (or in SMS, "c le projet de loi
         * 5308 qui…"): a cleft, not a question word */
        static const char *const linking[] = {"et", "donc", "alors", "mais", "ah", NULL};
        long c0 = n > 3 && camas_text_in_words(t[0].text, linking) ? 1 : 0;
        long head = n > c0 + 2 && strcmp(t[c0].text, "c") == 0
                        ? c0 + (strcmp(t[c0 + 1].text, "est") == 0 ? 2 : 1)
                        : 0;
        bool cleft = fr && head && i > head &&
                     (strcmp(t[i].text, "qui") == 0 || strcmp(t[i].text, "que") == 0);
        if (camas_is_question_word(lang, t[i].text) && !cleft && !relative_at(t, i) &&
            !embedded_at(question, t, i, fr))
            return false;
    }
    if (asked_thing_query(t, n))
        return false;
    if (strchr(question, '?') && verbless_claim(t, n))
        return true;
    /* an opener after a linking word: "and are they free?", "so is it open?" */
    static const char *const going_on[] = {"and",  "so", "ok",   "okay",  "but",  "also",
                                           "then", "et", "donc", "alors", "mais", NULL};
    long o = n > 2 && camas_text_in_words(t[0].text, going_on) ? 1 : 0;
    if (camas_text_in_words(t[0].text, fr ? camas_yesno_openers_fr : camas_yesno_openers_en) ||
        (o && camas_text_in_words(t[o].text, fr ? camas_yesno_openers_fr : camas_yesno_openers_en)))
        return true;
    if (!fr) { /* a statement with a question mark: "washact info sessions are held yearly?" */
        bool verb = false;
        for (long i = 1; i < n && !verb; i++)
            verb = camas_text_in_words(t[i].text, verbs_en);
        /* ...or a pronoun and "is"/"are" ("and those are monthly?", "and they're free?") */
        static const char *const pronoun[] = {"it",   "they", "those", "these", "that",
                                              "this", "he",   "she",   NULL};
        static const char *const copula[] = {"is", "are", "re", "s", "was", "were", NULL};
        for (long i = 0; i + 2 < n && !verb; i++)
            verb = camas_text_in_words(t[i].text, pronoun) &&
                   camas_text_in_words(t[i + 1].text, copula);
        return (n >= 5 || (n >= 3 && verb)) && strchr(question, '?') != NULL;
    }
    /* inversion: "le comité a-t-il été créé en 2013 ?", "WashACT se réunit-il… ?" */
    static const char *const inverted[] = {"-t-il",  "-t-elle", "-t-on",   "-il ",
                                           "-elle ", "-ils ",   "-elles ", "-il?",
                                           "-elle?", "-ils?",   "-elles?", NULL};
    for (size_t k = 0; inverted[k]; k++)
        if (strstr(question, inverted[k]))
            return true;
    /* the same without the hyphens: "le public est il bienvenu", "travaille t il" */
    static const char *const subject[] = {"il", "elle", "ils", "elles", NULL};
    for (long i = 1; i < n; i++)
        if (camas_text_in_words(t[i].text, subject) &&
            (strcmp(t[i - 1].text, "t") == 0 ||
             camas_text_in_words(t[i - 1].text, camas_yesno_openers_fr)))
            return true;
    const char *q = strrchr(question, '?');
    if (!q)
        return false;
    for (long i = 0; i < n; i++)
        if (camas_text_in_words(t[i].text, verbs_fr))
            return true;
    /* a sentence with a question mark and no question word ("on écrit à … ?"); keyword
     * queries ("email washact ?") are shorter */
    return n >= 6;
}

size_t camas_yesno_reported_words(const char *question)
{
    static const char *const reporting[] = {"told us",        "told me",
                                            "i heard",        "we heard",
                                            "i read",         "i ve read",
                                            "i was told",     "we were told",
                                            "notes say",      "notes said",
                                            "says that",      "said that",
                                            "say that",       "claims that",
                                            "i think",        "i believe",
                                            "i thought",      "someone said",
                                            "mentioned that", "heard that",
                                            "m a dit",        "m ont dit",
                                            "nous a dit",     "nous ont dit",
                                            "j ai lu",        "j ai entendu",
                                            "disent que",     "disent qu",
                                            "dit que",        "dit qu",
                                            "je crois que",   "je crois qu",
                                            "je pense que",   "je pense qu",
                                            "parait que",     "parait qu",
                                            "notes disent",   NULL};
    static const char *const that[] = {"that", "que", "qu", NULL};
    char *norm = camas_text_normalize_dup(question);
    if (!norm)
        return 0;
    camas_token t[MAX_TOK];
    size_t n = camas_tokenize(norm, t, MAX_TOK), words = 0;
    if (n > MAX_TOK)
        n = MAX_TOK;
    /* the end of the last reporting phrase, in tokens */
    for (size_t k = 0; reporting[k]; k++)
        for (const char *p = strstr(norm, reporting[k]); p; p = strstr(p + 1, reporting[k])) {
            size_t end = (size_t)(p - norm) + strlen(reporting[k]);
            if ((p != norm && isalnum((unsigned char)p[-1])) || isalnum((unsigned char)norm[end]))
                continue;
            char saved = norm[end];
            norm[end] = '\0';
            camas_token tmp[MAX_TOK];
            size_t w = camas_tokenize(norm, tmp, MAX_TOK);
            norm[end] = saved;
            words = w > words ? w : words;
        }
    free(norm);
    if (words && words < n && camas_text_in_words(t[words].text, that))
        words++;
    /* "is that what you heard?" reports no claim of its own */
    return words && n >= words + 3 ? words : 0;
}
