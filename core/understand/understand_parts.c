/* Questions read in parts (understand.c calls these while ranking): a description of a
 * body and then what is asked about it, split at a comma or dash (try_clauses) or told by a
 * fact only that body's answers state (try_description); which body a question asks for is
 * understand_which.c's. */
#include "understand_internal.h"

#include "text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The cosine from which a description's best entry tells its body clearly. */
#ifndef DESCRIPTION_CLEAR
#define DESCRIPTION_CLEAR 0.90f
#endif

/* A question that describes a body and then asks about it ("the group the U.S. Attorney
 * convened in 2006, who co-chairs it?") is read in two parts: the body from the
 * description's best entry, the entry from the other part among that body's own. The part
 * that holds the question mark is what is asked (either part when none or both do). That
 * reading replaces the hits when it is closer than the whole question's, or when the
 * description clearly tells a body and the asked part clearly picks another of its entries
 * than the one the description matched (a short part such as "il repose sur quelle loi ?"
 * is further from every entry than a whole question). Returns true when the hits and q
 * (the question's vector) were replaced by the asked part's. */
static const char *body_of_facts(const camas_understand *u, char facts[][CAMAS_TOKEN_MAX + 1],
                                 size_t nf);
static const char *body_of_name(const camas_understand *u, unsigned id);

/* Is the name phrase (normalised) denied in norm: a negation before it ("which body isn't
 * chaired by Torrance?", "lequel n'est pas convoqué par le procureur général ?")? Such a
 * name tells the bodies it is not about. */
static bool name_denied(const char *norm, const char *phrase)
{
    static const char *const negations[] = {"not",  "never", "isn",  "isnt",   "doesn", "doesnt",
                                            "aren", "arent", "wasn", "wasnt",  "weren", "werent",
                                            "didn", "didnt", "pas",  "jamais", "ni",    NULL};
    const char *at = norm ? strstr(norm, phrase) : NULL;
    if (!at)
        return false;
    char before[512];
    snprintf(before, sizeof before, "%.*s", (int)(at - norm), norm);
    camas_token t[48];
    size_t n = camas_tokenize(before, t, 48);
    for (size_t i = 0; i < n && i < 48; i++)
        if (camas_text_in_words(t[i].text, negations))
            return true;
    return false;
}

const char *camas_understand_body_of_names(const camas_understand *u, const char *text)
{
    char phrase[4][CAMAS_NAME_PHRASE_MAX];
    unsigned ids[4];
    size_t n = u->names ? u->names(u->names_ud, text, phrase, ids, 4) : 0;
    char *norm = n ? camas_text_normalize_dup(text) : NULL;
    for (size_t i = 0; i < n; i++) {
        if (name_denied(norm, phrase[i]))
            continue;
        const char *body = body_of_name(u, ids[i]);
        if (body) {
            free(norm);
            return body;
        }
    }
    free(norm);
    return NULL;
}

static bool has_question_word(const char *text);
static bool has_body_noun(const char *text);

bool camas_understand_try_clauses(camas_understand *u, const char *question, struct filter_wrap *fw,
                                  camas_dense_hit *hits, size_t *nh, size_t max, float *q)
{
    char part[2][512];
    float v[2][MAX_DIM];
    if (!camas_understand_split_clauses(question, part[0], part[1], sizeof part[0]) ||
        camas_embed_text(u->model, part[0], strlen(part[0]), 1, v[0]) ||
        camas_embed_text(u->model, part[1], strlen(part[1]), 1, v[1]))
        return false;
    bool asks[2] = {strchr(part[0], '?') != NULL, strchr(part[1], '?') != NULL};
    /* without a question mark to tell, the part with a question word asks ("the task force
     * with 25 organizations at the table, what's its founding statute"): a short asked part
     * is further from every entry than the description, which would otherwise win */
    if (asks[0] == asks[1]) {
        asks[0] = has_question_word(part[0]);
        asks[1] = has_question_word(part[1]);
    }
    float whole = *nh ? hits[0].score : 0;
    size_t best_n = 0;
    int asked = -1;
    camas_dense_hit best[8];
    for (int d = 0; d < 2; d++) {
        if (asks[d] && !asks[1 - d])
            continue; /* the question is not the description */
        camas_dense_hit desc[1];
        if (!camas_dense_query(u->dense, v[d], NULL, 0, camas_understand_plugin_entries_only, fw,
                               desc, 1))
            continue;
        const char *body = camas_dense_entry_body(u->dense, desc[0].entry_id);
        /* a fact only one body's answers state tells it better than the wording ("le groupe
         * créé en 2013": the model reads every founding alike) */
        char facts[4][CAMAS_TOKEN_MAX + 1];
        size_t nf = camas_understand_text_facts(part[d], true, facts, 4);
        const char *by_fact = nf ? body_of_facts(u, facts, nf) : NULL;
        /* ...as does a person or office of one body only ("le groupe du procureur fédéral":
         * "groupe" pulls the wording to the Task Force, the Groupe de travail) */
        /* (a description of one clause that names no body: "le groupe créé en 2006, pendant
         * les réunions trimestrielles, ils font quoi ?" asks more than its last part, and
         * "the task force with a survivor seat" is read well enough by its name) */
        const char *named_ids[1];
        bool told_by_fact = by_fact && !strchr(part[d], ',') && !strchr(part[1 - d], ',') &&
                            fw->m &&
                            camas_matcher_bodies(fw->m, part[d], fw->lang, named_ids, 1) == 0;
        if (!by_fact)
            by_fact = camas_understand_body_of_names(u, part[d]);
        if (by_fact) {
            body = by_fact;
            desc[0].score = 1.0f;
        }
        if (!body || strcmp(body, "all") == 0)
            continue;
        struct body_filter bf = {camas_understand_plugin_entries_only, fw, u, &body, 1, true};
        camas_dense_hit h[8];
        size_t n = camas_dense_query(u->dense, v[1 - d], &body, 1, camas_understand_only_bodies,
                                     &bf, h, max < 8 ? max : 8);
        /* the asked part about as near several entries: read again with the body named */
        char named[600], role_name[300];
        float nv[MAX_DIM];
        camas_dense_hit nh8[8];
        size_t nn = 0;
        /* ...and always when the description is a person by their role ("le contact du comité
         * CSEC, il a quel titre ?"): the pronoun is that person, read as the description */
        bool role = camas_understand_role_named(part[d]);
        /* ...or when a fact told the body ("the body created in 2006, what does it do?"): the
         * short asked part alone is too far from every entry */
        if (((((n >= 2 && h[0].score - h[1].score < DENSE_MARGIN) || told_by_fact) &&
              has_body_noun(part[d])) ||
             role) &&
            (role ? camas_understand_with_named(
                        part[1 - d],
                        camas_understand_role_trimmed(part[d], role_name, sizeof role_name), true,
                        named, sizeof named)
                  : camas_understand_with_body_named(part[1 - d], body, named, sizeof named)) &&
            camas_embed_text(u->model, named, strlen(named), 1, nv) == 0 &&
            (nn = camas_dense_query(u->dense, nv, &body, 1, camas_understand_only_bodies, &bf, nh8,
                                    max < 8 ? max : 8)) > 0 &&
            (role || nh8[0].score > h[0].score)) {
            if (u->trace)
                fprintf(u->trace, "NAMED-PART\t%s\t%s %.3f (was %s %.3f)\n", named, nh8[0].entry_id,
                        nh8[0].score, n ? h[0].entry_id : "-", n ? h[0].score : 0.0);
            memcpy(h, nh8, nn * sizeof *h);
            n = nn;
            memcpy(v[1 - d], nv, sizeof nv);
        }
        if (u->trace)
            fprintf(u->trace, "CLAUSES\t%s %.3f %s\t%s %.3f\twhole %.3f\n", desc[0].entry_id,
                    desc[0].score, body, n ? h[0].entry_id : "-", n ? h[0].score : 0.0, whole);
        bool clear = n && desc[0].score >= DESCRIPTION_CLEAR && h[0].score >= DESCRIBED_MIN &&
                     strcmp(h[0].entry_id, desc[0].entry_id) != 0 &&
                     (n < 2 || h[0].score - h[1].score >= DENSE_MARGIN);
        if (n && (h[0].score > whole || clear) && (!best_n || h[0].score > best[0].score)) {
            memcpy(best, h, n * sizeof *h);
            best_n = n;
            asked = 1 - d;
        }
    }
    if (!best_n)
        return false;
    memcpy(hits, best, best_n * sizeof *hits);
    *nh = best_n;
    memcpy(q, v[asked], sizeof v[asked]);
    return true;
}

/* Does text name a body by its noun ("the committee that…", "le groupe créé…")? Then a
 * pronoun after it is the body ("Kyle Bois, il fait quoi ?" is about the person). */
static bool has_body_noun(const char *text)
{
    camas_token t[48];
    long n = camas_text_tokenize(text, t, 48);
    for (long i = 0; i < n; i++)
        if (camas_text_in_words(t[i].text, camas_understand_body_heads))
            return true;
    return false;
}

/* Does text ask with a question word, not as a relative after a body's noun ("le groupe où
 * siègent quatre législateurs", "the committee that meets")? */
static bool has_question_word(const char *text)
{
    static const char *const named[] = {"force", "travail", "washact", "csec", NULL};
    camas_token t[48];
    long n = camas_text_tokenize(text, t, 48);
    for (long i = 0; i < n; i++)
        if ((camas_is_question_word("en", t[i].text) || camas_is_question_word("fr", t[i].text)) &&
            !(i > 0 && (camas_text_in_words(t[i - 1].text, camas_understand_body_heads) ||
                        camas_text_in_words(t[i - 1].text, named))))
            return true;
    return false;
}

/* A verb that makes "the body was created by SB 5308" a statement about the body (a reverse
 * question) rather than a description of it ... unless a relative pronoun comes first ("the
 * group that was reauthorized"). */
static const char *const auxiliaries[] = {"is",   "was", "are", "were",  "has",     "have", "est",
                                          "sont", "a",   "ont", "etait", "etaient", NULL};
static const char *const relatives[] = {"that", "which", "who", "whose", "qui",
                                        "que",  "dont",  "qu",  NULL};

/* The words that open a description after a body's noun, when the body is named too. */
static const char *const description_openers[] = {
    "under",    "created",   "set",      "established", "reauthorized", "renewed",   "convened",
    "chaired",  "co",        "led",      "headed",      "run",          "founded",   "authorized",
    "that",     "which",     "whose",    "from",        "with",         "by",        "of",
    "cree",     "creee",     "etabli",   "autorise",    "reautorise",   "reconduit", "preside",
    "presidee", "copreside", "convoque", "convoquee",   "fonde",        "qui",       "que",
    "dont",     "sous",      "issu",     "avec",        "du",           "au",        "par",
    NULL};
/* The verbs that close a description after the name it gives ("the committee the AG
 * convenes"). */
static const char *const described_verbs[] = {"convenes", "convened", "chairs",  "chaired",
                                              "leads",    "runs",     "created", "founded",
                                              "preside",  "convoque", "dirige",  NULL};
/* Questions asked yes or no ("was the task force reauthorized in 2015?"): their fact is the
 * claim. */
static const char *const yes_no_openers[] = {"is",  "was",  "are",  "were", "does", "did",
                                             "do",  "has",  "have", "had",  "can",  "could",
                                             "est", "sont", "isn",  "wasn", NULL};

#define DESC_WORDS 64
/* At most this many words from a description's fact to the end of the question for a "by …"
 * after the fact to be the description's. */
#define BY_TO_END 10
/* With the body named too, a description is a few words ("the committee that was created
 * by SB 5308"), not a clause about the body ("the task force actually reviews… to the
 * legislature"). */
#define NAMED_DESCRIPTION 7

/* Does the word w state the fact ("5884?" states "5884"; "eight" and "agencies" state
 * "#8agenc")? */
static bool word_states(const struct qword *w, const char *fact)
{
    if (fact[0] == '#') {
        const char *stem = fact + 1 + strspn(fact + 1, "0123456789");
        camas_token t = {.kind = isdigit((unsigned char)w->last[0]) ? CAMAS_TOK_NUMBER
                                                                    : CAMAS_TOK_WORD};
        snprintf(t.text, sizeof t.text, "%s", w->last);
        /* (not an article: "à", folded, is "a") */
        const char *count = camas_understand_count_of(&t, false);
        return (count && strncmp(fact + 1, count, strlen(count)) == 0 &&
                !isdigit((unsigned char)fact[1 + strlen(count)])) ||
               strncmp(w->last, stem, strlen(stem)) == 0;
    }
    char word[CAMAS_TOKEN_MAX * 2];
    snprintf(word, sizeof word, "%.*s", (int)(w->len < sizeof word ? w->len : sizeof word - 1),
             w->start);
    return strcasestr(word, fact) || strcmp(w->last, fact) == 0;
}

/* How many words may separate two facts of one description ("réautorisé en 2015 par le
 * projet de loi 5884") */
#define FACT_GAP 6

/* The words between two facts of one description */
static const char *const fact_links[] = {
    "by",    "in",    "of",     "the", "and", "under", "at", "senate", "bill", "sb", "rcw",
    "house", "par",   "en",     "le",  "la",  "l",     "du", "de",     "des",  "et", "sous",
    "au",    "senat", "projet", "loi", "a",   "an",    "un", "une",    NULL};

/* The last word of the law's maker after a bill or year that ends a description ("… 5884 du
 * Sénat", "créé en 2013 par la législature"), else fact. */
static long after_legislature(const struct qword *w, size_t n, long fact)
{
    static const char *const linking[] = {"du",  "de", "la", "le",  "l",
                                          "the", "of", "by", "par", NULL};
    static const char *const makers[] = {"senat",       "senate",      "legislature", "assemblee",
                                         "legislative", "legislateur", NULL};
    for (long k = fact + 1; k < (long)n && k <= fact + 3; k++) {
        if (camas_text_in_words(w[k].last, makers))
            return k;
        if (!camas_text_in_words(w[k].last, linking))
            break;
    }
    return fact;
}

/* The question less the description that runs from a body word to the fact that tells
 * which body, at most `most` words on ("what is the group created under RCW 7.68.350
 * required to do?" -> "what is the group required to do?"). False when there is none. */
static bool without_description(const char *question, char facts[][CAMAS_TOKEN_MAX + 1], size_t nf,
                                long most, char *out, size_t cap)
{
    struct qword w[DESC_WORDS];
    size_t n = camas_understand_question_words(question, w, DESC_WORDS);
    long fact = -1; /* the first fact closes the description */
    for (size_t k = 0; k < n && fact < 0; k++)
        for (size_t i = 0; i < nf && fact < 0; i++)
            if (word_states(&w[k], facts[i]))
                fact = (long)k;
    /* a description may state several facts ("the body reauthorized in 2015 by Senate Bill
     * 5884"): it runs on to the last of those a few words apart */
    for (long k = fact + 1; fact >= 0 && k < (long)n && k <= fact + FACT_GAP; k++) {
        bool states = false;
        for (size_t i = 0; i < nf && !states; i++)
            states = word_states(&w[k], facts[i]);
        if (states)
            fact = k;
        else if (!camas_text_in_words(w[k].last, fact_links))
            break; /* "renewed in 2015 get renewed through SB 5884?" claims the bill */
    }
    long head = -1;
    for (long i = fact - 1; i >= 0 && head < 0; i--)
        if (camas_text_in_words(w[i].last, camas_understand_body_heads))
            head = i;
    if (fact < 0 || head < 0 || fact - head < 2 || fact - head > most)
        return false;
    bool relative = false;
    for (long i = head + 1; i < fact; i++) {
        relative |= camas_text_in_words(w[i].last, relatives);
        /* ("a" before a count is the article or "à": "the group with a survivor", "le
         * comité à huit agences") */
        bool counts = false;
        for (size_t f = 0; f < nf && !counts; f++)
            counts = facts[f][0] == '#' && strcmp(w[i].last, "a") == 0 &&
                     word_states(&w[i + 1], facts[f]);
        if (camas_text_in_words(w[i].last, auxiliaries) && !relative && !counts)
            return false;
    }
    /* With the body named, the fact may as well be what is claimed or asked ("was the task
     * force reauthorized in 2015?", "le groupe de travail compte-t-il 25 organisations ?",
     * "task force reauthorization 2015"): only a description opened as one describes. */
    if (most == NAMED_DESCRIPTION) {
        if (camas_text_in_words(w[0].last, yes_no_openers) ||
            !camas_text_in_words(w[head + 1].last, description_openers))
            return false;
        for (long i = head + 1; i < fact; i++)
            if (memmem(w[i].start, w[i].len, "-t-", 3))
                return false;
    }
    /* keep the head and what punctuates the sentence after the fact ("5884?" -> "?"); a
     * verb after a name is the description's too ("the group the AG convenes") */
    size_t keep = (size_t)(w[head].start + w[head].len - question);
    const char *fact_end, *after;
    bool name = strcspn(w[fact].start, "0123456789@") >= w[fact].len; /* no number, no address */
    /* "the group co-chaired by X convened when?": the verb after the name is asked */
    bool by = false;
    for (long i = head + 1; i < fact; i++)
        by |= strcmp(w[i].last, "by") == 0 || strcmp(w[i].last, "par") == 0;
    if (!name)
        fact = after_legislature(w, n, fact);
    /* "…du groupe convoqué en 2006 par le bureau du procureur des États-Unis ?": who did it,
     * ending the question, is the description's too */
    if (!name && (size_t)fact + 1 < n && n - (size_t)fact <= BY_TO_END &&
        (strcmp(w[fact + 1].last, "by") == 0 || strcmp(w[fact + 1].last, "par") == 0))
        fact = (long)n - 1;
    fact_end = after = w[fact].start + w[fact].len;
    if (name && !by && (size_t)fact + 1 < n) {
        const struct qword *v = &w[fact + 1];
        bool co = strcmp(v->first, "co") == 0; /* "co-chairs", "co-préside" */
        if ((strcmp(v->first, v->last) == 0 || co) &&
            camas_text_in_words(v->last, described_verbs)) {
            after = v->start + strcspn(v->start, " \t\r\n?!.,;:");
            after = after < v->start + v->len ? after : v->start + v->len;
        }
    }
    const char *punct = after;
    while (punct > w[fact].start && after == fact_end && strchr("?!.,;:", punct[-1]))
        punct--;
    if (keep + strlen(punct) + 1 > cap)
        return false;
    memcpy(out, question, keep);
    strcpy(out + keep, punct);
    return true;
}

/* The question less a description said as a possessive before a body's noun ("what's the
 * e-mail for the US Attorney's trafficking advisory committee?" -> "what's the e-mail for
 * the committee?"): the name (name_words words, the last one last) with "'s" and at most
 * three words after it up to the noun. False when there is none. */
static bool without_possessive(const char *question, const char *last, size_t name_words, char *out,
                               size_t cap)
{
    struct qword w[DESC_WORDS];
    size_t n = camas_understand_question_words(question, w, DESC_WORDS);
    for (size_t f = 0; f < n; f++) {
        if (!w[f].owner || strcmp(w[f].first, last) != 0 || f + 1 < name_words)
            continue;
        size_t first = f + 1 - name_words;
        for (size_t h = f + 1; h < n && h <= f + 4; h++)
            if (camas_text_in_words(w[h].last, camas_understand_body_heads)) {
                size_t keep = (size_t)(w[first].start - question);
                if (keep + strlen(w[h].start) + 1 > cap)
                    return false;
                memcpy(out, question, keep);
                strcpy(out + keep, w[h].start);
                return true;
            }
    }
    return false;
}

/* The one body whose own entries' answers say what says() looks for (entries about every
 * body aside), or NULL when none or several do. */
static const char *only_body(const camas_understand *u,
                             bool (*says)(const struct label *l, const void *what),
                             const void *what)
{
    const char *found = NULL;
    for (size_t i = 0; i < u->nlabels; i++) {
        const struct label *l = &u->labels[i];
        const char *body = says(l, what) ? camas_dense_entry_body(u->dense, l->entry_id) : NULL;
        if (!body || strcmp(body, "all") == 0)
            continue;
        if (found && strcmp(found, body) != 0)
            return NULL;
        found = body;
    }
    return found;
}

struct facts {
    char (*facts)[CAMAS_TOKEN_MAX + 1];
    size_t nf;
};

static bool states_a_fact(const struct label *l, const void *what)
{
    const struct facts *f = what;
    for (size_t a = 0; a < f->nf; a++)
        for (size_t b = 0; b < l->nfacts; b++)
            if (strcmp(f->facts[a], l->facts[b]) == 0)
                return true;
    return false;
}

static bool names_the_id(const struct label *l, const void *what)
{
    for (size_t k = 0; k < l->nnames; k++)
        if (l->name_ids[k] == *(const unsigned *)what)
            return true;
    return false;
}

/* How near the best entry, and how near the asked part, an entry the lexical matcher picks
 * among the asked part's nearest must be (answered_within). */
#ifndef DESCRIBED_LEX_GAP
#define DESCRIBED_LEX_GAP 0.02f
#endif
#ifndef DESCRIBED_LEX_MIN
#define DESCRIBED_LEX_MIN 0.88f
#endif
/* ...and the lexical confidence that confirms the nearest one */
#ifndef DESCRIBED_LEX_AGREE
#define DESCRIBED_LEX_AGREE 0.5
#endif

/* The one body whose own entries' answers state a fact of the question, or NULL. */
static const char *body_of_facts(const camas_understand *u, char facts[][CAMAS_TOKEN_MAX + 1],
                                 size_t nf)
{
    struct facts f = {facts, nf};
    return only_body(u, states_a_fact, &f);
}

/* facts (nf) less the counts no answer states ("à contacter" reads as "#1conta"), into out (at
 * most max): a count tells a body only as the answers state it, and the word it names is no
 * fact of the question otherwise; the number written. */
static size_t stated_counts_only(const camas_understand *u, char facts[][CAMAS_TOKEN_MAX + 1],
                                 size_t nf, char out[][CAMAS_TOKEN_MAX + 1], size_t max)
{
    size_t kept = 0;
    for (size_t i = 0; i < nf && kept < max; i++) {
        bool stated = facts[i][0] != '#';
        for (size_t l = 0; !stated && l < u->nlabels; l++) {
            struct facts one = {&facts[i], 1};
            stated = states_a_fact(&u->labels[l], &one);
        }
        if (stated)
            memcpy(out[kept++], facts[i], sizeof facts[i]);
    }
    return kept;
}

const char *camas_understand_body_of_facts(const camas_understand *u, const char *text)
{
    char facts[8][CAMAS_TOKEN_MAX + 1];
    size_t nf = u && text ? camas_understand_text_facts(text, true, facts, 8) : 0;
    return nf ? body_of_facts(u, facts, nf) : NULL;
}

/* The one body whose own entries' answers name the person or office id, or NULL. */
static const char *body_of_name(const camas_understand *u, unsigned id)
{
    return only_body(u, names_the_id, &id);
}

/* How much nearer an entry the asked part must come with its body named for that reading to
 * win. */
#ifndef NAMED_GAIN
#define NAMED_GAIN 0.04f
#endif

/* rest with its body's noun ("the group", "le comité") replaced by the body's short name
 * ("In what year was the group convened?" -> "In what year was WashACT convened?"): the
 * entries' examples name their bodies, and a bare "group" reads as any body's. False when
 * rest names a body already or has no body's noun. */
static bool with_head_named(const camas_understand *u, const struct filter_wrap *fw,
                            const char *body, const char *rest, char *out, size_t cap)
{
    static const char *const determiners[] = {"the", "this", "that",  "le",    "la",   "l",
                                              "ce",  "cet",  "cette", "their", "leur", NULL};
    const char *ids[1];
    const char *name = u->body_name ? u->body_name(u->names_ud, body, fw->lang) : NULL;
    if (!name || (fw->m && camas_matcher_bodies(fw->m, rest, fw->lang, ids, 1)))
        return false;
    struct qword w[DESC_WORDS];
    size_t n = camas_understand_question_words(rest, w, DESC_WORDS);
    for (size_t k = 0; k < n; k++) {
        /* one word, or "l'organisme" (its determiner the word's own) */
        bool elided = strcmp(w[k].first, "l") == 0;
        if (!camas_text_in_words(w[k].last, camas_understand_body_heads) ||
            (strcmp(w[k].first, w[k].last) != 0 && !elided))
            continue;
        /* "the committee on exploited youth": more description follows, not the name */
        static const char *const qualified[] = {"on", "of",  "for", "against", "about", "sur",
                                                "de", "des", "du",  "contre",  "pour",  NULL};
        if (k + 1 < n && strcmp(w[k + 1].first, w[k + 1].last) == 0 &&
            camas_text_in_words(w[k + 1].first, qualified) &&
            isalpha((unsigned char)w[k].start[w[k].len - 1]))
            return false;
        size_t from = !elided && k && camas_text_in_words(w[k - 1].last, determiners) ? k - 1 : k;
        /* the noun's letters, not what punctuates it ("group?") */
        size_t noun = 0;
        while (noun < w[k].len && (isalpha((unsigned char)w[k].start[noun]) ||
                                   (unsigned char)w[k].start[noun] >= 0x80 ||
                                   w[k].start[noun] == '\'' || w[k].start[noun] == '-'))
            noun++;
        int wrote = snprintf(out, cap, "%.*s%s%s", (int)(w[from].start - rest), rest, name,
                             w[k].start + noun);
        return wrote > 0 && (size_t)wrote < cap;
    }
    return false;
}

/* The question less its description (rest), among the described body's own entries: when
 * one entry answers it clearly, and is none of the excluded ones, hits and q become rest's
 * and true is returned (what is traced names the reading: DESCRIBED, NAMED). */
static bool answered_within(camas_understand *u, struct filter_wrap *fw, const char *body,
                            const char *rest, const camas_dense_hit *exclude, size_t nexclude,
                            const char *reading, camas_dense_hit *hits, size_t *nh, size_t max,
                            float *q)
{
    float v[MAX_DIM];
    camas_token t[8];
    /* a body's noun alone asks nothing ("comite rcw 7.68.801" less its description, "le
     * comité ?" less the claim of a yes/no question), nor does asking which body it is
     * ("which body did the Legislature create in 2013?" less its description: "which body?"
     * is the whole question's, a reverse one) */
    long nt = camas_text_tokenize(rest, t, 8), asking = 0;
    bool which = camas_understand_asks_which_body(rest);
    for (long i = 0; i < nt; i++)
        asking += !camas_is_stopword(NULL, t[i].text) &&
                  !camas_text_in_words(t[i].text, camas_understand_body_heads) &&
                  !(which && (camas_text_in_words(t[i].text, camas_understand_which_words) ||
                              camas_text_in_words(t[i].text, camas_understand_which_alone)));
    if (nt < 2 || !asking || camas_embed_text(u->model, rest, strlen(rest), 1, v))
        return false;
    struct body_filter bf = {camas_understand_plugin_entries_only, fw, u, &body, 1, true};
    camas_dense_hit h[MAX_HITS];
    size_t cap = max < MAX_HITS ? max : MAX_HITS;
    size_t n = camas_dense_query(u->dense, v, &body, 1, camas_understand_only_bodies, &bf, h, cap);
    /* ...and read again with its body's noun replaced by the body's short name, which wins
     * when it brings an entry NAMED_GAIN nearer */
    char named[640];
    float nv[MAX_DIM];
    camas_dense_hit hn[MAX_HITS];
    size_t nn = 0;
    const char *asked = rest; /* as written, for the lexical matcher */
    /* (not in a yes/no question, whose "description" is as often the claim: "was the
     * committee the Attorney General's Office convenes created in 2006?") */
    if (!which && !(u->yes_no && u->yes_no(rest, fw->lang)) &&
        with_head_named(u, fw, body, rest, named, sizeof named) &&
        camas_embed_text(u->model, named, strlen(named), 1, nv) == 0 &&
        (nn = camas_dense_query(u->dense, nv, &body, 1, camas_understand_only_bodies, &bf, hn,
                                cap)) > 0 &&
        (!n || hn[0].score >= h[0].score + NAMED_GAIN)) {
        memcpy(h, hn, nn * sizeof *h);
        n = nn;
        memcpy(v, nv, sizeof nv);
        rest = named;
    }
    bool excluded = false;
    for (size_t k = 0; n && k < nexclude; k++)
        excluded |= strcmp(h[0].entry_id, exclude[k].entry_id) == 0;
    /* ...unless another is as near ("en quelle année a été convoqué le groupe coprésidé
     * par le WARN ?": "convoqué le groupe" is as near the co-chairs as the history) */
    if (excluded && n > 1 && h[0].score - h[1].score < DENSE_MARGIN) {
        memmove(h, h + 1, (n - 1) * sizeof *h);
        n--;
        excluded = false;
    }
    if (!n || h[0].score < DESCRIBED_MIN || excluded)
        return false;
    /* the asked part is short: a body's entries can be near one another ("qui préside le
     * groupe de travail ?" is as near the chair as the members); the lexical matcher on it,
     * among that body's entries, tells the two nearest apart */
    if (n > 1 && h[0].score - h[1].score < DENSE_MARGIN) {
        camas_match lex[1];
        size_t pick = n;
        if (fw->m && camas_matcher_query(fw->m, asked, fw->lang, camas_understand_only_bodies, &bf,
                                         lex, 1) == 1)
            for (size_t k = 0; k < n && k < 3 && h[0].score - h[k].score <= DESCRIBED_LEX_GAP; k++)
                if (strcmp(lex[0].entry_id, h[k].entry_id) == 0 &&
                    lex[0].confidence >= (k ? CAMAS_MATCH_MIN_CONFIDENCE : DESCRIBED_LEX_AGREE))
                    pick = k;
        if (pick < n && h[pick].score >= DESCRIBED_LEX_MIN) {
            h[0] = h[pick];
            n = 1; /* settled: the other is no option */
        } else if (h[0].score < DESCRIBED_MIN)
            return false;
        /* else both stay, for the ranking (centroids, the entry model) to order or offer:
         * the whole question's nearest is the description's own entry, never what is asked */
    }
    if (u->trace)
        fprintf(u->trace, "%s\t%s\t%s\t%s\n", reading, rest, body, h[0].entry_id);
    memcpy(hits, h, n * sizeof *h);
    *nh = n;
    memcpy(q, v, sizeof v);
    return true;
}

/* A question that tells a body by a fact only its answers state and then asks something
 * else about it, in one clause ("what is the group created under RCW 7.68.350 required to
 * do?"): the fact's entry wins the whole question, yet the asker wants another entry of that
 * body. When the question less its facts, among that body's own entries, is answered
 * clearly by another entry than the whole question's best, that reading wins: hits and q
 * (the question's vector) are replaced and true is returned (the question's facts then no
 * longer count). */
bool camas_understand_try_description(camas_understand *u, const char *question, const char *named,
                                      struct filter_wrap *fw, char facts[][CAMAS_TOKEN_MAX + 1],
                                      size_t nf, camas_dense_hit *hits, size_t *nh, size_t max,
                                      float *q)
{
    char stated[8][CAMAS_TOKEN_MAX + 1];
    if (!nf || !*nh || !(nf = stated_counts_only(u, facts, nf, stated, 8)))
        return false;
    facts = stated; /* (the caller's stay as they are) */
    const char *body = body_of_facts(u, facts, nf);
    if (named && body && strcmp(named, body) != 0)
        return false;
    char rest[512];
    return body &&
           without_description(question, facts, nf, named ? NAMED_DESCRIPTION : DESC_WORDS, rest,
                               sizeof rest) &&
           answered_within(u, fw, body, rest, NULL, 0, "DESCRIBED", hits, nh, max, q);
}

const char *camas_understand_described_body(const camas_understand *u, const char *question,
                                            char *rest, size_t cap)
{
    char facts[8][CAMAS_TOKEN_MAX + 1];
    char all[8][CAMAS_TOKEN_MAX + 1];
    size_t nf = u ? camas_understand_text_facts(question, true, all, 8) : 0;
    nf = nf ? stated_counts_only(u, all, nf, facts, 8) : 0;
    const char *body = nf ? body_of_facts(u, facts, nf) : NULL;
    /* facts of two bodies: the first one describes, a later one is what is claimed ("le
     * groupe auquel on écrit à warntrafficking@yahoo.com a été convoqué en 2013 ?") */
    if (!body && nf > 1 && (body = body_of_facts(u, facts, 1)) != NULL)
        nf = 1;
    return body && without_description(question, facts, nf, DESC_WORDS, rest, cap) ? body : NULL;
}

/* The cosine from which a name's nearest entry tells the body the name belongs to
 * ("Attorney General's Office" -> "Attorney General's Office: convener of the CSEC
 * Committee"). */
#ifndef NAME_CLEAR
#define NAME_CLEAR 0.88f
#endif

/* A question that tells a body by a person or office of its own and asks something else
 * about it ("when was the committee convened by the Attorney General's Office created?",
 * "which bill reauthorized the body chaired by the director of OCVA?"): the name pulls the
 * question to the entry about that person, or leaves it unanswered. The name's body is its
 * nearest entry's; the question less the description ("when was the committee created?"),
 * among that body's entries, answered clearly by an entry that is not about the name, wins:
 * hits and q are replaced and true is returned. */
bool camas_understand_try_named(camas_understand *u, const char *question, const char *named,
                                struct filter_wrap *fw, camas_dense_hit *hits, size_t *nh,
                                size_t max, float *q)
{
    char names[4][CAMAS_NAME_PHRASE_MAX];
    unsigned ids[4];
    size_t nn = u->names ? u->names(u->names_ud, question, names, ids, 4) : 0;
    for (size_t i = 0; i < nn; i++) {
        float v[MAX_DIM];
        camas_dense_hit who[3];
        size_t nwho = 0;
        if (camas_embed_text(u->model, names[i], strlen(names[i]), 1, v) ||
            !(nwho = camas_dense_query(u->dense, v, NULL, 0, camas_understand_plugin_entries_only,
                                       fw, who, 3)))
            continue;
        /* the one body whose answers name it, else the body of its nearest entry (a name
         * alone is far from every entry: "procureur federal" is nearest the CSEC members) */
        const char *body = body_of_name(u, ids[i]);
        if (!body && who[0].score >= NAME_CLEAR)
            body = camas_dense_entry_body(u->dense, who[0].entry_id);
        if (!body || strcmp(body, "all") == 0 || (named && strcmp(named, body) != 0))
            continue;
        /* the description ends with the name's last word */
        char last[1][CAMAS_TOKEN_MAX + 1];
        const char *sp = strrchr(names[i], ' ');
        snprintf(last[0], sizeof last[0], "%s", sp ? sp + 1 : names[i]);
        char rest[512];
        size_t name_words = 1;
        for (const char *p = names[i]; *p; p++)
            name_words += *p == ' ';
        /* not an entry about the person ("what is Torrance's job?") */
        if ((without_description(question, last, 1, named ? NAMED_DESCRIPTION : DESC_WORDS, rest,
                                 sizeof rest) ||
             without_possessive(question, last[0], name_words, rest, sizeof rest)) &&
            answered_within(u, fw, body, rest, who, nwho, "NAMED", hits, nh, max, q))
            return true;
    }
    return false;
}

bool camas_understand_asks_of_described(const camas_matcher *m, const char *question,
                                        const char *lang)
{
    static const char *const pronouns[] = {"it",  "its",  "them",  "they", "their", "le",  "la",
                                           "l",   "lui",  "il",    "elle", "ils",   "son", "sa",
                                           "ses", "leur", "leurs", "y",    NULL};
    char part[2][512];
    if (!camas_understand_split_clauses(question, part[0], part[1], sizeof part[0]))
        return false;
    const char *ids[2];
    if (strchr(part[0], '?') || camas_matcher_bodies(m, part[1], lang, ids, 2) != 0 ||
        camas_matcher_bodies(m, part[0], lang, ids, 2) != 1)
        return false;
    camas_token t[48];
    /* the first part describes, it asks nothing ("who can attend the info sessions, is it
     * only police?" is two questions; "le groupe de travail où siègent…" describes) */
    if (has_question_word(part[0]))
        return false;
    long n;
    /* the second part one question about it: a question word and a pronoun, one sentence */
    if (strstr(part[1], ". "))
        return false;
    n = camas_text_tokenize(part[1], t, 48);
    bool asks = false, refers = false;
    for (long i = 0; i < n; i++) {
        asks |= camas_is_question_word(lang, t[i].text);
        refers |= camas_text_in_words(t[i].text, pronouns);
    }
    return asks && refers;
}
