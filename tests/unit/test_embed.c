/* Unit tests for the embedding engine (core/embed/embed.h) with the real model: token ids and
 * vectors against the pinned reference engine (tests/fixtures/embed/reference.json, made by
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

/* ---- hostile model files -------------------------------------------------------------- */

typedef struct {
    char *data;
    size_t len;
    char dir[64];
    int n;
} model_copy;

static uint32_t get_u32(const char *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static void put_u32(char *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

/* Offset of the tensor directory entry for `name` (its name length field), or 0. */
static size_t find_entry(const model_copy *mc, const char *name, size_t *dir_end)
{
    const char *d = mc->data;
    size_t n = get_u32(d + 44), blob;
    memcpy(&blob, d + 64, 8);
    size_t p = 72 + 4 * (n + 1) + 4 * n + blob;
    p += 8 + get_u32(d + p + 4); /* normalisation table */
    size_t count = get_u32(d + p), found = 0;
    p += 4;
    for (size_t i = 0; i < count; i++) {
        size_t nl = (uint8_t)d[p] | (size_t)(uint8_t)d[p + 1] << 8;
        if (nl == strlen(name) && memcmp(d + p + 2, name, nl) == 0)
            found = p;
        p += 2 + nl + 1 + 4 + 8 + 8;
    }
    if (dir_end)
        *dir_end = p;
    return found;
}

/* Writes len bytes of the (possibly patched) model to a new file; opens it and expects an error
 * mentioning `expect`. */
static void expect_reject(model_copy *mc, size_t len, const char *what, const char *expect)
{
    char path[128];
    snprintf(path, sizeof path, "%s/bad%d.bin", mc->dir, mc->n++);
    FILE *f = fopen(path, "wb");
    CHECK(f && fwrite(mc->data, 1, len, f) == len);
    if (f)
        fclose(f);
    char err[256] = "";
    camas_embed_model *m = camas_embed_open(path, err, sizeof err);
    CHECK(m == NULL);
    CHECK(err[0] != '\0');
    CHECK(strstr(err, expect) != NULL);
    if (m || !strstr(err, expect))
        fprintf(stderr, "  %s: expected an error about \"%s\", got \"%s\"\n", what, expect,
                m ? "(opened)" : err);
    else
        printf("  rejected %s: %s\n", what, err);
    camas_embed_close(m);
    unlink(path);
}

static void test_hostile_models(const char *path)
{
    model_copy mc = {.n = 0};
    mc.data = read_file(path, &mc.len);
    CHECK(mc.data != NULL && mc.len > 4096);
    snprintf(mc.dir, sizeof mc.dir, "/tmp/camas-embed-XXXXXX");
    CHECK(mkdtemp(mc.dir) != NULL);
    if (!mc.data || mc.len <= 4096) {
        free(mc.data);
        return;
    }
    char *orig = malloc(mc.len);
    memcpy(orig, mc.data, mc.len);
#define RESTORE() memcpy(mc.data, orig, mc.len)

    /* Truncations: inside the header, the vocabulary, the directory, the last tensor. */
    expect_reject(&mc, 0, "empty file", "not a non-empty regular file");
    expect_reject(&mc, 20, "cut in the header", "truncated");
    expect_reject(&mc, 5000, "cut in the vocabulary", "truncated");
    size_t dir_end;
    size_t e = find_entry(&mc, "emb.word", &dir_end);
    CHECK(e > 0);
    expect_reject(&mc, dir_end - 10, "cut in the directory", "truncated");
    expect_reject(&mc, mc.len - 1, "last tensor cut", "outside the data area");
    expect_reject(&mc, mc.len / 2, "cut in half", "outside the data area");

    /* Header fields. */
    memcpy(mc.data, "E5S2", 4);
    expect_reject(&mc, mc.len, "bad magic", "bad magic");
    RESTORE();
    put_u32(mc.data + 4, 7);
    expect_reject(&mc, mc.len, "version", "version");
    RESTORE();
    static const struct {
        size_t off;
        uint32_t value;
        const char *expect;
    } fields[] = {
        {8, 1u << 30, "hidden size"},
        {8, 0x80000000u, "hidden size"},
        {8, 400, "multiples of 32"},
        {12, 100000, "layer count"},
        {12, 0, "layer count"},
        {16, 0, "head count"},
        {16, 7, "heads do not split"},
        {20, 0xFFFFFFFFu, "FFN size"},
        {24, 1u << 31, "vocabulary rows"},
        {24, 1000, "vocabulary size"},
        {28, 1u << 20, "position count"},
        {32, 1000, "token type rows"},
        {40, 64, "block size"},
        {44, 0x7FFFFFFFu, "vocabulary size"},
        {48, 999999999, "<s> id"},
        {56, 0xFFFFFFFFu, "<pad> id"},
        {60, 0, "must differ"},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        put_u32(mc.data + fields[i].off, fields[i].value);
        expect_reject(&mc, mc.len, fields[i].expect, fields[i].expect);
        RESTORE();
    }
    put_u32(mc.data + 36, 0x7FC00000u); /* NaN epsilon */
    expect_reject(&mc, mc.len, "NaN epsilon", "epsilon");
    RESTORE();
    memset(mc.data + 64, 0xFF, 8); /* piece bytes length */
    expect_reject(&mc, mc.len, "huge piece bytes", "piece bytes");
    RESTORE();
    put_u32(mc.data + 72 + 4 * 10, 0xFFFFFF00u); /* a piece offset out of order */
    expect_reject(&mc, mc.len, "piece offsets", "piece 9");
    RESTORE();

    /* Directory: offsets and sizes past the end, wrong shapes, duplicates. */
    char *ent = mc.data + e; /* emb.word: u16 len, name, u8 type, u32 n, u64 off, u64 bytes */
    size_t nl = 8;
    uint64_t big = (uint64_t)mc.len - 100;
    memcpy(ent + 2 + nl + 5, &big, 8);
    expect_reject(&mc, mc.len, "offset past the end", "outside the data area");
    RESTORE();
    big = UINT64_MAX - 10;
    memcpy(ent + 2 + nl + 5, &big, 8);
    expect_reject(&mc, mc.len, "offset overflowing", "outside the data area");
    RESTORE();
    memcpy(ent + 2 + nl + 13, &big, 8);
    expect_reject(&mc, mc.len, "huge length", "bytes, expected");
    RESTORE();
    put_u32(ent + 2 + nl + 1, 12345);
    expect_reject(&mc, mc.len, "element count", "elements, expected");
    RESTORE();
    ent[2 + nl] = 0;
    expect_reject(&mc, mc.len, "type", "type 0, expected 1");
    RESTORE();
    memcpy(ent + 2, "emb.pos\0", 8);
    expect_reject(&mc, mc.len, "NUL in a name", "NUL in its name");
    RESTORE();
    memcpy(ent + 2, "emb.wore", 8);
    expect_reject(&mc, mc.len, "missing tensor", "emb.word is missing");
    RESTORE();
    size_t e2 = find_entry(&mc, "l0.q.b", NULL);
    memcpy(mc.data + e2 + 2, "l0.k", 4); /* l0.k.b twice */
    expect_reject(&mc, mc.len, "duplicate tensor", "appears twice");
    RESTORE();

    /* Values: NaN in a float tensor, infinity in a 4-bit block scale. */
    uint64_t off;
    size_t e3 = find_entry(&mc, "emb.ln.w", NULL);
    memcpy(&off, mc.data + e3 + 2 + 8 + 5, 8);
    put_u32(mc.data + off + 4 * 7, 0x7FC00000u);
    expect_reject(&mc, mc.len, "NaN weight", "non-finite");
    RESTORE();
    size_t e4 = find_entry(&mc, "l3.fi.w", NULL);
    memcpy(&off, mc.data + e4 + 2 + 7 + 5, 8);
    mc.data[off + 18 * 100] = 0x00;
    mc.data[off + 18 * 100 + 1] = 0x7C; /* +infinity as a half */
    expect_reject(&mc, mc.len, "infinite block scale", "not finite");
    RESTORE();

    /* The untouched copy still loads, so the cases above failed for their own reason. */
    char path2[128];
    snprintf(path2, sizeof path2, "%s/good.bin", mc.dir);
    FILE *f = fopen(path2, "wb");
    CHECK(f && fwrite(mc.data, 1, mc.len, f) == mc.len);
    if (f)
        fclose(f);
    char err[256];
    camas_embed_model *m = camas_embed_open(path2, err, sizeof err);
    CHECK(m != NULL);
    camas_embed_close(m);
    unlink(path2);

    CHECK(camas_embed_open(mc.dir, err, sizeof err) == NULL); /* a directory */
    CHECK(camas_embed_open("/nonexistent/model.bin", err, sizeof err) == NULL);
    CHECK(strstr(err, "cannot open") != NULL);
    CHECK(camas_embed_open(NULL, NULL, 0) == NULL);
    rmdir(mc.dir);
#undef RESTORE
    free(orig);
    free(mc.data);
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
    test_hostile_models(path);
    return check_done("embed");
}
