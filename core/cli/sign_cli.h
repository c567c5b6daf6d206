/* The keygen, sign and verify commands: minisign-compatible key and signature files from the
 * camas binary, with minisign's flags. */
#ifndef CAMAS_SIGN_CLI_H
#define CAMAS_SIGN_CLI_H

/* Each takes the command's own argv (argv[0] is the command name, e.g. "keygen", options follow)
 * and returns the process exit status: 0 success, 1 failure, 2 usage error.
 *
 *   keygen -s SECKEY [-p PUBKEY] [-c COMMENT] [-W] [-f]
 *   sign   -s SECKEY -m FILE [-x SIGFILE] [-t TRUSTED] [-c UNTRUSTED] [-l] [-W] [-p PUBKEY]
 *   verify -m FILE [-p PUBKEY]... [-P BASE64]... [-x SIGFILE] [-q] [-Q]
 *
 * Passwords for secret keys come from the environment variable CAMAS_SIGN_PASSWORD when it is
 * set, otherwise from the terminal (without echo) when standard input is one; -W means no
 * password (an unencrypted key). */
int camas_cli_keygen(int argc, char **argv);
int camas_cli_sign(int argc, char **argv);
int camas_cli_verify(int argc, char **argv);

#endif
