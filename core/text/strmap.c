/* The string -> uint32 hash map of strmap.h: keys live in one arena, slots hold item
 * indexes, linear probing. */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

uint32_t camas_strmap_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return (uint32_t)(h ^ (h >> 32));
}

void camas_strmap_free(camas_strmap *m)
{
    free(m->slots);
    free(m->items);
    free(m->arena);
    memset(m, 0, sizeof *m);
}

const char *camas_strmap_key(const camas_strmap *m, uint32_t idx)
{
    return m->arena + m->items[idx].off;
}

/* Returns a pointer to the value for key, or NULL. */
uint32_t *camas_strmap_get(const camas_strmap *m, const char *k, size_t n)
{
    if (!m->nslots)
        return NULL;
    uint32_t h = camas_strmap_hash(k, n);
    size_t mask = m->nslots - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t s = m->slots[i];
        if (!s)
            return NULL;
        camas_strmap_item *it = &m->items[s - 1];
        if (it->hash == h && it->len == n && memcmp(m->arena + it->off, k, n) == 0)
            return &it->val;
    }
}

static int sm_grow(camas_strmap *m)
{
    size_t ns = m->nslots ? m->nslots * 2 : 256;
    uint32_t *slots = calloc(ns, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t k = 0; k < m->nitems; k++) {
        size_t i = m->items[k].hash & (ns - 1);
        while (slots[i])
            i = (i + 1) & (ns - 1);
        slots[i] = (uint32_t)k + 1;
    }
    free(m->slots);
    m->slots = slots;
    m->nslots = ns;
    return 0;
}

/* Inserts key with val unless present. Returns the value slot (existing or new) and sets
 * *created; NULL on out of memory. */
uint32_t *camas_strmap_put(camas_strmap *m, const char *k, size_t n, uint32_t val, bool *created)
{
    uint32_t *v = camas_strmap_get(m, k, n);
    if (created)
        *created = false;
    if (v)
        return v;
    if ((m->nitems + 1) * 2 > m->nslots && sm_grow(m) < 0)
        return NULL;
    if (m->nitems == m->capitems) {
        size_t nc = m->capitems ? m->capitems * 2 : 256;
        camas_strmap_item *ni = realloc(m->items, nc * sizeof *ni);
        if (!ni)
            return NULL;
        m->items = ni;
        m->capitems = nc;
    }
    if (m->alen + n + 1 > m->acap) {
        size_t nc = m->acap ? m->acap * 2 : 4096;
        while (nc < m->alen + n + 1)
            nc *= 2;
        char *na = realloc(m->arena, nc);
        if (!na)
            return NULL;
        m->arena = na;
        m->acap = nc;
    }
    memcpy(m->arena + m->alen, k, n);
    m->arena[m->alen + n] = '\0';
    uint32_t h = camas_strmap_hash(k, n);
    camas_strmap_item *it = &m->items[m->nitems];
    it->off = (uint32_t)m->alen;
    it->len = (uint32_t)n;
    it->hash = h;
    it->val = val;
    m->alen += n + 1;
    size_t i = h & (m->nslots - 1);
    while (m->slots[i])
        i = (i + 1) & (m->nslots - 1);
    m->slots[i] = (uint32_t)m->nitems + 1;
    m->nitems++;
    if (created)
        *created = true;
    return &it->val;
}

/* The item whose value val points to (a pointer camas_strmap_get or camas_strmap_put returned). */
const camas_strmap_item *camas_strmap_item_of(const uint32_t *val)
{
    return (const camas_strmap_item *)(const void *)((const char *)val -
                                                     offsetof(camas_strmap_item, val));
}

/* Copies src into the empty dst, with room for about min_items keys before it must grow. */
int camas_strmap_clone(camas_strmap *dst, const camas_strmap *src, size_t min_items)
{
    size_t ni = src->nitems > min_items ? src->nitems : min_items;
    size_t ns = src->nslots ? src->nslots : 256;
    while (ns < ni * 2 + 2)
        ns *= 2;
    size_t acap = src->alen + (src->nitems ? src->alen / src->nitems : 16) * (ni - src->nitems);
    dst->slots = calloc(ns, sizeof *dst->slots);
    dst->items = malloc((ni ? ni : 1) * sizeof *dst->items);
    dst->arena = malloc(acap ? acap : 1);
    if (!dst->slots || !dst->items || !dst->arena) {
        camas_strmap_free(dst);
        return -1;
    }
    dst->nslots = ns;
    dst->capitems = ni ? ni : 1;
    dst->acap = acap ? acap : 1;
    dst->nitems = src->nitems;
    dst->alen = src->alen;
    if (src->nitems)
        memcpy(dst->items, src->items, src->nitems * sizeof *dst->items);
    if (src->alen)
        memcpy(dst->arena, src->arena, src->alen);
    for (size_t k = 0; k < dst->nitems; k++) {
        size_t i = dst->items[k].hash & (ns - 1);
        while (dst->slots[i])
            i = (i + 1) & (ns - 1);
        dst->slots[i] = (uint32_t)k + 1;
    }
    return 0;
}
