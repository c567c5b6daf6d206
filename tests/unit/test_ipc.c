/* Unit tests for the core <-> worker messages: binary question/answer frames round-trip,
 * every malformed frame is refused, and frames and JSON travel over a real socketpair. */
#include "check.h"
#include "ipc.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static void test_round_trip(void)
{
    camas_ipc_frame f = {.kind = CAMAS_IPC_ASK,
                         .small = 2,
                         .id = 1234567890123,
                         .now_ms = 1764361234567,
                         .s = {"fr", "en", "Qui préside la WashACT ?", NULL, ""}};
    size_t len = 0;
    char *buf = camas_ipc_frame_encode(&f, &len);
    CHECK(buf != NULL && len > 0);
    camas_ipc_frame g;
    CHECK(camas_ipc_frame_decode(buf, len, &g) == 0);
    CHECK(g.kind == CAMAS_IPC_ASK && g.small == 2);
    CHECK(g.id == 1234567890123 && g.now_ms == 1764361234567);
    CHECK_STR(g.s[0], "fr");
    CHECK_STR(g.s[1], "en");
    CHECK_STR(g.s[2], "Qui préside la WashACT ?");
    CHECK_STR(g.s[3], ""); /* NULL travels as "" */
    CHECK_STR(g.s[4], "");

    /* every truncation, and every extra byte, is refused */
    for (size_t n = 0; n < len; n++)
        CHECK(camas_ipc_frame_decode(buf, n, &g) == -1);
    char *longer = malloc(len + 1);
    memcpy(longer, buf, len);
    longer[len] = 'x';
    CHECK(camas_ipc_frame_decode(longer, len + 1, &g) == -1);
    /* a string whose terminator is gone runs into the next one: one string short */
    char *last_nul = longer + len - 1;
    *last_nul = 'y';
    CHECK(camas_ipc_frame_decode(longer, len, &g) == -1);
    free(longer);
    /* unknown kinds, and JSON, are not frames */
    buf[0] = 9;
    CHECK(camas_ipc_frame_decode(buf, len, &g) == -1);
    buf[0] = '{';
    CHECK(camas_ipc_frame_decode(buf, len, &g) == -1);
    free(buf);

    camas_ipc_frame a = {.kind = CAMAS_IPC_ANSWER,
                         .small = 1,
                         .id = 7,
                         .confidence = 0.8125,
                         .s = {"en", "plain", "<p>html</p>", "faq", "faq.chair"}};
    buf = camas_ipc_frame_encode(&a, &len);
    CHECK(buf && camas_ipc_frame_decode(buf, len, &g) == 0);
    CHECK(g.kind == CAMAS_IPC_ANSWER && g.small == 1 && g.id == 7 && g.confidence == 0.8125);
    CHECK_STR(g.s[4], "faq.chair");
    free(buf);

    /* too big for one datagram */
    char *huge = malloc(CAMAS_IPC_MAX + 1);
    memset(huge, 'a', CAMAS_IPC_MAX);
    huge[CAMAS_IPC_MAX] = '\0';
    a.s[1] = huge;
    CHECK(camas_ipc_frame_encode(&a, &len) == NULL);
    free(huge);
}

static void test_socket(void)
{
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
    camas_ipc_frame f = {.kind = CAMAS_IPC_ANSWER, .id = 42, .s = {"en", "hi", "", "", ""}};
    size_t len;
    char *frame = camas_ipc_frame_encode(&f, &len);
    CHECK(camas_ipc_send_many(sv[0], &(struct iovec){frame, len}, 1) == 1);
    cJSON *json = cJSON_CreateObject();
    cJSON_AddStringToObject(json, "op", "ready");
    CHECK(camas_ipc_send(sv[0], json, -1) == 0);
    cJSON_Delete(json);
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
    CHECK_STR(g.s[1], "hi");
    CHECK(camas_ipc_recv(sv[1], buf, &msg, &flen, &fd, 0) == 1);
    CHECK(msg != NULL && flen == 0);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "op")), "ready");
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
        camas_ipc_frame f = {.kind = CAMAS_IPC_ASK, .id = i + 1, .s = {"en", "en", texts[i]}};
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
        CHECK_STR(g.s[2], texts[i]);
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

int main(void)
{
    test_round_trip();
    test_socket();
    test_burst();
    return check_done("ipc");
}
