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
#include <cpuid.h>
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

int embed_pack_q4(embed_q4 *w, uint8_t *nib, uint16_t *scale)
{
    int nb = w->nin / EMBED_QK;
    size_t row_bytes = (size_t)nb * EMBED_Q4_BYTES;
    for (int g0 = 0; g0 < w->nout; g0 += EMBED_GROUP) {
        for (int b = 0; b < nb; b++) {
            size_t gb = (size_t)(g0 / EMBED_GROUP) * nb + b;
            for (int r = 0; r < EMBED_GROUP; r++) {
                const uint8_t *blk = w->file + (size_t)(g0 + r) * row_bytes + (size_t)b * 18;
                uint16_t h;
                memcpy(&h, blk, 2);
                if ((h & 0x7C00) == 0x7C00) /* infinity or NaN */
                    return -1;
                scale[gb * EMBED_GROUP + r] = h;
                for (int g = 0; g < 4; g++)
                    memcpy(nib + gb * 256 + g * 64 + 4 * r, blk + 2 + 4 * g, 4);
            }
        }
    }
    w->nib = nib;
    w->scale = scale;
    return 0;
}

static void matmul_scalar(const embed_q4 *w, const float *bias, const embed_acts *a, int ntok,
                          float *y, uint8_t *wbuf, float *dbuf)
{
    int nb = w->nin / EMBED_QK;
    for (int r = 0; r < w->nout; r++) {
        /* Row r back to plain order: weight 4g+i is the low nibble of byte i of lane r in
         * segment g, weight 16+4g+i its high nibble. */
        size_t g0 = (size_t)(r / EMBED_GROUP) * nb;
        int lane = r % EMBED_GROUP;
        for (int b = 0; b < nb; b++) {
            const uint8_t *src = w->nib + (g0 + b) * 256;
            dbuf[b] = embed_half_to_float(w->scale[(g0 + b) * EMBED_GROUP + lane]);
            for (int g = 0; g < 4; g++)
                for (int i = 0; i < 4; i++) {
                    uint8_t byte = src[g * 64 + 4 * lane + i];
                    wbuf[b * EMBED_QK + 4 * g + i] = byte & 0x0F;
                    wbuf[b * EMBED_QK + 16 + 4 * g + i] = byte >> 4;
                }
        }
        for (int t = 0; t < ntok; t++) {
            const int8_t *x = a->q + (size_t)t * a->nin;
            float acc = 0.0f;
            for (int b = 0; b < nb; b++) {
                int32_t sum = a->init[(size_t)t * nb + b];
                for (int j = 0; j < EMBED_QK; j++)
                    sum += wbuf[b * EMBED_QK + j] * x[b * EMBED_QK + j];
                acc += dbuf[b] * a->d[(size_t)t * nb + b] * (float)sum;
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

/* Half h (rows 8h..8h+7) of a packed 16-row group to wbuf/dbuf. */
AVX2_TARGET static void decode8(const uint8_t *nib, const uint16_t *scale, int nb, int h,
                                uint8_t *wbuf, float *dbuf)
{
    const __m256i low = _mm256_set1_epi8(0x0F);
    for (int b = 0; b < nb; b++) {
        uint8_t *o = wbuf + (size_t)b * 8 * 32;
        for (int g = 0; g < 4; g++) {
            __m256i t = _mm256_loadu_si256(
                (const __m256i *)(const void *)(nib + (size_t)b * 256 + g * 64 + h * 32));
            _mm256_storeu_si256((__m256i *)(void *)(o + g * 32), _mm256_and_si256(t, low));
            _mm256_storeu_si256((__m256i *)(void *)(o + (g + 4) * 32),
                                _mm256_and_si256(_mm256_srli_epi16(t, 4), low));
        }
        _mm256_storeu_ps(dbuf + b * 8,
                         _mm256_cvtph_ps(_mm_loadu_si128(
                             (const __m128i *)(const void *)(scale + b * 16 + h * 8))));
    }
}

static inline int32_t load_i32(const int8_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* nt tokens (at most 4) against the decoded 8 rows, as tokens_avx512 below: each weight vector
 * loaded once per block for all nt tokens, independent sums per token. */
AVX2_TARGET static inline __attribute__((always_inline)) void
tokens_avx2(int nt, const embed_acts *a, int t, int nb, const uint8_t *wbuf, const float *dbuf,
            __m256 vbias, float *y, size_t ystride)
{
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[4];
    __m256i s16[4];
    const int8_t *x[4];
#pragma GCC unroll 4
    for (int n = 0; n < nt; n++) {
        acc[n] = _mm256_setzero_ps();
        x[n] = a->q + (size_t)(t + n) * a->nin;
    }
    for (int b = 0; b < nb; b++) {
        const uint8_t *wb = wbuf + (size_t)b * 8 * 32;
#pragma GCC unroll 4
        for (int n = 0; n < nt; n++)
            s16[n] = _mm256_setzero_si256();
            /* 8 groups of |15 * 128 * 2| <= 3840 sum to at most 30720: exact in int16. */
#pragma GCC unroll 8
        for (int g = 0; g < 8; g++) {
            __m256i w = _mm256_load_si256((const __m256i *)(const void *)(wb + g * 32));
#pragma GCC unroll 4
            for (int n = 0; n < nt; n++)
                s16[n] = _mm256_add_epi16(
                    s16[n], _mm256_maddubs_epi16(
                                w, _mm256_set1_epi32(load_i32(x[n] + b * EMBED_QK + g * 4))));
        }
        __m256 dw = _mm256_load_ps(dbuf + b * 8);
#pragma GCC unroll 4
        for (int n = 0; n < nt; n++) {
            size_t tb = (size_t)(t + n) * nb + b;
            __m256i sum =
                _mm256_add_epi32(_mm256_madd_epi16(s16[n], ones), _mm256_set1_epi32(a->init[tb]));
            __m256 scale = _mm256_mul_ps(dw, _mm256_set1_ps(a->d[tb]));
            acc[n] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sum), scale, acc[n]);
        }
    }
#pragma GCC unroll 4
    for (int n = 0; n < nt; n++)
        _mm256_storeu_ps(y + (size_t)(t + n) * ystride, _mm256_add_ps(acc[n], vbias));
}

AVX2_TARGET static void matmul_avx2(const embed_q4 *w, const float *bias, const embed_acts *a,
                                    int ntok, float *y, uint8_t *wbuf, float *dbuf)
{
    int nb = w->nin / EMBED_QK;
    size_t ys = (size_t)w->nout;
    for (int r0 = 0; r0 < w->nout; r0 += 8) {
        size_t gb = (size_t)(r0 / EMBED_GROUP) * nb;
        decode8(w->nib + gb * 256, w->scale + gb * EMBED_GROUP, nb, r0 / 8 % 2, wbuf, dbuf);
        __m256 vbias = _mm256_loadu_ps(bias + r0);
        int t = 0;
        for (; t + 4 <= ntok; t += 4)
            tokens_avx2(4, a, t, nb, wbuf, dbuf, vbias, y + r0, ys);
        switch (ntok - t) {
        case 3:
            tokens_avx2(3, a, t, nb, wbuf, dbuf, vbias, y + r0, ys);
            break;
        case 2:
            tokens_avx2(2, a, t, nb, wbuf, dbuf, vbias, y + r0, ys);
            break;
        case 1:
            tokens_avx2(1, a, t, nb, wbuf, dbuf, vbias, y + r0, ys);
            break;
        default:
            break;
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

/* A packed 16-row group to wbuf/dbuf: the low and high nibbles of each 64-byte segment are
 * weight groups g and g + 4 of the 16 rows. */
AVX512_TARGET static void decode16(const uint8_t *nib, const uint16_t *scale, int nb, uint8_t *wbuf,
                                   float *dbuf)
{
    const __m512i low = _mm512_set1_epi8(0x0F);
    for (int b = 0; b < nb; b++) {
        uint8_t *o = wbuf + (size_t)b * 8 * 64;
        for (int g = 0; g < 4; g++) {
            __m512i t = _mm512_loadu_si512(nib + (size_t)b * 256 + g * 64);
            _mm512_storeu_si512(o + g * 64, _mm512_and_si512(t, low));
            _mm512_storeu_si512(o + (g + 4) * 64, _mm512_and_si512(_mm512_srli_epi16(t, 4), low));
        }
        _mm512_storeu_ps(dbuf + b * 16,
                         _mm512_cvtph_ps(_mm256_loadu_si256(
                             (const __m256i *)(const void *)(scale + b * EMBED_GROUP))));
    }
}

/* nt tokens (a compile-time constant after inlining, at most 8) against the decoded 16-row
 * group. Each weight vector is loaded once per block and used for all nt tokens (a 512-bit load
 * costs as much as a VNNI operation on some CPUs), and the nt tokens' sums are independent
 * chains, which hides the VNNI latency. */
AVX512_TARGET static inline __attribute__((always_inline)) void
tokens_avx512(int nt, const embed_acts *a, int t, int nb, const uint8_t *wbuf, const float *dbuf,
              __m512 vbias, float *y, size_t ystride, const uint8_t *next,
              const uint16_t *next_scale)
{
    __m512 acc[8];
    __m512i s[8];
    const int8_t *x[8];
#pragma GCC unroll 8
    for (int n = 0; n < nt; n++) {
        acc[n] = _mm512_setzero_ps();
        x[n] = a->q + (size_t)(t + n) * a->nin;
    }
    for (int b = 0; b < nb; b++) {
        const uint8_t *wb = wbuf + (size_t)b * 8 * 64;
        if (next) {
            /* The next group's weights, a block per block computed here: they come from L3
             * or memory (10 MB per text) and the loads of decode16 would wait for them. */
            for (int i = 0; i < 4; i++)
                _mm_prefetch((const char *)next + (size_t)b * 256 + i * 64, _MM_HINT_T0);
            if (b % 2 == 0)
                _mm_prefetch((const char *)(next_scale + (size_t)b * EMBED_GROUP), _MM_HINT_T0);
        }
#pragma GCC unroll 8
        for (int n = 0; n < nt; n++)
            s[n] = _mm512_set1_epi32(a->init[(size_t)(t + n) * nb + b]);
#pragma GCC unroll 8
        for (int g = 0; g < 8; g++) {
            __m512i w = _mm512_load_si512(wb + g * 64);
#pragma GCC unroll 8
            for (int n = 0; n < nt; n++)
                s[n] = _mm512_dpbusd_epi32(
                    s[n], w, _mm512_set1_epi32(load_i32(x[n] + b * EMBED_QK + g * 4)));
        }
        __m512 dw = _mm512_load_ps(dbuf + b * 16);
#pragma GCC unroll 8
        for (int n = 0; n < nt; n++) {
            __m512 scale = _mm512_mul_ps(dw, _mm512_set1_ps(a->d[(size_t)(t + n) * nb + b]));
            acc[n] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s[n]), scale, acc[n]);
        }
    }
#pragma GCC unroll 8
    for (int n = 0; n < nt; n++)
        _mm512_storeu_ps(y + (size_t)(t + n) * ystride, _mm512_add_ps(acc[n], vbias));
}

AVX512_TARGET static void matmul_avx512(const embed_q4 *w, const float *bias, const embed_acts *a,
                                        int ntok, float *y, uint8_t *wbuf, float *dbuf)
{
    int nb = w->nin / EMBED_QK;
    size_t ys = (size_t)w->nout;
    for (int r0 = 0; r0 < w->nout; r0 += 16) {
        size_t gb = (size_t)(r0 / EMBED_GROUP) * nb;
        decode16(w->nib + gb * 256, w->scale + gb * EMBED_GROUP, nb, wbuf, dbuf);
        __m512 vbias = _mm512_loadu_ps(bias + r0);
        /* Prefetch the next group during the first pass over the tokens only. */
        const uint8_t *next = r0 + 16 < w->nout ? w->nib + (gb + nb) * 256 : NULL;
        const uint16_t *nsc = w->scale + (gb + nb) * EMBED_GROUP;
        int t = 0;
        for (; t + 8 <= ntok; t += 8, next = NULL)
            tokens_avx512(8, a, t, nb, wbuf, dbuf, vbias, y + r0, ys, next, nsc);
        if (ntok - t >= 4) {
            tokens_avx512(4, a, t, nb, wbuf, dbuf, vbias, y + r0, ys, next, nsc);
            t += 4;
            next = NULL;
        }
        switch (ntok - t) {
        case 3:
            tokens_avx512(3, a, t, nb, wbuf, dbuf, vbias, y + r0, ys, next, nsc);
            break;
        case 2:
            tokens_avx512(2, a, t, nb, wbuf, dbuf, vbias, y + r0, ys, next, nsc);
            break;
        case 1:
            tokens_avx512(1, a, t, nb, wbuf, dbuf, vbias, y + r0, ys, next, nsc);
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

#ifdef EMBED_X86
/* F16C (half-precision conversion) from CPUID leaf 1, ECX bit 29: clang's
 * __builtin_cpu_supports does not know the name. Every AVX2 CPU has it, but check anyway. */
static bool has_f16c(void)
{
    unsigned eax, ebx, ecx, edx;
    return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 29));
}
#endif

static bool supported(const embed_kernel *k)
{
#ifdef EMBED_X86
    __builtin_cpu_init();
    if (strcmp(k->name, "avx512vnni") == 0)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") &&
               __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && has_f16c();
    if (strcmp(k->name, "avx2") == 0)
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && has_f16c();
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
