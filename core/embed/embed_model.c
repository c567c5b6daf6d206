/* Loads an E5S1 model file for the embedding engine: maps it read-only and checks every header
 * field, table and tensor against the file's length and the shapes the header implies, so that
 * nothing later has to trust the file. Also the small accessors of the public API. */
#include "embed_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Limits far above e5-small's (384 wide, 12 layers, 12 heads, 1536 FFN, 250037 rows, 512
 * positions) but low enough that no size computed from them can overflow. */
#define MAX_HIDDEN      4096
#define MAX_LAYERS      64
#define MAX_FFN         16384
#define MAX_VOCAB_ROWS  (1 << 22)
#define MAX_POSITIONS   8192
#define MAX_TYPE_ROWS   16
#define MAX_HEAD_DIM    256
#define MAX_PIECE_BYTES 256
#define MAX_TENSORS     4096
#define MAX_NAME        63

enum { DTYPE_F32 = 0, DTYPE_Q4_0 = 1 };

typedef struct {
    const uint8_t *base;
    size_t size, pos;
    char *err;
    size_t errlen;
} reader;

typedef struct {
    char name[MAX_NAME + 1];
    int dtype;
    uint64_t count, offset, bytes;
} tensor_entry;

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errlen, const char *fmt,
                                                          ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Takes n bytes at the cursor, or reports that the file ends inside `what`. */
static const uint8_t *take(reader *r, size_t n, const char *what)
{
    if (n > r->size - r->pos) {
        set_err(r->err, r->errlen,
                "truncated model file: %s needs %zu bytes at offset %zu, file is %zu bytes", what,
                n, r->pos, r->size);
        return NULL;
    }
    const uint8_t *p = r->base + r->pos;
    r->pos += n;
    return p;
}

static bool read_u32(reader *r, uint32_t *v, const char *what)
{
    const uint8_t *p = take(r, 4, what);
    if (p)
        memcpy(v, p, 4);
    return p != NULL;
}

static bool read_i32(reader *r, int32_t *v, const char *what)
{
    const uint8_t *p = take(r, 4, what);
    if (p)
        memcpy(v, p, 4);
    return p != NULL;
}

static bool read_u64(reader *r, uint64_t *v, const char *what)
{
    const uint8_t *p = take(r, 8, what);
    if (p)
        memcpy(v, p, 8);
    return p != NULL;
}

/* Reads a header integer and checks lo <= v <= hi. */
static bool read_dim(reader *r, int *out, int lo, int hi, const char *what)
{
    int32_t v;
    if (!read_i32(r, &v, what))
        return false;
    if (v < lo || v > hi) {
        set_err(r->err, r->errlen, "model header: %s is %" PRId32 ", expected %d..%d", what, v, lo,
                hi);
        return false;
    }
    *out = v;
    return true;
}

static bool all_finite(const float *f, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (!isfinite(f[i]))
            return false;
    return true;
}

static bool parse_header(camas_embed_model *m, reader *r)
{
    const uint8_t *magic = take(r, 4, "magic");
    if (!magic)
        return false;
    if (memcmp(magic, "E5S1", 4) != 0) {
        set_err(r->err, r->errlen, "not an E5S1 model file (bad magic)");
        return false;
    }
    uint32_t version;
    if (!read_u32(r, &version, "version"))
        return false;
    if (version != 1) {
        set_err(r->err, r->errlen, "model header: version %" PRIu32 " unsupported, expected 1",
                version);
        return false;
    }
    int qk;
    if (!read_dim(r, &m->hidden, EMBED_QK, MAX_HIDDEN, "hidden size") ||
        !read_dim(r, &m->layers, 1, MAX_LAYERS, "layer count") ||
        !read_dim(r, &m->heads, 1, MAX_HIDDEN, "head count") ||
        !read_dim(r, &m->ffn, EMBED_QK, MAX_FFN, "FFN size") ||
        !read_dim(r, &m->vocab_rows, 4, MAX_VOCAB_ROWS, "vocabulary rows") ||
        !read_dim(r, &m->positions, 3, MAX_POSITIONS, "position count") ||
        !read_dim(r, &m->type_rows, 1, MAX_TYPE_ROWS, "token type rows"))
        return false;
    const uint8_t *p = take(r, 4, "layer norm epsilon");
    if (!p)
        return false;
    memcpy(&m->eps, p, 4);
    if (!read_dim(r, &qk, EMBED_QK, EMBED_QK, "quantisation block size"))
        return false;
    if (!isfinite(m->eps) || m->eps <= 0.0f || m->eps > 0.01f) {
        set_err(r->err, r->errlen, "model header: layer norm epsilon %g out of range (0, 0.01]",
                (double)m->eps);
        return false;
    }
    if (m->hidden % EMBED_QK || m->ffn % EMBED_QK) {
        set_err(r->err, r->errlen,
                "model header: hidden size %d and FFN size %d must be multiples of %d", m->hidden,
                m->ffn, EMBED_QK);
        return false;
    }
    /* embed_ops.h works on head slices in steps of 16 floats. */
    if (m->hidden % m->heads || (m->hidden / m->heads) % 16 ||
        m->hidden / m->heads > MAX_HEAD_DIM) {
        set_err(r->err, r->errlen,
                "model header: %d heads do not split hidden size %d into multiples of 16", m->heads,
                m->hidden);
        return false;
    }
    return true;
}

static bool parse_vocab(camas_embed_model *m, reader *r)
{
    embed_vocab *v = &m->voc;
    if (!read_dim(r, &v->n_pieces, 4, m->vocab_rows, "vocabulary size") ||
        !read_dim(r, &v->bos, 0, v->n_pieces - 1, "<s> id") ||
        !read_dim(r, &v->eos, 0, v->n_pieces - 1, "</s> id") ||
        !read_dim(r, &v->pad, 0, v->n_pieces - 1, "<pad> id") ||
        !read_dim(r, &v->unk, 0, v->n_pieces - 1, "<unk> id"))
        return false;
    if (v->bos == v->eos || v->unk == v->bos || v->unk == v->eos) {
        set_err(r->err, r->errlen, "model header: <s>, </s> and <unk> ids must differ");
        return false;
    }
    uint64_t blob_len;
    if (!read_u64(r, &blob_len, "piece bytes length"))
        return false;
    size_t n = (size_t)v->n_pieces;
    /* The tables start at fixed, 4-aligned offsets (72, then 4 bytes per entry), so they can be
     * used in place as uint32_t and float arrays. */
    const uint8_t *offs = take(r, (n + 1) * 4, "piece offsets");
    const uint8_t *scores = offs ? take(r, n * 4, "piece scores") : NULL;
    if (!scores)
        return false;
    if (blob_len > r->size - r->pos) {
        set_err(r->err, r->errlen,
                "truncated model file: piece bytes (%" PRIu64 ") run past the end of the file",
                blob_len);
        return false;
    }
    v->blob = take(r, (size_t)blob_len, "piece bytes");
    if ((uintptr_t)offs % 4 || (uintptr_t)scores % 4) {
        set_err(r->err, r->errlen, "model file: misaligned vocabulary tables");
        return false;
    }
    v->offs = (const uint32_t *)(const void *)offs;
    v->scores = (const float *)(const void *)scores;
    if (v->offs[0] != 0 || v->offs[n] != blob_len) {
        set_err(r->err, r->errlen, "model vocabulary: piece offsets do not span the piece bytes");
        return false;
    }
    v->max_piece_bytes = 1;
    float lowest = 0.0f;
    for (size_t i = 0; i < n; i++) {
        if (v->offs[i + 1] <= v->offs[i] || v->offs[i + 1] - v->offs[i] > MAX_PIECE_BYTES) {
            set_err(r->err, r->errlen,
                    "model vocabulary: piece %zu is empty, out of order or longer than %d bytes", i,
                    MAX_PIECE_BYTES);
            return false;
        }
        if (!isfinite(v->scores[i])) {
            set_err(r->err, r->errlen, "model vocabulary: piece %zu has a non-finite score", i);
            return false;
        }
        int len = (int)(v->offs[i + 1] - v->offs[i]);
        if (len > v->max_piece_bytes)
            v->max_piece_bytes = len;
        if (i == 0 || v->scores[i] < lowest)
            lowest = v->scores[i];
    }
    v->unk_score = lowest - 10.0f;
    return true;
}

static bool valid_scalar(uint32_t cp)
{
    return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
}

static bool parse_norm(camas_embed_model *m, reader *r)
{
    embed_vocab *v = &m->voc;
    int count;
    uint32_t bytes;
    if (!read_dim(r, &count, 0, 0x110000, "normalisation entry count") ||
        !read_u32(r, &bytes, "normalisation table length"))
        return false;
    const uint8_t *p = take(r, bytes, "normalisation table");
    if (!p)
        return false;
    /* First pass: check the structure and count the replacement code points. */
    size_t pos = 0, total = 0;
    uint32_t prev = 0;
    for (int i = 0; i < count; i++) {
        if (bytes - pos < 5) {
            set_err(r->err, r->errlen, "model normalisation table: entry %d truncated", i);
            return false;
        }
        uint32_t cp;
        memcpy(&cp, p + pos, 4);
        size_t nout = p[pos + 4];
        pos += 5;
        if (!valid_scalar(cp) || (i > 0 && cp <= prev)) {
            set_err(r->err, r->errlen,
                    "model normalisation table: entry %d (U+%04" PRIX32
                    ") is not a code point in increasing order",
                    i, cp);
            return false;
        }
        if (nout * 4 > bytes - pos) {
            set_err(r->err, r->errlen, "model normalisation table: entry %d truncated", i);
            return false;
        }
        for (size_t j = 0; j < nout; j++) {
            uint32_t out;
            memcpy(&out, p + pos + 4 * j, 4);
            if (!valid_scalar(out) || out == 0) {
                set_err(r->err, r->errlen,
                        "model normalisation table: entry %d maps to an invalid code point", i);
                return false;
            }
        }
        if ((int)nout > v->norm_max_out)
            v->norm_max_out = (int)nout;
        pos += nout * 4;
        total += nout;
        prev = cp;
    }
    if (pos != bytes) {
        set_err(r->err, r->errlen,
                "model normalisation table: %zu bytes left over after %d entries", bytes - pos,
                count);
        return false;
    }
    v->n_norm = count;
    v->norm_cp = malloc(((size_t)count + 1) * sizeof *v->norm_cp);
    v->norm_off = malloc(((size_t)count + 1) * sizeof *v->norm_off);
    v->norm_out = malloc((total + 1) * sizeof *v->norm_out);
    if (!v->norm_cp || !v->norm_off || !v->norm_out) {
        set_err(r->err, r->errlen, "out of memory for the normalisation table");
        return false;
    }
    pos = 0;
    size_t at = 0;
    for (int i = 0; i < count; i++) {
        memcpy(&v->norm_cp[i], p + pos, 4);
        size_t nout = p[pos + 4];
        pos += 5;
        v->norm_off[i] = (uint32_t)at;
        memcpy(v->norm_out + at, p + pos, nout * 4);
        at += nout;
        pos += nout * 4;
    }
    v->norm_off[count] = (uint32_t)at;
    return true;
}

static bool parse_directory(reader *r, tensor_entry **dir_out, int *count_out)
{
    int count;
    if (!read_dim(r, &count, 1, MAX_TENSORS, "tensor count"))
        return false;
    tensor_entry *dir = calloc((size_t)count, sizeof *dir);
    if (!dir) {
        set_err(r->err, r->errlen, "out of memory for the tensor directory");
        return false;
    }
    *dir_out = dir;
    for (int i = 0; i < count; i++) {
        const uint8_t *p = take(r, 2, "tensor name length");
        if (!p)
            return false;
        size_t nlen = (size_t)p[0] | (size_t)p[1] << 8;
        if (nlen == 0 || nlen > MAX_NAME) {
            set_err(r->err, r->errlen, "model tensor directory: entry %d has a %zu-byte name", i,
                    nlen);
            return false;
        }
        if (!(p = take(r, nlen, "tensor name")))
            return false;
        memcpy(dir[i].name, p, nlen);
        if (memchr(dir[i].name, '\0', nlen)) {
            set_err(r->err, r->errlen, "model tensor directory: entry %d has a NUL in its name", i);
            return false;
        }
        uint32_t n;
        if (!(p = take(r, 1, "tensor type")))
            return false;
        dir[i].dtype = p[0];
        if (!read_u32(r, &n, "tensor element count") ||
            !read_u64(r, &dir[i].offset, "tensor offset") ||
            !read_u64(r, &dir[i].bytes, "tensor length"))
            return false;
        dir[i].count = n;
        for (int j = 0; j < i; j++)
            if (strcmp(dir[j].name, dir[i].name) == 0) {
                set_err(r->err, r->errlen, "model tensor directory: tensor %s appears twice",
                        dir[i].name);
                return false;
            }
    }
    *count_out = count;
    return true;
}

/* Finds a tensor and checks its type, element count, length and place in the file: after the
 * directory (data_start), inside the file, and 4-aligned for floats. */
static const uint8_t *tensor(const camas_embed_model *m, reader *r, const tensor_entry *dir,
                             int ndir, size_t data_start, const char *name, int dtype,
                             uint64_t count)
{
    const tensor_entry *t = NULL;
    for (int i = 0; i < ndir && !t; i++)
        if (strcmp(dir[i].name, name) == 0)
            t = &dir[i];
    if (!t) {
        set_err(r->err, r->errlen, "model file: tensor %s is missing", name);
        return NULL;
    }
    if (t->dtype != dtype) {
        set_err(r->err, r->errlen, "model tensor %s: type %d, expected %d", name, t->dtype, dtype);
        return NULL;
    }
    if (t->count != count) {
        set_err(r->err, r->errlen, "model tensor %s: %" PRIu64 " elements, expected %" PRIu64, name,
                t->count, count);
        return NULL;
    }
    uint64_t bytes = dtype == DTYPE_F32 ? count * 4 : count / EMBED_QK * EMBED_Q4_BYTES;
    if (t->bytes != bytes) {
        set_err(r->err, r->errlen, "model tensor %s: %" PRIu64 " bytes, expected %" PRIu64, name,
                t->bytes, bytes);
        return NULL;
    }
    if (t->offset < data_start || t->offset > m->map_size || bytes > m->map_size - t->offset) {
        set_err(r->err, r->errlen,
                "model tensor %s: %" PRIu64 " bytes at offset %" PRIu64
                " are outside the data area (%zu to %zu)",
                name, bytes, t->offset, data_start, m->map_size);
        return NULL;
    }
    if (dtype == DTYPE_F32 && t->offset % 4) {
        set_err(r->err, r->errlen, "model tensor %s: misaligned offset %" PRIu64, name, t->offset);
        return NULL;
    }
    const uint8_t *p = r->base + t->offset;
    if (dtype == DTYPE_F32 && !all_finite((const float *)(const void *)p, count)) {
        set_err(r->err, r->errlen, "model tensor %s: non-finite value", name);
        return NULL;
    }
    return p;
}

static bool q4_matrix(const camas_embed_model *m, reader *r, const tensor_entry *dir, int ndir,
                      size_t data_start, const char *name, int nout, int nin, embed_q4 *w)
{
    w->file = tensor(m, r, dir, ndir, data_start, name, DTYPE_Q4_0, (uint64_t)nout * nin);
    w->nout = nout;
    w->nin = nin;
    return w->file != NULL;
}

static bool bind_tensors(camas_embed_model *m, reader *r, const tensor_entry *dir, int ndir)
{
    size_t ds = r->pos;
    int h = m->hidden, f = m->ffn;
#define F32(name, n) tensor(m, r, dir, ndir, ds, (name), DTYPE_F32, (uint64_t)(n))
    m->word = tensor(m, r, dir, ndir, ds, "emb.word", DTYPE_Q4_0, (uint64_t)m->vocab_rows * h);
    if (!m->word ||
        !(m->pos = (const float *)(const void *)F32("emb.pos", (uint64_t)m->positions * h)) ||
        !(m->type = (const float *)(const void *)F32("emb.type", (uint64_t)m->type_rows * h)) ||
        !(m->ln_w = (const float *)(const void *)F32("emb.ln.w", h)) ||
        !(m->ln_b = (const float *)(const void *)F32("emb.ln.b", h)))
        return false;
    m->layer = calloc((size_t)m->layers, sizeof *m->layer);
    if (!m->layer) {
        set_err(r->err, r->errlen, "out of memory for the layer table");
        return false;
    }
    for (int l = 0; l < m->layers; l++) {
        embed_layer *L = &m->layer[l];
        char nm[32];
#define NAME(suffix) (snprintf(nm, sizeof nm, "l%d." suffix, l), nm)
#define VEC(field, suffix, n)                                                                      \
    if (!(L->field = (const float *)(const void *)F32(NAME(suffix), (n))))                         \
        return false;
#define MAT(field, suffix, nout, nin)                                                              \
    if (!q4_matrix(m, r, dir, ndir, ds, NAME(suffix), (nout), (nin), &L->field))                   \
        return false;
        MAT(q, "q.w", h, h)
        VEC(qb, "q.b", h)
        MAT(k, "k.w", h, h)
        VEC(kb, "k.b", h)
        MAT(v, "v.w", h, h)
        VEC(vb, "v.b", h)
        MAT(o, "ao.w", h, h)
        VEC(ob, "ao.b", h)
        VEC(ln1_w, "aln.w", h)
        VEC(ln1_b, "aln.b", h)
        MAT(up, "fi.w", f, h)
        VEC(upb, "fi.b", f)
        MAT(down, "fo.w", h, f)
        VEC(downb, "fo.b", h)
        VEC(ln2_w, "oln.w", h)
        VEC(ln2_b, "oln.b", h)
#undef NAME
#undef VEC
#undef MAT
    }
#undef F32
    return true;
}

/* Copies the layer matrices into the kernels' layout (embed_internal.h), checking that every
 * block scale is finite so a NaN or infinity in the file cannot reach the activations. (The
 * word table stays in the mapping, unchecked, to keep its 54 MB out of memory: a text reads a
 * few rows, and camas_embed_text checks its result instead.) The file's copies are then
 * dropped from this process's memory: they are never read again. */
static bool pack_layers(camas_embed_model *m, char *err, size_t errlen)
{
    size_t total = 0;
    for (int l = 0; l < m->layers; l++) {
        embed_q4 *ws[] = {&m->layer[l].q, &m->layer[l].k,  &m->layer[l].v,
                          &m->layer[l].o, &m->layer[l].up, &m->layer[l].down};
        for (size_t i = 0; i < 6; i++) {
            size_t n = (size_t)ws[i]->nout * (size_t)ws[i]->nin;
            total += (n / 2 + 63) / 64 * 64 + (n / 16 + 63) / 64 * 64;
        }
    }
    m->packed = aligned_alloc(64, total);
    if (!m->packed) {
        set_err(err, errlen, "out of memory for the weights (%zu bytes)", total);
        return false;
    }
    uint8_t *p = m->packed;
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    for (int l = 0; l < m->layers; l++) {
        embed_q4 *ws[] = {&m->layer[l].q, &m->layer[l].k,  &m->layer[l].v,
                          &m->layer[l].o, &m->layer[l].up, &m->layer[l].down};
        for (size_t i = 0; i < 6; i++) {
            size_t n = (size_t)ws[i]->nout * (size_t)ws[i]->nin;
            uint8_t *nib = p;
            uint16_t *scale = (uint16_t *)(void *)(p + (n / 2 + 63) / 64 * 64);
            p += (n / 2 + 63) / 64 * 64 + (n / 16 + 63) / 64 * 64;
            if (embed_pack_q4(ws[i], nib, scale) != 0) {
                set_err(err, errlen, "model layer %d: a weight block scale is not finite", l);
                return false;
            }
            uintptr_t lo = ((uintptr_t)ws[i]->file + page - 1) / page * page;
            uintptr_t hi = ((uintptr_t)ws[i]->file + n / EMBED_QK * EMBED_Q4_BYTES) / page * page;
            if (hi > lo)
                madvise((void *)lo, hi - lo, MADV_DONTNEED);
        }
    }
    return true;
}

camas_embed_model *camas_embed_open(const char *path, char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!path) {
        set_err(err, errlen, "no model path");
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_err(err, errlen, "cannot open model %s: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
        set_err(err, errlen, "model %s is not a non-empty regular file", path);
        close(fd);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    int map_errno = errno;
    close(fd);
    if (map == MAP_FAILED) {
        set_err(err, errlen, "cannot map model %s: %s", path, strerror(map_errno));
        return NULL;
    }
    camas_embed_model *m = calloc(1, sizeof *m);
    if (!m) {
        munmap(map, size);
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    m->map = map;
    m->map_size = size;
    reader r = {.base = map, .size = size, .err = err, .errlen = errlen};
    tensor_entry *dir = NULL;
    int ndir = 0;
    bool ok = parse_header(m, &r) && parse_vocab(m, &r) && parse_norm(m, &r) &&
              parse_directory(&r, &dir, &ndir) && bind_tensors(m, &r, dir, ndir) &&
              pack_layers(m, err, errlen) && embed_vocab_index(&m->voc, err, errlen) == 0;
    free(dir);
    if (!ok) {
        camas_embed_close(m);
        return NULL;
    }
    /* The word table is read a few rows per text: no read-ahead around each row. */
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = ((uintptr_t)m->word + page - 1) / page * page;
    uintptr_t hi = ((uintptr_t)m->word +
                    (size_t)m->vocab_rows * (size_t)(m->hidden / EMBED_QK) * EMBED_Q4_BYTES) /
                   page * page;
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_RANDOM);
    m->max_tokens[0] = CAMAS_EMBED_PASSAGE_TOKENS_DEFAULT < m->positions
                           ? CAMAS_EMBED_PASSAGE_TOKENS_DEFAULT
                           : m->positions;
    m->max_tokens[1] = CAMAS_EMBED_QUERY_TOKENS_DEFAULT < m->positions
                           ? CAMAS_EMBED_QUERY_TOKENS_DEFAULT
                           : m->positions;
    m->kernel = embed_kernel_best();
    return m;
}

void camas_embed_close(camas_embed_model *m)
{
    if (!m)
        return;
    embed_scratch_free(&m->s);
    embed_vocab_free(&m->voc);
    free(m->layer);
    free(m->packed);
    if (m->map)
        munmap(m->map, m->map_size);
    free(m);
}

int camas_embed_dim(const camas_embed_model *m)
{
    return m ? m->hidden : 0;
}

int camas_embed_set_max_tokens(camas_embed_model *m, int query_tokens, int passage_tokens)
{
    if (!m || query_tokens < 3 || passage_tokens < 3 || query_tokens > m->positions ||
        passage_tokens > m->positions)
        return -1;
    m->max_tokens[1] = query_tokens;
    m->max_tokens[0] = passage_tokens;
    return 0;
}

const char *camas_embed_kernel(const camas_embed_model *m)
{
    return m ? m->kernel->name : "";
}

int camas_embed_set_kernel(camas_embed_model *m, const char *name)
{
    const embed_kernel *k = m && name ? embed_kernel_find(name) : NULL;
    if (!k)
        return -1;
    m->kernel = k;
    return 0;
}

void camas_embed_trim(camas_embed_model *m)
{
    if (m)
        embed_scratch_free(&m->s);
}
