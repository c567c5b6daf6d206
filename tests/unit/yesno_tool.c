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

static void report(void *ud, const char *message)
{
    (void)ud;
    fprintf(stderr, "%s\n", message);
}

static void load(camas_yesno_names *names, camas_stemmer *st, const char *dir)
{
    static const char *const files[2] = {"bodies.yaml", "synonyms.yaml"};
    camas_yesno_loader ld = {.names = names, .stemmer = st, .error = report};
    for (int f = 0; f < 2; f++) {
        char path[4096], err[512];
        snprintf(path, sizeof path, "%s/%s", dir, files[f]);
        cJSON *doc = camas_yaml_load(path, err, sizeof err);
        if (!doc)
            fprintf(stderr, "%s\n", err);
        else if (f == 0)
            camas_yesno_load_names(&ld, doc);
        else
            camas_yesno_load_synonyms(&ld, doc);
        cJSON_Delete(doc);
    }
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
