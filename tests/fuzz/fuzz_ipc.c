/* libFuzzer target: datagrams from the worker (which runs plugins, so its bytes are not
 * trusted) through camas_ipc_frame_decode. A frame that decodes must encode back to the same
 * bytes and decode to the same fields. */
#include "ipc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    camas_ipc_frame f;
    if (camas_ipc_frame_decode((const char *)data, size, &f) != 0)
        return 0;
    size_t len;
    char *again = camas_ipc_frame_encode(&f, &len);
    if (!again)
        return 0; /* too large to send: refused, not a crash */
    camas_ipc_frame g;
    if (camas_ipc_frame_decode(again, len, &g) != 0 || g.kind != f.kind || g.id != f.id ||
        g.small != f.small || g.flags != f.flags)
        abort();
    for (int i = 0; i < CAMAS_IPC_FRAME_STRINGS; i++)
        if (strcmp(f.s[i], g.s[i]) != 0)
            abort();
    free(again);
    return 0;
}
