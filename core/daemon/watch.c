/* inotify watch over knowledge/ and its folders. Editors save in many ways (write in place,
 * write a temporary file and rename it over, delete and recreate), so every kind of change
 * counts, hidden and backup files are ignored, and a burst of events becomes one reload
 * after the files have been quiet for a moment. */
#include "watch.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define WATCH_MASK                                                                                 \
    (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF)

struct camas_watch {
    struct lws_context *ctx;
    struct lws *wsi;
    int fd;
    int debounce_ms;
    camas_watch_cb cb;
    void *ud;
    lws_sorted_usec_list_t timer;
};

static void add_tree(camas_watch *w, const char *dir, int depth)
{
    if (inotify_add_watch(w->fd, dir, WATCH_MASK) < 0) {
        log_warn("knowledge", "cannot watch %s: %s", dir, strerror(errno));
        return;
    }
    DIR *d = depth < 3 ? opendir(dir) : NULL;
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.' || de->d_type != DT_DIR)
            continue;
        char sub[PATH_MAX];
        snprintf(sub, sizeof sub, "%s/%s", dir, de->d_name);
        add_tree(w, sub, depth + 1);
    }
    if (d)
        closedir(d);
}

static bool ignored(const char *name)
{
    size_t n = strlen(name);
    return n == 0 || name[0] == '.' || name[n - 1] == '~' ||
           (n > 4 && (strcmp(name + n - 4, ".swp") == 0 || strcmp(name + n - 4, ".tmp") == 0));
}

static void on_settled(lws_sorted_usec_list_t *sul)
{
    camas_watch *w = lws_container_of(sul, camas_watch, timer);
    log_info("knowledge", "knowledge files changed: reloading");
    w->cb(w->ud);
}

static int watch_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                          size_t len)
{
    camas_watch *w = lws_get_opaque_user_data(wsi);
    if (reason != LWS_CALLBACK_RAW_RX_FILE || !w)
        return 0;
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    bool relevant = false;
    for (;;) {
        ssize_t n = read(w->fd, buf, sizeof buf);
        if (n <= 0)
            break;
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            p += sizeof *ev + ev->len;
            if (ev->len && ignored(ev->name))
                continue;
            relevant = true;
        }
    }
    if (relevant)
        lws_sul_schedule(w->ctx, 0, &w->timer, on_settled,
                         (lws_usec_t)w->debounce_ms * LWS_US_PER_MS);
    return 0;
}

const struct lws_protocols camas_watch_protocol = {
    .name = "camas-watch",
    .callback = watch_callback,
};

camas_watch *camas_watch_new(struct lws_context *ctx, const char *dir, int debounce_ms,
                             camas_watch_cb cb, void *ud)
{
    camas_watch *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->ctx = ctx;
    w->cb = cb;
    w->ud = ud;
    w->debounce_ms = debounce_ms;
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd < 0) {
        log_warn("knowledge",
                 "inotify unavailable (%s): edits take effect on "
                 "!camas knowledge reload or SIGHUP",
                 strerror(errno));
        free(w);
        return NULL;
    }
    add_tree(w, dir, 0);
    lws_sock_file_fd_type fd;
    fd.filefd = w->fd;
    struct lws_vhost *vh = lws_get_vhost_by_name(ctx, "default");
    w->wsi = vh ? lws_adopt_descriptor_vhost(vh, LWS_ADOPT_RAW_FILE_DESC, fd,
                                             camas_watch_protocol.name, NULL)
                : NULL;
    if (!w->wsi) {
        close(w->fd);
        free(w);
        return NULL;
    }
    lws_set_opaque_user_data(w->wsi, w);
    return w;
}

void camas_watch_free(camas_watch *w)
{
    if (!w)
        return;
    lws_sul_cancel(&w->timer);
    if (w->wsi) {
        lws_set_opaque_user_data(w->wsi, NULL);
        lws_set_timeout(w->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
    free(w);
}
