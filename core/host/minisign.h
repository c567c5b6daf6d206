/* minisign-compatible Ed25519 signatures: key files, signing and verification that interoperate
 * with the minisign tool (https://jedisct1.github.io/minisign/), so camas can check signed
 * knowledge bases and releases without a second toolchain. */
#ifndef CAMAS_MINISIGN_H
#define CAMAS_MINISIGN_H

#include <stddef.h>
#include <stdint.h>

#define CAMAS_MINISIGN_KEYID_BYTES 8
#define CAMAS_MINISIGN_PK_BYTES    32
#define CAMAS_MINISIGN_SK_BYTES    64
/* Longest untrusted comment (text after "untrusted comment: "), as in minisign. */
#define CAMAS_MINISIGN_COMMENT_MAX 1000
/* Longest trusted comment, including its NUL: minisign's limit. */
#define CAMAS_MINISIGN_TRUSTED_COMMENT_MAX 8192
/* Key and signature texts larger than this are rejected before parsing. */
#define CAMAS_MINISIGN_TEXT_MAX 16384
/* Buffer size that always holds a signature text produced by camas_minisign_sign(). */
#define CAMAS_MINISIGN_SIG_TEXT_MAX 9600
/* Buffer size that always holds a key file text produced by the format functions. */
#define CAMAS_MINISIGN_KEY_TEXT_MAX 1536

typedef struct camas_minisign_pubkey {
    unsigned char keyid[CAMAS_MINISIGN_KEYID_BYTES];
    unsigned char pk[CAMAS_MINISIGN_PK_BYTES];
} camas_minisign_pubkey;

/* Holds the decrypted secret key: allocate it with sodium_malloc() where possible and always
 * finish with camas_minisign_seckey_wipe(). */
typedef struct camas_minisign_seckey {
    unsigned char keyid[CAMAS_MINISIGN_KEYID_BYTES];
    unsigned char sk[CAMAS_MINISIGN_SK_BYTES];
} camas_minisign_seckey;

/* scrypt cost for password-protected secret keys. */
typedef struct camas_minisign_kdf {
    unsigned long long opslimit;
    size_t memlimit;
} camas_minisign_kdf;

/* Unless stated otherwise, functions return 0 on success and -1 on failure, writing a
 * human-readable reason into err (errlen bytes, may be 0). */

/* Writes the key id as minisign prints it: 16 uppercase hex digits plus NUL. */
void camas_minisign_keyid_hex(const unsigned char keyid[CAMAS_MINISIGN_KEYID_BYTES], char out[17]);

/* Parses a public key file (comment line + base64 line) or a bare base64 key as given to
 * minisign -P. text need not be NUL-terminated. */
int camas_minisign_pubkey_parse(const char *text, size_t len, camas_minisign_pubkey *out, char *err,
                                size_t errlen);
int camas_minisign_pubkey_load(const char *path, camas_minisign_pubkey *out, char *err,
                               size_t errlen);
/* Writes the public key file text ("untrusted comment: minisign public key <ID>\n<b64>\n"). */
int camas_minisign_pubkey_format(const camas_minisign_pubkey *pk, char *out, size_t outlen);

/* Returns 1 when the secret key text is password-protected, 0 when it is not, -1 when it is not
 * a secret key at all (err says why). Lets a caller ask for a password only when needed. */
int camas_minisign_seckey_is_encrypted(const char *text, size_t len, char *err, size_t errlen);
/* Parses (and with password, decrypts) a secret key file. A wrong password is detected through
 * the key checksum. password may be NULL for an unencrypted key. */
int camas_minisign_seckey_parse(const char *text, size_t len, const char *password,
                                camas_minisign_seckey *out, char *err, size_t errlen);
int camas_minisign_seckey_load(const char *path, const char *password, camas_minisign_seckey *out,
                               char *err, size_t errlen);
/* Writes a secret key file text. With a password (non-NULL, may not be empty) the key is
 * encrypted with scrypt at kdf's cost (NULL: minisign's default, about 1 GiB of memory);
 * without one it is stored unencrypted like minisign -W. The output holds key material: wipe it
 * with sodium_memzero() after use. */
int camas_minisign_seckey_format(const camas_minisign_seckey *sk, const char *password,
                                 const camas_minisign_kdf *kdf, const char *comment, char *out,
                                 size_t outlen, char *err, size_t errlen);
void camas_minisign_seckey_wipe(camas_minisign_seckey *sk);
/* Derives the public half of a secret key. */
void camas_minisign_seckey_pubkey(const camas_minisign_seckey *sk, camas_minisign_pubkey *pk);

/* Makes a fresh key pair in memory. */
int camas_minisign_keygen(camas_minisign_pubkey *pk, camas_minisign_seckey *sk, char *err,
                          size_t errlen);
/* Makes a key pair and writes both files; the secret key file is created mode 0600. Unless
 * force is set, fails when either file exists. password NULL = unencrypted (-W). */
int camas_minisign_keygen_write(const char *pk_path, const char *sk_path, const char *password,
                                const camas_minisign_kdf *kdf, const char *comment, int force,
                                char *err, size_t errlen);

/* Signs msg and writes the four-line signature text into out (CAMAS_MINISIGN_SIG_TEXT_MAX bytes
 * suffice). legacy = 0 signs the BLAKE2b-512 hash ("ED", minisign's default since 0.11), 1 signs
 * the raw bytes ("Ed", minisign -l). untrusted_comment NULL = a default; trusted_comment NULL =
 * "timestamp:<now>" like minisign. Comments may not contain line breaks or control characters
 * other than tab. */
int camas_minisign_sign(const camas_minisign_seckey *sk, const unsigned char *msg, size_t msglen,
                        int legacy, const char *untrusted_comment, const char *trusted_comment,
                        char *out, size_t outlen, char *err, size_t errlen);
/* The same for a file; hashed signatures stream the file instead of loading it. The default
 * trusted comment is minisign's "timestamp:<now>\tfile:<basename>[\thashed]". */
int camas_minisign_sign_file(const camas_minisign_seckey *sk, const char *path, int legacy,
                             const char *untrusted_comment, const char *trusted_comment, char *out,
                             size_t outlen, char *err, size_t errlen);

/* Verifies a signature text (minisign .minisig contents) over msg with whichever of keys has the
 * signature's key id. Returns 0 only when the algorithm is known, the key is trusted, the
 * signature matches the data and the trusted comment is intact; then the trusted comment is
 * copied into trusted_comment_out (tc_len bytes, may be 0; truncated if too small), which is
 * otherwise left empty. */
int camas_minisign_verify(const camas_minisign_pubkey *keys, size_t nkeys, const unsigned char *msg,
                          size_t msglen, const char *sig_text, size_t sig_len,
                          char *trusted_comment_out, size_t tc_len, char *err, size_t errlen);
/* The same for a file; hashed signatures stream it instead of loading it. */
int camas_minisign_verify_file(const camas_minisign_pubkey *keys, size_t nkeys, const char *path,
                               const char *sig_text, size_t sig_len, char *trusted_comment_out,
                               size_t tc_len, char *err, size_t errlen);

/* Reads a small text file (keys, signatures) of at most CAMAS_MINISIGN_TEXT_MAX bytes into buf,
 * NUL-terminated; *len gets its length. Exposed for the command line. */
int camas_minisign_read_small(const char *path, char *buf, size_t bufsize, size_t *len, char *err,
                              size_t errlen);
/* Writes data to path atomically (temporary file + rename) with the given mode; with exclusive
 * set, fails if path exists. */
int camas_minisign_write_file(const char *path, const void *data, size_t len, unsigned mode,
                              int exclusive, char *err, size_t errlen);

#endif
