/* camas-worker: the plugin worker program, started by camas (never by hand) with its socket
 * to the core on descriptor 3. */
#include "log.h"
#include "worker.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *knowledge = NULL, *level = "info";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--knowledge") == 0)
            knowledge = argv[i + 1];
        else if (strcmp(argv[i], "--log-level") == 0)
            level = argv[i + 1];
    }
    int lvl = camas_log_level_parse(level);
    camas_log_set_level(lvl < 0 ? CAMAS_LOG_INFO : lvl);
    if (!knowledge) {
        fprintf(stderr, "camas-worker: started by camas itself, with its socket on fd 3\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    return camas_worker_main(3, knowledge);
}
