/* libFuzzer target: datagrams from the worker (which runs plugins, so its bytes are not
 * trusted) through the worker protocol's decoders. A frame that decodes must encode again and
 * decode to the same fields; anything else is JSON, and a message whose op is known must
 * encode again, and what it encodes to must encode the same once decoded. */
#include "worker_protocol.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void frame(const char *buf, size_t size)
{
    camas_ipc_frame f;
    if (camas_ipc_frame_decode(buf, size, &f) != 0)
        return;
    size_t len;
    char *again = camas_ipc_frame_encode(&f, &len);
    if (!again)
        return; /* too large to send: refused, not a crash */
    camas_ipc_frame g;
    if (camas_ipc_frame_decode(again, len, &g) != 0 || g.kind != f.kind || g.id != f.id ||
        g.flags != f.flags ||
        (f.kind == CAMAS_IPC_ASK ? g.room_kind != f.room_kind : g.abstained != f.abstained))
        abort();
    for (int i = 0; i < CAMAS_IPC_FRAME_STRINGS; i++)
        if (strcmp(f.s[i], g.s[i]) != 0)
            abort();
    free(again);
}

static void message(const char *buf, size_t size)
{
    cJSON *json = cJSON_ParseWithLength(buf, size);
    camas_ipc_msg m, n;
    if (!json || camas_ipc_msg_decode(json, &m) != 0 || m.op == CAMAS_IPC_OP_UNKNOWN) {
        cJSON_Delete(json);
        return;
    }
    /* Encoding keeps only what the op has, so after one pass the rest must be stable. */
    cJSON *again = camas_ipc_msg_encode(&m);
    if (!again || camas_ipc_msg_decode(again, &n) != 0 || n.op != m.op)
        abort();
    /* Compared as text: cJSON_Compare finds an object with a repeated key (the worker may
     * send one inside the fields copied whole, such as commands) unequal to its own copy. */
    cJSON *third = camas_ipc_msg_encode(&n);
    char *a = cJSON_PrintUnformatted(again), *b = third ? cJSON_PrintUnformatted(third) : NULL;
    if (!a || !b || strcmp(a, b) != 0)
        abort();
    free(a);
    free(b);
    cJSON_Delete(third);
    cJSON_Delete(again);
    cJSON_Delete(json);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (camas_ipc_is_frame((const char *)data, size))
        frame((const char *)data, size);
    else
        message((const char *)data, size);
    return 0;
}
