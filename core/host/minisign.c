/* minisign-compatible Ed25519 signatures, the reading side: parses minisign's public key and
 * signature files, writes public keys, verifies (prehashed "ED" or legacy "Ed"), and reads and
 * writes the small files involved, all on libsodium. Secret keys, key generation and signing are
 * in minisign_sign.c. Every parser works on (pointer, length) input and checks each length before
 * touching bytes, because key and signature files come from wherever the operator downloaded
 * them. */
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

typedef struct parsed_sig {
    unsigned char alg[2];
    unsigned char keyid[CAMAS_MINISIGN_KEYID_BYTES];
    unsigned char sig[SIG_BYTES];
    span trusted; /* points into the caller's text */
    unsigned char global[SIG_BYTES];
} parsed_sig;

void minisign_set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int minisign_sodium_ready(char *err, size_t errlen)
{
    if (sodium_init() < 0) {
        minisign_set_err(err, errlen, "libsodium failed to initialise");
        return -1;
    }
    return 0;
}

uint64_t minisign_le64_load(const unsigned char *p)
{
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--)
        x = (x << 8) | p[i];
    return x;
}

void minisign_le64_store(unsigned char *p, uint64_t x)
{
    for (int i = 0; i < 8; i++) {
        p[i] = (unsigned char)(x & 0xff);
        x >>= 8;
    }
}

void camas_minisign_keyid_hex(const unsigned char keyid[CAMAS_MINISIGN_KEYID_BYTES], char out[17])
{
    /* minisign shows the id as a little-endian 64-bit number. */
    snprintf(out, 17, "%016llX", (unsigned long long)minisign_le64_load(keyid));
}

/* Takes the next '\n'-terminated line (without "\r\n") from *rest; false when none is left. */
bool minisign_next_line(span *rest, span *line)
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

span minisign_trim(span s)
{
    while (s.n > 0 && is_blank(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && is_blank(s.p[s.n - 1]))
        s.n--;
    return s;
}

bool minisign_only_blank(span s)
{
    return minisign_trim(s).n == 0;
}

static bool has_prefix(span s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.n >= n && memcmp(s.p, prefix, n) == 0;
}

/* Comments end up on one line of a file and in terminal output: no control characters except
 * tab (minisign's default trusted comment uses tabs). */
bool minisign_comment_ok(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

/* Decodes a base64 line that must yield exactly want bytes. */
int minisign_b64_exact(span line, unsigned char *out, size_t want, const char *what, char *err,
                       size_t errlen)
{
    span s = minisign_trim(line);
    size_t got = 0;
    const char *end = NULL;
    if (s.n == 0) {
        minisign_set_err(err, errlen, "%s: empty", what);
        return -1;
    }
    errno = 0;
    int rc =
        sodium_base642bin(out, want, s.p, s.n, NULL, &got, &end, sodium_base64_VARIANT_ORIGINAL);
    if (rc != 0 && errno == ERANGE) {
        minisign_set_err(err, errlen, "%s: too long (expected %zu bytes)", what, want);
        return -1;
    }
    if (rc != 0 || end != s.p + s.n) {
        minisign_set_err(err, errlen, "%s: not valid base64", what);
        return -1;
    }
    if (got != want) {
        minisign_set_err(err, errlen, "%s: %zu bytes, expected %zu", what, got, want);
        return -1;
    }
    return 0;
}

int minisign_check_text(const char *text, size_t len, const char *what, char *err, size_t errlen)
{
    if (!text) {
        minisign_set_err(err, errlen, "%s: no input", what);
        return -1;
    }
    if (len > CAMAS_MINISIGN_TEXT_MAX) {
        minisign_set_err(err, errlen, "%s is too large (%zu bytes, at most %d)", what, len,
                         CAMAS_MINISIGN_TEXT_MAX);
        return -1;
    }
    if (memchr(text, '\0', len)) {
        minisign_set_err(err, errlen, "%s contains a NUL byte", what);
        return -1;
    }
    if (minisign_only_blank((span){text, len})) {
        minisign_set_err(err, errlen, "%s is empty", what);
        return -1;
    }
    return 0;
}

/* Checks the "untrusted comment: " line minisign puts first in every file. */
int minisign_check_untrusted_line(span line, const char *what, char *err, size_t errlen)
{
    if (!has_prefix(line, UNTRUSTED_PREFIX)) {
        minisign_set_err(err, errlen, "%s line 1: should start with \"" UNTRUSTED_PREFIX "\"",
                         what);
        return -1;
    }
    if (line.n >= UNTRUSTED_LINE_MAX) {
        minisign_set_err(err, errlen, "%s line 1: untrusted comment is too long", what);
        return -1;
    }
    return 0;
}

/* ---- public keys ---------------------------------------------------------------------- */

int camas_minisign_pubkey_parse(const char *text, size_t len, camas_minisign_pubkey *out, char *err,
                                size_t errlen)
{
    if (minisign_check_text(text, len, "public key", err, errlen) != 0)
        return -1;
    span rest = minisign_trim((span){text, len});
    span line1, b64line;
    minisign_next_line(&rest, &line1);
    char what[32];
    if (has_prefix(line1, "untrusted comment:")) {
        if (minisign_check_untrusted_line(line1, "public key", err, errlen) != 0)
            return -1;
        if (!minisign_next_line(&rest, &b64line)) {
            minisign_set_err(err, errlen, "public key line 2: missing");
            return -1;
        }
        snprintf(what, sizeof what, "public key line 2");
    } else {
        /* A bare key as passed to minisign -P. */
        b64line = line1;
        snprintf(what, sizeof what, "public key");
    }
    if (!minisign_only_blank(rest)) {
        minisign_set_err(err, errlen, "public key: unexpected text after the key");
        return -1;
    }
    unsigned char blob[PUBKEY_BYTES];
    if (minisign_b64_exact(b64line, blob, sizeof blob, what, err, errlen) != 0)
        return -1;
    if (memcmp(blob, ALG_LEGACY, 2) != 0) {
        minisign_set_err(err, errlen, "public key: unknown signature algorithm");
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
        minisign_set_err(err, errlen, "%s: %s", path, sub);
        return -1;
    }
    return 0;
}

int minisign_put_b64(char *out, size_t outlen, size_t *pos, const unsigned char *bin, size_t n)
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

int minisign_put_str(char *out, size_t outlen, size_t *pos, const char *fmt, ...)
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
    if (minisign_put_str(out, outlen, &pos, UNTRUSTED_PREFIX "minisign public key %s\n", id) != 0 ||
        minisign_put_b64(out, outlen, &pos, blob, sizeof blob) != 0) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

/* Streams a file through BLAKE2b-512, minisign's prehash. */
int minisign_hash_file(const char *path, unsigned char hash[HASH_BYTES], char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        minisign_set_err(err, errlen, "cannot open %s: %s", path, strerror(errno));
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
            minisign_set_err(err, errlen, "cannot read %s: %s", path, strerror(errno));
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
int minisign_load_file(const char *path, unsigned char **data, size_t *len, char *err,
                       size_t errlen)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        minisign_set_err(err, errlen, "cannot open %s: %s", path, strerror(errno));
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
            minisign_set_err(err, errlen, "cannot read %s: %s", path, strerror(errno));
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
    minisign_set_err(err, errlen, "%s: out of memory loading the file", path);
    return -1;
}

/* ---- verification --------------------------------------------------------------------- */

static int sig_parse(const char *text, size_t len, parsed_sig *ps, char *err, size_t errlen)
{
    if (minisign_check_text(text, len, "signature file", err, errlen) != 0)
        return -1;
    span rest = {text, len}, line;
    /* Blank lines before the comment are tolerated; minisign never writes them, but editors
     * and copy-paste do. */
    while (minisign_next_line(&rest, &line) && minisign_only_blank(line))
        ;
    if (minisign_check_untrusted_line(line, "signature file", err, errlen) != 0)
        return -1;
    if (!minisign_next_line(&rest, &line)) {
        minisign_set_err(err, errlen,
                         "signature file is truncated: line 2 (the signature) is missing");
        return -1;
    }
    unsigned char blob[SIGBLOB_BYTES];
    if (minisign_b64_exact(line, blob, sizeof blob, "signature file line 2", err, errlen) != 0)
        return -1;
    memcpy(ps->alg, blob, 2);
    memcpy(ps->keyid, blob + 2, CAMAS_MINISIGN_KEYID_BYTES);
    memcpy(ps->sig, blob + 2 + CAMAS_MINISIGN_KEYID_BYTES, SIG_BYTES);
    if (!minisign_next_line(&rest, &line) || minisign_only_blank(line)) {
        minisign_set_err(err, errlen, "signature file line 3: the trusted comment is missing");
        return -1;
    }
    if (!has_prefix(line, TRUSTED_PREFIX)) {
        minisign_set_err(err, errlen,
                         "signature file line 3: should start with \"" TRUSTED_PREFIX "\"");
        return -1;
    }
    ps->trusted.p = line.p + strlen(TRUSTED_PREFIX);
    ps->trusted.n = line.n - strlen(TRUSTED_PREFIX);
    if (ps->trusted.n > TRUSTED_COMMENT_LEN) {
        minisign_set_err(err, errlen, "signature file line 3: trusted comment is too long");
        return -1;
    }
    if (!minisign_comment_ok(ps->trusted.p, ps->trusted.n)) {
        minisign_set_err(err, errlen,
                         "signature file line 3: trusted comment contains control characters");
        return -1;
    }
    if (!minisign_next_line(&rest, &line) || minisign_only_blank(line)) {
        minisign_set_err(err, errlen,
                         "signature file is truncated: line 4 (the global signature) is missing");
        return -1;
    }
    if (minisign_b64_exact(line, ps->global, SIG_BYTES, "signature file line 4", err, errlen) != 0)
        return -1;
    if (!minisign_only_blank(rest)) {
        minisign_set_err(err, errlen, "signature file: unexpected text after line 4");
        return -1;
    }
    if (memcmp(ps->alg, ALG_LEGACY, 2) != 0 && memcmp(ps->alg, ALG_HASHED, 2) != 0) {
        minisign_set_err(err, errlen, "unknown signature algorithm (0x%02X%02X)", ps->alg[0],
                         ps->alg[1]);
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
        minisign_set_err(err, errlen, "signed by key id %s which is not trusted", id);
        return -1;
    }
    if (crypto_sign_verify_detached(ps->sig, data, datalen, key->pk) != 0) {
        minisign_set_err(err, errlen, "signature does not match the file");
        return -1;
    }
    unsigned char signed_tc[SIG_BYTES + CAMAS_MINISIGN_TRUSTED_COMMENT_MAX];
    memcpy(signed_tc, ps->sig, SIG_BYTES);
    memcpy(signed_tc + SIG_BYTES, ps->trusted.p, ps->trusted.n);
    if (crypto_sign_verify_detached(ps->global, signed_tc, SIG_BYTES + ps->trusted.n, key->pk) !=
        0) {
        minisign_set_err(err, errlen, "trusted comment was altered (global signature invalid)");
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
    if (minisign_sodium_ready(err, errlen) != 0)
        return -1;
    if (!msg && msglen > 0) {
        minisign_set_err(err, errlen, "no message");
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
    if (minisign_sodium_ready(err, errlen) != 0)
        return -1;
    if (!path) {
        minisign_set_err(err, errlen, "no file to verify");
        return -1;
    }
    parsed_sig ps;
    if (sig_parse(sig_text, sig_len, &ps, err, errlen) != 0)
        return -1;
    if (sig_hashed(&ps)) {
        unsigned char hash[HASH_BYTES];
        if (minisign_hash_file(path, hash, err, errlen) != 0)
            return -1;
        return verify_parsed(keys, nkeys, &ps, hash, sizeof hash, trusted_comment_out, tc_len, err,
                             errlen);
    }
    unsigned char *data;
    size_t len;
    if (minisign_load_file(path, &data, &len, err, errlen) != 0)
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
        minisign_set_err(err, errlen, "no file or buffer");
        return -1;
    }
    buf[0] = '\0';
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        minisign_set_err(err, errlen, "cannot open %s: %s", path, strerror(errno));
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
            minisign_set_err(err, errlen, "cannot read %s: %s", path, strerror(errno));
            close(fd);
            sodium_memzero(buf, n);
            return -1;
        }
        if (r == 0)
            break;
        if (n == limit) {
            minisign_set_err(err, errlen, "%s is too large (more than %zu bytes)", path, limit);
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
            minisign_set_err(err, errlen, "cannot create %s: %s", path, strerror(errno));
            return -1;
        }
        if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
            minisign_set_err(err, errlen, "cannot write %s: %s", path, strerror(errno));
            close(fd);
            unlink(path);
            return -1;
        }
        if (close(fd) != 0) {
            minisign_set_err(err, errlen, "cannot write %s: %s", path, strerror(errno));
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
        minisign_set_err(err, errlen, "out of memory");
        return -1;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmpXXXXXX", sizeof ".tmpXXXXXX");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        minisign_set_err(err, errlen, "cannot create a temporary file next to %s: %s", path,
                         strerror(errno));
        free(tmp);
        return -1;
    }
    if (fchmod(fd, (mode_t)mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        minisign_set_err(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        return -1;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        minisign_set_err(err, errlen, "cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}
