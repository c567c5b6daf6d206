/* The logistic regression behind the learned danger detector and the scope classifier:
 * learns a separable set, scores unseen points on the right side, weighs positives more
 * when asked, and refuses sets without both labels. */
#include "check.h"
#include "logreg.h"

#include <math.h>
#include <stdlib.h>

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
    camas_logreg_free(heavy);
    camas_logreg_free(m);
    free(x);
    return check_done("logreg");
}
