/* libFuzzer target: camas's configuration files, through their real loaders reading a file:
 * camas.yaml (camas_config_load, every key and its checks) and the appservice registration
 * (camas_registration_load). An operator writes them, but a broken one must be refused with
 * its line, never crash camas. The input is both files at once (one memfd). Inputs naming
 * /dev, /proc or /sys are skipped: a password_file there (a FIFO, a terminal) may block
 * the read, as it would for the operator, which is no bug. */
#include "appservice.h"
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const special[] = {"/dev", "/proc", "/sys"};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        if (memmem(data, size, special[i], strlen(special[i])))
            return 0;
    if (fd < 0) {
        fd = memfd_create("fuzz-config", MFD_CLOEXEC);
        if (fd < 0)
            abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();

    char err[1024];
    err[0] = '\0';
    camas_config cfg;
    if (camas_config_load(&cfg, path, err, sizeof err) == 0) {
        /* what the rest of camas relies on once a configuration is accepted */
        if (!cfg.homeserver_url || !cfg.user_id || !cfg.state_dir || !cfg.log_level ||
            !cfg.admin_room || !cfg.match_mode || !cfg.as_listen || !cfg.as_websocket_url ||
            cfg.max_message_bytes <= 0 || (cfg.n_rooms && !cfg.rooms))
            abort();
        for (size_t i = 0; i < cfg.n_rooms; i++)
            if (!cfg.rooms[i].id || (cfg.rooms[i].id[0] != '!' && cfg.rooms[i].id[0] != '#'))
                abort();
        camas_config_free(&cfg);
    } else if (!memchr(err, '\0', sizeof err) || !err[0]) {
        abort(); /* a refusal always says why */
    }

    camas_registration reg;
    err[0] = '\0';
    if (camas_registration_load(path, &reg, err, sizeof err) == 0) {
        if (!reg.id[0] || !reg.as_token[0] || !reg.hs_token[0] || !reg.sender_localpart[0])
            abort();
    } else if (!err[0]) {
        abort();
    }
    return 0;
}
