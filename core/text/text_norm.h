/* Internal to text.c and text_unicode.c: the normalisation of one ASCII byte. */
#ifndef CAMAS_TEXT_NORM_H
#define CAMAS_TEXT_NORM_H

/* ASCII byte to its normalised form: lowercase, apostrophes and controls become spaces. */
static inline char camas_norm_ascii(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return (char)(c + 32);
    if (c == '\'' || c == '`' || c < 0x20 || c == 0x7f)
        return ' ';
    return (char)c;
}

#endif
