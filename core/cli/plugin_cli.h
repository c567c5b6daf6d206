/* The plugin author's side of the command line: `camas plugin sign` (fill a manifest with
 * the library's SHA-256 and sign it), the trusted keys camas ask/check use, and how
 * `camas ask` reports plugins it was asked to load and refused. */
#ifndef CAMAS_PLUGIN_CLI_H
#define CAMAS_PLUGIN_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* `camas plugin sign --key SECKEY [--version V] [--library FILE] [--output MANIFEST]
 * [--pubkey PUBKEY] [-W] [-q] DIR_OR_MANIFEST`: reads the manifest template (DIR/manifest.json.in,
 * else DIR/manifest.json, or the file named), puts in the version and the library's SHA-256,
 * checks the result as camas will, writes manifest.json and signs it (manifest.json.minisig,
 * minisign format, trusted comment "camas plugin NAME VERSION sha256:HEX"). argv[0] is
 * "plugin". Returns the exit status: 0, 1 failure, 2 usage. */
int camas_cli_plugin(int argc, char **argv);

/* The trusted keys camas ask and check use, most specific first: --trusted-key FILE
 * (repeatable), else plugins.trusted_keys, else the development key the build made
 * (PLUGINS/dev.pub) if it exists. */
#define CAMAS_TRUSTED_KEYS_MAX 16 /* --trusted-key options at most */
typedef struct camas_trusted_keys {
    const char *const *paths; /* n key files: the caller's arrays, or dev_key */
    size_t n;
    const char *source; /* where they came from, for people */
    char dev_key[4096]; /* PLUGINS/dev.pub when that is the fallback */
    const char *dev_key_path[1];
    /* a key installed with the shipped plugins (the Debian package's), trusted only when the
     * admin lists it: named when no key is trusted ("" when there is none) */
    char package_key[4096];
} camas_trusted_keys;

/* Fills k from the command line's keys (n_opt may be 0), the configuration's and the
 * plugins directory; k points into opt or cfg, which must outlive it. Returns 0. */
int camas_trusted_keys_resolve(camas_trusted_keys *k, const char *const *opt, size_t n_opt,
                               const char *const *cfg, size_t n_cfg, const char *plugins_dir);

/* One line naming the keys in use, with each key's id (or why it cannot be read), and
 * their source: "trusted keys (from --trusted-key): a.pub (key id 0123...)". */
void camas_trusted_keys_print(FILE *out, const camas_trusted_keys *k);

/* `camas ask` exits with this when a plugin in its plugins directory was refused. */
#define CAMAS_ASK_EXIT_REFUSED 3

/* How many subdirectories of dir hold a manifest.json (the plugins camas would load). */
int camas_plugin_dir_count(const char *dir);

/* Prints why `camas ask` answers nothing: the refusals (alerts, one per line) on stdout,
 * as one {"error": ...} line when json, and a summary on stderr. timed_out: the loads
 * never finished. */
void camas_ask_report_refused(const char *alerts, bool timed_out, bool json);

#endif
