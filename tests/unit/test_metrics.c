/* The Prometheus text exposition: HELP and TYPE lines, label values escaped, histogram buckets
 * cumulative with the +Inf bucket equal to the count. */
#include "check.h"
#include "metrics.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The value on the line that starts with prefix (followed by a space), or -1. */
static double value_of(const char *text, const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *line = text; line && *line;) {
        if (strncmp(line, prefix, n) == 0 && line[n] == ' ')
            return strtod(line + n + 1, NULL);
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return -1;
}

int main(void)
{
    camas_buf b = {0};

    /* Escaping of label values: backslash, double quote and newline, nothing else. */
    CHECK(camas_metrics_escape_label(&b, "a\\b\"c\nd é") == 0);
    CHECK_STR(camas_buf_cstr(&b), "a\\\\b\\\"c\\nd é");
    camas_buf_free(&b);

    camas_metrics m;
    camas_metrics_init(&m);
    m.questions = 3;
    m.events_received = 7;
    camas_metrics_answer(&m, "faq");
    camas_metrics_answer(&m, "faq");
    camas_metrics_answer(&m, "we\"ird\\name\n");
    camas_metrics_answer(&m, "");
    /* Latencies across buckets, one past the last bound. */
    const double obs[] = {0.01, 0.05, 0.07, 0.3, 0.3, 4, 500};
    for (size_t i = 0; i < sizeof obs / sizeof *obs; i++)
        camas_histogram_observe(&m.answer_latency, obs[i]);
    camas_metrics_gauges g = {.outbox_depth = 2,
                              .outbox_oldest_age = 1.5,
                              .transport_connected = true,
                              .worker_alive = true};
    CHECK(camas_metrics_render(&m, &g, &b) == 0);
    const char *t = camas_buf_cstr(&b);

    CHECK(strstr(t, "# HELP camas_questions_total ") != NULL);
    CHECK(strstr(t, "# TYPE camas_questions_total counter\n") != NULL);
    CHECK(value_of(t, "camas_questions_total") == 3);
    CHECK(value_of(t, "camas_events_received_total") == 7);
    CHECK(strstr(t, "# TYPE camas_answers_total counter\n") != NULL);
    CHECK(value_of(t, "camas_answers_total{plugin=\"faq\"}") == 2);
    CHECK(value_of(t, "camas_answers_total{plugin=\"we\\\"ird\\\\name\\n\"}") == 1);
    CHECK(value_of(t, "camas_answers_total{plugin=\"none\"}") == 1);
    CHECK(strstr(t, "# TYPE camas_outbox_depth gauge\n") != NULL);
    CHECK(value_of(t, "camas_outbox_depth") == 2);
    CHECK(value_of(t, "camas_outbox_oldest_age_seconds") == 1.5);
    CHECK(strstr(t, "# TYPE camas_answer_latency_seconds histogram\n") != NULL);
    CHECK(strstr(t, "# TYPE camas_worker_time_seconds histogram\n") != NULL);

    /* Buckets: cumulative (never decreasing), le is the upper bound inclusive. */
    CHECK(value_of(t, "camas_answer_latency_seconds_bucket{le=\"0.05\"}") == 2);
    CHECK(value_of(t, "camas_answer_latency_seconds_bucket{le=\"0.1\"}") == 3);
    CHECK(value_of(t, "camas_answer_latency_seconds_bucket{le=\"0.5\"}") == 5);
    CHECK(value_of(t, "camas_answer_latency_seconds_bucket{le=\"5\"}") == 6);
    CHECK(value_of(t, "camas_answer_latency_seconds_bucket{le=\"120\"}") == 6);
    CHECK(value_of(t, "camas_answer_latency_seconds_bucket{le=\"+Inf\"}") == 7);
    CHECK(value_of(t, "camas_answer_latency_seconds_count") == 7);
    double sum = value_of(t, "camas_answer_latency_seconds_sum");
    CHECK(sum > 504.72 && sum < 504.74);
    double prev = -1;
    int buckets = 0;
    for (const char *p = t; (p = strstr(p, "camas_answer_latency_seconds_bucket{")); p++) {
        double v = strtod(strchr(p, '}') + 2, NULL);
        CHECK(v >= prev);
        prev = v;
        buckets++;
    }
    CHECK(buckets == (int)m.answer_latency.n_bounds + 1);
    /* An empty histogram: every bucket 0, +Inf equals the count (0). */
    CHECK(value_of(t, "camas_worker_time_seconds_bucket{le=\"+Inf\"}") == 0);
    CHECK(value_of(t, "camas_worker_time_seconds_count") == 0);

    /* Every sample line belongs to a family announced by TYPE before it; names are camas_. */
    for (const char *line = t; *line;) {
        const char *end = strchr(line, '\n');
        CHECK(end != NULL);
        if (!end)
            break;
        if (*line != '#')
            CHECK(strncmp(line, "camas_", 6) == 0);
        line = end + 1;
    }
    camas_buf_free(&b);

    /* Many plugins: the answers beyond the label slots are counted as "other". */
    camas_metrics_init(&m);
    char name[32];
    for (int i = 0; i < CAMAS_METRICS_MAX_LABEL + 5; i++) {
        snprintf(name, sizeof name, "p%d", i);
        camas_metrics_answer(&m, name);
    }
    CHECK(m.n_answers == CAMAS_METRICS_MAX_LABEL);
    CHECK_STR(m.answers[CAMAS_METRICS_MAX_LABEL - 1].name, "other");
    uint64_t total = 0;
    for (size_t i = 0; i < m.n_answers; i++)
        total += m.answers[i].count;
    CHECK(total == CAMAS_METRICS_MAX_LABEL + 5);
    return check_done("metrics");
}
