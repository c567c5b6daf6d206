/* One small plugin source, compiled into several test-only plugins (tests/plugins/meson.build)
 * that exercise the plugin host: hot reload (echo v1/v2), crashes (crasher), hangs (looper),
 * ABI and init refusals (badabi, initfail, and echo builds with those defects) and room policy
 * (staffonly). Never shipped, never signed by the build: the tests sign them with their own key.
 *
 * Build-time macros:
 *   PLUGIN_NAME     descriptor name (must equal the manifest's and the folder's)
 *   PLUGIN_VERSION  descriptor version
 *   PLUGIN_TAG      what the plugin answers ("echo v1")
 *   PLUGIN_KIND     1 echo, 2 crasher, 3 looper, 4 staffonly (which phrases and command)
 *   PLUGIN_ABI_MAJOR  defaults to CAMAS_PLUGIN_ABI_MAJOR (badabi sets 99)
 *   PLUGIN_INIT_FAIL  when defined, init registers a command and then fails
 *   PLUGIN_NO_RENDER  when defined, the descriptor has no render (its entries are refused)
 */
#include <camas/plugin.h>

#include <stdio.h>
#include <string.h>

#ifndef PLUGIN_ABI_MAJOR
#define PLUGIN_ABI_MAJOR CAMAS_PLUGIN_ABI_MAJOR
#endif

#define KIND_ECHO      1
#define KIND_CRASHER   2
#define KIND_LOOPER    3
#define KIND_STAFFONLY 4

static const camas_host_api *host;

static int reg(camas_plugin *p, const char *id, const char *lang, const char *const *ask, size_t n)
{
    return host->register_entry(p, id, "all", lang, ask, n);
}

static int tp_init(camas_plugin *p, const camas_host_api *h, void **state)
{
    host = h;
    *state = NULL;
    int rc = 0;
#if PLUGIN_KIND == KIND_ECHO
    static const char *const en[] = {"test echo question", "please echo the test question"};
    static const char *const fr[] = {"question de test écho", "répète la question de test écho"};
    rc = reg(p, "echo", "en", en, 2);
    if (rc == 0)
        rc = reg(p, "echo", "fr", fr, 2);
    if (rc == 0)
        rc = h->register_command(p, "echo", "!echo TEXT - repeats TEXT", "!echo TEXTE - répète");
#elif PLUGIN_KIND == KIND_CRASHER
    static const char *const crash[] = {"crash now", "crasher crash now"};
    static const char *const fine[] = {"crasher status report", "is the crasher healthy"};
    rc = reg(p, "crash", "en", crash, 2);
    if (rc == 0)
        rc = reg(p, "fine", "en", fine, 2);
#elif PLUGIN_KIND == KIND_LOOPER
    static const char *const loop[] = {"loop forever", "looper loop forever"};
    static const char *const fine[] = {"looper status report", "is the looper healthy"};
    rc = reg(p, "loop", "en", loop, 2);
    if (rc == 0)
        rc = reg(p, "fine", "en", fine, 2);
#elif PLUGIN_KIND == KIND_STAFFONLY
    static const char *const en[] = {"staffonly secret roster question",
                                     "what is the staffonly secret roster"};
    rc = reg(p, "secret", "en", en, 2);
    if (rc == 0)
        rc = h->register_command(p, "staffonly", "!staffonly - staff secret", "!staffonly");
#else
#error "PLUGIN_KIND"
#endif
#ifdef PLUGIN_INIT_FAIL
    if (rc == 0) {
        h->log(p, CAMAS_PLOG_ERROR, "%s: failing init on purpose", PLUGIN_NAME);
        rc = CAMAS_ERR_INVALID;
    }
#endif
    return rc;
}

static void tp_teardown(camas_plugin *p, void *state)
{
    (void)p;
    (void)state;
}

static int answer(camas_plugin *p, const char *what, const camas_request *req)
{
    char text[512];
    snprintf(text, sizeof text, "%s: %s (%s)", PLUGIN_TAG, what, req->lang);
    return host->reply(p, text, NULL);
}

static __attribute__((unused)) int tp_render(camas_plugin *p, void *state, const char *entry_id,
                                             const camas_request *req)
{
    (void)state;
#if PLUGIN_KIND == KIND_CRASHER
    if (strcmp(entry_id, "crash") == 0) {
        volatile int *null = NULL;
        *null = 42; /* SIGSEGV: the worker dies, the core must survive */
    }
#elif PLUGIN_KIND == KIND_LOOPER
    if (strcmp(entry_id, "loop") == 0) {
        volatile unsigned long spin = 0;
        for (;;) /* never returns: only the deadline gets the worker out of here */
            spin++;
    }
#endif
    return answer(p, entry_id, req);
}

static int tp_command(camas_plugin *p, void *state, const char *name, const camas_request *req)
{
    (void)state;
    char what[400];
    snprintf(what, sizeof what, "!%s %s", name, req->args);
    return answer(p, what, req);
}

static const camas_plugin_descriptor descriptor = {
    .magic = CAMAS_PLUGIN_MAGIC,
    .abi_major = PLUGIN_ABI_MAJOR,
    .abi_minor = CAMAS_PLUGIN_ABI_MINOR,
    .size = sizeof(camas_plugin_descriptor),
    .name = PLUGIN_NAME,
    .version = PLUGIN_VERSION,
    .init = tp_init,
    .teardown = tp_teardown,
#ifndef PLUGIN_NO_RENDER
    .render = tp_render,
#endif
    .command = tp_command,
};

const camas_plugin_descriptor *camas_plugin_entry(void)
{
    return &descriptor;
}
