/* The state directory's safety: one running camas per state directory (an exclusive lock
 * that the kernel releases when the process dies, even by kill -9), consistent backups of
 * the state database while camas runs (SQLite's online backup API, which copies a
 * transaction-consistent snapshot whatever the writer is doing), and restoring one while
 * camas is stopped. The database holds the access token: copies are created 0600. */
#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int camas_state_lock(const char *state_dir, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/camas.lock", state_dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        char pid[32];
        int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
        if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) < 0) {
            /* the pid is only a courtesy for the message below */
        }
        return fd;
    }
    int saved = errno;
    char holder[32] = "";
    ssize_t got = pread(fd, holder, sizeof holder - 1, 0);
    holder[got > 0 ? got : 0] = '\0';
    holder[strcspn(holder, "\n")] = '\0';
    close(fd);
    if (saved == EWOULDBLOCK)
        snprintf(err, errlen,
                 "another camas (pid %s) is using the state directory %s; two would answer "
                 "every question twice",
                 holder[0] ? holder : "?", state_dir);
    else
        snprintf(err, errlen, "%s: %s", path, strerror(saved));
    return -1;
}

/* Copies the database at from into a new file at to with the online backup API, retrying
 * while a writer holds a lock. Returns 0, or -1 with err set. */
static int copy_database(const char *from, const char *to, char *err, size_t errlen)
{
    sqlite3 *src = NULL, *dst = NULL;
    int rc = sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL);
    if (rc == SQLITE_OK) {
        mode_t old = umask(077);
        rc = sqlite3_open_v2(to, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
        umask(old);
    }
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(dst ? dst : src));
        sqlite3_close(src);
        sqlite3_close(dst);
        return -1;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(dst));
        sqlite3_close(src);
        sqlite3_close(dst);
        return -1;
    }
    int tries = 0;
    do {
        rc = sqlite3_backup_step(b, -1);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(50);
    } while ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_OK) && ++tries < 200);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        snprintf(err, errlen, "%s",
                 rc == SQLITE_BUSY || rc == SQLITE_LOCKED
                     ? "the database stayed busy for 10 seconds"
                     : sqlite3_errstr(rc));
    /* the copy stands alone: no WAL file beside it */
    if (rc == SQLITE_DONE &&
        sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(dst));
        rc = SQLITE_ERROR;
    }
    sqlite3_close(src);
    sqlite3_close(dst);
    return rc == SQLITE_DONE ? 0 : -1;
}

int camas_state_check_file(const char *path, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    sqlite3_stmt *s = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &s, NULL);
    const char *verdict = NULL;
    if (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        verdict = (const char *)sqlite3_column_text(s, 0);
    int ok = verdict && strcmp(verdict, "ok") == 0;
    if (!ok)
        snprintf(err, errlen, "%s", verdict ? verdict : sqlite3_errmsg(db));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return ok ? 0 : -1;
}

int camas_state_backup(const char *state_dir, const char *dest, char *err, size_t errlen)
{
    char from[4096], tmp[4200], why[512];
    snprintf(from, sizeof from, "%s/camas.db", state_dir);
    if (access(from, R_OK) != 0) {
        snprintf(err, errlen, "%s: %s", from, strerror(errno));
        return -1;
    }
    snprintf(tmp, sizeof tmp, "%s.tmp", dest);
    unlink(tmp);
    if (copy_database(from, tmp, why, sizeof why) || camas_state_check_file(tmp, why, sizeof why)) {
        snprintf(err, errlen, "cannot back up %s: %s", from, why);
        unlink(tmp);
        return -1;
    }
    int fd = open(tmp, O_RDONLY | O_CLOEXEC);
    int synced = fd >= 0 && fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    if (!synced || rename(tmp, dest) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", dest, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int camas_state_restore(const char *state_dir, const char *src, char *err, size_t errlen)
{
    char why[512];
    if (camas_state_check_file(src, why, sizeof why)) {
        snprintf(err, errlen, "%s is not a usable camas backup: %s", src, why);
        return -1;
    }
    if (mkdir(state_dir, 0700) && errno != EEXIST) {
        snprintf(err, errlen, "state directory %s: %s", state_dir, strerror(errno));
        return -1;
    }
    int lock = camas_state_lock(state_dir, why, sizeof why);
    if (lock < 0) {
        snprintf(err, errlen, "cannot restore now: %s (stop it first)", why);
        return -1;
    }
    char db[4096], tmp[4200], side[4200];
    snprintf(db, sizeof db, "%s/camas.db", state_dir);
    snprintf(tmp, sizeof tmp, "%s/camas.db.restoring", state_dir);
    unlink(tmp);
    int rc = copy_database(src, tmp, why, sizeof why);
    if (rc == 0) {
        int fd = open(tmp, O_RDONLY | O_CLOEXEC);
        rc = fd >= 0 && fsync(fd) == 0 ? 0 : -1;
        if (fd >= 0)
            close(fd);
        if (rc)
            snprintf(why, sizeof why, "%s", strerror(errno));
    }
    /* the old database's write-ahead log must not be replayed onto the restored file */
    for (int i = 0; rc == 0 && i < 2; i++) {
        snprintf(side, sizeof side, "%s%s", db, i ? "-shm" : "-wal");
        if (unlink(side) && errno != ENOENT) {
            snprintf(why, sizeof why, "%.400s: %s", side, strerror(errno));
            rc = -1;
        }
    }
    if (rc == 0 && rename(tmp, db) != 0) {
        snprintf(why, sizeof why, "%s", strerror(errno));
        rc = -1;
    }
    if (rc) {
        snprintf(err, errlen, "cannot restore %s into %s: %s", src, db, why);
        unlink(tmp);
    }
    close(lock);
    return rc;
}
