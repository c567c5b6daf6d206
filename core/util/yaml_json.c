/* YAML to cJSON with line numbers (libyaml's document API). */
#include "yaml_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

/* Bounds that also defuse alias bombs ("billion laughs"): an alias is expanded by
 * reference in libyaml's document, so depth and total nodes are what grow. */
#define MAX_DEPTH 64
#define MAX_NODES 200000
#define MAX_FILE  (4u * 1024 * 1024)

struct conv {
    yaml_document_t *doc;
    size_t nodes;
    const char *name;
    char *err;
    size_t errlen;
};

static cJSON *convert(struct conv *cv, yaml_node_t *node, int depth)
{
    int line = (int)node->start_mark.line + 1;
    if (++cv->nodes > MAX_NODES) {
        snprintf(cv->err, cv->errlen, "%s:%d: too many values in one file", cv->name, line);
        return NULL;
    }
    if (depth > MAX_DEPTH) {
        snprintf(cv->err, cv->errlen, "%s:%d: nested too deeply", cv->name, line);
        return NULL;
    }
    cJSON *out = NULL;
    switch (node->type) {
    case YAML_SCALAR_NODE:
        out = cJSON_CreateString((const char *)node->data.scalar.value);
        break;
    case YAML_SEQUENCE_NODE:
        out = cJSON_CreateArray();
        for (yaml_node_item_t *it = node->data.sequence.items.start;
             out && it < node->data.sequence.items.top; it++) {
            cJSON *child = convert(cv, yaml_document_get_node(cv->doc, *it), depth + 1);
            if (!child) {
                cJSON_Delete(out);
                return NULL;
            }
            cJSON_AddItemToArray(out, child);
        }
        break;
    case YAML_MAPPING_NODE:
        out = cJSON_CreateObject();
        for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
             out && p < node->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(cv->doc, p->key);
            if (k->type != YAML_SCALAR_NODE) {
                snprintf(cv->err, cv->errlen, "%s:%zu: keys must be plain words", cv->name,
                         k->start_mark.line + 1);
                cJSON_Delete(out);
                return NULL;
            }
            const char *key = (const char *)k->data.scalar.value;
            if (cJSON_GetObjectItemCaseSensitive(out, key)) {
                snprintf(cv->err, cv->errlen, "%s:%zu: '%s' appears twice here", cv->name,
                         k->start_mark.line + 1, key);
                cJSON_Delete(out);
                return NULL;
            }
            cJSON *child = convert(cv, yaml_document_get_node(cv->doc, p->value), depth + 1);
            if (!child) {
                cJSON_Delete(out);
                return NULL;
            }
            child->valuedouble = (double)(k->start_mark.line + 1); /* camas_yaml_key_line */
            cJSON_AddItemToObject(out, key, child);
        }
        break;
    default:
        snprintf(cv->err, cv->errlen, "%s:%d: empty or unsupported YAML node", cv->name, line);
        return NULL;
    }
    if (!out) {
        snprintf(cv->err, cv->errlen, "%s:%d: out of memory", cv->name, line);
        return NULL;
    }
    out->valueint = line;
    return out;
}

cJSON *camas_yaml_parse(const char *text, size_t len, const char *name, char *err, size_t errlen)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        snprintf(err, errlen, "%s: out of memory", name);
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        snprintf(err, errlen, "%s:%zu: not valid YAML: %s%s%s", name, parser.problem_mark.line + 1,
                 parser.problem ? parser.problem : "parse error", parser.context ? " " : "",
                 parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return NULL;
    }
    cJSON *out = NULL;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root) {
        snprintf(err, errlen, "%s:1: the file is empty", name);
    } else {
        struct conv cv = {&doc, 0, name, err, errlen};
        out = convert(&cv, root, 0);
        yaml_document_t next;
        if (out && yaml_parser_load(&parser, &next)) {
            if (yaml_document_get_root_node(&next)) {
                snprintf(err, errlen, "%s:%zu: only one YAML document per file", name,
                         yaml_document_get_root_node(&next)->start_mark.line + 1);
                cJSON_Delete(out);
                out = NULL;
            }
            yaml_document_delete(&next);
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return out;
}

cJSON *camas_yaml_load(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    /* A buffer the size of the file (plus one byte to notice it growing), not of MAX_FILE:
     * a 4 MiB malloc goes to mmap and, once freed, makes glibc raise its mmap threshold to
     * 4 MiB for the rest of the process, so every later large buffer lands in the heap and
     * keeps its pages. Knowledge files are a few KiB. */
    struct stat sb;
    size_t cap = fstat(fileno(f), &sb) == 0 && sb.st_size >= 0 && sb.st_size <= MAX_FILE
                     ? (size_t)sb.st_size + 1
                     : MAX_FILE + 1;
    char *buf = malloc(cap);
    size_t n = buf ? fread(buf, 1, cap, f) : 0;
    /* It grew since fstat (or fstat failed): read on, up to the limit. */
    while (buf && n == cap && cap < MAX_FILE + 1 && !ferror(f)) {
        size_t ncap = cap * 2 < MAX_FILE + 1 ? cap * 2 : MAX_FILE + 1;
        char *nb = realloc(buf, ncap);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        n += fread(buf + n, 1, ncap - n, f);
        cap = ncap;
    }
    int rerr = ferror(f);
    fclose(f);
    if (!buf || rerr) {
        snprintf(err, errlen, "%s: cannot read", path);
        free(buf);
        return NULL;
    }
    if (n > MAX_FILE) {
        snprintf(err, errlen, "%s: larger than %u bytes", path, MAX_FILE);
        free(buf);
        return NULL;
    }
    cJSON *out = camas_yaml_parse(buf, n, path, err, errlen);
    free(buf);
    return out;
}

int camas_yaml_line(const cJSON *node)
{
    return node ? node->valueint : 0;
}

int camas_yaml_key_line(const cJSON *node)
{
    return node && node->string && node->valuedouble >= 1 ? (int)node->valuedouble
                                                          : camas_yaml_line(node);
}
