/* Unit tests for how the core and the worker exchange messages: frames and JSON travel over a
 * real socketpair, alone or in bursts, and malformed JSON is refused. (What the messages say,
 * and their encoding, is test_worker_protocol.c's.) */
#include "check.h"
#include "ipc.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static void test_socket(void)
{
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
    camas_ipc_frame f = {.kind = CAMAS_IPC_ANSWER,
                         .id = 42,
                         .s = {[CAMAS_IPC_ANSWER_LANG] = "en", [CAMAS_IPC_ANSWER_PLAIN] = "hi"}};
    size_t len;
    char *frame = camas_ipc_frame_encode(&f, &len);
    CHECK(camas_ipc_send_many(sv[0], &(struct iovec){frame, len}, 1) == 1);
    CHECK(camas_ipc_send_msg(sv[0], &(camas_ipc_msg){.op = CAMAS_IPC_OP_READY, .warm = true}, -1) ==
          0);
    CHECK(write(sv[0], "not json", 8) == 8);
    close(sv[0]);

    char *buf = malloc(CAMAS_IPC_MAX + 1);
    cJSON *msg;
    size_t flen;
    int fd;
    CHECK(camas_ipc_recv(sv[1], buf, &msg, &flen, &fd, 0) == 1);
    CHECK(msg == NULL && flen == len && fd == -1);
    camas_ipc_frame g;
    CHECK(camas_ipc_frame_decode(buf, flen, &g) == 0 && g.id == 42);
    CHECK_STR(g.s[CAMAS_IPC_ANSWER_PLAIN], "hi");
    CHECK(camas_ipc_recv(sv[1], buf, &msg, &flen, &fd, 0) == 1);
    CHECK(msg != NULL && flen == 0);
    camas_ipc_msg m;
    CHECK(camas_ipc_msg_decode(msg, &m) == 0 && m.op == CAMAS_IPC_OP_READY && m.warm);
    cJSON_Delete(msg);
    errno = 0;
    CHECK(camas_ipc_recv(sv[1], buf, &msg, &flen, &fd, 0) == -1 && errno == EBADMSG);
    CHECK(camas_ipc_recv(sv[1], buf, &msg, &flen, &fd, 0) == 0); /* peer gone */
    free(buf);
    free(frame);
    close(sv[1]);
}

/* A burst goes out in one call and arrives as separate datagrams, in order. */
static void test_burst(void)
{
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
    struct iovec burst[3];
    const char *texts[3] = {"one", "two", "three"};
    for (int i = 0; i < 3; i++) {
        camas_ipc_frame f = {.kind = CAMAS_IPC_ASK,
                             .id = i + 1,
                             .s = {[CAMAS_IPC_ASK_LANG] = "en",
                                   [CAMAS_IPC_ASK_MATCH_LANG] = "en",
                                   [CAMAS_IPC_ASK_TEXT] = texts[i]}};
        burst[i].iov_base = camas_ipc_frame_encode(&f, &burst[i].iov_len);
    }
    CHECK(camas_ipc_send_many(sv[0], burst, 3) == 3);
    char *buf = malloc(CAMAS_IPC_MAX + 1);
    for (int i = 0; i < 3; i++) {
        cJSON *msg;
        size_t flen;
        int fd;
        camas_ipc_frame g;
        CHECK(camas_ipc_recv(sv[1], buf, &msg, &flen, &fd, MSG_DONTWAIT) == 1);
        CHECK(camas_ipc_frame_decode(buf, flen, &g) == 0 && g.id == i + 1);
        CHECK_STR(g.s[CAMAS_IPC_ASK_TEXT], texts[i]);
        free(burst[i].iov_base);
    }
    cJSON *msg;
    size_t flen;
    int fd;
    errno = 0;
    CHECK(camas_ipc_recv(sv[1], buf, &msg, &flen, &fd, MSG_DONTWAIT) == -1 && errno == EAGAIN);
    free(buf);
    close(sv[0]);
    close(sv[1]);
}

/* A load's descriptor (the plugin's code) travels with it. */
static void test_descriptor(void)
{
    int sv[2], pipefd[2];
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
    CHECK(pipe(pipefd) == 0);
    camas_ipc_msg load = {.op = CAMAS_IPC_OP_LOAD, .id = 5, .name = "faq", .version = "1.0.0"};
    CHECK(camas_ipc_send_msg(sv[0], &load, pipefd[0]) == 0);
    close(pipefd[0]);
    char *buf = malloc(CAMAS_IPC_MAX + 1);
    cJSON *msg;
    size_t flen;
    int fd;
    CHECK(camas_ipc_recv(sv[1], buf, &msg, &flen, &fd, 0) == 1);
    CHECK(msg != NULL && fd >= 0);
    camas_ipc_msg m;
    CHECK(camas_ipc_msg_decode(msg, &m) == 0 && m.op == CAMAS_IPC_OP_LOAD && m.id == 5);
    CHECK_STR(m.name, "faq");
    /* the descriptor is the pipe's read end: what goes in the write end comes out of it */
    CHECK(write(pipefd[1], "x", 1) == 1);
    char c = 0;
    CHECK(fd >= 0 && read(fd, &c, 1) == 1 && c == 'x');
    cJSON_Delete(msg);
    if (fd >= 0)
        close(fd);
    close(pipefd[1]);
    free(buf);
    close(sv[0]);
    close(sv[1]);
}

int main(void)
{
    test_descriptor();
    test_socket();
    test_burst();
    return check_done("ipc");
}
