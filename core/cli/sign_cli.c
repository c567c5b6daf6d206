/* The keygen, sign and verify commands: thin command-line wrappers over minisign.c that take
 * minisign's flags, so release scripts written for minisign work with camas unchanged. */
#include "sign_cli.h"
#include "minisign.h"

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define PASSWORD_ENV "CAMAS_SIGN_PASSWORD"
#define PASSWORD_MAX 1024
#define MAX_KEYS     16
#define SIG_SUFFIX   ".minisig"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static void usage_keygen(FILE *out)
{
    fprintf(out, "Usage: camas keygen -s SECKEY [-p PUBKEY] [-c COMMENT] [-W] [-f]\n"
                 "\n"
                 "Creates a minisign-compatible key pair.\n"
                 "  -s FILE   secret key file to write (mode 0600)\n"
                 "  -p FILE   public key file to write (default: minisign.pub)\n"
                 "  -c TEXT   untrusted comment for the secret key file\n"
                 "  -W        do not encrypt the secret key with a password\n"
                 "  -f        overwrite existing key files\n"
                 "\n"
                 "The password comes from $" PASSWORD_ENV " when set, otherwise it is asked\n"
                 "for on the terminal.\n");
}

static void usage_sign(FILE *out)
{
    fprintf(out, "Usage: camas sign -s SECKEY -m FILE [-x SIGFILE] [-t TRUSTED] [-c UNTRUSTED]\n"
                 "                  [-l] [-W] [-p PUBKEY]\n"
                 "\n"
                 "Signs FILE with a minisign-compatible signature.\n"
                 "  -s FILE   secret key file\n"
                 "  -m FILE   file to sign\n"
                 "  -x FILE   signature file to write (default: FILE.minisig)\n"
                 "  -t TEXT   trusted (signed) comment (default: timestamp and file name)\n"
                 "  -c TEXT   untrusted comment\n"
                 "  -l        legacy signature over the raw file (minisign -l) instead of its\n"
                 "            BLAKE2b hash\n"
                 "  -W        the secret key is not password-protected: never ask for a password\n"
                 "  -p FILE   check the new signature against this public key\n"
                 "\n"
                 "The password comes from $" PASSWORD_ENV " when set, otherwise it is asked\n"
                 "for on the terminal.\n");
}

static void usage_verify(FILE *out)
{
    fprintf(out, "Usage: camas verify -m FILE [-p PUBKEY]... [-P BASE64]... [-x SIGFILE] [-q] "
                 "[-Q]\n"
                 "\n"
                 "Verifies a minisign signature of FILE.\n"
                 "  -m FILE   signed file\n"
                 "  -p FILE   trusted public key file (default: minisign.pub); may be repeated\n"
                 "  -P KEY    trusted public key given inline as base64; may be repeated\n"
                 "  -x FILE   signature file (default: FILE.minisig)\n"
                 "  -q        quiet: print nothing on success\n"
                 "  -Q        print only the trusted comment on success\n"
                 "\n"
                 "Exit status: 0 verified, 1 not verified, 2 usage error.\n");
}

/* Reads one line from the terminal on standard input with echo off. */
static int read_password_tty(const char *prompt, char *buf, size_t size)
{
    struct termios old, quiet;
    if (tcgetattr(STDIN_FILENO, &old) != 0) {
        fprintf(stderr, "camas: cannot read a password from the terminal: %s\n", strerror(errno));
        return -1;
    }
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    /* Echo goes off (and typed-ahead input is dropped) before the prompt appears, so nothing
     * typed in answer to it can be echoed or lost. */
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) {
        fprintf(stderr, "camas: cannot turn off terminal echo: %s\n", strerror(errno));
        return -1;
    }
    fputs(prompt, stderr);
    fflush(stderr);
    size_t n = 0;
    int rc = 0;
    /* Byte by byte with read(2): no stdio buffer keeps a copy of the password. */
    for (;;) {
        char c;
        ssize_t r = read(STDIN_FILENO, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = n > 0 ? 0 : -1;
            break;
        }
        if (c == '\n')
            break;
        if (n + 1 >= size) {
            rc = -2;
            continue; /* drain the rest of the line */
        }
        buf[n++] = c;
    }
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    buf[n] = '\0';
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fputc('\n', stderr);
    if (rc == -2)
        fprintf(stderr, "camas: password is too long\n");
    else if (rc != 0)
        fprintf(stderr, "camas: no password entered\n");
    if (rc != 0)
        sodium_memzero(buf, size);
    return rc == 0 ? 0 : -1;
}

/* Fills buf (PASSWORD_MAX bytes) from $CAMAS_SIGN_PASSWORD or the terminal; confirm asks twice
 * (for new keys). */
static int get_password(char *buf, int confirm)
{
    const char *env = getenv(PASSWORD_ENV);
    if (env) {
        size_t n = strlen(env);
        if (n >= PASSWORD_MAX) {
            fprintf(stderr, "camas: $" PASSWORD_ENV " is too long\n");
            return -1;
        }
        memcpy(buf, env, n + 1);
        return 0;
    }
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, "camas: a password is needed: set $" PASSWORD_ENV
                        " or run on a terminal (or use an unencrypted key, -W)\n");
        return -1;
    }
    if (read_password_tty("Password: ", buf, PASSWORD_MAX) != 0)
        return -1;
    if (!confirm)
        return 0;
    char *again = sodium_malloc(PASSWORD_MAX);
    if (!again) {
        fprintf(stderr, "camas: out of memory\n");
        return -1;
    }
    int rc = read_password_tty("Password (one more time): ", again, PASSWORD_MAX);
    if (rc == 0 && strcmp(buf, again) != 0) {
        fprintf(stderr, "camas: passwords don't match\n");
        rc = -1;
    }
    sodium_free(again);
    return rc;
}

/* Resets getopt for this command's argv (the caller may have used getopt already). */
static void getopt_reset(void)
{
    optind = 0; /* glibc: 0 also reinitialises its internal state */
}

/* getopt with --help as a long form of -h, as users try it first. */
static int getopt_help(int argc, char **argv, const char *optstring)
{
    static const struct option help_only[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    return getopt_long(argc, argv, optstring, help_only, NULL);
}

/* Rejects positional arguments: minisign takes everything through flags. */
static int no_extra_args(int argc, char **argv, void (*usage)(FILE *))
{
    if (optind < argc) {
        fprintf(stderr, "camas: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return -1;
    }
    return 0;
}

int camas_cli_keygen(int argc, char **argv)
{
    const char *pk_path = "minisign.pub", *sk_path = NULL, *comment = NULL;
    int unencrypted = 0, force = 0, opt;
    getopt_reset();
    while ((opt = getopt_help(argc, argv, "p:s:c:Wfh")) != -1) {
        switch (opt) {
        case 'p':
            pk_path = optarg;
            break;
        case 's':
            sk_path = optarg;
            break;
        case 'c':
            comment = optarg;
            break;
        case 'W':
            unencrypted = 1;
            break;
        case 'f':
            force = 1;
            break;
        case 'h':
            usage_keygen(stdout);
            return EXIT_OK;
        default:
            usage_keygen(stderr);
            return EXIT_USAGE;
        }
    }
    if (no_extra_args(argc, argv, usage_keygen) != 0)
        return EXIT_USAGE;
    if (!sk_path) {
        fprintf(stderr, "camas keygen: the secret key file (-s) is required\n");
        usage_keygen(stderr);
        return EXIT_USAGE;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "camas: libsodium failed to initialise\n");
        return EXIT_FAIL;
    }
    char *password = NULL;
    char err[512];
    int rc = EXIT_FAIL;
    if (!unencrypted) {
        password = sodium_malloc(PASSWORD_MAX);
        if (!password) {
            fprintf(stderr, "camas: out of memory\n");
            return EXIT_FAIL;
        }
        if (get_password(password, 1) != 0)
            goto out;
        if (!*password) {
            fprintf(stderr, "camas: empty password; use -W for an unencrypted key\n");
            goto out;
        }
        fprintf(stderr, "Deriving a key from the password to encrypt the secret key...\n");
    }
    if (camas_minisign_keygen_write(pk_path, sk_path, password, NULL, comment, force, err,
                                    sizeof err) != 0) {
        fprintf(stderr, "camas keygen: %s\n", err);
        goto out;
    }
    camas_minisign_pubkey pk;
    char id[17] = "";
    if (camas_minisign_pubkey_load(pk_path, &pk, err, sizeof err) == 0)
        camas_minisign_keyid_hex(pk.keyid, id);
    printf("The secret key was saved as %s - Keep it secret!\n"
           "The public key (key id %s) was saved as %s - That one can be public.\n\n"
           "Files signed using this key pair can be verified with the following command:\n\n"
           "camas verify -p %s -m <file>\n",
           sk_path, id, pk_path, pk_path);
    rc = EXIT_OK;
out:
    if (password)
        sodium_free(password);
    return rc;
}

/* Loads a secret key, asking for its password only when the key has one. */
static int load_seckey(const char *path, int no_password, camas_minisign_seckey *sk)
{
    char err[512];
    size_t len;
    char *text = sodium_malloc(CAMAS_MINISIGN_TEXT_MAX + 1);
    char *password = sodium_malloc(PASSWORD_MAX);
    int rc = -1;
    if (!text || !password) {
        fprintf(stderr, "camas: out of memory\n");
        goto out;
    }
    if (camas_minisign_read_small(path, text, CAMAS_MINISIGN_TEXT_MAX + 1, &len, err, sizeof err) !=
        0) {
        fprintf(stderr, "camas sign: %s\n", err);
        goto out;
    }
    int enc = camas_minisign_seckey_is_encrypted(text, len, err, sizeof err);
    if (enc < 0) {
        fprintf(stderr, "camas sign: %s: %s\n", path, err);
        goto out;
    }
    if (enc && no_password) {
        fprintf(stderr, "camas sign: %s is password-protected (-W is for unencrypted keys)\n",
                path);
        goto out;
    }
    if (enc) {
        if (get_password(password, 0) != 0)
            goto out;
        fprintf(stderr, "Deriving a key from the password and decrypting the secret key...\n");
    }
    if (camas_minisign_seckey_parse(text, len, enc ? password : NULL, sk, err, sizeof err) != 0) {
        fprintf(stderr, "camas sign: %s: %s\n", path, err);
        goto out;
    }
    rc = 0;
out:
    if (text)
        sodium_free(text);
    if (password)
        sodium_free(password);
    return rc;
}

/* path + ".minisig", or NULL when out of memory. */
static char *default_sig_path(const char *path)
{
    size_t n = strlen(path);
    char *s = malloc(n + sizeof SIG_SUFFIX);
    if (s) {
        memcpy(s, path, n);
        memcpy(s + n, SIG_SUFFIX, sizeof SIG_SUFFIX);
    }
    return s;
}

int camas_cli_sign(int argc, char **argv)
{
    const char *sk_path = NULL, *msg_path = NULL, *sig_path = NULL, *pk_path = NULL;
    const char *trusted = NULL, *untrusted = NULL;
    int legacy = 0, no_password = 0, opt;
    getopt_reset();
    while ((opt = getopt_help(argc, argv, "s:m:x:t:c:p:lWh")) != -1) {
        switch (opt) {
        case 's':
            sk_path = optarg;
            break;
        case 'm':
            msg_path = optarg;
            break;
        case 'x':
            sig_path = optarg;
            break;
        case 't':
            trusted = optarg;
            break;
        case 'c':
            untrusted = optarg;
            break;
        case 'p':
            pk_path = optarg;
            break;
        case 'l':
            legacy = 1;
            break;
        case 'W':
            no_password = 1;
            break;
        case 'h':
            usage_sign(stdout);
            return EXIT_OK;
        default:
            usage_sign(stderr);
            return EXIT_USAGE;
        }
    }
    if (no_extra_args(argc, argv, usage_sign) != 0)
        return EXIT_USAGE;
    if (trusted && !*trusted)
        trusted = NULL; /* minisign: an empty -t means the default comment */
    if (!sk_path || !msg_path) {
        fprintf(stderr, "camas sign: the secret key (-s) and the file to sign (-m) are required\n");
        usage_sign(stderr);
        return EXIT_USAGE;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "camas: libsodium failed to initialise\n");
        return EXIT_FAIL;
    }
    char err[512];
    int rc = EXIT_FAIL;
    char *own_sig_path = NULL, *sig_text = NULL;
    camas_minisign_pubkey pk;
    camas_minisign_seckey *sk = sodium_malloc(sizeof *sk);
    if (!sk) {
        fprintf(stderr, "camas: out of memory\n");
        return EXIT_FAIL;
    }
    if (pk_path && camas_minisign_pubkey_load(pk_path, &pk, err, sizeof err) != 0) {
        fprintf(stderr, "camas sign: %s\n", err);
        goto out;
    }
    if (!sig_path) {
        sig_path = own_sig_path = default_sig_path(msg_path);
        if (!sig_path) {
            fprintf(stderr, "camas: out of memory\n");
            goto out;
        }
    }
    if (load_seckey(sk_path, no_password, sk) != 0)
        goto out;
    sig_text = malloc(CAMAS_MINISIGN_SIG_TEXT_MAX);
    if (!sig_text) {
        fprintf(stderr, "camas: out of memory\n");
        goto out;
    }
    if (camas_minisign_sign_file(sk, msg_path, legacy, untrusted, trusted, sig_text,
                                 CAMAS_MINISIGN_SIG_TEXT_MAX, err, sizeof err) != 0) {
        fprintf(stderr, "camas sign: %s\n", err);
        goto out;
    }
    if (pk_path && camas_minisign_verify_file(&pk, 1, msg_path, sig_text, strlen(sig_text), NULL, 0,
                                              err, sizeof err) != 0) {
        fprintf(stderr, "camas sign: verification with %s would fail: %s\n", pk_path, err);
        goto out;
    }
    if (camas_minisign_write_file(sig_path, sig_text, strlen(sig_text), 0644, 0, err, sizeof err) !=
        0) {
        fprintf(stderr, "camas sign: %s\n", err);
        goto out;
    }
    rc = EXIT_OK;
out:
    camas_minisign_seckey_wipe(sk);
    sodium_free(sk);
    free(sig_text);
    free(own_sig_path);
    return rc;
}

int camas_cli_verify(int argc, char **argv)
{
    const char *msg_path = NULL, *sig_path = NULL;
    const char *pk_paths[MAX_KEYS], *pk_inline[MAX_KEYS];
    size_t npaths = 0, ninline = 0;
    int quiet = 0, only_comment = 0, opt;
    getopt_reset();
    while ((opt = getopt_help(argc, argv, "m:x:p:P:qQh")) != -1) {
        switch (opt) {
        case 'm':
            msg_path = optarg;
            break;
        case 'x':
            sig_path = optarg;
            break;
        case 'p':
        case 'P':
            if (npaths + ninline >= MAX_KEYS) {
                fprintf(stderr, "camas verify: at most %d public keys\n", MAX_KEYS);
                return EXIT_USAGE;
            }
            if (opt == 'p')
                pk_paths[npaths++] = optarg;
            else
                pk_inline[ninline++] = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'Q':
            only_comment = 1;
            break;
        case 'h':
            usage_verify(stdout);
            return EXIT_OK;
        default:
            usage_verify(stderr);
            return EXIT_USAGE;
        }
    }
    if (no_extra_args(argc, argv, usage_verify) != 0)
        return EXIT_USAGE;
    if (!msg_path) {
        fprintf(stderr, "camas verify: the signed file (-m) is required\n");
        usage_verify(stderr);
        return EXIT_USAGE;
    }
    if (npaths + ninline == 0)
        pk_paths[npaths++] = "minisign.pub"; /* minisign's default */
    if (sodium_init() < 0) {
        fprintf(stderr, "camas: libsodium failed to initialise\n");
        return EXIT_FAIL;
    }
    camas_minisign_pubkey keys[MAX_KEYS];
    size_t nkeys = 0;
    char err[512];
    for (size_t i = 0; i < npaths; i++) {
        if (camas_minisign_pubkey_load(pk_paths[i], &keys[nkeys++], err, sizeof err) != 0) {
            fprintf(stderr, "camas verify: %s\n", err);
            return EXIT_FAIL;
        }
    }
    for (size_t i = 0; i < ninline; i++) {
        if (camas_minisign_pubkey_parse(pk_inline[i], strlen(pk_inline[i]), &keys[nkeys++], err,
                                        sizeof err) != 0) {
            fprintf(stderr, "camas verify: -P: %s\n", err);
            return EXIT_FAIL;
        }
    }
    char *own_sig_path = NULL;
    if (!sig_path) {
        sig_path = own_sig_path = default_sig_path(msg_path);
        if (!sig_path) {
            fprintf(stderr, "camas: out of memory\n");
            return EXIT_FAIL;
        }
    }
    int rc = EXIT_FAIL;
    char *sig_text = malloc(CAMAS_MINISIGN_TEXT_MAX + 1);
    char *comment = malloc(CAMAS_MINISIGN_TRUSTED_COMMENT_MAX);
    size_t sig_len;
    if (!sig_text || !comment) {
        fprintf(stderr, "camas: out of memory\n");
        goto out;
    }
    if (camas_minisign_read_small(sig_path, sig_text, CAMAS_MINISIGN_TEXT_MAX + 1, &sig_len, err,
                                  sizeof err) != 0) {
        fprintf(stderr, "camas verify: %s\n", err);
        goto out;
    }
    if (camas_minisign_verify_file(keys, nkeys, msg_path, sig_text, sig_len, comment,
                                   CAMAS_MINISIGN_TRUSTED_COMMENT_MAX, err, sizeof err) != 0) {
        fprintf(stderr, "camas verify: %s: %s\n", sig_path, err);
        goto out;
    }
    if (only_comment)
        printf("%s\n", comment);
    else if (!quiet)
        printf("Signature and comment signature verified\nTrusted comment: %s\n", comment);
    rc = EXIT_OK;
out:
    free(sig_text);
    free(comment);
    free(own_sig_path);
    return rc;
}
