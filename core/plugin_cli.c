/* The plugin author's side of the command line (see plugin_cli.h): signing a plugin's
 * manifest in one step, naming the trusted keys, reporting refused plugins in `camas ask`. */
#include "plugin_cli.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
