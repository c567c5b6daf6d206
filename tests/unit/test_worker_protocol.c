/* Unit tests for the worker protocol (worker_protocol.h): every op's name on the wire
 * round-trips and nothing else parses as an op; frames keep their byte layout with the named
 * string indices, round-trip, and refuse anything malformed; each JSON message encodes the
 * fields its op has, no others, and decodes back to them. */
#include "check.h"
#include "worker_protocol.h"

#include <stdlib.h>
#include <string.h>

/* The names on the wire: pinned here, since a worker and a core of different builds never
 * meet but a renamed op would silently turn into an unknown one somewhere. */
static const struct {
    enum camas_ipc_op op;
    const char *name;
    bool from_worker;
} wire[] = {
    {CAMAS_IPC_OP_LOAD, "load", false},
    {CAMAS_IPC_OP_UNLOAD, "unload", false},
    {CAMAS_IPC_OP_RELOAD_SHARED, "reload_shared", false},
    {CAMAS_IPC_OP_READY, "ready", true},
    {CAMAS_IPC_OP_UNDERSTANDING, "understanding", true},
    {CAMAS_IPC_OP_LOADED, "loaded", true},
    {CAMAS_IPC_OP_UNLOADED, "unloaded", true},
    {CAMAS_IPC_OP_SHARED, "shared", true},
};
#define N_WIRE (sizeof wire / sizeof wire[0])

static void test_op_names(void)
{
    CHECK(N_WIRE == CAMAS_IPC_OP_COUNT - 1); /* every op is pinned above */
    for (size_t i = 0; i < N_WIRE; i++) {
        CHECK_STR(camas_ipc_op_name(wire[i].op), wire[i].name);
        CHECK(camas_ipc_op_parse(wire[i].name) == wire[i].op);
        CHECK(camas_ipc_op_from_worker(wire[i].op) == wire[i].from_worker);
    }
    /* every op, by its enum value: named, and the name parses back to it */
    for (int op = CAMAS_IPC_OP_UNKNOWN + 1; op < CAMAS_IPC_OP_COUNT; op++) {
        const char *name = camas_ipc_op_name((enum camas_ipc_op)op);
        CHECK(name != NULL && camas_ipc_op_parse(name) == (enum camas_ipc_op)op);
    }
    CHECK(camas_ipc_op_name(CAMAS_IPC_OP_UNKNOWN) == NULL);
    CHECK(camas_ipc_op_name(CAMAS_IPC_OP_COUNT) == NULL);
    CHECK(!camas_ipc_op_from_worker(CAMAS_IPC_OP_UNKNOWN));
    static const char *const unknown[] = {"",       "LOAD",    "load ",   " load",
                                          "loa",    "loaded2", "ask",     "answer",
                                          "reload", "op",      "unknown", "shared\n"};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        CHECK(camas_ipc_op_parse(unknown[i]) == CAMAS_IPC_OP_UNKNOWN);
    CHECK(camas_ipc_op_parse(NULL) == CAMAS_IPC_OP_UNKNOWN);
}

/* The fixed header (kind, the room-kind-or-abstained byte, flags, 5 bytes of padding, id,
 * now_ms, confidence: 32 bytes, host byte order), then the strings in the order of the
 * named indices: the layout the named fields must not have changed. */
static void expect_layout(const char *buf, size_t len, uint8_t kind, uint8_t byte1, uint8_t flags,
                          int64_t id, int64_t now_ms, double confidence, const char *strings,
                          size_t strings_len)
{
    CHECK(len == 32 + strings_len);
    if (len != 32 + strings_len)
        return;
    CHECK((uint8_t)buf[0] == kind && (uint8_t)buf[1] == byte1 && (uint8_t)buf[2] == flags);
    static const char pad[5];
    CHECK(memcmp(buf + 3, pad, 5) == 0);
    int64_t i64;
    double d;
    memcpy(&i64, buf + 8, 8);
    CHECK(i64 == id);
    memcpy(&i64, buf + 16, 8);
    CHECK(i64 == now_ms);
    memcpy(&d, buf + 24, 8);
    CHECK(d == confidence);
    CHECK(memcmp(buf + 32, strings, strings_len) == 0);
}

static void test_frame_layout(void)
{
    camas_ipc_frame ask = {.kind = CAMAS_IPC_ASK,
                           .room_kind = 1,
                           .flags = CAMAS_IPC_PATTERNS_FIRED | CAMAS_IPC_LANG_FORCED,
                           .id = 77,
                           .now_ms = 1764361234567,
                           .s = {[CAMAS_IPC_ASK_CONTEXT] = CAMAS_IPC_CONTEXT_PREV "before",
                                 [CAMAS_IPC_ASK_ARGS] = "washact",
                                 [CAMAS_IPC_ASK_COMMAND] = "meetings",
                                 [CAMAS_IPC_ASK_TEXT] = "text",
                                 [CAMAS_IPC_ASK_MATCH_LANG] = "en",
                                 [CAMAS_IPC_ASK_LANG] = "fr"}};
    size_t len;
    char *buf = camas_ipc_frame_encode(&ask, &len);
    static const char ask_strings[] = "fr\0en\0text\0meetings\0washact\0prev:before";
    CHECK(buf != NULL);
    if (buf)
        expect_layout(buf, len, 1, 1, 0x18, 77, 1764361234567, 0, ask_strings, sizeof ask_strings);
    camas_ipc_frame g;
    CHECK(buf && camas_ipc_frame_decode(buf, len, &g) == 0);
    CHECK(g.kind == CAMAS_IPC_ASK && g.room_kind == 1 && g.flags == 0x18);
    CHECK_STR(g.s[CAMAS_IPC_ASK_LANG], "fr");
    CHECK_STR(g.s[CAMAS_IPC_ASK_MATCH_LANG], "en");
    CHECK_STR(g.s[CAMAS_IPC_ASK_TEXT], "text");
    CHECK_STR(g.s[CAMAS_IPC_ASK_COMMAND], "meetings");
    CHECK_STR(g.s[CAMAS_IPC_ASK_ARGS], "washact");
    CHECK_STR(camas_ipc_context_after(g.s[CAMAS_IPC_ASK_CONTEXT], CAMAS_IPC_CONTEXT_PREV),
              "before");
    CHECK(camas_ipc_context_after(g.s[CAMAS_IPC_ASK_CONTEXT], CAMAS_IPC_CONTEXT_PICK) == NULL);
    CHECK(buf && camas_ipc_is_frame(buf, len));
    free(buf);

    camas_ipc_frame answer = {.kind = CAMAS_IPC_ANSWER,
                              .abstained = 1,
                              .flags = CAMAS_IPC_DANGER_STRONG | CAMAS_IPC_CLARIFY,
                              .id = 78,
                              .confidence = 0.5,
                              .s = {[CAMAS_IPC_ANSWER_UNDERSTOOD] = "q",
                                    [CAMAS_IPC_ANSWER_ENTRY] = "a\nb",
                                    [CAMAS_IPC_ANSWER_PLUGIN] = "faq",
                                    [CAMAS_IPC_ANSWER_HTML] = "<p>x</p>",
                                    [CAMAS_IPC_ANSWER_PLAIN] = "x",
                                    [CAMAS_IPC_ANSWER_LANG] = "en"}};
    buf = camas_ipc_frame_encode(&answer, &len);
    static const char answer_strings[] = "en\0x\0<p>x</p>\0faq\0a\nb\0q";
    CHECK(buf != NULL);
    if (buf)
        expect_layout(buf, len, 2, 1, 0x06, 78, 0, 0.5, answer_strings, sizeof answer_strings);
    CHECK(buf && camas_ipc_frame_decode(buf, len, &g) == 0);
    CHECK(g.kind == CAMAS_IPC_ANSWER && g.abstained == 1 && g.confidence == 0.5);
    CHECK_STR(g.s[CAMAS_IPC_ANSWER_ENTRY], "a\nb");
    CHECK_STR(g.s[CAMAS_IPC_ANSWER_UNDERSTOOD], "q");
    free(buf);

    CHECK(!camas_ipc_is_frame("{\"op\":\"ready\"}", 14));
    CHECK(!camas_ipc_is_frame("\x01", 0));
    CHECK(camas_ipc_context_after("pick:faq.chair", CAMAS_IPC_CONTEXT_PICK) != NULL);
    CHECK(camas_ipc_context_after(NULL, CAMAS_IPC_CONTEXT_PICK) == NULL);
}

static void test_frame_round_trip(void)
{
    camas_ipc_frame f = {.kind = CAMAS_IPC_ASK,
                         .room_kind = 2,
                         .id = 1234567890123,
                         .now_ms = 1764361234567,
                         .s = {[CAMAS_IPC_ASK_LANG] = "fr",
                               [CAMAS_IPC_ASK_MATCH_LANG] = "en",
                               [CAMAS_IPC_ASK_TEXT] = "Qui préside la WashACT ?",
                               [CAMAS_IPC_ASK_COMMAND] = NULL,
                               [CAMAS_IPC_ASK_ARGS] = ""}};
    size_t len = 0;
    char *buf = camas_ipc_frame_encode(&f, &len);
    CHECK(buf != NULL && len > 0);
    camas_ipc_frame g;
    CHECK(camas_ipc_frame_decode(buf, len, &g) == 0);
    CHECK(g.kind == CAMAS_IPC_ASK && g.room_kind == 2);
    CHECK(g.id == 1234567890123 && g.now_ms == 1764361234567);
    CHECK_STR(g.s[CAMAS_IPC_ASK_LANG], "fr");
    CHECK_STR(g.s[CAMAS_IPC_ASK_MATCH_LANG], "en");
    CHECK_STR(g.s[CAMAS_IPC_ASK_TEXT], "Qui préside la WashACT ?");
    CHECK_STR(g.s[CAMAS_IPC_ASK_COMMAND], ""); /* NULL travels as "" */
    CHECK_STR(g.s[CAMAS_IPC_ASK_ARGS], "");
    CHECK_STR(g.s[CAMAS_IPC_ASK_CONTEXT], "");

    /* every truncation, and every extra byte, is refused */
    for (size_t n = 0; n < len; n++)
        CHECK(camas_ipc_frame_decode(buf, n, &g) == -1);
    char *longer = malloc(len + 1);
    memcpy(longer, buf, len);
    longer[len] = 'x';
    CHECK(camas_ipc_frame_decode(longer, len + 1, &g) == -1);
    /* a string whose terminator is gone runs into the next one: one string short */
    char *last_nul = longer + len - 1;
    *last_nul = 'y';
    CHECK(camas_ipc_frame_decode(longer, len, &g) == -1);
    free(longer);
    /* unknown kinds, and JSON, are not frames */
    buf[0] = 9;
    CHECK(camas_ipc_frame_decode(buf, len, &g) == -1 && !camas_ipc_is_frame(buf, len));
    buf[0] = '{';
    CHECK(camas_ipc_frame_decode(buf, len, &g) == -1 && !camas_ipc_is_frame(buf, len));
    free(buf);

    camas_ipc_frame a = {.kind = CAMAS_IPC_ANSWER,
                         .abstained = 1,
                         .id = 7,
                         .confidence = 0.8125,
                         .s = {[CAMAS_IPC_ANSWER_LANG] = "en",
                               [CAMAS_IPC_ANSWER_PLAIN] = "plain",
                               [CAMAS_IPC_ANSWER_HTML] = "<p>html</p>",
                               [CAMAS_IPC_ANSWER_PLUGIN] = "faq",
                               [CAMAS_IPC_ANSWER_ENTRY] = "faq.chair"}};
    buf = camas_ipc_frame_encode(&a, &len);
    CHECK(buf && camas_ipc_frame_decode(buf, len, &g) == 0);
    CHECK(g.kind == CAMAS_IPC_ANSWER && g.abstained == 1 && g.id == 7 && g.confidence == 0.8125);
    CHECK_STR(g.s[CAMAS_IPC_ANSWER_ENTRY], "faq.chair");
    free(buf);

    /* too big for one datagram */
    char *huge = malloc(CAMAS_IPC_MAX + 1);
    memset(huge, 'a', CAMAS_IPC_MAX);
    huge[CAMAS_IPC_MAX] = '\0';
    a.s[CAMAS_IPC_ANSWER_PLAIN] = huge;
    CHECK(camas_ipc_frame_encode(&a, &len) == NULL);
    free(huge);
}

/* The members of o in the order they were added, as "a,b,c". */
static void members(const cJSON *o, char *out, size_t cap)
{
    out[0] = '\0';
    const cJSON *e;
    cJSON_ArrayForEach(e, o)
    {
        size_t at = strlen(out);
        snprintf(out + at, cap - at, "%s%s", at ? "," : "", e->string);
    }
}

/* Every op encodes exactly the members worker_protocol.h lists for it, and decodes back. */
static void test_messages(void)
{
    cJSON *declared = cJSON_CreateArray();
    cJSON_AddItemToArray(declared, cJSON_CreateString("meetings"));
    cJSON *registered = cJSON_CreateArray();
    cJSON_AddItemToArray(registered,
                         camas_ipc_command_new("meetings", "!meetings BODY", "!réunions"));
    cJSON *errors = cJSON_CreateArray();
    cJSON_AddItemToArray(errors, cJSON_CreateString("bodies.yaml:3: no id"));
    /* every field set, so that only the op decides what is encoded */
    camas_ipc_msg all = {.id = 42,
                         .name = "faq",
                         .version = "1.2.0",
                         .knowledge = "faq",
                         .error = "init failed",
                         .help_rooms = true,
                         .ok = true,
                         .warm = true,
                         .semantic = true,
                         .commands = declared,
                         .errors = errors};
    static const struct {
        enum camas_ipc_op op;
        const char *members;
    } expect[] = {
        {CAMAS_IPC_OP_LOAD, "op,id,name,version,knowledge,help_rooms,commands"},
        {CAMAS_IPC_OP_UNLOAD, "op,id,name"},
        {CAMAS_IPC_OP_RELOAD_SHARED, "op,id"},
        {CAMAS_IPC_OP_READY, "op,errors,warm"},
        {CAMAS_IPC_OP_UNDERSTANDING, "op,mode,warm"},
        {CAMAS_IPC_OP_LOADED, "op,id,name,version,commands,ok,error,errors,warm"},
        {CAMAS_IPC_OP_UNLOADED, "op,id,name,ok,warm"},
        {CAMAS_IPC_OP_SHARED, "op,id,ok,errors,warm"},
    };
    CHECK(sizeof expect / sizeof expect[0] == CAMAS_IPC_OP_COUNT - 1);
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        camas_ipc_msg m = all;
        m.op = expect[i].op;
        cJSON *json = camas_ipc_msg_encode(&m);
        CHECK(json != NULL);
        char got[200];
        members(json, got, sizeof got);
        CHECK_STR(got, expect[i].members);
        CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(json, "op")),
                  camas_ipc_op_name(m.op));
        camas_ipc_msg d;
        CHECK(camas_ipc_msg_decode(json, &d) == 0);
        CHECK(d.op == m.op);
        CHECK_STR(d.op_text, camas_ipc_op_name(m.op));
        bool has_id = strstr(expect[i].members, "id") != NULL;
        CHECK(d.id == (has_id ? 42 : 0));
        if (strstr(expect[i].members, "name"))
            CHECK_STR(d.name, "faq");
        if (strstr(expect[i].members, "knowledge"))
            CHECK_STR(d.knowledge, "faq");
        if (strstr(expect[i].members, "version"))
            CHECK_STR(d.version, "1.2.0");
        if (strstr(expect[i].members, "error,"))
            CHECK_STR(d.error, "init failed");
        if (strstr(expect[i].members, "errors"))
            CHECK(cJSON_Compare(d.errors, errors, true));
        if (strstr(expect[i].members, "commands"))
            CHECK(cJSON_Compare(d.commands, declared, true));
        CHECK(d.ok == (strstr(expect[i].members, ",ok") != NULL));
        CHECK(d.help_rooms == (m.op == CAMAS_IPC_OP_LOAD));
        CHECK(d.warm == camas_ipc_op_from_worker(m.op));
        CHECK(d.semantic == (m.op == CAMAS_IPC_OP_UNDERSTANDING));
        cJSON_Delete(json);
    }

    /* lexical, false, and absent strings */
    camas_ipc_msg m = {.op = CAMAS_IPC_OP_UNDERSTANDING};
    cJSON *json = camas_ipc_msg_encode(&m);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(json, "mode")), "lexical");
    cJSON_Delete(json);
    m = (camas_ipc_msg){.op = CAMAS_IPC_OP_LOADED, .id = 3, .error = "dlopen failed"};
    json = camas_ipc_msg_encode(&m);
    char got[200];
    members(json, got, sizeof got);
    CHECK_STR(got, "op,id,ok,error,warm");
    cJSON_Delete(json);
    /* a registered command, as loaded carries it */
    m = (camas_ipc_msg){.op = CAMAS_IPC_OP_LOADED, .id = 3, .ok = true, .commands = registered};
    json = camas_ipc_msg_encode(&m);
    camas_ipc_msg d;
    CHECK(camas_ipc_msg_decode(json, &d) == 0);
    const cJSON *c = cJSON_GetArrayItem(d.commands, 0);
    CHECK_STR(camas_ipc_command_name(c), "meetings");
    CHECK_STR(camas_ipc_command_usage(c, false), "!meetings BODY");
    CHECK_STR(camas_ipc_command_usage(c, true), "!réunions");
    CHECK(camas_ipc_command_name(cJSON_GetArrayItem(d.commands, 1)) == NULL);
    cJSON_Delete(json);
    /* nothing to encode without a known op */
    m = (camas_ipc_msg){.op = CAMAS_IPC_OP_UNKNOWN};
    CHECK(camas_ipc_msg_encode(&m) == NULL);
    m.op = CAMAS_IPC_OP_COUNT;
    CHECK(camas_ipc_msg_encode(&m) == NULL);
    cJSON_Delete(declared);
    cJSON_Delete(registered);
    cJSON_Delete(errors);
}

static int decode_text(const char *text, camas_ipc_msg *m)
{
    cJSON *json = cJSON_Parse(text);
    int rc = json ? camas_ipc_msg_decode(json, m) : -2;
    cJSON_Delete(json); /* m's pointers die here: the tests below read none of them */
    return rc;
}

/* What the worker may send is untrusted: what does not fit is left out, never guessed. */
static void test_decode_hostile(void)
{
    camas_ipc_msg m;
    CHECK(decode_text("{}", &m) == -1 && m.op == CAMAS_IPC_OP_UNKNOWN);
    CHECK(decode_text("{\"op\": 1}", &m) == -1);
    CHECK(decode_text("{\"op\": null, \"id\": 4}", &m) == -1 && m.id == 0);
    CHECK(decode_text("{\"op\": \"LOADED\", \"id\": 4}", &m) == 0);
    CHECK(m.op == CAMAS_IPC_OP_UNKNOWN && m.id == 4);
    CHECK(decode_text("{\"op\": \"loaded\", \"id\": 0}", &m) == 0 && m.id == 0);
    CHECK(decode_text("{\"op\": \"loaded\", \"id\": -5}", &m) == 0 && m.id == 0);
    CHECK(decode_text("{\"op\": \"loaded\", \"id\": 9007199254740994}", &m) == 0 && m.id == 0);
    CHECK(decode_text("{\"op\": \"loaded\", \"id\": \"4\"}", &m) == 0 && m.id == 0);
    CHECK(decode_text("{\"op\": \"loaded\", \"id\": 9007199254740992}", &m) == 0 &&
          m.id == INT64_C(9007199254740992));
    CHECK(decode_text("{\"op\": \"loaded\", \"ok\": 1, \"warm\": \"true\"}", &m) == 0);
    CHECK(!m.ok && !m.warm);
    CHECK(decode_text("{\"op\": \"shared\", \"errors\": {\"a\": \"b\"}, \"commands\": \"x\"}",
                      &m) == 0);
    CHECK(m.errors == NULL && m.commands == NULL);
    CHECK(decode_text("{\"op\": \"loaded\", \"name\": 5, \"version\": [], \"error\": {}}", &m) ==
          0);
    CHECK(m.name == NULL && m.version == NULL && m.error == NULL);
    CHECK(decode_text("{\"op\": \"understanding\", \"mode\": \"SEMANTIC\"}", &m) == 0);
    CHECK(!m.semantic);
}

/* A field copied whole (loaded's commands) may hold a repeated key: it is copied as sent,
 * in order, and encodes the same on a second pass (fuzz_ipc compares the two as text, since
 * cJSON_Compare finds such an object unequal to its own copy; seed
 * corpus/ipc/loaded-duplicate-keys.json). */
static void test_repeated_keys(void)
{
    cJSON *in = cJSON_Parse("{\"op\":\"loaded\",\"ok\":true,"
                            "\"commands\":[{\"command\":\"!faq\",\"command\":\"!faq2\"}]}");
    camas_ipc_msg m, n;
    CHECK(in && camas_ipc_msg_decode(in, &m) == 0 && m.op == CAMAS_IPC_OP_LOADED);
    cJSON *again = camas_ipc_msg_encode(&m);
    CHECK(again && camas_ipc_msg_decode(again, &n) == 0);
    cJSON *third = camas_ipc_msg_encode(&n);
    char *a = cJSON_PrintUnformatted(again), *b = cJSON_PrintUnformatted(third);
    CHECK(a && b && strcmp(a, b) == 0);
    CHECK(a && strstr(a, "[{\"command\":\"!faq\",\"command\":\"!faq2\"}]") != NULL);
    CHECK(!cJSON_Compare(again, third, true)); /* why fuzz_ipc compares text */
    free(a);
    free(b);
    cJSON_Delete(third);
    cJSON_Delete(again);
    cJSON_Delete(in);
}

int main(void)
{
    test_op_names();
    test_frame_layout();
    test_frame_round_trip();
    test_messages();
    test_decode_hostile();
    test_repeated_keys();
    return check_done("worker_protocol");
}
