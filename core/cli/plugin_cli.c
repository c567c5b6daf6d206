/* The plugin author's side of the command line (see plugin_cli.h): signing a plugin's
 * manifest in one step, naming the trusted keys, reporting refused plugins in `camas ask`. */
#include "plugin_cli.h"

#include "manifest.h"
#include "minisign.h"
#include "sign_cli.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int camas_plugin_dir_count(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        char path[4400];
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s/manifest.json", dir, de->d_name);
        if (access(path, F_OK) == 0)
            n++;
    }
    closedir(d);
    return n;
}

void camas_ask_report_refused(const char *alerts, bool timed_out, bool json)
{
    const char *why = timed_out ? "the plugins did not finish loading in time"
                                : "a plugin it was asked to load was refused";
    if (json) {
        cJSON *j = cJSON_CreateObject();
        char *msg = NULL;
        size_t n = strlen(alerts);
        if (j && (msg = malloc(n + strlen(why) + 3))) {
            /* the reasons, one per line, after the summary */
            snprintf(msg, n + strlen(why) + 3, "%s%s%.*s", why, n ? ": " : "",
                     (int)(n && alerts[n - 1] == '\n' ? n - 1 : n), alerts);
            cJSON_AddStringToObject(j, "error", msg);
        }
        char *line = j ? cJSON_PrintUnformatted(j) : NULL;
        printf("%s\n", line ? line : "{\"error\":\"plugin refused\"}");
        free(line);
        free(msg);
        cJSON_Delete(j);
    } else {
        printf("camas ask: %s; nothing was asked:\n%s", why, alerts);
    }
    fflush(stdout);
    fprintf(stderr,
            "camas ask: %s (reasons above); nothing was asked. Fix or remove the plugin, or "
            "point --plugins at another directory.\n",
            why);
}

/* ---- trusted keys ----------------------------------------------------------------------- */

int camas_trusted_keys_resolve(camas_trusted_keys *k, const char *const *opt, size_t n_opt,
                               const char *const *cfg, size_t n_cfg, const char *plugins_dir)
{
    memset(k, 0, sizeof *k);
    k->paths = n_opt ? opt : cfg;
    k->n = n_opt ? n_opt : n_cfg;
    k->source = n_opt ? "from --trusted-key" : "from plugins.trusted_keys";
    if (k->n == 0) {
        k->source = "the build's development key: no --trusted-key or plugins.trusted_keys";
        snprintf(k->dev_key, sizeof k->dev_key, "%.*s/dev.pub", (int)sizeof k->dev_key - 16,
                 plugins_dir);
        k->dev_key_path[0] = k->dev_key;
        k->paths = k->dev_key_path;
        k->n = access(k->dev_key, R_OK) == 0 ? 1 : 0;
    }
    return 0;
}

void camas_trusted_keys_print(FILE *out, const camas_trusted_keys *k)
{
    if (k->n == 0) {
        fprintf(out,
                "trusted keys: none (no --trusted-key, no plugins.trusted_keys, no %s from the "
                "build): every plugin will be refused\n",
                k->dev_key);
        if (k->package_key[0])
            fprintf(out,
                    "the installed plugins are signed with %s: to load them, list it under "
                    "plugins.trusted_keys in the configuration\n",
                    k->package_key);
        return;
    }
    fprintf(out, "trusted keys (%s):", k->source);
    for (size_t i = 0; i < k->n; i++) {
        camas_minisign_pubkey pk;
        char why[256], id[17];
        if (camas_minisign_pubkey_load(k->paths[i], &pk, why, sizeof why) == 0) {
            camas_minisign_keyid_hex(pk.keyid, id);
            fprintf(out, "%s %s (key id %s)", i ? "," : "", k->paths[i], id);
        } else {
            fprintf(out, "%s %s (unusable: %s)", i ? "," : "", k->paths[i], why);
        }
    }
    fputc('\n', out);
}

/* ---- camas plugin sign ------------------------------------------------------------------ */

#define MANIFEST_TEXT_MAX (64 * 1024)

static void usage_plugin(FILE *out)
{
    fprintf(out,
            "Usage: camas plugin sign --key SECKEY [--version V] [--library FILE]\n"
            "                         [--output MANIFEST] [--pubkey PUBKEY] [-W] [-q] "
            "DIR_OR_MANIFEST\n"
            "\n"
            "Fills a plugin's manifest with its version and the SHA-256 of its library, checks\n"
            "it as camas will when loading it, writes manifest.json and signs it\n"
            "(manifest.json.minisig, minisign format; `minisign -V` verifies it).\n"
            "  DIR_OR_MANIFEST   a plugin folder (its manifest.json.in, else manifest.json) or\n"
            "                    the manifest or template file itself\n"
            "  --key, -k FILE    minisign secret key (password from $CAMAS_SIGN_PASSWORD or the\n"
            "                    terminal when the key has one)\n"
            "  --version, -v V   replaces @VERSION@ (or the version already there)\n"
            "  --library, -L F   the built library (default: the manifest's \"library\" beside\n"
            "                    the output)\n"
            "  --output, -o F    the manifest to write (default: manifest.json beside the input)\n"
            "  --pubkey, -p F    check the new signature against this public key\n"
            "  -W                the secret key has no password: never ask for one\n"
            "  -q                print nothing on success\n");
}

static char *slurp(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    fclose(f);
    if (!buf || n > max) {
        free(buf);
        errno = buf ? EFBIG : ENOMEM;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int sha256_file_hex(const char *path, char hex[65])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    crypto_hash_sha256_state hs;
    crypto_hash_sha256_init(&hs);
    unsigned char chunk[8192], digest[32];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        crypto_hash_sha256_update(&hs, chunk, (unsigned long long)n);
    close(fd);
    if (n < 0)
        return -1;
    crypto_hash_sha256_final(&hs, digest);
    sodium_bin2hex(hex, 65, digest, sizeof digest);
    return 0;
}

static bool is_directory(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void set_string(cJSON *root, const char *key, const char *value)
{
    cJSON *s = cJSON_CreateString(value);
    if (cJSON_GetObjectItemCaseSensitive(root, key))
        cJSON_ReplaceItemInObjectCaseSensitive(root, key, s);
    else
        cJSON_AddItemToObject(root, key, s);
}

/* The manifest text with version and sha256 filled in, checked as the host will parse it;
 * NULL with a message on stderr. */
static char *fill_manifest(const char *input, const char *version, const char *library_opt,
                           const char *out_dir, camas_manifest *m, char *lib_path, size_t lib_len)
{
    size_t len;
    char *text = slurp(input, MANIFEST_TEXT_MAX, &len), *filled = NULL;
    if (!text) {
        fprintf(stderr, "camas plugin sign: cannot read %s: %s\n", input, strerror(errno));
        return NULL;
    }
    cJSON *root = cJSON_ParseWithLength(text, len);
    const char *lib = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "library"));
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "version"));
    char hex[65], why[512];
    if (!cJSON_IsObject(root) || !lib) {
        fprintf(stderr, "camas plugin sign: %s: expected a JSON object with a \"library\"\n",
                input);
        goto out;
    }
    if (version)
        set_string(root, "version", version);
    else if (!v || strcmp(v, "@VERSION@") == 0) {
        fprintf(stderr, "camas plugin sign: %s has no version: give --version\n", input);
        goto out;
    }
    if (library_opt) {
        const char *base = strrchr(library_opt, '/');
        if (strcmp(base ? base + 1 : library_opt, lib) != 0) {
            fprintf(stderr,
                    "camas plugin sign: --library %s: the manifest names \"%s\", which camas "
                    "will look for beside the manifest\n",
                    library_opt, lib);
            goto out;
        }
        snprintf(lib_path, lib_len, "%s", library_opt);
    } else {
        if (snprintf(lib_path, lib_len, "%s/%s", out_dir, lib) >= (int)lib_len) {
            fprintf(stderr, "camas plugin sign: %s/%s: path too long\n", out_dir, lib);
            goto out;
        }
    }
    if (sha256_file_hex(lib_path, hex)) {
        fprintf(stderr, "camas plugin sign: cannot read the library %s: %s\n", lib_path,
                strerror(errno));
        goto out;
    }
    set_string(root, "sha256", hex);
    filled = cJSON_Print(root);
    if (!filled || camas_manifest_parse(filled, strlen(filled), m, why, sizeof why)) {
        fprintf(stderr, "camas plugin sign: %s: %s\n", input, filled ? why : "out of memory");
        free(filled);
        filled = NULL;
    }
out:
    cJSON_Delete(root);
    free(text);
    return filled;
}

static int plugin_sign(int argc, char **argv)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'},
        {"version", required_argument, NULL, 'v'},
        {"library", required_argument, NULL, 'L'},
        {"output", required_argument, NULL, 'o'},
        {"pubkey", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *key = NULL, *version = NULL, *library = NULL, *output = NULL, *pubkey = NULL;
    bool no_password = false, quiet = false;
    int ch;
    optind = 0; /* glibc: also reinitialises getopt's internal state */
    while ((ch = getopt_long(argc, argv, "k:v:L:o:p:Wqh", opts, NULL)) != -1) {
        switch (ch) {
        case 'k':
            key = optarg;
            break;
        case 'v':
            version = optarg;
            break;
        case 'L':
            library = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case 'p':
            pubkey = optarg;
            break;
        case 'W':
            no_password = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            usage_plugin(stdout);
            return 0;
        default:
            usage_plugin(stderr);
            return 2;
        }
    }
    if (!key || optind != argc - 1) {
        fprintf(stderr, "camas plugin sign: give --key SECKEY and one plugin folder or "
                        "manifest\n");
        usage_plugin(stderr);
        return 2;
    }
    const char *target = argv[optind];
    char input[PATH_MAX], out[PATH_MAX], out_dir[PATH_MAX], lib_path[PATH_MAX];
    if (is_directory(target)) {
        snprintf(input, sizeof input, "%.*s/manifest.json.in", PATH_MAX - 32, target);
        if (access(input, F_OK) != 0)
            snprintf(input, sizeof input, "%.*s/manifest.json", PATH_MAX - 32, target);
        snprintf(out, sizeof out, "%.*s/manifest.json", PATH_MAX - 32, target);
    } else {
        char tmp[PATH_MAX];
        snprintf(input, sizeof input, "%s", target);
        snprintf(tmp, sizeof tmp, "%s", target);
        snprintf(out, sizeof out, "%.*s/manifest.json", PATH_MAX - 32, dirname(tmp));
    }
    if (output)
        snprintf(out, sizeof out, "%s", output);
    char tmp_out[PATH_MAX];
    snprintf(tmp_out, sizeof tmp_out, "%s", out);
    snprintf(out_dir, sizeof out_dir, "%s", dirname(tmp_out));

    camas_manifest m;
    char *text = fill_manifest(input, version, library, out_dir, &m, lib_path, sizeof lib_path);
    if (!text)
        return 1;
    char err[512], sig[PATH_MAX + 16], trusted[256];
    int rc = 1;
    size_t n = strlen(text);
    text[n++] = '\n'; /* in the NUL's place: written by length, with a final newline */
    if (camas_minisign_write_file(out, text, n, 0644, 0, err, sizeof err)) {
        fprintf(stderr, "camas plugin sign: %s\n", err);
        goto out;
    }
    snprintf(sig, sizeof sig, "%s.minisig", out);
    snprintf(trusted, sizeof trusted, "camas plugin %s %s sha256:%s", m.name, m.version, m.sha256);
    /* The signature itself is `camas sign`'s: the same code, flags and password handling. */
    char *sign_argv[12] = {"sign", "-s", (char *)key, "-m", out, "-x", sig, "-t", trusted};
    int sign_argc = 9;
    if (no_password)
        sign_argv[sign_argc++] = "-W";
    if (pubkey) {
        sign_argv[sign_argc++] = "-p";
        sign_argv[sign_argc++] = (char *)pubkey;
    }
    sign_argv[sign_argc] = NULL;
    rc = camas_cli_sign(sign_argc, sign_argv);
    if (rc == 0 && !quiet)
        printf("%s %s signed: %s (sha256 %.16s… of %s) and %s\n", m.name, m.version, out, m.sha256,
               lib_path, sig);
out:
    free(text);
    return rc;
}

int camas_cli_plugin(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "sign") == 0)
        return plugin_sign(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage_plugin(stdout);
        return 0;
    }
    fprintf(stderr, "camas plugin: expected a subcommand: sign\n");
    usage_plugin(stderr);
    return 2;
}
