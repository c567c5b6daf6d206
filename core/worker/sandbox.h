/* The worker's sandbox: what plugin code may not do. */
#ifndef CAMAS_SANDBOX_H
#define CAMAS_SANDBOX_H

#include <stddef.h>

/* Installs the seccomp filter: no sockets or network, no exec, no new processes, no
 * tracing other processes, no signals to others, and no opening files for writing or
 * changing the file system. Returns 0, or -1 with the reason in err. Irreversible. */
int camas_sandbox_apply(char *err, size_t errlen);

#endif
