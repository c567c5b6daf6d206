/* The worker protocol: every message between the core (plugins*.c) and its plugin worker
 * (worker*.c), in one list, with what each carries, and their encoders and decoders
 * (worker_protocol.c). How a message travels, one SOCK_SEQPACKET datagram each with at most
 * one descriptor, is ipc.h's business.
 *
 * Two encodings. Questions and answers, the hot path, are compact binary frames: JSON would
 * cost more than answering (numbers alone go through printf and scanf in cJSON). The rare
 * messages are JSON objects named by their "op" member, so that one can grow a field without
 * a new layout. A frame starts with its kind byte, never '{', so the two cannot be confused.
 *
 *   message        direction       encoding  carries a descriptor
 *   ask            core -> worker  frame     no
 *   answer         worker -> core  frame     no
 *   load           core -> worker  JSON      the plugin's code, a sealed memfd
 *   unload         core -> worker  JSON      no
 *   reload_shared  core -> worker  JSON      no
 *   ready          worker -> core  JSON      no
 *   understanding  worker -> core  JSON      no
 *   loaded         worker -> core  JSON      no
 *   unloaded       worker -> core  JSON      no
 *   shared         worker -> core  JSON      no
 *
 * Every request the core sends has an id (1 .. 2^53, new for each request) and its reply
 * repeats it; the worker answers in the order the requests came. The core keeps each request
 * until it is answered and sends it again to a restarted worker. Both ends are the same build,
 * so nothing here is versioned; but the worker runs plugins, so the core decodes what it sends
 * as untrusted bytes. */
#ifndef CAMAS_WORKER_PROTOCOL_H
#define CAMAS_WORKER_PROTOCOL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest message, frame or JSON (the size of the receive buffers). */
#define CAMAS_IPC_MAX (256 * 1024)

/* ---- the worker's descriptors ----------------------------------------------------------- */

/* What camas-worker finds open when the core execs it (nothing else is). */
#define CAMAS_IPC_SOCKET_FD 3 /* its end of the socket pair */
/* The black box (camas_ipc_blackbox below), a memfd page the core maps too. */
#define CAMAS_IPC_BLACKBOX_FD 4
/* The worker's vector cache (dense.h), opened by the core: the worker creates no files. Only
 * when given "--embed-cache 5" (the string, for its argv). */
#define CAMAS_IPC_EMBED_CACHE_FD     5
#define CAMAS_IPC_EMBED_CACHE_FD_STR "5"

/* ---- binary frames: questions and answers ----------------------------------------------- */

/* The kind byte that starts a frame (its values are on the wire). */
enum camas_ipc_frame_kind {
    /* core -> worker: a question. Strings: enum camas_ipc_ask_string; room_kind; flags:
     * CAMAS_IPC_PATTERNS_FIRED, CAMAS_IPC_LANG_FORCED; id; now_ms. Answered by an answer
     * frame with the same id. */
    CAMAS_IPC_ASK = 1,
    /* worker -> core: the reply to an ask. Strings: enum camas_ipc_answer_string;
     * abstained; flags: CAMAS_IPC_DANGER_*, CAMAS_IPC_CLARIFY; id; confidence. */
    CAMAS_IPC_ANSWER = 2,
};

/* Every frame has this many strings, each NUL-terminated, none NULL once decoded. */
#define CAMAS_IPC_FRAME_STRINGS 6

/* The strings of an ask frame, in wire order (indices into camas_ipc_frame.s). */
enum camas_ipc_ask_string {
    CAMAS_IPC_ASK_LANG,       /* the language to answer in: "en" or "fr" */
    CAMAS_IPC_ASK_MATCH_LANG, /* the language the question is written in, to match it in */
    CAMAS_IPC_ASK_TEXT,       /* the question */
    CAMAS_IPC_ASK_COMMAND,    /* the command without its '!', "" for a question */
    CAMAS_IPC_ASK_ARGS,       /* the command's arguments */
    /* "", CAMAS_IPC_CONTEXT_PICK "ENTRY" (the asker chose that option of a clarification)
     * or CAMAS_IPC_CONTEXT_PREV "TEXT" (the same asker's previous question, for follow-ups) */
    CAMAS_IPC_ASK_CONTEXT,
    CAMAS_IPC_ASK_STRINGS
};
#define CAMAS_IPC_CONTEXT_PICK "pick:"
#define CAMAS_IPC_CONTEXT_PREV "prev:"

/* The strings of an answer frame, in wire order. */
enum camas_ipc_answer_string {
    CAMAS_IPC_ANSWER_LANG,   /* the language answered in: "en" or "fr" (else the core refuses it) */
    CAMAS_IPC_ANSWER_PLAIN,  /* the reply, plain text */
    CAMAS_IPC_ANSWER_HTML,   /* the reply, HTML ("" when there is none) */
    CAMAS_IPC_ANSWER_PLUGIN, /* the plugin that answered, "" for none */
    /* the entry answered; with CAMAS_IPC_CLARIFY the entries offered, one per line */
    CAMAS_IPC_ANSWER_ENTRY,
    /* the question as understood (a follow-up joined to its previous question) */
    CAMAS_IPC_ANSWER_UNDERSTOOD,
    CAMAS_IPC_ANSWER_STRINGS
};

_Static_assert(CAMAS_IPC_ASK_STRINGS == CAMAS_IPC_FRAME_STRINGS, "ask strings");
_Static_assert(CAMAS_IPC_ANSWER_STRINGS == CAMAS_IPC_FRAME_STRINGS, "answer strings");

/* Answer flags: the learned danger detector's verdict, and a clarification. */
#define CAMAS_IPC_DANGER_FOOTER 0x01 /* weaker evidence: the hotline as a footer */
#define CAMAS_IPC_DANGER_STRONG 0x02 /* the hotline first */
#define CAMAS_IPC_CLARIFY       0x04 /* the reply offers options ("Did you mean…") */
#define CAMAS_IPC_BILINGUAL     0x20 /* the reply is in both languages, lang's first */
/* Ask flags: the core's safety patterns flagged the message (the worker weighs it); the
 * asker chose the reply's language (camas ask --lang), so the worker must keep it. */
#define CAMAS_IPC_PATTERNS_FIRED 0x08
#define CAMAS_IPC_LANG_FORCED    0x10

/* A frame, decoded or to encode. Decoded strings point into the datagram. */
typedef struct camas_ipc_frame {
    uint8_t kind; /* enum camas_ipc_frame_kind */
    /* One byte on the wire, whose meaning depends on the kind. */
    union {
        uint8_t room_kind; /* ask: CAMAS_ROOMKIND_* (camas/plugin.h) of the room asked in */
        uint8_t abstained; /* answer: 1 when the worker had no answer (the text declines) */
    };
    uint8_t flags; /* CAMAS_IPC_* flags of the kind (above) */
    int64_t id;
    int64_t now_ms;    /* ask: the time to answer for (meetings), Unix milliseconds */
    double confidence; /* answer: how sure the worker is, 0 .. 1 */
    /* indexed by enum camas_ipc_ask_string or camas_ipc_answer_string */
    const char *s[CAMAS_IPC_FRAME_STRINGS];
} camas_ipc_frame;

/* Encodes f into a new malloc'ed buffer (*len bytes). NULL strings count as "". Returns
 * NULL when memory ran out or the frame would exceed CAMAS_IPC_MAX. */
char *camas_ipc_frame_encode(const camas_ipc_frame *f, size_t *len);
/* Decodes a received datagram (buf holds n bytes; it must stay alive while f is used).
 * Returns 0, or -1 when it is not a well-formed frame: unknown kind, short header, or
 * strings missing, unterminated or followed by stray bytes. */
int camas_ipc_frame_decode(const char *buf, size_t n, camas_ipc_frame *f);
/* Whether a datagram is a frame (by its first byte) rather than JSON. */
bool camas_ipc_is_frame(const char *buf, size_t n);

/* ---- JSON messages: everything else ----------------------------------------------------- */

/* The "op" of a JSON message. A field listed for an op is a member of its object, decoded
 * into the camas_ipc_msg field of the same name. Every worker -> core message also has
 * warm (bool): the worker's answers are semantic by now (its model has embedded everything,
 * or there is no model); it follows each load, which may bring texts to embed, in order. */
enum camas_ipc_op {
    CAMAS_IPC_OP_UNKNOWN = 0, /* not an op of this build: ignored, with a warning */

    /* core -> worker: load a plugin (replacing a loaded one of that name only if this one
     * initialises), carrying its code as a sealed memfd. Fields: id; name, version,
     * knowledge (its folder under knowledge/), strings; help_rooms (bool: may answer in
     * public help rooms); commands (array of strings: the commands its manifest declares,
     * the only ones it may register). Answered by loaded. A restarted worker gets one for
     * every plugin. */
    CAMAS_IPC_OP_LOAD,
    /* core -> worker: unload a plugin. Fields: id; name. Answered by unloaded. */
    CAMAS_IPC_OP_UNLOAD,
    /* core -> worker: read bodies.yaml and synonyms.yaml again (a knowledge reload; each
     * plugin is loaded again after it). Fields: id. Answered by shared. */
    CAMAS_IPC_OP_RELOAD_SHARED,

    /* worker -> core: started, with the shared knowledge read; the core may send requests.
     * Fields: errors (array of strings: what was wrong in bodies.yaml or synonyms.yaml). */
    CAMAS_IPC_OP_READY,
    /* worker -> core, each time its background work (embedding new texts) ends: how
     * questions are understood now. Fields: mode ("semantic": the model is warm; "lexical":
     * there is no model). */
    CAMAS_IPC_OP_UNDERSTANDING,
    /* worker -> core: answers load. Fields: id; name; ok (bool). When ok: version;
     * commands (array of command objects, see camas_ipc_command_new: the commands it
     * registered). When not:
     * error (string: why); errors (array of strings: the problems its init found in its
     * knowledge; absent when none). */
    CAMAS_IPC_OP_LOADED,
    /* worker -> core: answers unload. Fields: id; name; ok (bool: false when it was not
     * loaded). */
    CAMAS_IPC_OP_UNLOADED,
    /* worker -> core: answers reload_shared. Fields: id; ok (bool: false when the previous
     * version stays); errors (array of strings). */
    CAMAS_IPC_OP_SHARED,

    CAMAS_IPC_OP_COUNT
};

/* The op's name on the wire ("load"...); NULL for CAMAS_IPC_OP_UNKNOWN or out of range. */
const char *camas_ipc_op_name(enum camas_ipc_op op);
/* The op named name; CAMAS_IPC_OP_UNKNOWN for NULL or a name no op has. */
enum camas_ipc_op camas_ipc_op_parse(const char *name);
/* Whether the worker sends op (else the core does). */
bool camas_ipc_op_from_worker(enum camas_ipc_op op);

/* A JSON message, decoded or to encode: the fields of every op (see enum camas_ipc_op for
 * which has which). Decoded strings and arrays point into the cJSON tree they came from. */
typedef struct camas_ipc_msg {
    enum camas_ipc_op op;
    const char *op_text;   /* decoded: the op as received, known or not (for logs) */
    int64_t id;            /* 0: none or invalid (ids are 1 .. 2^53) */
    const char *name;      /* the plugin */
    const char *version;   /* the plugin's */
    const char *knowledge; /* the plugin's folder under knowledge/ */
    const char *error;     /* why a load failed */
    bool help_rooms;
    bool ok;
    bool warm;
    bool semantic;         /* mode: "semantic" (true) or "lexical" */
    const cJSON *commands; /* array, see the op */
    const cJSON *errors;   /* array of strings */
} camas_ipc_msg;

/* A new JSON object with m's op and the fields that op has (a NULL string or array is left
 * out; warm only from the worker). NULL when memory ran out or the op is unknown. */
cJSON *camas_ipc_msg_encode(const camas_ipc_msg *m);
/* Decodes json into *m: every field there is, whatever the op (judging what an op should
 * not have is the receiver's business); a field missing or of the wrong type stays 0 or
 * NULL. Returns 0, or -1 (and *m zeroed) when json has no "op" string. */
int camas_ipc_msg_decode(const cJSON *json, camas_ipc_msg *m);

/* A command a plugin registered, as loaded lists them (the worker keeps them so too): an
 * object {name, usage_en, usage_fr}, strings; a usage starting with '!' is a whole line of
 * help, else the text after "!name - ". None of the three may be NULL. NULL when memory ran
 * out. */
cJSON *camas_ipc_command_new(const char *name, const char *usage_en, const char *usage_fr);
/* The command's name, or NULL when the object has none (a worker's mistake). */
const char *camas_ipc_command_name(const cJSON *command);
/* Its usage in French (fr) or English, or NULL. */
const char *camas_ipc_command_usage(const cJSON *command, bool fr);

/* The rest of an ask's context after prefix (CAMAS_IPC_CONTEXT_PICK or _PREV), or NULL when
 * it does not start with it. */
const char *camas_ipc_context_after(const char *context, const char *prefix);

/* ---- the black box ---------------------------------------------------------------------- */

/* The worker's black box: a shared page (the memfd on CAMAS_IPC_BLACKBOX_FD) where the
 * worker notes which plugin it is about to call and for which request, so the core can
 * blame a crash or a hang without a message per call. The worker writes the plugin first and
 * the id last; the core reads it only once the worker died or hung, and treats it as
 * untrusted (plugins share the worker's memory). */
typedef struct camas_ipc_blackbox {
    int64_t id;      /* request served; 0 between calls, -1 a call with no request */
    char plugin[64]; /* NUL-terminated when written by the worker */
} camas_ipc_blackbox;

#endif
