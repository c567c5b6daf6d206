/* The production build parses JSON with the system's cJSON (Debian's libcjson, found by
 * pkg-config, patched for CVE-2023-53154), never the upstream copy vendored for the fuzz builds
 * in tests/fuzz/third_party/: cJSON_Parse comes from a shared libcjson, and both the library
 * loaded and the header compiled against are the version pkg-config reported at set-up. */
#include "check.h"

#include <cjson/cJSON.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    Dl_info info = {0};
    CHECK(dladdr((void *)cJSON_Parse, &info) != 0);
    CHECK(info.dli_fname != NULL && strstr(info.dli_fname, "libcjson.so") != NULL);
    if (info.dli_fname)
        printf("cJSON_Parse from %s, version %s\n", info.dli_fname, cJSON_Version());

    CHECK_STR(cJSON_Version(), CAMAS_SYSTEM_CJSON_VERSION);
    char header[32];
    snprintf(header, sizeof header, "%d.%d.%d", CJSON_VERSION_MAJOR, CJSON_VERSION_MINOR,
             CJSON_VERSION_PATCH);
    CHECK_STR(header, CAMAS_SYSTEM_CJSON_VERSION);
    return check_done("cjson_system");
}
