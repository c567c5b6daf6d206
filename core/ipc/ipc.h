/* How the core and its plugin worker exchange messages: one per SOCK_SEQPACKET datagram,
 * JSON or a binary frame, with at most one file descriptor. What the messages are and say is
 * worker_protocol.h. */
#ifndef CAMAS_IPC_H
#define CAMAS_IPC_H

#include "worker_protocol.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* Sends msg (and fd_to_pass unless < 0). Returns 0, or -1 with errno set. */
int camas_ipc_send(int sock, const cJSON *msg, int fd_to_pass);
/* Encodes m (camas_ipc_msg_encode) and sends it as camas_ipc_send does. Returns 0, or -1 with
 * errno set (ENOMEM when it could not be encoded). */
int camas_ipc_send_msg(int sock, const camas_ipc_msg *m, int fd_to_pass);
/* Receives one datagram into buf (CAMAS_IPC_MAX + 1 bytes, kept by the caller so a busy
 * loop does not allocate per message). A JSON message is parsed into *msg (a new cJSON
 * object); a binary frame leaves *msg NULL and its length in *frame_len (0 otherwise).
 * *fd_out gets a passed descriptor or -1. flags go to recvmsg (MSG_DONTWAIT to drain a
 * blocking socket).
 * Returns 1 on success, 0 on orderly shutdown (peer gone), -1 on error (errno set;
 * EAGAIN when nothing is waiting on a non-blocking socket, EBADMSG for malformed JSON). */
int camas_ipc_recv(int sock, char *buf, cJSON **msg, size_t *frame_len, int *fd_out, int flags);

/* Sends up to n datagrams (at most CAMAS_IPC_BATCH) in one system call, so a burst of
 * questions or answers wakes the other side once. Returns how many were sent (> 0), or -1
 * with errno set (EAGAIN when not even the first fitted). */
#define CAMAS_IPC_BATCH 64
struct iovec;
int camas_ipc_send_many(int sock, const struct iovec *datagrams, size_t n);

#endif
