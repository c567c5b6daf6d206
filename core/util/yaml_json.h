/* Staff-edited YAML (knowledge files) read into cJSON trees that remember source lines, so
 * every later complaint can say "FILE:LINE: what is wrong". */
#ifndef CAMAS_YAML_JSON_H
#define CAMAS_YAML_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Mappings become objects, sequences arrays, scalars strings (no type guessing: "2015" and
 * "yes" stay text). Duplicate keys, non-string keys and multi-document files are refused;
 * size, depth and node count are bounded. Returns NULL with "NAME:LINE: reason" in err. */
cJSON *camas_yaml_parse(const char *text, size_t len, const char *name, char *err, size_t errlen);
cJSON *camas_yaml_load(const char *path, char *err, size_t errlen);

/* The 1-based line a node came from (kept in valueint, which cJSON leaves unused for
 * strings, arrays and objects). */
int camas_yaml_line(const cJSON *node);
/* The line of the key a mapping's value is under ("help.intro:"), which for a nested block
 * is the line before the value's own (kept in valuedouble, unused for those nodes); the
 * value's line for anything else. */
int camas_yaml_key_line(const cJSON *node);

#endif
