/* The offline Matrix client core shared by fuzz_sync and fuzz_appservice (offline_core.h). */
#include "offline_core.h"
#include "log.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static camas_config cfg;
static struct lws_context *ctx;
static char dir[64];
static camas_store *store;

/* The rooms and people a real configuration names, so that room kinds, admin commands and
 * invites from allowed users are all reachable. */
static const char config_yaml[] = "homeserver:\n  url: \"http://127.0.0.1:1\"\n"
                                  "auth:\n  user_id: \"@camas:fuzz\"\n  access_token: \"t\"\n"
                                  "rooms:\n  - {id: \"!help:fuzz\", kind: help}\n"
                                  "  - {id: \"!staff:fuzz\", kind: staff}\n"
                                  "admin_room: \"!admin:fuzz\"\n"
                                  "admins: [\"@admin:fuzz\"]\n"
                                  "invites:\n  allow: [\"@admin:fuzz\", \":fuzz\"]\n"
                                  "log_level: \"error\"\n";

void fuzz_offline_init(void)
{
    if (ctx)
        return;
    snprintf(dir, sizeof dir, "/dev/shm/camas-fuzz-%d", (int)getpid());
    char path[128], err[512];
    snprintf(path, sizeof path, "%s.yaml", dir);
    FILE *f = fopen(path, "w");
    if (!f || fputs(config_yaml, f) < 0 || fclose(f) != 0 ||
        camas_config_load(&cfg, path, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz: configuration: %s\n", err);
        abort();
    }
    unlink(path);
    /* Log lines are the expected reaction to bad input: keep them out of the
     * fuzzer's output (CAMAS_FUZZ_LOG=debug shows them when replaying one input). */
    const char *lvl = getenv("CAMAS_FUZZ_LOG");
    camas_log_set_level(lvl ? camas_log_level_parse(lvl) : -1);
    lws_set_log_level(0, NULL);
    static struct lws_protocols protocols[2];
    protocols[0] = camas_http_protocol;
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    ctx = lws_create_context(&info);
    if (!ctx)
        abort();
}

static void remove_store_files(void)
{
    static const char *const names[] = {"camas.db", "camas.db-wal", "camas.db-shm",
                                        "camas.db-journal"};
    char path[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
}

camas_core *fuzz_offline_core(bool sync)
{
    fuzz_offline_init();
    remove_store_files();
    char err[512];
    store = camas_store_open(dir, err, sizeof err);
    if (!store) {
        fprintf(stderr, "fuzz: store: %s\n", err);
        abort();
    }
    camas_core *c = camas_core_new(&cfg, store, ctx, NULL);
    if (!c)
        abort();
    camas_core_start_offline(c, "@camas:fuzz", !sync);
    return c;
}

void fuzz_offline_done(camas_core *c)
{
    camas_core_free(c);
    camas_store_close(store);
    store = NULL;
    remove_store_files();
}
