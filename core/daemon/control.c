/* Control socket: one request line per connection ("reload faq", "plugins", ...: the admin
 * commands of admin.c, as in chat), one reply (first word "ok" or "error"), then the
 * connection closes. The socket lives in the 0700
 * state directory with mode 0600, and the peer's uid is checked as well. */
#include "control.h"
#include "admin.h"
#include "log.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

struct camas_control {
    struct lws *wsi;
    int fd;
    char path[108];
    camas_plugin_host *host;
    camas_core *core;
};

struct pending_reply {
    int fd;
};

static void write_all(int fd, const char *s)
{
    size_t n = strlen(s);
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

static void on_action(void *ud, camas_admin_outcome outcome, const char *text)
{
    struct pending_reply *r = ud;
    bool ok = outcome == CAMAS_ADMIN_SHOWN || outcome == CAMAS_ADMIN_DONE;
    write_all(r->fd, ok ? "ok " : "error ");
    write_all(r->fd, text);
    write_all(r->fd, "\n");
    close(r->fd);
    free(r);
}

void camas_control_serve(camas_plugin_host *host, camas_core *core, char *buf, size_t n, int fd)
{
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    log_info("control", "request: %s", buf);
    struct pending_reply *r = calloc(1, sizeof *r);
    if (!r) {
        close(fd);
        return;
    }
    r->fd = fd;
    camas_admin_env env = {.from = CAMAS_ADMIN_FROM_CONTROL,
                           .actor = "local control socket",
                           .allowed = true, /* the peer is the bot's own user */
                           .prefix = "camas ctl ",
                           .host = host,
                           .core = core};
    camas_admin_run(&env, buf, on_action, r);
}

static void handle(camas_control *c, int fd)
{
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.uid != getuid()) {
        write_all(fd, "error not allowed\n");
        close(fd);
        return;
    }
    struct timeval tv = {1, 0}; /* a local client sends its line at once */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char line[512];
    ssize_t n = read(fd, line, sizeof line - 1);
    if (n <= 0) {
        close(fd);
        return;
    }
    camas_control_serve(c->host, c->core, line, (size_t)n, fd);
}

static int control_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                            size_t len)
{
    camas_control *c = lws_get_opaque_user_data(wsi);
    if (reason != LWS_CALLBACK_RAW_RX_FILE || !c)
        return 0;
    for (;;) {
        int fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            break;
        handle(c, fd);
    }
    return 0;
}

const struct lws_protocols camas_control_protocol = {
    .name = "camas-control",
    .callback = control_callback,
};

static int socket_path(const char *state_dir, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s/control.sock", state_dir);
    return n > 0 && (size_t)n < outlen ? 0 : -1;
}

camas_control *camas_control_new(struct lws_context *ctx, const char *state_dir,
                                 camas_plugin_host *host, camas_core *core)
{
    camas_control *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->host = host;
    c->core = core;
    c->fd = -1;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (socket_path(state_dir, c->path, sizeof sa.sun_path)) {
        log_warn("control", "state directory path too long for a control socket");
        free(c);
        return NULL;
    }
    memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
    unlink(c->path); /* a stale socket from a previous run */
    c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    mode_t old = umask(077);
    int rc = c->fd < 0 ? -1 : bind(c->fd, (struct sockaddr *)&sa, sizeof sa);
    umask(old);
    if (rc == 0)
        rc = chmod(c->path, 0600);
    if (rc || listen(c->fd, 8)) {
        log_warn("control", "no control socket at %s: %s", c->path, strerror(errno));
        if (c->fd >= 0)
            close(c->fd);
        free(c);
        return NULL;
    }
    lws_sock_file_fd_type fd;
    fd.filefd = c->fd;
    struct lws_vhost *vh = lws_get_vhost_by_name(ctx, "default");
    c->wsi = vh ? lws_adopt_descriptor_vhost(vh, LWS_ADOPT_RAW_FILE_DESC, fd,
                                             camas_control_protocol.name, NULL)
                : NULL;
    if (!c->wsi) {
        close(c->fd);
        unlink(c->path);
        free(c);
        return NULL;
    }
    lws_set_opaque_user_data(c->wsi, c);
    log_info("control", "control socket at %s", c->path);
    return c;
}

void camas_control_free(camas_control *c)
{
    if (!c)
        return;
    if (c->wsi) {
        lws_set_opaque_user_data(c->wsi, NULL);
        lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
    unlink(c->path);
    free(c);
}

int camas_control_client(const char *state_dir, int argc, char **argv)
{
    camas_admin_request req;
    char err[1024];
    if (camas_admin_parse_words(argc, (const char *const *)argv, &req, err, sizeof err)) {
        fprintf(stderr, "camas ctl: %s\n", err);
        return 2;
    }
    if (req.cmd == CAMAS_ADMIN_HELP) { /* from the table here: no need for a running bot */
        char *help = camas_admin_help("camas ctl ", CAMAS_ADMIN_FROM_CONTROL);
        if (!help)
            return 1;
        puts(help);
        free(help);
        return 0;
    }
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    char path[sizeof sa.sun_path];
    if (socket_path(state_dir, path, sizeof path)) {
        fprintf(stderr, "camas ctl: state directory path too long\n");
        return 2;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa)) {
        fprintf(stderr,
                "camas ctl: cannot reach camas at %s: %s (is `camas run` running with "
                "this --state?)\n",
                path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return 1;
    }
    char line[160];
    camas_admin_format(&req, line, sizeof line - 1);
    strcat(line, "\n");
    write_all(fd, line);
    char reply[8192];
    size_t got = 0;
    ssize_t n;
    while (got < sizeof reply - 1 && (n = read(fd, reply + got, sizeof reply - 1 - got)) > 0)
        got += (size_t)n;
    reply[got] = '\0';
    close(fd);
    fputs(reply, stdout);
    return strncmp(reply, "ok", 2) == 0 ? 0 : 1;
}
