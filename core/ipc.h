/* Messages between the core and its plugin worker, one per SOCK_SEQPACKET datagram. Rare
 * messages (load, unload, ready...) are JSON objects and may carry one file descriptor (a
 * sealed memfd of plugin code). Questions and answers, the hot path, are compact binary
 * frames: JSON would cost more than answering (numbers alone go through printf and scanf
 * in cJSON). A frame starts with its kind byte, never '{', so the two cannot be confused. */
#ifndef CAMAS_IPC_H
#define CAMAS_IPC_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#define CAMAS_IPC_MAX (256 * 1024)

/* Sends msg (and fd_to_pass unless < 0). Returns 0, or -1 with errno set. */
int camas_ipc_send(int sock, const cJSON *msg, int fd_to_pass);
/* Receives one datagram into buf (CAMAS_IPC_MAX + 1 bytes, kept by the caller so a busy
 * loop does not allocate per message). A JSON message is parsed into *msg (a new cJSON
 * object); a binary frame leaves *msg NULL and its length in *frame_len (0 otherwise).
 * *fd_out gets a passed descriptor or -1. flags go to recvmsg (MSG_DONTWAIT to drain a
 * blocking socket).
 * Returns 1 on success, 0 on orderly shutdown (peer gone), -1 on error (errno set;
 * EAGAIN when nothing is waiting on a non-blocking socket, EBADMSG for malformed JSON). */
int camas_ipc_recv(int sock, char *buf, cJSON **msg, size_t *frame_len, int *fd_out, int flags);

enum camas_ipc_frame_kind {
    /* strings: lang, match_lang, text, command ("" = none), args, context: "" or
     * "pick:ENTRY" (the asker chose that option of a clarification) or "prev:TEXT" (the
     * same asker's previous question, for follow-ups) */
    CAMAS_IPC_ASK = 1,
    /* strings: lang, plain, html, plugin, entry (with CAMAS_IPC_CLARIFY: the offered
     * entries, one per line), the question as understood (a follow-up joined to its
     * previous question) */
    CAMAS_IPC_ANSWER = 2,
};
#define CAMAS_IPC_FRAME_STRINGS 6

/* Answer flags: the learned danger detector's verdict, and a clarification. */
#define CAMAS_IPC_DANGER_FOOTER 0x01 /* weaker evidence: the hotline as a footer */
#define CAMAS_IPC_DANGER_STRONG 0x02 /* the hotline first */
#define CAMAS_IPC_CLARIFY       0x04 /* the reply offers options ("Did you mean…") */
/* Ask flags: the core's safety patterns flagged the message (the worker weighs it); the
 * asker chose the reply's language (camas ask --lang), so the worker must keep it. */
#define CAMAS_IPC_PATTERNS_FIRED 0x08
#define CAMAS_IPC_LANG_FORCED    0x10

/* A decoded frame. Strings point into the datagram they were decoded from. */
typedef struct camas_ipc_frame {
    uint8_t kind;
    uint8_t small; /* ask: room kind; answer: 1 when abstained */
    uint8_t flags; /* ask: CAMAS_IPC_PATTERNS_FIRED, _LANG_FORCED; answer: CAMAS_IPC_DANGER_*,
                      _CLARIFY */
    int64_t id;
    int64_t now_ms;    /* ask */
    double confidence; /* answer */
    const char *s[CAMAS_IPC_FRAME_STRINGS];
} camas_ipc_frame;

/* Encodes f into a new malloc'ed buffer (*len bytes). NULL strings count as "". Returns
 * NULL when memory ran out or the frame would exceed CAMAS_IPC_MAX. */
char *camas_ipc_frame_encode(const camas_ipc_frame *f, size_t *len);
/* Decodes a received datagram (buf holds n bytes; it must stay alive while f is used).
 * Returns 0, or -1 when it is not a well-formed frame: unknown kind, short header, or
 * strings missing, unterminated or followed by stray bytes. */
int camas_ipc_frame_decode(const char *buf, size_t n, camas_ipc_frame *f);
/* The worker's black box: a shared page (a memfd the core maps and hands to each new
 * worker on CAMAS_IPC_BLACKBOX_FD) where the worker notes which plugin it is about to call
 * and for which request, so the core can blame a crash or a hang without a message per
 * call. The worker writes the plugin first and the id last; the core reads it only once
 * the worker died or hung, and treats it as untrusted (plugins share the worker's memory). */
#define CAMAS_IPC_BLACKBOX_FD 4
/* The worker's vector cache (dense.h), opened by the core: the worker creates no files. */
#define CAMAS_IPC_EMBED_CACHE_FD     5
#define CAMAS_IPC_EMBED_CACHE_FD_STR "5"
typedef struct camas_ipc_blackbox {
    int64_t id;      /* request served; 0 between calls, -1 a call with no request */
    char plugin[64]; /* NUL-terminated when written by the worker */
} camas_ipc_blackbox;

/* Sends up to n datagrams (at most CAMAS_IPC_BATCH) in one system call, so a burst of
 * questions or answers wakes the other side once. Returns how many were sent (> 0), or -1
 * with errno set (EAGAIN when not even the first fitted). */
#define CAMAS_IPC_BATCH 64
struct iovec;
int camas_ipc_send_many(int sock, const struct iovec *datagrams, size_t n);

#endif
