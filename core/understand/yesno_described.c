/* A body told by what it is instead of by name ("the committee convened by the Attorney
 * General", "le comité convoqué en 2006", "the body chaired by Richard Torrance"): which body
 * that is, from what the knowledge answers about each body (who convened, chairs, co-chairs
 * or created it; when it began and under which law), and the question without the
 * description, which is what it claims. A description that fits no body or several tells
 * nothing: the question is then read as it is. */
#include "yesno_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The nouns a description follows ("the committee convened by…"). */
static const char *const heads[] = {
    "committee",    "body",     "group",  "comite", "groupe", "organe", "organisme", "organization",
    "organisation", "instance", "entity", "entite", "grp",    "agency", NULL};
/* ...and the pronouns that stand for one, as the question's subject only ("celui créé en 2013
 * est présidé par… ?", "is the one convened in 2006…?"); later, "the one chaired by Richard
 * Torrance" is what is claimed of the subject */
static const char *const pronoun_heads[] = {"celui", "celle", "one", NULL};

/* The participles that open a description, and what the knowledge is asked to check it;
 * with the present tense, the verbs of one said as a relative clause ("the committee the US
 * Attorney convened", "le comité que le procureur fédéral a convoqué", "the group the AG
 * convenes"). */
static const struct {
    const char *word;
    camas_yesno_topic topic;
} marks[] = {
    {"convened", CAMAS_YESNO_CONVENER},    {"convoque", CAMAS_YESNO_CONVENER},
    {"convoquee", CAMAS_YESNO_CONVENER},   {"chaired", CAMAS_YESNO_CHAIR},
    {"preside", CAMAS_YESNO_CHAIR},        {"presidee", CAMAS_YESNO_CHAIR},
    {"cochaired", CAMAS_YESNO_COCHAIR},    {"copreside", CAMAS_YESNO_COCHAIR},
    {"copresidee", CAMAS_YESNO_COCHAIR},   {"created", CAMAS_YESNO_CREATOR},
    {"cree", CAMAS_YESNO_CREATOR},         {"creee", CAMAS_YESNO_CREATOR},
    {"founded", CAMAS_YESNO_CREATOR},      {"authorized", CAMAS_YESNO_FOUNDED},
    {"reauthorized", CAMAS_YESNO_FOUNDED}, {"autorise", CAMAS_YESNO_FOUNDED},
    {"autorisee", CAMAS_YESNO_FOUNDED},    {"convenes", CAMAS_YESNO_CONVENER},
    {"chairs", CAMAS_YESNO_CHAIR},         {"creates", CAMAS_YESNO_CREATOR},
};
#define NMARKS (sizeof marks / sizeof marks[0])

static const char *const preps[] = {"by", "in", "at", "under", "par", "en", "au", "dans", NULL};

/* A word of normalised text: where it starts and how long it is (hyphens split it; a
 * number keeps its dots: "7.68.801"). */
struct word {
    size_t at, len;
};

static bool word_char(const char *s, size_t i)
{
    unsigned char ch = (unsigned char)s[i];
    if (isalnum(ch) || ch >= 0x80)
        return true;
    return ch == '.' && i > 0 && isdigit((unsigned char)s[i - 1]) &&
           isdigit((unsigned char)s[i + 1]);
}

static size_t split_words(const char *qn, struct word *w, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; qn[i] && n < max;) {
        while (qn[i] && !word_char(qn, i))
            i++;
        if (!qn[i])
            break;
        size_t s = i;
        while (qn[i] && word_char(qn, i))
            i++;
        w[n++] = (struct word){s, i - s};
    }
    return n;
}

static bool word_is(const char *qn, const struct word *w, const char *s)
{
    return strlen(s) == w->len && strncmp(qn + w->at, s, w->len) == 0;
}

static bool word_in(const char *qn, const struct word *w, const char *const *list)
{
    for (; *list; list++)
        if (word_is(qn, w, *list))
            return true;
    return false;
}

/* Does the answer about body (topic) hold the number v as a word of its own? */
static bool about_holds(const camas_yesno_context *c, const char *body, const char *lang,
                        const char *v)
{
    size_t n;
    struct unit *units = camas_yesno_about_units(c, body, lang, CAMAS_YESNO_FOUNDED, &n);
    bool held = false;
    for (size_t u = 0; u < n && !held; u++)
        held = camas_yesno_has_phrase(units[u].norm, v);
    camas_yesno_units_free(units, n);
    return held;
}

/* Does the body's answer about its meetings give the frequency v ("quarterly", "2 a 3 fois
 * par an")? */
static bool meets_holds(const camas_yesno_context *c, const char *body, const char *lang,
                        const char *v)
{
    unsigned asked = camas_yesno_asked_freq_mask(v);
    int rate = camas_yesno_yearly_rate(v);
    size_t n;
    struct unit *units = camas_yesno_about_units(c, body, lang, CAMAS_YESNO_MEETS, &n);
    bool held = false;
    for (size_t u = 0; u < n && !held; u++)
        held = (asked && (camas_yesno_freq_mask(units[u].norm) & asked)) ||
               (rate && camas_yesno_yearly_rate(units[u].norm) == rate);
    camas_yesno_units_free(units, n);
    return held;
}

/* "that meets quarterly", "qui se réunit 2 à 3 fois par an": the frequency, up to the verb
 * of the claim, into value; the description's last word + 1, or 0. */
static size_t meets_description(const char *qn, const struct word *w, size_t nw, size_t j,
                                char *value, size_t cap)
{
    static const char *const meets[] = {"meets", "meet", "reunit", "reunissent", NULL};
    static const char *const claim[] = {
        "is",       "est",      "are", "sont", "co",       "chaired", "preside", "presidee",
        "convened", "convoque", "has", "was",  "includes", "compte",  "inclut",  NULL};
    if (j < nw && word_is(qn, &w[j], "qui"))
        j++;
    if (j < nw && word_is(qn, &w[j], "se"))
        j++;
    if (j + 1 >= nw || !word_in(qn, &w[j], meets))
        return 0;
    size_t end = j + 1;
    while (end < nw && end < j + 8 && !word_in(qn, &w[end], claim))
        end++;
    if (end == j + 1 || end >= nw)
        return 0;
    snprintf(value, cap, "%.*s", (int)(w[end - 1].at + w[end - 1].len - w[j + 1].at),
             qn + w[j + 1].at);
    return camas_yesno_asked_freq_mask(value) || camas_yesno_yearly_rate(value) ? end : 0;
}

/* A description as a relative clause from word j on: "[that] the US Attorney convened [in
 * 2006]", "que le procureur fédéral a convoqué". Its last word + 1, or 0 when there is
 * none; *topic is what its verb asks the knowledge. */
static size_t relative_description(const camas_yesno_context *c, const char *qn,
                                   const struct word *w, size_t nw, size_t j,
                                   camas_yesno_topic *topic, char *value, size_t cap)
{
    static const char *const relatives[] = {"that", "which", "que", "qu", NULL};
    static const char *const articles[] = {"the", "le", "la", "l", "les", NULL};
    static const char *const auxiliaries[] = {"has", "had", "a", "was", NULL};
    static const char *const is[] = {"is", "est", NULL};
    /* "whose contact is Kyle Bois", "dont le contact est Kyle Bois" */
    bool whose = j + 2 < nw && (word_is(qn, &w[j], "whose") || word_is(qn, &w[j], "dont"));
    if (whose) {
        j++;
        if (word_in(qn, &w[j], articles))
            j++;
        if (j + 1 >= nw || !word_is(qn, &w[j], "contact"))
            return 0;
        j++;
        if (word_in(qn, &w[j], is))
            j++;
    }
    if (j < nw && word_in(qn, &w[j], relatives))
        j++;
    size_t met = whose ? 0 : meets_description(qn, w, nw, j, value, cap);
    if (met) {
        *topic = CAMAS_YESNO_MEETS;
        return met;
    }
    if (j < nw && word_in(qn, &w[j], articles))
        j++;
    unsigned char *used = calloc(strlen(qn) + 1, 1);
    unsigned ids[MAX_NAME_HITS];
    if (!used)
        return 0;
    camas_yesno_find_names(c->names, qn, ids, MAX_NAME_HITS, used);
    size_t k = j;
    while (k < nw && used[w[k].at])
        k++;
    free(used);
    if (whose && k > j) {
        *topic = CAMAS_YESNO_CONTACT;
        return k;
    }
    if (k == j || k + 1 >= nw)
        return 0;
    /* "that Kyle Bois is the contact for", "dont Kyle Bois est le contact" */
    size_t c0 = k + (word_in(qn, &w[k], is) ? 1 : 0);
    if (c0 > k && c0 < nw && word_in(qn, &w[c0], articles))
        c0++;
    if (c0 > k && c0 < nw && word_is(qn, &w[c0], "contact")) {
        *topic = CAMAS_YESNO_CONTACT;
        return c0 + 1 < nw && (word_is(qn, &w[c0 + 1], "for") || word_is(qn, &w[c0 + 1], "pour"))
                   ? c0 + 2
                   : c0 + 1;
    }
    if (word_in(qn, &w[k], auxiliaries))
        k++;
    bool co = k + 1 < nw && word_is(qn, &w[k], "co");
    k += co;
    for (size_t v = 0; v < NMARKS; v++)
        if (word_is(qn, &w[k], marks[v].word)) {
            *topic =
                co && marks[v].topic == CAMAS_YESNO_CHAIR ? CAMAS_YESNO_COCHAIR : marks[v].topic;
            size_t end = k + 1;
            /* "in 2006": when it began, part of the description */
            if (end + 1 < nw && (word_is(qn, &w[end], "in") || word_is(qn, &w[end], "en")) &&
                w[end + 1].len == 4 && isdigit((unsigned char)qn[w[end + 1].at]))
                end += 2;
            return end;
        }
    return 0;
}

/* The end (last word + 1) of the known name that starts within `within` words of w[from], or
 * otherwise when there is none. */
static size_t through_name(const camas_yesno_context *c, const char *qn, const struct word *w,
                           size_t nw, size_t from, size_t within, size_t otherwise)
{
    unsigned char *used = calloc(strlen(qn) + 1, 1);
    unsigned ids[MAX_NAME_HITS];
    if (!used)
        return otherwise;
    camas_yesno_find_names(c->names, qn, ids, MAX_NAME_HITS, used);
    size_t first = from, end = otherwise;
    while (first < nw && first < from + within && !used[w[first].at])
        first++;
    if (first < nw && first < from + within)
        for (end = first; end < nw && used[w[end].at]; end++)
            ;
    free(used);
    return end;
}

const char *camas_yesno_described(const camas_yesno_context *c, const char *qn, const char *lang,
                                  char **rest)
{
    *rest = NULL;
    const char *named[4];
    /* a body named is what the question asks about ("was the CSEC committee created in
     * 2013?" claims the year), unless a relative clause describes it too ("is the advisory
     * committee the US Attorney convened in 2006 co-chaired by…?"): then that is no claim */
    if (!c->about || !c->body_id || !c->names || !c->bodies)
        return NULL;
    size_t nnamed = c->bodies(c->ud, qn, lang, named, 4);
    if (nnamed > 1)
        return NULL;
    struct word w[MAX_TOK];
    size_t nw = split_words(qn, w, MAX_TOK);
    for (size_t i = 0; i + 3 < nw; i++) {
        if (!word_in(qn, &w[i], heads) && !(i <= 2 && word_in(qn, &w[i], pronoun_heads)))
            continue;
        size_t m = i + 1;
        bool co = word_is(qn, &w[m], "co"); /* "co-chaired", "co-présidé" */
        m += co;
        size_t k = 0;
        while (k < NMARKS && !word_is(qn, &w[m], marks[k].word))
            k++;
        camas_yesno_topic topic;
        size_t from, end = 0; /* the description's first word, and its last + 1 */
        char value[48] = "";
        if (nnamed || k == NMARKS || m + 2 >= nw || !word_in(qn, &w[m + 1], preps)) {
            end = relative_description(c, qn, w, nw, i + 1, &topic, value, sizeof value);
            if (!end)
                continue;
            from = i + 1;
            goto fit;
        }
        topic = co && marks[k].topic == CAMAS_YESNO_CHAIR ? CAMAS_YESNO_COCHAIR : marks[k].topic;
        from = m - co;
        size_t arg = m + 2;
        static const char *const articles[] = {"the", "le", "la", "l", NULL};
        if (word_in(qn, &w[arg], articles) && arg + 1 < nw)
            arg++;
        if (word_is(qn, &w[arg], "rcw") && arg + 1 < nw)
            arg++;
        /* "created by Senate Bill 5308", "créé par le projet de loi 5308": the bill's number */
        static const char *const bill[] = {"senate", "bill", "sb", "projet", "de", "loi", NULL};
        size_t num = arg;
        while (num + 1 < nw && word_in(qn, &w[num], bill))
            num++;
        if (num > arg && qn[w[num].at] >= '0' && qn[w[num].at] <= '9')
            arg = num;
        if (w[arg].len < sizeof value && (qn[w[arg].at] >= '0' && qn[w[arg].at] <= '9')) {
            /* "in 2006", "at RCW 7.68.801": a year or a law, checked against the beginning */
            snprintf(value, sizeof value, "%.*s", (int)w[arg].len, qn + w[arg].at);
            topic = CAMAS_YESNO_FOUNDED;
            end = arg + 1;
            /* "convoqué en 2006 par le procureur fédéral": who did it is the description's
             * too, not a claim (checked by the year alone) */
            if (end + 1 < nw && (word_is(qn, &w[end], "by") || word_is(qn, &w[end], "par")))
                end = through_name(c, qn, w, nw, end + 1, 3, end);
        } else {
            /* "by the Attorney General", "by the head of the Office of…": the name, a few
             * words on at most */
            end = through_name(c, qn, w, nw, arg, 5, 0);
            if (!end || topic == CAMAS_YESNO_FOUNDED)
                continue;
        }
    fit:;
        char *desc = strndup(qn + w[from].at, w[end - 1].at + w[end - 1].len - w[from].at);
        if (!desc)
            return NULL;
        unsigned dn[MAX_NAME_HITS];
        size_t ndn = value[0] ? 0 : camas_yesno_find_names(c->names, desc, dn, MAX_NAME_HITS, NULL);
        const char *found = NULL;
        size_t fits = 0;
        for (size_t b = 0; c->body_id(c->ud, b); b++) {
            const char *id = c->body_id(c->ud, b);
            bool fit = topic == CAMAS_YESNO_MEETS && value[0] ? meets_holds(c, id, lang, value)
                       : value[0]
                           ? about_holds(c, id, lang, value)
                           : ndn && camas_yesno_role_elsewhere(c, desc, lang, id, dn, ndn) > 0;
            if (fit && !fits++)
                found = id;
        }
        if (c->trace)
            fprintf(c->trace, "description \"%s\": %zu bodies fit%s%s\n", desc, fits,
                    fits == 1 ? ", " : "", fits == 1 ? found : "");
        free(desc);
        if (fits != 1 || (nnamed && strcmp(found, named[0]) != 0))
            return NULL;
        size_t cut0 = w[from].at, cut1 = w[end - 1].at + w[end - 1].len;
        size_t ql = strlen(qn);
        *rest = malloc(ql + 1);
        if (!*rest)
            return NULL;
        memcpy(*rest, qn, cut0);
        memcpy(*rest + cut0, qn + cut1, ql - cut1 + 1);
        return found;
    }
    return NULL;
}

/* Words that say a body began, for a claim of a year the answer does not settle ("was the
 * committee convened by the Attorney General created in 2006?" answered with who convenes
 * it): then what the knowledge answers about when the body began settles it. */
static const char *const began[] = {
    "created", "convened",     "founded",   "established", "set up",   "started",   "began",
    "begun",   "reauthorized", "cree",      "creee",       "convoque", "convoquee", "fonde",
    "fondee",  "mis en place", "reconduit", "reautorise",  NULL};

static bool claims_year(const char *qn)
{
    struct word w[MAX_TOK];
    size_t nw = split_words(qn, w, MAX_TOK);
    for (size_t i = 0; i < nw; i++) {
        char v[8];
        if (w[i].len == 4) {
            snprintf(v, sizeof v, "%.*s", 4, qn + w[i].at);
            if (camas_yesno_is_year(v))
                return camas_yesno_any_phrase(qn, began);
        }
    }
    return false;
}

bool camas_yesno_compares(const char *qn)
{
    static const char *const comparing[] = {"than",          "before",        "after",
                                            "unlike",        "avant",         "apres",
                                            "plus recent",   "plus recente",  "plus ancien",
                                            "plus ancienne", "plus vieux",    "plus vieille",
                                            "plus jeune",    "plus tot",      "plus tard",
                                            "moins recent",  "contrairement", NULL};
    /* ...of the bodies, not of the asker's own doings ("quick check before I file: the task
     * force was reauthorized in 2013, right?", "avant de postuler") */
    static const char *const asker[] = {"i",  "we", "you", "je",  "j",  "nous",  "vous",
                                        "on", "de", "d",   "que", "qu", "avoir", NULL};
    for (const char *const *w = comparing; *w; w++) {
        size_t wl = strlen(*w);
        for (const char *p = strstr(qn, *w); p; p = strstr(p + 1, *w)) {
            if ((p != qn && p[-1] != ' ') || (p[wl] && p[wl] != ' '))
                continue;
            camas_token next[1];
            /* "plus récent que": "que" is the comparison's own; "avant que" is the asker's */
            bool degree = strncmp(*w, "plus ", 5) == 0 || strncmp(*w, "moins ", 6) == 0;
            if (!degree && p[wl] && camas_tokenize(p + wl, next, 1) >= 1 &&
                camas_text_in_words(next[0].text, asker))
                continue;
            return true;
        }
    }
    return false;
}

/* "does he also chair WashACT?", "il copréside aussi WashACT ?": someone the question only
 * points at (the previous answer's person) is said to hold a role in a body it names. The
 * answer is about the body, not about that person: no verdict. A French pronoun that the
 * body named after a comma takes up ("il est ouvert au public, le comité ?") is the body. */
static bool pronoun_claims_of_body(const camas_yesno_context *c, const char *qn, const char *lang)
{
    static const char *const en[] = {"he", "she", "him", NULL};
    static const char *const fr[] = {"il", "elle", NULL};
    bool is_fr = lang && strcmp(lang, "fr") == 0;
    camas_token t[MAX_TOK];
    size_t n = camas_tokenize(qn, t, MAX_TOK);
    if (n > MAX_TOK)
        n = MAX_TOK;
    /* French "il" opening the question, and not impersonal ("il y a", "il faut", "il est
     * vrai que") */
    static const char *const impersonal[] = {"y", "faut", "parait", "semble", "vrai", NULL};
    bool pronoun = false;
    if (is_fr)
        pronoun = n >= 2 && camas_text_in_words(t[0].text, fr) &&
                  !camas_text_in_words(t[1].text, impersonal) &&
                  !(n >= 3 && camas_text_in_words(t[2].text, impersonal));
    /* English "does he…", "is she…" (not a tag: "…, isn't he?" takes up the subject) */
    for (size_t i = 0; i < n && i < 3 && !is_fr && !pronoun; i++)
        pronoun = camas_text_in_words(t[i].text, en);
    if (!pronoun || !c->bodies)
        return false;
    char *head = strdup(qn);
    if (!head)
        return false;
    char *comma = is_fr ? strrchr(head, ',') : NULL;
    if (comma)
        *comma = '\0';
    const char *named[4];
    bool body = c->bodies(c->ud, head, lang, named, 4) > 0;
    free(head);
    return body;
}

/* "Le groupe de travail se réunit bien deux à trois fois par an ? Je vérifie juste. Merci !":
 * a few words after the question's mark, with no question of their own, say why or thank;
 * they claim nothing. The question up to its mark, in out, or NULL. */
static const char *without_afterword(const char *question, char *out, size_t cap)
{
    const char *mark = strrchr(question, '?');
    if (!mark || strchr(mark + 1, '?') || strchr(mark + 1, '('))
        return NULL; /* "(WashACT)": what a follow-up is about, in brackets after it */
    camas_token t[10];
    long n = camas_text_tokenize(mark + 1, t, 10);
    size_t len = (size_t)(mark + 1 - question);
    if (n < 1 || n > 8 || len >= cap)
        return NULL;
    /* ...and ask nothing ("can i just show up? how often does washact hold its meetings": a
     * follow-up read with the question before it) */
    for (long i = 0; i < n; i++)
        if (camas_is_question_word("en", t[i].text) || camas_is_question_word("fr", t[i].text))
            return NULL;
    memcpy(out, question, len);
    out[len] = '\0';
    return out;
}

int camas_yesno_verdict_ctx(const camas_yesno_context *c, const char *question, const char *answer,
                            const char *lang)
{
    char asked_only[1024];
    const char *trimmed = without_afterword(question, asked_only, sizeof asked_only);
    if (trimmed)
        question = trimmed;
    char phoned[1024];
    if (strlen(question) < sizeof phoned &&
        camas_yesno_join_phones(question, phoned, sizeof phoned))
        question = phoned;
    char *qn = camas_text_normalize_dup(question), *rest = NULL;
    if (qn && pronoun_claims_of_body(c, qn, lang)) {
        free(qn);
        return 0;
    }
    /* a comparison describes two bodies ("le comité créé par le projet de loi 5308 est plus
     * récent que le groupe convoqué en 2006 ?"): read whole, never as about one of them */
    const char *named[4];
    size_t nnamed = qn && c->bodies ? c->bodies(c->ud, qn, lang, named, 4) : 0;
    /* ...and so does a claim of two bodies named ("le comité CSEC et WashACT sont-ils tous les
     * deux convoqués par le bureau du procureur général ?" is not about "the committee the
     * Attorney General's Office convenes") */
    const char *body = c->only_body ? NULL
                       : qn && !camas_yesno_compares(qn) && nnamed < 2
                           ? camas_yesno_described(c, qn, lang, &rest)
                           : NULL;
    /* ...or by a fact only one body's answers state, which the understanding reads ("the
     * group the legislature renewed in 2015", "the body whose founding law is RCW 7.68.350") */
    char told[512];
    if (!body && qn && c->describe && !c->only_body && !camas_yesno_compares(qn) && !nnamed &&
        (body = c->describe(c->ud, question, told, sizeof told)) != NULL) {
        rest = camas_text_normalize_dup(told);
        if (!rest)
            body = NULL;
    }
    int verdict = 0;
    if (body) {
        /* the question less its description, about the body it describes (its capitals are
         * gone: no word of it is taken for an unknown name) */
        camas_yesno_context asked = *c;
        asked.as_written = rest;
        verdict = camas_yesno_verdict_for(&asked, rest, answer, lang, body);
        if (!verdict && claims_year(rest)) {
            char *began_text = c->about(c->ud, body, lang, CAMAS_YESNO_FOUNDED);
            if (began_text)
                verdict = camas_yesno_verdict_for(&asked, rest, began_text, lang, body);
            free(began_text);
        }
    }
    /* unsettled that way: the question as it is ("is the committee convened by the
     * Attorney General a statewide committee?" claims the convening too) */
    if (!verdict)
        verdict = camas_yesno_verdict_for(c, question, answer, lang, c->only_body);
    /* "aucun survivant ne fait partie du groupe de travail, c'est ça ?": a claim said in the
     * negative, where "yes" reads both ways; the answer alone says it. "No" does not: "WashACT
     * ne se réunit pas tous les mois ?" - "Non — tous les trimestres" agrees either way. */
    if (verdict > 0 && camas_yesno_negated_statement(question))
        verdict = !lang || strcmp(lang, "fr") != 0      ? 0
                  : camas_yesno_asks_if_right(question) ? -1
                                                        : CAMAS_YESNO_CONTRADICTS;
    free(rest);
    free(qn);
    return verdict;
}
