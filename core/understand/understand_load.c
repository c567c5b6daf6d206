/* What the understanding loads when it opens the model (camas_understand_work's first slice,
 * in the background after the worker is ready): the model itself, the vector cache keyed by the
 * model file, and from knowledge/ the classifiers' labelled examples (every file of safety/ for the
 * danger detector, scope/out-of-scope.yaml for the scope classifier) and the names of places
 * other than Washington State. Split out of understand.c, which asks the questions. */
#include "understand_internal.h"

#include "log.h"
#include "yaml_json.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void camas_understand_examples_free(struct examples *ex)
{
    for (size_t i = 0; i < ex->n; i++)
        free(ex->texts[i]);
    free(ex->texts);
    free(ex->labels);
    camas_logreg_free(ex->model);
    camas_logreg_trainer_free(ex->trainer);
    memset(ex, 0, sizeof *ex);
}

/* Reads lists of texts (per language under each key) from a file of knowledge/ into ex,
 * labelled by the key's position in keys, and into the dense index under owner. */
static void load_examples(camas_understand *u, struct examples *ex, uint32_t owner,
                          const char *path, const char *const keys[2])
{
    char err[512];
    cJSON *doc = camas_yaml_load(path, err, sizeof err);
    if (!doc) {
        log_warn("understand", "%s", err);
        return;
    }
    static const char *const langs[2] = {"en", "fr"};
    size_t dropped = 0;
    for (int y = 0; y < 2; y++)
        for (int l = 0; keys[y] && l < 2; l++) {
            const cJSON *arr = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(doc, keys[y]), langs[l]);
            const cJSON *s;
            cJSON_ArrayForEach(s, arr)
            {
                if (!cJSON_IsString(s) || !*s->valuestring)
                    continue;
                if (ex->n >= MAX_EXAMPLES) {
                    dropped++;
                    continue;
                }
                if (ex->n == ex->cap) {
                    size_t cap = ex->cap ? ex->cap * 2 : 256;
                    char **t = realloc(ex->texts, cap * sizeof *t);
                    if (t)
                        ex->texts = t;
                    unsigned char *lb = t ? realloc(ex->labels, cap) : NULL;
                    if (!lb)
                        goto done;
                    ex->labels = lb;
                    ex->cap = cap;
                }
                char *copy = strdup(s->valuestring);
                if (!copy ||
                    camas_dense_add(u->dense, owner, keys[y], NULL, CAMAS_DENSE_ASK, copy)) {
                    free(copy);
                    goto done;
                }
                ex->texts[ex->n] = copy;
                ex->labels[ex->n++] = (unsigned char)y;
            }
        }
done:
    /* said, not silent: the files read last (danger-examples.yaml) lose their examples */
    if (dropped)
        log_warn("understand", "%s: %zu examples left out (at most %d are read)", path, dropped,
                 MAX_EXAMPLES);
    cJSON_Delete(doc);
}

static int is_yaml(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".yaml") == 0;
}

/* other_places from scope/out-of-scope.yaml, normalised. */
static void load_places(camas_understand *u, const char *path)
{
    char err[512];
    cJSON *doc = camas_yaml_load(path, err, sizeof err);
    const cJSON *places = cJSON_GetObjectItemCaseSensitive(doc, "other_places");
    static const char *const langs[2] = {"en", "fr"};
    for (int l = 0; l < 2; l++) {
        const cJSON *p;
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(places, langs[l]))
        {
            char *norm = cJSON_IsString(p) ? camas_text_normalize_dup(p->valuestring) : NULL;
            char **grown = norm ? realloc(u->places, (u->nplaces + 1) * sizeof *grown) : NULL;
            if (!grown) {
                free(norm);
                continue;
            }
            u->places = grown;
            u->places[u->nplaces++] = norm;
        }
    }
    cJSON_Delete(doc);
}

/* Identifies the model file for the vector cache: its size and a hash of its first 64 KiB
 * (the header and the start of the weights). */
static uint64_t model_id(const char *path)
{
    uint64_t h = 1469598103934665603ull;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    if (fstat(fd, &st) == 0)
        h ^= (uint64_t)st.st_size;
    unsigned char buf[4096];
    for (int i = 0; i < 16; i++) {
        ssize_t n = read(fd, buf, sizeof buf);
        for (ssize_t k = 0; k < n; k++) {
            h ^= buf[k];
            h *= 1099511628211ull;
        }
        if (n < (ssize_t)sizeof buf)
            break;
    }
    close(fd);
    return h;
}

/* The slow part of starting, done by the first camas_understand_work (in the background,
 * after the worker has said it is ready and loaded the plugins): the model (≈ 40 ms), the
 * vector cache and the classifiers' examples. */
void camas_understand_open_model(camas_understand *u)
{
    u->opened = true;
    char err[512];
    u->model = camas_embed_open(u->model_path, err, sizeof err);
    if (!u->model) {
        log_warn("understand", "lexical matching only: %s", err);
        u->wants_model = false;
        return;
    }
    if (u->cache_fd >= 0) {
        size_t n = camas_dense_cache_attach(u->dense, u->cache_fd, model_id(u->model_path),
                                            camas_embed_dim(u->model));
        log_debug("understand", "%zu cached vectors", n);
    }
    if (u->knowledge_dir) {
        char path[4200];
        static const char *const danger_keys[2] = {"safe", "danger"};
        static const char *const scope_keys[2] = {"out_of_scope", "in_scope"};
        /* every file of safety/, in name order: danger-examples.yaml and any added beside */
        snprintf(path, sizeof path, "%s/safety", u->knowledge_dir);
        struct dirent **names = NULL;
        int n = scandir(path, &names, is_yaml, alphasort);
        for (int i = 0; i < n; i++) {
            snprintf(path, sizeof path, "%s/safety/%s", u->knowledge_dir, names[i]->d_name);
            load_examples(u, &u->danger, DANGER_OWNER, path, danger_keys);
            free(names[i]);
        }
        free(names);
        snprintf(path, sizeof path, "%s/scope/out-of-scope.yaml", u->knowledge_dir);
        load_examples(u, &u->scope, SCOPE_OWNER, path, scope_keys);
        load_places(u, path);
    }
}

/* The worker's readers of names and yes/no questions, and its real words (understand.h). */
void camas_understand_set_names(camas_understand *u,
                                size_t (*names)(void *ud, const char *text,
                                                char (*out)[CAMAS_NAME_PHRASE_MAX], unsigned *ids,
                                                size_t max),
                                void *ud)
{
    if (u) {
        u->names = names;
        u->names_ud = ud;
    }
}

void camas_understand_set_body_names(camas_understand *u,
                                     const char *(*body_name)(void *ud, const char *body_id,
                                                              const char *lang))
{
    if (u)
        u->body_name = body_name;
}

void camas_understand_set_yes_no(camas_understand *u,
                                 bool (*yes_no)(const char *question, const char *lang))
{
    if (u)
        u->yes_no = yes_no;
}

void camas_understand_set_lexicon(camas_understand *u, const struct camas_lexicon *lexicon)
{
    if (u)
        u->lexicon = lexicon;
}
