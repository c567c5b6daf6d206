/* libFuzzer target: minisign public keys, secret keys (unencrypted, or refused without the
 * password) and signatures through camas_minisign's parsers; the signature is checked against
 * a fixed key and message, and must never verify. */
#include "minisign.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static camas_minisign_pubkey key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (sodium_init() < 0)
        abort();
    /* minisign -G's public key format, with a fixed made-up key */
    static const char pub[] = "untrusted comment: fuzz key\n"
                              "RWQf6LRCGA9i53mlYecO4IzT51TGPpvWucNSCh1CBM0QTaLn73Y7GFO3\n";
    char err[128];
    if (camas_minisign_pubkey_parse(pub, sizeof pub - 1, &key, err, sizeof err) != 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    char err[256];
    camas_minisign_pubkey pk;
    camas_minisign_pubkey_parse(text, size, &pk, err, sizeof err);
    if (camas_minisign_seckey_is_encrypted(text, size, err, sizeof err) == 0) {
        camas_minisign_seckey sk;
        if (camas_minisign_seckey_parse(text, size, NULL, &sk, err, sizeof err) == 0)
            camas_minisign_seckey_wipe(&sk);
    }
    char tc[256];
    static const unsigned char msg[] = "a plugin";
    if (camas_minisign_verify(&key, 1, msg, sizeof msg - 1, text, size, tc, sizeof tc, err,
                              sizeof err) == 0)
        abort(); /* nobody holds the secret half of the fuzz key */
    return 0;
}
