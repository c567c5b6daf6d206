/* yesno_tool: the yes/no verdict for a question and an answer, with the names and synonyms
 * of a knowledge directory, and why no verdict was reached (for tuning the rules on
 * tests/fixtures/dev-yesno.yaml; built, not installed). Bodies are found by their names and
 * aliases alone (the worker's matcher also reads descriptions).
 *
 *   yesno_tool KNOWLEDGE_DIR LANG QUESTION ANSWER */
#include "text.h"
#include "yaml_json.h"
#include "yesno.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The bodies' names and aliases (bodies.yaml), normalised, for a bodies callback close to
 * the matcher's: a body is named when one of them is in the text as whole words. */
struct alias {
    char *norm;
    const char *id;
};
static struct alias aliases[256];
static size_t naliases;
static char body_ids[8][32];

static void load_aliases(const cJSON *doc)
{
    const cJSON *b;
    size_t nb = 0;
    cJSON_ArrayForEach(b, cJSON_GetObjectItem(doc, "bodies"))
    {
        const cJSON *id = cJSON_GetObjectItem(b, "id");
        if (!cJSON_IsString(id) || nb >= 8)
            continue;
        snprintf(body_ids[nb], sizeof body_ids[nb], "%s", id->valuestring);
        static const char *const keys[3] = {"name", "short", "aliases"};
        for (int k = 0; k < 3; k++) {
            const cJSON *per_lang, *v;
            cJSON_ArrayForEach(per_lang, cJSON_GetObjectItem(b, keys[k]))
            {
                if (cJSON_IsString(per_lang) && naliases < 256)
                    aliases[naliases++] = (struct alias){
                        camas_text_normalize_dup(per_lang->valuestring), body_ids[nb]};
                cJSON_ArrayForEach(v, per_lang) if (cJSON_IsString(v) && naliases < 256)
                    aliases[naliases++] =
                        (struct alias){camas_text_normalize_dup(v->valuestring), body_ids[nb]};
            }
        }
        nb++;
    }
}

static size_t tool_bodies(void *ud, const char *text, const char *lang, const char **ids,
                          size_t max)
{
    (void)ud;
    (void)lang;
    char *t = camas_text_normalize_dup(text);
    size_t n = 0;
    for (size_t i = 0; t && i < naliases && n < max; i++) {
        const char *a = aliases[i].norm;
        size_t al = a ? strlen(a) : 0;
        bool hit = false;
        for (const char *p = al ? strstr(t, a) : NULL; p && !hit; p = strstr(p + 1, a))
            hit = (p == t || p[-1] == ' ') && (p[al] == '\0' || p[al] == ' ');
        bool dup = false;
        for (size_t k = 0; k < n; k++)
            dup |= strcmp(ids[k], aliases[i].id) == 0;
        if (hit && !dup)
            ids[n++] = aliases[i].id;
    }
    free(t);
    return n;
}

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
        else if (f == 0) {
            camas_yesno_load_names(&ld, doc);
            load_aliases(doc);
        } else
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
    camas_yesno_context c = {.stemmer = st, .names = names, .trace = stderr, .bodies = tool_bodies};
    printf("yes/no question: %s\n", camas_yesno_question(argv[3], argv[2]) ? "yes" : "no");
    printf("verdict: %d\n", camas_yesno_verdict_ctx(&c, argv[3], argv[4], argv[2]));
    camas_yesno_names_free(names);
    camas_stemmer_free(st);
    return 0;
}
