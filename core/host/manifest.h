/* Plugin manifests (manifest.json beside each plugin library) and version rules. */
#ifndef CAMAS_MANIFEST_H
#define CAMAS_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#define CAMAS_MANIFEST_MAX_COMMANDS 16

typedef struct camas_manifest {
    char name[32];    /* lowercase letters, digits, dashes, underscores (at most 31) */
    char version[32]; /* semver MAJOR.MINOR.PATCH */
    unsigned abi_major, abi_minor;
    char library[64]; /* file name beside the manifest, no path */
    char sha256[65];  /* lowercase hex */
    char description[256];
    char commands[CAMAS_MANIFEST_MAX_COMMANDS][33]; /* the same alphabet, at most 32 */
    size_t n_commands;
    char knowledge[64]; /* its folder under knowledge/ (the same alphabet) */
    bool help_rooms;    /* "rooms": "all" (true) or "staff" (false) */
} camas_manifest;

/* Parses and validates manifest JSON. Returns 0, or -1 with "field: what was expected". */
int camas_manifest_parse(const char *json, size_t len, camas_manifest *m, char *err, size_t errlen);

/* Parses "MAJOR.MINOR.PATCH" (an optional "-prerelease" sorts before the release).
 * Returns 0 or -1. */
int camas_semver_parse(const char *s, unsigned long v[3], const char **pre);
/* <0, 0, >0 like strcmp; invalid versions sort first. */
int camas_semver_cmp(const char *a, const char *b);

#endif
