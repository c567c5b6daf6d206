/* libFuzzer target: arbitrary bytes through the embedding tokenizer alone (fast, so it reaches
 * far more inputs than fuzz_embed.c). Checks the shape of the result: <s> first, </s> last, the
 * count within the cap, and the same ids whether or not the caller's array is large enough. */
#include "embed.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CAMAS_EMBED_DEFAULT_MODEL
#define CAMAS_EMBED_DEFAULT_MODEL "models/e5-small-q4.bin"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static camas_embed_model *model;
static int32_t ids[1024], few[4];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *path = getenv("CAMAS_EMBED_MODEL");
    char err[256];
    model = camas_embed_open(path && *path ? path : CAMAS_EMBED_DEFAULT_MODEL, err, sizeof err);
    if (!model) {
        fprintf(stderr, "fuzz_embed_tokenize: %s (run scripts/setup or set CAMAS_EMBED_MODEL)\n",
                err);
        exit(1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int is_query = data[0] & 1;
    int cap = 3 + (data[0] >> 1) * 4; /* 3 .. 511 */
    if (camas_embed_set_max_tokens(model, cap, cap) != 0)
        abort();
    const char *text = (const char *)data + 1;
    int n = camas_embed_tokenize(model, text, size - 1, is_query, ids, 1024);
    /* XLM-R's ids: <s> 0, <pad> 1, </s> 2, <unk> 3, <mask> 250001 (the last). Text yields
     * ordinary pieces or <unk>, never another control piece. */
    if (n < 2 || n > cap || ids[0] != 0 || ids[n - 1] != 2)
        abort();
    for (int i = 1; i < n - 1; i++)
        if (ids[i] < 3 || ids[i] >= 250001)
            abort();
    if (camas_embed_tokenize(model, text, size - 1, is_query, few, 4) != n ||
        memcmp(few, ids, sizeof(int32_t) * (size_t)(n < 4 ? n : 4)) != 0)
        abort();
    return 0;
}
