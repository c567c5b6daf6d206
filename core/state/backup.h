/* One camas per state directory, and backups of its database (backup.c). */
#ifndef CAMAS_BACKUP_H
#define CAMAS_BACKUP_H

#include <stddef.h>

/* Takes the state directory's lock (STATE_DIR/camas.lock, held until the returned
 * descriptor is closed or the process ends). Returns the descriptor, or -1 with err set,
 * naming the other camas's pid when one holds it. */
int camas_state_lock(const char *state_dir, char *err, size_t errlen);

/* Writes a consistent copy of STATE_DIR/camas.db to dest (created 0600, written beside it
 * and renamed into place), safe while camas runs. 0, or -1 with err set. */
int camas_state_backup(const char *state_dir, const char *dest, char *err, size_t errlen);

/* Replaces STATE_DIR/camas.db with the backup at src, after checking it; refused while a
 * camas holds the state directory. 0, or -1 with err set. */
int camas_state_restore(const char *state_dir, const char *src, char *err, size_t errlen);

/* SQLite's quick_check of the database file at path: 0 when sound, else -1 with what is
 * wrong in err. */
int camas_state_check_file(const char *path, char *err, size_t errlen);

#endif
