/* What minisign.c (key and signature texts, verification, files) shares with minisign_sign.c
 * (secret keys, key generation and signing): the file formats' sizes and layouts, and the
 * helpers both use to read and write those texts. Private to core/host/minisign*.c. */
#ifndef CAMAS_MINISIGN_INTERNAL_H
#define CAMAS_MINISIGN_INTERNAL_H

#include "minisign.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sodium.h>

#define UNTRUSTED_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX   "trusted comment: "
#define ALG_LEGACY       "Ed"
#define ALG_HASHED       "ED"
#define KDF_SCRYPT       "Sc"
#define CHK_BLAKE2B      "B2"

#define SIG_BYTES     crypto_sign_BYTES            /* 64 */
#define HASH_BYTES    crypto_generichash_BYTES_MAX /* 64: minisign's prehash size */
#define CHK_BYTES     crypto_generichash_BYTES     /* 32 */
#define SALT_BYTES    crypto_pwhash_scryptsalsa208sha256_SALTBYTES
#define PUBKEY_BYTES  (2 + CAMAS_MINISIGN_KEYID_BYTES + CAMAS_MINISIGN_PK_BYTES)
#define SIGBLOB_BYTES (2 + CAMAS_MINISIGN_KEYID_BYTES + SIG_BYTES)

/* Secret key blob layout (minisign's SeckeyStruct, packed). */
#define SK_OFF_SIGALG  0
#define SK_OFF_KDFALG  2
#define SK_OFF_CHKALG  4
#define SK_OFF_SALT    6
#define SK_OFF_OPS     (SK_OFF_SALT + SALT_BYTES)
#define SK_OFF_MEM     (SK_OFF_OPS + 8)
#define SK_OFF_KEYID   (SK_OFF_MEM + 8)
#define SK_OFF_SK      (SK_OFF_KEYID + CAMAS_MINISIGN_KEYID_BYTES)
#define SK_OFF_CHK     (SK_OFF_SK + CAMAS_MINISIGN_SK_BYTES)
#define SECKEY_BYTES   (SK_OFF_CHK + CHK_BYTES)
#define SK_CRYPT_BYTES (SECKEY_BYTES - SK_OFF_KEYID) /* the part the password stream covers */

/* minisign reads lines with fgets into 1024-byte buffers (comments) and 8192 (trusted). */
#define UNTRUSTED_LINE_MAX  1024
#define TRUSTED_COMMENT_LEN (CAMAS_MINISIGN_TRUSTED_COMMENT_MAX - sizeof TRUSTED_PREFIX - 1)
/* A crafted key must not make us allocate unbounded memory or spin for hours. */
#define KDF_OPS_CEILING (4ULL * crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE)
#define KDF_MEM_CEILING (4ULL * crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE)

typedef struct span {
    const char *p;
    size_t n;
} span;

__attribute__((format(printf, 3, 4))) void minisign_set_err(char *err, size_t errlen,
                                                            const char *fmt, ...);
int minisign_sodium_ready(char *err, size_t errlen);
uint64_t minisign_le64_load(const unsigned char *p);
void minisign_le64_store(unsigned char *p, uint64_t x);
bool minisign_next_line(span *rest, span *line);
span minisign_trim(span s);
bool minisign_only_blank(span s);
bool minisign_comment_ok(const char *p, size_t n);
int minisign_b64_exact(span line, unsigned char *out, size_t want, const char *what, char *err,
                       size_t errlen);
int minisign_check_text(const char *text, size_t len, const char *what, char *err, size_t errlen);
int minisign_check_untrusted_line(span line, const char *what, char *err, size_t errlen);
int minisign_put_b64(char *out, size_t outlen, size_t *pos, const unsigned char *bin, size_t n);
int minisign_put_str(char *out, size_t outlen, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int minisign_hash_file(const char *path, unsigned char hash[HASH_BYTES], char *err, size_t errlen);
int minisign_load_file(const char *path, unsigned char **data, size_t *len, char *err,
                       size_t errlen);

#endif
