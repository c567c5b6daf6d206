/* libFuzzer target: knowledge/messages (staff edit it; a broken file must be refused with its
 * line, never crash the core or the worker) through camas_messages_parse, then every text of
 * an accepted set filled. Also checks the loader's promise: no accepted set loses the
 * hotline, its text number or 911 from a safety text. */
#include "messages.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[600];
    err[0] = '\0';
    camas_messages *m = NULL;
    int rc = camas_messages_parse((const char *)data, size, "fuzz.yaml", &m, err, sizeof err);
    if (rc < 0) {
        if (m || !memchr(err, '\0', sizeof err) || !err[0])
            abort(); /* a refusal always says why, and leaves nothing */
        return 0;
    }
    static const camas_msg_id safety[] = {CAMAS_MSG_SAFETY_DANGER, CAMAS_MSG_SAFETY_FOOTER,
                                          CAMAS_MSG_SAFETY_TOO_LONG};
    static const char *const langs[] = {"en", "fr", NULL};
    for (size_t l = 0; l < 3; l++) {
        for (size_t i = 0; i < 3; i++) {
            const char *t = camas_messages_get(m, safety[i], langs[l]);
            if (!strstr(t, CAMAS_HOTLINE_PHONE) || !strstr(t, CAMAS_HOTLINE_SMS) ||
                !strstr(t, CAMAS_EMERGENCY))
                abort();
        }
        for (int id = 0; id < CAMAS_MSG_COUNT; id++) {
            camas_buf b = {0};
            const char *vars[] = {"command", "!x{command}", NULL};
            if (camas_messages_fill(m, (camas_msg_id)id, langs[l], vars, &b) || !b.data)
                abort();
            camas_buf_free(&b);
        }
    }
    camas_messages_free(m);
    return 0;
}
