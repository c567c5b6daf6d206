/* camas-worker: the plugin worker program, started by camas (never by hand) with its socket
 * to the core on descriptor 3 (CAMAS_IPC_SOCKET_FD). */
#include "log.h"
#include "worker.h"
#include "worker_protocol.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *knowledge = NULL, *level = "info";
    int format = CAMAS_LOG_TEXT;
    camas_worker_options opt = {.embed_cache_fd = -1};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--knowledge") == 0)
            knowledge = argv[i + 1];
        else if (strcmp(argv[i], "--log-level") == 0)
            level = argv[i + 1];
        else if (strcmp(argv[i], "--log-format") == 0)
            format = camas_log_format_parse(argv[i + 1]);
        else if (strcmp(argv[i], "--matcher") == 0)
            opt.match_mode = argv[i + 1];
        else if (strcmp(argv[i], "--model") == 0)
            opt.model_path = argv[i + 1];
        else if (strcmp(argv[i], "--embed-cache") == 0)
            opt.embed_cache_fd = atoi(argv[i + 1]);
    }
    int lvl = camas_log_level_parse(level);
    camas_log_set_level(lvl < 0 ? CAMAS_LOG_INFO : lvl);
    camas_log_set_format(format < 0 ? CAMAS_LOG_TEXT : format);
    if (!knowledge) {
        fprintf(stderr, "camas-worker: started by camas itself, with its socket on fd 3\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    opt.knowledge_dir = knowledge;
    return camas_worker_main(CAMAS_IPC_SOCKET_FD, &opt);
}
