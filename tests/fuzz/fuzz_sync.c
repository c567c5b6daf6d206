/* libFuzzer target: what the homeserver answers to the Matrix client core, through the
 * daemon's own handling (camas_core_start_offline / camas_core_answer, no network): whole
 * /sync bodies (rooms.join/invite/leave, state, timelines, to-device, limited timelines and
 * their gaps), the /messages pages that fill gaps, and error responses with a Retry-After
 * header or retry_after_ms to /sync, sends, joins and receipts.
 *
 * An input is a /sync body, or a list of responses, each a header line and a body:
 *   @PATH STATUS RETRY-AFTER
 *   BODY
 * PATH picks the oldest waiting request whose path contains it ("/sync", "/messages",
 * "/send/", "/join"...), STATUS is the HTTP status (0: a transport error), RETRY-AFTER the
 * raw header value ("-" for none). Checks: no crash, no sanitizer report, no leak. */
#include "offline_core.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_RESPONSES 64

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_offline_init();
    return 0;
}

/* Answers one waiting request with the response in rec (n bytes, a copy the caller owns). */
static void answer(camas_core *c, char *rec, size_t n, bool headed)
{
    char path[64] = "/sync", retry[32] = "-";
    int status = 200;
    char *body = rec;
    if (headed) {
        char *nl = memchr(rec, '\n', n);
        if (nl)
            *nl = '\0';
        if (sscanf(rec, "@%63s %d %31s", path, &status, retry) < 1)
            return;
        body = nl ? nl + 1 : rec + n;
        n -= (size_t)(body - rec);
    }
    if (status < 0 || status > 999)
        status = 500;
    body[n] = '\0';
    camas_http_response r = {
        .status = status,
        .error = status ? NULL : "connection reset by fuzzer",
        .body = status ? body : "",
        .body_len = status ? n : 0,
        .retry_after_ms = camas_http_retry_after_ms(retry),
    };
    camas_core_answer(c, path, &r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    camas_core *c = fuzz_offline_core(true);
    if (size == 0 || copy[0] != '@') {
        answer(c, copy, size, false);
    } else {
        /* records start at the beginning and after each "\n@" */
        char *rec = copy;
        for (int i = 0; rec && i < MAX_RESPONSES; i++) {
            char *next = strstr(rec + 1, "\n@");
            size_t n = next ? (size_t)(next - rec) : size - (size_t)(rec - copy);
            answer(c, rec, n, true); /* writes a NUL at rec[n]: next is found first */
            rec = next ? next + 1 : NULL;
        }
    }
    fuzz_offline_done(c);
    free(copy);
    return 0;
}
