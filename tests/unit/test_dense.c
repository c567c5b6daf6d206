/* Dense retrieval without the model: vectors given by hand, ranking by the best text of each
 * entry, the body filter, leave-one-out masking, reloads that keep vectors, and the cache
 * file (round trip, another model, a torn or damaged tail). */
#include "check.h"
#include "dense.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DIM 4

static void unit(float *v, float a, float b, float c, float d)
{
    float n = sqrtf(a * a + b * b + c * c + d * d);
    v[0] = a / n, v[1] = b / n, v[2] = c / n, v[3] = d / n;
}

static camas_dense *sample(void)
{
    camas_dense *d = camas_dense_new();
    float v[DIM];
    CHECK(camas_dense_add(d, 1, "tf-chair", "task-force", CAMAS_DENSE_ASK, "who chairs the tf") ==
          0);
    CHECK(camas_dense_add(d, 1, "tf-chair", "task-force", CAMAS_DENSE_ASK, "tf chair") == 0);
    CHECK(camas_dense_add(d, 1, "wa-chair", "washact", CAMAS_DENSE_ASK, "who chairs washact") == 0);
    CHECK(camas_dense_add(d, 2, "all-contacts", "all", CAMAS_DENSE_ANSWER, "write to us") == 0);
    CHECK(camas_dense_pending(d) == 4);
    unit(v, 1, 0, 0, 0);
    CHECK(camas_dense_set_vector(d, CAMAS_DENSE_ASK, "who chairs the tf", v, DIM) == 0);
    unit(v, 1, 1, 0, 0);
    CHECK(camas_dense_set_vector(d, CAMAS_DENSE_ASK, "tf chair", v, DIM) == 0);
    unit(v, 0, 1, 0, 0);
    CHECK(camas_dense_set_vector(d, CAMAS_DENSE_ASK, "who chairs washact", v, DIM) == 0);
    unit(v, 0, 0, 1, 0);
    CHECK(camas_dense_set_vector(d, CAMAS_DENSE_ANSWER, "write to us", v, DIM) == 0);
    CHECK(camas_dense_pending(d) == 0);
    return d;
}

static void test_rank_filter_mask(void)
{
    camas_dense *d = sample();
    float q[DIM];
    camas_dense_hit h[4];
    unit(q, 1, 0.1f, 0, 0);
    size_t n = camas_dense_query(d, q, NULL, 0, NULL, NULL, h, 4);
    CHECK(n == 3);
    CHECK_STR(h[0].entry_id, "tf-chair");
    CHECK(h[0].score > 0.99f && h[0].second < h[0].score);
    CHECK_STR(h[1].entry_id, "wa-chair");
    /* naming WashACT leaves the task force's entries out, keeps entries about all */
    const char *wa[] = {"washact"};
    n = camas_dense_query(d, q, wa, 1, NULL, NULL, h, 4);
    CHECK(n == 2);
    CHECK_STR(h[0].entry_id, "wa-chair");
    CHECK_STR(h[1].entry_id, "all-contacts");
    /* leave-one-out: masking the nearest example ranks by the other */
    CHECK(camas_dense_mask(d, "tf-chair", "who chairs the tf", true) == 1);
    n = camas_dense_query(d, q, NULL, 0, NULL, NULL, h, 4);
    CHECK_STR(h[0].entry_id, "tf-chair");
    CHECK(h[0].score < 0.8f);
    camas_dense_mask(d, "tf-chair", "who chairs the tf", false);
    CHECK_STR(camas_dense_entry_body(d, "all-contacts"), "all");
    CHECK_STR(camas_dense_entry_body(d, "wa-chair"), "washact");
    CHECK(camas_dense_entry_body(d, "nope") == NULL);
    /* a reload: the owner's texts go and come back with their vectors, nothing to embed */
    camas_dense_remove_owner(d, 1);
    n = camas_dense_query(d, q, NULL, 0, NULL, NULL, h, 4);
    CHECK(n == 1);
    CHECK(camas_dense_add(d, 3, "tf-chair", "task-force", CAMAS_DENSE_ASK, "tf chair") == 0);
    CHECK(camas_dense_pending(d) == 0);
    camas_dense *copy = camas_dense_new();
    CHECK(camas_dense_copy_owner(copy, d, 3) == 0 && camas_dense_pending(copy) == 0);
    n = camas_dense_query(copy, q, NULL, 0, NULL, NULL, h, 4);
    CHECK(n == 1);
    CHECK_STR(h[0].entry_id, "tf-chair");
    camas_dense_free(copy);
    camas_dense_free(d);
}

/* The labelled examples' fingerprint (what the entry classifier was trained on) names
 * entries by id: a reload of the same knowledge, whose entries then come in another order,
 * finds the classifier trained before instead of training it again (2 s of work). */
static void test_fingerprint_survives_reload(void)
{
    camas_dense *d = sample();
    const float *vecs[8];
    uint32_t entry[8];
    uint64_t before = 0, after = 0, changed = 0;
    CHECK(camas_dense_labelled(d, 10, vecs, entry, 8, &before) == 4);
    camas_dense_remove_owner(d, 1);
    CHECK(camas_dense_add(d, 5, "wa-chair", "washact", CAMAS_DENSE_ASK, "who chairs washact") == 0);
    CHECK(camas_dense_add(d, 5, "tf-chair", "task-force", CAMAS_DENSE_ASK, "tf chair") == 0);
    CHECK(camas_dense_add(d, 5, "tf-chair", "task-force", CAMAS_DENSE_ASK, "who chairs the tf") ==
          0);
    CHECK(camas_dense_labelled(d, 10, vecs, entry, 8, &after) == 4);
    CHECK(after == before);
    /* another example of an entry is another training set */
    camas_dense_remove_owner(d, 5);
    CHECK(camas_dense_add(d, 6, "wa-chair", "washact", CAMAS_DENSE_ASK, "who chairs washact") == 0);
    CHECK(camas_dense_add(d, 6, "wa-chair", "washact", CAMAS_DENSE_ASK, "tf chair") == 0);
    CHECK(camas_dense_add(d, 6, "tf-chair", "task-force", CAMAS_DENSE_ASK, "who chairs the tf") ==
          0);
    CHECK(camas_dense_labelled(d, 10, vecs, entry, 8, &changed) == 4);
    CHECK(changed != before);
    camas_dense_free(d);
}

static void test_cache(void)
{
    char path[] = "/tmp/camas-dense-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    camas_dense *d = camas_dense_new();
    CHECK(camas_dense_cache_attach(d, fd, 42, DIM) == 0);
    camas_dense_free(d);
    d = sample(); /* no cache attached: nothing written */
    camas_dense_free(d);
    d = camas_dense_new();
    CHECK(camas_dense_cache_attach(d, fd, 42, DIM) == 0);
    float v[DIM];
    unit(v, 1, 2, 3, 4);
    CHECK(camas_dense_set_vector(d, CAMAS_DENSE_ASK, "a", v, DIM) == 0);
    CHECK(camas_dense_set_vector(d, CAMAS_DENSE_ASK, "b", v, DIM) == 0);
    camas_dense_free(d);
    /* read back: the texts find their vectors */
    d = camas_dense_new();
    CHECK(camas_dense_cache_attach(d, fd, 42, DIM) == 2);
    CHECK(camas_dense_add(d, 1, "e", NULL, CAMAS_DENSE_ASK, "a") == 0 &&
          camas_dense_pending(d) == 0);
    camas_dense_free(d);
    /* a torn record at the end is skipped, the rest kept, and the next record goes over it */
    CHECK(write(fd, "\1\2\3", 3) == 3);
    d = camas_dense_new();
    CHECK(camas_dense_cache_attach(d, fd, 42, DIM) == 2);
    CHECK(lseek(fd, 0, SEEK_CUR) == 8 + 2 * (16 + DIM * 4));
    unit(v, 4, 3, 2, 1);
    CHECK(camas_dense_set_vector(d, CAMAS_DENSE_ASK, "c", v, DIM) == 0);
    camas_dense_free(d);
    d = camas_dense_new();
    CHECK(camas_dense_cache_attach(d, fd, 42, DIM) == 3);
    camas_dense_free(d);
    /* damage (a vector that is not unit length) ends the file there */
    char junk[16 + DIM * 4];
    memset(junk, 0x7f, sizeof junk);
    CHECK(pwrite(fd, junk, sizeof junk, 8 + (16 + DIM * 4)) == (ssize_t)sizeof junk);
    d = camas_dense_new();
    CHECK(camas_dense_cache_attach(d, fd, 42, DIM) == 1);
    camas_dense_free(d);
    /* another model: nothing of this one's is used */
    d = camas_dense_new();
    CHECK(camas_dense_cache_attach(d, fd, 43, DIM) == 0);
    CHECK(camas_dense_add(d, 1, "e", NULL, CAMAS_DENSE_ASK, "a") == 0 &&
          camas_dense_pending(d) == 1);
    camas_dense_free(d);
    /* not a cache at all: left alone */
    char other[] = "/tmp/camas-dense-XXXXXX";
    int ofd = mkstemp(other);
    CHECK(write(ofd, "hello, world", 12) == 12);
    d = camas_dense_new();
    CHECK(camas_dense_cache_attach(d, ofd, 42, DIM) == 0);
    camas_dense_set_vector(d, CAMAS_DENSE_ASK, "a", v, DIM);
    camas_dense_free(d);
    CHECK(lseek(ofd, 0, SEEK_END) == 12);
    close(ofd);
    unlink(other);
    close(fd);
    unlink(path);
}

/* Half precision: exact where binary16 is, rounded to nearest elsewhere, the special values
 * kept; a dot product over halves within their rounding of the float one, on every path
 * (n not a multiple of 8 takes the scalar tail too). */
static void test_half(void)
{
    CHECK(camas_dense_half(0.0f) == 0x0000);
    CHECK(camas_dense_half(-0.0f) == 0x8000);
    CHECK(camas_dense_half(1.0f) == 0x3c00);
    CHECK(camas_dense_half(-2.0f) == 0xc000);
    CHECK(camas_dense_half(0.5f) == 0x3800);
    CHECK(camas_dense_half(65504.0f) == 0x7bff);
    CHECK(camas_dense_half(1e6f) == 0x7c00);          /* too large: infinity */
    CHECK(camas_dense_half(5.9604645e-8f) == 0x0001); /* the smallest subnormal */
    CHECK(camas_dense_half(1e-9f) == 0x0000);         /* too small: zero */
    CHECK((camas_dense_half(NAN) & 0x7c00) == 0x7c00 && (camas_dense_half(NAN) & 0x3ff) != 0);
    CHECK(camas_dense_half(1.0f + 1.0f / 2048) == 0x3c00); /* a tie rounds to even */
    CHECK(camas_dense_half(1.0f + 3.0f / 2048) == 0x3c02);
    enum { N = 387 };
    float a[N], b[N];
    uint16_t h[N];
    for (int i = 0; i < N; i++) {
        a[i] = (float)((i * 37) % 101 - 50) / 997.0f;
        b[i] = (float)((i * 53) % 89 - 44) / 811.0f;
    }
    camas_dense_to_half(a, h, N);
    float exact = 0;
    for (int i = 0; i < N; i++)
        exact += a[i] * b[i];
    float five = a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3] + a[4] * b[4];
    for (int fast = 0; fast <= (int)camas_dense_half_fast(); fast++) { /* both paths */
        CHECK(fabsf(camas_dense_dot_half(h, b, N, fast) - exact) < 1e-4f);
        CHECK(fabsf(camas_dense_dot_half(h, b, 5, fast) - five) < 1e-5f);
    }
}

int main(void)
{
    test_half();
    test_rank_filter_mask();
    test_cache();
    test_fingerprint_survives_reload();
    return check_done("dense");
}
