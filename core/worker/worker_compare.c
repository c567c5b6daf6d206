/* Yes/no questions that compare a body with another ("is the CSEC committee invitation-only
 * like WashACT's member meetings?", "aussi ouvertes au public que celles du comité CSEC ?"):
 * the part before the comparison is what is asked and judged (worker_ask.c). */
#include "worker_internal.h"

#include "match.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* "aussi ouvertes au public que celles du comité CSEC", "as open to the public as the CSEC
 * committee's": a claim of equal degree, where the cut is before "que"/"as" and after is
 * what follows it (NULL when the text makes none). Not for how often or how old (which
 * compare what each body's answer gives) nor "the same as". */
static const char *equal_degree(const char *text, const char **after)
{
    static const char *const skip[] = {"often",   "souvent", "frequently", "frequemment", "same",
                                       "well",    "much",    "many",       "soon",        "long",
                                       "old",     "ancien",  "ancienne",   "vieux",       "recent",
                                       "recente", "new",     "young",      "jeune",       NULL};
    const char *degree = strcasestr(text, " aussi ");
    bool fr = degree != NULL;
    if (!fr)
        degree = strcasestr(text, " as ");
    if (!degree)
        return NULL;
    const char *mark = fr ? " que " : " as ";
    const char *word = degree + strlen(fr ? " aussi " : " as ");
    for (const char *const *k = skip; *k; k++) {
        size_t n = strlen(*k);
        if (strncasecmp(word, *k, n) == 0 && !isalpha((unsigned char)word[n]))
            return NULL;
    }
    const char *p = strcasestr(word, mark);
    if (!p)
        return NULL;
    *after = p + strlen(mark);
    return p;
}

bool camas_worker_comparison_cut(const struct worker *w, const char *text, const char *lang,
                                 camas_buf *out)
{
    static const char *const like[] = {" like ", " unlike ", " as with ", " comme ", NULL};
    /* what follows the word shows a comparison, not an example ("agencies like the FBI"):
     * a body, or something of the same body ("its information sessions") */
    static const char *const own[] = {"its ", "their ", "ses ", "leurs ", "son ", "sa ", NULL};
    const char *cut = NULL, *after = NULL;
    for (const char *const *l = like; *l; l++)
        for (const char *p = strcasestr(text, *l); p; p = strcasestr(p + 1, *l))
            if (!cut || p > cut) {
                cut = p;
                after = p + strlen(*l);
            }
    if (!cut)
        cut = equal_degree(text, &after);
    if (!cut)
        return false;
    size_t words = 0;
    for (const char *p = text; p < cut; p++)
        words += *p == ' ';
    bool compared = false;
    for (const char *const *o = own; *o && !compared; o++)
        compared = strncasecmp(after, *o, strlen(*o)) == 0;
    /* "a seat for someone like me on the task force" compares a person, not the body */
    static const char *const person[] = {"me",  "moi", "us",  "nous", "you",  "vous", "toi",
                                         "him", "her", "lui", "elle", "them", "eux",  NULL};
    for (const char *const *o = person; *o; o++) {
        size_t n = strlen(*o);
        if (strncasecmp(after, *o, n) == 0 && !isalpha((unsigned char)after[n]))
            return false;
    }
    /* "I'd like to…", "j'aimerais comme…": a verb, not a comparison */
    if (strncasecmp(after, "to ", 3) == 0)
        return false;
    /* the body compared with comes right after the word, in the same sentence ("I'd like
     * to point survivors to the right place. Does the task force…?" compares nothing) */
    char near[160];
    size_t len = strcspn(after, ".?!;"), spaces = 0, k = 0;
    for (; k < len && k + 1 < sizeof near && spaces < 6; k++)
        spaces += after[k] == ' ';
    snprintf(near, sizeof near, "%.*s", (int)k, after);
    const char *ids[4];
    if (!compared)
        compared = camas_matcher_bodies(w->matcher, near, lang, ids, 4) > 0;
    if (!compared || words < 3)
        return false;
    camas_buf_reset(out);
    camas_buf_append(out, text, (size_t)(cut - text));
    camas_buf_puts(out, " ?");
    return true;
}
