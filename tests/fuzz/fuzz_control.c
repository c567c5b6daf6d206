/* libFuzzer target: the control socket's request handling (control.c), from the bytes a
 * client sent to the reply it gets. The socket is the bot's own user's only, but whatever
 * that user's processes write to it is read here: one read of at most 511 bytes, the request
 * being its first line.
 *
 * The input is what the client sent; camas_control_serve answers it as the socket does (after
 * the peer check and the read) into a pipe, with a plugin host that has no worker and no
 * plugins (the actions that wait for the worker, a knowledge reload, are ended as a worker gone
 * away would leave them) and no core. Checks:
 *   - exactly one reply, "ok ..." or "error ...", ending with a line break, then the end of the
 *     connection;
 *   - "ok" exactly when the request is a command that may be run from the control socket and
 *     carried out here (help, plugins); the reply to an invalid request is "error " and the
 *     parser's whole message;
 *   - what `camas ctl` sends for a command it accepted (camas_admin_format and a line break)
 *     is answered as that command: the request's own canonical form is sent too, and both
 *     replies must be the same. */
#include "admin.h"
#include "control.h"
#include "log.h"
#include "plugins_internal.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct lws_context *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (ctx)
        return 0;
    const char *lvl = getenv("CAMAS_FUZZ_LOG");
    camas_log_set_level(lvl ? camas_log_level_parse(lvl) : -1);
    lws_set_log_level(0, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    ctx = lws_create_context(&info);
    if (!ctx)
        abort();
    return 0;
}

/* Serves the n bytes of req (n < 512, as one read gives them) and returns the reply (malloc'd,
 * NUL-terminated), checked to be one "ok"/"error" answer followed by the end of the stream. */
static char *serve(camas_plugin_host *h, const uint8_t *req, size_t n)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC))
        abort();
    char buf[512];
    memcpy(buf, req, n);
    camas_control_serve(h, NULL, buf, n, p[1]);
    /* What waits for the worker ends as it would if the worker went away. */
    while (h && h->head) {
        struct pending *q = h->head;
        plugins_pending_remove(h, q);
        if (q->action_cb)
            q->action_cb(q->ud, false, "the worker stopped");
        plugins_pending_free(q);
    }
    /* The write end is closed by now: the pipe reads to its end. */
    int fl = fcntl(p[0], F_GETFL);
    fcntl(p[0], F_SETFL, fl | O_NONBLOCK);
    size_t cap = 1 << 16, got = 0;
    char *out = malloc(cap + 1);
    if (!out)
        abort();
    for (;;) {
        ssize_t r = read(p[0], out + got, cap - got);
        if (r == 0)
            break;
        if (r < 0 || got + (size_t)r >= cap)
            abort(); /* still open (no answer yet, or answered twice), or far too long */
        got += (size_t)r;
    }
    close(p[0]);
    out[got] = '\0';
    if (got < 2 || out[got - 1] != '\n' || memchr(out, '\0', got) ||
        (strncmp(out, "ok ", 3) && strncmp(out, "error ", 6)))
        abort();
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ctx)
        LLVMFuzzerInitialize(NULL, NULL);
    if (size == 0 || size > 511)
        return 0; /* the socket reads at most 511 bytes, and nothing is no request */
    camas_plugin_host_config cfg = {.worker_exe = "/nonexistent",
                                    .plugins_dir = "/nonexistent",
                                    .knowledge_dir = "/nonexistent"};
    camas_plugin_host *h = camas_plugin_host_new(ctx, &cfg, NULL, NULL, NULL);
    if (!h)
        abort();

    char *reply = serve(h, data, size);

    /* the request as the server reads it: up to the first line break or NUL */
    char line[512];
    memcpy(line, data, size);
    line[size] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    camas_admin_request req;
    char err[1024];
    bool ok = strncmp(reply, "ok ", 3) == 0;
    if (camas_admin_parse(line, &req, err, sizeof err) != 0) {
        /* the parser's own message, whole */
        if (strncmp(reply, "error ", 6) || strncmp(reply + 6, err, strlen(err)) ||
            strcmp(reply + 6 + strlen(err), "\n"))
            abort();
    } else {
        bool here = req.spec->from & CAMAS_ADMIN_FROM_CONTROL;
        if (ok != (here && (req.cmd == CAMAS_ADMIN_HELP || req.cmd == CAMAS_ADMIN_PLUGINS)))
            abort();
        if (req.cmd == CAMAS_ADMIN_HELP && !strstr(reply, "camas ctl knowledge reload"))
            abort();
        /* what camas ctl would send for it gets the same answer */
        char canon[160];
        camas_admin_format(&req, canon, sizeof canon - 1);
        strcat(canon, "\n");
        char *again = serve(h, (const uint8_t *)canon, strlen(canon));
        if (strcmp(reply, again) != 0)
            abort();
        free(again);
    }
    free(reply);
    camas_plugin_host_free(h);
    return 0;
}
