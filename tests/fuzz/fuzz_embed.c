/* libFuzzer target: arbitrary bytes through the whole embedding engine (tokenizer and forward
 * pass) with the real model. The first byte picks query or passage and a token cap of 3 to 66
 * (a forward pass is linear in the tokens and runs the same code for any count past 16; long
 * inputs under the default caps are the unit test's and the tokenizer target's job), so the
 * fuzzer gets through hundreds of inputs a second. The result must be a finite unit vector.
 *
 * Built by scripts/fuzz with clang -fsanitize=fuzzer,address,undefined, and by meson with
 * replay_main.c as a unit test replaying tests/fuzz/corpus/embed under the normal build. The
 * model is $CAMAS_EMBED_MODEL or the build's default. */
#include "embed.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef CAMAS_EMBED_DEFAULT_MODEL
#define CAMAS_EMBED_DEFAULT_MODEL "models/e5-small-q4.bin"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness keeps one model for the whole run (loading takes ~50 ms). */
static camas_embed_model *model;
static float vec[1024];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *path = getenv("CAMAS_EMBED_MODEL");
    char err[256];
    model = camas_embed_open(path && *path ? path : CAMAS_EMBED_DEFAULT_MODEL, err, sizeof err);
    if (!model) {
        fprintf(stderr, "fuzz_embed: %s (run scripts/setup or set CAMAS_EMBED_MODEL)\n", err);
        exit(1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int is_query = data[0] & 1;
    int cap = 3 + (data[0] >> 1) % 64;
    if (camas_embed_set_max_tokens(model, cap, cap) != 0)
        abort();
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    int dim = camas_embed_dim(model);
    if (dim > 1024 || camas_embed_text(model, text, len, is_query, vec) != 0)
        abort();
    double ss = 0;
    for (int i = 0; i < dim; i++) {
        if (!isfinite(vec[i]))
            abort();
        ss += (double)vec[i] * vec[i];
    }
    if (fabs(ss - 1.0) > 1e-3)
        abort();
    return 0;
}
