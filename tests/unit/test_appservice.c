/* Unit tests for appservice support: event-stream frame classification (malformed, oversized,
 * unknown commands, transactions, responses) and registration files. */
#include "appservice.h"
#include "check.h"

#include <sodium.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static camas_as_frame_kind kind_of(const char *text)
{
    camas_as_frame f;
    camas_as_frame_parse(text, strlen(text), &f);
    camas_as_frame_kind k = f.kind;
    camas_as_frame_clear(&f);
    return k;
}

int main(void)
{
    CHECK(sodium_init() >= 0);
    camas_as_frame f;

    CHECK(kind_of("{\"status\":\"connected\"}") == CAMAS_AS_FRAME_CONNECTED);
    CHECK(kind_of("{\"status\": \"connected\"}") == CAMAS_AS_FRAME_CONNECTED);

    const char *txn =
        "{\"status\":\"ok\",\"txn_id\":\"42\",\"events\":[{\"type\":\"m.room.message\"}],"
        "\"ephemeral\":[]}";
    camas_as_frame_parse(txn, strlen(txn), &f);
    CHECK(f.kind == CAMAS_AS_FRAME_TRANSACTION);
    CHECK_STR(f.txn_id, "42");
    CHECK(cJSON_GetArraySize(f.events) == 1);
    camas_as_frame_clear(&f);
    /* A transaction without events is fine (ephemeral only); one without txn_id is not. */
    CHECK(kind_of("{\"status\":\"ok\",\"txn_id\":\"43\"}") == CAMAS_AS_FRAME_TRANSACTION);
    CHECK(kind_of("{\"status\":\"ok\",\"events\":[]}") == CAMAS_AS_FRAME_MALFORMED);
    CHECK(kind_of("{\"status\":\"ok\",\"txn_id\":\"\",\"events\":[]}") == CAMAS_AS_FRAME_MALFORMED);
    CHECK(kind_of("{\"status\":\"ok\",\"txn_id\":5,\"events\":[]}") == CAMAS_AS_FRAME_MALFORMED);
    CHECK(kind_of("{\"status\":\"ok\",\"txn_id\":\"1\",\"events\":{}}") ==
          CAMAS_AS_FRAME_MALFORMED);
    CHECK(kind_of("{\"status\":\"something-new\"}") == CAMAS_AS_FRAME_OTHER);

    const char *ping = "{\"id\":7,\"command\":\"ping\",\"data\":{\"timestamp\":1}}";
    camas_as_frame_parse(ping, strlen(ping), &f);
    CHECK(f.kind == CAMAS_AS_FRAME_REQUEST && f.id == 7);
    CHECK_STR(f.command, "ping");
    camas_as_frame_clear(&f);
    const char *unknown = "{\"id\":8,\"command\":\"frobnicate\",\"data\":null}";
    camas_as_frame_parse(unknown, strlen(unknown), &f);
    CHECK(f.kind == CAMAS_AS_FRAME_REQUEST && f.id == 8);
    CHECK_STR(f.command, "frobnicate");
    camas_as_frame_clear(&f);
    camas_as_frame_parse("{\"command\":\"ping\"}", 18, &f);
    CHECK(f.kind == CAMAS_AS_FRAME_REQUEST && f.id == 0); /* no reply wanted */
    camas_as_frame_clear(&f);
    camas_as_frame_parse("{\"id\":3,\"command\":\"error\",\"data\":{}}", 36, &f);
    CHECK(f.kind == CAMAS_AS_FRAME_RESPONSE && f.is_error && f.id == 3);
    camas_as_frame_clear(&f);
    CHECK(kind_of("{\"id\":3,\"command\":\"response\"}") == CAMAS_AS_FRAME_RESPONSE);

    /* Malformed input of every kind. */
    CHECK(kind_of("") == CAMAS_AS_FRAME_MALFORMED);
    CHECK(kind_of("not json") == CAMAS_AS_FRAME_MALFORMED);
    CHECK(kind_of("{\"status\":") == CAMAS_AS_FRAME_MALFORMED);
    CHECK(kind_of("[1,2]") == CAMAS_AS_FRAME_MALFORMED);
    CHECK(kind_of("\"connected\"") == CAMAS_AS_FRAME_MALFORMED);
    CHECK(kind_of("{}") == CAMAS_AS_FRAME_MALFORMED);
    CHECK(kind_of("{\"id\":\"7\",\"command\":\"ping\"}") == CAMAS_AS_FRAME_MALFORMED);
    CHECK(kind_of("{\"id\":-1,\"command\":\"ping\"}") == CAMAS_AS_FRAME_MALFORMED);
    CHECK(kind_of("{\"command\":7}") == CAMAS_AS_FRAME_MALFORMED);
    char binaryish[] = {'{', '\x00', '\xff', '}'};
    camas_as_frame_parse(binaryish, sizeof binaryish, &f);
    CHECK(f.kind == CAMAS_AS_FRAME_MALFORMED);
    camas_as_frame_clear(&f);
    camas_as_frame_parse(NULL, 0, &f);
    CHECK(f.kind == CAMAS_AS_FRAME_MALFORMED);
    /* Oversized frames are refused before parsing. */
    camas_as_frame_parse("{}", CAMAS_AS_FRAME_MAX + 1, &f);
    CHECK(f.kind == CAMAS_AS_FRAME_MALFORMED && f.json == NULL);
    /* Deep nesting does not crash the parser. */
    size_t depth = 100000;
    char *deep = malloc(depth * 2 + 1);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[depth * 2] = '\0';
    camas_as_frame_parse(deep, depth * 2, &f);
    CHECK(f.kind == CAMAS_AS_FRAME_MALFORMED);
    camas_as_frame_clear(&f);
    free(deep);

    char *reply = camas_as_reply(9, false, NULL);
    CHECK_STR(reply, "{\"id\":9,\"command\":\"response\",\"data\":{}}");
    free(reply);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "message", "unknown command x");
    reply = camas_as_reply(10, true, d);
    CHECK_STR(reply,
              "{\"id\":10,\"command\":\"error\",\"data\":{\"message\":\"unknown command x\"}}");
    free(reply);
    cJSON_Delete(d);

    /* Registration files. */
    char dir[] = "/tmp/camas-test-as-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128], err[600];
    snprintf(path, sizeof path, "%s/reg.yaml", dir);
    CHECK(camas_registration_write(path, "camas", "http://127.0.0.1:9", "camas", "ex.org", false,
                                   err, sizeof err) == 0);
    struct stat sb;
    CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
    camas_registration r1, r2;
    CHECK(camas_registration_load(path, &r1, err, sizeof err) == 0);
    CHECK(strlen(r1.as_token) == 64 && strlen(r1.hs_token) == 64);
    CHECK(strcmp(r1.as_token, r1.hs_token) != 0);
    CHECK_STR(r1.sender_localpart, "camas");
    CHECK_STR(r1.url, "http://127.0.0.1:9");
    CHECK(camas_registration_write(path, "camas", "http://127.0.0.1:9", "camas", "ex.org", false,
                                   err, sizeof err) == -1);
    CHECK(strstr(err, "--force") != NULL);
    CHECK(camas_registration_write(path, "camas", "http://127.0.0.1:9", "camas", "ex.org", true,
                                   err, sizeof err) == 0);
    CHECK(camas_registration_load(path, &r2, err, sizeof err) == 0);
    CHECK(strcmp(r1.as_token, r2.as_token) != 0); /* fresh tokens */
    FILE *fp = fopen(path, "r");
    char text[2048] = "";
    size_t n = fread(text, 1, sizeof text - 1, fp);
    text[n] = '\0';
    fclose(fp);
    CHECK(strstr(text, "regex: '^@camas:ex\\.org$'") != NULL);
    CHECK(strstr(text, "exclusive: true") != NULL);
    CHECK(strstr(text, "rate_limited: false") != NULL);
    CHECK(camas_registration_write(path, "camas", "ftp://x", "camas", "ex.org", true, err,
                                   sizeof err) == -1);
    CHECK(camas_registration_write(path, "camas", "http://x", "Bad Name", "ex.org", true, err,
                                   sizeof err) == -1);
    fp = fopen(path, "w");
    fputs("id: camas\nurl: x\nas_token: ''\n", fp);
    fclose(fp);
    CHECK(camas_registration_load(path, &r1, err, sizeof err) == -1);
    CHECK(strstr(err, "as_token: expected a non-empty string") != NULL);
    CHECK(camas_registration_load("/nonexistent/reg.yaml", &r1, err, sizeof err) == -1);
    unlink(path);
    rmdir(dir);
    return check_done("appservice");
}
