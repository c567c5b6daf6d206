/* Messages between the core and its plugin worker: one JSON object per SOCK_SEQPACKET
 * datagram, optionally carrying one file descriptor (a sealed memfd of plugin code). */
#ifndef CAMAS_IPC_H
#define CAMAS_IPC_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define CAMAS_IPC_MAX (256 * 1024)

/* Sends msg (and fd_to_pass unless < 0). Returns 0, or -1 with errno set. */
int camas_ipc_send(int sock, const cJSON *msg, int fd_to_pass);
/* Receives one message into a new cJSON object, using buf (CAMAS_IPC_MAX + 1 bytes, kept by
 * the caller so a busy loop does not allocate per message); *fd_out gets a passed
 * descriptor or -1.
 * Returns 1 on success, 0 on orderly shutdown (peer gone), -1 on error (errno set;
 * EAGAIN when nothing is waiting on a non-blocking socket, EBADMSG for malformed JSON). */
int camas_ipc_recv(int sock, char *buf, cJSON **msg, int *fd_out);

#endif
