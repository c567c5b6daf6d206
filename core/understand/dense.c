/* Dense retrieval: the knowledge texts' embeddings and cosine ranking (see dense.h). The
 * vectors live in one pool keyed by a 64-bit hash of (kind, text); texts point into it, so
 * forgetting and re-adding a plugin's entries (a reload) costs no model time. */
#include "dense.h"

#include "embed.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NO_VEC UINT32_MAX
static const char cache_magic[8] = CAMAS_DENSE_CACHE_MAGIC;

struct text {
    uint32_t owner;
    uint32_t entry; /* index into entries */
    uint64_t hash;
    uint32_t vec; /* index into the pool, NO_VEC while pending */
    uint8_t kind;
    bool masked;
    char *pending; /* the text itself, kept only until embedded */
};

struct entry {
    char *id;
    char *body; /* NULL: about every body */
    uint32_t owner;
    uint32_t ntexts; /* live texts; an entry with none is skipped */
};

struct camas_dense {
    struct text *texts;
    size_t ntexts, cap_texts;
    struct entry *entries;
    size_t nentries, cap_entries;
    /* vector pool: open-addressed hash -> vector index */
    float *vecs;
    size_t nvecs, cap_vecs;
    uint64_t *slot_hash; /* 0 = empty */
    uint32_t *slot_vec;
    size_t nslots;
    int dim;
    size_t npending;
    int cache_fd;
    uint64_t cache_model; /* written with each record */
    /* query scratch, one slot per entry */
    float *best, *second;
    /* each entry's centroid (the unit mean of its live texts' vectors), nentries x dim,
     * remade when the texts changed (centroid_fp) */
    float *centroids;
    size_t ncentroids;
    uint64_t centroid_fp;
};

static uint64_t text_hash(int kind, const char *s)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)(kind + 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return h ? h : 1; /* 0 marks an empty slot */
}

camas_dense *camas_dense_new(void)
{
    camas_dense *d = calloc(1, sizeof *d);
    if (d)
        d->cache_fd = -1;
    return d;
}

void camas_dense_free(camas_dense *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->ntexts; i++)
        free(d->texts[i].pending);
    for (size_t i = 0; i < d->nentries; i++) {
        free(d->entries[i].id);
        free(d->entries[i].body);
    }
    free(d->texts);
    free(d->entries);
    free(d->vecs);
    free(d->slot_hash);
    free(d->slot_vec);
    free(d->best);
    free(d->second);
    free(d->centroids);
    free(d);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

static uint32_t pool_find(const camas_dense *d, uint64_t h)
{
    if (!d->nslots)
        return NO_VEC;
    for (size_t i = h & (d->nslots - 1);; i = (i + 1) & (d->nslots - 1)) {
        if (d->slot_hash[i] == 0)
            return NO_VEC;
        if (d->slot_hash[i] == h)
            return d->slot_vec[i];
    }
}

static int pool_rehash(camas_dense *d, size_t nslots)
{
    uint64_t *sh = calloc(nslots, sizeof *sh);
    uint32_t *sv = calloc(nslots, sizeof *sv);
    if (!sh || !sv) {
        free(sh);
        free(sv);
        return -1;
    }
    for (size_t i = 0; i < d->nslots; i++) {
        if (!d->slot_hash[i])
            continue;
        size_t j = d->slot_hash[i] & (nslots - 1);
        while (sh[j])
            j = (j + 1) & (nslots - 1);
        sh[j] = d->slot_hash[i];
        sv[j] = d->slot_vec[i];
    }
    free(d->slot_hash);
    free(d->slot_vec);
    d->slot_hash = sh;
    d->slot_vec = sv;
    d->nslots = nslots;
    return 0;
}

/* Stores a vector for h (copied); returns its index or NO_VEC when memory ran out. */
static uint32_t pool_put(camas_dense *d, uint64_t h, const float *v)
{
    uint32_t have = pool_find(d, h);
    if (have != NO_VEC)
        return have;
    if ((d->nvecs + 1) * 2 > d->nslots && pool_rehash(d, d->nslots ? d->nslots * 2 : 1024))
        return NO_VEC;
    if (d->nvecs >= NO_VEC - 1 ||
        grow((void **)&d->vecs, &d->cap_vecs, (d->nvecs + 1) * (size_t)d->dim, sizeof(float)))
        return NO_VEC;
    uint32_t idx = (uint32_t)d->nvecs++;
    memcpy(d->vecs + (size_t)idx * (size_t)d->dim, v, (size_t)d->dim * sizeof(float));
    size_t j = h & (d->nslots - 1);
    while (d->slot_hash[j])
        j = (j + 1) & (d->nslots - 1);
    d->slot_hash[j] = h;
    d->slot_vec[j] = idx;
    return idx;
}

static long entry_index(camas_dense *d, uint32_t owner, const char *id, const char *body)
{
    for (size_t i = 0; i < d->nentries; i++)
        if (d->entries[i].owner == owner && strcmp(d->entries[i].id, id) == 0)
            return (long)i;
    if (grow((void **)&d->entries, &d->cap_entries, d->nentries + 1, sizeof *d->entries))
        return -1;
    struct entry *e = &d->entries[d->nentries];
    e->id = strdup(id);
    e->body = body && strcmp(body, "all") ? strdup(body) : NULL;
    e->owner = owner;
    e->ntexts = 0;
    if (!e->id || (body && strcmp(body, "all") && !e->body)) {
        free(e->id);
        free(e->body);
        return -1;
    }
    float *b = realloc(d->best, (d->nentries + 1) * sizeof *b);
    if (b)
        d->best = b;
    float *s = realloc(d->second, (d->nentries + 1) * sizeof *s);
    if (s)
        d->second = s;
    if (!b || !s) {
        free(e->id);
        free(e->body);
        return -1;
    }
    return (long)d->nentries++;
}

int camas_dense_add(camas_dense *d, uint32_t owner, const char *entry_id, const char *body_id,
                    enum camas_dense_kind kind, const char *text)
{
    if (!d || !entry_id || !text || !*text)
        return -1;
    long e = entry_index(d, owner, entry_id, body_id);
    if (e < 0 || grow((void **)&d->texts, &d->cap_texts, d->ntexts + 1, sizeof *d->texts))
        return -1;
    uint64_t h = text_hash(kind, text);
    struct text *t = &d->texts[d->ntexts];
    *t = (struct text){.owner = owner, .entry = (uint32_t)e, .hash = h, .kind = (uint8_t)kind};
    t->vec = pool_find(d, h);
    if (t->vec == NO_VEC) {
        if (!(t->pending = strdup(text)))
            return -1;
        d->npending++;
    }
    d->entries[e].ntexts++;
    d->ntexts++;
    return 0;
}

void camas_dense_remove_owner(camas_dense *d, uint32_t owner)
{
    if (!d)
        return;
    size_t keep = 0;
    for (size_t i = 0; i < d->ntexts; i++) {
        struct text *t = &d->texts[i];
        if (t->owner == owner) {
            if (t->pending)
                d->npending--;
            free(t->pending);
            d->entries[t->entry].ntexts--;
            continue;
        }
        d->texts[keep++] = *t;
    }
    d->ntexts = keep;
    /* Entries keep their slot (texts refer to it by index); an empty one ranks nothing and
     * is reused when the same owner adds the same id again. */
}

int camas_dense_copy_owner(camas_dense *dst, const camas_dense *src, uint32_t owner)
{
    if (!dst || !src)
        return -1;
    if (src->dim && !dst->dim)
        dst->dim = src->dim;
    for (size_t i = 0; i < src->ntexts; i++) {
        const struct text *t = &src->texts[i];
        if (t->owner != owner)
            continue;
        const struct entry *e = &src->entries[t->entry];
        long ei = entry_index(dst, owner, e->id, e->body);
        if (ei < 0 ||
            grow((void **)&dst->texts, &dst->cap_texts, dst->ntexts + 1, sizeof *dst->texts))
            return -1;
        struct text nt = *t;
        nt.entry = (uint32_t)ei;
        nt.pending = NULL;
        nt.vec = pool_find(dst, t->hash);
        if (nt.vec == NO_VEC && t->vec != NO_VEC && dst->dim == src->dim)
            nt.vec = pool_put(dst, t->hash, src->vecs + (size_t)t->vec * (size_t)src->dim);
        if (nt.vec == NO_VEC) {
            if (!t->pending)
                return -1; /* neither a vector nor the text to embed again */
            if (!(nt.pending = strdup(t->pending)))
                return -1;
            dst->npending++;
        }
        dst->entries[ei].ntexts++;
        dst->texts[dst->ntexts++] = nt;
    }
    return 0;
}

size_t camas_dense_pending(const camas_dense *d)
{
    return d ? d->npending : 0;
}

static void cache_append(camas_dense *d, uint64_t h, const float *v)
{
    if (d->cache_fd < 0)
        return;
    size_t n = 2 * sizeof h + (size_t)d->dim * sizeof(float);
    char rec[16 + 4096];
    if (n > sizeof rec)
        return;
    memcpy(rec, &h, sizeof h);
    memcpy(rec + sizeof h, &d->cache_model, sizeof h);
    memcpy(rec + 2 * sizeof h, v, (size_t)d->dim * sizeof(float));
    /* One write per record, appended: a torn tail is ignored at the next attach. */
    if (write(d->cache_fd, rec, n) != (ssize_t)n)
        d->cache_fd = -1; /* disk full or gone: keep serving, stop caching */
}

long camas_dense_embed_pending(camas_dense *d, struct camas_embed_model *model, int64_t budget_ms)
{
    if (!d || !model)
        return -1;
    int dim = camas_embed_dim(model);
    if (dim <= 0 || dim > 1024 || (d->dim && d->dim != dim))
        return -1;
    d->dim = dim;
    float v[1024];
    int64_t end = camas_monotonic_ms() + budget_ms;
    for (size_t i = 0; i < d->ntexts && d->npending; i++) {
        struct text *t = &d->texts[i];
        if (!t->pending)
            continue;
        t->vec = pool_find(d, t->hash); /* an identical text embedded meanwhile */
        if (t->vec == NO_VEC) {
            if (camas_embed_text(model, t->pending, strlen(t->pending), t->kind == CAMAS_DENSE_ASK,
                                 v))
                return -1;
            t->vec = pool_put(d, t->hash, v);
            if (t->vec == NO_VEC)
                return -1;
            cache_append(d, t->hash, v);
        }
        free(t->pending);
        t->pending = NULL;
        d->npending--;
        if (camas_monotonic_ms() >= end)
            break;
    }
    return (long)d->npending;
}

size_t camas_dense_mask(camas_dense *d, const char *entry_id, const char *text, bool masked)
{
    size_t n = 0;
    if (!d || !entry_id || !text)
        return 0;
    uint64_t h = text_hash(CAMAS_DENSE_ASK, text);
    for (size_t i = 0; i < d->ntexts; i++) {
        struct text *t = &d->texts[i];
        if (t->hash == h && strcmp(d->entries[t->entry].id, entry_id) == 0) {
            t->masked = masked;
            n++;
        }
    }
    return n;
}

size_t camas_dense_cache_attach(camas_dense *d, int fd, uint64_t model_id, int dim)
{
    if (!d || fd < 0 || dim <= 0 || dim > 1024 || (d->dim && d->dim != dim))
        return 0;
    d->dim = dim;
    char have[sizeof cache_magic];
    ssize_t got = pread(fd, have, sizeof have, 0);
    if (got == 0) { /* new */
        if (pwrite(fd, cache_magic, sizeof cache_magic, 0) != (ssize_t)sizeof cache_magic)
            return 0;
    } else if (got != (ssize_t)sizeof have || memcmp(have, cache_magic, sizeof have) != 0) {
        return 0; /* not a vector cache: leave it alone, work without */
    }
    /* Records: key, model, vector. The worker may not truncate files (its sandbox), so a
     * cache made with another model is not emptied: its records are skipped. */
    size_t n = 2 * sizeof(uint64_t) + (size_t)dim * sizeof(float), loaded = 0;
    char *rec = malloc(n);
    if (!rec)
        return 0;
    off_t off = sizeof cache_magic;
    while (pread(fd, rec, n, off) == (ssize_t)n) {
        uint64_t h, model;
        memcpy(&h, rec, sizeof h);
        memcpy(&model, rec + sizeof h, sizeof model);
        float *v = (float *)(void *)(rec + 2 * sizeof h);
        double norm = 0;
        for (int i = 0; i < dim; i++)
            norm += (double)v[i] * v[i];
        /* a record is a unit vector; anything else is damage and ends the file here */
        if (h == 0 || !(norm > 0.98 && norm < 1.02))
            break;
        if (model == model_id) {
            if (pool_put(d, h, v) == NO_VEC)
                break;
            loaded++;
        }
        off += (off_t)n;
    }
    free(rec);
    /* appends go after the last good record, over a torn or damaged tail */
    if (lseek(fd, off, SEEK_SET) == off) {
        d->cache_fd = fd;
        d->cache_model = model_id;
    }
    /* texts added before the cache: take their vectors from it */
    for (size_t i = 0; i < d->ntexts; i++) {
        struct text *t = &d->texts[i];
        if (t->pending && (t->vec = pool_find(d, t->hash)) != NO_VEC) {
            free(t->pending);
            t->pending = NULL;
            d->npending--;
        }
    }
    return loaded;
}

uint16_t camas_dense_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    uint32_t sign = (x >> 16) & 0x8000u, mant = x & 0x7fffffu;
    int exp = (int)((x >> 23) & 0xff) - 127 + 15;
    if (((x >> 23) & 0xff) == 0xff) /* infinity or NaN */
        return (uint16_t)(sign | 0x7c00u | (mant ? 0x200u : 0));
    if (exp >= 31)
        return (uint16_t)(sign | 0x7c00u);
    if (exp <= 0) { /* a subnormal half, or zero */
        if (exp < -10)
            return (uint16_t)sign;
        mant |= 0x800000u;
        uint32_t shift = (uint32_t)(14 - exp), half = mant >> shift,
                 rest = mant & ((1u << shift) - 1);
        uint32_t mid = 1u << (shift - 1);
        half += rest > mid || (rest == mid && (half & 1));
        return (uint16_t)(sign | half);
    }
    uint32_t half = ((uint32_t)exp << 10) | (mant >> 13), rest = mant & 0x1fffu;
    half += rest > 0x1000u || (rest == 0x1000u && (half & 1)); /* to nearest, ties to even */
    return (uint16_t)(sign | half);
}

void camas_dense_to_half(const float *v, uint16_t *out, int n)
{
    for (int i = 0; i < n; i++)
        out[i] = camas_dense_half(v[i]);
}

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ffu, x;
    if (exp == 0x1f)
        x = sign | 0x7f800000u | (mant << 13);
    else if (exp)
        x = sign | ((exp + 112) << 23) | (mant << 13);
    else if (!mant)
        x = sign;
    else { /* subnormal: normalise */
        exp = 113;
        while (!(mant & 0x400u)) {
            mant <<= 1;
            exp--;
        }
        x = sign | (exp << 23) | ((mant & 0x3ffu) << 13);
    }
    float f;
    memcpy(&f, &x, sizeof f);
    return f;
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
__attribute__((target("avx2,f16c,fma"))) static float dot_half_f16c(const uint16_t *a,
                                                                    const float *b, int n)
{
    __m256 acc = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 x = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(a + i)));
        acc = _mm256_fmadd_ps(x, _mm256_loadu_ps(b + i), acc);
    }
    float t[8];
    _mm256_storeu_ps(t, acc);
    float s = t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
    for (; i < n; i++)
        s += half_to_float(a[i]) * b[i];
    return s;
}
#endif

bool camas_dense_half_fast(void)
{
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_cpu_supports("f16c") && __builtin_cpu_supports("avx2") &&
           __builtin_cpu_supports("fma");
#else
    return false;
#endif
}

float camas_dense_dot_half(const uint16_t *a, const float *b, int n, bool fast)
{
#if defined(__x86_64__) || defined(__i386__)
    if (fast)
        return dot_half_f16c(a, b, n);
#endif
    float s = 0;
    for (int i = 0; i < n; i++)
        s += half_to_float(a[i]) * b[i];
    return s;
}

/* Cloned per instruction set (the loader picks the widest the CPU has): most of a
 * question's time after the model is spent here, ranking every example and danger message. */
__attribute__((target_clones("avx512f", "avx2", "default"))) float
camas_dense_dot(const float *a, const float *b, int n)
{
    /* eight partial sums in a vector: the compiler keeps them in SIMD registers (a plain
     * float loop may not be reordered, so it would not vectorise) */
    typedef float v8 __attribute__((vector_size(32)));
    v8 acc = {0};
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        v8 x, y;
        memcpy(&x, a + i, sizeof x);
        memcpy(&y, b + i, sizeof y);
        acc += x * y;
    }
    float s = acc[0] + acc[1] + acc[2] + acc[3] + acc[4] + acc[5] + acc[6] + acc[7];
    for (; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* What the centroids depend on: which texts are live, and their vectors. */
static uint64_t texts_fingerprint(const camas_dense *d)
{
    uint64_t fp = d->ntexts * 0x9e3779b97f4a7c15ull + d->nentries;
    for (size_t i = 0; i < d->ntexts; i++) {
        const struct text *t = &d->texts[i];
        uint64_t x = t->hash ^ ((uint64_t)t->vec << 1 | t->masked) ^ ((uint64_t)t->entry << 40);
        fp += x * 0xff51afd7ed558ccdull;
    }
    return fp;
}

/* Remakes the entries' centroids when the texts changed since. False when memory ran out
 * (the query then goes without them). */
static bool centroids_ready(camas_dense *d)
{
    uint64_t fp = texts_fingerprint(d);
    if (d->centroids && d->ncentroids == d->nentries && fp == d->centroid_fp)
        return true;
    size_t n = d->nentries * (size_t)d->dim;
    float *c = n ? calloc(n, sizeof *c) : NULL;
    if (!c)
        return false;
    for (size_t i = 0; i < d->ntexts; i++) {
        const struct text *t = &d->texts[i];
        if (t->vec == NO_VEC || t->masked)
            continue;
        const float *v = d->vecs + (size_t)t->vec * (size_t)d->dim;
        float *dst = c + (size_t)t->entry * (size_t)d->dim;
        for (int k = 0; k < d->dim; k++)
            dst[k] += v[k];
    }
    for (size_t e = 0; e < d->nentries; e++) {
        float *v = c + e * (size_t)d->dim;
        double norm = 0;
        for (int k = 0; k < d->dim; k++)
            norm += (double)v[k] * v[k];
        if (norm > 0) {
            float inv = (float)(1.0 / sqrt(norm));
            for (int k = 0; k < d->dim; k++)
                v[k] *= inv;
        }
    }
    free(d->centroids);
    d->centroids = c;
    d->ncentroids = d->nentries;
    d->centroid_fp = fp;
    return true;
}

size_t camas_dense_query(const camas_dense *cd, const float *q, const char *const *bodies,
                         size_t nbodies, camas_dense_filter f, void *ud, camas_dense_hit *out,
                         size_t max)
{
    camas_dense *d = (camas_dense *)cd; /* scratch only */
    if (!d || !q || !out || !max || !d->dim)
        return 0;
    for (size_t e = 0; e < d->nentries; e++)
        d->best[e] = d->second[e] = -2;
    for (size_t i = 0; i < d->ntexts; i++) {
        const struct text *t = &d->texts[i];
        if (t->vec == NO_VEC || t->masked)
            continue;
        float s = camas_dense_dot(q, d->vecs + (size_t)t->vec * (size_t)d->dim, d->dim);
        if (s > d->best[t->entry]) {
            d->second[t->entry] = d->best[t->entry];
            d->best[t->entry] = s;
        } else if (s > d->second[t->entry]) {
            d->second[t->entry] = s;
        }
    }
    bool with_centroids = centroids_ready(d);
    size_t n = 0;
    for (size_t e = 0; e < d->nentries; e++) {
        const struct entry *en = &d->entries[e];
        if (!en->ntexts || d->best[e] < -1)
            continue;
        if (nbodies && en->body) {
            bool named = false;
            for (size_t b = 0; b < nbodies && !named; b++)
                named = strcmp(bodies[b], en->body) == 0;
            if (!named)
                continue; /* a question naming bodies is never answered about another */
        }
        if (f && !f(en->owner, en->id, ud))
            continue;
        camas_dense_hit h = {
            en->id, en->owner, d->best[e], d->second[e] < -1 ? d->best[e] : d->second[e],
            with_centroids ? camas_dense_dot(q, d->centroids + e * (size_t)d->dim, d->dim)
                           : d->best[e]};
        size_t pos = n < max ? n : max;
        while (pos > 0 && out[pos - 1].score < h.score) {
            if (pos < max)
                out[pos] = out[pos - 1];
            pos--;
        }
        if (pos < max) {
            out[pos] = h;
            if (n < max)
                n++;
        }
    }
    return n;
}

const char *camas_dense_entry_body(const camas_dense *d, const char *entry_id)
{
    for (size_t i = 0; d && i < d->nentries; i++)
        if (d->entries[i].ntexts && strcmp(d->entries[i].id, entry_id) == 0)
            return d->entries[i].body ? d->entries[i].body : "all";
    return NULL;
}

const float *camas_dense_vector(const camas_dense *d, enum camas_dense_kind kind, const char *text)
{
    if (!d || !text || !d->dim)
        return NULL;
    uint32_t v = pool_find(d, text_hash(kind, text));
    return v == NO_VEC ? NULL : d->vecs + (size_t)v * (size_t)d->dim;
}

size_t camas_dense_ask_vectors(const camas_dense *d, uint32_t owner_below, const float **out,
                               size_t max, uint64_t *fingerprint)
{
    size_t n = 0;
    uint64_t fp = 0;
    for (size_t i = 0; d && i < d->ntexts; i++) {
        const struct text *t = &d->texts[i];
        if (t->owner >= owner_below || t->kind != CAMAS_DENSE_ASK || t->vec == NO_VEC)
            continue;
        fp += t->hash * 0x9e3779b97f4a7c15ull; /* order-independent */
        if (n < max)
            out[n++] = d->vecs + (size_t)t->vec * (size_t)d->dim;
    }
    if (fingerprint)
        *fingerprint = fp;
    return n;
}

size_t camas_dense_labelled(const camas_dense *d, uint32_t owner_below, const float **vecs,
                            uint32_t *entry, size_t max, uint64_t *fingerprint)
{
    size_t n = 0;
    uint64_t fp = 0;
    for (size_t i = 0; d && i < d->ntexts; i++) {
        const struct text *t = &d->texts[i];
        if (t->owner >= owner_below || t->vec == NO_VEC)
            continue;
        /* the entry by its id, not its index: a reload puts the same entries elsewhere */
        uint64_t eh = 1469598103934665603ull;
        for (const char *p = d->entries[t->entry].id; p && *p; p++)
            eh = (eh ^ (unsigned char)*p) * 1099511628211ull;
        fp += (t->hash ^ eh) * 0x9e3779b97f4a7c15ull;
        if (n < max) {
            vecs[n] = d->vecs + (size_t)t->vec * (size_t)d->dim;
            entry[n++] = t->entry;
        }
    }
    if (fingerprint)
        *fingerprint = fp;
    return n;
}

const char *camas_dense_entry_at(const camas_dense *d, uint32_t i, uint32_t *owner)
{
    if (!d || i >= d->nentries)
        return NULL;
    if (owner)
        *owner = d->entries[i].owner;
    return d->entries[i].id;
}

int camas_dense_set_vector(camas_dense *d, enum camas_dense_kind kind, const char *text,
                           const float *v, int dim)
{
    if (!d || !text || !v || dim <= 0 || dim > 1024 || (d->dim && d->dim != dim))
        return -1;
    d->dim = dim;
    uint64_t h = text_hash(kind, text);
    uint32_t idx = pool_put(d, h, v);
    if (idx == NO_VEC)
        return -1;
    for (size_t i = 0; i < d->ntexts; i++) {
        struct text *t = &d->texts[i];
        if (t->pending && t->hash == h) {
            t->vec = idx;
            free(t->pending);
            t->pending = NULL;
            d->npending--;
        }
    }
    cache_append(d, h, v);
    return 0;
}

const float *camas_dense_keyed(const camas_dense *d, uint64_t key)
{
    uint32_t v = d && d->dim ? pool_find(d, key ? key : 1) : NO_VEC;
    return v == NO_VEC ? NULL : d->vecs + (size_t)v * (size_t)d->dim;
}

int camas_dense_keep(camas_dense *d, uint64_t key, const float *v)
{
    if (!d || !v || !d->dim)
        return -1;
    key = key ? key : 1;
    if (pool_find(d, key) != NO_VEC)
        return 0;
    if (pool_put(d, key, v) == NO_VEC)
        return -1;
    cache_append(d, key, v);
    return 0;
}
