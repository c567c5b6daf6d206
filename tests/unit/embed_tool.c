/* embed_tool: try and time the embedding engine from the command line (built, not installed).
 *
 *   embed_tool MODEL [--query|--passage] [--kernel K] [--max-tokens N] TEXT...
 *       prints each text's vector (one line of floats) or, with --ids, its token ids;
 *   embed_tool MODEL [--query|--passage] [--kernel K] --bench N FILE
 *       embeds every line of FILE N times and prints per-text p50/p99/max times, the kernel
 *       and the process's memory (private vs file-backed, so the mapped model is visible).
 *
 * MODEL may be "-" for the build's default path (CAMAS_EMBED_DEFAULT_MODEL). */
#include "embed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef CAMAS_EMBED_DEFAULT_MODEL
#define CAMAS_EMBED_DEFAULT_MODEL "models/e5-small-q4.bin"
#endif

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void print_memory(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6) || !strncmp(line, "RssAnon:", 8) ||
            !strncmp(line, "RssFile:", 8) || !strncmp(line, "VmHWM:", 6))
            fputs(line, stdout);
    if (f)
        fclose(f);
}

static int bench(camas_embed_model *m, int is_query, int rounds, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    size_t n = 0, cap = 0;
    char **lines = NULL, *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, f)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(lines, cap * sizeof *lines);
            if (!grown)
                return 1;
            lines = grown;
        }
        if (!(lines[n++] = strdup(line)))
            return 1;
    }
    free(line);
    fclose(f);
    if (n == 0 || rounds < 1) {
        fprintf(stderr, "embed_tool: nothing to do\n");
        return 1;
    }
    int dim = camas_embed_dim(m);
    float *vec = malloc((size_t)dim * sizeof *vec);
    double *ms = malloc(n * (size_t)rounds * sizeof *ms);
    if (!vec || !ms)
        return 1;
    long tokens = 0;
    for (size_t i = 0; i < n; i++) { /* warm-up: page in the model, size the scratch */
        camas_embed_text(m, lines[i], strlen(lines[i]), is_query, vec);
        tokens += camas_embed_tokenize(m, lines[i], strlen(lines[i]), is_query, NULL, 0);
    }
    size_t k = 0;
    for (int r = 0; r < rounds; r++)
        for (size_t i = 0; i < n; i++) {
            double t0 = now_ms();
            if (camas_embed_text(m, lines[i], strlen(lines[i]), is_query, vec) != 0) {
                fprintf(stderr, "embed_tool: embedding failed for line %zu\n", i + 1);
                return 1;
            }
            ms[k++] = now_ms() - t0;
        }
    qsort(ms, k, sizeof *ms, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < k; i++)
        sum += ms[i];
    printf("kernel %s, %zu texts x %d rounds, %.1f tokens/text on average\n", camas_embed_kernel(m),
           n, rounds, (double)tokens / (double)n);
    printf("per text: p50 %.3f ms, p99 %.3f ms, max %.3f ms, mean %.3f ms\n", ms[k / 2],
           ms[(size_t)((double)(k - 1) * 0.99)], ms[k - 1], sum / (double)k);
    print_memory();
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
    free(vec);
    free(ms);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(
            stderr,
            "usage: %s MODEL [--query|--passage] [--kernel K] [--max-tokens N] [--ids] TEXT...\n"
            "       %s MODEL [--query|--passage] [--kernel K] --bench N FILE\n",
            argv[0], argv[0]);
        return 2;
    }
    const char *path = strcmp(argv[1], "-") == 0 ? CAMAS_EMBED_DEFAULT_MODEL : argv[1];
    char err[256];
    camas_embed_model *m = camas_embed_open(path, err, sizeof err);
    if (!m) {
        fprintf(stderr, "embed_tool: %s\n", err);
        return 1;
    }
    int is_query = 1, ids = 0, rc = 0;
    int i = 2;
    for (; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
        if (!strcmp(argv[i], "--query")) {
            is_query = 1;
        } else if (!strcmp(argv[i], "--passage")) {
            is_query = 0;
        } else if (!strcmp(argv[i], "--ids")) {
            ids = 1;
        } else if (!strcmp(argv[i], "--kernel") && i + 1 < argc) {
            if (camas_embed_set_kernel(m, argv[++i]) != 0) {
                fprintf(stderr, "embed_tool: kernel %s unavailable\n", argv[i]);
                return 1;
            }
        } else if (!strcmp(argv[i], "--max-tokens") && i + 1 < argc) {
            int n = atoi(argv[++i]);
            if (camas_embed_set_max_tokens(m, n, n) != 0) {
                fprintf(stderr, "embed_tool: bad --max-tokens\n");
                return 1;
            }
        } else if (!strcmp(argv[i], "--bench") && i + 2 < argc) {
            rc = bench(m, is_query, atoi(argv[i + 1]), argv[i + 2]);
            camas_embed_close(m);
            return rc;
        } else {
            fprintf(stderr, "embed_tool: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    int dim = camas_embed_dim(m);
    float *vec = malloc((size_t)dim * sizeof *vec);
    int32_t tok[8192];
    for (; i < argc && vec; i++) {
        if (ids) {
            int n = camas_embed_tokenize(m, argv[i], strlen(argv[i]), is_query, tok, 8192);
            for (int j = 0; j < n && j < 8192; j++)
                printf("%s%d", j ? " " : "", (int)tok[j]);
            printf("\n");
            continue;
        }
        if (camas_embed_text(m, argv[i], strlen(argv[i]), is_query, vec) != 0) {
            fprintf(stderr, "embed_tool: embedding failed\n");
            rc = 1;
            continue;
        }
        for (int j = 0; j < dim; j++)
            printf("%s%.6f", j ? " " : "", (double)vec[j]);
        printf("\n");
    }
    free(vec);
    camas_embed_close(m);
    return rc;
}
