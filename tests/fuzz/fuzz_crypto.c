/* libFuzzer target: end-to-end encryption, the homeserver's bytes that camas hands to the
 * crypto library (crypto/camas_crypto.h, matrix-sdk-crypto) unparsed: the crypto parts of
 * /sync (to-device events, device list changes, one-time key counts), m.room.encrypted
 * events to decrypt, and the homeserver's answers to the requests the machine asked for
 * (keys upload, query and claim, to-device, signatures, room messages).
 *
 * An input is a list of records, each a header line and a body up to the next line starting
 * with '@':
 *   @sync            BODY: the crypto parts of a /sync response
 *   @decrypt ROOM    BODY: an m.room.encrypted event of room ROOM
 *   @sent TYPE       BODY: the 2xx answer to the machine's pending request of TYPE
 *                    (keys_upload, keys_query, keys_claim, to_device, signature_upload,
 *                    signing_keys_upload, room_message; a made-up id when none is pending)
 *   @track           BODY: room members to track (a JSON array of user ids)
 *   @claim           BODY: members whose sessions are missing (its keys_claim is then pending)
 *   @share ROOM      BODY: members to share ROOM's room key with
 * An input without a header line is a @sync body. The machine (user "@camas:fuzz") is opened
 * once per process on a store in a temporary directory, so what an input leaves in it (devices,
 * sessions) stays for the next inputs, as in a running camas.
 *
 * Checks, beyond the sanitizers: every call returns JSON, and no call reports a panic caught
 * inside the library (a panic is a bug even when it does not cross the FFI: the call fails, and
 * what the machine was doing is left half done). The Rust code is not instrumented for
 * coverage by default (scripts/fuzz says when it is).
 *
 * The seeds' device keys, cross-signing keys, one-time key and Megolm events were made by a
 * real machine of this library (@alice:example.org, ALICEDEVICE), so their signatures verify,
 * the claim opens an Olm session and the room key is shared with her; the Olm to-device
 * ciphertexts cannot be for the fuzz machine, whose keys are new in every process. */
#include "camas_crypto.h"

#include <cjson/cJSON.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static camas_crypto *machine;
static char store_dir[64];
static char claim_id[128]; /* the keys_claim of the last @claim, until marked sent */

/* Checks one answer of the library and frees it; returns it parsed (or NULL) for a look. */
static cJSON *take(char *s, const char *call)
{
    if (!s) {
        fprintf(stderr, "fuzz_crypto: %s returned NULL\n", call);
        abort();
    }
    cJSON *j = cJSON_Parse(s);
    if (!j) {
        fprintf(stderr, "fuzz_crypto: %s returned no JSON: %s\n", call, s);
        abort();
    }
    const char *err = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "error"));
    if (err && strcmp(err, "internal panic in camas_crypto") == 0) {
        fprintf(stderr, "fuzz_crypto: %s panicked inside the library: %s\n", call, err);
        abort();
    }
    camas_crypto_free_string(s);
    return j;
}

static void drop(char *s, const char *call)
{
    cJSON_Delete(take(s, call));
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* At exit the store goes; the machine stays open (reachable, so no leak is reported): closed
 * from an atexit handler it would be left unfreed by design (test_crypto_exit.c). */
static void remove_store(void)
{
    nftw(store_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* in memory when there is /dev/shm: the store commits at every call */
    snprintf(store_dir, sizeof store_dir, "/dev/shm/camas-fuzz-crypto-XXXXXX");
    if (!mkdtemp(store_dir)) {
        snprintf(store_dir, sizeof store_dir, "/tmp/camas-fuzz-crypto-XXXXXX");
        if (!mkdtemp(store_dir)) {
            perror("fuzz_crypto: mkdtemp");
            abort();
        }
    }
    char *err = NULL;
    machine = camas_crypto_open("@camas:fuzz", "FUZZDEVICE", store_dir, "fuzz passphrase", &err);
    if (!machine) {
        fprintf(stderr, "fuzz_crypto: cannot open the machine: %s\n", err ? err : "?");
        abort();
    }
    atexit(remove_store);
    /* The device keys uploaded, as after camas's first start: later inputs meet a machine in
     * its usual state. */
    cJSON *out = take(camas_crypto_outgoing_requests(machine), "outgoing_requests");
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(out, "requests"))
    {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "id"));
        const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "type"));
        if (id && type && strcmp(type, "keys_upload") == 0)
            drop(camas_crypto_mark_sent(machine, id, type,
                                        "{\"one_time_key_counts\":{\"signed_curve25519\":50}}"),
                 "mark_sent");
    }
    cJSON_Delete(out);
    return 0;
}

/* The id of the pending request of type, copied to id (a made-up one when none is pending). */
static void pending_id(const char *type, char *id, size_t size)
{
    snprintf(id, size, "fuzz-%s", type);
    if (strcmp(type, "keys_claim") == 0 && claim_id[0]) {
        snprintf(id, size, "%s", claim_id);
        claim_id[0] = '\0';
        return;
    }
    cJSON *out = take(camas_crypto_outgoing_requests(machine), "outgoing_requests");
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(out, "requests"))
    {
        const char *rid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "id"));
        const char *rtype = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "type"));
        if (rid && rtype && strcmp(rtype, type) == 0) {
            snprintf(id, size, "%s", rid);
            break;
        }
    }
    cJSON_Delete(out);
}

/* Runs one record: header (NUL-terminated, without the '@') and body (NUL-terminated). */
static void run_record(const char *header, const char *body)
{
    char verb[16] = "", arg[256] = "";
    if (sscanf(header, "%15s %255s", verb, arg) < 1)
        return;
    if (strcmp(verb, "sync") == 0) {
        drop(camas_crypto_receive_sync(machine, body), "receive_sync");
    } else if (strcmp(verb, "decrypt") == 0) {
        drop(camas_crypto_decrypt(machine, arg, body), "decrypt");
    } else if (strcmp(verb, "sent") == 0) {
        char id[128];
        pending_id(arg, id, sizeof id);
        drop(camas_crypto_mark_sent(machine, id, arg, body), "mark_sent");
    } else if (strcmp(verb, "track") == 0) {
        drop(camas_crypto_track_users(machine, body), "track_users");
    } else if (strcmp(verb, "claim") == 0) {
        cJSON *r = take(camas_crypto_missing_sessions(machine, body), "missing_sessions");
        const cJSON *req = cJSON_GetObjectItemCaseSensitive(r, "request");
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "id"));
        if (id)
            snprintf(claim_id, sizeof claim_id, "%s", id);
        cJSON_Delete(r);
    } else if (strcmp(verb, "share") == 0) {
        drop(camas_crypto_share_room_key(machine, arg, body), "share_room_key");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20)
        return 0;
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    if (size == 0 || buf[0] != '@') {
        drop(camas_crypto_receive_sync(machine, buf), "receive_sync");
    } else {
        /* records: '@' HEADER '\n' BODY, up to the next "\n@" */
        char *p = buf;
        while (p) {
            char *next = strstr(p, "\n@");
            if (next)
                *next = '\0';
            char *nl = strchr(p, '\n');
            char *body = nl ? nl + 1 : p + strlen(p);
            if (nl)
                *nl = '\0';
            run_record(p + 1, body);
            p = next ? next + 1 : NULL;
        }
    }
    free(buf);
    return 0;
}
