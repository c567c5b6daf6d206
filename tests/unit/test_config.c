/* Unit tests for the YAML configuration loader: defaults, every key type, and errors that
 * name the file, line and key. */
#include "check.h"
#include "config.h"

#include <stdlib.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/camas-test-config-XXXXXX";

static const char *write_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* Loads text; returns the rc and leaves the error in err. */
static int load(const char *text, camas_config *cfg, char *err, size_t errlen)
{
    return camas_config_load(cfg, write_file("c.yaml", text), err, errlen);
}

static void expect_error(const char *text, const char *needle)
{
    camas_config cfg;
    char err[512] = "";
    int rc = load(text, &cfg, err, sizeof err);
    CHECK(rc == -1);
    if (!strstr(err, needle))
        fprintf(stderr, "  error was: %s (expected to contain %s)\n", err, needle);
    CHECK(strstr(err, needle) != NULL);
}

static void test_matching(void)
{
    camas_config cfg;
    char err[512] = "";
    CHECK(load("matching:\n  mode: lexical\n  model: /m.bin\n", &cfg, err, sizeof err) == 0);
    CHECK_STR(cfg.match_mode, "lexical");
    CHECK_STR(cfg.model_path, "/m.bin");
    camas_config_free(&cfg);
    CHECK(load("log_level: info\n", &cfg, err, sizeof err) == 0);
    CHECK_STR(cfg.match_mode, "hybrid");
    CHECK_STR(cfg.model_path, "");
    camas_config_free(&cfg);
}

int main(void)
{
    CHECK(mkdtemp(tmpdir) != NULL);
    camas_config cfg;
    char err[512];

    /* Defaults with no file. */
    CHECK(camas_config_load(&cfg, NULL, err, sizeof err) == 0);
    CHECK_STR(cfg.homeserver_url, "http://127.0.0.1:8008");
    CHECK(cfg.max_message_bytes == 4096);
    CHECK(cfg.help_user_per_minute == 6);
    CHECK(cfg.n_rooms == 0);
    camas_config_free(&cfg);

    /* An empty file is all defaults too. */
    CHECK(load("", &cfg, err, sizeof err) == 0);
    CHECK(cfg.sync_timeout_ms == 30000);
    camas_config_free(&cfg);

    /* Every kind of key. */
    const char *pwfile = write_file("pw", "s3cret\n");
    char full[2048];
    snprintf(full, sizeof full,
             "homeserver:\n  url: https://matrix.example.org/\n  ca_file: /etc/ca.pem\n"
             "auth:\n  user_id: '@bot:example.org'\n  password_file: %s\n"
             "state_dir: /var/lib/camas\n"
             "rooms:\n  - id: '#help:example.org'\n    kind: help\n"
             "  - id: '!abcdef'\n    kind: staff\n"
             "invites:\n  allow: ['@admin:example.org', ':example.org']\n"
             "admins: ['@admin:example.org']\n"
             "limits:\n  max_message_bytes: 100\n  help_user_per_minute: 2\n"
             "sync:\n  timeout_ms: 1000\n"
             "log_level: debug\n",
             pwfile);
    CHECK(load(full, &cfg, err, sizeof err) == 0);
    CHECK_STR(cfg.homeserver_url, "https://matrix.example.org/");
    CHECK_STR(cfg.password, "s3cret");
    CHECK(cfg.n_rooms == 2);
    CHECK(cfg.n_rooms == 2 && cfg.rooms[0].kind == CAMAS_ROOM_HELP);
    CHECK(cfg.n_rooms == 2 && cfg.rooms[1].kind == CAMAS_ROOM_STAFF);
    CHECK_STR(cfg.n_rooms == 2 ? cfg.rooms[1].id : NULL, "!abcdef");
    CHECK(cfg.n_invite_allow == 2);
    CHECK(cfg.n_admins == 1);
    CHECK(cfg.max_message_bytes == 100);
    CHECK(cfg.help_user_per_minute == 2);
    CHECK(cfg.help_room_per_minute == 30); /* untouched default */
    CHECK(cfg.sync_timeout_ms == 1000);
    camas_config_free(&cfg);

    /* Errors name the line and the key. */
    expect_error("homeserver:\n  url: http://x\nlimits:\n  max_message_bytes: lots\n",
                 "c.yaml:4: limits.max_message_bytes: expected a whole number");
    expect_error("homserver:\n  url: http://x\n", "c.yaml:1: homserver: unknown key");
    expect_error("homeserver:\n  url: ftp://x\n", "homeserver.url: expected an http");
    expect_error("rooms:\n  - id: help\n", "c.yaml:2: rooms.id: expected a room id");
    expect_error("rooms:\n  - id: '#a:b'\n    kind: public\n",
                 "c.yaml:3: rooms.kind: expected 'help' or 'staff'");
    expect_error("rooms:\n  - kind: help\n", "rooms: entry has no 'id'");
    expect_error("rooms: 5\n", "rooms: expected a list");
    expect_error("admins: ['bob']\n", "admins: expected a user id");
    expect_error("matching:\n  mode: smart\n", "matching.mode: expected hybrid, lexical or dense");
    test_matching();
    expect_error("invites:\n  allow: [bob]\n", "invites.allow: expected a user id");
    expect_error("limits:\n  max_message_bytes: -1\n", "from 1 to");
    expect_error("limits: [1, 2]\n", "limits: expected a section");
    expect_error("log_level: loud\n", "log_level: expected error, warn, info or debug");
    expect_error("auth:\n  password_file: /nonexistent/pw\n",
                 "auth.password_file: cannot read '/nonexistent/pw'");
    expect_error("homeserver: {url: [\n", "c.yaml:");
    expect_error("- just\n- a list\n", "(top level): expected a mapping");
    expect_error("auth:\n  user_id: '@nocolon'\n", "auth.user_id: expected @localpart:server");
    expect_error("encryption:\n  enabled: maybe\n", "encryption.enabled: expected true or false");

    /* Encryption: off by default; on only when built with it, and with transport sync. */
    CHECK(load("homeserver: {url: 'http://x'}\n", &cfg, err, sizeof err) == 0);
    CHECK(!cfg.encryption_enabled);
    CHECK_STR(cfg.encryption_passphrase_file, "");
    camas_config_free(&cfg);
#ifdef CAMAS_HAVE_ENCRYPTION
    CHECK(load("encryption:\n  enabled: true\n  passphrase_file: /s/p\n", &cfg, err, sizeof err) ==
          0);
    CHECK(cfg.encryption_enabled);
    CHECK_STR(cfg.encryption_passphrase_file, "/s/p");
    camas_config_free(&cfg);
    expect_error("transport: push\nappservice:\n  registration: r.yaml\n"
                 "encryption:\n  enabled: true\n",
                 "encryption.enabled: encryption works with transport: sync only");
#else
    expect_error("encryption:\n  enabled: true\n",
                 "encryption.enabled: this camas was built without encryption");
#endif

    /* A missing file. */
    CHECK(camas_config_load(&cfg, "/nonexistent/camas.yaml", err, sizeof err) == -1);
    CHECK(strstr(err, "/nonexistent/camas.yaml: cannot open") != NULL);

    /* Secrets never appear in error messages. */
    expect_error("auth:\n  password: hunter2\n  bogus: 1\n", "auth.bogus: unknown key");
    {
        camas_config c2;
        char e2[512];
        load("auth:\n  password: hunter2\n  bogus: 1\n", &c2, e2, sizeof e2);
        CHECK(strstr(e2, "hunter2") == NULL);
    }
    CHECK_STR(camas_room_kind_name(CAMAS_ROOM_DIRECT), "direct");
    return check_done("config");
}
