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

/* 16 floats as one GCC vector: a zmm register in the AVX-512 copy, two ymm in the AVX2 one,
 * four xmm in the portable one. Element-wise arithmetic only, so all copies round alike; local
 * vectors stay in registers, where arrays updated in a loop went through memory. */
typedef float ops_v16 __attribute__((vector_size(64)));

/* Unaligned load and store (macros: a function passing these by value would get a
 * target-dependent ABI). */
#define OPS_LOAD(v, p)  memcpy(&(v), (p), sizeof(ops_v16))
#define OPS_STORE(p, v) memcpy((p), &(v), sizeof(ops_v16))

#define OPS_QUERIES 4 /* queries handled together: independent sums to overlap latency */

/* Self-attention over all ntok tokens (no mask: one text, no padding). q, k, v, ctx are
 * [ntok][h]; kt is scratch for one head's keys transposed, [hd][tp] with tp = ntok rounded up
 * to 16 (zero-padded), and probs holds OPS_QUERIES * tp floats. Scores for 4 queries and 16
 * keys at a time come from the transposed keys, and the context is a weighted sum of value
 * rows: no horizontal sums. */
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
        for (int t0 = 0; t0 < ntok; t0 += OPS_QUERIES) {
            int nq = ntok - t0 < OPS_QUERIES ? ntok - t0 : OPS_QUERIES;
            /* Missing queries of the last group repeat the last real one (results unused). */
            const float *qr[OPS_QUERIES];
            for (int i = 0; i < OPS_QUERIES; i++)
                qr[i] = q + (size_t)(t0 + (i < nq ? i : nq - 1)) * h + off;
            for (int u0 = 0; u0 < tp; u0 += LANES) {
                ops_v16 acc[OPS_QUERIES] = {0};
                for (int e = 0; e < hd; e++) {
                    ops_v16 kv;
                    OPS_LOAD(kv, kt + (size_t)e * tp + u0);
#pragma GCC unroll 4
                    for (int i = 0; i < OPS_QUERIES; i++)
                        acc[i] += qr[i][e] * kv;
                }
#pragma GCC unroll 4
                for (int i = 0; i < OPS_QUERIES; i++)
                    OPS_STORE(probs + (size_t)i * tp + u0, acc[i]);
            }
            /* Softmax of each query's scores over the ntok real keys. */
            for (int i = 0; i < nq; i++) {
                float *p = probs + (size_t)i * tp, mx = -INFINITY;
                for (int u = 0; u < ntok; u++) {
                    p[u] *= scale;
                    mx = p[u] > mx ? p[u] : mx;
                }
                for (int u = 0; u < tp; u += LANES)
                    for (int j = 0; j < LANES; j++)
                        p[u + j] = ops_exp_nonpos(p[u + j] - mx);
                for (int u = ntok; u < tp; u++)
                    p[u] = 0.0f;
                ops_v16 acc = {0}, pv;
                for (int u = 0; u < tp; u += LANES) {
                    OPS_LOAD(pv, p + u);
                    acc += pv;
                }
                float inv = 1.0f / ops_sum16((const float *)&acc);
                for (int u = 0; u < ntok; u++)
                    p[u] *= inv;
            }
            for (int i = nq; i < OPS_QUERIES; i++)
                for (int u = 0; u < tp; u++)
                    probs[(size_t)i * tp + u] = 0.0f;
            /* Context: the probability-weighted sum of value rows, 16 dimensions at a time. */
            for (int e0 = 0; e0 < hd; e0 += LANES) {
                ops_v16 acc[OPS_QUERIES] = {0};
                for (int u = 0; u < ntok; u++) {
                    ops_v16 vv;
                    OPS_LOAD(vv, v + (size_t)u * h + off + e0);
#pragma GCC unroll 4
                    for (int i = 0; i < OPS_QUERIES; i++)
                        acc[i] += probs[(size_t)i * tp + u] * vv;
                }
                for (int i = 0; i < nq; i++)
                    OPS_STORE(ctx + (size_t)(t0 + i) * h + off + e0, acc[i]);
            }
        }
    }
}

#endif
