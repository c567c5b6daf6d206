/* examples/hello: the smallest complete camas plugin (docs/plugins.md walks through it).
 * It registers one command, !hello [NAME], and answers it in the asker's language. It has
 * no entries, so no render function; a plugin that answers questions registers entries in
 * init and answers them in render. Build: cc -shared -fPIC -fvisibility=hidden
 * $(pkg-config --cflags camas-plugin) hello.c -o hello.so */
#include <camas/plugin.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const camas_host_api *host; /* the host's services, kept from init */

static int hello_init(camas_plugin *p, const camas_host_api *h, void **state)
{
    host = h;
    *state = NULL; /* nothing of our own to keep */
    h->log(p, CAMAS_PLOG_INFO, "hello: ready");
    /* Listed in manifest.json's "commands" too, or camas refuses the plugin. */
    return h->register_command(p, "hello", "!hello [NAME] - says hello",
                               "!hello [NOM] - dit bonjour");
}

static int hello_command(camas_plugin *p, void *state, const char *name, const camas_request *req)
{
    (void)state;
    (void)name; /* our only command */
    const char *who = req->args[0] ? req->args : NULL;
    bool fr = strcmp(req->lang, "fr") == 0;
    char text[300];
    snprintf(text, sizeof text, "%s%s%s! (%s)", fr ? "Bonjour" : "Hello", who ? ", " : "",
             who ? who : "", fr ? "une extension camas" : "a camas plugin");
    return host->reply(p, text, NULL); /* html NULL: camas escapes the text */
}

static const camas_plugin_descriptor descriptor = {
    CAMAS_PLUGIN_DESCRIPTOR_HEADER,
    .name = "hello", /* the manifest's name and the plugin's folder */
    .version = "1.0.0",
    .init = hello_init,
    .command = hello_command, /* no teardown (no state), no render (no entries) */
};

const camas_plugin_descriptor *camas_plugin_entry(void)
{
    return &descriptor;
}
