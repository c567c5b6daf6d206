/* camas_text_normalize_unicode (text.h): normalisation through libunistring, for any text.
 * camas_text_normalize uses it for what its generated table does not cover, and the build
 * generates that table from it (gen_fold.c), so the two agree by construction. */
#include "text.h"
#include "text_norm.h"

#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

/* Appends one byte if room remains (one byte is always kept for the NUL). */
static inline void put_byte(char *buf, size_t cap, size_t *o, char c)
{
    if (*o + 1 < cap)
        buf[(*o)++] = c;
}

/* Letters that NFKD does not decompose but that people type without them. */
static const char *ascii_fold_extra(ucs4_t uc)
{
    switch (uc) {
    case 0x0153: /* œ */
        return "oe";
    case 0x00E6: /* æ */
        return "ae";
    case 0x00F8: /* ø */
        return "o";
    case 0x0142: /* ł */
        return "l";
    case 0x0111: /* đ */
        return "d";
    case 0x00F0: /* ð */
        return "d";
    case 0x00FE: /* þ */
        return "th";
    case 0x0131: /* dotless ı */
        return "i";
    default:
        return NULL;
    }
}

long camas_text_normalize_unicode(const char *s, size_t n, char *buf, size_t cap)
{
    if (!s || !buf || cap == 0)
        return -1;
    size_t o = 0;
    uint8_t stackbuf[2048];
    size_t flen = sizeof stackbuf;
    uint8_t *f = u8_casefold((const uint8_t *)s, n, NULL, UNINORM_NFKD, stackbuf, &flen);
    if (!f)
        return -1;
    size_t i = 0;
    while (i < flen) {
        ucs4_t uc;
        int k = u8_mbtouc(&uc, f + i, flen - i);
        if (k <= 0)
            break;
        if (uc < 0x80) {
            put_byte(buf, cap, &o, camas_norm_ascii((unsigned char)uc));
        } else if (uc_is_general_category(uc, UC_CATEGORY_M)) {
            /* combining accent left by NFKD: dropped, so "é" and "e" match */
        } else if (ascii_fold_extra(uc)) {
            for (const char *p = ascii_fold_extra(uc); *p; p++)
                put_byte(buf, cap, &o, *p);
        } else if (uc_is_property_alphabetic(uc) || uc_is_general_category(uc, UC_CATEGORY_N)) {
            /* other scripts stay as they are, whole characters only */
            if (o + (size_t)k + 1 <= cap) {
                memcpy(buf + o, f + i, (size_t)k);
                o += (size_t)k;
            }
        } else {
            /* typographic apostrophes, guillemets, dashes, symbols: word separators */
            put_byte(buf, cap, &o, ' ');
        }
        i += (size_t)k;
    }
    buf[o] = '\0';
    if (f != stackbuf)
        free(f);
    return (long)o;
}
