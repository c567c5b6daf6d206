/* libFuzzer target: what an appservice transport delivers to camas. The input is an event
 * stream frame (mautrix websocket protocol v3) and, read again as a push-mode body
 * (PUT /_matrix/app/v1/transactions/{txnId}), a transaction: each goes through its parser
 * (camas_as_frame_parse, camas_push_parse_transaction) and its events through the core's
 * transaction handling (camas_core_transaction, as a core started for an appservice), with
 * a server request answered as the websocket client would (camas_as_reply). The same
 * transaction delivered twice must be acknowledged the second time without handling. */
#include "appservice.h"
#include "offline_core.h"
#include "push.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_offline_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    camas_core *c = fuzz_offline_core(false);

    camas_as_frame f;
    camas_as_frame_parse(text, size, &f);
    if (f.kind == CAMAS_AS_FRAME_TRANSACTION) {
        if (!f.txn_id || (f.events && !cJSON_IsArray(f.events)))
            abort(); /* the parser promises a transaction id and an events list or none */
        camas_core_transaction(c, f.txn_id, f.events);
    } else if (f.kind == CAMAS_AS_FRAME_REQUEST && f.id != 0) {
        char *reply = camas_as_reply(f.id, strcmp(f.command, "ping") != 0, f.data);
        camas_as_frame back;
        if (reply) {
            camas_as_frame_parse(reply, strlen(reply), &back);
            if (back.kind != CAMAS_AS_FRAME_RESPONSE || back.id != f.id)
                abort(); /* our own reply must read back as the response to that request */
            camas_as_frame_clear(&back);
        }
        free(reply);
    }
    camas_as_frame_clear(&f);

    const cJSON *events;
    cJSON *txn = camas_push_parse_transaction(text, size, &events);
    if (txn) {
        if (events && !cJSON_IsArray(events))
            abort();
        if (camas_core_transaction(c, "push-1", events) == 0 &&
            camas_core_transaction(c, "push-1", events) != 0)
            abort(); /* a retried transaction is acknowledged, not refused */
        cJSON_Delete(txn);
    }
    fuzz_offline_done(c);
    free(text);
    return 0;
}
