/* camas bench: the real router, host and worker timed from inside (bench/bench.py drives
 * it); not used by the daemon. */
#include "cli.h"
#include "appservice.h"
#include "backup.h"
#include "config.h"
#include "control.h"
#include "convo.h"
#include "event.h"
#include "http.h"
#include "log.h"
#include "matrix.h"
#include "plugin_cli.h"
#include "plugins.h"
#include "reply.h"
#include "router.h"
#include "safety.h"
#include "sign_cli.h"
#include "store.h"
#include "util.h"
#include "watch.h"
#include "wsclient.h"

#include <camas/plugin.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <libwebsockets.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Set by the signal handlers, read by the loop: the only state a handler may write. */

/* ---- benchmarks: the real router, host and worker, timed from inside ------------------- */

struct bench_state {
    int outstanding;
    bool done;
    bool ok;
};

static void bench_answer(void *ud, const camas_host_answer *a)
{
    struct bench_state *b = ud;
    (void)a;
    if (--b->outstanding == 0)
        b->done = true;
}

static void bench_action(void *ud, bool ok, const char *summary)
{
    struct bench_state *b = ud;
    (void)summary;
    b->ok = ok;
    b->done = true;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void print_stats(const char *name, int64_t *ns, size_t n, double total_s)
{
    qsort(ns, n, sizeof *ns, cmp_i64);
    printf("{\"bench\":\"%s\",\"count\":%zu,\"per_second\":%.1f,\"p50_ns\":%lld,"
           "\"p90_ns\":%lld,\"p99_ns\":%lld,\"max_ns\":%lld}\n",
           name, n, n / total_s, (long long)ns[n / 2], (long long)ns[n * 9 / 10],
           (long long)ns[n * 99 / 100], (long long)ns[n - 1]);
}

/* camas bench sync FILE [ROUNDS]: /sync JSON handled per second (parse, dispatch, store),
 * each round in a fresh state directory so no event is deduplicated away. */
static int bench_sync(camas_config *cfg, int argc, char **argv)
{
    FILE *f = argc > 2 ? fopen(argv[2], "rb") : NULL;
    int rounds = argc > 3 ? atoi(argv[3]) : 5;
    if (!f || rounds < 1) {
        fprintf(stderr, "Usage: camas bench sync FILE [ROUNDS]\n");
        if (f)
            fclose(f);
        return 2;
    }
    camas_buf json = {0};
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        camas_buf_append(&json, chunk, n);
    fclose(f);
    struct lws_context *ctx = camas_cli_make_context(cfg, false);
    int64_t *ns = calloc((size_t)rounds, sizeof *ns);
    int rc = ctx && ns ? 0 : 1;
    for (int i = 0; rc == 0 && i < rounds; i++) {
        char dir[] = "/tmp/camas-bench-sync-XXXXXX", err[300];
        if (!mkdtemp(dir)) {
            rc = 1;
            break;
        }
        camas_store *st = camas_store_open(dir, err, sizeof err);
        camas_core *core = st ? camas_core_new(cfg, st, ctx, NULL) : NULL;
        int64_t s = now_ns();
        if (!core || camas_core_bench_sync(core, "@camas:bench", json.data, json.len))
            rc = 1;
        ns[i] = now_ns() - s;
        camas_core_free(core);
        camas_store_close(st);
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            rc = 1;
    }
    if (rc == 0) {
        qsort(ns, (size_t)rounds, sizeof *ns, cmp_i64);
        double med = ns[rounds / 2] / 1e9;
        printf("{\"bench\":\"sync\",\"bytes\":%zu,\"rounds\":%d,\"median_s\":%.6f,"
               "\"mb_per_s\":%.1f,\"min_s\":%.6f,\"max_s\":%.6f}\n",
               json.len, rounds, med, json.len / 1e6 / med, ns[0] / 1e9, ns[rounds - 1] / 1e9);
    }
    free(ns);
    camas_buf_free(&json);
    if (ctx)
        camas_cli_destroy_context(ctx);
    return rc;
}

/* camas bench ask FILE [ROUNDS] | camas bench reload [N] | camas bench sync FILE [ROUNDS] */
/* Long on purpose: the ask and reload benchmarks share one warm host set up and freed here. */
int camas_cmd_bench(camas_config *cfg, const struct paths *paths, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "sync") == 0)
        return bench_sync(cfg, argc, argv);
    bool help = argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0);
    if (argc < 2 || help || (strcmp(argv[1], "ask") && strcmp(argv[1], "reload"))) {
        fprintf(help ? stdout : stderr,
                "Usage: camas bench ask FILE [ROUNDS]   questions through router and "
                "plugins\n       camas bench reload [N]            verify+load+swap "
                "of the faq plugin\n       camas bench sync FILE [ROUNDS]    /sync bodies "
                "parsed, dispatched and stored per second\n");
        return help ? 0 : 2;
    }
    struct lws_context *ctx = camas_cli_make_context(cfg, false);
    struct offline o = {.safety = camas_safety_new()};
    camas_plugin_host_config hc = camas_cli_host_config(cfg, paths);
    camas_plugin_host *host =
        ctx && o.safety && hc.n_trusted_keys
            ? camas_plugin_host_new(ctx, &hc, NULL, camas_cli_offline_alert, &o)
            : NULL;
    if (!host) {
        fprintf(stderr, "camas bench: no plugin host (trusted key missing?)\n");
        camas_safety_free(o.safety);
        if (ctx)
            camas_cli_destroy_context(ctx);
        return 1;
    }
    camas_cli_tick_start(ctx);
    camas_plugin_host_start(host, camas_cli_offline_started, &o);
    camas_cli_run_until(ctx, &o.started, 20000);
    /* Timings with the model warm, as the bot answers once it has embedded the knowledge. */
    int64_t warm_until = camas_monotonic_ms() + 600000;
    while (!camas_plugin_host_understanding_ready(host) && camas_monotonic_ms() < warm_until)
        lws_service(ctx, 0);
    int rc = 0;
    if (strcmp(argv[1], "reload") == 0) {
        int n = argc > 2 ? atoi(argv[2]) : 200;
        int64_t *ns = calloc((size_t)(n > 0 ? n : 1), sizeof *ns);
        int64_t t0 = now_ns();
        for (int i = 0; ns && i < n; i++) {
            struct bench_state b = {0};
            int64_t s = now_ns();
            camas_plugin_host_load(host, "faq", "bench", false, bench_action, &b);
            camas_cli_run_until(ctx, &b.done, 10000);
            ns[i] = now_ns() - s;
            if (getenv("CAMAS_BENCH_EACH")) /* each time, to see stalls a percentile hides */
                fprintf(stderr, "reload %d: %.2f ms\n", i, (double)ns[i] / 1e6);
            if (!b.ok)
                rc = 1;
        }
        if (ns && n > 0)
            print_stats("reload_faq", ns, (size_t)n, (now_ns() - t0) / 1e9);
        free(ns);
    } else {
        FILE *f = argc > 2 ? fopen(argv[2], "r") : NULL;
        int rounds = argc > 3 ? atoi(argv[3]) : 20;
        char *qs[4096];
        size_t nq = 0;
        char line[2048];
        while (f && nq < 4096 && fgets(line, sizeof line, f)) {
            line[strcspn(line, "\r\n")] = '\0';
            if (*line)
                qs[nq++] = strdup(line);
        }
        if (f)
            fclose(f);
        if (nq == 0 || rounds < 1) {
            fprintf(stderr, "camas bench ask: give a file of questions (one per line)\n");
            rc = 2;
        } else {
            size_t total = nq * (size_t)rounds;
            int64_t *ns = calloc(total, sizeof *ns);
            /* One at a time: the latency of a question through the whole path. */
            int64_t t0 = now_ns();
            for (size_t i = 0; ns && i < total; i++) {
                camas_message m = {.room_id = "!bench",
                                   .sender = "@b:bench",
                                   .event_id = "$bench",
                                   .body = qs[i % nq],
                                   .room_kind = CAMAS_ROOM_HELP};
                int64_t s = now_ns();
                camas_route r;
                if (camas_router_route(&m, "@camas:bench", host, o.safety, NULL, &r) == 0) {
                    if (r.kind == CAMAS_ROUTE_PLUGIN) {
                        struct bench_state b = {.outstanding = 1};
                        camas_question q = {.text = r.text,
                                            .lang = r.lang,
                                            .match_lang = r.match_lang,
                                            .room_kind = CAMAS_ROOMKIND_HELP,
                                            .now_ms = camas_now_ms(),
                                            .command = r.command[0] ? r.command : NULL,
                                            .args = r.args};
                        camas_plugin_host_ask(host, &q, bench_answer, &b);
                        camas_cli_run_until(ctx, &b.done, 10000);
                    }
                    camas_route_clear(&r);
                }
                ns[i] = now_ns() - s;
            }
            if (ns)
                print_stats("ask_sequential", ns, total, (now_ns() - t0) / 1e9);
            /* Many in flight: the throughput the worker sustains. */
            struct bench_state b = {.outstanding = (int)total};
            t0 = now_ns();
            for (size_t i = 0; i < total; i++) {
                camas_message m = {.room_id = "!bench",
                                   .sender = "@b:bench",
                                   .event_id = "$bench",
                                   .body = qs[i % nq],
                                   .room_kind = CAMAS_ROOM_HELP};
                camas_route r;
                if (camas_router_route(&m, "@camas:bench", host, o.safety, NULL, &r) == 0 &&
                    r.kind == CAMAS_ROUTE_PLUGIN) {
                    camas_question q = {.text = r.text,
                                        .lang = r.lang,
                                        .match_lang = r.match_lang,
                                        .room_kind = CAMAS_ROOMKIND_HELP,
                                        .now_ms = camas_now_ms(),
                                        .command = r.command[0] ? r.command : NULL,
                                        .args = r.args};
                    camas_plugin_host_ask(host, &q, bench_answer, &b);
                } else {
                    b.outstanding--;
                }
                camas_route_clear(&r);
                if (i % 64 == 63) /* let the worker drain as we go */
                    lws_service(ctx, 0);
            }
            if (b.outstanding <= 0)
                b.done = true;
            camas_cli_run_until(ctx, &b.done, 60000);
            double secs = (now_ns() - t0) / 1e9;
            printf("{\"bench\":\"ask_pipelined\",\"count\":%zu,\"per_second\":%.1f}\n", total,
                   total / secs);
            free(ns);
        }
        for (size_t i = 0; i < nq; i++)
            free(qs[i]);
    }
    camas_cli_tick_stop();
    camas_plugin_host_free(host);
    camas_safety_free(o.safety);
    camas_cli_destroy_context(ctx);
    return rc;
}
