/* libFuzzer target: plugin manifests (JSON an admin signs, checked before the signature is
 * trusted) through camas_manifest_parse. Accepted fields must be terminated strings. */
#include "manifest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    camas_manifest m;
    char err[256];
    if (camas_manifest_parse((const char *)data, size, &m, err, sizeof err) != 0) {
        if (!memchr(err, '\0', sizeof err) || !err[0])
            abort(); /* a refusal always says why */
        return 0;
    }
    if (!memchr(m.name, '\0', sizeof m.name) || !memchr(m.sha256, '\0', sizeof m.sha256) ||
        strlen(m.sha256) != 64 || m.n_commands > CAMAS_MANIFEST_MAX_COMMANDS)
        abort();
    return 0;
}
