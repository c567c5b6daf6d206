/* Logistic regression over embeddings (see logreg.h): full-batch gradient descent with L2
 * regularisation; a thousand examples of 384 dimensions train in tens of milliseconds, so the
 * worker trains at start and when the examples change. */
#include "logreg.h"

#include <math.h>
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

camas_logreg *camas_logreg_train(const float *x, const unsigned char *y, size_t n, int dim,
                                 float pos_weight)
{
    if (!x || !y || n == 0 || dim <= 0 || dim > 4096)
        return NULL;
    size_t pos = 0;
    for (size_t i = 0; i < n; i++)
        pos += y[i] != 0;
    if (pos == 0 || pos == n)
        return NULL;
    camas_logreg *m = calloc(1, sizeof *m + (size_t)dim * sizeof(float));
    /* gradient, first and second moments; the bias is the last element of each */
    float *g = calloc((size_t)dim + 1, sizeof *g);
    float *m1 = calloc((size_t)dim + 1, sizeof *m1);
    float *m2 = calloc((size_t)dim + 1, sizeof *m2);
    if (!m || !g || !m1 || !m2) {
        free(m);
        free(g);
        free(m1);
        free(m2);
        return NULL;
    }
    m->dim = dim;
    double wsum = (double)(n - pos) + pos_weight * (double)pos;
    float b1t = 1, b2t = 1;
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
        memset(g, 0, ((size_t)dim + 1) * sizeof *g);
        for (size_t i = 0; i < n; i++) {
            const float *xi = x + i * (size_t)dim;
            float z = m->bias;
            for (int k = 0; k < dim; k++)
                z += m->w[k] * xi[k];
            float err = sigmoid(z) - (y[i] ? 1.0f : 0.0f);
            if (y[i])
                err *= pos_weight;
            for (int k = 0; k < dim; k++)
                g[k] += err * xi[k];
            g[dim] += err;
        }
        b1t *= BETA1;
        b2t *= BETA2;
        for (int k = 0; k <= dim; k++) {
            float grad = (float)(g[k] / wsum) + (k < dim ? L2 * m->w[k] : 0.0f);
            m1[k] = BETA1 * m1[k] + (1 - BETA1) * grad;
            m2[k] = BETA2 * m2[k] + (1 - BETA2) * grad * grad;
            float step = RATE * (m1[k] / (1 - b1t)) / (sqrtf(m2[k] / (1 - b2t)) + 1e-8f);
            if (k < dim)
                m->w[k] -= step;
            else
                m->bias -= step;
        }
    }
    free(g);
    free(m1);
    free(m2);
    return m;
}

void camas_logreg_free(camas_logreg *m)
{
    free(m);
}

float camas_logreg_score(const camas_logreg *m, const float *v)
{
    if (!m || !v)
        return 0;
    float z = m->bias;
    for (int k = 0; k < m->dim; k++)
        z += m->w[k] * v[k];
    return sigmoid(z);
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
