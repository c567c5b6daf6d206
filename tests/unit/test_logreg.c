/* The logistic regression behind the learned danger detector and the scope classifier:
 * learns a separable set, scores unseen points on the right side, weighs positives more
 * when asked, and refuses sets without both labels. */
#include "check.h"
#include "logreg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DIM 8

/* points near +e0 are positive, near +e1 negative, with noise; unit length */
static void point(float *v, int positive, unsigned *seed)
{
    for (int k = 0; k < DIM; k++) {
        *seed = *seed * 1103515245u + 12345u;
        v[k] = ((float)((*seed >> 16) % 1000) / 1000.0f - 0.5f) * 0.6f;
    }
    v[positive ? 0 : 1] += 1.0f;
    float n = 0;
    for (int k = 0; k < DIM; k++)
        n += v[k] * v[k];
    n = sqrtf(n);
    for (int k = 0; k < DIM; k++)
        v[k] /= n;
}

/* Three classes around three axes, with noise: trained in steps, the model tells them
 * apart; log probabilities are normalised; kept as unit vectors and rebuilt, the same. */
static void test_softmax(void)
{
    enum { SN = 90, SD = 16, SC = 3 };
    float *x = calloc(SN * SD, sizeof *x);
    uint32_t y[SN];
    unsigned seed = 7;
    for (int i = 0; i < SN; i++) {
        y[i] = (uint32_t)(i % SC);
        float *v = x + i * SD, norm = 0;
        for (int k = 0; k < SD; k++) {
            seed = seed * 1103515245u + 12345u;
            v[k] = ((float)(seed >> 16 & 0x7fff) / 32768.0f - 0.5f) * 0.6f;
        }
        v[y[i]] += 1.0f;
        for (int k = 0; k < SD; k++)
            norm += v[k] * v[k];
        for (int k = 0; k < SD; k++)
            v[k] /= sqrtf(norm);
    }
    CHECK(camas_softmax_new(x, y, 0, SD, SC) == NULL);
    uint32_t bad[SN];
    memcpy(bad, y, sizeof bad);
    bad[5] = SC; /* a label past the classes */
    CHECK(camas_softmax_new(x, bad, SN, SD, SC) == NULL);
    camas_softmax *m = camas_softmax_new(x, y, SN, SD, SC);
    CHECK(m != NULL && camas_softmax_classes(m) == SC);
    int steps = 0;
    while (!camas_softmax_train(m, 7))
        steps++;
    CHECK(steps == (CAMAS_SOFTMAX_EPOCHS - 1) / 7);
    int right = 0;
    float lp[SC];
    for (int i = 0; i < SN; i++) {
        camas_softmax_log_probs(m, x + i * SD, lp);
        double total = 0;
        int best = 0;
        for (int c = 0; c < SC; c++) {
            total += exp(lp[c]);
            if (lp[c] > lp[best])
                best = c;
        }
        CHECK(fabs(total - 1) < 1e-3);
        right += best == (int)y[i];
    }
    CHECK(right >= SN - 2);
    float packed[(SC + 1) * SD];
    CHECK(camas_softmax_pack(m, packed));
    for (int c = 0; c <= SC; c++) {
        float n2 = 0;
        for (int k = 0; k < SD; k++)
            n2 += packed[c * SD + k] * packed[c * SD + k];
        CHECK(fabsf(n2 - 1) < 1e-4f);
    }
    camas_softmax *back = camas_softmax_unpack(packed, SC, SD);
    float lp2[SC];
    CHECK(back != NULL);
    camas_softmax_log_probs(m, x, lp);
    camas_softmax_log_probs(back, x, lp2);
    for (int c = 0; back && c < SC; c++)
        CHECK(fabsf(lp[c] - lp2[c]) < 1e-3f);
    CHECK(camas_softmax_unpack(packed, 9, SD) == NULL); /* 2 * 9 + 1 > 16 dimensions */
    packed[SC * SD + 2 * SC] = 0;                       /* no "1" to scale by */
    CHECK(camas_softmax_unpack(packed, SC, SD) == NULL);
    camas_softmax_free(back);
    camas_softmax_free(m);
    free(x);
}

int main(void)
{
    enum { N = 200 };
    float *x = malloc(N * DIM * sizeof *x);
    unsigned char y[N];
    unsigned seed = 7;
    for (int i = 0; i < N; i++) {
        y[i] = (unsigned char)(i % 3 == 0);
        point(x + i * DIM, y[i], &seed);
    }
    camas_logreg *m = camas_logreg_train(x, y, N, DIM, 1.0f);
    CHECK(m != NULL);
    int right = 0;
    float v[DIM];
    for (int i = 0; i < 100; i++) {
        int pos = i % 2;
        point(v, pos, &seed);
        float s = camas_logreg_score(m, v);
        CHECK(s >= 0 && s <= 1);
        right += (s >= 0.5f) == pos;
    }
    CHECK(right >= 97);
    /* a point half way: weighing positives more moves it towards positive */
    float mid[DIM] = {0};
    mid[0] = mid[1] = sqrtf(0.5f);
    camas_logreg *heavy = camas_logreg_train(x, y, N, DIM, 4.0f);
    CHECK(heavy && camas_logreg_score(heavy, mid) > camas_logreg_score(m, mid));
    /* one label only, or nothing: no model */
    unsigned char ones[N];
    for (int i = 0; i < N; i++)
        ones[i] = 1;
    CHECK(camas_logreg_train(x, ones, N, DIM, 1.0f) == NULL);
    CHECK(camas_logreg_train(x, y, 0, DIM, 1.0f) == NULL);
    CHECK(camas_logreg_score(NULL, v) == 0);
    /* kept as two unit vectors and rebuilt: the same scores */
    float dir[DIM], scale[DIM];
    camas_logreg_pack(m, dir, scale);
    float nd = 0, ns = 0;
    for (int k = 0; k < DIM; k++)
        nd += dir[k] * dir[k], ns += scale[k] * scale[k];
    CHECK(fabsf(nd - 1) < 1e-4f && fabsf(ns - 1) < 1e-4f);
    camas_logreg *back = camas_logreg_unpack(dir, scale, DIM);
    CHECK(back && fabsf(camas_logreg_score(back, mid) - camas_logreg_score(m, mid)) < 1e-4f);
    scale[2] = 0;
    CHECK(camas_logreg_unpack(dir, scale, DIM) == NULL);
    camas_logreg_free(back);
    /* in steps (the worker's background slices): the same model, and none before the end */
    camas_logreg_trainer *t = camas_logreg_trainer_new(x, y, N, DIM, 1.0f);
    CHECK(t != NULL);
    int steps = 0;
    while (!camas_logreg_trainer_step(t, 7))
        steps++;
    CHECK(steps > 10);
    CHECK(camas_logreg_trainer_step(t, 7)); /* done stays done */
    camas_logreg *stepped = camas_logreg_trainer_finish(t);
    CHECK(stepped && camas_logreg_score(stepped, mid) == camas_logreg_score(m, mid));
    camas_logreg_free(stepped);
    t = camas_logreg_trainer_new(x, y, N, DIM, 1.0f);
    CHECK(t && !camas_logreg_trainer_step(t, 1));
    CHECK(camas_logreg_trainer_finish(t) == NULL); /* unfinished: no model, nothing leaked */
    CHECK(camas_logreg_trainer_new(x, ones, N, DIM, 1.0f) == NULL);
    CHECK(camas_logreg_trainer_step(NULL, 1) && camas_logreg_trainer_finish(NULL) == NULL);
    camas_logreg_trainer_free(NULL);
    camas_logreg_free(heavy);
    camas_logreg_free(m);
    free(x);
    test_softmax();
    return check_done("logreg");
}
