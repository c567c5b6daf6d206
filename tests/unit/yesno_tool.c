/* yesno_tool: the yes/no verdict for a question and an answer, with the names and synonyms
 * of a knowledge directory, and why no verdict was reached (for tuning the rules on
 * tests/fixtures/dev-yesno.yaml; built, not installed).
 *
 *   yesno_tool KNOWLEDGE_DIR LANG QUESTION ANSWER */
#include "text.h"
#include "yaml_json.h"
#include "yesno.h"

#include <stdio.h>
#include <string.h>

static void load(camas_yesno_names *names, camas_stemmer *st, const char *dir)
{
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/bodies.yaml", dir);
    cJSON *doc = camas_yaml_load(path, err, sizeof err);
    const cJSON *one, *s;
    unsigned id = 0;
    cJSON_ArrayForEach(one, cJSON_GetObjectItemCaseSensitive(doc, "names"))
    {
        id++;
        cJSON_ArrayForEach(s, one) if (cJSON_IsString(s))
            camas_yesno_names_add(names, id, s->valuestring);
    }
    cJSON_Delete(doc);
    snprintf(path, sizeof path, "%s/synonyms.yaml", dir);
    doc = camas_yaml_load(path, err, sizeof err);
    static const char *const langs[2] = {"en", "fr"};
    for (int l = 0; l < 2; l++) {
        const cJSON *group;
        cJSON_ArrayForEach(group, cJSON_GetObjectItemCaseSensitive(
                                      cJSON_GetObjectItemCaseSensitive(doc, "synonyms"), langs[l]))
        {
            const char *words[64];
            size_t k = 0;
            cJSON_ArrayForEach(s, group) if (cJSON_IsString(s) && k < 64) words[k++] =
                s->valuestring;
            camas_yesno_names_add_synonyms(names, st, langs[l], words, k);
        }
    }
    cJSON_Delete(doc);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s KNOWLEDGE_DIR LANG QUESTION ANSWER\n", argv[0]);
        return 2;
    }
    camas_stemmer *st = camas_stemmer_new();
    camas_yesno_names *names = camas_yesno_names_new();
    load(names, st, argv[1]);
    camas_yesno_context c = {.stemmer = st, .names = names, .trace = stderr};
    printf("yes/no question: %s\n", camas_yesno_question(argv[3], argv[2]) ? "yes" : "no");
    printf("verdict: %d\n", camas_yesno_verdict_ctx(&c, argv[3], argv[4], argv[2]));
    camas_yesno_names_free(names);
    camas_stemmer_free(st);
    return 0;
}
