/* SQLite-backed durable state. Every statement is prepared once at open and reset after use.
 * WAL mode with synchronous=NORMAL: a committed transaction survives any crash or kill -9 of
 * camas (it is in the WAL file), and a power loss can only roll back the last transactions
 * as a whole (sync token, seen events and replies together), so state stays consistent.
 * FULL would add an fsync to every message handled. */
#include "store.h"
#include "util.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum stmt_id {
    S_GET,
    S_SET,
    S_DEL,
    S_SEEN,
    S_MARK,
    S_RFLAGS,
    S_RSETFLAG,
    S_RCLEARFLAG,
    S_OADD,
    S_OPEEK,
    S_OPENDING,
    S_OCOUNT,
    S_OOLDEST,
    S_OSENT,
    S_ODROP,
    S_OBUMP,
    S_OECHO,
    S_ODROPQ,
    S_OREPLY,
    S_AUDIT,
    S_AUDIT_LIST,
    S_UADD,
    S_ULIST,
    S_UPURGE,
    S_IADD,
    S_IPENDING,
    S_IDONE,
    S_IBUMP,
    S_IHAS,
    S_IDROPANS,
    S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
    [S_GET] = "SELECT value FROM kv WHERE key = ?1",
    [S_SET] = "INSERT INTO kv(key, value) VALUES(?1, ?2) "
              "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [S_DEL] = "DELETE FROM kv WHERE key = ?1",
    [S_SEEN] = "SELECT 1 FROM seen WHERE event_id = ?1",
    [S_MARK] = "INSERT OR IGNORE INTO seen(event_id, room_id, ts) VALUES(?1, ?2, ?3)",
    [S_RFLAGS] = "SELECT flags FROM rooms WHERE room_id = ?1",
    [S_RSETFLAG] = "INSERT INTO rooms(room_id, flags) VALUES(?1, ?2) "
                   "ON CONFLICT(room_id) DO UPDATE SET flags = flags | excluded.flags",
    [S_RCLEARFLAG] = "UPDATE rooms SET flags = flags & ~?2 WHERE room_id = ?1",
    [S_OADD] = "INSERT INTO outbox(txn_id, room_id, event_type, content, in_reply_to, created_ms)"
               " VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
    [S_OPEEK] = "SELECT seq, txn_id, room_id, event_type, content, in_reply_to, attempts "
                "FROM outbox WHERE state = 0 ORDER BY seq LIMIT 1",
    [S_OPENDING] = "SELECT seq, txn_id, room_id, event_type, content, in_reply_to, attempts "
                   "FROM outbox WHERE state = 0 ORDER BY seq LIMIT ?1",
    [S_OCOUNT] = "SELECT count(*) FROM outbox WHERE state = 0",
    [S_OOLDEST] = "SELECT coalesce(min(created_ms), 0) FROM outbox WHERE state = 0",
    [S_OSENT] = "UPDATE outbox SET state = 1, event_id = ?2, done_ms = ?3 WHERE txn_id = ?1",
    [S_ODROP] = "UPDATE outbox SET state = 2, error = ?2, done_ms = ?3 WHERE txn_id = ?1",
    [S_OBUMP] = "UPDATE outbox SET attempts = attempts + 1 WHERE txn_id = ?1",
    [S_OECHO] = "UPDATE outbox SET state = 1, event_id = ?2, done_ms = ?3 WHERE txn_id = ?1"
                " AND state = 0",
    [S_ODROPQ] = "UPDATE outbox SET state = 2, error = 'question redacted' "
                 "WHERE state = 0 AND in_reply_to = ?1",
    [S_OREPLY] = "SELECT event_id, room_id FROM outbox WHERE state = 1 AND in_reply_to = ?1 "
                 "ORDER BY seq LIMIT 1",
    [S_UADD] = "INSERT INTO unanswered(question, count, last_ms) VALUES(?1, 1, ?2) "
               "ON CONFLICT(question) DO UPDATE SET count = count + 1, last_ms = excluded.last_ms",
    [S_ULIST] = "SELECT question, count, last_ms FROM unanswered ORDER BY count DESC, last_ms DESC",
    [S_UPURGE] = "DELETE FROM unanswered WHERE last_ms < ?1",
    [S_IADD] = "INSERT OR IGNORE INTO inbox(event_id, room_id, sender, thread_root, text, lang,"
               " command, args, room_kind, danger) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [S_IPENDING] = "SELECT event_id, room_id, sender, thread_root, text, lang, command, args,"
                   " room_kind, danger, attempts FROM inbox ORDER BY seq",
    [S_IDONE] = "DELETE FROM inbox WHERE event_id = ?1",
    [S_IBUMP] = "UPDATE inbox SET attempts = attempts + 1 WHERE event_id = ?1",
    [S_IHAS] = "SELECT 1 FROM inbox WHERE event_id = ?1",
    [S_IDROPANS] = "DELETE FROM inbox WHERE event_id = ?1 AND danger <> ?2",
    [S_AUDIT] = "INSERT INTO audit(ts, actor, action, plugin, version, sha256, result, detail)"
                " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [S_AUDIT_LIST] = "SELECT ts, actor, action, plugin, version, sha256, result, detail "
                     "FROM audit ORDER BY id",
};

/* cache_size: SQLite's default page cache grows to 2 MiB as a long-running bot reads its
 * growing tables (seen, outbox); 256 KiB holds every hot page of this workload (small rows,
 * lookups by key) and the kernel's page cache backs the rest. mmap_size stays 0 (the
 * default): no file mapping to count in the resident set. */
static const char schema_sql[] =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = NORMAL;"
    "PRAGMA cache_size = -256;"
    "CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS seen(event_id TEXT PRIMARY KEY, room_id TEXT, ts INTEGER);"
    "CREATE TABLE IF NOT EXISTS rooms(room_id TEXT PRIMARY KEY, flags INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS outbox("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, txn_id TEXT UNIQUE NOT NULL,"
    " room_id TEXT NOT NULL, event_type TEXT NOT NULL, content TEXT NOT NULL,"
    " in_reply_to TEXT, created_ms INTEGER, attempts INTEGER NOT NULL DEFAULT 0,"
    " state INTEGER NOT NULL DEFAULT 0, event_id TEXT, error TEXT, done_ms INTEGER);"
    "CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(state, seq);"
    "CREATE INDEX IF NOT EXISTS outbox_question ON outbox(in_reply_to);"
    "CREATE TABLE IF NOT EXISTS inbox(seq INTEGER PRIMARY KEY AUTOINCREMENT, "
    " event_id TEXT UNIQUE NOT NULL, room_id TEXT NOT NULL, sender TEXT NOT NULL, "
    " thread_root TEXT, text TEXT NOT NULL, lang TEXT NOT NULL, command TEXT, args TEXT, "
    " room_kind INTEGER NOT NULL, danger INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS unanswered(question TEXT PRIMARY KEY, count INTEGER NOT NULL,"
    " last_ms INTEGER);"
    "CREATE TABLE IF NOT EXISTS audit(id INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER, "
    " actor TEXT, action TEXT, plugin TEXT, version TEXT, sha256 TEXT, result TEXT, "
    " detail TEXT);";

struct camas_store {
    sqlite3 *db;
    sqlite3_stmt *stmt[S_COUNT];
};

static int mkdir_p(const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return -1;
    for (char *p = path + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, 0700) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    if (mkdir(path, 0700) && errno != EEXIST)
        return -1;
    return 0;
}

/* True when an existing database fails SQLite's quick_check (or is not a database at all);
 * *why gets what is wrong (sqlite3_free it). A new, empty file passes. */
static bool damaged(sqlite3 *db, char **why)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &s, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    const unsigned char *verdict = rc == SQLITE_ROW ? sqlite3_column_text(s, 0) : NULL;
    bool bad = rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT ||
               (verdict && strcmp((const char *)verdict, "ok") != 0);
    if (bad)
        *why = sqlite3_mprintf("%s", verdict ? (const char *)verdict : sqlite3_errstr(rc));
    sqlite3_finalize(s);
    return bad;
}

camas_store *camas_store_open(const char *dir, char *err, size_t errlen)
{
    if (mkdir_p(dir)) {
        snprintf(err, errlen, "state directory '%s': %s", dir, strerror(errno));
        return NULL;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/camas.db", dir);
    camas_store *st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* No initial bulk page-cache allocation: by default each connection takes 20 pages'
     * worth (87 KiB) at once and touches them all, where camas's idle working set is a few
     * pages; pages are then allocated one by one as needed. SQLite accepts this only before
     * it initialises (the first open in the process); later calls are refused and change
     * nothing. */
    sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0);
    /* The database holds the access token: keep it private to the bot's user. */
    mode_t old = umask(077);
    int rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    umask(old);
    char *msg = NULL;
    if (rc == SQLITE_OK)
        rc = sqlite3_busy_timeout(st->db, 2000);
    /* A damaged file is said to be one, with what to do, rather than some SQL error later
     * (quick_check reads every page once: milliseconds for camas's small database). */
    if (rc == SQLITE_OK && damaged(st->db, &msg)) {
        snprintf(err, errlen,
                 "the state database %s is damaged (%s). Restore the last backup with `camas "
                 "restore FILE` (made by `camas backup FILE`), or move the file away to start "
                 "afresh (camas then answers only messages sent from then on)",
                 path, msg ? msg : "unreadable");
        sqlite3_free(msg);
        camas_store_close(st);
        return NULL;
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(st->db, schema_sql, NULL, NULL, &msg);
    for (int i = 0; rc == SQLITE_OK && i < S_COUNT; i++)
        rc = sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[i],
                                NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        camas_store_close(st);
        return NULL;
    }
    return st;
}

void camas_store_close(camas_store *st)
{
    if (!st)
        return;
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(st->stmt[i]);
    sqlite3_close(st->db);
    free(st);
}

static int exec_simple(camas_store *st, const char *sql)
{
    return sqlite3_exec(st->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int camas_store_begin(camas_store *st)
{
    return exec_simple(st, "BEGIN IMMEDIATE");
}

int camas_store_commit(camas_store *st)
{
    return exec_simple(st, "COMMIT");
}

const char *camas_store_error(camas_store *st)
{
    return st && st->db ? sqlite3_errmsg(st->db) : "no database";
}

void camas_store_rollback(camas_store *st)
{
    exec_simple(st, "ROLLBACK");
}

/* Binds text parameters 1..n (NULL binds SQL NULL). */
static sqlite3_stmt *bind_texts(camas_store *st, enum stmt_id id, int n, const char *const *v)
{
    sqlite3_stmt *s = st->stmt[id];
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    for (int i = 0; i < n; i++)
        sqlite3_bind_text(s, i + 1, v[i], -1, SQLITE_TRANSIENT);
    return s;
}

/* Runs a statement that returns no rows; 0 on success. */
static int run_done(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

static char *column_dup(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t ? strdup((const char *)t) : NULL;
}

char *camas_store_get(camas_store *st, const char *key)
{
    sqlite3_stmt *s = bind_texts(st, S_GET, 1, (const char *[]){key});
    char *value = sqlite3_step(s) == SQLITE_ROW ? column_dup(s, 0) : NULL;
    sqlite3_reset(s);
    return value;
}

int camas_store_set(camas_store *st, const char *key, const char *value)
{
    return run_done(bind_texts(st, S_SET, 2, (const char *[]){key, value}));
}

int camas_store_delete(camas_store *st, const char *key)
{
    return run_done(bind_texts(st, S_DEL, 1, (const char *[]){key}));
}

int camas_store_seen(camas_store *st, const char *event_id)
{
    sqlite3_stmt *s = bind_texts(st, S_SEEN, 1, (const char *[]){event_id});
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int camas_store_mark_seen(camas_store *st, const char *event_id, const char *room_id, int64_t ts_ms)
{
    sqlite3_stmt *s = bind_texts(st, S_MARK, 2, (const char *[]){event_id, room_id});
    sqlite3_bind_int64(s, 3, ts_ms);
    return run_done(s);
}

int camas_store_room_flags(camas_store *st, const char *room_id)
{
    sqlite3_stmt *s = bind_texts(st, S_RFLAGS, 1, (const char *[]){room_id});
    int flags = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_reset(s);
    return flags;
}

int camas_store_room_set_flag(camas_store *st, const char *room_id, int flag)
{
    sqlite3_stmt *s = bind_texts(st, S_RSETFLAG, 1, (const char *[]){room_id});
    sqlite3_bind_int(s, 2, flag);
    return run_done(s);
}

int camas_store_room_clear_flag(camas_store *st, const char *room_id, int flag)
{
    sqlite3_stmt *s = bind_texts(st, S_RCLEARFLAG, 1, (const char *[]){room_id});
    sqlite3_bind_int(s, 2, flag);
    return run_done(s);
}

int camas_store_outbox_add(camas_store *st, const char *room_id, const char *event_type,
                           const char *content_json, const char *in_reply_to, char *txn_out)
{
    /* Random, not a counter: txnIds are scoped to the device, and a counter could repeat if
     * the database were ever reset while the device lives on. */
    char txn[40] = "camas.";
    camas_random_hex(txn + 6, 16);
    sqlite3_stmt *s = bind_texts(
        st, S_OADD, 5, (const char *[]){txn, room_id, event_type, content_json, in_reply_to});
    sqlite3_bind_int64(s, 6, camas_now_ms());
    if (run_done(s))
        return -1;
    if (txn_out)
        memcpy(txn_out, txn, sizeof txn);
    return 0;
}

int camas_store_outbox_peek(camas_store *st, camas_outbox_item *item)
{
    sqlite3_stmt *s = st->stmt[S_OPEEK];
    sqlite3_reset(s);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return -1;
    }
    item->seq = sqlite3_column_int64(s, 0);
    item->txn_id = column_dup(s, 1);
    item->room_id = column_dup(s, 2);
    item->event_type = column_dup(s, 3);
    item->content = column_dup(s, 4);
    item->in_reply_to = column_dup(s, 5);
    item->attempts = sqlite3_column_int(s, 6);
    sqlite3_reset(s);
    if (!item->txn_id || !item->room_id || !item->event_type || !item->content) {
        camas_outbox_item_free(item);
        return -1;
    }
    return 1;
}

int camas_store_outbox_count(camas_store *st)
{
    sqlite3_stmt *s = st->stmt[S_OCOUNT];
    sqlite3_reset(s);
    int n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_reset(s);
    return n;
}

int64_t camas_store_outbox_oldest_ms(camas_store *st)
{
    sqlite3_stmt *s = st->stmt[S_OOLDEST];
    sqlite3_reset(s);
    int64_t ms = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_reset(s);
    return ms;
}

int camas_store_outbox_sent(camas_store *st, const char *txn_id, const char *event_id)
{
    sqlite3_stmt *s = bind_texts(st, S_OSENT, 2, (const char *[]){txn_id, event_id});
    sqlite3_bind_int64(s, 3, camas_now_ms());
    return run_done(s);
}

int camas_store_outbox_drop(camas_store *st, const char *txn_id, const char *why)
{
    sqlite3_stmt *s = bind_texts(st, S_ODROP, 2, (const char *[]){txn_id, why});
    sqlite3_bind_int64(s, 3, camas_now_ms());
    return run_done(s);
}

int camas_store_outbox_bump_attempts(camas_store *st, const char *txn_id)
{
    return run_done(bind_texts(st, S_OBUMP, 1, (const char *[]){txn_id}));
}

int camas_store_outbox_echoed(camas_store *st, const char *txn_id, const char *event_id)
{
    sqlite3_stmt *s = bind_texts(st, S_OECHO, 2, (const char *[]){txn_id, event_id});
    sqlite3_bind_int64(s, 3, camas_now_ms());
    if (run_done(s))
        return -1;
    return sqlite3_changes(st->db);
}

int camas_store_outbox_drop_replies_to(camas_store *st, const char *question_event_id)
{
    if (run_done(bind_texts(st, S_ODROPQ, 1, (const char *[]){question_event_id})))
        return -1;
    return sqlite3_changes(st->db);
}

char *camas_store_reply_event_for(camas_store *st, const char *question_event_id,
                                  char **room_id_out)
{
    sqlite3_stmt *s = bind_texts(st, S_OREPLY, 1, (const char *[]){question_event_id});
    char *event_id = NULL;
    if (sqlite3_step(s) == SQLITE_ROW) {
        event_id = column_dup(s, 0);
        if (room_id_out)
            *room_id_out = column_dup(s, 1);
    }
    sqlite3_reset(s);
    return event_id;
}

void camas_outbox_item_free(camas_outbox_item *item)
{
    free(item->txn_id);
    free(item->room_id);
    free(item->event_type);
    free(item->content);
    free(item->in_reply_to);
    memset(item, 0, sizeof *item);
}

int camas_store_audit(camas_store *st, const char *actor, const char *action, const char *plugin,
                      const char *version, const char *sha256, const char *result,
                      const char *detail)
{
    sqlite3_stmt *s = st->stmt[S_AUDIT];
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    sqlite3_bind_int64(s, 1, camas_now_ms());
    const char *v[] = {actor, action, plugin, version, sha256, result, detail};
    for (int i = 0; i < 7; i++)
        sqlite3_bind_text(s, i + 2, v[i] ? v[i] : "", -1, SQLITE_TRANSIENT);
    return run_done(s);
}

int camas_store_audit_each(camas_store *st, camas_audit_fn fn, void *ud)
{
    sqlite3_stmt *s = st->stmt[S_AUDIT_LIST];
    sqlite3_reset(s);
    int n = 0, rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *t[7];
        for (int i = 0; i < 7; i++) {
            const unsigned char *c = sqlite3_column_text(s, i + 1);
            t[i] = c ? (const char *)c : "";
        }
        fn(ud, sqlite3_column_int64(s, 0), t[0], t[1], t[2], t[3], t[4], t[5], t[6]);
        n++;
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? n : -1;
}

int camas_store_inbox_add(camas_store *st, const camas_inbox_item *it)
{
    sqlite3_stmt *s =
        bind_texts(st, S_IADD, 8,
                   (const char *[]){it->event_id, it->room_id, it->sender, it->thread_root,
                                    it->text, it->lang, it->command, it->args});
    sqlite3_bind_int(s, 9, it->room_kind);
    sqlite3_bind_int(s, 10, it->danger);
    return run_done(s);
}

int camas_store_inbox_pending(camas_store *st, camas_inbox_item **items)
{
    *items = NULL;
    sqlite3_stmt *s = st->stmt[S_IPENDING];
    sqlite3_reset(s);
    int n = 0, cap = 0, rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            camas_inbox_item *grown = realloc(*items, (size_t)cap * sizeof *grown);
            if (!grown)
                break;
            *items = grown;
        }
        camas_inbox_item *it = &(*items)[n++];
        it->event_id = column_dup(s, 0);
        it->room_id = column_dup(s, 1);
        it->sender = column_dup(s, 2);
        it->thread_root = column_dup(s, 3);
        it->text = column_dup(s, 4);
        it->lang = column_dup(s, 5);
        it->command = column_dup(s, 6);
        it->args = column_dup(s, 7);
        it->room_kind = sqlite3_column_int(s, 8);
        it->danger = sqlite3_column_int(s, 9);
        if (it->danger < CAMAS_INBOX_SAFE || it->danger > CAMAS_INBOX_TOO_LONG)
            it->danger = CAMAS_INBOX_DANGER_DEFERRED; /* unknown: the hotline leads */
        it->attempts = sqlite3_column_int(s, 10);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        camas_inbox_items_free(*items, n);
        *items = NULL;
        return -1;
    }
    return n;
}

int camas_store_inbox_done(camas_store *st, const char *event_id)
{
    return run_done(bind_texts(st, S_IDONE, 1, (const char *[]){event_id}));
}

int camas_store_inbox_bump(camas_store *st, const char *event_id)
{
    return run_done(bind_texts(st, S_IBUMP, 1, (const char *[]){event_id}));
}

int camas_store_inbox_has(camas_store *st, const char *event_id)
{
    sqlite3_stmt *s = bind_texts(st, S_IHAS, 1, (const char *[]){event_id});
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int camas_store_inbox_drop_answered(camas_store *st, const char *event_id)
{
    sqlite3_stmt *s = bind_texts(st, S_IDROPANS, 1, (const char *[]){event_id});
    sqlite3_bind_int(s, 2, CAMAS_INBOX_DANGER_SENT);
    if (run_done(s))
        return -1;
    return sqlite3_changes(st->db);
}

void camas_inbox_item_free(camas_inbox_item *it)
{
    free(it->event_id);
    free(it->room_id);
    free(it->sender);
    free(it->thread_root);
    free(it->text);
    free(it->lang);
    free(it->command);
    free(it->args);
    memset(it, 0, sizeof *it);
}

void camas_inbox_items_free(camas_inbox_item *items, int n)
{
    for (int i = 0; i < n; i++)
        camas_inbox_item_free(&items[i]);
    free(items);
}

int camas_store_unanswered_add(camas_store *st, const char *normalised_question, int64_t keep_ms)
{
    sqlite3_stmt *s = bind_texts(st, S_UADD, 1, (const char *[]){normalised_question});
    sqlite3_bind_int64(s, 2, camas_now_ms());
    int rc = run_done(s);
    return rc == 0 && camas_store_unanswered_purge(st, keep_ms) < 0 ? -1 : rc;
}

int camas_store_unanswered_purge(camas_store *st, int64_t keep_ms)
{
    sqlite3_stmt *s = st->stmt[S_UPURGE];
    sqlite3_reset(s);
    sqlite3_bind_int64(s, 1, keep_ms > 0 ? camas_now_ms() - keep_ms : INT64_MAX);
    if (run_done(s) != 0)
        return -1;
    return sqlite3_changes(st->db);
}

int camas_store_unanswered_each(camas_store *st, camas_unanswered_fn fn, void *ud)
{
    sqlite3_stmt *s = st->stmt[S_ULIST];
    sqlite3_reset(s);
    int n = 0, rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const unsigned char *q = sqlite3_column_text(s, 0);
        fn(ud, q ? (const char *)q : "", sqlite3_column_int(s, 1), sqlite3_column_int64(s, 2));
        n++;
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? n : -1;
}

int camas_store_outbox_pending(camas_store *st, camas_outbox_item *items, int max)
{
    sqlite3_stmt *s = st->stmt[S_OPENDING];
    sqlite3_reset(s);
    sqlite3_bind_int(s, 1, max);
    int n = 0, rc;
    while (n < max && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        camas_outbox_item *it = &items[n];
        it->seq = sqlite3_column_int64(s, 0);
        it->txn_id = column_dup(s, 1);
        it->room_id = column_dup(s, 2);
        it->event_type = column_dup(s, 3);
        it->content = column_dup(s, 4);
        it->in_reply_to = column_dup(s, 5);
        it->attempts = sqlite3_column_int(s, 6);
        if (!it->txn_id || !it->room_id || !it->event_type || !it->content) {
            camas_outbox_item_free(it);
            continue;
        }
        n++;
    }
    sqlite3_reset(s);
    return n;
}
