/* Unit tests for the embedding engine (core/embed.h) with the real model: token ids and vectors
 * against the pinned reference engine (tests/fixtures/embed/reference.json, made by
 * gen_reference.py), every kernel this CPU has against the others, hostile text (the
 * normalisation overflow of the reference, invalid UTF-8, NULs, huge input) and hostile model
 * files (truncated, absurd header fields, tensors past the end), which must fail cleanly.
 *
 * The model comes from $CAMAS_EMBED_MODEL or the build's default (models/e5-small-q4.bin,
 * fetched by scripts/setup). A missing model is a failure, not a skip. */
#include "check.h"
#include "embed.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CAMAS_EMBED_DEFAULT_MODEL
#define CAMAS_EMBED_DEFAULT_MODEL "models/e5-small-q4.bin"
#endif

#define MAX_IDS 1024

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (cap - n < 65536) {
            char *grown = realloc(buf, cap + 65536 + 1);
            if (!grown) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
            cap += 65536;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static double cosine(const float *a, const float *b, int n)
{
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < n; i++) {
        ab += (double)a[i] * b[i];
        aa += (double)a[i] * a[i];
        bb += (double)b[i] * b[i];
    }
    return ab / sqrt(aa * bb);
}

/* A usable result: finite and of unit length. */
static bool unit_vector(const float *v, int n)
{
    double ss = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            return false;
        ss += (double)v[i] * v[i];
    }
    return fabs(ss - 1.0) < 1e-4;
}

static const char *const kernels[] = {"avx512vnni", "avx2", "scalar"};

/* Back to the best kernel this CPU runs (the one camas_embed_open picks). */
static void best_kernel(camas_embed_model *m)
{
    for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++)
        if (camas_embed_set_kernel(m, kernels[k]) == 0)
            return;
}

static void test_reference(camas_embed_model *m)
{
    size_t len;
    char *json = read_file(FIXTURES "/embed/reference.json", &len);
    CHECK(json != NULL);
    cJSON *root = json ? cJSON_Parse(json) : NULL;
    CHECK(root != NULL);
    cJSON *texts = cJSON_GetObjectItem(root, "texts");
    int dim = camas_embed_dim(m);
    CHECK(dim == cJSON_GetNumberValue(cJSON_GetObjectItem(root, "dim")));
    CHECK(cJSON_GetArraySize(texts) >= 40);
    float *vec = malloc(sizeof(float) * (size_t)dim), *ref = malloc(sizeof(float) * (size_t)dim);
    float *first = malloc(sizeof(float) * (size_t)dim);
    int32_t *ids = malloc(sizeof(int32_t) * MAX_IDS);
    double worst = 1.0, worst_kernel = 1.0;
    int index = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, texts)
    {
        const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(item, "text"));
        int is_query = cJSON_IsTrue(cJSON_GetObjectItem(item, "query"));
        const cJSON *want_ids = cJSON_GetObjectItem(item, "ids");
        const cJSON *want_vec = cJSON_GetObjectItem(item, "vector");
        CHECK(text && cJSON_GetArraySize(want_vec) == dim);
        if (!text || cJSON_GetArraySize(want_vec) != dim)
            continue;

        int n = camas_embed_tokenize(m, text, strlen(text), is_query, ids, MAX_IDS);
        bool same = n == cJSON_GetArraySize(want_ids);
        for (int i = 0; same && i < n; i++)
            same = ids[i] == (int32_t)cJSON_GetNumberValue(cJSON_GetArrayItem(want_ids, i));
        CHECK(same);
        if (!same)
            fprintf(stderr, "  token ids differ for \"%s\" (%d tokens, reference %d)\n", text, n,
                    cJSON_GetArraySize(want_ids));

        for (int i = 0; i < dim; i++)
            ref[i] = (float)cJSON_GetNumberValue(cJSON_GetArrayItem(want_vec, i));
        /* Every kernel this CPU runs must match the reference; the slow portable one on a
         * sample (every fourth text) so that the sanitizer build stays quick. */
        bool have_first = false;
        for (size_t k = 0; k < sizeof kernels / sizeof kernels[0]; k++) {
            if (camas_embed_set_kernel(m, kernels[k]) != 0)
                continue;
            if (strcmp(kernels[k], "scalar") == 0 && index % 4 != 0)
                continue;
            CHECK(camas_embed_text(m, text, strlen(text), is_query, vec) == 0);
            CHECK(unit_vector(vec, dim));
            double c = cosine(vec, ref, dim);
            if (c < worst)
                worst = c;
            CHECK(c >= 0.999);
            if (c < 0.999)
                fprintf(stderr, "  %s: cosine %.6f to the reference for \"%s\"\n", kernels[k], c,
                        text);
            if (!have_first) {
                memcpy(first, vec, sizeof(float) * (size_t)dim);
                have_first = true;
            } else {
                /* Kernels differ only in float summation order, but a last-bit difference can
                 * flip the rounding of an activation to int8, and that propagates a little. */
                double ck = cosine(vec, first, dim);
                if (ck < worst_kernel)
                    worst_kernel = ck;
                CHECK(ck >= 0.9999);
            }
        }
        best_kernel(m);
        index++;
    }
    printf("embed: %d reference texts, worst cosine %.6f, worst kernel agreement %.7f\n", index,
           worst, worst_kernel);
    free(vec);
    free(ref);
    free(first);
    free(ids);
    cJSON_Delete(root);
    free(json);
}

static char *repeat(const char *unit, size_t times, size_t *len)
{
    size_t n = strlen(unit);
    char *s = malloc(n * times + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * n, unit, n);
    s[n * times] = '\0';
    *len = n * times;
    return s;
}

/* Text that must embed to a finite unit vector without tripping the sanitizers. */
static void check_embeds(camas_embed_model *m, const char *what, const char *text, size_t len)
{
    int dim = camas_embed_dim(m);
    float *vec = malloc(sizeof(float) * (size_t)dim);
    for (int q = 0; q < 2; q++) {
        int rc = camas_embed_text(m, text, len, q, vec);
        CHECK(rc == 0);
        CHECK(rc == 0 && unit_vector(vec, dim));
        if (rc != 0 || !unit_vector(vec, dim))
            fprintf(stderr, "  hostile text \"%s\" (%s) failed\n", what, q ? "query" : "passage");
        int n = camas_embed_tokenize(m, text, len, q, NULL, 0);
        CHECK(n >= 2 &&
              n <= (q ? CAMAS_EMBED_QUERY_TOKENS_DEFAULT : CAMAS_EMBED_PASSAGE_TOKENS_DEFAULT));
    }
    free(vec);
}

static void test_hostile_text(camas_embed_model *m)
{
    size_t len;
    char *s;
    /* U+FDFA is 3 bytes and normalises to 18 code points: the reference's heap overflow. */
    s = repeat("\xEF\xB7\xBA", 20, &len);
    check_embeds(m, "U+FDFA x 20", s, len);
    free(s);
    s = repeat("\xEF\xB7\xBA", 5000, &len);
    check_embeds(m, "U+FDFA x 5000", s, len);
    free(s);
    s = repeat("traite des êtres humains ", 1 << 20 >> 5, &len);
    check_embeds(m, "1 MiB of text", s, len);
    int32_t ids[8];
    CHECK(camas_embed_tokenize(m, s, len, 1, ids, 8) == CAMAS_EMBED_QUERY_TOKENS_DEFAULT);
    CHECK(camas_embed_tokenize(m, s, len, 0, ids, 8) == CAMAS_EMBED_PASSAGE_TOKENS_DEFAULT);
    free(s);
    s = repeat("\xFF\xFE\xC3\x28\xE2\x82\xED\xA0\x80\xF4\x90\x80\x80\xC0\xAF", 200, &len);
    check_embeds(m, "invalid UTF-8", s, len);
    free(s);
    /* A sequence cut at the very end, and a lone lead byte. */
    check_embeds(m, "truncated sequence", "caf\xC3", 4);
    check_embeds(m, "lone lead byte", "\xE2", 1);
    check_embeds(m, "NULs in the middle", "help\0me\0\0please", 16);
    check_embeds(m, "only NULs", "\0\0\0\0", 4);
    s = repeat("\xCC\x81", 3000, &len); /* U+0301 COMBINING ACUTE ACCENT, alone */
    check_embeds(m, "only combining marks", s, len);
    free(s);
    s = repeat("\xCC\x81\xCC\xA3\xCD\x85", 1000, &len); /* marks NFC reorders */
    check_embeds(m, "unordered combining marks", s, len);
    free(s);
    check_embeds(m, "empty", "", 0);
    check_embeds(m, "NULL pointer, zero length", NULL, 0);
    check_embeds(m, "whitespace only", " \t\n\r\xC2\xA0\xE3\x80\x80", 10);
    check_embeds(m, "control characters", "\x01\x02\x03\x1b[31m\x7f", 9);
    s = repeat("a", 100000, &len); /* one 100 kB word: many Viterbi candidates */
    check_embeds(m, "100 kB word", s, len);
    free(s);
    s = repeat("\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7", 2000,
               &len);
    check_embeds(m, "emoji ZWJ sequences", s, len);
    free(s);
    s = repeat("\xEF\xBC\xA1\xEF\xAC\x81\xC2\xBD\xE2\x84\xAB", 3000, &len); /* Ａ ﬁ ½ Å */
    check_embeds(m, "compatibility characters", s, len);
    free(s);
    s = repeat("<s></s><pad><unk><mask>", 100, &len);
    check_embeds(m, "control piece names", s, len);
    free(s);

    float v[512];
    CHECK(camas_embed_text(m, NULL, 5, 1, v) == -1);
    CHECK(camas_embed_text(NULL, "x", 1, 1, v) == -1);
    CHECK(camas_embed_text(m, "x", 1, 1, NULL) == -1);
    CHECK(camas_embed_tokenize(m, NULL, 5, 1, NULL, 0) == -1);
}

/* Behaviour the reference lacks or that matching relies on. */
static void test_properties(camas_embed_model *m)
{
    int dim = camas_embed_dim(m);
    float *a = malloc(sizeof(float) * (size_t)dim), *b = malloc(sizeof(float) * (size_t)dim);
    int32_t x[64], y[64];
    const char *q = "who chairs the task force?";

    /* Deterministic, and the scratch reuse leaves nothing behind. */
    CHECK(camas_embed_text(m, q, strlen(q), 1, a) == 0);
    CHECK(camas_embed_text(m, "something else entirely, and longer than the first text", 56, 1,
                           b) == 0);
    CHECK(camas_embed_text(m, q, strlen(q), 1, b) == 0);
    CHECK(memcmp(a, b, sizeof(float) * (size_t)dim) == 0);
    camas_embed_trim(m);
    CHECK(camas_embed_text(m, q, strlen(q), 1, b) == 0);
    CHECK(memcmp(a, b, sizeof(float) * (size_t)dim) == 0);

    /* The prefix matters; query and passage of one text are still close. */
    CHECK(camas_embed_text(m, q, strlen(q), 0, b) == 0);
    CHECK(memcmp(a, b, sizeof(float) * (size_t)dim) != 0);
    CHECK(cosine(a, b, dim) > 0.8);

    /* Decomposed accents tokenise like composed ones (NFC first). */
    int n1 = camas_embed_tokenize(m, "comit\xC3\xA9", 7, 1, x, 64);
    int n2 = camas_embed_tokenize(m, "comite\xCC\x81", 8, 1, y, 64);
    CHECK(n1 == n2 && n1 > 0 && memcmp(x, y, sizeof(int32_t) * (size_t)n1) == 0);

    /* Trailing whitespace and NULs are ignored; runs of whitespace count once. */
    n1 = camas_embed_tokenize(m, "help me", 7, 1, x, 64);
    n2 = camas_embed_tokenize(m, "help \0 \t me \n ", 14, 1, y, 64);
    CHECK(n1 == n2 && memcmp(x, y, sizeof(int32_t) * (size_t)n1) == 0);

    /* Caps: configurable within [3, 512], truncation keeps the head of the text. */
    CHECK(camas_embed_set_max_tokens(m, 2, 512) == -1);
    CHECK(camas_embed_set_max_tokens(m, 16, 513) == -1);
    CHECK(camas_embed_set_max_tokens(m, 8, 512) == 0);
    const char *longq = "where can I find the annual report of the committee on trafficking";
    n1 = camas_embed_tokenize(m, longq, strlen(longq), 1, x, 64);
    CHECK(n1 == 8 && x[7] == 2);
    CHECK(camas_embed_text(m, longq, strlen(longq), 1, a) == 0 && unit_vector(a, dim));
    CHECK(camas_embed_set_max_tokens(m, 3, 3) == 0);
    CHECK(camas_embed_text(m, longq, strlen(longq), 0, a) == 0 && unit_vector(a, dim));
    CHECK(camas_embed_set_max_tokens(m, CAMAS_EMBED_QUERY_TOKENS_DEFAULT,
                                     CAMAS_EMBED_PASSAGE_TOKENS_DEFAULT) == 0);
    n2 = camas_embed_tokenize(m, longq, strlen(longq), 1, y, 64);
    CHECK(n2 > 8 && memcmp(x, y, sizeof(int32_t) * 7) == 0);

    CHECK(camas_embed_set_kernel(m, "no-such-kernel") == -1);
    CHECK(camas_embed_set_kernel(m, "scalar") == 0);
    CHECK(strcmp(camas_embed_kernel(m), "scalar") == 0);
    best_kernel(m);
    free(a);
    free(b);
}

int main(void)
{
    const char *path = getenv("CAMAS_EMBED_MODEL");
    if (!path || !*path)
        path = CAMAS_EMBED_DEFAULT_MODEL;
    char err[256];
    camas_embed_model *m = camas_embed_open(path, err, sizeof err);
    if (!m) {
        fprintf(stderr,
                "embed: FAIL: cannot load the embedding model: %s\n"
                "embed: run scripts/setup to fetch it (models/e5-small-q4.bin), or point "
                "CAMAS_EMBED_MODEL at a copy\n",
                err);
        return 1;
    }
    printf("embed: model %s, dim %d, kernel %s\n", path, camas_embed_dim(m), camas_embed_kernel(m));
    CHECK(camas_embed_dim(m) == 384);
    test_reference(m);
    test_hostile_text(m);
    test_properties(m);
    camas_embed_close(m);
    return check_done("embed");
}
