/* The embedding engine's float loops besides the matrix products (layer norm, GELU, attention),
 * written once as always-inline plain C and compiled by embed_kernels.c into one function per
 * instruction set: inlined into a function with an AVX2 or AVX-512 target attribute, the same
 * loops vectorise for that target, while the portable copy stays baseline x86-64 (or any CPU).
 *
 * Sums use 16 fixed partial accumulators (lane j adds elements j, j+16, ...) combined in a
 * fixed order, so the vectorised and portable copies round identically: no -ffast-math needed
 * and no difference between kernels outside the matrix products. Inner loops have a constant
 * trip count of 16 so that GCC's cheap -O2 vectoriser takes them. Lengths are multiples of 16
 * (the loader guarantees it for the hidden, FFN and head sizes). */
#ifndef CAMAS_EMBED_OPS_H
#define CAMAS_EMBED_OPS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define OPS_INLINE static inline __attribute__((always_inline))
#define LANES      16

OPS_INLINE float ops_sum16(const float *acc)
{
    float s = 0.0f;
    for (int j = 0; j < LANES; j++)
        s += acc[j];
    return s;
}

/* x[t] = LayerNorm(x[t] + y[t]) for each token (y may be NULL): two-pass mean and variance. */
OPS_INLINE void ops_add_layernorm(float *restrict x, const float *restrict y,
                                  const float *restrict w, const float *restrict b, int ntok, int h,
                                  float eps)
{
    for (int t = 0; t < ntok; t++) {
        float *restrict r = x + (size_t)t * h;
        float acc[LANES] = {0};
        for (int i = 0; i < h; i += LANES) {
            if (y)
                for (int j = 0; j < LANES; j++)
                    r[i + j] += y[(size_t)t * h + i + j];
            for (int j = 0; j < LANES; j++)
                acc[j] += r[i + j];
        }
        float mean = ops_sum16(acc) / (float)h;
        for (int j = 0; j < LANES; j++)
            acc[j] = 0.0f;
        for (int i = 0; i < h; i += LANES)
            for (int j = 0; j < LANES; j++)
                acc[j] += (r[i + j] - mean) * (r[i + j] - mean);
        float inv = 1.0f / sqrtf(ops_sum16(acc) / (float)h + eps);
        for (int i = 0; i < h; i += LANES)
            for (int j = 0; j < LANES; j++)
                r[i + j] = (r[i + j] - mean) * inv * w[i + j] + b[i + j];
    }
}

/* erf(x) as a rational function on [-4, 4] (the odd/even minimax pair used by Eigen and XLA
 * for float erf); absolute error under 5e-7, i.e. a few float ulps, and branch-free so it
 * vectorises, unlike libm's erff which took a sixth of the time. */
OPS_INLINE float ops_erf(float x)
{
    x = x < -4.0f ? -4.0f : x > 4.0f ? 4.0f : x;
    float z = x * x;
    float p = -2.72614225801306e-10f;
    p = p * z + 2.77068142495902e-08f;
    p = p * z + -2.10102402082508e-06f;
    p = p * z + -5.69250639462346e-05f;
    p = p * z + -7.34990630326855e-04f;
    p = p * z + -2.95459980854025e-03f;
    p = p * z + -1.60960333262415e-02f;
    float q = -1.45660718464996e-05f;
    q = q * z + -2.13374055278905e-04f;
    q = q * z + -1.68282697438203e-03f;
    q = q * z + -7.37332916720468e-03f;
    q = q * z + -1.42647390514189e-02f;
    return x * p / q;
}

/* GELU (the exact, erf form BERT uses), n a multiple of 16. */
OPS_INLINE void ops_gelu(float *restrict x, size_t n)
{
    for (size_t i = 0; i < n; i += LANES)
        for (int j = 0; j < LANES; j++)
            x[i + j] = 0.5f * x[i + j] * (1.0f + ops_erf(x[i + j] * 0.70710678118654752f));
}

/* e^x for x <= 0 (softmax arguments): 2^n * p(r) with r = x - n ln 2, |r| <= ln2 / 2, and
 * Cephes' expf polynomial (relative error about 1e-7). Branch-free, so it vectorises. */
OPS_INLINE float ops_exp_nonpos(float x)
{
    x = x < -87.0f ? -87.0f : x > 0.0f ? 0.0f : x;
    /* round(x / ln 2) by the 1.5 * 2^23 trick: exact for |x / ln 2| < 2^22 */
    float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    float r = x - n * 0.693359375f - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * r * r + r + 1.0f;
    int32_t e = ((int32_t)n + 127) << 23; /* n >= -126: a normal power of two */
    float scale;
    memcpy(&scale, &e, sizeof scale);
    return p * scale;
}

/* Self-attention over all ntok tokens (no mask: one text, no padding). q, k, v, ctx are
 * [ntok][h]; kt is scratch for one head's keys transposed, [hd][tp] with tp = ntok rounded up
 * to 16, and probs holds tp floats. Scores are computed 16 keys at a time from the transposed
 * keys, and the context as a weighted sum of value rows: no horizontal sums. */
OPS_INLINE void ops_attention(const float *restrict q, const float *restrict k,
                              const float *restrict v, float *restrict ctx, float *restrict kt,
                              float *restrict probs, int ntok, int h, int heads)
{
    int hd = h / heads, tp = (ntok + LANES - 1) / LANES * LANES;
    float scale = 1.0f / sqrtf((float)hd);
    for (int head = 0; head < heads; head++) {
        int off = head * hd;
        for (int e = 0; e < hd; e++) {
            for (int u = 0; u < ntok; u++)
                kt[(size_t)e * tp + u] = k[(size_t)u * h + off + e];
            for (int u = ntok; u < tp; u++)
                kt[(size_t)e * tp + u] = 0.0f;
        }
        for (int t = 0; t < ntok; t++) {
            const float *qh = q + (size_t)t * h + off;
            for (int u = 0; u < tp; u++)
                probs[u] = 0.0f;
            for (int e = 0; e < hd; e++) {
                float qe = qh[e];
                const float *ke = kt + (size_t)e * tp;
                for (int u = 0; u < tp; u += LANES)
                    for (int j = 0; j < LANES; j++)
                        probs[u + j] += qe * ke[u + j];
            }
            float mx = -INFINITY;
            for (int u = 0; u < ntok; u++) {
                probs[u] *= scale;
                mx = probs[u] > mx ? probs[u] : mx;
            }
            for (int u = 0; u < tp; u += LANES)
                for (int j = 0; j < LANES; j++)
                    probs[u + j] = ops_exp_nonpos(probs[u + j] - mx);
            float acc[LANES] = {0};
            for (int u = ntok; u < tp; u++)
                probs[u] = 0.0f;
            for (int u = 0; u < tp; u += LANES)
                for (int j = 0; j < LANES; j++)
                    acc[j] += probs[u + j];
            float inv = 1.0f / ops_sum16(acc);
            float *restrict c = ctx + (size_t)t * h + off;
            for (int e = 0; e < hd; e++)
                c[e] = 0.0f;
            for (int u = 0; u < ntok; u++) {
                float p = probs[u] * inv;
                const float *vu = v + (size_t)u * h + off;
                for (int e = 0; e < hd; e += LANES)
                    for (int j = 0; j < LANES; j++)
                        c[e + j] += p * vu[e + j];
            }
        }
    }
}

#endif
