/* Core <-> worker messages over a SOCK_SEQPACKET socketpair: datagram boundaries come from
 * the kernel, so there is no framing to get wrong, and SCM_RIGHTS carries the memfds.
 * JSON for the rare messages, binary frames for questions and answers (worker_protocol.h
 * says which is which, and encodes and decodes them). */
#include "ipc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int send_datagram(int sock, const void *data, size_t len, int fd_to_pass)
{
    if (len > CAMAS_IPC_MAX) {
        errno = EMSGSIZE;
        return -1;
    }
    struct iovec iov = {(void *)data, len};
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
    return n == (ssize_t)len ? 0 : -1;
}

int camas_ipc_send_many(int sock, const struct iovec *datagrams, size_t n)
{
    struct mmsghdr mm[CAMAS_IPC_BATCH];
    if (n > CAMAS_IPC_BATCH)
        n = CAMAS_IPC_BATCH;
    memset(mm, 0, n * sizeof *mm);
    for (size_t i = 0; i < n; i++) {
        mm[i].msg_hdr.msg_iov = (struct iovec *)&datagrams[i];
        mm[i].msg_hdr.msg_iovlen = 1;
    }
    int sent;
    do
        sent = sendmmsg(sock, mm, (unsigned)n, MSG_NOSIGNAL);
    while (sent < 0 && errno == EINTR);
    return sent;
}

int camas_ipc_send(int sock, const cJSON *msg, int fd_to_pass)
{
    char *text = cJSON_PrintUnformatted(msg);
    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    int rc = send_datagram(sock, text, strlen(text), fd_to_pass);
    int saved = errno;
    free(text);
    errno = saved;
    return rc;
}

int camas_ipc_send_msg(int sock, const camas_ipc_msg *m, int fd_to_pass)
{
    cJSON *json = camas_ipc_msg_encode(m);
    if (!json) {
        errno = ENOMEM;
        return -1;
    }
    int rc = camas_ipc_send(sock, json, fd_to_pass);
    int saved = errno;
    cJSON_Delete(json);
    errno = saved;
    return rc;
}

int camas_ipc_recv(int sock, char *buf, cJSON **msg, size_t *frame_len, int *fd_out, int flags)
{
    *msg = NULL;
    *frame_len = 0;
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
        n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | flags);
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
    if (camas_ipc_is_frame(buf, (size_t)n)) {
        *frame_len = (size_t)n;
        return 1;
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
