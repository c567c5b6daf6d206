/* A string -> uint32 hash map whose keys live in one arena (open addressing, FNV-1a). The
 * lexical matcher (match*.c) keeps its terms, phrases and surface words in one. */
#ifndef CAMAS_STRMAP_H
#define CAMAS_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct camas_strmap_item {
    uint32_t off; /* key offset in the arena */
    uint32_t len;
    uint32_t hash;
    uint32_t val;
} camas_strmap_item;

typedef struct camas_strmap {
    uint32_t *slots; /* 0 = empty, else item index + 1 */
    size_t nslots;   /* power of two */
    camas_strmap_item *items;
    size_t nitems, capitems;
    char *arena;
    size_t alen, acap;
} camas_strmap;

/* FNV-1a of n bytes, folded to 32 bits. */
uint32_t camas_strmap_hash(const char *s, size_t n);
void camas_strmap_free(camas_strmap *m);
/* The key of item idx (NUL-terminated, in the arena). */
const char *camas_strmap_key(const camas_strmap *m, uint32_t idx);
/* Returns a pointer to the value for key, or NULL. */
uint32_t *camas_strmap_get(const camas_strmap *m, const char *k, size_t n);
/* Inserts key with val unless present. Returns the value slot (existing or new) and sets
 * *created; NULL on out of memory. */
uint32_t *camas_strmap_put(camas_strmap *m, const char *k, size_t n, uint32_t val, bool *created);
/* The item whose value val points to (a pointer camas_strmap_get or camas_strmap_put
 * returned). */
const camas_strmap_item *camas_strmap_item_of(const uint32_t *val);
/* Copies src into the empty dst, with room for about min_items keys before it must grow. */
int camas_strmap_clone(camas_strmap *dst, const camas_strmap *src, size_t min_items);

#endif
