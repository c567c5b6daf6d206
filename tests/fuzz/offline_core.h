/* Shared by the fuzz targets that drive the Matrix client core without a homeserver
 * (fuzz_sync, fuzz_appservice): a configuration with a help, a staff and an admin room, a
 * fresh state directory in /dev/shm for each input, and a core started offline
 * (camas_core_start_offline). */
#ifndef CAMAS_FUZZ_OFFLINE_CORE_H
#define CAMAS_FUZZ_OFFLINE_CORE_H

#include "matrix.h"

/* Once per process: configuration, lws context, quiet logs. Aborts on failure. */
void fuzz_offline_init(void);
/* A core as user "@camas:fuzz" on an empty store, its first /sync pending (with sync false:
 * an appservice core waiting for transactions). */
camas_core *fuzz_offline_core(bool sync);
/* Frees the core and its store. */
void fuzz_offline_done(camas_core *c);

#endif
