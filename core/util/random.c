/* camas_random_hex (util.h), apart from util.c: the plugin worker compiles util.c but never
 * needs randomness, and without this function it does not load libsodium (about 120 KiB of
 * its resident memory). */
#include "util.h"

#include <sodium.h>

void camas_random_hex(char *out, size_t nbytes)
{
    unsigned char raw[64];
    if (nbytes > sizeof raw)
        nbytes = sizeof raw;
    randombytes_buf(raw, nbytes);
    sodium_bin2hex(out, nbytes * 2 + 1, raw, nbytes);
}
