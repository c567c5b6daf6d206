/* Unit tests for the minisign module: round trips, real minisign output (fixtures made with the
 * minisign 0.11 CLI, see tests/fixtures/minisign/README), and every malformed or tampered input
 * we could think of. Inputs are copied into exact-size heap buffers so that ASan builds catch
 * any read past the given length. */
#include "check.h"
#include "minisign.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIX FIXTURES "/minisign/"

/* Cheap scrypt so password round trips take milliseconds, not seconds. */
static const camas_minisign_kdf fast_kdf = {crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN,
                                            crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN};

static const unsigned char msg[] = "The camas blooms blue in the spring meadows.\n";
#define MSGLEN (sizeof msg - 1)

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(65536);
    size_t n = buf ? fread(buf, 1, 65535, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

/* Verifies from an exact-size copy of the text (no terminating NUL to lean on). */
static int verify_exact(const camas_minisign_pubkey *keys, size_t n, const unsigned char *m,
                        size_t mlen, const char *sig, size_t siglen, char *tc, size_t tclen,
                        char *err, size_t errlen)
{
    char *copy = malloc(siglen ? siglen : 1);
    if (!copy)
        return -2;
    memcpy(copy, sig, siglen);
    int rc = camas_minisign_verify(keys, n, m, mlen, copy, siglen, tc, tclen, err, errlen);
    free(copy);
    return rc;
}

static bool contains(const char *hay, const char *needle)
{
    bool ok = strstr(hay, needle) != NULL;
    if (!ok)
        fprintf(stderr, "  expected \"%s\" in \"%s\"\n", needle, hay);
    return ok;
}

/* Replaces line `line` (1-based) of sig with repl. */
static void replace_line(const char *sig, int line, const char *repl, char *out, size_t outlen)
{
    const char *p = sig;
    size_t pos = 0;
    for (int l = 1; *p; l++) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        const char *src = l == line ? repl : p;
        size_t sn = l == line ? strlen(repl) : n;
        if (pos + sn + 2 < outlen) {
            memcpy(out + pos, src, sn);
            pos += sn;
            if (nl)
                out[pos++] = '\n';
        }
        p += n + (nl ? 1 : 0);
    }
    out[pos] = '\0';
}

static void get_line(const char *sig, int line, char *out, size_t outlen)
{
    const char *p = sig;
    for (int l = 1; l < line && p; l++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    size_t n = 0;
    while (p && p[n] && p[n] != '\n' && n + 1 < outlen) {
        out[n] = p[n];
        n++;
    }
    out[n] = '\0';
}

/* Builds a signature text with line 2 re-encoded from a modified blob. */
static void reencode_line2(const char *sig, void (*mutate)(unsigned char *blob), char *out,
                           size_t outlen)
{
    char line[256];
    unsigned char blob[74];
    size_t got = 0;
    get_line(sig, 2, line, sizeof line);
    sodium_base642bin(blob, sizeof blob, line, strlen(line), NULL, &got, NULL,
                      sodium_base64_VARIANT_ORIGINAL);
    mutate(blob);
    char b64[sodium_base64_ENCODED_LEN(74, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, blob, sizeof blob, sodium_base64_VARIANT_ORIGINAL);
    replace_line(sig, 2, b64, out, outlen);
}

static void set_alg_xx(unsigned char *blob)
{
    memcpy(blob, "Xx", 2);
}

static void set_alg_ed_lower(unsigned char *blob)
{
    memcpy(blob, "Ed", 2); /* a hashed signature relabelled as legacy */
}

static void test_fixtures(void)
{
    char err[512], tc[CAMAS_MINISIGN_TRUSTED_COMMENT_MAX], id[17];
    camas_minisign_pubkey pk, ppk, bare;
    size_t mlen = 0, slen = 0, llen = 0, plen = 0, klen = 0;
    char *m = slurp(FIX "message.txt", &mlen);
    char *sig = slurp(FIX "message.txt.minisig", &slen);
    char *leg = slurp(FIX "message.txt.legacy.minisig", &llen);
    char *psig = slurp(FIX "message.txt.protected.minisig", &plen);
    char *pubtext = slurp(FIX "minisign.pub", &klen);
    CHECK(m && sig && leg && psig && pubtext);
    if (!m || !sig || !leg || !psig || !pubtext)
        goto out;

    CHECK(camas_minisign_pubkey_load(FIX "minisign.pub", &pk, err, sizeof err) == 0);
    CHECK(camas_minisign_pubkey_load(FIX "protected.pub", &ppk, err, sizeof err) == 0);
    camas_minisign_keyid_hex(pk.keyid, id);
    CHECK_STR(id, "06C4E60C6B05E5CA");

    /* minisign -P takes the bare base64 line; so do we. */
    char line2[128];
    get_line(pubtext, 2, line2, sizeof line2);
    CHECK(camas_minisign_pubkey_parse(line2, strlen(line2), &bare, err, sizeof err) == 0);
    CHECK(memcmp(&bare, &pk, sizeof pk) == 0);

    const unsigned char *um = (const unsigned char *)m;
    CHECK(verify_exact(&pk, 1, um, mlen, sig, slen, tc, sizeof tc, err, sizeof err) == 0);
    CHECK_STR(tc, "camas fixture hashed");
    CHECK(verify_exact(&pk, 1, um, mlen, leg, llen, tc, sizeof tc, err, sizeof err) == 0);
    CHECK_STR(tc, "camas fixture legacy");
    CHECK(verify_exact(&ppk, 1, um, mlen, psig, plen, tc, sizeof tc, err, sizeof err) == 0);
    CHECK_STR(tc, "camas fixture protected key");
    CHECK(camas_minisign_verify_file(&pk, 1, FIX "message.txt", sig, slen, tc, sizeof tc, err,
                                     sizeof err) == 0);
    CHECK(camas_minisign_verify_file(&pk, 1, FIX "message.txt", leg, llen, tc, sizeof tc, err,
                                     sizeof err) == 0);

    /* The other key is not trusted for this signature. */
    CHECK(verify_exact(&ppk, 1, um, mlen, sig, slen, tc, sizeof tc, err, sizeof err) != 0);
    CHECK(contains(err, "signed by key id 06C4E60C6B05E5CA which is not trusted"));
    CHECK_STR(tc, "");
    /* With both keys trusted, the one with the matching id is used. */
    camas_minisign_pubkey both[2] = {ppk, pk};
    CHECK(verify_exact(both, 2, um, mlen, sig, slen, tc, sizeof tc, err, sizeof err) == 0);
    /* One byte more in the file. */
    CHECK(verify_exact(&pk, 1, um, mlen - 1, sig, slen, tc, sizeof tc, err, sizeof err) != 0);
    CHECK(contains(err, "signature does not match the file"));
    CHECK(verify_exact(&pk, 1, um, mlen - 1, leg, llen, tc, sizeof tc, err, sizeof err) != 0);
    CHECK(contains(err, "signature does not match the file"));

    /* minisign -W secret key: kdf "\0\0" and an all-zero checksum. */
    camas_minisign_seckey sk;
    CHECK(camas_minisign_seckey_load(FIX "minisign.key", NULL, &sk, err, sizeof err) == 0);
    camas_minisign_pubkey derived;
    camas_minisign_seckey_pubkey(&sk, &derived);
    CHECK(memcmp(&derived, &pk, sizeof pk) == 0);
    char out[CAMAS_MINISIGN_SIG_TEXT_MAX];
    CHECK(camas_minisign_sign(&sk, um, mlen, 0, NULL, "re-signed", out, sizeof out, err,
                              sizeof err) == 0);
    CHECK(verify_exact(&pk, 1, um, mlen, out, strlen(out), tc, sizeof tc, err, sizeof err) == 0);
    camas_minisign_seckey_wipe(&sk);

    /* A real password-protected minisign key (scrypt at minisign's full cost: a few seconds). */
    size_t sklen = 0;
    char *sktext = slurp(FIX "protected.key", &sklen);
    CHECK(sktext && camas_minisign_seckey_is_encrypted(sktext, sklen, err, sizeof err) == 1);
    CHECK(camas_minisign_seckey_parse(sktext, sklen, NULL, &sk, err, sizeof err) != 0);
    CHECK(contains(err, "password"));
    CHECK(camas_minisign_seckey_parse(sktext, sklen, "fixture-password", &sk, err, sizeof err) ==
          0);
    CHECK(memcmp(sk.keyid, ppk.keyid, sizeof sk.keyid) == 0);
    camas_minisign_seckey_pubkey(&sk, &derived);
    CHECK(memcmp(derived.pk, ppk.pk, sizeof ppk.pk) == 0);
    camas_minisign_seckey_wipe(&sk);
    free(sktext);
out:
    free(m);
    free(sig);
    free(leg);
    free(psig);
    free(pubtext);
}

static void test_round_trips(void)
{
    char err[512], tc[CAMAS_MINISIGN_TRUSTED_COMMENT_MAX];
    camas_minisign_pubkey pk, pk2;
    camas_minisign_seckey sk, sk2;
    char out[CAMAS_MINISIGN_SIG_TEXT_MAX];
    CHECK(camas_minisign_keygen(&pk, &sk, err, sizeof err) == 0);

    for (int legacy = 0; legacy <= 1; legacy++) {
        CHECK(camas_minisign_sign(&sk, msg, MSGLEN, legacy, "my comment", "version 1.2", out,
                                  sizeof out, err, sizeof err) == 0);
        CHECK(strncmp(out, "untrusted comment: my comment\n", 30) == 0);
        CHECK(strncmp(out + 30, legacy ? "RW" : "RU", 2) == 0); /* "Ed" / "ED" */
        CHECK(strstr(out, "\ntrusted comment: version 1.2\n") != NULL);
        CHECK(verify_exact(&pk, 1, msg, MSGLEN, out, strlen(out), tc, sizeof tc, err, sizeof err) ==
              0);
        CHECK_STR(tc, "version 1.2");
        CHECK(verify_exact(&pk, 1, msg, MSGLEN - 1, out, strlen(out), tc, sizeof tc, err,
                           sizeof err) != 0);
        CHECK(contains(err, "signature does not match the file"));
    }
    /* Defaults: minisign-style comments; empty message. */
    CHECK(camas_minisign_sign(&sk, NULL, 0, 0, NULL, NULL, out, sizeof out, err, sizeof err) == 0);
    CHECK(verify_exact(&pk, 1, NULL, 0, out, strlen(out), tc, sizeof tc, err, sizeof err) == 0);
    CHECK(strncmp(tc, "timestamp:", 10) == 0 && strstr(tc, "\thashed") != NULL);

    /* A trusted comment that does not fit the caller's buffer is truncated, not overflowed. */
    char small[6];
    CHECK(verify_exact(&pk, 1, NULL, 0, out, strlen(out), small, sizeof small, err, sizeof err) ==
          0);
    CHECK_STR(small, "times");

    /* Public key text round trip. */
    char pktext[CAMAS_MINISIGN_KEY_TEXT_MAX];
    CHECK(camas_minisign_pubkey_format(&pk, pktext, sizeof pktext) == 0);
    CHECK(strncmp(pktext, "untrusted comment: minisign public key ", 39) == 0);
    CHECK(camas_minisign_pubkey_parse(pktext, strlen(pktext), &pk2, err, sizeof err) == 0);
    CHECK(memcmp(&pk, &pk2, sizeof pk) == 0);
    CHECK(camas_minisign_pubkey_format(&pk, pktext, 20) != 0);

    /* Unencrypted (-W) secret key round trip. */
    char sktext[CAMAS_MINISIGN_KEY_TEXT_MAX];
    CHECK(camas_minisign_seckey_format(&sk, NULL, NULL, NULL, sktext, sizeof sktext, err,
                                       sizeof err) == 0);
    CHECK(camas_minisign_seckey_is_encrypted(sktext, strlen(sktext), err, sizeof err) == 0);
    CHECK(camas_minisign_seckey_parse(sktext, strlen(sktext), NULL, &sk2, err, sizeof err) == 0);
    CHECK(memcmp(&sk, &sk2, sizeof sk) == 0);
    /* Bit rot in an unencrypted key is caught by its checksum. */
    char line2[300];
    get_line(sktext, 2, line2, sizeof line2);
    line2[100] = line2[100] == 'A' ? 'B' : 'A';
    char bad[CAMAS_MINISIGN_KEY_TEXT_MAX];
    replace_line(sktext, 2, line2, bad, sizeof bad);
    CHECK(camas_minisign_seckey_parse(bad, strlen(bad), NULL, &sk2, err, sizeof err) != 0);
    CHECK(contains(err, "corrupted"));

    /* Password-protected round trip, wrong password, missing password. */
    CHECK(camas_minisign_seckey_format(&sk, "correct horse", &fast_kdf, "my key", sktext,
                                       sizeof sktext, err, sizeof err) == 0);
    CHECK(strncmp(sktext, "untrusted comment: my key\n", 26) == 0);
    CHECK(camas_minisign_seckey_is_encrypted(sktext, strlen(sktext), err, sizeof err) == 1);
    memset(&sk2, 0, sizeof sk2);
    CHECK(camas_minisign_seckey_parse(sktext, strlen(sktext), "correct horse", &sk2, err,
                                      sizeof err) == 0);
    CHECK(memcmp(&sk, &sk2, sizeof sk) == 0);
    CHECK(camas_minisign_seckey_parse(sktext, strlen(sktext), "wrong horse", &sk2, err,
                                      sizeof err) != 0);
    CHECK(contains(err, "wrong password"));
    CHECK(camas_minisign_seckey_parse(sktext, strlen(sktext), NULL, &sk2, err, sizeof err) != 0);
    CHECK(contains(err, "password-protected"));
    CHECK(camas_minisign_seckey_format(&sk, "", &fast_kdf, NULL, bad, sizeof bad, err,
                                       sizeof err) != 0);
    CHECK(contains(err, "empty password"));
    /* The decrypted key signs like the original. */
    CHECK(camas_minisign_sign(&sk2, msg, MSGLEN, 0, NULL, "x", out, sizeof out, err, sizeof err) ==
          0);
    CHECK(verify_exact(&pk, 1, msg, MSGLEN, out, strlen(out), tc, sizeof tc, err, sizeof err) == 0);

    /* A crafted key demanding absurd scrypt work is refused before deriving anything. */
    unsigned char blob[158];
    size_t got = 0;
    get_line(sktext, 2, line2, sizeof line2);
    CHECK(sodium_base642bin(blob, sizeof blob, line2, strlen(line2), NULL, &got, NULL,
                            sodium_base64_VARIANT_ORIGINAL) == 0 &&
          got == sizeof blob);
    memset(blob + 38, 0xff, 8); /* opslimit */
    sodium_bin2base64(line2, sizeof line2, blob, sizeof blob, sodium_base64_VARIANT_ORIGINAL);
    replace_line(sktext, 2, line2, bad, sizeof bad);
    CHECK(camas_minisign_seckey_parse(bad, strlen(bad), "correct horse", &sk2, err, sizeof err) !=
          0);
    CHECK(contains(err, "unreasonably large"));
    /* Unknown kdf / checksum / signature algorithms. */
    memcpy(blob + 2, "Zz", 2);
    sodium_bin2base64(line2, sizeof line2, blob, sizeof blob, sodium_base64_VARIANT_ORIGINAL);
    replace_line(sktext, 2, line2, bad, sizeof bad);
    CHECK(camas_minisign_seckey_parse(bad, strlen(bad), "x", &sk2, err, sizeof err) != 0);
    CHECK(contains(err, "key derivation"));
    memcpy(blob + 2, "Sc", 2);
    memcpy(blob + 4, "B3", 2);
    sodium_bin2base64(line2, sizeof line2, blob, sizeof blob, sodium_base64_VARIANT_ORIGINAL);
    replace_line(sktext, 2, line2, bad, sizeof bad);
    CHECK(camas_minisign_seckey_parse(bad, strlen(bad), "x", &sk2, err, sizeof err) != 0);
    CHECK(contains(err, "checksum algorithm"));
    memcpy(blob + 4, "B2", 2);
    memcpy(blob, "EE", 2);
    sodium_bin2base64(line2, sizeof line2, blob, sizeof blob, sodium_base64_VARIANT_ORIGINAL);
    replace_line(sktext, 2, line2, bad, sizeof bad);
    CHECK(camas_minisign_seckey_parse(bad, strlen(bad), "x", &sk2, err, sizeof err) != 0);
    CHECK(contains(err, "signature algorithm"));
    /* Truncated secret keys. */
    CHECK(camas_minisign_seckey_parse(sktext, 30, "x", &sk2, err, sizeof err) != 0);
    CHECK(camas_minisign_seckey_parse(sktext, 60, "x", &sk2, err, sizeof err) != 0);
    CHECK(camas_minisign_seckey_parse("", 0, "x", &sk2, err, sizeof err) != 0);
    CHECK(camas_minisign_seckey_is_encrypted("garbage", 7, err, sizeof err) == -1);

    /* Comments that would break the file format are refused. */
    CHECK(camas_minisign_sign(&sk, msg, MSGLEN, 0, NULL, "two\nlines", out, sizeof out, err,
                              sizeof err) != 0);
    CHECK(contains(err, "trusted comment"));
    CHECK(camas_minisign_sign(&sk, msg, MSGLEN, 0, "bad\rcomment", "ok", out, sizeof out, err,
                              sizeof err) != 0);
    char *longc = malloc(9000);
    if (longc) {
        memset(longc, 'a', 8999);
        longc[8999] = '\0';
        CHECK(camas_minisign_sign(&sk, msg, MSGLEN, 0, NULL, longc, out, sizeof out, err,
                                  sizeof err) != 0);
        CHECK(contains(err, "too long"));
        /* The longest trusted comment minisign accepts still fits the output buffer. */
        longc[8173] = '\0';
        CHECK(camas_minisign_sign(&sk, msg, MSGLEN, 0, NULL, longc, out, sizeof out, err,
                                  sizeof err) == 0);
        CHECK(verify_exact(&pk, 1, msg, MSGLEN, out, strlen(out), tc, sizeof tc, err, sizeof err) ==
              0);
        CHECK(strlen(tc) == 8173);
        free(longc);
    }
    CHECK(camas_minisign_sign(&sk, msg, MSGLEN, 0, NULL, "ok", out, 100, err, sizeof err) != 0);

    camas_minisign_seckey_wipe(&sk);
    camas_minisign_seckey_wipe(&sk2);
    CHECK(sodium_is_zero((unsigned char *)&sk, sizeof sk));
}

static void test_tampering(void)
{
    char err[512], tc[CAMAS_MINISIGN_TRUSTED_COMMENT_MAX];
    camas_minisign_pubkey pk, other;
    camas_minisign_seckey sk, osk;
    char sig[CAMAS_MINISIGN_SIG_TEXT_MAX], bad[CAMAS_MINISIGN_SIG_TEXT_MAX], line[256];
    CHECK(camas_minisign_keygen(&pk, &sk, err, sizeof err) == 0);
    CHECK(camas_minisign_keygen(&other, &osk, err, sizeof err) == 0);
    CHECK(camas_minisign_sign(&sk, msg, MSGLEN, 0, "c", "release 7", sig, sizeof sig, err,
                              sizeof err) == 0);
    size_t slen = strlen(sig);

#define EXPECT_FAIL(text, needle)                                                                  \
    do {                                                                                           \
        CHECK(verify_exact(&pk, 1, msg, MSGLEN, (text), strlen(text), tc, sizeof tc, err,          \
                           sizeof err) != 0);                                                      \
        CHECK(contains(err, (needle)));                                                            \
        CHECK_STR(tc, "");                                                                         \
    } while (0)

    /* Malformed base64 on line 2 and line 4. */
    replace_line(sig, 2, "RUQ!!!notbase64", bad, sizeof bad);
    EXPECT_FAIL(bad, "signature file line 2: not valid base64");
    replace_line(sig, 4, "@@@@", bad, sizeof bad);
    EXPECT_FAIL(bad, "signature file line 4: not valid base64");
    replace_line(sig, 2, "RUQ=", bad, sizeof bad);
    EXPECT_FAIL(bad, "signature file line 2");
    get_line(sig, 2, line, sizeof line);
    strcat(line, "AAAA");
    replace_line(sig, 2, line, bad, sizeof bad);
    EXPECT_FAIL(bad, "signature file line 2");

    /* Truncated files: after each line, and inside line 2. */
    const char *nl1 = strchr(sig, '\n');
    const char *nl2 = strchr(nl1 + 1, '\n');
    const char *nl3 = strchr(nl2 + 1, '\n');
    snprintf(bad, sizeof bad, "%.*s", (int)(nl1 - sig + 1), sig);
    EXPECT_FAIL(bad, "line 2 (the signature) is missing");
    snprintf(bad, sizeof bad, "%.*s", (int)(nl2 - sig + 1), sig);
    EXPECT_FAIL(bad, "trusted comment is missing");
    snprintf(bad, sizeof bad, "%.*s", (int)(nl3 - sig + 1), sig);
    EXPECT_FAIL(bad, "line 4 (the global signature) is missing");
    snprintf(bad, sizeof bad, "%.*s", (int)(nl1 - sig + 40), sig);
    EXPECT_FAIL(bad, "signature file line 2");
    EXPECT_FAIL("", "empty");
    EXPECT_FAIL("\n\n\n", "empty");

    /* Structure: missing prefixes, extra lines, NUL bytes. */
    replace_line(sig, 3, "release 7", bad, sizeof bad);
    EXPECT_FAIL(bad, "signature file line 3: should start with \"trusted comment: \"");
    replace_line(sig, 1, "comment: c", bad, sizeof bad);
    EXPECT_FAIL(bad, "signature file line 1");
    snprintf(bad, sizeof bad, "%sextra line\n", sig);
    EXPECT_FAIL(bad, "unexpected text after line 4");
    replace_line(sig, 3, "trusted comment: release\a7", bad, sizeof bad);
    EXPECT_FAIL(bad, "control characters");
    memcpy(bad, sig, slen + 1);
    bad[5] = '\0';
    CHECK(verify_exact(&pk, 1, msg, MSGLEN, bad, slen, tc, sizeof tc, err, sizeof err) != 0);
    CHECK(contains(err, "NUL"));

    /* Wrong algorithm bytes, and a hashed signature passed off as a legacy one. */
    reencode_line2(sig, set_alg_xx, bad, sizeof bad);
    EXPECT_FAIL(bad, "unknown signature algorithm");
    reencode_line2(sig, set_alg_ed_lower, bad, sizeof bad);
    EXPECT_FAIL(bad, "signature does not match the file");

    /* Wrong key id, and the right id with the wrong key. */
    CHECK(verify_exact(&other, 1, msg, MSGLEN, sig, slen, tc, sizeof tc, err, sizeof err) != 0);
    CHECK(contains(err, "which is not trusted"));
    CHECK(verify_exact(NULL, 0, msg, MSGLEN, sig, slen, tc, sizeof tc, err, sizeof err) != 0);
    CHECK(contains(err, "which is not trusted"));
    camas_minisign_pubkey impostor = other;
    memcpy(impostor.keyid, pk.keyid, sizeof pk.keyid);
    CHECK(verify_exact(&impostor, 1, msg, MSGLEN, sig, slen, tc, sizeof tc, err, sizeof err) != 0);
    CHECK(contains(err, "signature does not match the file"));

    /* Tampered file, trusted comment, global signature. */
    unsigned char tampered[sizeof msg];
    memcpy(tampered, msg, sizeof msg);
    tampered[4] ^= 0x20;
    CHECK(verify_exact(&pk, 1, tampered, MSGLEN, sig, slen, tc, sizeof tc, err, sizeof err) != 0);
    CHECK(contains(err, "signature does not match the file"));
    replace_line(sig, 3, "trusted comment: release 8", bad, sizeof bad);
    EXPECT_FAIL(bad, "trusted comment was altered (global signature invalid)");
    get_line(sig, 4, line, sizeof line);
    line[10] = line[10] == 'A' ? 'B' : 'A';
    replace_line(sig, 4, line, bad, sizeof bad);
    EXPECT_FAIL(bad, "trusted comment was altered (global signature invalid)");
    /* A trusted comment and global signature lifted from the signature of another file by the
     * same key do not fit. */
    char sig2[CAMAS_MINISIGN_SIG_TEXT_MAX];
    CHECK(camas_minisign_sign(&sk, msg, MSGLEN - 1, 0, "c", "release 8", sig2, sizeof sig2, err,
                              sizeof err) == 0);
    get_line(sig2, 3, line, sizeof line);
    replace_line(sig, 3, line, bad, sizeof bad);
    get_line(sig2, 4, line, sizeof line);
    char bad2[CAMAS_MINISIGN_SIG_TEXT_MAX];
    replace_line(bad, 4, line, bad2, sizeof bad2);
    EXPECT_FAIL(bad2, "trusted comment was altered (global signature invalid)");

    /* The untrusted comment is not covered, like in minisign; CRLF line ends are accepted. */
    replace_line(sig, 1, "untrusted comment: anything at all", bad, sizeof bad);
    CHECK(verify_exact(&pk, 1, msg, MSGLEN, bad, strlen(bad), tc, sizeof tc, err, sizeof err) == 0);
    size_t j = 0;
    for (size_t i = 0; i < slen && j + 2 < sizeof bad; i++) {
        if (sig[i] == '\n')
            bad[j++] = '\r';
        bad[j++] = sig[i];
    }
    bad[j] = '\0';
    CHECK(verify_exact(&pk, 1, msg, MSGLEN, bad, j, tc, sizeof tc, err, sizeof err) == 0);

    /* Oversized input: whole file, untrusted comment, trusted comment. */
    char *huge = malloc(CAMAS_MINISIGN_TEXT_MAX + 10);
    if (huge) {
        memset(huge, 'A', CAMAS_MINISIGN_TEXT_MAX + 10);
        memcpy(huge, sig, slen);
        CHECK(verify_exact(&pk, 1, msg, MSGLEN, huge, CAMAS_MINISIGN_TEXT_MAX + 10, tc, sizeof tc,
                           err, sizeof err) != 0);
        CHECK(contains(err, "too large"));
        /* 2000-byte untrusted comment line */
        memcpy(huge, "untrusted comment: ", 19);
        memset(huge + 19, 'x', 2000);
        snprintf(huge + 2019, 100, "\n");
        strcat(huge, nl1 + 1);
        EXPECT_FAIL(huge, "too long");
        /* 9000-byte trusted comment */
        char *p = huge;
        p += sprintf(p, "%.*s", (int)(nl2 - sig + 1), sig);
        p += sprintf(p, "trusted comment: ");
        memset(p, 'y', 9000);
        p += 9000;
        sprintf(p, "%s", nl3);
        EXPECT_FAIL(huge, "trusted comment is too long");
        free(huge);
    }

    /* Every truncation and every single-byte change after line 1 must fail without reading out
     * of bounds (exact-size buffers make ASan notice). */
    size_t line1 = (size_t)(nl1 - sig) + 1;
    int trunc_ok = 0, flips_ok = 0;
    for (size_t n = 0; n < slen - 1; n++)
        trunc_ok += verify_exact(&pk, 1, msg, MSGLEN, sig, n, NULL, 0, err, sizeof err) == 0;
    for (size_t i = 0; i < slen; i++) {
        memcpy(bad, sig, slen);
        bad[i] ^= 0x01;
        int rc = verify_exact(&pk, 1, msg, MSGLEN, bad, slen, NULL, 0, err, sizeof err);
        if (i >= line1)
            flips_ok += rc == 0;
    }
    CHECK(trunc_ok == 0);
    CHECK(flips_ok == 0);
    /* Without the final newline the signature is still whole. */
    CHECK(verify_exact(&pk, 1, msg, MSGLEN, sig, slen - 1, tc, sizeof tc, err, sizeof err) == 0);

    camas_minisign_seckey_wipe(&sk);
    camas_minisign_seckey_wipe(&osk);
#undef EXPECT_FAIL
}

static void test_pubkey_parsing(void)
{
    char err[512];
    camas_minisign_pubkey pk, gen;
    camas_minisign_seckey sk;
    char text[CAMAS_MINISIGN_KEY_TEXT_MAX], bad[CAMAS_MINISIGN_KEY_TEXT_MAX + 64], line[128];
    CHECK(camas_minisign_keygen(&gen, &sk, err, sizeof err) == 0);
    camas_minisign_seckey_wipe(&sk);
    CHECK(camas_minisign_pubkey_format(&gen, text, sizeof text) == 0);

#define PK_FAIL(t, len, needle)                                                                    \
    do {                                                                                           \
        char *copy_ = malloc((len) ? (len) : 1);                                                   \
        if (copy_) {                                                                               \
            memcpy(copy_, (t), (len));                                                             \
            CHECK(camas_minisign_pubkey_parse(copy_, (len), &pk, err, sizeof err) != 0);           \
            CHECK(contains(err, (needle)));                                                        \
            free(copy_);                                                                           \
        }                                                                                          \
    } while (0)

    PK_FAIL("", (size_t)0, "empty");
    PK_FAIL("   \n", (size_t)4, "empty");
    PK_FAIL("not base64 at all!", (size_t)18, "not valid base64");
    PK_FAIL("untrusted comment: x\n", (size_t)21, "line 2: missing");
    PK_FAIL("RWQ=", (size_t)4, "bytes, expected 42");
    get_line(text, 2, line, sizeof line);
    line[1] = 'U'; /* "RUQ…" decodes to "ED": not a public key algorithm */
    replace_line(text, 2, line, bad, sizeof bad);
    PK_FAIL(bad, strlen(bad), "unknown signature algorithm");
    snprintf(bad, sizeof bad, "%sanother line\n", text);
    PK_FAIL(bad, strlen(bad), "unexpected text");
    snprintf(bad, sizeof bad, "comment: x\n%s", strchr(text, '\n') + 1);
    PK_FAIL(bad, strlen(bad), "unexpected text");
    for (size_t n = 0; n + 2 < strlen(text); n++) {
        char *copy = malloc(n ? n : 1);
        if (copy) {
            memcpy(copy, text, n);
            CHECK(camas_minisign_pubkey_parse(copy, n, &pk, err, sizeof err) != 0);
            free(copy);
        }
    }
    char *huge = calloc(1, CAMAS_MINISIGN_TEXT_MAX + 2);
    if (huge) {
        memset(huge, 'A', CAMAS_MINISIGN_TEXT_MAX + 1);
        PK_FAIL(huge, (size_t)CAMAS_MINISIGN_TEXT_MAX + 1, "too large");
        free(huge);
    }
    CHECK(camas_minisign_pubkey_load("/nonexistent/minisign.pub", &pk, err, sizeof err) != 0);
    CHECK(contains(err, "/nonexistent/minisign.pub"));
#undef PK_FAIL
}

static void test_files(void)
{
    char err[512], tc[CAMAS_MINISIGN_TRUSTED_COMMENT_MAX];
    char dir[] = "/tmp/camas-minisign-XXXXXX";
    if (!mkdtemp(dir)) {
        CHECK(!"mkdtemp");
        return;
    }
    char pkp[128], skp[128], msgp[128], sigp[128];
    snprintf(pkp, sizeof pkp, "%s/k.pub", dir);
    snprintf(skp, sizeof skp, "%s/k.key", dir);
    snprintf(msgp, sizeof msgp, "%s/data.bin", dir);
    snprintf(sigp, sizeof sigp, "%s/data.bin.minisig", dir);

    CHECK(camas_minisign_keygen_write(pkp, skp, "pw", &fast_kdf, NULL, 0, err, sizeof err) == 0);
    struct stat st;
    CHECK(stat(skp, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK(camas_minisign_keygen_write(pkp, skp, NULL, NULL, NULL, 0, err, sizeof err) != 0);
    CHECK(contains(err, "already exists"));
    CHECK(camas_minisign_keygen_write(pkp, skp, NULL, NULL, NULL, 1, err, sizeof err) == 0);

    camas_minisign_pubkey pk;
    camas_minisign_seckey sk;
    CHECK(camas_minisign_pubkey_load(pkp, &pk, err, sizeof err) == 0);
    CHECK(camas_minisign_seckey_load(skp, NULL, &sk, err, sizeof err) == 0);

    /* A file larger than one read buffer, signed both ways. */
    FILE *f = fopen(msgp, "wb");
    CHECK(f != NULL);
    if (f) {
        for (int i = 0; i < 50000; i++)
            fprintf(f, "line %d\n", i);
        fclose(f);
    }
    char out[CAMAS_MINISIGN_SIG_TEXT_MAX];
    for (int legacy = 0; legacy <= 1; legacy++) {
        CHECK(camas_minisign_sign_file(&sk, msgp, legacy, NULL, NULL, out, sizeof out, err,
                                       sizeof err) == 0);
        CHECK(camas_minisign_write_file(sigp, out, strlen(out), 0644, 0, err, sizeof err) == 0);
        char back[CAMAS_MINISIGN_TEXT_MAX + 1];
        size_t blen = 0;
        CHECK(camas_minisign_read_small(sigp, back, sizeof back, &blen, err, sizeof err) == 0);
        CHECK_STR(back, out);
        CHECK(camas_minisign_verify_file(&pk, 1, msgp, back, blen, tc, sizeof tc, err,
                                         sizeof err) == 0);
        CHECK(strstr(tc, "\tfile:data.bin") != NULL);
        CHECK((strstr(tc, "\thashed") != NULL) == !legacy);
    }
    CHECK(camas_minisign_verify_file(&pk, 1, "/nonexistent", out, strlen(out), tc, sizeof tc, err,
                                     sizeof err) != 0);
    CHECK(contains(err, "cannot open"));
    CHECK(camas_minisign_sign_file(&sk, "/nonexistent", 0, NULL, NULL, out, sizeof out, err,
                                   sizeof err) != 0);
    CHECK(camas_minisign_write_file(pkp, "x", 1, 0644, 1, err, sizeof err) != 0);

    /* Oversized key files are refused when read. */
    f = fopen(msgp, "wb");
    if (f) {
        for (int i = 0; i < CAMAS_MINISIGN_TEXT_MAX + 1; i++)
            fputc('A', f);
        fclose(f);
    }
    CHECK(camas_minisign_pubkey_load(msgp, &pk, err, sizeof err) != 0);
    CHECK(contains(err, "too large"));

    camas_minisign_seckey_wipe(&sk);
    unlink(pkp);
    unlink(skp);
    unlink(msgp);
    unlink(sigp);
    rmdir(dir);
}

int main(void)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "sodium_init failed\n");
        return 1;
    }
    test_fixtures();
    test_round_trips();
    test_tampering();
    test_pubkey_parsing();
    test_files();
    return check_done("minisign");
}
