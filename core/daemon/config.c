/* Loads the YAML configuration into camas_config, checking every key against a schema so
 * that a mistake is reported as "FILE:LINE: key: expected …" before anything connects. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <yaml.h>

enum key_type { K_SECTION, K_STR, K_INT, K_BOOL, K_STRLIST, K_ROOMS, K_FILE };

struct key_spec {
    const char *path; /* dotted */
    enum key_type type;
    size_t offset; /* into camas_config; for K_FILE the field the file's contents fill */
    long min, max; /* K_INT range */
};

#define F(field) offsetof(camas_config, field)
static const struct key_spec schema[] = {
    {"homeserver", K_SECTION, 0, 0, 0},
    {"homeserver.url", K_STR, F(homeserver_url), 0, 0},
    {"homeserver.server_name", K_STR, F(server_name), 0, 0},
    {"homeserver.ca_file", K_STR, F(ca_file), 0, 0},
    {"auth", K_SECTION, 0, 0, 0},
    {"auth.user_id", K_STR, F(user_id), 0, 0},
    {"auth.password", K_STR, F(password), 0, 0},
    {"auth.password_file", K_FILE, F(password), 0, 0},
    {"auth.access_token", K_STR, F(access_token), 0, 0},
    {"auth.access_token_file", K_FILE, F(access_token), 0, 0},
    {"auth.device_name", K_STR, F(device_name), 0, 0},
    {"state_dir", K_STR, F(state_dir), 0, 0},
    {"rooms", K_ROOMS, 0, 0, 0},
    {"invites", K_SECTION, 0, 0, 0},
    {"invites.allow", K_STRLIST, F(invite_allow), 0, 0},
    {"admins", K_STRLIST, F(admins), 0, 0},
    {"limits", K_SECTION, 0, 0, 0},
    {"limits.max_message_bytes", K_INT, F(max_message_bytes), 1, 1 << 20},
    {"limits.help_user_per_minute", K_INT, F(help_user_per_minute), 0, 100000},
    {"limits.help_room_per_minute", K_INT, F(help_room_per_minute), 0, 100000},
    {"unanswered", K_SECTION, 0, 0, 0},
    {"unanswered.keep_days", K_INT, F(unanswered_keep_days), 0, 3650},
    {"sync", K_SECTION, 0, 0, 0},
    {"sync.timeout_ms", K_INT, F(sync_timeout_ms), 0, 300000},
    {"sync.timeline_limit", K_INT, F(sync_timeline_limit), 1, 1000},
    {"encrypted_room_notice", K_STR, F(encrypted_room_notice), 0, 0},
    {"log_level", K_STR, F(log_level), 0, 0},
    {"log", K_SECTION, 0, 0, 0},
    {"log.format", K_STR, F(log_format), 0, 0},
    {"admin_room", K_STR, F(admin_room), 0, 0},
    {"knowledge_dir", K_STR, F(knowledge_dir), 0, 0},
    {"plugins", K_SECTION, 0, 0, 0},
    {"plugins.dir", K_STR, F(plugins_dir), 0, 0},
    {"plugins.trusted_keys", K_STRLIST, F(trusted_keys), 0, 0},
    {"plugins.deadline_ms", K_INT, F(plugin_deadline_ms), 50, 600000},
    {"matching", K_SECTION, 0, 0, 0},
    {"matching.mode", K_STR, F(match_mode), 0, 0},
    {"matching.model", K_STR, F(model_path), 0, 0},
    {"transport", K_STR, F(transport_name), 0, 0},
    {"appservice", K_SECTION, 0, 0, 0},
    {"appservice.registration", K_STR, F(as_registration), 0, 0},
    {"appservice.listen", K_STR, F(as_listen), 0, 0},
    {"appservice.websocket_url", K_STR, F(as_websocket_url), 0, 0},
    {"metrics", K_SECTION, 0, 0, 0},
    {"metrics.listen", K_STR, F(metrics_listen), 0, 0},
    {"encryption", K_SECTION, 0, 0, 0},
    {"encryption.enabled", K_BOOL, F(encryption_enabled), 0, 0},
    {"encryption.passphrase_file", K_STR, F(encryption_passphrase_file), 0, 0},
};
#undef F

const char *camas_room_kind_name(camas_room_kind kind)
{
    switch (kind) {
    case CAMAS_ROOM_HELP:
        return "help";
    case CAMAS_ROOM_DIRECT:
        return "direct";
    default:
        return "staff";
    }
}

struct loader {
    camas_config *cfg;
    yaml_document_t *doc;
    const char *file;
    char *err;
    size_t errlen;
};

static int fail(struct loader *ld, yaml_node_t *node, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(struct loader *ld, yaml_node_t *node, const char *key, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(ld->err, ld->errlen, "%s:%zu: %s: %s", ld->file, node ? node->start_mark.line + 1 : 0,
             key, what);
    return -1;
}

static char **field_str(camas_config *cfg, size_t off)
{
    return (char **)((char *)cfg + off);
}

static int set_str(char **slot, const char *value)
{
    char *copy = strdup(value);
    if (!copy)
        return -1;
    free(*slot);
    *slot = copy;
    return 0;
}

static const char *scalar(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int load_strlist(struct loader *ld, yaml_node_t *node, const char *key, char ***out,
                        size_t *count)
{
    if (node->type != YAML_SEQUENCE_NODE)
        return fail(ld, node, key, "expected a list of strings");
    size_t n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    char **list = calloc(n ? n : 1, sizeof *list);
    if (!list)
        return fail(ld, node, key, "out of memory");
    size_t i = 0;
    for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top;
         it++, i++) {
        yaml_node_t *item = yaml_document_get_node(ld->doc, *it);
        const char *s = scalar(item);
        if (!s || !*s || !(list[i] = strdup(s))) {
            for (size_t j = 0; j < i; j++)
                free(list[j]);
            free(list);
            return fail(ld, item, key, "expected a non-empty string in the list");
        }
    }
    for (size_t j = 0; j < *count; j++)
        free((*out)[j]);
    free(*out);
    *out = list;
    *count = n;
    return 0;
}

static int load_rooms(struct loader *ld, yaml_node_t *node)
{
    camas_config *cfg = ld->cfg;
    if (node->type != YAML_SEQUENCE_NODE)
        return fail(ld, node, "rooms", "expected a list of {id, kind} entries");
    for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top;
         it++) {
        yaml_node_t *item = yaml_document_get_node(ld->doc, *it);
        if (item->type != YAML_MAPPING_NODE)
            return fail(ld, item, "rooms", "expected an entry with 'id' and 'kind'");
        camas_room_config room = {NULL, CAMAS_ROOM_STAFF};
        for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);
            yaml_node_t *v = yaml_document_get_node(ld->doc, p->value);
            const char *ks = scalar(k), *vs = scalar(v);
            if (ks && strcmp(ks, "id") == 0) {
                /* Room ids have no ":server" part from room version 12 on; aliases do. */
                if (!vs || !((vs[0] == '!' && vs[1]) || (vs[0] == '#' && strchr(vs, ':')))) {
                    free(room.id);
                    return fail(ld, v, "rooms.id",
                                "expected a room id (!id) or alias (#alias:server)");
                }
                free(room.id);
                room.id = strdup(vs);
            } else if (ks && strcmp(ks, "kind") == 0) {
                if (vs && strcmp(vs, "help") == 0)
                    room.kind = CAMAS_ROOM_HELP;
                else if (vs && strcmp(vs, "staff") == 0)
                    room.kind = CAMAS_ROOM_STAFF;
                else {
                    free(room.id);
                    return fail(ld, v, "rooms.kind", "expected 'help' or 'staff'");
                }
            } else {
                free(room.id);
                return fail(ld, k, ks ? ks : "rooms",
                            "unknown key in a rooms entry "
                            "(expected 'id' or 'kind')");
            }
        }
        if (!room.id)
            return fail(ld, item, "rooms", "entry has no 'id'");
        camas_room_config *grown = realloc(cfg->rooms, (cfg->n_rooms + 1) * sizeof *grown);
        if (!grown) {
            free(room.id);
            return fail(ld, item, "rooms", "out of memory");
        }
        cfg->rooms = grown;
        cfg->rooms[cfg->n_rooms++] = room;
    }
    return 0;
}

static int read_secret_file(struct loader *ld, yaml_node_t *node, const char *key, const char *file,
                            char **slot)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return fail(ld, node, key, "cannot read '%s': %s", file, strerror(errno));
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    if (n == 0)
        return fail(ld, node, key, "'%s' is empty", file);
    int rc = set_str(slot, buf);
    sodium_memzero(buf, sizeof buf);
    return rc ? fail(ld, node, key, "out of memory") : 0;
}

static int load_value(struct loader *ld, const struct key_spec *spec, yaml_node_t *v);

static int load_mapping(struct loader *ld, yaml_node_t *map, const char *prefix)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(ld->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(ld->doc, p->value);
        const char *ks = scalar(k);
        if (!ks)
            return fail(ld, k, prefix[0] ? prefix : "(top level)", "keys must be plain strings");
        char path[128];
        snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", ks);
        const struct key_spec *spec = NULL;
        for (size_t i = 0; i < sizeof schema / sizeof schema[0]; i++)
            if (strcmp(schema[i].path, path) == 0)
                spec = &schema[i];
        if (!spec)
            return fail(ld, k, path, "unknown key (see camas.example.yaml for the valid keys)");
        if (load_value(ld, spec, v))
            return -1;
    }
    return 0;
}

static int load_value(struct loader *ld, const struct key_spec *spec, yaml_node_t *v)
{
    camas_config *cfg = ld->cfg;
    const char *s = scalar(v);
    bool is_null = s && v->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                   (strcmp(s, "") == 0 || strcmp(s, "~") == 0 || strcmp(s, "null") == 0);
    switch (spec->type) {
    case K_SECTION:
        if (is_null)
            return 0;
        if (v->type != YAML_MAPPING_NODE)
            return fail(ld, v, spec->path, "expected a section (a mapping of keys)");
        return load_mapping(ld, v, spec->path);
    case K_STR:
        if (!s)
            return fail(ld, v, spec->path, "expected a string");
        return set_str(field_str(cfg, spec->offset), s) ? fail(ld, v, spec->path, "out of memory")
                                                        : 0;
    case K_FILE:
        if (!s)
            return fail(ld, v, spec->path, "expected a file path");
        if (!*s)
            return 0;
        return read_secret_file(ld, v, spec->path, s, field_str(cfg, spec->offset));
    case K_INT: {
        if (!s || !*s)
            return fail(ld, v, spec->path, "expected a whole number from %ld to %ld", spec->min,
                        spec->max);
        char *end;
        errno = 0;
        long n = strtol(s, &end, 10);
        if (errno || *end || n < spec->min || n > spec->max)
            return fail(ld, v, spec->path, "expected a whole number from %ld to %ld, got '%s'",
                        spec->min, spec->max, s);
        *(long *)((char *)cfg + spec->offset) = n;
        return 0;
    }
    case K_BOOL:
        if (s && (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 || strcmp(s, "on") == 0))
            *(bool *)((char *)cfg + spec->offset) = true;
        else if (s && (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 || strcmp(s, "off") == 0))
            *(bool *)((char *)cfg + spec->offset) = false;
        else
            return fail(ld, v, spec->path, "expected true or false, got '%s'", s ? s : "");
        return 0;
    case K_STRLIST:
        if (is_null)
            return 0;
        if (spec->offset == offsetof(camas_config, invite_allow))
            return load_strlist(ld, v, spec->path, &cfg->invite_allow, &cfg->n_invite_allow);
        if (spec->offset == offsetof(camas_config, trusted_keys))
            return load_strlist(ld, v, spec->path, &cfg->trusted_keys, &cfg->n_trusted_keys);
        return load_strlist(ld, v, spec->path, &cfg->admins, &cfg->n_admins);
    case K_ROOMS:
        return is_null ? 0 : load_rooms(ld, v);
    }
    return 0;
}

static int set_defaults(camas_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->homeserver_url = strdup("http://127.0.0.1:8008");
    cfg->server_name = strdup("");
    cfg->ca_file = strdup("");
    cfg->user_id = strdup("@camas:localhost");
    cfg->device_name = strdup("camas");
    cfg->state_dir = strdup("./camas-state");
    cfg->encrypted_room_notice =
        strdup("I cannot read encrypted messages yet. Please ask me in an unencrypted room "
               "or in the public help channel.");
    cfg->log_level = strdup("info");
    cfg->log_format = strdup("text");
    cfg->admin_room = strdup("");
    cfg->knowledge_dir = strdup("");
    cfg->plugins_dir = strdup("");
    cfg->match_mode = strdup("hybrid");
    cfg->model_path = strdup("");
    cfg->plugin_deadline_ms = 2000;
    cfg->transport_name = strdup("sync");
    cfg->as_registration = strdup("");
    cfg->as_listen = strdup("127.0.0.1:29333");
    cfg->as_websocket_url = strdup("");
    cfg->metrics_listen = strdup("");
    cfg->encryption_passphrase_file = strdup("");
    cfg->max_message_bytes = 4096;
    cfg->unanswered_keep_days = 90;
    cfg->help_user_per_minute = 6;
    cfg->help_room_per_minute = 30;
    cfg->sync_timeout_ms = 30000;
    cfg->sync_timeline_limit = 400;
    return cfg->homeserver_url && cfg->server_name && cfg->ca_file && cfg->user_id &&
                   cfg->device_name && cfg->state_dir && cfg->encrypted_room_notice &&
                   cfg->log_level && cfg->log_format && cfg->admin_room && cfg->knowledge_dir &&
                   cfg->plugins_dir && cfg->match_mode && cfg->model_path && cfg->transport_name &&
                   cfg->as_registration && cfg->as_listen && cfg->as_websocket_url &&
                   cfg->metrics_listen && cfg->encryption_passphrase_file
               ? 0
               : -1;
}

/* "ADDRESS:PORT": an address, a colon, and a port 1-65535 in decimal. */
static bool listen_address_ok(const char *s)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || !colon[1] || strlen(colon + 1) > 5)
        return false;
    long port = 0;
    for (const char *p = colon + 1; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        port = port * 10 + (*p - '0');
    }
    return port >= 1 && port <= 65535;
}

static int check_semantics(struct loader *ld, yaml_node_t *root)
{
    camas_config *cfg = ld->cfg;
    if (!*cfg->homeserver_url && !*cfg->server_name)
        return fail(ld, root, "homeserver", "set 'url' or 'server_name'");
    if (*cfg->homeserver_url && strncmp(cfg->homeserver_url, "http://", 7) != 0 &&
        strncmp(cfg->homeserver_url, "https://", 8) != 0)
        return fail(ld, root, "homeserver.url", "expected an http:// or https:// URL, got '%s'",
                    cfg->homeserver_url);
    if (cfg->user_id[0] == '@' && !strchr(cfg->user_id, ':'))
        return fail(ld, root, "auth.user_id", "expected @localpart:server, got '%s'", cfg->user_id);
    if (strcmp(cfg->log_format, "text") && strcmp(cfg->log_format, "json"))
        return fail(ld, root, "log.format", "expected text or json, got '%s'", cfg->log_format);
    if (strcmp(cfg->log_level, "error") && strcmp(cfg->log_level, "warn") &&
        strcmp(cfg->log_level, "info") && strcmp(cfg->log_level, "debug"))
        return fail(ld, root, "log_level", "expected error, warn, info or debug, got '%s'",
                    cfg->log_level);
    if (!*cfg->state_dir)
        return fail(ld, root, "state_dir", "expected a directory path");
    for (size_t i = 0; i < cfg->n_invite_allow; i++) {
        const char *a = cfg->invite_allow[i];
        if (a[0] != ':' && (a[0] != '@' || !strchr(a, ':')))
            return fail(ld, root, "invites.allow",
                        "expected a user id (@user:server) or a server (:server), got '%s'", a);
    }
    if (strcmp(cfg->match_mode, "hybrid") && strcmp(cfg->match_mode, "lexical") &&
        strcmp(cfg->match_mode, "dense"))
        return fail(ld, root, "matching.mode", "expected hybrid, lexical or dense, got '%s'",
                    cfg->match_mode);
    if (strcmp(cfg->transport_name, "sync") == 0)
        cfg->transport = CAMAS_TRANSPORT_SYNC;
    else if (strcmp(cfg->transport_name, "push") == 0)
        cfg->transport = CAMAS_TRANSPORT_PUSH;
    else if (strcmp(cfg->transport_name, "websocket") == 0)
        cfg->transport = CAMAS_TRANSPORT_WEBSOCKET;
    else
        return fail(ld, root, "transport", "expected sync, push or websocket, got '%s'",
                    cfg->transport_name);
    if (cfg->transport != CAMAS_TRANSPORT_SYNC && !*cfg->as_registration)
        return fail(ld, root, "appservice.registration",
                    "transport %s needs the appservice registration file (make one with "
                    "`camas appservice-registration`)",
                    cfg->transport_name);
    if (cfg->transport == CAMAS_TRANSPORT_PUSH && !strrchr(cfg->as_listen, ':'))
        return fail(ld, root, "appservice.listen", "expected ADDRESS:PORT, got '%s'",
                    cfg->as_listen);
    if (*cfg->as_websocket_url && strncmp(cfg->as_websocket_url, "ws://", 5) != 0 &&
        strncmp(cfg->as_websocket_url, "wss://", 6) != 0)
        return fail(ld, root, "appservice.websocket_url", "expected a ws:// or wss:// URL");
    if (cfg->encryption_enabled) {
#ifndef CAMAS_HAVE_ENCRYPTION
        return fail(ld, root, "encryption.enabled",
                    "this camas was built without encryption (meson -Dencryption=enabled "
                    "needs cargo; see README.md)");
#endif
        if (cfg->transport != CAMAS_TRANSPORT_SYNC)
            return fail(ld, root, "encryption.enabled",
                        "encryption works with transport: sync only (for now)");
    }
    if (*cfg->metrics_listen && !listen_address_ok(cfg->metrics_listen))
        return fail(ld, root, "metrics.listen",
                    "expected ADDRESS:PORT (for example 127.0.0.1:9108), got '%s'",
                    cfg->metrics_listen);
    if (*cfg->admin_room && !((cfg->admin_room[0] == '!' && cfg->admin_room[1]) ||
                              (cfg->admin_room[0] == '#' && strchr(cfg->admin_room, ':'))))
        return fail(ld, root, "admin_room", "expected a room id (!id) or alias (#alias:server)");
    for (size_t i = 0; i < cfg->n_admins; i++)
        if (cfg->admins[i][0] != '@' || !strchr(cfg->admins[i], ':'))
            return fail(ld, root, "admins", "expected a user id (@user:server), got '%s'",
                        cfg->admins[i]);
    return 0;
}

int camas_config_load(camas_config *cfg, const char *path, char *err, size_t errlen)
{
    if (set_defaults(cfg)) {
        snprintf(err, errlen, "out of memory");
        camas_config_free(cfg);
        return -1;
    }
    if (!path)
        return 0;
    cfg->path = strdup(path);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        camas_config_free(cfg);
        return -1;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    int rc = -1;
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, errlen, "%s:%zu: invalid YAML: %s", path, parser.problem_mark.line + 1,
                 parser.problem ? parser.problem : "parse error");
        yaml_parser_delete(&parser);
        fclose(f);
        camas_config_free(cfg);
        return -1;
    }
    struct loader ld = {cfg, &doc, path, err, errlen};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root)
        rc = 0; /* an empty file means "all defaults" */
    else if (root->type != YAML_MAPPING_NODE)
        rc = fail(&ld, root, "(top level)", "expected a mapping of keys");
    else
        rc = load_mapping(&ld, root, "");
    if (rc == 0)
        rc = check_semantics(&ld, root);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(f);
    if (rc)
        camas_config_free(cfg);
    return rc;
}

static void free_secret(char *s)
{
    if (s) {
        sodium_memzero(s, strlen(s));
        free(s);
    }
}

void camas_config_free(camas_config *cfg)
{
    free(cfg->path);
    free(cfg->homeserver_url);
    free(cfg->server_name);
    free(cfg->ca_file);
    free(cfg->user_id);
    free_secret(cfg->password);
    free_secret(cfg->access_token);
    free(cfg->device_name);
    free(cfg->state_dir);
    for (size_t i = 0; i < cfg->n_rooms; i++)
        free(cfg->rooms[i].id);
    free(cfg->rooms);
    for (size_t i = 0; i < cfg->n_invite_allow; i++)
        free(cfg->invite_allow[i]);
    free(cfg->invite_allow);
    for (size_t i = 0; i < cfg->n_admins; i++)
        free(cfg->admins[i]);
    free(cfg->admins);
    free(cfg->encrypted_room_notice);
    free(cfg->log_level);
    free(cfg->log_format);
    free(cfg->admin_room);
    free(cfg->transport_name);
    free(cfg->as_registration);
    free(cfg->as_listen);
    free(cfg->as_websocket_url);
    free(cfg->metrics_listen);
    free(cfg->encryption_passphrase_file);
    free(cfg->knowledge_dir);
    free(cfg->match_mode);
    free(cfg->model_path);
    free(cfg->plugins_dir);
    for (size_t i = 0; i < cfg->n_trusted_keys; i++)
        free(cfg->trusted_keys[i]);
    free(cfg->trusted_keys);
    memset(cfg, 0, sizeof *cfg);
}
