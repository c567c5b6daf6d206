/* libFuzzer target: what the plugin worker sends the core. The worker runs plugins, so a
 * compromised one is untrusted input to the core: its JSON messages (ready, loaded,
 * unloaded, shared, understanding; ids and numbers of any size) and its binary answer frames
 * go through the plugin host's own handling (plugins_handle_message, plugins_handle_answer)
 * while questions, a plugin load and a knowledge reload wait for answers. No worker runs.
 *
 * An input is a list of datagrams, each a 2-byte big-endian length and its bytes; one that
 * starts with a frame kind byte is a frame, anything else JSON, as camas_ipc_recv has it. Checks:
 * no crash, no sanitizer report, no leak; an answer handed on has strings and an "en" or "fr"
 * language. */
#include "plugins_internal.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct lws_context *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (ctx)
        return 0;
    const char *lvl = getenv("CAMAS_FUZZ_LOG");
    camas_log_set_level(lvl ? camas_log_level_parse(lvl) : -1);
    lws_set_log_level(0, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
    ctx = lws_create_context(&info);
    if (!ctx)
        abort();
    return 0;
}

static void on_answer(void *ud, const camas_host_answer *a)
{
    (void)ud;
    if (!a->plain || !a->html || !a->plugin || !a->entry || !a->lang ||
        (strcmp(a->lang, "en") && strcmp(a->lang, "fr")))
        abort();
}

static void on_action(void *ud, bool ok, const char *summary)
{
    (void)ud;
    (void)ok;
    if (!summary)
        abort();
}

/* What the worker may be answering: two questions, a plugin load, a knowledge reload. */
static void queue_requests(camas_plugin_host *h)
{
    camas_question q = {.text = "when does washact meet?", .lang = "en", .now_ms = 1};
    camas_plugin_host_ask(h, &q, on_answer, NULL);
    q.lang = "fr";
    q.command = "meetings";
    q.args = "washact";
    camas_plugin_host_ask(h, &q, on_answer, NULL);
    struct pending *p = plugins_new_pending(h, P_LOAD);
    struct loaded *l = calloc(1, sizeof *l);
    if (!p || !l) {
        free(p);
        free(l);
        return;
    }
    l->memfd = -1;
    snprintf(l->m.name, sizeof l->m.name, "faq");
    snprintf(l->m.version, sizeof l->m.version, "1.0.0");
    p->cand = l;
    snprintf(p->name, sizeof p->name, "faq");
    p->action_cb = on_action;
    plugins_pending_push(h, p, false);
    camas_plugin_host_reload_knowledge(h, "@admin:fuzz", on_action, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ctx)
        LLVMFuzzerInitialize(NULL, NULL);
    camas_plugin_host_config cfg = {.worker_exe = "/nonexistent",
                                    .plugins_dir = "/nonexistent",
                                    .knowledge_dir = "/nonexistent"};
    camas_plugin_host *h = camas_plugin_host_new(ctx, &cfg, NULL, NULL, NULL);
    if (!h)
        abort();
    queue_requests(h);
    while (size >= 2) {
        size_t n = (size_t)data[0] << 8 | data[1];
        data += 2;
        size -= 2;
        if (n > size)
            n = size;
        /* a datagram is received into a buffer one byte larger, as camas_ipc_recv does */
        char *buf = malloc(n + 1);
        if (!buf)
            break;
        memcpy(buf, data, n);
        buf[n] = '\0';
        if (camas_ipc_is_frame(buf, n)) {
            plugins_handle_answer(h, buf, n);
        } else {
            cJSON *msg = cJSON_ParseWithLength(buf, n);
            if (cJSON_IsObject(msg))
                plugins_handle_message(h, msg);
            cJSON_Delete(msg);
        }
        free(buf);
        data += n;
        size -= n;
    }
    camas_plugin_host_free(h);
    return 0;
}
