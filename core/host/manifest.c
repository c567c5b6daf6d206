/* Manifest parsing: every field is checked for presence, type and shape, because the
 * manifest decides what code runs and what it may touch. */
#include "manifest.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_word(const char *s, size_t max, bool allow_dot)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (; *s; s++)
        if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '-' || *s == '_' ||
              (allow_dot && *s == '.')))
            return false;
    return true;
}

static int take_string(const cJSON *root, const char *key, char *out, size_t outlen, bool required,
                       char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!v) {
        if (!required) {
            out[0] = '\0';
            return 0;
        }
        snprintf(err, errlen, "%s: missing", key);
        return -1;
    }
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= outlen) {
        snprintf(err, errlen, "%s: expected a string of at most %zu characters", key, outlen - 1);
        return -1;
    }
    snprintf(out, outlen, "%s", v->valuestring);
    return 0;
}

/* One decimal component: digits only, no leading zero, no overflow. */
static const char *parse_number(const char *p, unsigned long *out)
{
    if (!isdigit((unsigned char)*p) || (p[0] == '0' && isdigit((unsigned char)p[1])))
        return NULL;
    errno = 0;
    char *end;
    *out = strtoul(p, &end, 10);
    return errno == ERANGE || *out > 0xFFFFFFFFul ? NULL : end;
}

static int parse_abi(const char *s, unsigned *major, unsigned *minor)
{
    unsigned long a, b;
    const char *p = parse_number(s, &a);
    if (!p || *p != '.' || !(p = parse_number(p + 1, &b)) || *p)
        return -1;
    *major = (unsigned)a;
    *minor = (unsigned)b;
    return 0;
}

int camas_semver_parse(const char *s, unsigned long v[3], const char **pre)
{
    const char *p = s;
    if (pre)
        *pre = NULL;
    for (int i = 0; i < 3; i++) {
        p = parse_number(p, &v[i]);
        if (!p)
            return -1;
        if (i < 2) {
            if (*p != '.')
                return -1;
            p++;
        }
    }
    if (*p == '-' && p[1]) {
        if (pre)
            *pre = p + 1;
        return 0;
    }
    return *p == '\0' ? 0 : -1;
}

/* Semver rule 11: dot-separated identifiers, numeric ones compared as numbers and below
 * alphanumeric ones, and a longer list wins when all before are equal. */
static int compare_prerelease(const char *a, const char *b)
{
    while (*a && *b) {
        size_t la = strcspn(a, "."), lb = strcspn(b, ".");
        bool na = la > 0 && strspn(a, "0123456789") >= la;
        bool nb = lb > 0 && strspn(b, "0123456789") >= lb;
        int c;
        if (na && nb)
            c = la != lb ? (la < lb ? -1 : 1) : strncmp(a, b, la);
        else if (na || nb)
            c = na ? -1 : 1;
        else {
            c = strncmp(a, b, la < lb ? la : lb);
            if (c == 0 && la != lb)
                c = la < lb ? -1 : 1;
        }
        if (c)
            return c < 0 ? -1 : 1;
        a += la + (a[la] == '.');
        b += lb + (b[lb] == '.');
    }
    return *a ? 1 : *b ? -1 : 0;
}

int camas_semver_cmp(const char *a, const char *b)
{
    unsigned long va[3], vb[3];
    const char *pa, *pb;
    int oka = camas_semver_parse(a, va, &pa) == 0, okb = camas_semver_parse(b, vb, &pb) == 0;
    if (!oka || !okb)
        return oka - okb;
    for (int i = 0; i < 3; i++)
        if (va[i] != vb[i])
            return va[i] < vb[i] ? -1 : 1;
    if (!pa || !pb)
        return (pa ? -1 : 0) + (pb ? 1 : 0); /* a pre-release sorts before its release */
    return compare_prerelease(pa, pb);
}

int camas_manifest_parse(const char *json, size_t len, camas_manifest *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    cJSON *root = cJSON_ParseWithLength(json, len);
    int rc = -1;
    char abi[16];
    if (!cJSON_IsObject(root)) {
        snprintf(err, errlen, "not a JSON object");
        goto out;
    }
    if (take_string(root, "name", m->name, sizeof m->name, true, err, errlen) ||
        take_string(root, "version", m->version, sizeof m->version, true, err, errlen) ||
        take_string(root, "abi", abi, sizeof abi, true, err, errlen) ||
        take_string(root, "library", m->library, sizeof m->library, true, err, errlen) ||
        take_string(root, "sha256", m->sha256, sizeof m->sha256, true, err, errlen) ||
        take_string(root, "description", m->description, sizeof m->description, false, err,
                    errlen) ||
        take_string(root, "knowledge", m->knowledge, sizeof m->knowledge, false, err, errlen))
        goto out;
    if (!is_word(m->name, 31, false)) {
        snprintf(err, errlen, "name: expected lowercase letters, digits, dashes and underscores");
        goto out;
    }
    unsigned long v[3];
    if (camas_semver_parse(m->version, v, NULL)) {
        snprintf(err, errlen, "version: expected MAJOR.MINOR.PATCH, got '%s'", m->version);
        goto out;
    }
    if (parse_abi(abi, &m->abi_major, &m->abi_minor)) {
        snprintf(err, errlen, "abi: expected MAJOR.MINOR, got '%s'", abi);
        goto out;
    }
    if (!is_word(m->library, 63, true) || strstr(m->library, "..")) {
        snprintf(err, errlen, "library: expected a file name beside the manifest, got '%s'",
                 m->library);
        goto out;
    }
    if (strlen(m->sha256) != 64 || strspn(m->sha256, "0123456789abcdef") != 64) {
        snprintf(err, errlen, "sha256: expected 64 lowercase hex digits");
        goto out;
    }
    if (m->knowledge[0] && (!is_word(m->knowledge, 63, false))) {
        snprintf(err, errlen, "knowledge: expected a folder name under knowledge/, got '%s'",
                 m->knowledge);
        goto out;
    }
    const cJSON *cmds = cJSON_GetObjectItemCaseSensitive(root, "commands");
    if (cmds && !cJSON_IsArray(cmds)) {
        snprintf(err, errlen, "commands: expected a list of command names");
        goto out;
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, cmds)
    {
        if (!cJSON_IsString(c) || !is_word(c->valuestring, 32, false) ||
            m->n_commands >= CAMAS_MANIFEST_MAX_COMMANDS) {
            snprintf(err, errlen,
                     "commands: expected at most %d names of lowercase letters, digits, dashes "
                     "and underscores",
                     CAMAS_MANIFEST_MAX_COMMANDS);
            goto out;
        }
        snprintf(m->commands[m->n_commands++], sizeof m->commands[0], "%s", c->valuestring);
    }
    char rooms[16];
    if (take_string(root, "rooms", rooms, sizeof rooms, true, err, errlen))
        goto out;
    if (strcmp(rooms, "all") == 0)
        m->help_rooms = true;
    else if (strcmp(rooms, "staff") != 0) {
        snprintf(err, errlen, "rooms: expected \"all\" or \"staff\", got '%s'", rooms);
        goto out;
    }
    rc = 0;
out:
    cJSON_Delete(root);
    return rc;
}
