/* The embedding engine's hot loops: 4-bit weight x 8-bit activation matrix products and the
 * activation quantisation feeding them, in a portable version and AVX2 / AVX-512 VNNI versions
 * picked at run time (one binary for every x86-64 machine, no -march).
 *
 * All versions compute the same integers: per token and block of 32, the exact dot product of
 * the weight nibbles minus 8 with the int8 activations; only the order of the float sums over
 * blocks differs (and FMA rounding), so results agree within float tolerance.
 *
 * A matrix is processed a group of rows at a time: the group's 4-bit blocks are unpacked once
 * into a small buffer, then every token of the text runs over that buffer. The SIMD versions
 * lay the group out "rows across lanes" (lane r holds 4 consecutive weights of row r), so one
 * VNNI instruction does 4 multiply-adds for each of 16 rows of one token, the token's 4 bytes
 * broadcast to all lanes: no lane is wasted however few tokens a text has. */
#include "embed_internal.h"
#include "embed_ops.h"

#include <math.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define EMBED_X86 1
#endif

float embed_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = h >> 10 & 0x1F, man = h & 0x3FF, f;
    if (exp == 0x1F) {
        f = sign | 0x7F800000u | man << 13;
    } else if (exp != 0) {
        f = sign | (exp + 112) << 23 | man << 13;
    } else if (man == 0) {
        f = sign;
    } else { /* subnormal: renormalise */
        int e = -1;
        do {
            man <<= 1;
            e++;
        } while (!(man & 0x400));
        f = sign | (uint32_t)(112 - e) << 23 | (man & 0x3FF) << 13;
    }
    float out;
    memcpy(&out, &f, sizeof out);
    return out;
}

/* ---- portable ---------------------------------------------------------------------------- */

static void quantize_scalar(const float *x, int ntok, int nin, int8_t *q, float *d, int32_t *init)
{
    int nb = nin / EMBED_QK;
    for (int t = 0; t < ntok; t++) {
        for (int b = 0; b < nb; b++) {
            const float *xb = x + (size_t)t * nin + (size_t)b * EMBED_QK;
            int8_t *qb = q + (size_t)t * nin + (size_t)b * EMBED_QK;
            float amax = 0.0f;
            for (int j = 0; j < EMBED_QK; j++)
                amax = fmaxf(amax, fabsf(xb[j]));
            float scale = amax / 127.0f, inv = scale > 0.0f ? 1.0f / scale : 0.0f;
            int32_t sum = 0;
            for (int j = 0; j < EMBED_QK; j++) {
                float r = xb[j] * inv;
                /* Clamp before converting: out-of-range float to int is undefined (and NaN
                 * fails both comparisons, landing on -128). */
                r = r >= -128.0f ? r : -128.0f;
                r = r <= 127.0f ? r : 127.0f;
                int v = (int)lrintf(r);
                qb[j] = (int8_t)v;
                sum += v;
            }
            d[(size_t)t * nb + b] = scale;
            init[(size_t)t * nb + b] = -8 * sum;
        }
    }
}

static void matmul_scalar(const embed_q4 *w, const float *bias, const embed_acts *a, int ntok,
                          float *y, uint8_t *wbuf, float *dbuf)
{
    int nb = w->nin / EMBED_QK;
    size_t row_bytes = (size_t)nb * EMBED_Q4_BYTES;
    for (int r = 0; r < w->nout; r++) {
        const uint8_t *row = w->data + (size_t)r * row_bytes;
        for (int b = 0; b < nb; b++) {
            const uint8_t *blk = row + (size_t)b * EMBED_Q4_BYTES;
            uint16_t h;
            memcpy(&h, blk, 2);
            dbuf[b] = embed_half_to_float(h);
            for (int j = 0; j < 16; j++) {
                wbuf[b * EMBED_QK + j] = blk[2 + j] & 0x0F;
                wbuf[b * EMBED_QK + j + 16] = blk[2 + j] >> 4;
            }
        }
        for (int t = 0; t < ntok; t++) {
            const int8_t *x = a->q + (size_t)t * a->nin;
            float acc = 0.0f;
            for (int b = 0; b < nb; b++) {
                int32_t s = a->init[(size_t)t * nb + b];
                for (int j = 0; j < EMBED_QK; j++)
                    s += wbuf[b * EMBED_QK + j] * x[b * EMBED_QK + j];
                acc += dbuf[b] * a->d[(size_t)t * nb + b] * (float)s;
            }
            y[(size_t)t * w->nout + r] = acc + bias[r];
        }
    }
}

/* The float loops of embed_ops.h, once per instruction set. */
#define EMBED_OPS(suffix, target)                                                                  \
    target static void add_layernorm_##suffix(float *x, const float *y, const float *w,            \
                                              const float *b, int ntok, int h, float eps)          \
    {                                                                                              \
        ops_add_layernorm(x, y, w, b, ntok, h, eps);                                               \
    }                                                                                              \
    target static void gelu_##suffix(float *x, size_t n)                                           \
    {                                                                                              \
        ops_gelu(x, n);                                                                            \
    }                                                                                              \
    target static void attention_##suffix(const float *q, const float *k, const float *v,          \
                                          float *ctx, float *kt, float *probs, int ntok, int h,    \
                                          int heads)                                               \
    {                                                                                              \
        ops_attention(q, k, v, ctx, kt, probs, ntok, h, heads);                                    \
    }

EMBED_OPS(scalar, )

#ifdef EMBED_X86

/* ---- AVX2: 8 rows per group ----------------------------------------------------------------
 * wbuf: [block][group g of 4 weights][8 rows][4 bytes], values 0..15; dbuf: [block][8 rows]. */

#define AVX2_TARGET __attribute__((target("avx2,fma,f16c")))
EMBED_OPS(avx2, AVX2_TARGET)

AVX2_TARGET static void quantize_avx2(const float *x, int ntok, int nin, int8_t *q, float *d,
                                      int32_t *init)
{
    int nb = nin / EMBED_QK;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (size_t tb = 0; tb < (size_t)ntok * nb; tb++) {
        const float *xb = x + tb * EMBED_QK;
        __m256 v[4], m = _mm256_setzero_ps();
        for (int i = 0; i < 4; i++) {
            v[i] = _mm256_loadu_ps(xb + 8 * i);
            m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v[i]));
        }
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_shuffle_ps(m4, m4, 1));
        float scale = _mm_cvtss_f32(m4) / 127.0f, inv = scale > 0.0f ? 1.0f / scale : 0.0f;
        __m256 vinv = _mm256_set1_ps(inv);
        __m256i iv[4];
        for (int i = 0; i < 4; i++)
            iv[i] = _mm256_cvtps_epi32(_mm256_mul_ps(v[i], vinv));
        __m256i p =
            _mm256_packs_epi16(_mm256_packs_epi32(iv[0], iv[1]), _mm256_packs_epi32(iv[2], iv[3]));
        _mm256_storeu_si256((__m256i *)(void *)(q + tb * EMBED_QK),
                            _mm256_permutevar8x32_epi32(p, order));
        /* Sum the saturated bytes, as stored, so init matches the products exactly. */
        __m256i bytes = _mm256_permutevar8x32_epi32(p, order);
        __m256i s16 = _mm256_maddubs_epi16(_mm256_set1_epi8(1), bytes);
        __m256i s32 = _mm256_madd_epi16(s16, _mm256_set1_epi16(1));
        __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s32), _mm256_extracti128_si256(s32, 1));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xB1));
        d[tb] = scale;
        init[tb] = -8 * _mm_cvtsi128_si32(s4);
    }
}

AVX2_TARGET static void repack8(const uint8_t *rows, size_t row_bytes, int nb, uint8_t *wbuf,
                                float *dbuf, const uint8_t *end)
{
    const uint8_t *ahead = rows + 2 * 8 * row_bytes;
    size_t share = (8 * row_bytes + (size_t)nb - 1) / (size_t)nb;
    const __m256i low = _mm256_set1_epi8(0x0F);
    for (int b = 0; b < nb; b++) {
        const uint8_t *blk = rows + (size_t)b * EMBED_Q4_BYTES;
        /* Weights stream from L3 or memory once per text, and the hardware prefetcher does
         * not follow a group's interleaved rows well: fetch the group after next, a share
         * per block so as not to flood the miss buffers. */
        for (size_t off = (size_t)b * share; off < (size_t)(b + 1) * share; off += 64)
            if (ahead + off < end)
                _mm_prefetch((const char *)ahead + off, _MM_HINT_T0);
        __m256i z[4];
        for (int k = 0; k < 4; k++)
            z[k] = _mm256_set_m128i(
                _mm_loadu_si128((const __m128i *)(const void *)(blk + (k + 4) * row_bytes + 2)),
                _mm_loadu_si128((const __m128i *)(const void *)(blk + k * row_bytes + 2)));
        /* 4x4 transpose of dwords within each 128-bit lane: lane i of t[g] then holds dword g
         * (bytes 4g..4g+3) of rows 4i..4i+3. */
        __m256i a0 = _mm256_unpacklo_epi32(z[0], z[1]), a1 = _mm256_unpackhi_epi32(z[0], z[1]);
        __m256i a2 = _mm256_unpacklo_epi32(z[2], z[3]), a3 = _mm256_unpackhi_epi32(z[2], z[3]);
        __m256i t[4] = {_mm256_unpacklo_epi64(a0, a2), _mm256_unpackhi_epi64(a0, a2),
                        _mm256_unpacklo_epi64(a1, a3), _mm256_unpackhi_epi64(a1, a3)};
        uint8_t *o = wbuf + (size_t)b * 8 * 32;
        for (int g = 0; g < 4; g++) {
            _mm256_storeu_si256((__m256i *)(void *)(o + g * 32), _mm256_and_si256(t[g], low));
            _mm256_storeu_si256((__m256i *)(void *)(o + (g + 4) * 32),
                                _mm256_and_si256(_mm256_srli_epi32(t[g], 4), low));
        }
        /* One scale at a time: gathering 16-bit stores into a vector load would stall on
         * store forwarding. */
        for (int r = 0; r < 8; r++) {
            uint16_t h;
            memcpy(&h, blk + r * row_bytes, 2);
            dbuf[b * 8 + r] = _cvtsh_ss(h);
        }
    }
}

static inline int32_t load_i32(const int8_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

AVX2_TARGET static void matmul_avx2(const embed_q4 *w, const float *bias, const embed_acts *a,
                                    int ntok, float *y, uint8_t *wbuf, float *dbuf)
{
    int nb = w->nin / EMBED_QK;
    size_t row_bytes = (size_t)nb * EMBED_Q4_BYTES;
    const __m256i ones = _mm256_set1_epi16(1);
    const uint8_t *end = w->data + (size_t)w->nout * row_bytes;
    for (int r0 = 0; r0 < w->nout; r0 += 8) {
        repack8(w->data + (size_t)r0 * row_bytes, row_bytes, nb, wbuf, dbuf, end);
        __m256 vbias = _mm256_loadu_ps(bias + r0);
        for (int t = 0; t < ntok; t++) {
            const int8_t *x = a->q + (size_t)t * a->nin;
            const float *ad = a->d + (size_t)t * nb;
            const int32_t *ai = a->init + (size_t)t * nb;
            __m256 acc = _mm256_setzero_ps();
            for (int b = 0; b < nb; b++) {
                const uint8_t *wb = wbuf + (size_t)b * 8 * 32;
                /* 8 groups of |15 * 128 * 2| <= 3840 sum to at most 30720: exact in int16. */
                __m256i s16 = _mm256_setzero_si256();
                for (int g = 0; g < 8; g++)
                    s16 = _mm256_add_epi16(
                        s16, _mm256_maddubs_epi16(
                                 _mm256_loadu_si256((const __m256i *)(const void *)(wb + g * 32)),
                                 _mm256_set1_epi32(load_i32(x + b * EMBED_QK + g * 4))));
                __m256i s =
                    _mm256_add_epi32(_mm256_madd_epi16(s16, ones), _mm256_set1_epi32(ai[b]));
                __m256 scale = _mm256_mul_ps(_mm256_loadu_ps(dbuf + b * 8), _mm256_set1_ps(ad[b]));
                acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), scale, acc);
            }
            _mm256_storeu_ps(y + (size_t)t * w->nout + r0, _mm256_add_ps(acc, vbias));
        }
    }
}

/* ---- AVX-512 VNNI: 16 rows per group -------------------------------------------------------
 * wbuf: [block][group g of 4 weights][16 rows][4 bytes], values 0..15; dbuf: [block][16]. */

#define AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx2,fma,f16c")))
EMBED_OPS(avx512, AVX512_TARGET)

AVX512_TARGET static void quantize_avx512(const float *x, int ntok, int nin, int8_t *q, float *d,
                                          int32_t *init)
{
    for (size_t tb = 0; tb < (size_t)ntok * (nin / EMBED_QK); tb++) {
        const float *xb = x + tb * EMBED_QK;
        __m512 v0 = _mm512_loadu_ps(xb), v1 = _mm512_loadu_ps(xb + 16);
        float amax = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1)));
        float scale = amax / 127.0f, inv = scale > 0.0f ? 1.0f / scale : 0.0f;
        __m512 vinv = _mm512_set1_ps(inv);
        __m512i i0 = _mm512_cvtps_epi32(_mm512_mul_ps(v0, vinv));
        __m512i i1 = _mm512_cvtps_epi32(_mm512_mul_ps(v1, vinv));
        __m128i b0 = _mm512_cvtsepi32_epi8(i0), b1 = _mm512_cvtsepi32_epi8(i1);
        _mm_storeu_si128((__m128i *)(void *)(q + tb * EMBED_QK), b0);
        _mm_storeu_si128((__m128i *)(void *)(q + tb * EMBED_QK + 16), b1);
        /* Sum the saturated bytes, as stored, so init matches the products exactly. */
        __m512i s = _mm512_add_epi32(_mm512_cvtepi8_epi32(b0), _mm512_cvtepi8_epi32(b1));
        d[tb] = scale;
        init[tb] = -8 * _mm512_reduce_add_epi32(s);
    }
}

AVX512_TARGET static void repack16(const uint8_t *rows, size_t row_bytes, int nb, uint8_t *wbuf,
                                   float *dbuf, const uint8_t *end)
{
    const uint8_t *ahead = rows + 2 * 16 * row_bytes;
    size_t share = (16 * row_bytes + (size_t)nb - 1) / (size_t)nb;
    const __m512i low = _mm512_set1_epi8(0x0F);
    for (int b = 0; b < nb; b++) {
        const uint8_t *blk = rows + (size_t)b * EMBED_Q4_BYTES;
        /* Weights stream from L3 or memory once per text, and the hardware prefetcher does
         * not follow a group's interleaved rows well: fetch the group after next, a share
         * per block so as not to flood the miss buffers. */
        for (size_t off = (size_t)b * share; off < (size_t)(b + 1) * share; off += 64)
            if (ahead + off < end)
                _mm_prefetch((const char *)ahead + off, _MM_HINT_T0);
        __m512i z[4];
        for (int k = 0; k < 4; k++) {
            /* lane i of z[k] = the 16 nibble bytes of row k + 4i */
            __m512i v = _mm512_castsi128_si512(
                _mm_loadu_si128((const __m128i *)(const void *)(blk + k * row_bytes + 2)));
            for (int i = 1; i < 4; i++) {
                __m128i r = _mm_loadu_si128(
                    (const __m128i *)(const void *)(blk + (k + 4 * i) * row_bytes + 2));
                switch (i) {
                case 1:
                    v = _mm512_inserti32x4(v, r, 1);
                    break;
                case 2:
                    v = _mm512_inserti32x4(v, r, 2);
                    break;
                default:
                    v = _mm512_inserti32x4(v, r, 3);
                    break;
                }
            }
            z[k] = v;
        }
        /* 4x4 dword transpose within each lane: lane i of t[g] = dword g of rows 4i..4i+3. */
        __m512i a0 = _mm512_unpacklo_epi32(z[0], z[1]), a1 = _mm512_unpackhi_epi32(z[0], z[1]);
        __m512i a2 = _mm512_unpacklo_epi32(z[2], z[3]), a3 = _mm512_unpackhi_epi32(z[2], z[3]);
        __m512i t[4] = {_mm512_unpacklo_epi64(a0, a2), _mm512_unpackhi_epi64(a0, a2),
                        _mm512_unpacklo_epi64(a1, a3), _mm512_unpackhi_epi64(a1, a3)};
        uint8_t *o = wbuf + (size_t)b * 8 * 64;
        for (int g = 0; g < 4; g++) {
            _mm512_storeu_si512(o + g * 64, _mm512_and_si512(t[g], low));
            _mm512_storeu_si512(o + (g + 4) * 64,
                                _mm512_and_si512(_mm512_srli_epi32(t[g], 4), low));
        }
        /* One scale at a time: gathering 16-bit stores into a vector load would stall on
         * store forwarding. */
        for (int r = 0; r < 16; r++) {
            uint16_t h;
            memcpy(&h, blk + r * row_bytes, 2);
            dbuf[b * 16 + r] = _cvtsh_ss(h);
        }
    }
}

/* nt tokens (a compile-time constant after inlining) against the decoded 16-row group: the
 * group's 8 weight vectors of a block are loaded once for all nt tokens, and each token sums
 * its 8 products in two independent chains so the VNNI unit's latency overlaps. */
AVX512_TARGET static inline __attribute__((always_inline)) void
tokens_avx512(int nt, const embed_acts *a, int t, int nb, const uint8_t *wbuf, const float *dbuf,
              __m512 vbias, float *y, size_t ystride)
{
    __m512 acc[4];
#pragma GCC unroll 4
    for (int n = 0; n < nt; n++)
        acc[n] = _mm512_setzero_ps();
    for (int b = 0; b < nb; b++) {
        const uint8_t *wb = wbuf + (size_t)b * 8 * 64;
        __m512i wv[8];
#pragma GCC unroll 8
        for (int g = 0; g < 8; g++)
            wv[g] = _mm512_loadu_si512(wb + g * 64);
        __m512 dw = _mm512_loadu_ps(dbuf + b * 16);
#pragma GCC unroll 4
        for (int n = 0; n < nt; n++) {
            const int8_t *x = a->q + (size_t)(t + n) * a->nin + b * EMBED_QK;
            size_t tb = (size_t)(t + n) * nb + b;
            __m512i s0 = _mm512_set1_epi32(a->init[tb]), s1 = _mm512_setzero_si512();
#pragma GCC unroll 4
            for (int g = 0; g < 8; g += 2) {
                s0 = _mm512_dpbusd_epi32(s0, wv[g], _mm512_set1_epi32(load_i32(x + g * 4)));
                s1 = _mm512_dpbusd_epi32(s1, wv[g + 1], _mm512_set1_epi32(load_i32(x + g * 4 + 4)));
            }
            __m512 scale = _mm512_mul_ps(dw, _mm512_set1_ps(a->d[tb]));
            acc[n] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(s0, s1)), scale, acc[n]);
        }
    }
#pragma GCC unroll 4
    for (int n = 0; n < nt; n++)
        _mm512_storeu_ps(y + (size_t)(t + n) * ystride, _mm512_add_ps(acc[n], vbias));
}

AVX512_TARGET static void matmul_avx512(const embed_q4 *w, const float *bias, const embed_acts *a,
                                        int ntok, float *y, uint8_t *wbuf, float *dbuf)
{
    int nb = w->nin / EMBED_QK;
    size_t row_bytes = (size_t)nb * EMBED_Q4_BYTES, ys = (size_t)w->nout;
    const uint8_t *end = w->data + (size_t)w->nout * row_bytes;
    for (int r0 = 0; r0 < w->nout; r0 += 16) {
        repack16(w->data + (size_t)r0 * row_bytes, row_bytes, nb, wbuf, dbuf, end);
        __m512 vbias = _mm512_loadu_ps(bias + r0);
        int t = 0;
        for (; t + 4 <= ntok; t += 4)
            tokens_avx512(4, a, t, nb, wbuf, dbuf, vbias, y + r0, ys);
        switch (ntok - t) {
        case 3:
            tokens_avx512(3, a, t, nb, wbuf, dbuf, vbias, y + r0, ys);
            break;
        case 2:
            tokens_avx512(2, a, t, nb, wbuf, dbuf, vbias, y + r0, ys);
            break;
        case 1:
            tokens_avx512(1, a, t, nb, wbuf, dbuf, vbias, y + r0, ys);
            break;
        default:
            break;
        }
    }
}

#endif /* EMBED_X86 */

/* Best first. Every matrix has a multiple of 32 rows (checked at load), so the 8- and 16-row
 * groups always fill. */
static const embed_kernel kernels[] = {
#ifdef EMBED_X86
    {"avx512vnni", matmul_avx512, quantize_avx512, add_layernorm_avx512, gelu_avx512,
     attention_avx512},
    {"avx2", matmul_avx2, quantize_avx2, add_layernorm_avx2, gelu_avx2, attention_avx2},
#endif
    {"scalar", matmul_scalar, quantize_scalar, add_layernorm_scalar, gelu_scalar, attention_scalar},
};

static bool supported(const embed_kernel *k)
{
#ifdef EMBED_X86
    __builtin_cpu_init();
    if (strcmp(k->name, "avx512vnni") == 0)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") &&
               __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
               __builtin_cpu_supports("f16c");
    if (strcmp(k->name, "avx2") == 0)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
               __builtin_cpu_supports("f16c");
#endif
    return strcmp(k->name, "scalar") == 0;
}

const embed_kernel *embed_kernel_best(void)
{
    for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
        if (supported(&kernels[i]))
            return &kernels[i];
    return &kernels[sizeof kernels / sizeof kernels[0] - 1];
}

const embed_kernel *embed_kernel_find(const char *name)
{
    for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
        if (strcmp(kernels[i].name, name) == 0)
            return supported(&kernels[i]) ? &kernels[i] : NULL;
    return NULL;
}
