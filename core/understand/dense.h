/* Dense (semantic) retrieval over the knowledge entries: every example question and answer
 * is embedded once with the sentence-embedding model (core/embed/embed.h), and a question is
 * ranked by cosine similarity to them, in either language (the model is multilingual, so a
 * French question also finds an entry through its English examples). It complements the
 * lexical matcher (core/text/match.h), which stays the fast path when it is confident.
 *
 * Vectors are kept by a hash of (kind, text) and survive remove/add, so a reload of
 * unchanged knowledge embeds nothing; an optional cache file carries them across restarts.
 * Not thread-safe: one owner (the worker) uses it. */
#ifndef CAMAS_DENSE_H
#define CAMAS_DENSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct camas_embed_model;
typedef struct camas_dense camas_dense;

enum camas_dense_kind { CAMAS_DENSE_ASK = 0, CAMAS_DENSE_ANSWER = 1 };

/* NULL when memory ran out. */
camas_dense *camas_dense_new(void);
void camas_dense_free(camas_dense *d);

/* One text of an entry: an example question (embedded as a query) or its answer (as a
 * passage). body_id NULL or "all" for entries about every body. Returns 0 or -1. */
int camas_dense_add(camas_dense *d, uint32_t owner, const char *entry_id, const char *body_id,
                    enum camas_dense_kind kind, const char *text);
/* Forgets owner's texts (their vectors stay cached for a reload). */
void camas_dense_remove_owner(camas_dense *d, uint32_t owner);
/* Adds every text owner added to src, reusing src's vectors. Returns 0 or -1. */
int camas_dense_copy_owner(camas_dense *dst, const camas_dense *src, uint32_t owner);

/* Texts still without a vector. */
size_t camas_dense_pending(const camas_dense *d);
/* Embeds pending texts with model until none is left or budget_ms has passed (at least one
 * text is embedded per call). Returns how many are still pending, or -1 on failure. */
long camas_dense_embed_pending(camas_dense *d, struct camas_embed_model *model, int64_t budget_ms);

/* Gives the text (embedded as kind) its vector v of dimension dim without the model: a
 * vector computed elsewhere (and the unit tests). Returns 0 or -1. */
int camas_dense_set_vector(camas_dense *d, enum camas_dense_kind kind, const char *text,
                           const float *v, int dim);

/* Excludes (true) or restores one text from ranking: leave-one-out evaluation. Returns the
 * number of texts affected. */
size_t camas_dense_mask(camas_dense *d, const char *entry_id, const char *text, bool masked);

/* The first 8 bytes of a cache file; the version changes with the record format (the core
 * empties a cache of an older format before handing it to the worker, which may not). */
#define CAMAS_DENSE_CACHE_MAGIC                                                                    \
    {                                                                                              \
        'C', 'A', 'M', 'A', 'S', 'E', 'V', '2'                                                     \
    }
#define CAMAS_DENSE_CACHE_FAMILY "CAMASEV"

/* A cache file of vectors, read at start and appended to as texts are embedded. fd is
 * owned by the caller and must be open read-write. Records that do not fit (another model,
 * a torn write) are ignored. Returns the number of vectors read. */
size_t camas_dense_cache_attach(camas_dense *d, int fd, uint64_t model_id, int dim);

typedef struct camas_dense_hit {
    const char *entry_id; /* owned by d; valid until the next add/remove/free */
    uint32_t owner;
    float score;    /* best cosine similarity of the entry's texts to the question */
    float second;   /* its second-best text (how consistently the entry is near) */
    float centroid; /* cosine to the unit mean of the entry's texts (all its phrasings) */
} camas_dense_hit;

typedef bool (*camas_dense_filter)(uint32_t owner, const char *entry_id, void *ud);

/* Ranks entries by their best text's cosine similarity to q (a unit vector of the model's
 * dimension). bodies/nbodies: body ids the question names; entries about other bodies are
 * left out (entries about all bodies stay). Returns the number of hits written, best first. */
size_t camas_dense_query(const camas_dense *d, const float *q, const char *const *bodies,
                         size_t nbodies, camas_dense_filter f, void *ud, camas_dense_hit *out,
                         size_t max);

/* The vector of a text embedded as kind, or NULL while it is pending or unknown. */
const float *camas_dense_vector(const camas_dense *d, enum camas_dense_kind kind, const char *text);

/* Pointers to the vectors of the example questions whose owner is below owner_below (the
 * plugins' entries, not the classifiers' examples), at most max of them; *fingerprint gets
 * an order-independent hash of the set (to retrain only when it changed). */
size_t camas_dense_ask_vectors(const camas_dense *d, uint32_t owner_below, const float **out,
                               size_t max, uint64_t *fingerprint);

/* The live vectors of texts with owner < owner_below (ASK and ANSWER), each with the index
 * of its entry (for camas_dense_entry_at); fingerprint as for camas_dense_ask_vectors. */
size_t camas_dense_labelled(const camas_dense *d, uint32_t owner_below, const float **vecs,
                            uint32_t *entry, size_t max, uint64_t *fingerprint);
/* The id and owner of the entry at index i (NULL past the end). */
const char *camas_dense_entry_at(const camas_dense *d, uint32_t i, uint32_t *owner);

/* Other unit vectors worth keeping across restarts (the classifiers' weights, dense.c's
 * pool and cache are theirs too), under a 64-bit key: the vector or NULL, and keep (0 or
 * -1). v has the model's dimension. */
const float *camas_dense_keyed(const camas_dense *d, uint64_t key);
int camas_dense_keep(camas_dense *d, uint64_t key, const float *v);

/* The dot product of two vectors of n floats (the cosine of unit vectors). */
float camas_dense_dot(const float *a, const float *b, int n);

/* Half-precision (IEEE binary16) copies of vectors that are scanned whole for every message,
 * the danger examples: half the memory read, and a cosine off by about 1e-5. */
uint16_t camas_dense_half(float f);
void camas_dense_to_half(const float *v, uint16_t *out, int n);
/* Can this CPU take the fast path (F16C, AVX2, FMA)? Asked once per scan, not per vector. */
bool camas_dense_half_fast(void);
/* The dot product of a half-precision vector a with b; fast from camas_dense_half_fast(). */
float camas_dense_dot_half(const uint16_t *a, const float *b, int n, bool fast);

/* The body an entry is about ("all" -> NULL); NULL when the entry is unknown. */
const char *camas_dense_entry_body(const camas_dense *d, const char *entry_id);

#endif
