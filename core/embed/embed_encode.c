/* The embedding engine's forward pass: BERT encoder (post-layer-norm, GELU) over the token ids
 * of one text, mean pooling and L2 normalisation, as multilingual-e5 is used. Matrix products
 * and activation quantisation go through the model's kernel (embed_kernels.c); the rest is
 * here. Every buffer comes from the model's scratch, grown to the longest text seen. */
#include "embed_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN 64

static size_t up(size_t n)
{
    return (n + ALIGN - 1) / ALIGN * ALIGN;
}

void embed_scratch_free(embed_scratch *s)
{
    free(s->fwd);
    free(s->tok);
    free(s->nfc);
    memset(s, 0, sizeof *s);
}

int embed_scratch_reserve(camas_embed_model *m, int ntok)
{
    embed_scratch *s = &m->s;
    if (ntok <= s->tok_cap)
        return 0;
    /* Grow in steps of 32 tokens so a run of slightly longer texts does not re-allocate for
     * each one. */
    int cap = (ntok + 31) / 32 * 32;
    if (cap > m->positions)
        cap = m->positions;
    size_t T = (size_t)cap, H = (size_t)m->hidden, F = (size_t)m->ffn;
    size_t wide = F > H ? F : H, nb = wide / EMBED_QK;
    size_t tp = (T + 15) / 16 * 16; /* attention works on keys in groups of 16 */
    size_t sz[] = {
        T * H * 4,                   /* x */
        T * H * 4,                   /* q */
        T * H * 4,                   /* k */
        T * H * 4,                   /* v */
        T * H * 4,                   /* ctx */
        T * H * 4,                   /* tmp */
        T * F * 4,                   /* mid */
        H * tp * 4,                  /* kt */
        tp * 4,                      /* probs */
        T * wide,                    /* aq */
        T * nb * 4,                  /* ad */
        T * nb * 4,                  /* ainit */
        EMBED_WBUF_BYTES(wide),      /* wbuf */
        EMBED_DBUF_FLOATS(wide) * 4, /* dbuf */
    };
    size_t total = 0;
    for (size_t i = 0; i < sizeof sz / sizeof sz[0]; i++)
        total += up(sz[i]);
    void *mem = aligned_alloc(ALIGN, total);
    if (!mem)
        return -1;
    free(s->fwd);
    s->fwd = mem;
    s->tok_cap = cap;
    void **dst[] = {(void **)&s->x,     (void **)&s->q,   (void **)&s->k,   (void **)&s->v,
                    (void **)&s->ctx,   (void **)&s->tmp, (void **)&s->mid, (void **)&s->kt,
                    (void **)&s->probs, (void **)&s->aq,  (void **)&s->ad,  (void **)&s->ainit,
                    (void **)&s->wbuf,  (void **)&s->dbuf};
    uint8_t *p = mem;
    for (size_t i = 0; i < sizeof sz / sizeof sz[0]; i++) {
        *dst[i] = p;
        p += up(sz[i]);
    }
    return 0;
}

/* y = W x + b for every token of x (ntok rows of w->nin floats). */
static void linear(camas_embed_model *m, const float *x, int ntok, const embed_q4 *w,
                   const float *bias, float *y)
{
    embed_scratch *s = &m->s;
    m->kernel->quantize(x, ntok, w->nin, s->aq, s->ad, s->ainit);
    embed_acts a = {.q = s->aq, .d = s->ad, .init = s->ainit, .nin = w->nin};
    m->kernel->matmul(w, bias, &a, ntok, y, s->wbuf, s->dbuf);
}

int embed_forward(camas_embed_model *m, const int32_t *ids, int ntok, float *out)
{
    if (ntok < 1 || ntok > m->positions || embed_scratch_reserve(m, ntok) != 0)
        return -1;
    embed_scratch *s = &m->s;
    int h = m->hidden, nbw = h / EMBED_QK;

    /* Embeddings: word (4-bit row) + position + token type 0, then LayerNorm. */
    for (int t = 0; t < ntok; t++) {
        const uint8_t *row = m->word + (size_t)ids[t] * (size_t)nbw * EMBED_Q4_BYTES;
        float *x = s->x + (size_t)t * h;
        const float *pos = m->pos + (size_t)t * h;
        for (int b = 0; b < nbw; b++) {
            const uint8_t *blk = row + (size_t)b * EMBED_Q4_BYTES;
            uint16_t half;
            memcpy(&half, blk, 2);
            float d = embed_half_to_float(half);
            for (int j = 0; j < 16; j++) {
                x[b * EMBED_QK + j] = (float)((blk[2 + j] & 0x0F) - 8) * d;
                x[b * EMBED_QK + j + 16] = (float)((blk[2 + j] >> 4) - 8) * d;
            }
        }
        for (int i = 0; i < h; i++)
            x[i] += pos[i] + m->type[i];
    }
    m->kernel->add_layernorm(s->x, NULL, m->ln_w, m->ln_b, ntok, h, m->eps);

    for (int l = 0; l < m->layers; l++) {
        const embed_layer *L = &m->layer[l];
        /* q, k and v share one quantisation of x. */
        m->kernel->quantize(s->x, ntok, h, s->aq, s->ad, s->ainit);
        embed_acts a = {.q = s->aq, .d = s->ad, .init = s->ainit, .nin = h};
        m->kernel->matmul(&L->q, L->qb, &a, ntok, s->q, s->wbuf, s->dbuf);
        m->kernel->matmul(&L->k, L->kb, &a, ntok, s->k, s->wbuf, s->dbuf);
        m->kernel->matmul(&L->v, L->vb, &a, ntok, s->v, s->wbuf, s->dbuf);
        m->kernel->attention(s->q, s->k, s->v, s->ctx, s->kt, s->probs, ntok, h, m->heads);
        linear(m, s->ctx, ntok, &L->o, L->ob, s->tmp);
        m->kernel->add_layernorm(s->x, s->tmp, L->ln1_w, L->ln1_b, ntok, h, m->eps);
        linear(m, s->x, ntok, &L->up, L->upb, s->mid);
        m->kernel->gelu(s->mid, (size_t)ntok * m->ffn);
        linear(m, s->mid, ntok, &L->down, L->downb, s->tmp);
        m->kernel->add_layernorm(s->x, s->tmp, L->ln2_w, L->ln2_b, ntok, h, m->eps);
    }

    /* Mean over all tokens, <s> and </s> included (as sentence-transformers does for e5). */
    for (int i = 0; i < h; i++)
        out[i] = 0.0f;
    for (int t = 0; t < ntok; t++)
        for (int i = 0; i < h; i++)
            out[i] += s->x[(size_t)t * h + i];
    float norm = 0.0f;
    for (int i = 0; i < h; i++) {
        out[i] /= (float)ntok;
        norm += out[i] * out[i];
    }
    if (!isfinite(norm) || norm <= 0.0f) {
        memset(out, 0, (size_t)h * sizeof *out);
        return -1;
    }
    float inv = 1.0f / sqrtf(norm);
    for (int i = 0; i < h; i++)
        out[i] *= inv;
    return 0;
}

int camas_embed_text(camas_embed_model *m, const char *utf8, size_t len, int is_query, float *out)
{
    if (!m || !out || (!utf8 && len > 0))
        return -1;
    int n = embed_tokenize(m, utf8, len, is_query);
    if (n < 0)
        return -1;
    return embed_forward(m, m->s.ids, n, out);
}
