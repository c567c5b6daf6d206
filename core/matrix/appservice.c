/* Appservice registration files and event-stream frames. */
#include "appservice.h"
#include "event.h"
#include "util.h"
#include "yaml_json.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int copy_field(const cJSON *doc, const char *key, char *out, size_t outlen, const char *path,
                      char *err, size_t errlen)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, key);
    if (!cJSON_IsString(v) || !*v->valuestring || strlen(v->valuestring) >= outlen) {
        snprintf(err, errlen, "%s:%d: %s: expected a non-empty string", path,
                 camas_yaml_line(v ? v : doc), key);
        return -1;
    }
    snprintf(out, outlen, "%s", v->valuestring);
    return 0;
}

int camas_registration_load(const char *path, camas_registration *reg, char *err, size_t errlen)
{
    memset(reg, 0, sizeof *reg);
    cJSON *doc = camas_yaml_load(path, err, errlen);
    if (!doc)
        return -1;
    int rc = -1;
    if (!cJSON_IsObject(doc))
        snprintf(err, errlen,
                 "%s:1: expected an appservice registration (id, url, as_token, "
                 "hs_token, sender_localpart, namespaces)",
                 path);
    else if (copy_field(doc, "id", reg->id, sizeof reg->id, path, err, errlen) == 0 &&
             copy_field(doc, "as_token", reg->as_token, sizeof reg->as_token, path, err, errlen) ==
                 0 &&
             copy_field(doc, "hs_token", reg->hs_token, sizeof reg->hs_token, path, err, errlen) ==
                 0 &&
             copy_field(doc, "sender_localpart", reg->sender_localpart,
                        sizeof reg->sender_localpart, path, err, errlen) == 0) {
        const cJSON *url = cJSON_GetObjectItemCaseSensitive(doc, "url");
        if (cJSON_IsString(url))
            snprintf(reg->url, sizeof reg->url, "%s", url->valuestring);
        rc = 0;
    }
    cJSON_Delete(doc);
    return rc;
}

/* Escapes regex metacharacters so the namespace matches the one user id literally. */
static void regex_escape(const char *s, char *out, size_t outlen)
{
    size_t o = 0;
    for (; *s && o + 3 < outlen; s++) {
        if (strchr(".^$*+?()[]{}|\\", *s))
            out[o++] = '\\';
        out[o++] = *s;
    }
    out[o] = '\0';
}

static bool plain_word(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr("._=-/", *s)))
            return false;
    return true;
}

int camas_registration_write(const char *path, const char *id, const char *url,
                             const char *localpart, const char *server_name, bool force, char *err,
                             size_t errlen)
{
    if (!plain_word(localpart) || !plain_word(id)) {
        snprintf(err, errlen, "the id and localpart must be lowercase letters, digits, ._=-/");
        return -1;
    }
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        snprintf(err, errlen,
                 "--url: expected an http:// or https:// URL where the homeserver "
                 "reaches camas (or the wsproxy), got '%s'",
                 url);
        return -1;
    }
    if (!*server_name || strchr(server_name, '\'') || strchr(server_name, '\n')) {
        snprintf(err, errlen, "--server-name: expected the homeserver's server name");
        return -1;
    }
    char as_token[65], hs_token[65], user[512], escaped[1100];
    camas_random_hex(as_token, 32);
    camas_random_hex(hs_token, 32);
    snprintf(user, sizeof user, "@%s:%s", localpart, server_name);
    regex_escape(user, escaped, sizeof escaped);
    camas_buf b = {0};
    camas_buf_printf(&b,
                     "# camas appservice registration, made by `camas appservice-registration`.\n"
                     "# Give this file to the homeserver (Synapse: app_service_config_files) and\n"
                     "# point camas's appservice.registration at it. Keep it secret.\n"
                     "id: %s\n"
                     "url: '%s'\n"
                     "as_token: %s\n"
                     "hs_token: %s\n"
                     "sender_localpart: %s\n"
                     "rate_limited: false\n"
                     "namespaces:\n"
                     "  users:\n"
                     "    - exclusive: true\n"
                     "      regex: '^%s$'\n"
                     "  aliases: []\n"
                     "  rooms: []\n",
                     id, url, as_token, hs_token, localpart, escaped);
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (force ? O_TRUNC : O_EXCL);
    int fd = b.data ? open(path, flags, 0600) : -1;
    int rc = -1;
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s%s", path, strerror(errno),
                 errno == EEXIST ? " (use --force to replace it: the old tokens stop working)"
                                 : "");
    } else {
        fchmod(fd, 0600);
        if (write(fd, b.data, b.len) == (ssize_t)b.len)
            rc = 0;
        else
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
    }
    camas_buf_free(&b);
    return rc;
}

int camas_cli_appservice_registration(int argc, char **argv)
{
    static const struct option opts[] = {
        {"url", required_argument, NULL, 'u'},
        {"server-name", required_argument, NULL, 's'},
        {"localpart", required_argument, NULL, 'l'},
        {"id", required_argument, NULL, 'i'},
        {"out", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *url = NULL, *server = NULL, *localpart = "camas", *id = "camas",
               *out = "camas-registration.yaml";
    bool force = false;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "u:s:l:i:o:fh", opts, NULL)) != -1) {
        switch (ch) {
        case 'u':
            url = optarg;
            break;
        case 's':
            server = optarg;
            break;
        case 'l':
            localpart = optarg;
            break;
        case 'i':
            id = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case 'f':
            force = true;
            break;
        case 'h':
        default:
            fprintf(
                ch == 'h' ? stdout : stderr,
                "Usage: camas appservice-registration --url URL --server-name NAME\n"
                "           [--localpart camas] [--id camas] [--out FILE] [--force]\n"
                "Writes an appservice registration with fresh random tokens (mode 0600).\n"
                "  --url          where the homeserver pushes transactions: camas's\n"
                "                 appservice.listen address (push), or the wsproxy (websocket)\n"
                "  --server-name  the homeserver's server name (the bot is @LOCALPART:NAME)\n"
                "  --out          the file to write (default camas-registration.yaml)\n");
            return ch == 'h' ? 0 : 2;
        }
    }
    if (!url || !server) {
        fprintf(stderr, "camas appservice-registration: --url and --server-name are required "
                        "(try --help)\n");
        return 2;
    }
    char err[600];
    if (camas_registration_write(out, id, url, localpart, server, force, err, sizeof err)) {
        fprintf(stderr, "camas appservice-registration: %s\n", err);
        return 1;
    }
    printf("%s\n", out);
    return 0;
}

void camas_as_frame_parse(const char *text, size_t len, camas_as_frame *out)
{
    memset(out, 0, sizeof *out);
    out->kind = CAMAS_AS_FRAME_MALFORMED;
    if (!text || len == 0 || len > CAMAS_AS_FRAME_MAX)
        return;
    out->json = camas_json_parse_untrusted(text, len);
    if (!cJSON_IsObject(out->json))
        return;
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(out->json, "status");
    const cJSON *command = cJSON_GetObjectItemCaseSensitive(out->json, "command");
    if (cJSON_IsString(status) && !command) {
        if (strcmp(status->valuestring, "connected") == 0) {
            out->kind = CAMAS_AS_FRAME_CONNECTED;
        } else if (strcmp(status->valuestring, "ok") == 0) {
            const cJSON *txn = cJSON_GetObjectItemCaseSensitive(out->json, "txn_id");
            const cJSON *events = cJSON_GetObjectItemCaseSensitive(out->json, "events");
            if (!cJSON_IsString(txn) || !*txn->valuestring || (events && !cJSON_IsArray(events)))
                return; /* a transaction we could not dedupe or read: malformed */
            out->kind = CAMAS_AS_FRAME_TRANSACTION;
            out->txn_id = txn->valuestring;
            out->events = events;
        } else {
            out->kind = CAMAS_AS_FRAME_OTHER;
        }
        return;
    }
    if (!cJSON_IsString(command))
        return;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(out->json, "id");
    if (id && (!cJSON_IsNumber(id) || id->valuedouble < 0 || id->valuedouble > 9.0e15))
        return;
    out->id = id ? (int64_t)id->valuedouble : 0;
    out->command = command->valuestring;
    out->data = cJSON_GetObjectItemCaseSensitive(out->json, "data");
    if (strcmp(out->command, "response") == 0 || strcmp(out->command, "error") == 0) {
        out->kind = CAMAS_AS_FRAME_RESPONSE;
        out->is_error = out->command[0] == 'e';
    } else {
        out->kind = CAMAS_AS_FRAME_REQUEST;
    }
}

void camas_as_frame_clear(camas_as_frame *f)
{
    cJSON_Delete(f->json);
    memset(f, 0, sizeof *f);
}

char *camas_as_reply(int64_t id, bool error, const cJSON *data)
{
    cJSON *j = cJSON_CreateObject();
    if (!j)
        return NULL;
    cJSON_AddNumberToObject(j, "id", (double)id);
    cJSON_AddStringToObject(j, "command", error ? "error" : "response");
    cJSON_AddItemToObject(j, "data", data ? cJSON_Duplicate(data, 1) : cJSON_CreateObject());
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return text;
}
