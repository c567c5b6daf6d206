/* Reading the yes/no knowledge out of the parsed YAML documents: the people and offices of
 * bodies.yaml's `names:`, and the synonym and opposite groups of synonyms.yaml. Shared by
 * the worker and tests/unit/yesno_tool so both read the files the same way; problems are
 * reported with the file and line, and the rest of the file still loads. */
#include "yesno.h"
#include "yaml_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_GROUP 64

static void report(const camas_yesno_loader *ld, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void report(const camas_yesno_loader *ld, const char *fmt, ...)
{
    if (!ld->error)
        return;
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ld->error(ld->ud, msg);
}

/* One list of lists of names (`key:` of bodies.yaml), numbered from *id on. */
static void load_name_list(const camas_yesno_loader *ld, const cJSON *bodies_doc, const char *key,
                           unsigned *id)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(bodies_doc, key);
    if (!list)
        return;
    if (!cJSON_IsArray(list)) {
        report(ld, "knowledge/bodies.yaml:%d: '%s' must be a list of lists of names",
               camas_yaml_line(list), key);
        return;
    }
    const cJSON *one;
    cJSON_ArrayForEach(one, list)
    {
        ++*id;
        if (!cJSON_IsArray(one) || cJSON_GetArraySize(one) == 0) {
            report(ld,
                   "knowledge/bodies.yaml:%d: each entry of '%s' must be a list of the ways "
                   "to write one name, e.g. [\"Richard Torrance\", \"Torrance\"]",
                   camas_yaml_line(one), key);
            continue;
        }
        const cJSON *s;
        cJSON_ArrayForEach(s, one)
        {
            if (!cJSON_IsString(s) ||
                (ld->names && camas_yesno_names_add(ld->names, *id, s->valuestring)))
                report(ld, "knowledge/bodies.yaml:%d: expected a non-empty name",
                       camas_yaml_line(s));
        }
    }
}

void camas_yesno_load_names(const camas_yesno_loader *ld, const cJSON *bodies_doc)
{
    unsigned id = 0;
    load_name_list(ld, bodies_doc, "people", &id);
    if (ld->names)
        camas_yesno_names_people_below(ld->names, id + 1);
    load_name_list(ld, bodies_doc, "names", &id);
    if (ld->names)
        camas_yesno_names_suppose_from(ld->names, id + 1);
    load_name_list(ld, bodies_doc, "supposed", &id);
}

/* The strings of a YAML list of 2..MAX_GROUP words into words; how many, or -1 (reported). */
static int group_words(const camas_yesno_loader *ld, const cJSON *group, const char **words)
{
    int n = cJSON_GetArraySize(group);
    if (!cJSON_IsArray(group) || n < 1 || n > MAX_GROUP)
        return -1;
    int k = 0;
    const cJSON *wd;
    cJSON_ArrayForEach(wd, group)
    {
        if (!cJSON_IsString(wd) || !wd->valuestring[0]) {
            report(ld, "knowledge/synonyms.yaml:%d: expected a word or phrase",
                   camas_yaml_line(wd));
            continue;
        }
        words[k++] = wd->valuestring;
    }
    return k;
}

void camas_yesno_load_synonyms(const camas_yesno_loader *ld, const cJSON *synonyms_doc)
{
    static const char *const langs[2] = {"en", "fr"};
    const cJSON *syn = cJSON_GetObjectItemCaseSensitive(synonyms_doc, "synonyms");
    const cJSON *opp = cJSON_GetObjectItemCaseSensitive(synonyms_doc, "opposites");
    for (int l = 0; l < 2; l++) {
        const char *words[MAX_GROUP];
        const cJSON *group;
        cJSON_ArrayForEach(group, cJSON_GetObjectItemCaseSensitive(syn, langs[l]))
        {
            int k = group_words(ld, group, words);
            if (k < 2) {
                report(ld, "knowledge/synonyms.yaml:%d: expected a list of 2 to %d words",
                       camas_yaml_line(group), MAX_GROUP);
                continue;
            }
            if (ld->group)
                ld->group(ld->ud, langs[l], words, (size_t)k);
            if (ld->names &&
                camas_yesno_names_add_synonyms(ld->names, ld->stemmer, langs[l], words, (size_t)k))
                report(ld, "knowledge/synonyms.yaml: out of memory");
        }
        const cJSON *pair;
        cJSON_ArrayForEach(pair, cJSON_GetObjectItemCaseSensitive(opp, langs[l]))
        {
            const char *other[MAX_GROUP];
            int a = cJSON_GetArraySize(pair) == 2 && cJSON_IsArray(pair)
                        ? group_words(ld, cJSON_GetArrayItem(pair, 0), words)
                        : -1;
            int b = a > 0 ? group_words(ld, cJSON_GetArrayItem(pair, 1), other) : -1;
            if (a < 1 || b < 1) {
                report(ld,
                       "knowledge/synonyms.yaml:%d: an opposite is a pair of word lists, e.g. "
                       "[[adult, adults], [children, minors]]",
                       camas_yaml_line(pair));
                continue;
            }
            if (ld->names && camas_yesno_names_add_opposites(ld->names, ld->stemmer, langs[l],
                                                             words, (size_t)a, other, (size_t)b))
                report(ld, "knowledge/synonyms.yaml: out of memory");
        }
    }
}
