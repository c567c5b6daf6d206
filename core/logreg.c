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

#define EPOCHS 400
#define RATE   2.0f
#define L2     1e-4f

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
    float *grad = calloc((size_t)dim, sizeof *grad);
    if (!m || !grad) {
        free(m);
        free(grad);
        return NULL;
    }
    m->dim = dim;
    /* Embeddings are unit vectors clustered in a small cone; the scale lets the weights
     * reach useful margins without thousands of epochs. */
    const float scale = 10.0f;
    double wsum = (double)(n - pos) + pos_weight * (double)pos;
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
        memset(grad, 0, (size_t)dim * sizeof *grad);
        float gbias = 0;
        for (size_t i = 0; i < n; i++) {
            const float *xi = x + i * (size_t)dim;
            float z = m->bias;
            for (int k = 0; k < dim; k++)
                z += m->w[k] * xi[k] * scale;
            float err = sigmoid(z) - (y[i] ? 1.0f : 0.0f);
            if (y[i])
                err *= pos_weight;
            for (int k = 0; k < dim; k++)
                grad[k] += err * xi[k] * scale;
            gbias += err;
        }
        for (int k = 0; k < dim; k++)
            m->w[k] -= RATE * (float)(grad[k] / wsum + L2 * m->w[k]);
        m->bias -= RATE * (float)(gbias / wsum);
    }
    for (int k = 0; k < dim; k++)
        m->w[k] *= scale;
    free(grad);
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
