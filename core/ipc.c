/* Core <-> worker messages over a SOCK_SEQPACKET socketpair: datagram boundaries come from
 * the kernel, so there is no framing to get wrong, and SCM_RIGHTS carries the memfds. */
#include "ipc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int camas_ipc_send(int sock, const cJSON *msg, int fd_to_pass)
{
    char *text = cJSON_PrintUnformatted(msg);
    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    size_t len = strlen(text);
    if (len > CAMAS_IPC_MAX) {
        free(text);
        errno = EMSGSIZE;
        return -1;
    }
    struct iovec iov = {text, len};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctrl;
    if (fd_to_pass >= 0) {
        memset(&ctrl, 0, sizeof ctrl);
        mh.msg_control = ctrl.buf;
        mh.msg_controllen = sizeof ctrl.buf;
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd_to_pass, sizeof(int));
    }
    ssize_t n;
    do
        n = sendmsg(sock, &mh, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    free(text);
    return n == (ssize_t)len ? 0 : -1;
}

int camas_ipc_recv(int sock, char *buf, cJSON **msg, int *fd_out)
{
    *msg = NULL;
    *fd_out = -1;
    struct iovec iov = {buf, CAMAS_IPC_MAX};
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } ctrl;
    struct msghdr mh = {.msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = ctrl.buf,
                        .msg_controllen = sizeof ctrl.buf};
    ssize_t n;
    do
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
        return n == 0 ? 0 : -1;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
            cm->cmsg_len == CMSG_LEN(sizeof(int))) {
            if (*fd_out >= 0)
                close(*fd_out);
            memcpy(fd_out, CMSG_DATA(cm), sizeof(int));
        }
    }
    if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
        if (*fd_out >= 0)
            close(*fd_out);
        *fd_out = -1;
        errno = EMSGSIZE;
        return -1;
    }
    *msg = cJSON_ParseWithLength(buf, (size_t)n);
    if (!*msg || !cJSON_IsObject(*msg)) {
        cJSON_Delete(*msg);
        *msg = NULL;
        if (*fd_out >= 0)
            close(*fd_out);
        *fd_out = -1;
        errno = EBADMSG;
        return -1;
    }
    return 1;
}
