/* libFuzzer target: homeserver JSON (a /sync timeline event, an appservice transaction's
 * event) through camas_json_parse_untrusted and camas_event_classify, with the size cap taken
 * from the first byte. A message's body is a terminated string no longer than the scan cap. */
#include "event.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t cap = (size_t)data[0] * 64;
    cJSON *ev = camas_json_parse_untrusted((const char *)data + 1, size - 1);
    if (!ev)
        return 0;
    camas_message m;
    const char *redacts = NULL;
    camas_event_class c = camas_event_classify(ev, "!room:fuzz", "@camas:fuzz", cap, &m, &redacts);
    if (c == CAMAS_EV_MESSAGE || c == CAMAS_EV_TOO_LARGE) {
        if (!m.body || strlen(m.body) > CAMAS_EVENT_SCAN_BYTES || !m.sender || !m.event_id)
            abort();
        if (c == CAMAS_EV_MESSAGE && strlen(m.body) > cap)
            abort();
        camas_message_clear(&m);
    }
    if (c == CAMAS_EV_REDACTION && !redacts)
        abort();
    cJSON_Delete(ev);
    return 0;
}
