/* minisign-compatible Ed25519 signatures: parses and writes minisign's key and signature files,
 * signs (prehashed "ED" or legacy "Ed") and verifies, all on libsodium. Every parser works on
 * (pointer, length) input and checks each length before touching bytes, because key and
 * signature files come from wherever the operator downloaded them. */
#include "minisign.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

typedef struct parsed_sig {
    unsigned char alg[2];
    unsigned char keyid[CAMAS_MINISIGN_KEYID_BYTES];
    unsigned char sig[SIG_BYTES];
    span trusted; /* points into the caller's text */
    unsigned char global[SIG_BYTES];
} parsed_sig;

__attribute__((format(printf, 3, 4))) static void set_err(char *err, size_t errlen, const char *fmt,
                                                          ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int sodium_ready(char *err, size_t errlen)
{
    if (sodium_init() < 0) {
        set_err(err, errlen, "libsodium failed to initialise");
        return -1;
    }
    return 0;
}

static uint64_t le64_load(const unsigned char *p)
{
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--)
        x = (x << 8) | p[i];
    return x;
}

static void le64_store(unsigned char *p, uint64_t x)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (unsigned char)(x & 0xff);
        x >>= 8;
    }
}

void camas_minisign_keyid_hex(const unsigned char keyid[CAMAS_MINISIGN_KEYID_BYTES], char out[17])
{
    /* minisign shows the id as a little-endian 64-bit number. */
    snprintf(out, 17, "%016llX", (unsigned long long)le64_load(keyid));
}

/* Takes the next '\n'-terminated line (without "\r\n") from *rest; false when none is left. */
static bool next_line(span *rest, span *line)
{
    if (rest->n == 0)
        return false;
    const char *nl = memchr(rest->p, '\n', rest->n);
    size_t n = nl ? (size_t)(nl - rest->p) : rest->n;
    line->p = rest->p;
    line->n = n;
    rest->p += nl ? n + 1 : n;
    rest->n -= nl ? n + 1 : n;
    if (line->n > 0 && line->p[line->n - 1] == '\r')
        line->n--;
    return true;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static span trim(span s)
{
    while (s.n > 0 && is_blank(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && is_blank(s.p[s.n - 1]))
        s.n--;
    return s;
}

static bool only_blank(span s)
{
    return trim(s).n == 0;
}

static bool has_prefix(span s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.n >= n && memcmp(s.p, prefix, n) == 0;
}

/* Comments end up on one line of a file and in terminal output: no control characters except
 * tab (minisign's default trusted comment uses tabs). */
static bool comment_ok(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

/* Decodes a base64 line that must yield exactly want bytes. */
static int b64_exact(span line, unsigned char *out, size_t want, const char *what, char *err,
                     size_t errlen)
{
    span s = trim(line);
    size_t got = 0;
    const char *end = NULL;
    if (s.n == 0) {
        set_err(err, errlen, "%s: empty", what);
        return -1;
    }
    errno = 0;
    int rc =
        sodium_base642bin(out, want, s.p, s.n, NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL);
    if (rc != 0 && errno == ERANGE) {
        set_err(err, errlen, "%s: too long (expected %zu bytes)", what, want);
        return -1;
    }
    if (rc != 0 || end != s.p + s.n) {
        set_err(err, errlen, "%s: not valid base64", what);
        return -1;
    }
    if (got != want) {
        set_err(err, errlen, "%s: %zu bytes, expected %zu", what, got, want);
        return -1;
    }
    return 0;
}

static int check_text(const char *text, size_t len, const char *what, char *err, size_t errlen)
{
    if (!text) {
        set_err(err, errlen, "%s: no input", what);
        return -1;
    }
    if (len > CAMAS_MINISIGN_TEXT_MAX) {
        set_err(err, errlen, "%s is too large (%zu bytes, at most %d)", what, len,
                CAMAS_MINISIGN_TEXT_MAX);
        return -1;
    }
    if (memchr(text, '\0', len)) {
        set_err(err, errlen, "%s contains a NUL byte", what);
        return -1;
    }
    if (only_blank((span){text, len})) {
        set_err(err, errlen, "%s is empty", what);
        return -1;
    }
    return 0;
}

/* Checks the "untrusted comment: " line minisign puts first in every file. */
static int check_untrusted_line(span line, const char *what, char *err, size_t errlen)
{
    if (!has_prefix(line, UNTRUSTED_PREFIX)) {
        set_err(err, errlen, "%s line 1: should start with \"" UNTRUSTED_PREFIX "\"", what);
        return -1;
    }
    if (line.n >= UNTRUSTED_LINE_MAX) {
        set_err(err, errlen, "%s line 1: untrusted comment is too long", what);
        return -1;
    }
    return 0;
}

/* ---- public keys ---------------------------------------------------------------------- */

int camas_minisign_pubkey_parse(const char *text, size_t len, camas_minisign_pubkey *out, char *err,
                                size_t errlen)
{
    if (check_text(text, len, "public key", err, errlen) != 0)
        return -1;
    span rest = trim((span){text, len});
    span line1, b64line;
    next_line(&rest, &line1);
    char what[32];
    if (has_prefix(line1, "untrusted comment:")) {
        if (check_untrusted_line(line1, "public key", err, errlen) != 0)
            return -1;
        if (!next_line(&rest, &b64line)) {
            set_err(err, errlen, "public key line 2: missing");
            return -1;
        }
        snprintf(what, sizeof what, "public key line 2");
    } else {
        /* A bare key as passed to minisign -P. */
        b64line = line1;
        snprintf(what, sizeof what, "public key");
    }
    if (!only_blank(rest)) {
        set_err(err, errlen, "public key: unexpected text after the key");
        return -1;
    }
    unsigned char blob[PUBKEY_BYTES];
    if (b64_exact(b64line, blob, sizeof blob, what, err, errlen) != 0)
        return -1;
    if (memcmp(blob, ALG_LEGACY, 2) != 0) {
        set_err(err, errlen, "public key: unknown signature algorithm");
        return -1;
    }
    memcpy(out->keyid, blob + 2, CAMAS_MINISIGN_KEYID_BYTES);
    memcpy(out->pk, blob + 2 + CAMAS_MINISIGN_KEYID_BYTES, CAMAS_MINISIGN_PK_BYTES);
    return 0;
}

int camas_minisign_pubkey_load(const char *path, camas_minisign_pubkey *out, char *err,
                               size_t errlen)
{
    char buf[CAMAS_MINISIGN_TEXT_MAX + 1];
    size_t len;
    char sub[256];
    if (camas_minisign_read_small(path, buf, sizeof buf, &len, err, errlen) != 0)
        return -1;
    if (camas_minisign_pubkey_parse(buf, len, out, sub, sizeof sub) != 0) {
        set_err(err, errlen, "%s: %s", path, sub);
        return -1;
    }
    return 0;
}

static int put_b64(char *out, size_t outlen, size_t *pos, const unsigned char *bin, size_t n)
{
    size_t need = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    if (*pos >= outlen || outlen - *pos < need + 1)
        return -1;
    sodium_bin2base64(out + *pos, need, bin, n, sodium_base64_VARIANT_ORIGINAL);
    *pos += need - 1;
    out[(*pos)++] = '\n';
    out[*pos] = '\0';
    return 0;
}

static int put_str(char *out, size_t outlen, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int put_str(char *out, size_t outlen, size_t *pos, const char *fmt, ...)
{
    if (*pos >= outlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out + *pos, outlen - *pos, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= outlen - *pos)
        return -1;
    *pos += (size_t)n;
    return 0;
}

int camas_minisign_pubkey_format(const camas_minisign_pubkey *pk, char *out, size_t outlen)
{
    if (sodium_init() < 0 || !out || outlen == 0)
        return -1;
    unsigned char blob[PUBKEY_BYTES];
    memcpy(blob, ALG_LEGACY, 2);
    memcpy(blob + 2, pk->keyid, CAMAS_MINISIGN_KEYID_BYTES);
    memcpy(blob + 2 + CAMAS_MINISIGN_KEYID_BYTES, pk->pk, CAMAS_MINISIGN_PK_BYTES);
    char id[17];
    camas_minisign_keyid_hex(pk->keyid, id);
    size_t pos = 0;
    if (put_str(out, outlen, &pos, UNTRUSTED_PREFIX "minisign public key %s\n", id) != 0 ||
        put_b64(out, outlen, &pos, blob, sizeof blob) != 0) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

/* ---- secret keys ---------------------------------------------------------------------- */

static void seckey_checksum(const unsigned char *blob, unsigned char chk[CHK_BYTES])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, CHK_BYTES);
    crypto_generichash_update(&st, blob + SK_OFF_SIGALG, 2);
    crypto_generichash_update(&st, blob + SK_OFF_KEYID, CAMAS_MINISIGN_KEYID_BYTES);
    crypto_generichash_update(&st, blob + SK_OFF_SK, CAMAS_MINISIGN_SK_BYTES);
    crypto_generichash_final(&st, chk, CHK_BYTES);
    sodium_memzero(&st, sizeof st);
}

/* Derives the password stream that the key id, secret key and checksum are XORed with. */
static int derive_stream(unsigned char stream[SK_CRYPT_BYTES], const char *password,
                         const unsigned char *salt, uint64_t ops, uint64_t mem)
{
    if (ops > KDF_OPS_CEILING || mem > KDF_MEM_CEILING || mem > SIZE_MAX)
        return -1;
    return crypto_pwhash_scryptsalsa208sha256(stream, SK_CRYPT_BYTES, password, strlen(password),
                                              salt, ops, (size_t)mem);
}

static void xor_stream(unsigned char *blob, const unsigned char stream[SK_CRYPT_BYTES])
{
    for (size_t i = 0; i < SK_CRYPT_BYTES; i++)
        blob[SK_OFF_KEYID + i] ^= stream[i];
}

/* Decodes and checks the header of a secret key text into blob (still encrypted). */
static int seckey_decode(const char *text, size_t len, unsigned char blob[SECKEY_BYTES], char *err,
                         size_t errlen)
{
    if (check_text(text, len, "secret key", err, errlen) != 0)
        return -1;
    span rest = trim((span){text, len}), line1, line2;
    next_line(&rest, &line1);
    if (check_untrusted_line(line1, "secret key", err, errlen) != 0)
        return -1;
    if (!next_line(&rest, &line2)) {
        set_err(err, errlen, "secret key line 2: missing");
        return -1;
    }
    if (!only_blank(rest)) {
        set_err(err, errlen, "secret key: unexpected text after line 2");
        return -1;
    }
    if (b64_exact(line2, blob, SECKEY_BYTES, "secret key line 2", err, errlen) != 0)
        return -1;
    if (memcmp(blob + SK_OFF_SIGALG, ALG_LEGACY, 2) != 0) {
        set_err(err, errlen, "secret key: unknown signature algorithm");
        return -1;
    }
    if (memcmp(blob + SK_OFF_CHKALG, CHK_BLAKE2B, 2) != 0) {
        set_err(err, errlen, "secret key: unknown checksum algorithm");
        return -1;
    }
    if (memcmp(blob + SK_OFF_KDFALG, KDF_SCRYPT, 2) != 0 &&
        memcmp(blob + SK_OFF_KDFALG, "\0\0", 2) != 0) {
        set_err(err, errlen, "secret key: unknown key derivation algorithm");
        return -1;
    }
    return 0;
}

int camas_minisign_seckey_is_encrypted(const char *text, size_t len, char *err, size_t errlen)
{
    unsigned char blob[SECKEY_BYTES];
    if (seckey_decode(text, len, blob, err, errlen) != 0) {
        sodium_memzero(blob, sizeof blob);
        return -1;
    }
    int enc = memcmp(blob + SK_OFF_KDFALG, KDF_SCRYPT, 2) == 0;
    sodium_memzero(blob, sizeof blob);
    return enc;
}

int camas_minisign_seckey_parse(const char *text, size_t len, const char *password,
                                camas_minisign_seckey *out, char *err, size_t errlen)
{
    if (sodium_ready(err, errlen) != 0)
        return -1;
    unsigned char blob[SECKEY_BYTES], chk[CHK_BYTES], stream[SK_CRYPT_BYTES];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk2[crypto_sign_SECRETKEYBYTES];
    int rc = -1;
    if (seckey_decode(text, len, blob, err, errlen) != 0)
        goto out;
    bool encrypted = memcmp(blob + SK_OFF_KDFALG, KDF_SCRYPT, 2) == 0;
    if (encrypted) {
        if (!password) {
            set_err(err, errlen, "secret key is password-protected; a password is required");
            goto out;
        }
        uint64_t ops = le64_load(blob + SK_OFF_OPS), mem = le64_load(blob + SK_OFF_MEM);
        if (ops > KDF_OPS_CEILING || mem > KDF_MEM_CEILING) {
            set_err(err, errlen, "secret key: scrypt parameters are unreasonably large");
            goto out;
        }
        if (derive_stream(stream, password, blob + SK_OFF_SALT, ops, mem) != 0) {
            set_err(err, errlen, "secret key: password key derivation failed (out of memory?)");
            goto out;
        }
        xor_stream(blob, stream);
    }
    seckey_checksum(blob, chk);
    if (sodium_memcmp(chk, blob + SK_OFF_CHK, CHK_BYTES) != 0) {
        /* minisign -W leaves the checksum of unencrypted keys all zero. */
        if (encrypted) {
            set_err(err, errlen, "wrong password for this secret key (checksum mismatch)");
            goto out;
        }
        if (!sodium_is_zero(blob + SK_OFF_CHK, CHK_BYTES)) {
            set_err(err, errlen, "secret key is corrupted (checksum mismatch)");
            goto out;
        }
    }
    /* The second half of an Ed25519 secret key is its public key: recomputing it from the seed
     * catches damage that a zero checksum cannot. */
    if (crypto_sign_seed_keypair(pk, sk2, blob + SK_OFF_SK) != 0 ||
        sodium_memcmp(pk, blob + SK_OFF_SK + 32, sizeof pk) != 0) {
        set_err(err, errlen, "secret key is corrupted (public half does not match)");
        goto out;
    }
    memcpy(out->keyid, blob + SK_OFF_KEYID, CAMAS_MINISIGN_KEYID_BYTES);
    memcpy(out->sk, blob + SK_OFF_SK, CAMAS_MINISIGN_SK_BYTES);
    rc = 0;
out:
    sodium_memzero(blob, sizeof blob);
    sodium_memzero(chk, sizeof chk);
    sodium_memzero(stream, sizeof stream);
    sodium_memzero(sk2, sizeof sk2);
    return rc;
}

int camas_minisign_seckey_load(const char *path, const char *password, camas_minisign_seckey *out,
                               char *err, size_t errlen)
{
    char buf[CAMAS_MINISIGN_TEXT_MAX + 1];
    size_t len;
    char sub[256];
    int rc = -1;
    if (camas_minisign_read_small(path, buf, sizeof buf, &len, err, errlen) != 0)
        goto out;
    if (camas_minisign_seckey_parse(buf, len, password, out, sub, sizeof sub) != 0) {
        set_err(err, errlen, "%s: %s", path, sub);
        goto out;
    }
    rc = 0;
out:
    sodium_memzero(buf, sizeof buf);
    return rc;
}

int camas_minisign_seckey_format(const camas_minisign_seckey *sk, const char *password,
                                 const camas_minisign_kdf *kdf, const char *comment, char *out,
                                 size_t outlen, char *err, size_t errlen)
{
    if (sodium_ready(err, errlen) != 0)
        return -1;
    if (!out || outlen == 0) {
        set_err(err, errlen, "no output buffer");
        return -1;
    }
    out[0] = '\0';
    if (!comment)
        comment = password ? "camas secret key (password-protected)" : "camas secret key";
    if (strlen(comment) > CAMAS_MINISIGN_COMMENT_MAX || !comment_ok(comment, strlen(comment))) {
        set_err(err, errlen, "secret key comment is too long or contains control characters");
        return -1;
    }
    if (password && !*password) {
        set_err(err, errlen, "empty password (use an unencrypted key instead)");
        return -1;
    }
    unsigned char blob[SECKEY_BYTES], stream[SK_CRYPT_BYTES];
    int rc = -1;
    memset(blob, 0, sizeof blob);
    memcpy(blob + SK_OFF_SIGALG, ALG_LEGACY, 2);
    memcpy(blob + SK_OFF_CHKALG, CHK_BLAKE2B, 2);
    memcpy(blob + SK_OFF_KEYID, sk->keyid, CAMAS_MINISIGN_KEYID_BYTES);
    memcpy(blob + SK_OFF_SK, sk->sk, CAMAS_MINISIGN_SK_BYTES);
    /* Unlike minisign -W, unencrypted keys get a real checksum too: minisign ignores it, and it
     * lets camas notice a damaged key file. */
    seckey_checksum(blob, blob + SK_OFF_CHK);
    if (password) {
        memcpy(blob + SK_OFF_KDFALG, KDF_SCRYPT, 2);
        randombytes_buf(blob + SK_OFF_SALT, SALT_BYTES);
        unsigned long long ops =
            kdf ? kdf->opslimit : crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE;
        size_t mem = kdf ? kdf->memlimit : crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE;
        if (ops > KDF_OPS_CEILING || mem > KDF_MEM_CEILING) {
            set_err(err, errlen, "scrypt parameters are unreasonably large");
            goto out;
        }
        /* Like minisign, halve the cost until this machine can afford it. */
        while (derive_stream(stream, password, blob + SK_OFF_SALT, ops, mem) != 0) {
            ops /= 2;
            mem /= 2;
            if (ops < crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN ||
                mem < crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN) {
                set_err(err, errlen, "not enough memory for the password key derivation");
                goto out;
            }
        }
        le64_store(blob + SK_OFF_OPS, ops);
        le64_store(blob + SK_OFF_MEM, mem);
        xor_stream(blob, stream);
    }
    size_t pos = 0;
    if (put_str(out, outlen, &pos, UNTRUSTED_PREFIX "%s\n", comment) != 0 ||
        put_b64(out, outlen, &pos, blob, sizeof blob) != 0) {
        sodium_memzero(out, outlen);
        set_err(err, errlen, "output buffer too small for the secret key");
        goto out;
    }
    rc = 0;
out:
    sodium_memzero(blob, sizeof blob);
    sodium_memzero(stream, sizeof stream);
    return rc;
}

void camas_minisign_seckey_wipe(camas_minisign_seckey *sk)
{
    if (sk)
        sodium_memzero(sk, sizeof *sk);
}

void camas_minisign_seckey_pubkey(const camas_minisign_seckey *sk, camas_minisign_pubkey *pk)
{
    memcpy(pk->keyid, sk->keyid, CAMAS_MINISIGN_KEYID_BYTES);
    crypto_sign_ed25519_sk_to_pk(pk->pk, sk->sk);
}

int camas_minisign_keygen(camas_minisign_pubkey *pk, camas_minisign_seckey *sk, char *err,
                          size_t errlen)
{
    if (sodium_ready(err, errlen) != 0)
        return -1;
    randombytes_buf(sk->keyid, sizeof sk->keyid);
    if (crypto_sign_keypair(pk->pk, sk->sk) != 0) {
        camas_minisign_seckey_wipe(sk);
        set_err(err, errlen, "key generation failed");
        return -1;
    }
    memcpy(pk->keyid, sk->keyid, sizeof pk->keyid);
    return 0;
}

static int exists(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) == 0) {
        set_err(err, errlen, "%s already exists (use -f to overwrite)", path);
        return 1;
    }
    if (errno != ENOENT) {
        set_err(err, errlen, "%s: %s", path, strerror(errno));
        return 1;
    }
    return 0;
}

int camas_minisign_keygen_write(const char *pk_path, const char *sk_path, const char *password,
                                const camas_minisign_kdf *kdf, const char *comment, int force,
                                char *err, size_t errlen)
{
    if (!pk_path || !sk_path) {
        set_err(err, errlen, "both a public and a secret key path are needed");
        return -1;
    }
    if (!force && (exists(pk_path, err, errlen) || exists(sk_path, err, errlen)))
        return -1;
    if (sodium_ready(err, errlen) != 0)
        return -1;
    camas_minisign_seckey *sk = sodium_malloc(sizeof *sk);
    char *sk_text = sodium_malloc(CAMAS_MINISIGN_KEY_TEXT_MAX);
    char pk_text[CAMAS_MINISIGN_KEY_TEXT_MAX];
    camas_minisign_pubkey pk;
    int rc = -1;
    if (!sk || !sk_text) {
        set_err(err, errlen, "out of memory");
        goto out;
    }
    if (camas_minisign_keygen(&pk, sk, err, errlen) != 0 ||
        camas_minisign_seckey_format(sk, password, kdf, comment, sk_text,
                                     CAMAS_MINISIGN_KEY_TEXT_MAX, err, errlen) != 0)
        goto out;
    if (camas_minisign_pubkey_format(&pk, pk_text, sizeof pk_text) != 0) {
        set_err(err, errlen, "cannot format the public key");
        goto out;
    }
    if (camas_minisign_write_file(sk_path, sk_text, strlen(sk_text), 0600, !force, err, errlen) !=
        0)
        goto out;
    if (camas_minisign_write_file(pk_path, pk_text, strlen(pk_text), 0644, !force, err, errlen) !=
        0) {
        /* A secret key without its public key is of no use; do not leave it behind. */
        unlink(sk_path);
        goto out;
    }
    rc = 0;
out:
    if (sk) {
        camas_minisign_seckey_wipe(sk);
        sodium_free(sk);
    }
    if (sk_text)
        sodium_free(sk_text); /* sodium_free wipes the buffer */
    return rc;
}

/* ---- signing -------------------------------------------------------------------------- */

static int check_comment(const char *c, size_t max, const char *what, char *err, size_t errlen)
{
    size_t n = strlen(c);
    if (n > max) {
        set_err(err, errlen, "%s is too long (%zu bytes, at most %zu)", what, n, max);
        return -1;
    }
    if (!comment_ok(c, n)) {
        set_err(err, errlen, "%s may not contain line breaks or control characters", what);
        return -1;
    }
    return 0;
}

/* Signs data (the raw message for "Ed", its BLAKE2b-512 hash for "ED"). */
static int sign_data(const camas_minisign_seckey *sk, const char *alg, const unsigned char *data,
                     size_t datalen, const char *untrusted_comment, const char *trusted_comment,
                     char *out, size_t outlen, char *err, size_t errlen)
{
    if (!out || outlen == 0) {
        set_err(err, errlen, "no output buffer");
        return -1;
    }
    out[0] = '\0';
    if (!untrusted_comment)
        untrusted_comment = "signature from camas secret key";
    if (check_comment(untrusted_comment, CAMAS_MINISIGN_COMMENT_MAX, "untrusted comment", err,
                      errlen) != 0 ||
        check_comment(trusted_comment, TRUSTED_COMMENT_LEN, "trusted comment", err, errlen) != 0)
        return -1;

    unsigned char blob[SIGBLOB_BYTES], global[SIG_BYTES];
    unsigned char signed_tc[SIG_BYTES + CAMAS_MINISIGN_TRUSTED_COMMENT_MAX];
    size_t tclen = strlen(trusted_comment);
    memcpy(blob, alg, 2);
    memcpy(blob + 2, sk->keyid, CAMAS_MINISIGN_KEYID_BYTES);
    unsigned char *sig = blob + 2 + CAMAS_MINISIGN_KEYID_BYTES;
    if (crypto_sign_detached(sig, NULL, data, datalen, sk->sk) != 0) {
        set_err(err, errlen, "signing failed");
        return -1;
    }
    memcpy(signed_tc, sig, SIG_BYTES);
    memcpy(signed_tc + SIG_BYTES, trusted_comment, tclen);
    if (crypto_sign_detached(global, NULL, signed_tc, SIG_BYTES + tclen, sk->sk) != 0) {
        set_err(err, errlen, "signing the trusted comment failed");
        return -1;
    }
    /* Check the result with the key's public half, as minisign does, so a damaged key cannot
     * produce signatures nobody can verify. */
    unsigned char pk[CAMAS_MINISIGN_PK_BYTES];
    crypto_sign_ed25519_sk_to_pk(pk, sk->sk);
    if (crypto_sign_verify_detached(sig, data, datalen, pk) != 0 ||
        crypto_sign_verify_detached(global, signed_tc, SIG_BYTES + tclen, pk) != 0) {
        set_err(err, errlen, "the new signature does not verify: the secret key is damaged");
        return -1;
    }
    size_t pos = 0;
    if (put_str(out, outlen, &pos, UNTRUSTED_PREFIX "%s\n", untrusted_comment) != 0 ||
        put_b64(out, outlen, &pos, blob, sizeof blob) != 0 ||
        put_str(out, outlen, &pos, TRUSTED_PREFIX "%s\n", trusted_comment) != 0 ||
        put_b64(out, outlen, &pos, global, sizeof global) != 0) {
        out[0] = '\0';
        set_err(err, errlen, "output buffer too small for the signature");
        return -1;
    }
    return 0;
}

static void default_trusted_comment(char *buf, size_t bufsize, const char *file, bool hashed)
{
    unsigned long ts = (unsigned long)time(NULL);
    if (!file) {
        snprintf(buf, bufsize, "timestamp:%lu%s", ts, hashed ? "\thashed" : "");
        return;
    }
    const char *slash = strrchr(file, '/');
    const char *base = slash ? slash + 1 : file;
    int n = snprintf(buf, bufsize, "timestamp:%lu\tfile:", ts);
    size_t pos = n > 0 && (size_t)n < bufsize ? (size_t)n : 0;
    /* A file name may hold any byte but '/' and NUL; keep the comment on one line. */
    for (; *base && pos + 1 < bufsize && pos < TRUSTED_COMMENT_LEN - 8; base++) {
        unsigned char c = (unsigned char)*base;
        buf[pos++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    buf[pos] = '\0';
    if (hashed && pos + 8 < bufsize)
        memcpy(buf + pos, "\thashed", 8);
}

int camas_minisign_sign(const camas_minisign_seckey *sk, const unsigned char *msg, size_t msglen,
                        int legacy, const char *untrusted_comment, const char *trusted_comment,
                        char *out, size_t outlen, char *err, size_t errlen)
{
    if (sodium_ready(err, errlen) != 0)
        return -1;
    if (!msg && msglen > 0) {
        set_err(err, errlen, "no message");
        return -1;
    }
    static const unsigned char empty[1] = {0};
    if (!msg)
        msg = empty;
    char tc[CAMAS_MINISIGN_TRUSTED_COMMENT_MAX];
    if (!trusted_comment) {
        default_trusted_comment(tc, sizeof tc, NULL, !legacy);
        trusted_comment = tc;
    }
    if (legacy)
        return sign_data(sk, ALG_LEGACY, msg, msglen, untrusted_comment, trusted_comment, out,
                         outlen, err, errlen);
    unsigned char hash[HASH_BYTES];
    crypto_generichash(hash, sizeof hash, msg, msglen, NULL, 0);
    return sign_data(sk, ALG_HASHED, hash, sizeof hash, untrusted_comment, trusted_comment, out,
                     outlen, err, errlen);
}

/* Streams a file through BLAKE2b-512, minisign's prehash. */
static int hash_file(const char *path, unsigned char hash[HASH_BYTES], char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_err(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, HASH_BYTES);
    unsigned char buf[8192]; /* small: stack pages, once touched, stay resident */
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            set_err(err, errlen, "cannot read %s: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        if (n == 0)
            break;
        crypto_generichash_update(&st, buf, (size_t)n);
    }
    close(fd);
    crypto_generichash_final(&st, hash, HASH_BYTES);
    return 0;
}

/* Loads a whole file (legacy signatures sign the raw bytes). *data must be freed. */
static int load_file(const char *path, unsigned char **data, size_t *len, char *err, size_t errlen)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_err(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 65536, n = 0;
    unsigned char *buf = malloc(cap);
    if (!buf)
        goto oom;
    for (;;) {
        if (n == cap) {
            if (cap > SIZE_MAX / 2)
                goto oom;
            unsigned char *nb = realloc(buf, cap * 2);
            if (!nb)
                goto oom;
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            set_err(err, errlen, "cannot read %s: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    *data = buf;
    *len = n;
    return 0;
oom:
    free(buf);
    close(fd);
    set_err(err, errlen, "%s: out of memory loading the file", path);
    return -1;
}

int camas_minisign_sign_file(const camas_minisign_seckey *sk, const char *path, int legacy,
                             const char *untrusted_comment, const char *trusted_comment, char *out,
                             size_t outlen, char *err, size_t errlen)
{
    if (sodium_ready(err, errlen) != 0)
        return -1;
    if (!path) {
        set_err(err, errlen, "no file to sign");
        return -1;
    }
    char tc[CAMAS_MINISIGN_TRUSTED_COMMENT_MAX];
    if (!trusted_comment) {
        default_trusted_comment(tc, sizeof tc, path, !legacy);
        trusted_comment = tc;
    }
    if (legacy) {
        unsigned char *data;
        size_t len;
        if (load_file(path, &data, &len, err, errlen) != 0)
            return -1;
        int rc = sign_data(sk, ALG_LEGACY, data, len, untrusted_comment, trusted_comment, out,
                           outlen, err, errlen);
        free(data);
        return rc;
    }
    unsigned char hash[HASH_BYTES];
    if (hash_file(path, hash, err, errlen) != 0)
        return -1;
    return sign_data(sk, ALG_HASHED, hash, sizeof hash, untrusted_comment, trusted_comment, out,
                     outlen, err, errlen);
}

/* ---- verification --------------------------------------------------------------------- */

static int sig_parse(const char *text, size_t len, parsed_sig *ps, char *err, size_t errlen)
{
    if (check_text(text, len, "signature file", err, errlen) != 0)
        return -1;
    span rest = {text, len}, line;
    /* Blank lines before the comment are tolerated; minisign never writes them, but editors
     * and copy-paste do. */
    while (next_line(&rest, &line) && only_blank(line))
        ;
    if (check_untrusted_line(line, "signature file", err, errlen) != 0)
        return -1;
    if (!next_line(&rest, &line)) {
        set_err(err, errlen, "signature file is truncated: line 2 (the signature) is missing");
        return -1;
    }
    unsigned char blob[SIGBLOB_BYTES];
    if (b64_exact(line, blob, sizeof blob, "signature file line 2", err, errlen) != 0)
        return -1;
    memcpy(ps->alg, blob, 2);
    memcpy(ps->keyid, blob + 2, CAMAS_MINISIGN_KEYID_BYTES);
    memcpy(ps->sig, blob + 2 + CAMAS_MINISIGN_KEYID_BYTES, SIG_BYTES);
    if (!next_line(&rest, &line) || only_blank(line)) {
        set_err(err, errlen, "signature file line 3: the trusted comment is missing");
        return -1;
    }
    if (!has_prefix(line, TRUSTED_PREFIX)) {
        set_err(err, errlen, "signature file line 3: should start with \"" TRUSTED_PREFIX "\"");
        return -1;
    }
    ps->trusted.p = line.p + strlen(TRUSTED_PREFIX);
    ps->trusted.n = line.n - strlen(TRUSTED_PREFIX);
    if (ps->trusted.n > TRUSTED_COMMENT_LEN) {
        set_err(err, errlen, "signature file line 3: trusted comment is too long");
        return -1;
    }
    if (!comment_ok(ps->trusted.p, ps->trusted.n)) {
        set_err(err, errlen, "signature file line 3: trusted comment contains control characters");
        return -1;
    }
    if (!next_line(&rest, &line) || only_blank(line)) {
        set_err(err, errlen,
                "signature file is truncated: line 4 (the global signature) is missing");
        return -1;
    }
    if (b64_exact(line, ps->global, SIG_BYTES, "signature file line 4", err, errlen) != 0)
        return -1;
    if (!only_blank(rest)) {
        set_err(err, errlen, "signature file: unexpected text after line 4");
        return -1;
    }
    if (memcmp(ps->alg, ALG_LEGACY, 2) != 0 && memcmp(ps->alg, ALG_HASHED, 2) != 0) {
        set_err(err, errlen, "unknown signature algorithm (0x%02X%02X)", ps->alg[0], ps->alg[1]);
        return -1;
    }
    return 0;
}

static bool sig_hashed(const parsed_sig *ps)
{
    return memcmp(ps->alg, ALG_HASHED, 2) == 0;
}

/* Checks a parsed signature over data (message or prehash, as the algorithm says). */
static int verify_parsed(const camas_minisign_pubkey *keys, size_t nkeys, const parsed_sig *ps,
                         const unsigned char *data, size_t datalen, char *tc_out, size_t tc_len,
                         char *err, size_t errlen)
{
    const camas_minisign_pubkey *key = NULL;
    for (size_t i = 0; keys && i < nkeys && !key; i++)
        if (memcmp(keys[i].keyid, ps->keyid, CAMAS_MINISIGN_KEYID_BYTES) == 0)
            key = &keys[i];
    if (!key) {
        char id[17];
        camas_minisign_keyid_hex(ps->keyid, id);
        set_err(err, errlen, "signed by key id %s which is not trusted", id);
        return -1;
    }
    if (crypto_sign_verify_detached(ps->sig, data, datalen, key->pk) != 0) {
        set_err(err, errlen, "signature does not match the file");
        return -1;
    }
    unsigned char signed_tc[SIG_BYTES + CAMAS_MINISIGN_TRUSTED_COMMENT_MAX];
    memcpy(signed_tc, ps->sig, SIG_BYTES);
    memcpy(signed_tc + SIG_BYTES, ps->trusted.p, ps->trusted.n);
    if (crypto_sign_verify_detached(ps->global, signed_tc, SIG_BYTES + ps->trusted.n, key->pk) !=
        0) {
        set_err(err, errlen, "trusted comment was altered (global signature invalid)");
        return -1;
    }
    if (tc_out && tc_len > 0) {
        size_t n = ps->trusted.n < tc_len - 1 ? ps->trusted.n : tc_len - 1;
        memcpy(tc_out, ps->trusted.p, n);
        tc_out[n] = '\0';
    }
    return 0;
}

int camas_minisign_verify(const camas_minisign_pubkey *keys, size_t nkeys, const unsigned char *msg,
                          size_t msglen, const char *sig_text, size_t sig_len,
                          char *trusted_comment_out, size_t tc_len, char *err, size_t errlen)
{
    if (trusted_comment_out && tc_len > 0)
        trusted_comment_out[0] = '\0';
    if (sodium_ready(err, errlen) != 0)
        return -1;
    if (!msg && msglen > 0) {
        set_err(err, errlen, "no message");
        return -1;
    }
    static const unsigned char empty[1] = {0};
    if (!msg)
        msg = empty;
    parsed_sig ps;
    if (sig_parse(sig_text, sig_len, &ps, err, errlen) != 0)
        return -1;
    if (!sig_hashed(&ps))
        return verify_parsed(keys, nkeys, &ps, msg, msglen, trusted_comment_out, tc_len, err,
                             errlen);
    unsigned char hash[HASH_BYTES];
    crypto_generichash(hash, sizeof hash, msg, msglen, NULL, 0);
    return verify_parsed(keys, nkeys, &ps, hash, sizeof hash, trusted_comment_out, tc_len, err,
                         errlen);
}

int camas_minisign_verify_file(const camas_minisign_pubkey *keys, size_t nkeys, const char *path,
                               const char *sig_text, size_t sig_len, char *trusted_comment_out,
                               size_t tc_len, char *err, size_t errlen)
{
    if (trusted_comment_out && tc_len > 0)
        trusted_comment_out[0] = '\0';
    if (sodium_ready(err, errlen) != 0)
        return -1;
    if (!path) {
        set_err(err, errlen, "no file to verify");
        return -1;
    }
    parsed_sig ps;
    if (sig_parse(sig_text, sig_len, &ps, err, errlen) != 0)
        return -1;
    if (sig_hashed(&ps)) {
        unsigned char hash[HASH_BYTES];
        if (hash_file(path, hash, err, errlen) != 0)
            return -1;
        return verify_parsed(keys, nkeys, &ps, hash, sizeof hash, trusted_comment_out, tc_len, err,
                             errlen);
    }
    unsigned char *data;
    size_t len;
    if (load_file(path, &data, &len, err, errlen) != 0)
        return -1;
    int rc = verify_parsed(keys, nkeys, &ps, data, len, trusted_comment_out, tc_len, err, errlen);
    free(data);
    return rc;
}

/* ---- files ---------------------------------------------------------------------------- */

int camas_minisign_read_small(const char *path, char *buf, size_t bufsize, size_t *len, char *err,
                              size_t errlen)
{
    *len = 0;
    if (!path || !buf || bufsize < 2) {
        set_err(err, errlen, "no file or buffer");
        return -1;
    }
    buf[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        set_err(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    size_t n = 0, limit = bufsize - 1;
    if (limit > CAMAS_MINISIGN_TEXT_MAX)
        limit = CAMAS_MINISIGN_TEXT_MAX;
    for (;;) {
        char extra;
        /* One byte past the limit tells "exactly full" from "too large". */
        ssize_t r = n < limit ? read(fd, buf + n, limit - n) : read(fd, &extra, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            set_err(err, errlen, "cannot read %s: %s", path, strerror(errno));
            close(fd);
            sodium_memzero(buf, n);
            return -1;
        }
        if (r == 0)
            break;
        if (n == limit) {
            set_err(err, errlen, "%s is too large (more than %zu bytes)", path, limit);
            close(fd);
            sodium_memzero(buf, n);
            return -1;
        }
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    *len = n;
    return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int camas_minisign_write_file(const char *path, const void *data, size_t len, unsigned mode,
                              int exclusive, char *err, size_t errlen)
{
    if (exclusive) {
        /* O_EXCL is the atomic "must not exist"; a failed write removes the partial file. */
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, (mode_t)mode);
        if (fd < 0) {
            set_err(err, errlen, "cannot create %s: %s", path, strerror(errno));
            return -1;
        }
        if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
            set_err(err, errlen, "cannot write %s: %s", path, strerror(errno));
            close(fd);
            unlink(path);
            return -1;
        }
        if (close(fd) != 0) {
            set_err(err, errlen, "cannot write %s: %s", path, strerror(errno));
            unlink(path);
            return -1;
        }
        return 0;
    }
    /* Otherwise write a sibling temporary file and rename it over, so a crash never leaves a
     * half-written key or signature. */
    size_t plen = strlen(path);
    char *tmp = malloc(plen + sizeof ".tmpXXXXXX");
    if (!tmp) {
        set_err(err, errlen, "out of memory");
        return -1;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmpXXXXXX", sizeof ".tmpXXXXXX");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        set_err(err, errlen, "cannot create a temporary file next to %s: %s", path,
                strerror(errno));
        free(tmp);
        return -1;
    }
    if (fchmod(fd, (mode_t)mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        set_err(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        return -1;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        set_err(err, errlen, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}
