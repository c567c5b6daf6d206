/* Logistic regression over embeddings (see logreg.h): full-batch gradient descent with L2
 * regularisation, in steps of a few epochs: a few thousand examples of 384 dimensions take
 * one to three seconds on a loaded machine, which the worker spreads over short background
 * slices so that a question never waits behind it. */
#include "logreg.h"

#include "dense.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct camas_logreg {
    int dim;
    float bias;
    float w[];
};

/* Adam on the mean weighted log loss with a light L2 penalty: plain gradient descent needed
 * thousands of epochs to reach the same fit (measured in cross-validation on the danger
 * examples: recall 0.94 / false alarms 0.10 at 0.5, against 0.85 / 0.24 after 400 epochs of
 * plain descent). */
#define EPOCHS 600
#define RATE   0.05f
#define L2     1e-5f
#define BETA1  0.9f
#define BETA2  0.999f

static float sigmoid(float z)
{
    return z >= 0 ? 1.0f / (1.0f + expf(-z)) : expf(z) / (1.0f + expf(z));
}

struct camas_logreg_trainer {
    camas_logreg *m;
    float *x;
    unsigned char *y;
    size_t n;
    float pos_weight;
    double wsum;
    float *g, *m1, *m2; /* gradient, first and second moments; the bias is the last element */
    float b1t, b2t;
    int epoch;
};

void camas_logreg_trainer_free(camas_logreg_trainer *t)
{
    if (!t)
        return;
    free(t->m);
    free(t->x);
    free(t->y);
    free(t->g);
    free(t->m1);
    free(t->m2);
    free(t);
}

camas_logreg_trainer *camas_logreg_trainer_new(const float *x, const unsigned char *y, size_t n,
                                               int dim, float pos_weight)
{
    if (!x || !y || n == 0 || dim <= 0 || dim > 4096 || n > SIZE_MAX / sizeof(float) / 4096)
        return NULL;
    size_t pos = 0;
    for (size_t i = 0; i < n; i++)
        pos += y[i] != 0;
    if (pos == 0 || pos == n)
        return NULL;
    camas_logreg_trainer *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->m = calloc(1, sizeof *t->m + (size_t)dim * sizeof(float));
    t->x = malloc(n * (size_t)dim * sizeof *t->x);
    t->y = malloc(n);
    t->g = calloc((size_t)dim + 1, sizeof *t->g);
    t->m1 = calloc((size_t)dim + 1, sizeof *t->m1);
    t->m2 = calloc((size_t)dim + 1, sizeof *t->m2);
    if (!t->m || !t->x || !t->y || !t->g || !t->m1 || !t->m2) {
        camas_logreg_trainer_free(t);
        return NULL;
    }
    memcpy(t->x, x, n * (size_t)dim * sizeof *t->x);
    memcpy(t->y, y, n);
    t->m->dim = dim;
    t->n = n;
    t->pos_weight = pos_weight;
    t->wsum = (double)(n - pos) + pos_weight * (double)pos;
    t->b1t = t->b2t = 1;
    return t;
}

bool camas_logreg_trainer_step(camas_logreg_trainer *t, int epochs)
{
    if (!t)
        return true;
    camas_logreg *m = t->m;
    int dim = m->dim;
    float *g = t->g, *m1 = t->m1, *m2 = t->m2;
    for (; epochs > 0 && t->epoch < EPOCHS; epochs--, t->epoch++) {
        memset(g, 0, ((size_t)dim + 1) * sizeof *g);
        for (size_t i = 0; i < t->n; i++) {
            const float *xi = t->x + i * (size_t)dim;
            /* the dot product in SIMD partial sums: the danger detector's 6,836 examples
             * trained in 2.2 s with a plain float loop (which may not be reordered), 0.84 s */
            float z = m->bias + camas_dense_dot(m->w, xi, dim);
            float err = sigmoid(z) - (t->y[i] ? 1.0f : 0.0f);
            if (t->y[i])
                err *= t->pos_weight;
            for (int k = 0; k < dim; k++)
                g[k] += err * xi[k];
            g[dim] += err;
        }
        t->b1t *= BETA1;
        t->b2t *= BETA2;
        for (int k = 0; k <= dim; k++) {
            float grad = (float)(g[k] / t->wsum) + (k < dim ? L2 * m->w[k] : 0.0f);
            m1[k] = BETA1 * m1[k] + (1 - BETA1) * grad;
            m2[k] = BETA2 * m2[k] + (1 - BETA2) * grad * grad;
            float step = RATE * (m1[k] / (1 - t->b1t)) / (sqrtf(m2[k] / (1 - t->b2t)) + 1e-8f);
            if (k < dim)
                m->w[k] -= step;
            else
                m->bias -= step;
        }
    }
    return t->epoch >= EPOCHS;
}

camas_logreg *camas_logreg_trainer_finish(camas_logreg_trainer *t)
{
    if (!t)
        return NULL;
    camas_logreg *m = NULL;
    if (t->epoch >= EPOCHS) {
        m = t->m;
        t->m = NULL;
    }
    camas_logreg_trainer_free(t);
    return m;
}

camas_logreg *camas_logreg_train(const float *x, const unsigned char *y, size_t n, int dim,
                                 float pos_weight)
{
    camas_logreg_trainer *t = camas_logreg_trainer_new(x, y, n, dim, pos_weight);
    camas_logreg_trainer_step(t, EPOCHS);
    return camas_logreg_trainer_finish(t);
}

void camas_logreg_free(camas_logreg *m)
{
    free(m);
}

float camas_logreg_score(const camas_logreg *m, const float *v)
{
    if (!m || !v)
        return 0;
    return sigmoid(m->bias + camas_dense_dot(m->w, v, m->dim));
}

void camas_logreg_pack(const camas_logreg *m, float *direction, float *scale)
{
    double norm = 0;
    for (int k = 0; k < m->dim; k++)
        norm += (double)m->w[k] * m->w[k];
    norm = sqrt(norm);
    for (int k = 0; k < m->dim; k++)
        direction[k] = norm > 0 ? (float)(m->w[k] / norm) : (k == 0);
    double r = sqrt(norm * norm + (double)m->bias * m->bias + 1);
    memset(scale, 0, (size_t)m->dim * sizeof *scale);
    scale[0] = (float)(norm / r);
    scale[1] = (float)(m->bias / r);
    scale[2] = (float)(1 / r);
}

camas_logreg *camas_logreg_unpack(const float *direction, const float *scale, int dim)
{
    if (!direction || !scale || dim < 3 || dim > 4096 || !(scale[2] > 1e-9f) ||
        !isfinite(scale[0]) || !isfinite(scale[1]))
        return NULL;
    camas_logreg *m = calloc(1, sizeof *m + (size_t)dim * sizeof(float));
    if (!m)
        return NULL;
    m->dim = dim;
    float norm = scale[0] / scale[2];
    m->bias = scale[1] / scale[2];
    for (int k = 0; k < dim; k++)
        m->w[k] = direction[k] * norm;
    return m;
}

/* ---- softmax over the knowledge's entries ------------------------------------------------ */

/* Full-batch Adam on the mean log loss with an L2 penalty like scikit-learn's C = 10 (chosen
 * on the development questions: top-1 among entries 83.9% -> 86.2% combined with the nearest
 * phrasings and centroids, in the prototype). */
#define SM_RATE 0.1f
#define SM_L2   1e-4f

struct camas_softmax {
    int dim;
    uint32_t nclass;
    float *w; /* nclass x dim */
    float *b; /* nclass */
    /* training state, freed when done */
    float *x;
    uint32_t *y;
    size_t n;
    float *g, *m1, *m2; /* (nclass x (dim + 1)) each: weights then biases */
    float *p;           /* nclass scratch */
    int epoch;
    float b1t, b2t;
};

void camas_softmax_free(camas_softmax *m)
{
    if (!m)
        return;
    free(m->w);
    free(m->b);
    free(m->x);
    free(m->y);
    free(m->g);
    free(m->m1);
    free(m->m2);
    free(m->p);
    free(m);
}

static camas_softmax *softmax_alloc(int dim, uint32_t nclass)
{
    if (dim <= 0 || dim > 4096 || nclass < 2 || nclass > 4096)
        return NULL;
    camas_softmax *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->dim = dim;
    m->nclass = nclass;
    m->w = calloc((size_t)nclass * (size_t)dim, sizeof *m->w);
    m->b = calloc(nclass, sizeof *m->b);
    m->p = calloc(nclass, sizeof *m->p);
    if (!m->w || !m->b || !m->p) {
        camas_softmax_free(m);
        return NULL;
    }
    return m;
}

camas_softmax *camas_softmax_new(const float *x, const uint32_t *y, size_t n, int dim,
                                 uint32_t nclass)
{
    if (!x || !y || n == 0)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (y[i] >= nclass)
            return NULL;
    camas_softmax *m = softmax_alloc(dim, nclass);
    if (!m)
        return NULL;
    size_t params = (size_t)nclass * ((size_t)dim + 1);
    m->x = malloc(n * (size_t)dim * sizeof *m->x);
    m->y = malloc(n * sizeof *m->y);
    m->g = calloc(params, sizeof *m->g);
    m->m1 = calloc(params, sizeof *m->m1);
    m->m2 = calloc(params, sizeof *m->m2);
    if (!m->x || !m->y || !m->g || !m->m1 || !m->m2) {
        camas_softmax_free(m);
        return NULL;
    }
    memcpy(m->x, x, n * (size_t)dim * sizeof *m->x);
    memcpy(m->y, y, n * sizeof *m->y);
    m->n = n;
    m->b1t = m->b2t = 1;
    return m;
}

uint32_t camas_softmax_classes(const camas_softmax *m)
{
    return m ? m->nclass : 0;
}

/* Probabilities of every class for v into p (softmax of the logits). */
static void probs(const camas_softmax *m, const float *v, float *p)
{
    float top = -INFINITY;
    for (uint32_t c = 0; c < m->nclass; c++) {
        p[c] = m->b[c] + camas_dense_dot(m->w + (size_t)c * (size_t)m->dim, v, m->dim);
        if (p[c] > top)
            top = p[c];
    }
    double sum = 0;
    for (uint32_t c = 0; c < m->nclass; c++)
        sum += (p[c] = expf(p[c] - top));
    for (uint32_t c = 0; c < m->nclass; c++)
        p[c] = (float)(p[c] / sum);
}

bool camas_softmax_train(camas_softmax *m, int epochs)
{
    if (!m)
        return true;
    int dim = m->dim;
    uint32_t nc = m->nclass;
    size_t wsize = (size_t)nc * (size_t)dim;
    for (; epochs > 0 && m->epoch < CAMAS_SOFTMAX_EPOCHS; epochs--, m->epoch++) {
        memset(m->g, 0, (wsize + nc) * sizeof *m->g);
        for (size_t i = 0; i < m->n; i++) {
            const float *xi = m->x + i * (size_t)dim;
            probs(m, xi, m->p);
            m->p[m->y[i]] -= 1.0f; /* the gradient of the log loss by the logits */
            for (uint32_t c = 0; c < nc; c++) {
                float e = m->p[c];
                if (e > -1e-6f && e < 1e-6f)
                    continue;
                float *gc = m->g + (size_t)c * (size_t)dim;
                for (int k = 0; k < dim; k++)
                    gc[k] += e * xi[k];
                m->g[wsize + c] += e;
            }
        }
        m->b1t *= BETA1;
        m->b2t *= BETA2;
        float inv_n = 1.0f / (float)m->n;
        for (size_t k = 0; k < wsize + nc; k++) {
            bool weight = k < wsize;
            float *param = weight ? &m->w[k] : &m->b[k - wsize];
            float grad = m->g[k] * inv_n + (weight ? SM_L2 * *param : 0.0f);
            m->m1[k] = BETA1 * m->m1[k] + (1 - BETA1) * grad;
            m->m2[k] = BETA2 * m->m2[k] + (1 - BETA2) * grad * grad;
            *param -=
                SM_RATE * (m->m1[k] / (1 - m->b1t)) / (sqrtf(m->m2[k] / (1 - m->b2t)) + 1e-8f);
        }
    }
    if (m->epoch < CAMAS_SOFTMAX_EPOCHS)
        return false;
    /* done: the training state goes */
    free(m->x);
    free(m->y);
    free(m->g);
    free(m->m1);
    free(m->m2);
    m->x = m->g = m->m1 = m->m2 = NULL;
    m->y = NULL;
    m->n = 0;
    return true;
}

void camas_softmax_log_probs(const camas_softmax *m, const float *v, float *out)
{
    probs(m, v, out);
    for (uint32_t c = 0; c < m->nclass; c++)
        out[c] = logf(out[c] > 1e-30f ? out[c] : 1e-30f);
}

bool camas_softmax_pack(const camas_softmax *m, float *out)
{
    int dim = m->dim;
    uint32_t nc = m->nclass;
    if (2 * (size_t)nc + 1 > (size_t)dim)
        return false;
    float *scale = out + (size_t)nc * (size_t)dim;
    memset(scale, 0, (size_t)dim * sizeof *scale);
    double r2 = 1;
    for (uint32_t c = 0; c < nc; c++) {
        const float *w = m->w + (size_t)c * (size_t)dim;
        double norm = sqrt((double)camas_dense_dot(w, w, dim));
        for (int k = 0; k < dim; k++)
            out[(size_t)c * (size_t)dim + k] = norm > 0 ? (float)(w[k] / norm) : (k == 0);
        scale[c] = (float)norm;
        scale[nc + c] = m->b[c];
        r2 += norm * norm + (double)m->b[c] * m->b[c];
    }
    scale[2 * nc] = 1;
    float inv = (float)(1 / sqrt(r2));
    for (size_t k = 0; k <= 2 * (size_t)nc; k++)
        scale[k] *= inv;
    return true;
}

camas_softmax *camas_softmax_unpack(const float *in, uint32_t nclass, int dim)
{
    if (!in || 2 * (size_t)nclass + 1 > (size_t)dim)
        return NULL;
    const float *scale = in + (size_t)nclass * (size_t)dim;
    float one = scale[2 * nclass];
    if (!(one > 1e-9f))
        return NULL;
    camas_softmax *m = softmax_alloc(dim, nclass);
    if (!m)
        return NULL;
    for (uint32_t c = 0; c < nclass; c++) {
        float norm = scale[c] / one;
        m->b[c] = scale[nclass + c] / one;
        if (!isfinite(norm) || !isfinite(m->b[c])) {
            camas_softmax_free(m);
            return NULL;
        }
        for (int k = 0; k < dim; k++)
            m->w[(size_t)c * (size_t)dim + k] = in[(size_t)c * (size_t)dim + k] * norm;
    }
    m->epoch = CAMAS_SOFTMAX_EPOCHS;
    return m;
}
