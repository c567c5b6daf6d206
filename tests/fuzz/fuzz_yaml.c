/* libFuzzer target: knowledge YAML (staff edit it; a broken file must be refused with its
 * line, never crash the worker) through camas_yaml_parse into cJSON. */
#include "yaml_json.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    err[0] = '\0';
    cJSON *doc = camas_yaml_parse((const char *)data, size, "fuzz.yaml", err, sizeof err);
    if (!doc && (!memchr(err, '\0', sizeof err) || !err[0]))
        abort(); /* a refusal always says why */
    cJSON_Delete(doc);
    return 0;
}
