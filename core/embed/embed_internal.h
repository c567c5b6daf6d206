/* Internals shared by the embedding engine's files (embed_model.c, embed_tokenize.c,
 * embed_encode.c, embed_kernels.c): the model, vocabulary, scratch and kernel structures.
 * Not part of the API; only core/embed/embed*.c include it. */
#ifndef CAMAS_EMBED_INTERNAL_H
#define CAMAS_EMBED_INTERNAL_H

#include "embed.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the E5S1 model file is little-endian and is read in place"
#endif

/* Q4_0 quantisation, as in the model file: blocks of 32 weights, each an IEEE half scale d
 * followed by 16 bytes; byte j holds weight j in its low nibble and weight j+16 in its high
 * nibble, and weight = d * (nibble - 8). */
#define EMBED_QK       32
#define EMBED_Q4_BYTES 18

/* A Q4_0 matrix of nout rows by nin columns (both multiples of 32). The file holds it row-major
 * (file); at load it is copied to the kernels' layout (embed_pack_q4), by groups of 16 rows and
 * then blocks, so the kernels read it sequentially and need no transposition:
 *  nib:   per (group, block) 256 bytes, four 64-byte segments; bytes 4r..4r+3 of segment g
 *         are the file's bytes 4g..4g+3 of the block of row r, whose low nibbles are weights
 *         4g..4g+3 and high nibbles weights 16+4g..16+4g+3;
 *  scale: per (group, block) the 16 rows' half-precision scales. */
#define EMBED_GROUP 16
typedef struct {
    const uint8_t *file;
    const uint8_t *nib;
    const uint16_t *scale;
    int nout, nin;
} embed_q4;

typedef struct {
    embed_q4 q, k, v, o, up, down;
    const float *qb, *kb, *vb, *ob, *ln1_w, *ln1_b, *upb, *downb, *ln2_w, *ln2_b;
} embed_layer;

/* The SentencePiece unigram vocabulary and the model's character normalisation table. */
typedef struct {
    int n_pieces, bos, eos, pad, unk;
    const uint32_t *offs; /* n_pieces + 1 byte offsets into blob, in the mapping */
    const float *scores;  /* n_pieces log-probabilities, in the mapping */
    const uint8_t *blob;  /* piece bytes, in the mapping */
    uint32_t *slots;      /* open-addressing hash of pieces: piece index + 1, 0 = empty */
    uint32_t slot_mask;
    int max_piece_bytes;
    float unk_score; /* score of an unknown character: lowest piece score - 10, as SentencePiece */
    /* Per-code-point replacements, sorted by code point: cp[i] becomes
     * out[off[i] .. off[i+1]) (possibly nothing). */
    int n_norm;
    uint32_t *norm_cp, *norm_off, *norm_out;
    int norm_max_out; /* longest replacement, bounds the expansion of one code point */
} embed_vocab;

/* Quantised activations for a matrix product: per token, nin signed bytes and, per block of
 * 32, the scale and -8 * (sum of the block's bytes) (the Q4 offset, folded in once). */
typedef struct {
    const int8_t *q;
    const float *d;
    const int32_t *init;
    int nin;
} embed_acts;

/* y[t * w->nout + r] = bias[r] + sum_i W[r][i] * act[t][i] for t < ntok. wbuf and dbuf are
 * scratch of EMBED_WBUF_BYTES(nin) and EMBED_DBUF_FLOATS(nin). */
typedef void (*embed_matmul_fn)(const embed_q4 *w, const float *bias, const embed_acts *a, int ntok,
                                float *y, uint8_t *wbuf, float *dbuf);

#define EMBED_ROWS_MAX         16 /* rows decoded together by the widest kernel */
#define EMBED_WBUF_BYTES(nin)  ((size_t)(nin)*EMBED_ROWS_MAX)
#define EMBED_DBUF_FLOATS(nin) ((size_t)(nin) / EMBED_QK * EMBED_ROWS_MAX)

/* Quantises ntok rows of nin floats to embed_acts form: per block of 32, d = max|x| / 127 and
 * q = round(x / d), as the reference engine does. */
typedef void (*embed_quantize_fn)(const float *x, int ntok, int nin, int8_t *q, float *d,
                                  int32_t *init);

/* One instruction set's version of each hot loop (see embed_ops.h for the float ones). */
typedef struct {
    const char *name;
    embed_matmul_fn matmul;
    embed_quantize_fn quantize;
    void (*add_layernorm)(float *x, const float *y, const float *w, const float *b, int ntok, int h,
                          float eps);
    void (*gelu)(float *x, size_t n);
    void (*attention)(const float *q, const float *k, const float *v, float *ctx, float *kt,
                      float *probs, int ntok, int h, int heads);
} embed_kernel;

/* Buffers reused across calls so that a call allocates nothing once they are big enough. */
typedef struct {
    /* forward pass, sized for tok_cap tokens */
    void *fwd;
    int tok_cap;
    float *x, *q, *k, *v, *ctx, *tmp, *mid, *kt, *probs;
    int8_t *aq;
    float *ad;
    int32_t *ainit;
    uint8_t *wbuf;
    float *dbuf;
    int32_t *ids;
    /* tokenizer, sized for tok_bytes input bytes */
    void *tok;
    size_t tok_bytes;
    uint8_t *clean; /* valid UTF-8 without NULs */
    uint8_t *nfc;   /* u8_normalize's result buffer */
    size_t nfc_size;
    uint32_t *cps;   /* normalised code points */
    uint8_t *norm;   /* normalised text, metaspaces in, as UTF-8 */
    int32_t *starts; /* byte offset of each character of norm */
    float *best;     /* Viterbi: best score ending at each character */
    int32_t *piece;  /* ... the piece that ends there (-1 = unknown character) */
    int32_t *from;   /* ... and the character it starts at */
} embed_scratch;

struct camas_embed_model {
    void *map;
    size_t map_size;
    int hidden, layers, heads, ffn, vocab_rows, positions, type_rows;
    float eps;
    const uint8_t *word; /* Q4_0 [vocab_rows][hidden] */
    const float *pos, *type, *ln_w, *ln_b;
    embed_layer *layer;
    void *packed; /* the layer matrices in the kernels' layout */
    embed_vocab voc;
    int max_tokens[2]; /* [0] passages, [1] queries */
    const embed_kernel *kernel;
    embed_scratch s;
};

/* embed_kernels.c */
/* Packs w->file into nib (nout * nin / 2 bytes) and scale (nout * nin / 32 halves) and points w
 * at them; -1 if a block scale is infinite or NaN. */
int embed_pack_q4(embed_q4 *w, uint8_t *nib, uint16_t *scale);
const embed_kernel *embed_kernel_best(void);
const embed_kernel *embed_kernel_find(const char *name);
float embed_half_to_float(uint16_t h);

/* embed_tokenize.c: writes the ids (<s> and </s> included, at most m->max_tokens[is_query])
 * to m->s.ids, which must hold that many; returns the count or -1 on allocation failure. */
int embed_tokenize(camas_embed_model *m, const char *utf8, size_t len, int is_query);
int embed_vocab_index(embed_vocab *v, char *err, size_t errlen);
void embed_vocab_free(embed_vocab *v);

/* embed_encode.c */
int embed_forward(camas_embed_model *m, const int32_t *ids, int ntok, float *out);
int embed_scratch_reserve(camas_embed_model *m, int ntok);
void embed_scratch_free(embed_scratch *s);

#endif
