/* The worker protocol's encoders and decoders (see worker_protocol.h): the binary frames of
 * questions and answers, and the JSON messages, whose op names and member names are written
 * here and nowhere else. */
#include "worker_protocol.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

/* ---- binary frames ---------------------------------------------------------------------- */

/* The fixed part of a frame, followed by the strings, each NUL-terminated. Both ends are
 * the same build on the same machine, so host byte order is fine. */
struct frame_header {
    uint8_t kind;
    uint8_t room_kind_or_abstained; /* by kind: camas_ipc_frame's union */
    uint8_t flags, pad[5];
    int64_t id;
    int64_t now_ms;
    double confidence;
};

bool camas_ipc_is_frame(const char *buf, size_t n)
{
    return n > 0 && (buf[0] == CAMAS_IPC_ASK || buf[0] == CAMAS_IPC_ANSWER);
}

char *camas_ipc_frame_encode(const camas_ipc_frame *f, size_t *len)
{
    size_t lens[CAMAS_IPC_FRAME_STRINGS], total = sizeof(struct frame_header);
    for (int i = 0; i < CAMAS_IPC_FRAME_STRINGS; i++) {
        lens[i] = f->s[i] ? strlen(f->s[i]) : 0;
        total += lens[i] + 1;
    }
    if (total > CAMAS_IPC_MAX)
        return NULL;
    char *out = malloc(total);
    if (!out)
        return NULL;
    struct frame_header hd = {.kind = f->kind,
                              .room_kind_or_abstained =
                                  f->kind == CAMAS_IPC_ASK ? f->room_kind : f->abstained,
                              .flags = f->flags,
                              .id = f->id,
                              .now_ms = f->now_ms,
                              .confidence = f->confidence};
    memcpy(out, &hd, sizeof hd);
    char *p = out + sizeof hd;
    for (int i = 0; i < CAMAS_IPC_FRAME_STRINGS; i++) {
        if (lens[i])
            memcpy(p, f->s[i], lens[i]);
        p[lens[i]] = '\0';
        p += lens[i] + 1;
    }
    *len = total;
    return out;
}

int camas_ipc_frame_decode(const char *buf, size_t n, camas_ipc_frame *f)
{
    struct frame_header hd;
    if (n < sizeof hd)
        return -1;
    memcpy(&hd, buf, sizeof hd);
    if (hd.kind != CAMAS_IPC_ASK && hd.kind != CAMAS_IPC_ANSWER)
        return -1;
    *f = (camas_ipc_frame){.kind = hd.kind,
                           .flags = hd.flags,
                           .id = hd.id,
                           .now_ms = hd.now_ms,
                           .confidence = hd.confidence};
    if (hd.kind == CAMAS_IPC_ASK)
        f->room_kind = hd.room_kind_or_abstained;
    else
        f->abstained = hd.room_kind_or_abstained;
    size_t at = sizeof hd;
    for (int i = 0; i < CAMAS_IPC_FRAME_STRINGS; i++) {
        const char *nul = at < n ? memchr(buf + at, '\0', n - at) : NULL;
        if (!nul)
            return -1;
        f->s[i] = buf + at;
        at = (size_t)(nul - buf) + 1;
    }
    return at == n ? 0 : -1;
}

const char *camas_ipc_context_after(const char *context, const char *prefix)
{
    size_t n = strlen(prefix);
    return context && strncmp(context, prefix, n) == 0 ? context + n : NULL;
}

/* ---- JSON messages ---------------------------------------------------------------------- */

/* The members a JSON message may have, as bits of an op's field set. */
enum field {
    F_ID = 1u << 0,
    F_NAME = 1u << 1,
    F_VERSION = 1u << 2,
    F_KNOWLEDGE = 1u << 3,
    F_HELP_ROOMS = 1u << 4,
    F_COMMANDS = 1u << 5,
    F_OK = 1u << 6,
    F_ERROR = 1u << 7,
    F_ERRORS = 1u << 8,
    F_MODE = 1u << 9,
};

/* Each op: its name on the wire, who sends it, and its fields (worker_protocol.h says what
 * they mean). Messages from the worker all have warm as well. */
static const struct op_spec {
    const char *name;
    bool from_worker;
    unsigned fields;
} ops[CAMAS_IPC_OP_COUNT] = {
    [CAMAS_IPC_OP_LOAD] = {"load", false,
                           F_ID | F_NAME | F_VERSION | F_KNOWLEDGE | F_HELP_ROOMS | F_COMMANDS},
    [CAMAS_IPC_OP_UNLOAD] = {"unload", false, F_ID | F_NAME},
    [CAMAS_IPC_OP_RELOAD_SHARED] = {"reload_shared", false, F_ID},
    [CAMAS_IPC_OP_READY] = {"ready", true, F_ERRORS},
    [CAMAS_IPC_OP_UNDERSTANDING] = {"understanding", true, F_MODE},
    [CAMAS_IPC_OP_LOADED] = {"loaded", true,
                             F_ID | F_NAME | F_OK | F_VERSION | F_COMMANDS | F_ERROR | F_ERRORS},
    [CAMAS_IPC_OP_UNLOADED] = {"unloaded", true, F_ID | F_NAME | F_OK},
    [CAMAS_IPC_OP_SHARED] = {"shared", true, F_ID | F_OK | F_ERRORS},
};

/* Ids are below 2^53 so that they survive JSON's doubles exactly. */
#define ID_MAX (INT64_C(1) << 53)

const char *camas_ipc_op_name(enum camas_ipc_op op)
{
    return op > CAMAS_IPC_OP_UNKNOWN && op < CAMAS_IPC_OP_COUNT ? ops[op].name : NULL;
}

enum camas_ipc_op camas_ipc_op_parse(const char *name)
{
    for (int op = CAMAS_IPC_OP_UNKNOWN + 1; name && op < CAMAS_IPC_OP_COUNT; op++)
        if (strcmp(ops[op].name, name) == 0)
            return (enum camas_ipc_op)op;
    return CAMAS_IPC_OP_UNKNOWN;
}

bool camas_ipc_op_from_worker(enum camas_ipc_op op)
{
    return op > CAMAS_IPC_OP_UNKNOWN && op < CAMAS_IPC_OP_COUNT && ops[op].from_worker;
}

static bool add_string(cJSON *o, const char *key, const char *value)
{
    return !value || cJSON_AddStringToObject(o, key, value);
}

static bool add_copy(cJSON *o, const char *key, const cJSON *value)
{
    if (!value)
        return true;
    cJSON *copy = cJSON_Duplicate(value, 1);
    return copy && cJSON_AddItemToObject(o, key, copy);
}

cJSON *camas_ipc_msg_encode(const camas_ipc_msg *m)
{
    const char *name = camas_ipc_op_name(m->op);
    if (!name)
        return NULL;
    unsigned f = ops[m->op].fields;
    cJSON *o = cJSON_CreateObject();
    bool ok = o && cJSON_AddStringToObject(o, "op", name);
    if (ok && (f & F_ID))
        ok = cJSON_AddNumberToObject(o, "id", (double)m->id);
    if (ok && (f & F_NAME))
        ok = add_string(o, "name", m->name);
    if (ok && (f & F_VERSION))
        ok = add_string(o, "version", m->version);
    if (ok && (f & F_KNOWLEDGE))
        ok = add_string(o, "knowledge", m->knowledge);
    if (ok && (f & F_HELP_ROOMS))
        ok = cJSON_AddBoolToObject(o, "help_rooms", m->help_rooms);
    if (ok && (f & F_COMMANDS))
        ok = add_copy(o, "commands", m->commands);
    if (ok && (f & F_OK))
        ok = cJSON_AddBoolToObject(o, "ok", m->ok);
    if (ok && (f & F_ERROR))
        ok = add_string(o, "error", m->error);
    if (ok && (f & F_ERRORS))
        ok = add_copy(o, "errors", m->errors);
    if (ok && (f & F_MODE))
        ok = cJSON_AddStringToObject(o, "mode", m->semantic ? "semantic" : "lexical");
    if (ok && ops[m->op].from_worker)
        ok = cJSON_AddBoolToObject(o, "warm", m->warm);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static const cJSON *member(const cJSON *json, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(json, key);
}

/* An array member, or NULL (iterating anything else would walk an object's members). */
static const cJSON *array_member(const cJSON *json, const char *key)
{
    const cJSON *v = member(json, key);
    return cJSON_IsArray(v) ? v : NULL;
}

int camas_ipc_msg_decode(const cJSON *json, camas_ipc_msg *m)
{
    *m = (camas_ipc_msg){0};
    const char *op = cJSON_GetStringValue(member(json, "op"));
    if (!op)
        return -1;
    m->op = camas_ipc_op_parse(op);
    m->op_text = op;
    camas_json_int(member(json, "id"), 1, ID_MAX, &m->id); /* else 0, as zeroed */
    m->name = cJSON_GetStringValue(member(json, "name"));
    m->version = cJSON_GetStringValue(member(json, "version"));
    m->knowledge = cJSON_GetStringValue(member(json, "knowledge"));
    m->error = cJSON_GetStringValue(member(json, "error"));
    m->help_rooms = cJSON_IsTrue(member(json, "help_rooms"));
    m->ok = cJSON_IsTrue(member(json, "ok"));
    m->warm = cJSON_IsTrue(member(json, "warm"));
    const char *mode = cJSON_GetStringValue(member(json, "mode"));
    m->semantic = mode && strcmp(mode, "semantic") == 0;
    m->commands = array_member(json, "commands");
    m->errors = array_member(json, "errors");
    return 0;
}

/* ---- registered commands ---------------------------------------------------------------- */

cJSON *camas_ipc_command_new(const char *name, const char *usage_en, const char *usage_fr)
{
    cJSON *c = cJSON_CreateObject();
    if (!c || !cJSON_AddStringToObject(c, "name", name) ||
        !cJSON_AddStringToObject(c, "usage_en", usage_en) ||
        !cJSON_AddStringToObject(c, "usage_fr", usage_fr)) {
        cJSON_Delete(c);
        return NULL;
    }
    return c;
}

const char *camas_ipc_command_name(const cJSON *command)
{
    return cJSON_GetStringValue(member(command, "name"));
}

const char *camas_ipc_command_usage(const cJSON *command, bool fr)
{
    return cJSON_GetStringValue(member(command, fr ? "usage_fr" : "usage_en"));
}
