/* Yes/no verdicts that compare values of one kind rather than words (split out of yesno.c):
 * access ("open to the public?" against "by invitation only"), cost and side of the state
 * ("do I have to pay?" against "free"), when two bodies began ("was WashACT set up before
 * the CSEC committee?"), and which bodies a question asks about when it names one only as a
 * point of comparison. */
#include "yesno_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the first phrase of list starts in qn as whole words (strlen(qn) when none does). */
static size_t first_phrase_at(const char *qn, const char *const *list)
{
    size_t best = strlen(qn);
    for (; *list; list++) {
        size_t pl = strlen(*list);
        for (const char *p = strstr(qn, *list); p; p = strstr(p + 1, *list))
            if ((p == qn || p[-1] == ' ') && !isalnum((unsigned char)p[pl])) {
                if ((size_t)(p - qn) < best)
                    best = (size_t)(p - qn);
                break;
            }
    }
    return best;
}

/* "do I have to pay?" against "free", "eastern Washington?" against "western Washington":
 * the answer gives the other value (qn and an normalised). */
bool camas_yesno_cost_or_side_differs(const char *qn, const char *an)
{
    /* cost: "do I have to pay?" against "free" */
    static const char *const pay_q[] = {"pay",   "paying", "cost",    "costs",    "fee",   "fees",
                                        "payer", "payant", "payante", "payantes", "coute", "frais",
                                        "tarif", "price",  "prix",    NULL};
    static const char *const free_a[] = {"free",      "gratuit",  "gratuite",
                                         "gratuites", "gratuits", NULL};
    if (camas_yesno_any_phrase(qn, pay_q) && camas_yesno_any_phrase(an, free_a))
        return true;
    /* which part of the state: "eastern Washington?" against "western Washington" */
    static const char *const east_q[] = {"east",      "eastern",  "est de washington", "l est",
                                         "orientale", "oriental", "district est",      NULL};
    static const char *const west_a[] = {"western", "west", "ouest", NULL};
    return camas_yesno_any_phrase(qn, east_q) && camas_yesno_any_phrase(an, west_a);
}

/* "invitaton-only", "invitaiton": "invitation" one or two typos away (a long word, which no
 * other word of a question about the bodies comes that near). */
static bool misspelt_invitation(const char *qn)
{
    camas_token t[MAX_TOK];
    size_t n = camas_tokenize(qn, t, MAX_TOK);
    for (size_t i = 0; i < n && i < MAX_TOK; i++)
        if (t[i].len >= 8 && camas_text_distance(t[i].text, t[i].len, "invitation", 10, 2) <= 2)
            return true;
    return false;
}

/* What an answer says is open, the two kinds of gathering, and going to one. */
static const char *const open_a[] = {"open to", "ouvert",   "ouverte",   "ouverts", "ouvertes",
                                     "welcome", "bienvenu", "bienvenus", NULL};
static const char *const sessions[] = {"session",  "sessions",  "seance",       "seances",
                                       "briefing", "briefings", "info session", NULL};
static const char *const meetings[] = {"meeting",  "meetings", "meet",       "reunion",
                                       "reunions", "reunit",   "reunissent", NULL};
static const char *const going[] = {
    "attend",  "attending", "go",          "come",         "join",          "observe",
    "sit in",  "assister",  "aller",       "venir",        "participer",    "observer",
    "entrer",  "observers", "observateur", "observateurs", "observatrices", "show up",
    "drop in", "walk in",   "pointer",     "debarquer",    "accueille",     "accueillent",
    "admit",   "admits",    NULL};

/* Does the question (normalised) ask whether something is open (*open) or claim it is by
 * invitation or closed (*closed)? Neither: it is not about access. */
static void asked_access(const char *qn, bool *open, bool *closed)
{
    static const char *const open_q[] = {"open",          "public",        "anyone",    "everyone",
                                         "ouvert",        "ouverte",       "ouverts",   "ouvertes",
                                         "tout le monde", "n importe qui", "citoyen",   "citizen",
                                         "welcome",       "bienvenu",      "bienvenus", NULL};
    static const char *const closed_q[] = {
        "invitation", "invitation only", "invite only", "invit",      "invites",     "invite",
        "reserved",   "reservee",        "reservees",   "reserve",    "reserves",    "barred",
        "private",    "prive",           "privee",      "privees",    "closed",      "ferme",
        "fermee",     "fermees",         "interdit",    "interdite",  "interdits",   "interdites",
        "forbidden",  "banned",          "excluded",    "exclu",      "exclus",      "not allowed",
        "invited",    "restricted",      "restreint",   "restreinte", "restreintes", "members only",
        NULL};
    /* "without an invitation", "sans invitation": asking whether it is open */
    static const char *const without[] = {"without an invitation", "without invitation",
                                          "without an invite",     "without being invited",
                                          "without an invitaton",  "sans invitation",
                                          "sans etre invite",      "sans etre invitee",
                                          "sans y etre invite",    NULL};
    /* "on peut assister aux réunions ?", "can I attend?": may one go is asking if it is open */
    static const char *const may[] = {"can",     "may",     "could",    "allowed",  "peut",  "peux",
                                      "peuvent", "pouvons", "pourrait", "possible", "droit", NULL};
    bool q_without = camas_yesno_any_phrase(qn, without);
    bool q_closed = !q_without && (camas_yesno_any_phrase(qn, closed_q) || misspelt_invitation(qn));
    /* "is the public barred?" is closed */
    bool q_open =
        q_without ||
        (!q_closed && (camas_yesno_any_phrase(qn, open_q) ||
                       (camas_yesno_any_phrase(qn, may) && camas_yesno_any_phrase(qn, going))));
    *open = q_open;
    *closed = q_closed;
}

bool camas_yesno_asks_if_open(const char *qn)
{
    bool open, closed;
    asked_access(qn, &open, &closed);
    return open;
}

/* Open or by invitation: +1/-1 when the sentences about what the question asks of settle
 * it, else 0. */
int camas_yesno_access(const char *qn, const struct unit *units, const bool *usable, size_t nunits)
{
    bool q_open, q_closed;
    asked_access(qn, &q_open, &q_closed);
    if (!q_open && !q_closed)
        return 0;
    bool q_sessions = camas_yesno_any_phrase(qn, sessions),
         q_meetings = camas_yesno_any_phrase(qn, meetings);
    /* both named ("les réunions des membres sont ouvertes comme les séances d'info ?"): the
     * first is asked about, the other is the point of comparison */
    if (q_sessions && q_meetings) {
        q_sessions = first_phrase_at(qn, sessions) < first_phrase_at(qn, meetings);
        q_meetings = !q_sessions;
    }
    static const char *const to_public[] = {
        "to the public", "au public", "aux publics",   "to outsiders",  "everyone",     "everybody",
        "anyone",        "anybody",   "tout le monde", "n importe qui", "tous publics", NULL};
    /* "is it invitation only?" says what of: only a meeting is by invitation */
    static const char *const only_invited[] = {
        "invitation only",      "invite only",           "invitation-only",
        "invite-only",          "by invitation",         "sur invitation",
        "invitation seulement", "invitation uniquement", NULL};
    if (!q_sessions && !q_meetings && !camas_yesno_any_phrase(qn, going) &&
        !camas_yesno_any_phrase(qn, to_public) && !camas_yesno_any_phrase(qn, only_invited))
        return 0; /* not about going to something ("the address to request an invitation") */
    bool a_open = false, a_closed = false;
    for (size_t u = 0; u < nunits; u++) {
        if (!usable[u])
            continue;
        const char *norm = units[u].norm;
        bool s = camas_yesno_any_phrase(norm, sessions), m = camas_yesno_any_phrase(norm, meetings);
        /* one line of a list about both ("WashACT: members meet quarterly, by invitation
         * only; quarterly information sessions are free and open to the public"): the
         * meetings are what comes before the sessions */
        size_t cut = s && m ? first_phrase_at(norm, sessions) : strlen(norm);
        bool meetings_first = s && m && first_phrase_at(norm, meetings) < cut;
        char part[512];
        if (meetings_first && (q_sessions || q_meetings)) {
            size_t from = q_sessions ? cut : 0, to = q_sessions ? strlen(norm) : cut;
            snprintf(part, sizeof part, "%.*s", (int)(to - from), norm + from);
            norm = part;
        } else if (q_sessions ? !s : (q_meetings && s)) {
            continue; /* about the other kind of gathering */
        }
        a_open |= camas_yesno_any_phrase(norm, open_a);
        a_closed |= camas_yesno_has_phrase(norm, "invitation");
    }
    /* open and closed both (WashACT's information sessions and its members' meetings), for
     * a question naming neither ("c'est ouvert à tout le monde ?"): neither "yes" nor "no";
     * but a claim of every body's gatherings is not borne out by one closed ("les réunions
     * des trois organismes sont toutes ouvertes au public ?") */
    static const char *const every_body[] = {"all three",
                                             "all 3",
                                             "three bodies",
                                             "3 bodies",
                                             "les trois",
                                             "les 3",
                                             "des trois",
                                             "des 3",
                                             "both",
                                             "les deux",
                                             "each body",
                                             "every body",
                                             "all bodies",
                                             "all the bodies",
                                             "chaque organisme",
                                             "chaque instance",
                                             "trois organismes",
                                             "trois instances",
                                             "tous les organismes",
                                             "toutes les instances",
                                             NULL};
    if (a_open && a_closed)
        return camas_yesno_any_phrase(qn, every_body) ? -1 : CAMAS_YESNO_UNSETTLED;
    if (!a_open && !a_closed)
        return 0;
    return (q_open == a_open) ? 1 : -1;
}

static const char *const again[] = {
    "reauthorized", "reauthorised",   "reauthorization", "reauthorisation", "de nouveau autorise",
    "reautorise",   "reautorisation", "renouvele",       "reconduit",       "reconduction",
    "reconduite",   "renouvellement", "renewed",         "renewal",         NULL};

int camas_yesno_began_when_renewed(const char *qn, const struct unit *units, size_t nunits)
{
    static const char *const began[] = {
        "created",       "founded",  "established",   "set up",    "formed",
        "started",       "launched", "first",         "cree",      "creee",
        "fonde",         "fondee",   "etabli",        "etablie",   "mis en place",
        "mise en place", "lance",    "premiere fois", "naissance", "creation",
        "debut",         NULL};
    if (!camas_yesno_any_phrase(qn, began) || camas_yesno_any_phrase(qn, again))
        return 0;
    camas_token t[MAX_TOK];
    size_t n = camas_tokenize(qn, t, MAX_TOK);
    const char *year = NULL;
    for (size_t i = 0; i < n && i < MAX_TOK && !year; i++)
        if (t[i].kind == CAMAS_TOK_NUMBER && camas_yesno_is_year(t[i].text))
            year = t[i].text;
    if (!year)
        return 0;
    /* every sentence giving that year gives it as a renewal's, and one does */
    bool renewal = false;
    for (size_t u = 0; u < nunits; u++) {
        if (!camas_yesno_has_phrase(units[u].norm, year))
            continue;
        if (!camas_yesno_any_phrase(units[u].norm, again))
            return 0;
        renewal = true;
    }
    return renewal ? -1 : 0;
}

/* The year a sentence about one body only gives, or 0: when it began (not a
 * reauthorization's year), or when it was reauthorized (renewed). */
static int body_year(const struct unit *units, size_t nunits, const char *body, bool renewed)
{
    for (size_t u = 0; u < nunits; u++) {
        if (units[u].nbodies != 1 || strcmp(units[u].bodies[0], body) ||
            camas_yesno_any_phrase(units[u].norm, again) != renewed)
            continue;
        camas_token t[4 * MAX_TOK];
        size_t n = camas_tokenize(units[u].norm, t, 4 * MAX_TOK);
        for (size_t i = 0; i < n && i < 4 * MAX_TOK; i++)
            if (t[i].kind == CAMAS_TOK_NUMBER && camas_yesno_is_year(t[i].text))
                return atoi(t[i].text);
    }
    return 0;
}

/* The year a body began, from the answer the knowledge gives to when it did (the answer
 * to a comparison names one body: "The CSEC Committee was created … in 2013"). 0: unknown. */
static int founding_year(const camas_yesno_context *c, const char *body, const char *lang,
                         bool renewed)
{
    size_t n;
    struct unit *units = camas_yesno_about_units(c, body, lang, CAMAS_YESNO_FOUNDED, &n);
    int year = units ? body_year(units, n, body, renewed) : 0;
    camas_yesno_units_free(units, n);
    return year;
}

/* A question comparing when two bodies began ("X before Y?", "X est-il plus ancien que
 * Y ?"): +1 or -1 when the answer gives both years, else 0. The body named before the
 * comparison word is the subject. */
/* The number of years a question puts between two events, just before its comparing word
 * at cut ("ten years before", "7 ans avant", "deux ans après"): 0 when it gives none. */
static int years_before(const char *qn, const char *cut)
{
    char before[256];
    snprintf(before, sizeof before, "%.*s", (int)(cut - qn), qn);
    camas_token t[48];
    size_t n = camas_tokenize(before, t, 48);
    if (n > 48)
        n = 48;
    static const char *const years[] = {"years", "year", "ans", "an", "annees", "annee", NULL};
    if (n < 2 || !camas_text_in_words(t[n - 1].text, years))
        return 0;
    const char *v = camas_yesno_number_value(&t[n - 2]);
    return v && !strchr(v, '-') ? atoi(v) : 0;
}

/* A follow-up that compares a body it points at ("so it came after WashACT?") is read with
 * the previous question's body in brackets at its end ("... (the CSEC Committee)",
 * worker_reply.c): with no body before the comparing word, that one is the subject and the
 * one the question names the other. */
static void bracketed_subject(const camas_yesno_context *c, const char *question, const char *lang,
                              size_t *na, const char **a, size_t *nb, const char **b)
{
    size_t ql = strlen(question);
    const char *open = strrchr(question, '(');
    if (*na || !open || ql < 2 || question[ql - 1] != ')')
        return;
    char inside[128], before[512];
    snprintf(inside, sizeof inside, "%.*s", (int)(question + ql - 1 - open - 1), open + 1);
    snprintf(before, sizeof before, "%.*s", (int)(open - question), question);
    const char *s[2], *o[2];
    if (c->bodies(c->ud, inside, lang, s, 2) != 1 || c->bodies(c->ud, before, lang, o, 2) != 1)
        return;
    a[0] = s[0];
    b[0] = o[0];
    *na = *nb = 1;
}

/* The first year (1900-2099) in normalised text, 0 when none. */
static int year_after(const char *text)
{
    camas_token t[12];
    size_t n = camas_tokenize(text, t, 12);
    for (size_t i = 0; i < n && i < 12; i++)
        if (camas_yesno_is_year(t[i].text))
            return atoi(t[i].text);
    return 0;
}

/* Does text hold a year said as a date ("in 2008", "en 2008")? Then "first" before it is
 * "initially" ("WashACT was first convened in 2008?"), no comparison. */
static bool in_year(const char *text)
{
    camas_token t[12];
    size_t n = camas_tokenize(text, t, 12);
    static const char *const in[] = {"in", "en", NULL};
    for (size_t i = 1; i < n && i < 12; i++)
        if (camas_yesno_is_year(t[i].text) && camas_text_in_words(t[i - 1].text, in))
            return true;
    return false;
}

int camas_yesno_compare_years(const camas_yesno_context *c, const char *question, const char *lang,
                              const struct unit *units, size_t nunits)
{
    static const char *const earlier[] = {
        "before",        "older",      "earlier",        "first",  "avant", "plus ancien",
        "plus ancienne", "plus vieux", "plus longtemps", "longer", NULL};
    static const char *const later[] = {"after",        "newer",      "later",
                                        "younger",      "apres",      "plus recent",
                                        "plus recente", "plus jeune", NULL};
    if (!c->bodies)
        return 0;
    char *qn = camas_text_normalize_dup(question);
    if (!qn)
        return 0;
    int result = 0;
    const char *cut = NULL;
    int sense = 0;
    for (int k = 0; k < 2 && !cut; k++)
        for (const char *const *w = k ? later : earlier; *w && !cut; w++) {
            const char *p = strstr(qn, *w);
            size_t wl = strlen(*w);
            if (p && (p == qn || p[-1] == ' ') && !isalnum((unsigned char)p[wl]) &&
                !(strcmp(*w, "first") == 0 && in_year(p + wl))) {
                cut = p;
                sense = k ? 1 : -1; /* -1: the subject began earlier */
            }
        }
    if (cut) {
        char *subject = strndup(qn, (size_t)(cut - qn));
        const char *a[4], *b[4];
        size_t na = subject ? c->bodies(c->ud, subject, lang, a, 4) : 0;
        size_t nb = c->bodies(c->ud, cut, lang, b, 4);
        bracketed_subject(c, question, lang, &na, a, &nb, b);
        /* "is the committee created in 2013 older than WashACT?": a side told by what it is */
        char *rest = NULL;
        if (na == 0 && subject && (a[0] = camas_yesno_described(c, subject, lang, &rest)))
            na = 1;
        free(rest);
        rest = NULL;
        if (nb == 0 && (b[0] = camas_yesno_described(c, cut, lang, &rest)))
            nb = 1;
        free(rest);
        if (c->trace)
            fprintf(c->trace, "compare years: %zu %s / %zu %s\n", na, na ? a[0] : "-", nb,
                    nb ? b[0] : "-");
        if (na == 1 && nb == 1 && strcmp(a[0], b[0]) && strcmp(a[0], "all") &&
            strcmp(b[0], "all")) {
            /* "was the task force reauthorized after the CSEC committee was created?": each
             * side's own event */
            bool ra = camas_yesno_any_phrase(subject, again),
                 rb = camas_yesno_any_phrase(cut, again);
            int ya = body_year(units, nunits, a[0], ra), yb = body_year(units, nunits, b[0], rb);
            if (!ya)
                ya = founding_year(c, a[0], lang, ra);
            if (!yb)
                yb = founding_year(c, b[0], lang, rb);
            if (ya && yb && ya != yb)
                result = ((ya < yb) == (sense < 0)) ? 1 : -1;
            /* "ten years before": the gap claimed too */
            int gap = years_before(qn, cut);
            if (result == 1 && gap && abs(ya - yb) != gap)
                result = -1;
        } else if (nb == 0 && (na == 1 || (na == 0 && c->bodies(c->ud, qn, lang, a, 4) == 1)) &&
                   strcmp(a[0], "all") != 0) {
            /* (a follow-up names its body after the question: "avant 2010 donc ? (WashACT)") */
            /* against a year ("was WashACT created before 2010?", "le comité CSEC a-t-il été
             * créé après 2010 ?"): the body's own year; the same year is neither */
            int than = year_after(cut);
            bool ra = camas_yesno_any_phrase(subject, again);
            int ya = than ? body_year(units, nunits, a[0], ra) : 0;
            if (than && !ya)
                ya = founding_year(c, a[0], lang, ra);
            if (than && ya)
                result = ya != than && ((ya < than) == (sense < 0)) ? 1 : -1;
        }
        free(subject);
    }
    free(qn);
    return result;
}

/* How often a body meets: from a sentence about it alone in the answer, else from what the
 * knowledge answers to how often it meets. 0: unknown. */
static int body_rate(const camas_yesno_context *c, const struct unit *units, size_t nunits,
                     const char *body, const char *lang)
{
    for (size_t u = 0; u < nunits; u++)
        if (units[u].nbodies == 1 && strcmp(units[u].bodies[0], body) == 0) {
            int r = camas_yesno_yearly_rate(units[u].norm);
            if (r)
                return r;
        }
    char *text = c->about ? c->about(c->ud, body, lang, CAMAS_YESNO_MEETS) : NULL;
    if (!text)
        return 0;
    char *norm = camas_text_normalize_dup(text);
    int r = norm ? camas_yesno_yearly_rate(norm) : 0;
    free(norm);
    free(text);
    return r;
}

int camas_yesno_compare_frequency(const camas_yesno_context *c, const char *question,
                                  const char *lang, const struct unit *units, size_t nunits)
{
    static const char *const more[] = {"more often",
                                       "more frequently",
                                       "more regularly",
                                       "plus souvent",
                                       "plus frequemment",
                                       "plus regulierement",
                                       NULL};
    static const char *const less[] = {"less often", "less frequently", "moins souvent",
                                       "moins frequemment", NULL};
    if (!c->bodies)
        return 0;
    char *qn = camas_text_normalize_dup(question);
    const char *cut = NULL;
    int sense = 0;
    for (int k = 0; qn && k < 2 && !cut; k++)
        for (const char *const *w = k ? less : more; *w && !cut; w++) {
            const char *p = strstr(qn, *w);
            if (p && (p == qn || p[-1] == ' ') && !isalnum((unsigned char)p[strlen(*w)])) {
                cut = p;
                sense = k ? -1 : 1;
            }
        }
    int result = 0;
    char *subject = cut ? strndup(qn, (size_t)(cut - qn)) : NULL;
    if (subject) {
        const char *a[4], *b[4];
        size_t na = c->bodies(c->ud, subject, lang, a, 4), nb = c->bodies(c->ud, cut, lang, b, 4);
        bracketed_subject(c, question, lang, &na, a, &nb, b);
        if (na == 1 && nb == 1 && strcmp(a[0], b[0]) && strcmp(a[0], "all") &&
            strcmp(b[0], "all")) {
            int ra = body_rate(c, units, nunits, a[0], lang);
            int rb = body_rate(c, units, nunits, b[0], lang);
            result = CAMAS_YESNO_UNSETTLED; /* the words alone would not compare */
            if (ra && rb)
                result = (sense > 0 ? ra > rb : ra < rb) ? 1 : -1;
        }
    }
    free(subject);
    free(qn);
    return result;
}

/* The roles a question may claim someone holds in a body, and the words that say each
 * (normalised; co-chairs before chairs, whose words they hold). */
static const struct {
    camas_yesno_topic topic;
    const char *const words[20];
} roles[] = {
    {CAMAS_YESNO_COCHAIR,
     {"co chair", "co chairs", "co chaired", "co-chair", "co-chairs", "co-chaired", "cochair",
      "cochairs", "cochaired", "copreside", "copresident", "copresidents", "copresidee",
      "copresidence", NULL}},
    {CAMAS_YESNO_CONVENER,
     {"convened", "convene", "convenes", "convener", "convenor", "convoque", "convoquee",
      "convoquent", "convoquer", "convocation", NULL}},
    {CAMAS_YESNO_CHAIR,
     {"chair", "chairs", "chaired", "chairperson", "chairman", "chairwoman", "preside", "presidee",
      "president", "presidente", "presidence", NULL}},
    {CAMAS_YESNO_CREATOR,
     {"created", "create", "creates", "established", "founded", "cree", "creee", "creer", "fonde",
      "fondee", "etabli", "set up", "mis sur pied", NULL}},
    {CAMAS_YESNO_CONTACT, {"contact", "contacts", "contacter", "contactez", NULL}},
};
#define NROLES (sizeof roles / sizeof roles[0])

/* +1 when the sentences saying role r of body (what the knowledge answers about it) give
 * every name of qnames, -1 when they give others, 0 when none says the role. */
static int role_held(const camas_yesno_context *c, const char *body, const char *lang, size_t r,
                     const unsigned *qnames, size_t nqn)
{
    size_t n;
    struct unit *units = camas_yesno_about_units(c, body, lang, roles[r].topic, &n);
    int verdict = 0;
    /* the names the sentences saying the role give, one per sentence or all in one ("U.S.
     * Attorney's Office: co-chair of WashACT", "WARN: co-chair of WashACT") */
    bool given[MAX_NAME_HITS] = {false};
    size_t ngiven = 0;
    for (size_t u = 0; u < n && ngiven < nqn; u++) {
        /* only a sentence that says the role speaks for it; a body's contact is also given
         * as an address to write to ("for more information, e-mail warntrafficking@…"):
         * then the role is held by that address, not by a person the question names */
        bool address = roles[r].topic == CAMAS_YESNO_CONTACT && strchr(units[u].norm, '@');
        if (!address &&
            (!units[u].nnames || !camas_yesno_any_phrase(units[u].norm, roles[r].words)))
            continue;
        verdict = -1; /* the role, held by others: unless the sentences name them all */
        for (size_t j = 0; j < nqn && j < MAX_NAME_HITS; j++)
            if (!given[j] && camas_yesno_unit_names(&units[u], &qnames[j], 1) == 1) {
                given[j] = true;
                ngiven++;
            }
    }
    if (verdict && ngiven >= nqn)
        verdict = 1;
    camas_yesno_units_free(units, n);
    return verdict;
}

bool camas_yesno_role_word(const char *w)
{
    for (size_t r = 0; r < NROLES; r++)
        for (const char *const *p = roles[r].words; *p; p++) {
            size_t wl = strlen(w);
            for (const char *h = strstr(*p, w); h; h = strstr(h + 1, w))
                if ((h == *p || h[-1] == ' ') && (h[wl] == '\0' || h[wl] == ' '))
                    return true;
        }
    return false;
}

int camas_yesno_role_elsewhere(const camas_yesno_context *c, const char *qn, const char *lang,
                               const char *body, const unsigned *qnames, size_t nqn)
{
    size_t r = 0;
    while (r < NROLES && !camas_yesno_any_phrase(qn, roles[r].words))
        r++;
    if (!nqn || r == NROLES || !c->about)
        return 0;
    int verdict = role_held(c, body, lang, r, qnames, nqn);
    /* a body convened rather than created ("was WashACT created by the Legislature?" against
     * "convened in 2006 by the U.S. Attorney's Office"): whoever convened it made it */
    for (size_t k = 0; !verdict && roles[r].topic == CAMAS_YESNO_CREATOR && k < NROLES; k++)
        if (roles[k].topic == CAMAS_YESNO_CONVENER)
            verdict = role_held(c, body, lang, k, qnames, nqn);
    return verdict;
}

/* The bodies a question asks about: those it names, but not one named only as a point of
 * comparison ("are CSEC meetings invitation-only like WashACT's?" asks about CSEC's). */
size_t camas_yesno_subject_bodies(const camas_yesno_context *c, const char *qn, const char *lang,
                                  const char **ids, size_t max)
{
    if (!c->bodies)
        return 0;
    static const char *const like[] = {
        "like", "unlike", "as with", "comme", "contrairement a", "a l instar", NULL};
    for (const char *const *w = like; *w; w++) {
        const char *p = strstr(qn, *w);
        size_t wl = strlen(*w);
        if (!p || (p != qn && p[-1] != ' ') || isalnum((unsigned char)p[wl]))
            continue;
        char *before = strndup(qn, (size_t)(p - qn));
        size_t n = before ? c->bodies(c->ud, before, lang, ids, max) : 0;
        free(before);
        if (n)
            return n;
    }
    return c->bodies(c->ud, qn, lang, ids, max);
}

/* Words that say "is the same as" or only frame the question; a question made of these and
 * of the bodies' own name words asks whether two names are one body. */
static const char *const identity_words[] = {
    "is",     "isn",     "t",      "s",        "the",        "a",        "an",       "does",
    "doesn",  "stand",   "stands", "for",      "mean",       "means",    "short",    "same",
    "as",     "name",    "full",   "official", "officially", "called",   "also",     "known",
    "right",  "rite",    "really", "actually", "just",       "of",       "on",       "to",
    "it",     "that",    "this",   "thing",    "est",        "c",        "ce",       "bien",
    "le",     "la",      "l",      "les",      "un",         "une",      "il",       "elle",
    "n",      "pas",     "ca",     "cela",     "non",        "hein",     "vraiment", "aussi",
    "appele", "appelee", "nom",    "complet",  "officiel",   "meme",     "chose",    "que",
    "qu",     "veut",    "dire",   "signifie", "sigle",      "acronyme", "de",       "du",
    "des",    "d",       "sur",    "pour",     "en",         NULL};

static bool identity_word(const char *w)
{
    for (const char *const *p = identity_words; *p; p++)
        if (strcmp(w, *p) == 0)
            return true;
    return false;
}

/* Does the run of tokens name one body clearly: min_content name words or more, or one word
 * that alone names a single body ("WashACT", "CSEC", "advisory")? Into *id. */
static bool names_clearly(const camas_yesno_context *c, const camas_token *t, size_t n,
                          const char *lang, size_t min_content, const char **id)
{
    char text[512] = "";
    size_t len = 0, content = 0;
    bool one_word = false;
    for (size_t i = 0; i < n; i++) {
        if (len + t[i].len + 2 > sizeof text)
            return false;
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", len ? " " : "", t[i].text);
        if (identity_word(t[i].text))
            continue;
        content++;
        const char *alone[2];
        if (t[i].len >= 4 && c->bodies(c->ud, t[i].text, lang, alone, 2) == 1)
            one_word = true;
    }
    const char *ids[2];
    if (c->bodies(c->ud, text, lang, ids, 2) != 1 || (content < min_content && !one_word))
        return false;
    *id = ids[0];
    return true;
}

int camas_yesno_identity(const camas_yesno_context *c, const char *qn, const char *lang)
{
    if (!c->bodies || !c->is_body_word)
        return 0;
    camas_token t[48];
    size_t n = camas_tokenize(qn, t, 48);
    if (n < 3 || n > 48)
        return 0;
    /* one proper noun no body's name has, in the place of a word of one ("le comité
     * consultatif de l'Oregon sur la traite"): the names read without it, and the same body
     * is then another's name for it */
    size_t foreign = n;
    for (size_t i = 0; i < n; i++)
        if (!identity_word(t[i].text) && !c->is_body_word(c->ud, t[i].text, lang)) {
            if (foreign < n || !c->as_written || !camas_yesno_proper_noun(c->as_written, t[i].text))
                return 0; /* a claim besides the names */
            foreign = i;
        }
    bool replaced = foreign < n;
    if (replaced) {
        memmove(t + foreign, t + foreign + 1, (n - foreign - 1) * sizeof *t);
        n--;
    }
    /* the first name ends where a framing word follows it */
    for (size_t k = 1; k < n; k++) {
        if (!identity_word(t[k].text) || identity_word(t[k - 1].text))
            continue;
        const char *first, *second;
        if (!names_clearly(c, t, k, lang, 1, &first))
            continue;
        /* the second name in full: "is WashACT a task force?" asks of a kind (the source
         * calls it one), not of the Task Force */
        if (!names_clearly(c, t + k, n - k, lang, 3, &second))
            return 0;
        return strcmp(first, second) == 0 && !replaced ? 1 : -1;
    }
    return 0;
}

int camas_yesno_expansion(const camas_yesno_context *c, const char *qn, const char *lang)
{
    static const char *const cue[] = {"stand for",   "stands for",   "short for", "acronym",
                                      "acronyme",    "sigle",        "veut dire", "signifie",
                                      "abreviation", "abbreviation", NULL};
    static const char *const glue[] = {"for", "of",  "on",   "the", "a",      "and",     "de",
                                       "du",  "des", "la",   "le",  "les",    "sur",     "l",
                                       "d",   "et",  "pour", "a",   "contre", "against", NULL};
    if (!c->bodies || !c->is_body_word || !camas_yesno_any_phrase(qn, cue))
        return 0;
    const char *ids[4];
    if (c->bodies(c->ud, qn, lang, ids, 4) != 1)
        return 0;
    camas_token t[48];
    size_t n = camas_tokenize(qn, t, 48);
    if (n > 48)
        return 0;
    /* the words after the cue: the expansion the question offers */
    size_t from = n;
    for (size_t i = 0; i + 1 < n && from == n; i++)
        if (camas_text_in_words(t[i].text, (const char *const[]){"for", "acronyme", "acronym",
                                                                 "sigle", "signifie", NULL}) ||
            (strcmp(t[i].text, "dire") == 0 && i > 0 && strcmp(t[i - 1].text, "veut") == 0))
            from = i + 1;
    size_t content = 0, foreign = 0;
    for (size_t i = from; i < n; i++) {
        if (identity_word(t[i].text) || camas_text_in_words(t[i].text, glue))
            continue;
        content++;
        foreign += !c->is_body_word(c->ud, t[i].text, lang);
    }
    /* "Washington Alliance for Child Trafficking prevention": words no body's name has, in an
     * expansion of three words or more (a name in full is the identity's reading) */
    return content >= 3 && foreign >= 1 ? -1 : 0;
}

/* What "the same" compares ("the same bill", "la même section RCW", "the same office"),
 * the knowledge's topic that says it for each body, and the kind of value to read there. */
enum same_kind { SAME_BILL, SAME_SECTION, SAME_YEAR, SAME_NAME, SAME_EMAIL };
static const struct {
    enum same_kind kind;
    camas_yesno_topic topic;
    const char *const words[12];
} same_what[] = {
    {SAME_SECTION, CAMAS_YESNO_LAW, {"rcw", "section", "chapter", "chapitre", "statute", NULL}},
    {SAME_BILL, CAMAS_YESNO_LAW, {"bill", "bills", "loi", "lois", "law", "laws", "projet", NULL}},
    {SAME_YEAR, CAMAS_YESNO_FOUNDED, {"year", "annee", "an", NULL}},
    {SAME_EMAIL,
     CAMAS_YESNO_CONTACT,
     {"email", "e-mail", "mail", "courriel", "adresse", "address", "contact", NULL}},
    {SAME_NAME,
     CAMAS_YESNO_CONVENER,
     {"office", "bureau", "convened", "convene", "convoques", "convoque", "convoquee", "agency",
      "agence", NULL}},
};

/* The values of kind k in normalised text: bill numbers (four digits, not a year), sections
 * (dotted numbers), years, e-mail addresses; for names, the people and offices its sentences name.
 */
static size_t same_values(const camas_yesno_context *c, const char *lang, const char *text,
                          enum same_kind k, char out[][CAMAS_TOKEN_MAX + 1], size_t max)
{
    size_t n = 0;
    if (k == SAME_NAME) {
        struct unit *units = calloc(MAX_UNITS, sizeof *units);
        size_t nu = units ? camas_yesno_split_units(c, text, lang, units, MAX_UNITS) : 0;
        for (size_t u = 0; u < nu; u++)
            for (size_t i = 0; i < units[u].nnames && n < max; i++)
                snprintf(out[n++], CAMAS_TOKEN_MAX + 1, "%u", units[u].names[i]);
        camas_yesno_units_free(units, nu);
        return n;
    }
    char *norm = camas_text_normalize_dup(text);
    camas_token *t = norm ? malloc(MAX_TOK * sizeof *t) : NULL;
    size_t nt = t ? camas_tokenize(norm, t, MAX_TOK) : 0;
    if (nt > MAX_TOK)
        nt = MAX_TOK;
    for (size_t i = 0; i < nt && n < max; i++) {
        if (k == SAME_EMAIL) {
            if (strchr(t[i].text, '@'))
                memcpy(out[n++], t[i].text, (size_t)t[i].len + 1);
            continue;
        }
        if (t[i].kind != CAMAS_TOK_NUMBER)
            continue;
        bool dotted = strchr(t[i].text, '.') != NULL, year = camas_yesno_is_year(t[i].text);
        bool four = t[i].len == 4 && !dotted;
        if ((k == SAME_SECTION && dotted) || (k == SAME_YEAR && year) ||
            (k == SAME_BILL && four && !year))
            memcpy(out[n++], t[i].text, (size_t)t[i].len + 1);
    }
    free(t);
    free(norm);
    return n;
}

int camas_yesno_compare_same(const camas_yesno_context *c, const char *qn, const char *lang)
{
    static const char *const same[] = {"same", "meme", "memes", NULL};
    if (!c->bodies || !c->about || !camas_yesno_any_phrase(qn, same))
        return 0;
    const char *ids[4];
    if (c->bodies(c->ud, qn, lang, ids, 4) != 2 || !strcmp(ids[0], "all") || !strcmp(ids[1], "all"))
        return 0;
    size_t w = 0;
    while (w < sizeof same_what / sizeof same_what[0] &&
           !camas_yesno_any_phrase(qn, same_what[w].words))
        w++;
    if (w == sizeof same_what / sizeof same_what[0])
        return 0;
    char v[2][8][CAMAS_TOKEN_MAX + 1];
    size_t nv[2];
    for (int b = 0; b < 2; b++) {
        char *text = c->about(c->ud, ids[b], lang, same_what[w].topic);
        nv[b] = text ? same_values(c, lang, text, same_what[w].kind, v[b], 8) : 0;
        free(text);
        if (!nv[b])
            return 0; /* what one body has is not known: nothing to compare */
    }
    for (size_t i = 0; i < nv[0]; i++)
        for (size_t j = 0; j < nv[1]; j++)
            if (strcmp(v[0][i], v[1][j]) == 0)
                return 1;
    return -1;
}
