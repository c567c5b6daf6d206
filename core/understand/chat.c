/* Chat shorthand written out (chat.h). The tables hold what people type in a help channel,
 * in English and in French; a word is only replaced whole. */
#include "chat.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Shorthand of either language (the language of a short question is often unsure). */
static const char *const both[][2] = {{"ts", "tous"},          {"tt", "tout"},
                                      {"tte", "toute"},        {"ttes", "toutes"},
                                      {"qd", "quand"},         {"pr", "pour"},
                                      {"ds", "dans"},          {"tjs", "toujours"},
                                      {"bcp", "beaucoup"},     {"hav", "have"},
                                      {"doez", "does"},        {"wuz", "was"},
                                      {"b4", "before"},        {"infos", "informations"},
                                      {"info", "information"}, {NULL, NULL}};
static const char *const english[][2] = {{"r", "are"},
                                         {"n", "and"},
                                         {"u", "you"},
                                         {"ur", "your"},
                                         {"wat", "what"},
                                         {"wut", "what"},
                                         {"wen", "when"},
                                         {"abt", "about"},
                                         {"govt", "government"},
                                         {"mtg", "meeting"},
                                         {"mtgs", "meetings"},
                                         {"orgs", "organizations"},
                                         {"cmte", "committee"},
                                         {"cmtee", "committee"},
                                         {"ag", "Attorney General"},
                                         {"ag's", "Attorney General's"},
                                         {"aag", "Assistant Attorney General"},
                                         {"tf", "task force"},
                                         {"pd", "police department"},
                                         {"dept", "department"},
                                         {"yr", "year"},
                                         {"yrs", "years"},
                                         {"ppl", "people"},
                                         {NULL, NULL}};
static const char *const french[][2] = {{"c", "c'est"},
                                        {"koi", "quoi"},
                                        {"kel", "quel"},
                                        {"kelle", "quelle"},
                                        {"kels", "quels"},
                                        {"kelles", "quelles"},
                                        {"ke", "que"},
                                        {"ki", "qui"},
                                        {"kan", "quand"},
                                        {"cmb", "combien"},
                                        {"cb", "combien"},
                                        {"cbn", "combien"},
                                        {"pk", "pourquoi"},
                                        {"pq", "pourquoi"},
                                        {"ya", "il y a"},
                                        {"qqn", "quelqu'un"},
                                        {"qqch", "quelque chose"},
                                        {"asso", "association"},
                                        {"assos", "associations"},
                                        {"orga", "organisation"},
                                        {"orgas", "organisations"},
                                        {"gvt", "gouvernement"},
                                        {"jsui", "je suis"},
                                        {"jsuis", "je suis"},
                                        {"chui", "je suis"},
                                        {"grp", "groupe"},
                                        {"num", "numéro"},
                                        {"tel", "téléphone"},
                                        {"+", "plus"}, /* "le + ancien" */
                                        {NULL, NULL}};

static const char *look_up(const char *const (*table)[2], const char *word, size_t wl)
{
    for (size_t i = 0; table[i][0]; i++)
        if (strlen(table[i][0]) == wl && (wl == 1 ? strncmp(word, table[i][0], 1) == 0
                                                  : strncasecmp(word, table[i][0], wl) == 0))
            return table[i][1];
    return NULL;
}

/* Is the word at w (wl bytes) "number" qualifying a law ("the bill number", "rcw number",
 * "le numéro du projet de loi")? Read whole, the sentence model took it for a phone number. */
static bool law_number(const char *text, const char *w, size_t wl)
{
    static const char *const numbers[] = {"number", "numero", "num\xc3\xa9ro", "num", "#", NULL};
    static const char *const laws[] = {"bill", "bills", "rcw",    "law",    "statute", "sb",
                                       "loi",  "lois",  "projet", "senate", NULL};
    bool is_number = false;
    for (size_t k = 0; numbers[k] && !is_number; k++)
        is_number = strlen(numbers[k]) == wl && strncasecmp(w, numbers[k], wl) == 0;
    if (!is_number)
        return false;
    /* the word before it, and the three after it */
    const char *starts[4];
    size_t lens[4], n = 0;
    const char *b = w;
    while (b > text && b[-1] == ' ')
        b--;
    const char *a = b;
    while (a > text && a[-1] != ' ')
        a--;
    if (a < b)
        starts[n] = a, lens[n++] = (size_t)(b - a);
    for (const char *p = w + wl; *p && n < 4;) {
        p += strspn(p, " ");
        size_t l = strcspn(p, " ?!.,;:");
        if (l)
            starts[n] = p, lens[n++] = l;
        p += l + strspn(p + l, "?!.,;:");
        if (!l && *p)
            p++;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; laws[k]; k++)
            if (strlen(laws[k]) == lens[i] && strncasecmp(starts[i], laws[k], lens[i]) == 0)
                return true;
    return false;
}

bool camas_chat_without_law_number(const char *text, char *out, size_t cap)
{
    bool changed = false;
    size_t o = 0;
    for (const char *p = text; *p;) {
        size_t sp = strspn(p, " \t");
        size_t wl = strcspn(p + sp, " \t?!.,;:");
        size_t tail = wl ? 0 : strcspn(p + sp, " \t");
        bool drop = wl && law_number(text, p + sp, wl);
        size_t keep = drop ? 0 : sp + wl + tail; /* the word and the space before it */
        if (o + keep + 1 > cap)
            return false;
        memcpy(out + o, p, keep);
        o += keep;
        changed |= drop;
        if (sp + wl + tail == 0)
            break;
        p += sp + wl + tail;
    }
    if (cap)
        out[o] = '\0';
    return changed;
}

bool camas_chat_unabbreviate(const char *text, const char *lang, char *out, size_t cap)
{
    bool en = lang && strcmp(lang, "en") == 0, fr = lang && strcmp(lang, "fr") == 0;
    bool changed = false;
    size_t o = 0;
    for (const char *p = text; *p;) {
        size_t sp = strspn(p, " \t");
        size_t wl = strcspn(p + sp, " \t?!.,;:");
        const char *word = p + sp, *full = look_up(both, word, wl);
        if (!full && en)
            full = look_up(english, word, wl);
        if (!full && fr)
            full = look_up(french, word, wl);
        /* "2-3x a year", "4x par an": a count of times */
        char times[80];
        if (!full && wl >= 2 && wl < 64 && (word[wl - 1] == 'x' || word[wl - 1] == 'X') &&
            isdigit((unsigned char)word[wl - 2]) && strspn(word, "0123456789-") == wl - 1) {
            snprintf(times, sizeof times, "%.*s %s", (int)(wl - 1), word, fr ? "fois" : "times");
            full = times;
        }
        size_t tail = strspn(word + wl, "?!.,;:");
        size_t need = sp + (full ? strlen(full) : wl) + tail;
        if (o + need + 1 > cap)
            return false;
        memcpy(out + o, p, sp);
        o += sp;
        memcpy(out + o, full ? full : word, full ? strlen(full) : wl);
        o += full ? strlen(full) : wl;
        memcpy(out + o, word + wl, tail);
        o += tail;
        changed |= full != NULL;
        p = word + wl + tail;
        if (sp + wl + tail == 0)
            break;
    }
    if (cap)
        out[o] = '\0';
    return changed;
}
