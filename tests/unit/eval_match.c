/* Evaluation of question matching on the real knowledge base: loads knowledge/ into a
 * matcher the way the plugins do, runs every question of tests/fixtures/questions.yaml and
 * judges the answers (see usage()). With --bench N it also measures query throughput and
 * latency on the real knowledge and on a synthetic 10,000-entry base. */
#include "lexicon.h"
#include "match.h"
#include "safety.h"
#include "text.h"
#include "understand.h"
#include "yaml_json.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *const plugins[] = {"faq", "meetings", "contacts", "members"};
#define NPLUGINS 4

typedef struct answer {
    char *id;
    uint32_t plugin;
    char *text[2]; /* en, fr */
} answer;

typedef struct kb {
    answer *a;
    size_t n, cap;
} kb;

static void usage(void)
{
    fprintf(stderr, "usage: eval_match KNOWLEDGE_DIR QUESTIONS_YAML [--bench N] [-v]\n"
                    "  answer  questions: top entry's answer (in the detected language)\n"
                    "          contains every expect substring, confidence >= threshold\n"
                    "  decline questions: top confidence < threshold\n"
                    "  danger  questions: camas_safety_check() is true\n");
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int add_strings_as_aliases(camas_matcher *m, const cJSON *obj, const char *body)
{
    static const char *const langs[] = {"en", "fr"};
    for (int l = 0; l < 2; l++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, langs[l]);
        if (cJSON_IsString(v)) {
            if (camas_matcher_add_alias(m, langs[l], v->valuestring, body) < 0)
                return -1;
        } else if (cJSON_IsArray(v)) {
            const cJSON *s;
            cJSON_ArrayForEach(s, v)
            {
                if (cJSON_IsString(s) &&
                    camas_matcher_add_alias(m, langs[l], s->valuestring, body) < 0)
                    return -1;
            }
        }
    }
    return 0;
}

/* The bodies' own words as the worker keeps them (normalised, each between spaces). */
static char body_words[8192] = " ";

static void add_words_of(const char *text)
{
    char *norm = camas_text_normalize_dup(text);
    size_t have = strlen(body_words);
    if (norm && have + strlen(norm) + 2 < sizeof body_words)
        snprintf(body_words + have, sizeof body_words - have, "%s ", norm);
    free(norm);
}

/* A body's names ({en, fr} strings) or its one-word aliases ({en, fr} lists). */
static void add_body_words(const cJSON *o)
{
    const char *langs[] = {"en", "fr"};
    for (int l = 0; l < 2; l++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, langs[l]), *x;
        if (cJSON_IsString(v))
            add_words_of(v->valuestring);
        else if (cJSON_IsArray(v))
            cJSON_ArrayForEach(x, v)
            {
                if (cJSON_IsString(x) && !strchr(x->valuestring, ' '))
                    add_words_of(x->valuestring);
            }
    }
}

static bool is_body_word(void *ud, const char *word, const char *lang)
{
    (void)ud, (void)lang;
    char key[CAMAS_TOKEN_MAX + 3];
    snprintf(key, sizeof key, " %s ", word);
    return strstr(body_words, key) != NULL;
}

static int load_shared(camas_matcher *m, const char *dir)
{
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/bodies.yaml", dir);
    cJSON *doc = camas_yaml_load(path, err, sizeof err);
    if (!doc) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    const cJSON *b;
    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(doc, "bodies"))
    {
        const char *id = str_of(b, "id");
        if (!id)
            continue;
        const char *keys[] = {"name", "short", "aliases"};
        for (int k = 0; k < 3; k++) {
            const cJSON *o = cJSON_GetObjectItemCaseSensitive(b, keys[k]);
            if (o)
                add_body_words(o);
            if (o && add_strings_as_aliases(m, o, id) < 0) {
                cJSON_Delete(doc);
                return -1;
            }
        }
    }
    cJSON_Delete(doc);

    snprintf(path, sizeof path, "%s/synonyms.yaml", dir);
    doc = camas_yaml_load(path, err, sizeof err);
    if (!doc) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    const cJSON *syn = cJSON_GetObjectItemCaseSensitive(doc, "synonyms");
    const char *langs[] = {"en", "fr"};
    for (int l = 0; l < 2; l++) {
        const cJSON *g;
        cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(syn, langs[l]))
        {
            const char *words[64];
            size_t n = 0;
            const cJSON *w;
            cJSON_ArrayForEach(w, g)
            {
                if (cJSON_IsString(w) && n < 64)
                    words[n++] = w->valuestring;
            }
            if (n && camas_matcher_add_synonyms(m, langs[l], words, n) < 0) {
                cJSON_Delete(doc);
                return -1;
            }
        }
    }
    cJSON_Delete(doc);
    return 0;
}

/* While loading: also into the understanding (dense) index, and leave one example out. */
static camas_understand *load_u;
static camas_lexicon *lexicon; /* the worker's real words, for load_u */
static const char *skip_entry, *skip_text;

static int load_entries(camas_matcher *m, kb *k, const char *dir, uint32_t plugin)
{
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/%s", dir, plugins[plugin]);
    DIR *d = opendir(path);
    if (!d)
        return 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) && rc == 0) {
        size_t nl = strlen(de->d_name);
        if (nl < 6 || strcmp(de->d_name + nl - 5, ".yaml") != 0)
            continue;
        char file[8192];
        snprintf(file, sizeof file, "%s/%s", path, de->d_name);
        cJSON *doc = camas_yaml_load(file, err, sizeof err);
        if (!doc) {
            fprintf(stderr, "%s\n", err);
            rc = -1;
            break;
        }
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(doc, "entries"))
        {
            const char *id = str_of(e, "id"), *body = str_of(e, "body");
            const cJSON *ask = cJSON_GetObjectItemCaseSensitive(e, "ask");
            const cJSON *ans = cJSON_GetObjectItemCaseSensitive(e, "answer");
            if (!id)
                continue;
            if (k->n == k->cap) {
                k->cap = k->cap ? k->cap * 2 : 64;
                answer *na = realloc(k->a, k->cap * sizeof *na);
                if (!na) {
                    rc = -1;
                    break;
                }
                k->a = na;
            }
            answer *a = &k->a[k->n++];
            a->id = strdup(id);
            a->plugin = plugin;
            const char *langs[] = {"en", "fr"};
            for (int l = 0; l < 2; l++) {
                const char *at = str_of(ans, langs[l]);
                a->text[l] = strdup(at ? at : "");
                const char *texts[128];
                size_t n = 0;
                const cJSON *q;
                cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(ask, langs[l]))
                {
                    if (cJSON_IsString(q) && n < 128 &&
                        !(skip_entry && strcmp(skip_entry, id) == 0 &&
                          strcmp(skip_text, q->valuestring) == 0))
                        texts[n++] = q->valuestring;
                }
                if (camas_matcher_add_entry(m, plugin, id, body, langs[l], texts, n) < 0 ||
                    (at && camas_matcher_add_answer(m, plugin, id, langs[l], at) < 0))
                    rc = -1;
                if (load_u && !skip_entry &&
                    (camas_understand_add_entry(load_u, plugin + 1, id, body, langs[l], texts, n) ||
                     (at && camas_understand_add_answer(load_u, plugin + 1, id, langs[l], at))))
                    rc = -1;
            }
        }
        cJSON_Delete(doc);
    }
    closedir(d);
    return rc;
}

static const answer *find_answer(const kb *k, const char *id)
{
    for (size_t i = 0; i < k->n; i++)
        if (strcmp(k->a[i].id, id) == 0)
            return &k->a[i];
    return NULL;
}

/* Case-insensitive (ASCII) substring test. */
static bool contains_ci(const char *hay, const char *needle)
{
    return strcasestr(hay, needle) != NULL;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void bench(const char *name, const camas_matcher *m, const char *const *qs,
                  const char *const *langs, size_t nq, long iters)
{
    size_t total = nq * (size_t)iters;
    double *lat = malloc(total * sizeof *lat);
    if (!lat)
        return;
    camas_match r[5];
    size_t k = 0;
    double t0 = now_ns();
    for (long it = 0; it < iters; it++) {
        for (size_t i = 0; i < nq; i++) {
            double a = now_ns();
            camas_matcher_query(m, qs[i], langs[i], NULL, NULL, r, 5);
            lat[k++] = now_ns() - a;
        }
    }
    double el = now_ns() - t0;
    qsort(lat, total, sizeof *lat, cmp_double);
    printf("bench %-28s %8zu queries  %9.0f questions/s  p50 %7.0f ns  p99 %8.0f ns\n", name, total,
           total / (el / 1e9), lat[total / 2], lat[(size_t)(total * 0.99)]);
    free(lat);
}

/* What a plugin reload costs the matcher: faq's entries forgotten, read again and the index
 * rebuilt, timed apart (the rebuild is the part that grows with the other plugins). "new
 * text" rebuilds after faq was gone for one build, as if all its text had changed. */
__attribute__((noinline)) static void bench_reload(camas_matcher *m, const char *knowledge,
                                                   long iters)
{
    double *build = malloc((size_t)iters * sizeof *build);
    double *fresh = malloc((size_t)iters * sizeof *fresh);
    double *load = malloc((size_t)iters * sizeof *load);
    kb scratch = {0};
    long done = 0;
    for (; build && fresh && load && done < iters; done++) {
        camas_matcher_remove_owner(m, 0);
        double a = now_ns();
        if (load_entries(m, &scratch, knowledge, 0) < 0)
            break;
        double b = now_ns();
        if (camas_matcher_build(m) < 0)
            break;
        build[done] = now_ns() - b;
        load[done] = b - a;
        camas_matcher_remove_owner(m, 0);
        if (camas_matcher_build(m) < 0 || load_entries(m, &scratch, knowledge, 0) < 0)
            break;
        b = now_ns();
        if (camas_matcher_build(m) < 0)
            break;
        fresh[done] = now_ns() - b;
        for (size_t i = 0; i < scratch.n; i++) {
            free(scratch.a[i].id);
            free(scratch.a[i].text[0]);
            free(scratch.a[i].text[1]);
        }
        scratch.n = 0;
    }
    if (done > 0) {
        qsort(build, (size_t)done, sizeof *build, cmp_double);
        qsort(fresh, (size_t)done, sizeof *fresh, cmp_double);
        qsort(load, (size_t)done, sizeof *load, cmp_double);
        printf("bench reload faq: read+add p50 %7.0f ns  rebuild p50 %8.0f ns  p99 %8.0f ns  "
               "(new text: p50 %8.0f ns)\n",
               load[done / 2], build[done / 2], build[(size_t)(done * 0.99)], fresh[done / 2]);
    }
    free(scratch.a);
    free(build);
    free(fresh);
    free(load);
}

/* A synthetic base: n entries of 8 phrasings built from a mixed vocabulary. */
static camas_matcher *synthetic(size_t n, const char *knowledge)
{
    camas_matcher *m = camas_matcher_new();
    if (!m || load_shared(m, knowledge) < 0) {
        camas_matcher_free(m);
        return NULL;
    }
    static const char *const words[] = {
        "meeting",     "chair",         "members",    "law",         "contact",      "email",
        "phone",       "purpose",       "victims",    "services",    "housing",      "legislation",
        "agencies",    "survivor",      "quarterly",  "public",      "invitation",   "documents",
        "agenda",      "report",        "training",   "funding",     "program",      "coordination",
        "prosecution", "investigation", "outreach",   "youth",       "labor",        "sex",
        "network",     "community",     "prevention", "data",        "policy",       "court",
        "county",      "health",        "education",  "interpreter", "compensation", "shelter",
        "hotline",     "partner",       "strategy",   "review",      "committee",    "office",
        "director"};
    static const char *const bodies[] = {"task-force", "washact", "csec", NULL};
    size_t nw = sizeof words / sizeof words[0];
    unsigned seed = 12345;
    char buf[8][256];
    const char *texts[8];
    char id[64];
    for (size_t e = 0; e < n; e++) {
        for (int p = 0; p < 8; p++) {
            buf[p][0] = '\0';
            int len = 3 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 5;
            for (int w = 0; w < len; w++) {
                seed = seed * 1103515245u + 12345u;
                size_t wi = (seed >> 16) % (nw + 400);
                char tmp[32];
                if (wi < nw)
                    snprintf(tmp, sizeof tmp, "%s ", words[wi]);
                else
                    snprintf(tmp, sizeof tmp, "w%zux%zu ", wi, e % 97);
                strncat(buf[p], tmp, sizeof buf[p] - strlen(buf[p]) - 1);
            }
            texts[p] = buf[p];
        }
        snprintf(id, sizeof id, "syn-%zu", e);
        if (camas_matcher_add_entry(m, 1, id, bodies[e % 4], e % 2 ? "fr" : "en", texts, 8) < 0) {
            camas_matcher_free(m);
            return NULL;
        }
    }
    if (camas_matcher_build(m) < 0) {
        camas_matcher_free(m);
        return NULL;
    }
    return m;
}

typedef struct tally {
    int ok, n;
} tally;

/* The lexical-only understanding of a matcher, as the worker has without the model. */
static void understand_lexical(const camas_matcher *m, const char *q, const char *lang,
                               camas_understanding *u)
{
    camas_understand_query(NULL, m, q, lang, NULL, NULL, u);
}

typedef struct loo_tally {
    int n, right, clarified_with_right, declined, wrong;
} loo_tally;

static void loo_count(loo_tally *t, const camas_understanding *u, const char *entry)
{
    t->n++;
    if (u->decision == CAMAS_DECIDE_ANSWER) {
        if (strcmp(u->options[0].entry_id, entry) == 0)
            t->right++;
        else
            t->wrong++;
    } else if (u->decision == CAMAS_DECIDE_CLARIFY) {
        bool in = false;
        for (size_t i = 0; i < u->noptions; i++)
            in |= strcmp(u->options[i].entry_id, entry) == 0;
        if (in)
            t->clarified_with_right++;
        else
            t->wrong++;
    } else
        t->declined++;
}

static void loo_print(const char *name, const loo_tally *t)
{
    printf("leave-one-out %-8s %4d examples: right %5.1f%% (%d), clarified with the right "
           "entry %d, declined %d, wrong %d\n",
           name, t->n, t->n ? 100.0 * t->right / t->n : 0, t->right, t->clarified_with_right,
           t->declined, t->wrong);
}

/* Reloads plugin p's entries into the lexical matcher, without one example question of one
 * entry when entry is not NULL, and rebuilds. Returns 0 or -1. */
static int reload_plugin(camas_matcher *m, const char *kdir, uint32_t p, const char *entry,
                         const char *text)
{
    kb scratch = {0};
    skip_entry = entry;
    skip_text = text;
    camas_matcher_remove_owner(m, p);
    int rc = load_entries(m, &scratch, kdir, p) < 0 || camas_matcher_build(m) < 0 ? -1 : 0;
    for (size_t i = 0; i < scratch.n; i++) {
        free(scratch.a[i].id);
        free(scratch.a[i].text[0]);
        free(scratch.a[i].text[1]);
    }
    free(scratch.a);
    skip_entry = skip_text = NULL;
    return rc;
}

/* Leave-one-out over knowledge/'s example questions: each example is removed from the
 * index (lexical: its plugin's entries reloaded without it; dense: masked), asked, and
 * scored against the entry it belongs to. */
static int leave_one_out(camas_matcher *m, camas_understand *u, const char *kdir, bool verbose)
{
    loo_tally lex = {0}, hyb = {0};
    static const char *const langs[] = {"en", "fr"};
    load_u = NULL; /* reloads below are lexical only: u keeps every text, masked in turn */
    char err[512];
    for (uint32_t p = 0; p < NPLUGINS; p++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", kdir, plugins[p]);
        DIR *d = opendir(dir);
        if (!d)
            continue;
        struct dirent *de;
        while ((de = readdir(d))) {
            size_t nl = strlen(de->d_name);
            if (nl < 6 || strcmp(de->d_name + nl - 5, ".yaml") != 0)
                continue;
            char file[8192];
            snprintf(file, sizeof file, "%s/%s", dir, de->d_name);
            cJSON *doc = camas_yaml_load(file, err, sizeof err);
            if (!doc)
                return -1;
            const cJSON *e;
            cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(doc, "entries"))
            {
                const char *id = str_of(e, "id");
                const cJSON *ask = cJSON_GetObjectItemCaseSensitive(e, "ask");
                for (int l = 0; id && l < 2; l++) {
                    const cJSON *q;
                    cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(ask, langs[l]))
                    {
                        if (!cJSON_IsString(q))
                            continue;
                        if (reload_plugin(m, kdir, p, id, q->valuestring) < 0) {
                            load_u = u;
                            return -1;
                        }
                        const char *det = camas_detect_lang(q->valuestring, NULL);
                        if (getenv("CAMAS_UNDERSTAND_TRACE"))
                            printf("GT\tloo\t%s\t%s\n", q->valuestring, id);
                        camas_understanding ul, uh;
                        understand_lexical(m, q->valuestring, det, &ul);
                        loo_count(&lex, &ul, id);
                        if (u) {
                            camas_understand_mask(u, id, q->valuestring, true);
                            camas_understand_query(u, m, q->valuestring, det, NULL, NULL, &uh);
                            camas_understand_mask(u, id, q->valuestring, false);
                            loo_count(&hyb, &uh, id);
                            if (verbose && !(uh.decision == CAMAS_DECIDE_ANSWER &&
                                             strcmp(uh.options[0].entry_id, id) == 0))
                                printf("LOO     [%s] %s -> %d %s (%.3f)\n", id, q->valuestring,
                                       (int)uh.decision, uh.noptions ? uh.options[0].entry_id : "-",
                                       uh.confidence);
                        }
                    }
                }
            }
            cJSON_Delete(doc);
        }
        closedir(d);
        if (reload_plugin(m, kdir, p, NULL, NULL) < 0) /* put the plugin back whole */
            return -1;
    }
    loo_print("lexical", &lex);
    if (u)
        loo_print("hybrid", &hyb);
    load_u = u;
    return 0;
}

/* A set of labelled messages (`messages:` of text, lang, label danger|negative): each with
 * the patterns' verdict and the learned score, as "DANGER\tlabel\tpatterns\tscore\ttext"
 * lines (for choosing thresholds), then recall and false alarms at the shipped levels. */
static int danger_set(const cJSON *doc, const camas_matcher *m)
{
    camas_safety *safety = camas_safety_new();
    if (!safety)
        return 2;
    int n[2] = {0}, flagged[2] = {0}, first[2] = {0};
    const cJSON *msg;
    cJSON_ArrayForEach(msg, cJSON_GetObjectItemCaseSensitive(doc, "messages"))
    {
        const char *text = str_of(msg, "text"), *label = str_of(msg, "label");
        if (!text || !label)
            continue;
        int d = strcmp(label, "danger") == 0;
        bool patterns = camas_safety_check(safety, text, NULL);
        float score = -1, kernel = -1;
        if (load_u) {
            camas_understanding und;
            camas_understand_query(load_u, m, text, camas_detect_lang(text, NULL), NULL, NULL,
                                   &und);
            score = und.danger;
            kernel = und.danger_kernel;
        }
        int level = camas_safety_level(patterns, score, kernel);
        n[d]++;
        flagged[d] += level > 0;
        first[d] += level == 2;
        printf("DANGER\t%s\t%d\t%.4f\t%d\t%s\n", label, patterns, (double)score, level, text);
    }
    printf("danger recall %d/%d (first %d); false alarms %d/%d (first %d)\n", flagged[1], n[1],
           first[1], flagged[0], n[0], first[0]);
    camas_safety_free(safety);
    return 0;
}

int main(int argc, char **argv)
{
    const char *kdir = NULL, *qfile = NULL, *model = NULL, *cache = NULL;
    long bench_n = 0;
    bool verbose = false, loo = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--bench") == 0 && i + 1 < argc)
            bench_n = atol(argv[++i]);
        else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc)
            model = argv[++i];
        else if (strcmp(argv[i], "--loo") == 0)
            loo = true;
        else if (strcmp(argv[i], "--cache") == 0 && i + 1 < argc)
            cache = argv[++i];
        else if (strcmp(argv[i], "-v") == 0)
            verbose = true;
        else if (!kdir)
            kdir = argv[i];
        else if (!qfile)
            qfile = argv[i];
    }
    if (!kdir || !qfile) {
        usage();
        return 2;
    }
    camas_matcher *m = camas_matcher_new();
    kb k = {0};
    if (model) {
        int cfd = cache ? open(cache, O_RDWR | O_CREAT | O_CLOEXEC, 0600) : -1;
        load_u = camas_understand_new(CAMAS_MODE_HYBRID, model, cfd, kdir);
        if (load_u)
            camas_understand_work(load_u, 0); /* opens the model */
        if (!load_u || !camas_understand_has_model(load_u)) {
            fprintf(stderr, "cannot load the model %s\n", model);
            return 2;
        }
        /* the worker's real words: typos are mended for the model as the worker mends them
         * (without them "governor" reads as some other word, and in scope) */
        static const char *const word_lists[] = {CAMAS_LEXICON_EN, CAMAS_LEXICON_FR};
        lexicon = camas_lexicon_load(word_lists, 2);
        camas_understand_set_lexicon(load_u, lexicon);
    }
    if (!m || load_shared(m, kdir) < 0) {
        fprintf(stderr, "cannot load %s\n", kdir);
        return 2;
    }
    for (uint32_t p = 0; p < NPLUGINS; p++)
        if (load_entries(m, &k, kdir, p) < 0) {
            fprintf(stderr, "cannot load %s/%s\n", kdir, plugins[p]);
            return 2;
        }
    if (camas_matcher_build(m) < 0) {
        fprintf(stderr, "build failed\n");
        return 2;
    }
    while (load_u && camas_understand_work(load_u, 1000))
        ; /* embed everything (and train the classifiers) before asking */
    char err[512];
    cJSON *qdoc = camas_yaml_load(qfile, err, sizeof err);
    if (!qdoc) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    if (cJSON_GetObjectItemCaseSensitive(qdoc, "messages"))
        return danger_set(qdoc, m); /* tests/fixtures/dev-danger-2.yaml */
    const cJSON *qs = cJSON_GetObjectItemCaseSensitive(qdoc, "questions");
    size_t nq = (size_t)cJSON_GetArraySize(qs);
    const char **qtext = calloc(nq ? nq : 1, sizeof *qtext);
    const char **qlang = calloc(nq ? nq : 1, sizeof *qlang);
    camas_safety *safety = camas_safety_new();
    if (!qtext || !qlang || !safety)
        return 2;

    tally by_lang[2] = {{0}}, by_plugin[NPLUGINS] = {{0}}, answers = {0}, declines = {0},
          dangers = {0};
    int lang_wrong = 0, lang_nocue = 0, safety_fp = 0;
    size_t qi = 0;
    const cJSON *q;
    cJSON_ArrayForEach(q, qs)
    {
        const char *text = str_of(q, "q"), *lang = str_of(q, "lang"), *kind = str_of(q, "kind");
        const char *plugin = str_of(q, "plugin");
        if (!text || !lang)
            continue;
        if (!kind)
            kind = "answer";
        int li = strcmp(lang, "fr") == 0;
        double lconf;
        const char *det = camas_detect_lang(text, &lconf);
        qtext[qi] = text;
        qlang[qi++] = det;
        if (strcmp(det, lang) != 0) {
            /* A question with no language cue at all is answered in English; labelling one
             * French is a wrong-language answer all the same. */
            lang_wrong++;
            if (lconf <= 0)
                lang_nocue++;
            printf("LANG    [%s->%s] %s%s\n", lang, det, text,
                   lconf > 0 ? "" : " (no language cue: English by default)");
        }
        bool danger = camas_safety_check(safety, text, NULL);
        if (strcmp(kind, "danger") == 0) {
            dangers.n++;
            by_lang[li].n++;
            if (danger) {
                dangers.ok++;
                by_lang[li].ok++;
            } else {
                printf("MISSED  [danger] %s\n", text);
            }
            continue;
        }
        if (danger) {
            safety_fp++;
            printf("SAFETY? [%s] %s (safety message would be sent first)\n", kind, text);
        }
        if (getenv("CAMAS_UNDERSTAND_TRACE")) {
            /* the entries whose answer holds every expected string */
            printf("GT\t%s\t%s\t", kind, text);
            for (size_t ai = 0; ai < k.n; ai++) {
                bool all = strcmp(kind, "answer") == 0;
                const cJSON *x;
                cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(q, "expect"))
                {
                    if (all && cJSON_IsString(x) &&
                        !contains_ci(k.a[ai].text[strcmp(det, "fr") == 0], x->valuestring))
                        all = false;
                }
                if (all)
                    printf("%s,", k.a[ai].id);
            }
            printf("\n");
        }
        camas_understanding und;
        camas_understand_query(load_u, m, text, det, NULL, NULL, &und);
        if (und.decision != CAMAS_DECIDE_DECLINE && /* as the worker reads it after */
            camas_matcher_other_group(m, lexicon, text, det, is_body_word, NULL))
            und.decision = CAMAS_DECIDE_DECLINE;
        camas_match *r = und.options;
        size_t nr = und.noptions;
        double conf = und.confidence;
        bool answered = und.decision == CAMAS_DECIDE_ANSWER;
        if (strcmp(kind, "unknown") == 0)
            continue; /* answered from knowledge/ or declined: either is honest */
        by_lang[li].n++;
        if (strcmp(kind, "decline") == 0) {
            declines.n++;
            if (und.decision == CAMAS_DECIDE_DECLINE) {
                declines.ok++;
                by_lang[li].ok++;
            } else {
                printf("ANSWERED[decline] %s -> %s (%.2f)\n", text, r[0].entry_id, conf);
            }
            continue;
        }
        answers.n++;
        int pi = -1;
        for (int p = 0; p < NPLUGINS; p++)
            if (plugin && strcmp(plugin, plugins[p]) == 0)
                pi = p;
        if (pi >= 0)
            by_plugin[pi].n++;
        const answer *a = nr ? find_answer(&k, r[0].entry_id) : NULL;
        bool good = answered && a;
        const char *missing = NULL;
        const cJSON *ex;
        cJSON_ArrayForEach(ex, cJSON_GetObjectItemCaseSensitive(q, "expect"))
        {
            if (good && cJSON_IsString(ex) &&
                !contains_ci(a->text[strcmp(det, "fr") == 0], ex->valuestring)) {
                good = false;
                missing = ex->valuestring;
            }
        }
        if (good) {
            answers.ok++;
            by_lang[li].ok++;
            if (pi >= 0)
                by_plugin[pi].ok++;
            if (verbose)
                printf("ok      %s -> %s (%.2f)\n", text, r[0].entry_id, conf);
        } else {
            printf("WRONG   [%s] %s -> %s (%.2f)%s%s%s", lang, text, nr ? r[0].entry_id : "-", conf,
                   missing ? " missing \"" : "", missing ? missing : "", missing ? "\"" : "");
            if (nr > 1)
                printf(" | 2nd %s (%.2f)", r[1].entry_id, r[1].confidence);
            printf("\n");
        }
    }
    printf("\n%s, threshold %.2f\n", load_u ? "hybrid (with the model)" : "lexical",
           CAMAS_MATCH_MIN_CONFIDENCE);
    if (loo && leave_one_out(m, load_u, kdir, verbose) < 0)
        fprintf(stderr, "leave-one-out failed\n");
    const char *ln[] = {"en", "fr"};
    for (int l = 0; l < 2; l++)
        printf("lang %-9s %3d/%3d  %5.1f%%\n", ln[l], by_lang[l].ok, by_lang[l].n,
               by_lang[l].n ? 100.0 * by_lang[l].ok / by_lang[l].n : 0);
    for (int p = 0; p < NPLUGINS; p++)
        printf("plugin %-7s %3d/%3d  %5.1f%%\n", plugins[p], by_plugin[p].ok, by_plugin[p].n,
               by_plugin[p].n ? 100.0 * by_plugin[p].ok / by_plugin[p].n : 0);
    double acc = answers.n ? 100.0 * answers.ok / answers.n : 100;
    printf("answers  %3d/%3d  %5.1f%%\ndeclines %3d/%3d\ndangers  %3d/%3d\n", answers.ok, answers.n,
           acc, declines.ok, declines.n, dangers.ok, dangers.n);
    printf("language detection wrong: %d (plus %d without any cue); safety false positives: %d\n",
           lang_wrong, lang_nocue, safety_fp);

    if (bench_n > 0) {
        bench("real knowledge", m, qtext, qlang, qi, bench_n);
        bench_reload(m, kdir, bench_n);
        camas_matcher *big = synthetic(10000, kdir);
        if (big) {
            printf("synthetic base: %zu documents\n", camas_matcher_size(big));
            bench("synthetic 10,000 entries", big, qtext, qlang, qi, bench_n);
            camas_matcher_free(big);
        }
    }

    bool pass =
        acc >= 95.0 && lang_wrong == 0 && dangers.ok == dangers.n && declines.ok == declines.n;
    printf("%s\n", pass ? "PASS" : "FAIL");
    for (size_t i = 0; i < k.n; i++) {
        free(k.a[i].id);
        free(k.a[i].text[0]);
        free(k.a[i].text[1]);
    }
    free(k.a);
    free(qtext);
    free(qlang);
    cJSON_Delete(qdoc);
    camas_matcher_free(m);
    camas_understand_free(load_u);
    camas_lexicon_free(lexicon);
    camas_safety_free(safety);
    return pass ? 0 : 1;
}
