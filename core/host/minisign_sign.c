/* minisign-compatible Ed25519 signatures, the signing tool's side (camas keygen, sign and
 * plugin sign): minisign's secret key files (parsed, decrypted with the scrypt-derived stream and
 * written back), key pair generation and signing of a buffer or a file, prehashed "ED" or legacy
 * "Ed". The daemon only verifies (minisign.c); nothing here runs on untrusted input except the
 * secret key text, which is parsed as carefully as the public files. */
#include "minisign_internal.h"

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
    if (minisign_check_text(text, len, "secret key", err, errlen) != 0)
        return -1;
    span rest = minisign_trim((span){text, len}), line1, line2;
    minisign_next_line(&rest, &line1);
    if (minisign_check_untrusted_line(line1, "secret key", err, errlen) != 0)
        return -1;
    if (!minisign_next_line(&rest, &line2)) {
        minisign_set_err(err, errlen, "secret key line 2: missing");
        return -1;
    }
    if (!minisign_only_blank(rest)) {
        minisign_set_err(err, errlen, "secret key: unexpected text after line 2");
        return -1;
    }
    if (minisign_b64_exact(line2, blob, SECKEY_BYTES, "secret key line 2", err, errlen) != 0)
        return -1;
    if (memcmp(blob + SK_OFF_SIGALG, ALG_LEGACY, 2) != 0) {
        minisign_set_err(err, errlen, "secret key: unknown signature algorithm");
        return -1;
    }
    if (memcmp(blob + SK_OFF_CHKALG, CHK_BLAKE2B, 2) != 0) {
        minisign_set_err(err, errlen, "secret key: unknown checksum algorithm");
        return -1;
    }
    if (memcmp(blob + SK_OFF_KDFALG, KDF_SCRYPT, 2) != 0 &&
        memcmp(blob + SK_OFF_KDFALG, "\0\0", 2) != 0) {
        minisign_set_err(err, errlen, "secret key: unknown key derivation algorithm");
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
    if (minisign_sodium_ready(err, errlen) != 0)
        return -1;
    unsigned char blob[SECKEY_BYTES], chk[CHK_BYTES], stream[SK_CRYPT_BYTES];
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk2[crypto_sign_SECRETKEYBYTES];
    int rc = -1;
    if (seckey_decode(text, len, blob, err, errlen) != 0)
        goto out;
    bool encrypted = memcmp(blob + SK_OFF_KDFALG, KDF_SCRYPT, 2) == 0;
    if (encrypted) {
        if (!password) {
            minisign_set_err(err, errlen,
                             "secret key is password-protected; a password is required");
            goto out;
        }
        uint64_t ops = minisign_le64_load(blob + SK_OFF_OPS),
                 mem = minisign_le64_load(blob + SK_OFF_MEM);
        if (ops > KDF_OPS_CEILING || mem > KDF_MEM_CEILING) {
            minisign_set_err(err, errlen, "secret key: scrypt parameters are unreasonably large");
            goto out;
        }
        if (derive_stream(stream, password, blob + SK_OFF_SALT, ops, mem) != 0) {
            minisign_set_err(err, errlen,
                             "secret key: password key derivation failed (out of memory?)");
            goto out;
        }
        xor_stream(blob, stream);
    }
    seckey_checksum(blob, chk);
    if (sodium_memcmp(chk, blob + SK_OFF_CHK, CHK_BYTES) != 0) {
        /* minisign -W leaves the checksum of unencrypted keys all zero. */
        if (encrypted) {
            minisign_set_err(err, errlen, "wrong password for this secret key (checksum mismatch)");
            goto out;
        }
        if (!sodium_is_zero(blob + SK_OFF_CHK, CHK_BYTES)) {
            minisign_set_err(err, errlen, "secret key is corrupted (checksum mismatch)");
            goto out;
        }
    }
    /* The second half of an Ed25519 secret key is its public key: recomputing it from the seed
     * catches damage that a zero checksum cannot. */
    if (crypto_sign_seed_keypair(pk, sk2, blob + SK_OFF_SK) != 0 ||
        sodium_memcmp(pk, blob + SK_OFF_SK + 32, sizeof pk) != 0) {
        minisign_set_err(err, errlen, "secret key is corrupted (public half does not match)");
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
        minisign_set_err(err, errlen, "%s: %s", path, sub);
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
    if (minisign_sodium_ready(err, errlen) != 0)
        return -1;
    if (!out || outlen == 0) {
        minisign_set_err(err, errlen, "no output buffer");
        return -1;
    }
    out[0] = '\0';
    if (!comment)
        comment = password ? "camas secret key (password-protected)" : "camas secret key";
    if (strlen(comment) > CAMAS_MINISIGN_COMMENT_MAX ||
        !minisign_comment_ok(comment, strlen(comment))) {
        minisign_set_err(err, errlen,
                         "secret key comment is too long or contains control characters");
        return -1;
    }
    if (password && !*password) {
        minisign_set_err(err, errlen, "empty password (use an unencrypted key instead)");
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
            minisign_set_err(err, errlen, "scrypt parameters are unreasonably large");
            goto out;
        }
        /* Like minisign, halve the cost until this machine can afford it. */
        while (derive_stream(stream, password, blob + SK_OFF_SALT, ops, mem) != 0) {
            ops /= 2;
            mem /= 2;
            if (ops < crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN ||
                mem < crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN) {
                minisign_set_err(err, errlen, "not enough memory for the password key derivation");
                goto out;
            }
        }
        minisign_le64_store(blob + SK_OFF_OPS, ops);
        minisign_le64_store(blob + SK_OFF_MEM, mem);
        xor_stream(blob, stream);
    }
    size_t pos = 0;
    if (minisign_put_str(out, outlen, &pos, UNTRUSTED_PREFIX "%s\n", comment) != 0 ||
        minisign_put_b64(out, outlen, &pos, blob, sizeof blob) != 0) {
        sodium_memzero(out, outlen);
        minisign_set_err(err, errlen, "output buffer too small for the secret key");
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
    if (minisign_sodium_ready(err, errlen) != 0)
        return -1;
    randombytes_buf(sk->keyid, sizeof sk->keyid);
    if (crypto_sign_keypair(pk->pk, sk->sk) != 0) {
        camas_minisign_seckey_wipe(sk);
        minisign_set_err(err, errlen, "key generation failed");
        return -1;
    }
    memcpy(pk->keyid, sk->keyid, sizeof pk->keyid);
    return 0;
}

static int exists(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) == 0) {
        minisign_set_err(err, errlen, "%s already exists (use -f to overwrite)", path);
        return 1;
    }
    if (errno != ENOENT) {
        minisign_set_err(err, errlen, "%s: %s", path, strerror(errno));
        return 1;
    }
    return 0;
}

int camas_minisign_keygen_write(const char *pk_path, const char *sk_path, const char *password,
                                const camas_minisign_kdf *kdf, const char *comment, int force,
                                char *err, size_t errlen)
{
    if (!pk_path || !sk_path) {
        minisign_set_err(err, errlen, "both a public and a secret key path are needed");
        return -1;
    }
    if (!force && (exists(pk_path, err, errlen) || exists(sk_path, err, errlen)))
        return -1;
    if (minisign_sodium_ready(err, errlen) != 0)
        return -1;
    camas_minisign_seckey *sk = sodium_malloc(sizeof *sk);
    char *sk_text = sodium_malloc(CAMAS_MINISIGN_KEY_TEXT_MAX);
    char pk_text[CAMAS_MINISIGN_KEY_TEXT_MAX];
    camas_minisign_pubkey pk;
    int rc = -1;
    if (!sk || !sk_text) {
        minisign_set_err(err, errlen, "out of memory");
        goto out;
    }
    if (camas_minisign_keygen(&pk, sk, err, errlen) != 0 ||
        camas_minisign_seckey_format(sk, password, kdf, comment, sk_text,
                                     CAMAS_MINISIGN_KEY_TEXT_MAX, err, errlen) != 0)
        goto out;
    if (camas_minisign_pubkey_format(&pk, pk_text, sizeof pk_text) != 0) {
        minisign_set_err(err, errlen, "cannot format the public key");
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
        minisign_set_err(err, errlen, "%s is too long (%zu bytes, at most %zu)", what, n, max);
        return -1;
    }
    if (!minisign_comment_ok(c, n)) {
        minisign_set_err(err, errlen, "%s may not contain line breaks or control characters", what);
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
        minisign_set_err(err, errlen, "no output buffer");
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
        minisign_set_err(err, errlen, "signing failed");
        return -1;
    }
    memcpy(signed_tc, sig, SIG_BYTES);
    memcpy(signed_tc + SIG_BYTES, trusted_comment, tclen);
    if (crypto_sign_detached(global, NULL, signed_tc, SIG_BYTES + tclen, sk->sk) != 0) {
        minisign_set_err(err, errlen, "signing the trusted comment failed");
        return -1;
    }
    /* Check the result with the key's public half, as minisign does, so a damaged key cannot
     * produce signatures nobody can verify. */
    unsigned char pk[CAMAS_MINISIGN_PK_BYTES];
    crypto_sign_ed25519_sk_to_pk(pk, sk->sk);
    if (crypto_sign_verify_detached(sig, data, datalen, pk) != 0 ||
        crypto_sign_verify_detached(global, signed_tc, SIG_BYTES + tclen, pk) != 0) {
        minisign_set_err(err, errlen,
                         "the new signature does not verify: the secret key is damaged");
        return -1;
    }
    size_t pos = 0;
    if (minisign_put_str(out, outlen, &pos, UNTRUSTED_PREFIX "%s\n", untrusted_comment) != 0 ||
        minisign_put_b64(out, outlen, &pos, blob, sizeof blob) != 0 ||
        minisign_put_str(out, outlen, &pos, TRUSTED_PREFIX "%s\n", trusted_comment) != 0 ||
        minisign_put_b64(out, outlen, &pos, global, sizeof global) != 0) {
        out[0] = '\0';
        minisign_set_err(err, errlen, "output buffer too small for the signature");
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
    if (minisign_sodium_ready(err, errlen) != 0)
        return -1;
    if (!msg && msglen > 0) {
        minisign_set_err(err, errlen, "no message");
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

int camas_minisign_sign_file(const camas_minisign_seckey *sk, const char *path, int legacy,
                             const char *untrusted_comment, const char *trusted_comment, char *out,
                             size_t outlen, char *err, size_t errlen)
{
    if (minisign_sodium_ready(err, errlen) != 0)
        return -1;
    if (!path) {
        minisign_set_err(err, errlen, "no file to sign");
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
        if (minisign_load_file(path, &data, &len, err, errlen) != 0)
            return -1;
        int rc = sign_data(sk, ALG_LEGACY, data, len, untrusted_comment, trusted_comment, out,
                           outlen, err, errlen);
        free(data);
        return rc;
    }
    unsigned char hash[HASH_BYTES];
    if (minisign_hash_file(path, hash, err, errlen) != 0)
        return -1;
    return sign_data(sk, ALG_HASHED, hash, sizeof hash, untrusted_comment, trusted_comment, out,
                     outlen, err, errlen);
}
