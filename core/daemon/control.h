/* The local control socket (STATE_DIR/control.sock, usable only by the bot's own user) and
 * the `camas ctl` client: the admin commands of admin.h without going through chat. */
#ifndef CAMAS_CONTROL_H
#define CAMAS_CONTROL_H

#include <libwebsockets.h>

#include "matrix.h"
#include "plugins.h"

typedef struct camas_control camas_control;

/* host may be NULL (plugins disabled): the plugin requests then answer an error. */
camas_control *camas_control_new(struct lws_context *ctx, const char *state_dir,
                                 camas_plugin_host *host, camas_core *core);
void camas_control_free(camas_control *c);

/* Answers one request, once the peer is known to be the bot's own user: buf holds the n bytes
 * read from it (with room for one more), whose first line is the request (an admin command as
 * in chat). The reply ("ok ..." or "error ...", then a line break) is written to fd, which is
 * closed once the command has run (during the call, or later on the event loop). The socket's
 * own handling, apart from the socket: what fuzz_control runs. */
void camas_control_serve(camas_plugin_host *host, camas_core *core, char *buf, size_t n, int fd);

/* `camas ctl COMMAND [ARGS]` (argv: the words after ctl, global options taken out): parsed
 * here first, so a mistake or `help` needs no running bot (state_dir may then be NULL).
 * Returns the exit status (2: not a valid command). */
int camas_control_client(const char *state_dir, int argc, char **argv);

extern const struct lws_protocols camas_control_protocol;

#endif
