/* Text preparation for question matching and the safety detector: normalisation, tokens,
 * French/English detection and stop words (see text.h for the contracts; stemming is in
 * stem.c). */
#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

/* ---------------------------------------------------------------------------------------
 * Normalisation */

/* Appends one byte if room remains (one byte is always kept for the NUL). */
static inline void put_byte(char *buf, size_t cap, size_t *o, char c)
{
    if (*o + 1 < cap)
        buf[(*o)++] = c;
}

/* ASCII byte to its normalised form: lowercase, apostrophes and controls become spaces. */
static inline char norm_ascii(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return (char)(c + 32);
    if (c == '\'' || c == '`' || c < 0x20 || c == 0x7f)
        return ' ';
    return (char)c;
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

long camas_text_normalize(const char *s, size_t n, char *buf, size_t cap)
{
    if (!s || !buf || cap == 0)
        return -1;
    size_t o = 0;
    bool ascii = true;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] & 0x80) {
            ascii = false;
            break;
        }
    }
    if (ascii) {
        /* The common case (English, French typed without accents) needs no libunistring. */
        size_t lim = n < cap - 1 ? n : cap - 1;
        for (size_t i = 0; i < lim; i++)
            buf[i] = norm_ascii((unsigned char)s[i]);
        buf[lim] = '\0';
        return (long)lim;
    }

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
            put_byte(buf, cap, &o, norm_ascii((unsigned char)uc));
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

char *camas_text_normalize_dup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    /* NFKD can expand a character to several; 4x plus slack is always enough in practice
     * and truncation (at worst) only loses trailing text. */
    size_t cap = n * 4 + 16;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    long len = camas_text_normalize(s, n, buf, cap);
    if (len < 0) {
        free(buf);
        return NULL;
    }
    /* Give back the slack: the matcher keeps these for its life (about 1,000 of them). */
    char *fit = realloc(buf, (size_t)len + 1);
    return fit ? fit : buf;
}

/* ---------------------------------------------------------------------------------------
 * Tokens */

static inline bool is_alpha_b(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || c >= 0x80;
}

static inline bool is_digit_b(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline bool is_alnum_b(unsigned char c)
{
    return is_alpha_b(c) || is_digit_b(c);
}

static inline bool is_email_local(unsigned char c)
{
    return is_alnum_b(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static inline bool is_email_domain(unsigned char c)
{
    return is_alnum_b(c) || c == '.' || c == '-';
}

static void emit(camas_token *out, size_t max, size_t idx, const unsigned char *p, size_t len,
                 int kind)
{
    if (idx >= max)
        return;
    if (len > CAMAS_TOKEN_MAX) {
        /* cut at a UTF-8 character boundary */
        len = CAMAS_TOKEN_MAX;
        while (len > 0 && (p[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(out[idx].text, p, len);
    out[idx].text[len] = '\0';
    out[idx].len = (uint8_t)len;
    out[idx].kind = (uint8_t)kind;
}

/* Tries "local@domain.tld" starting at s[i]; returns its end or 0. */
static size_t scan_email(const unsigned char *s, size_t i)
{
    size_t j = i;
    while (s[j] && is_email_local(s[j]))
        j++;
    if (s[j] != '@' || j == i || !is_alnum_b(s[j + 1]))
        return 0;
    size_t k = j + 1;
    bool dot = false;
    while (s[k] && is_email_domain(s[k])) {
        if (s[k] == '.' && is_alnum_b(s[k + 1]))
            dot = true;
        k++;
    }
    while (k > j + 1 && (s[k - 1] == '.' || s[k - 1] == '-'))
        k--;
    return dot ? k : 0;
}

/* Tries a dotted acronym "c.s.e.c." at s[i]; returns its end (after the last letter's dot,
 * if any) and writes the letters into out, or returns 0. */
static size_t scan_acronym(const unsigned char *s, size_t i, unsigned char *out, size_t *olen)
{
    size_t j = i, n = 0;
    while (s[j] >= 'a' && s[j] <= 'z' && !is_alnum_b(s[j + 1]) && s[j + 1] == '.' &&
           n < CAMAS_TOKEN_MAX) {
        out[n++] = s[j];
        j += 2;
        if (!(s[j] >= 'a' && s[j] <= 'z') || is_alnum_b(s[j + 1])) {
            /* last letter may lack its dot: "c.s.e.c" */
            if (s[j] >= 'a' && s[j] <= 'z' && !is_alnum_b(s[j + 1]) && n >= 1) {
                out[n++] = s[j];
                j++;
            }
            break;
        }
    }
    if (n < 2)
        return 0;
    *olen = n;
    return j;
}

size_t camas_tokenize(const char *norm, camas_token *out, size_t max)
{
    const unsigned char *s = (const unsigned char *)norm;
    size_t i = 0, count = 0;
    if (!s)
        return 0;
    while (s[i]) {
        if (!is_alnum_b(s[i])) {
            i++;
            continue;
        }
        size_t end = scan_email(s, i);
        if (end) {
            emit(out, max, count++, s + i, end - i, CAMAS_TOK_EMAIL);
            i = end;
            continue;
        }
        unsigned char acr[CAMAS_TOKEN_MAX];
        size_t alen = 0;
        end = scan_acronym(s, i, acr, &alen);
        if (end) {
            emit(out, max, count++, acr, alen, CAMAS_TOK_ACRONYM);
            i = end;
            continue;
        }
        if (is_digit_b(s[i])) {
            size_t j = i;
            for (;;) {
                while (is_digit_b(s[j]))
                    j++;
                if ((s[j] == '.' || s[j] == '-' || s[j] == '/' || s[j] == ':') &&
                    is_digit_b(s[j + 1]))
                    j++;
                else
                    break;
            }
            if (!is_alpha_b(s[j])) {
                emit(out, max, count++, s + i, j - i, CAMAS_TOK_NUMBER);
                i = j;
                continue;
            }
            /* digits followed by letters ("5884b", "3rd"): an ordinary word */
        }
        size_t j = i;
        while (is_alnum_b(s[j]))
            j++;
        emit(out, max, count++, s + i, j - i, CAMAS_TOK_WORD);
        i = j;
    }
    return count;
}

/* ---------------------------------------------------------------------------------------
 * Word tables. All sorted (strcmp order) for bsearch; entries are normalised (no accents).
 * Keep them sorted when extending: test_match checks the order. */

static const char *const stop_en[] = {
    "a",      "about", "all",    "also",   "am",      "an",        "and",       "any",
    "anyone", "are",   "as",     "ask",    "asking",  "at",        "be",        "been",
    "being",  "but",   "by",     "can",    "could",   "currently", "d",         "did",
    "do",     "does",  "doing",  "dont",   "exactly", "for",       "from",      "give",
    "had",    "has",   "have",   "having", "he",      "hello",     "her",       "here",
    "hey",    "hi",    "him",    "his",    "i",       "if",        "im",        "in",
    "into",   "is",    "it",     "its",    "just",    "kind",      "know",      "let",
    "like",   "ll",    "m",      "me",     "mean",    "might",     "more",      "most",
    "much",   "must",  "my",     "need",   "now",     "of",        "on",        "or",
    "our",    "out",   "please", "pls",    "plz",     "re",        "really",    "s",
    "say",    "she",   "should", "so",     "some",    "someone",   "something", "t",
    "tell",   "than",  "thank",  "thanks", "that",    "the",       "their",     "them",
    "then",   "there", "these",  "they",   "thing",   "things",    "this",      "those",
    "to",     "too",   "u",      "up",     "us",      "ve",        "very",      "want",
    "was",    "we",    "were",   "will",   "wish",    "with",      "wondering", "would",
    "ya",     "you",   "your",   "yours",
};

static const char *const stop_fr[] = {
    "a",     "ai",       "aimerais",  "ainsi",  "alors", "as",    "au",       "aupres",
    "aussi", "aux",      "avec",      "avez",   "avoir", "avons", "bonjour",  "bonsoir",
    "c",     "ca",       "ce",        "cela",   "celle", "celui", "ces",      "cet",
    "cette", "chez",     "connaitre", "d",      "dans",  "de",    "des",      "dire",
    "donc",  "dont",     "du",        "elle",   "elles", "en",    "es",       "est",
    "et",    "etaient",  "etait",     "etes",   "etre",  "eu",    "eux",      "exactement",
    "il",    "ils",      "j",         "je",     "l",     "la",    "le",       "les",
    "leur",  "leurs",    "lui",       "m",      "ma",    "mais",  "me",       "merci",
    "mes",   "moi",      "mon",       "n",      "ne",    "nos",   "notre",    "nous",
    "on",    "ont",      "ou",        "par",    "pas",   "peut",  "peux",     "plait",
    "plus",  "pourrais", "pourriez",  "pouvez", "qu",    "s",     "sa",       "sais",
    "salut", "savoir",   "se",        "ses",    "si",    "sil",   "son",      "sont",
    "suis",  "svp",      "t",         "ta",     "te",    "tes",   "toi",      "ton",
    "tu",    "un",       "une",       "veux",   "vos",   "votre", "voudrais", "vous",
    "y",
};

static const char *const question_en[] = {
    "how", "what", "whats", "when", "where", "which", "who", "whom", "whos", "whose", "why",
};

static const char *const question_fr[] = {
    "combien", "comment", "lequel", "lesquelles", "lesquels", "ou",  "pourquoi", "quand",
    "que",     "quel",    "quelle", "quelles",    "quels",    "qui", "quoi",
};

/* Language cues: normalised word and its weight. Words both languages use ("a", "on",
 * "me", "contact", "mission") are left out on purpose. */
typedef struct lang_cue {
    const char *word;
    float w;
} lang_cue;

static const lang_cue cue_en[] = {
    {"about", 1},        {"afraid", 1},      {"an", 1},          {"and", 1},
    {"are", 1},          {"at", 0.5f},       {"attend", 1},      {"be", 1},
    {"brother", 1},      {"by", 0.5f},       {"can", 1},         {"chair", 1},
    {"chaired", 1},      {"chairs", 1},      {"children", 1},    {"committee", 1},
    {"could", 1},        {"daughter", 1},    {"did", 1},         {"do", 1},
    {"documents", 0.5f}, {"does", 1},        {"for", 1},         {"forced", 1},
    {"from", 1},         {"has", 1},         {"have", 1},        {"help", 1},
    {"how", 1.5f},       {"i", 1},           {"in", 0.5f},       {"is", 1},
    {"it", 1},           {"join", 1},        {"law", 1},         {"leave", 1},
    {"meet", 1.5f},      {"meeting", 1.5f},  {"meetings", 1.5f}, {"meets", 1.5f},
    {"member", 1},       {"members", 1},     {"my", 1},          {"neighbor", 1},
    {"neighbour", 1},    {"next", 1},        {"not", 1},         {"of", 1},
    {"often", 1},        {"phone", 1},       {"please", 1},      {"purpose", 1},
    {"scared", 1},       {"should", 1},      {"sister", 1},      {"the", 1.5f},
    {"their", 1},        {"they", 1},        {"this", 1},        {"to", 1},
    {"took", 1},         {"trafficking", 1}, {"was", 1},         {"what", 1.5f},
    {"whats", 1.5f},     {"when", 1.5f},     {"where", 1.5f},    {"which", 1.5f},
    {"who", 1.5f},       {"whos", 1.5f},     {"why", 1.5f},      {"will", 1},
    {"with", 1},         {"work", 1},        {"would", 1},       {"you", 1},
    {"your", 1},
};

static const lang_cue cue_fr[] = {
    {"adhesion", 1},  {"aide", 1},       {"aidez", 1.5f},     {"au", 1},          {"aux", 1},
    {"avec", 1},      {"ce", 1},         {"ces", 1},          {"cette", 1},       {"combien", 1.5f},
    {"comite", 1.5f}, {"comment", 1.5f}, {"contacter", 1.5f}, {"courriel", 1.5f}, {"dans", 1},
    {"de", 1},        {"des", 1},        {"du", 1},           {"elle", 1},        {"enfants", 1},
    {"est", 1},       {"et", 1},         {"etat", 1},         {"fait", 1},        {"groupe", 1},
    {"il", 1},        {"ils", 1},        {"je", 1.5f},        {"joindre", 1},     {"la", 1},
    {"le", 1},        {"les", 1.5f},     {"leur", 1},         {"leurs", 1},       {"loi", 1},
    {"ma", 1},        {"membres", 1},    {"mes", 1},          {"moi", 1},         {"mon", 1},
    {"ne", 1},        {"nous", 1},       {"numero", 1},       {"oblige", 1},      {"ou", 1},
    {"par", 1},       {"pas", 1},        {"passeport", 1},    {"personnes", 1},   {"peur", 1},
    {"peut", 1},      {"peux", 1},       {"pour", 1},         {"pourquoi", 1.5f}, {"preside", 1.5f},
    {"president", 1}, {"presidente", 1}, {"prochaine", 1.5f}, {"quand", 1.5f},    {"que", 1.5f},
    {"quel", 1.5f},   {"quelle", 1.5f},  {"quelles", 1.5f},   {"quels", 1.5f},    {"qui", 1.5f},
    {"quoi", 1.5f},   {"reunion", 1.5f}, {"reunions", 1.5f},  {"reunit", 1.5f},   {"sa", 1},
    {"se", 1},        {"secours", 1},    {"ses", 1},          {"soeur", 1},       {"son", 1},
    {"sont", 1},      {"suis", 1},       {"sur", 1},          {"telephone", 1},   {"traite", 1},
    {"travail", 1},   {"une", 1},        {"voisin", 1},       {"voisine", 1},     {"vous", 1.5f},
};

static int cmp_str(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

static int cmp_cue(const void *key, const void *elem)
{
    return strcmp((const char *)key, ((const lang_cue *)elem)->word);
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static bool in_table(const char *const *t, size_t n, const char *w)
{
    return bsearch(w, t, n, sizeof t[0], cmp_str) != NULL;
}

bool camas_is_stopword(const char *lang, const char *word)
{
    if (!word)
        return false;
    bool fr = lang && strcmp(lang, "fr") == 0;
    bool en = lang && strcmp(lang, "en") == 0;
    if (!fr && in_table(stop_en, NELEM(stop_en), word))
        return true;
    if (!en && in_table(stop_fr, NELEM(stop_fr), word))
        return true;
    return false;
}

bool camas_is_question_word(const char *lang, const char *word)
{
    if (!word)
        return false;
    bool fr = lang && strcmp(lang, "fr") == 0;
    bool en = lang && strcmp(lang, "en") == 0;
    if (!fr && in_table(question_en, NELEM(question_en), word))
        return true;
    if (!en && in_table(question_fr, NELEM(question_fr), word))
        return true;
    return false;
}

/* Exposed to the unit tests through a weak contract: returns 0 when every table is sorted. */
int camas_text_check_tables(void);
int camas_text_check_tables(void)
{
    const char *const *t[] = {stop_en, stop_fr, question_en, question_fr};
    size_t n[] = {NELEM(stop_en), NELEM(stop_fr), NELEM(question_en), NELEM(question_fr)};
    for (size_t k = 0; k < 4; k++)
        for (size_t i = 1; i < n[k]; i++)
            if (strcmp(t[k][i - 1], t[k][i]) >= 0)
                return -1;
    for (size_t i = 1; i < NELEM(cue_en); i++)
        if (strcmp(cue_en[i - 1].word, cue_en[i].word) >= 0)
            return -1;
    for (size_t i = 1; i < NELEM(cue_fr); i++)
        if (strcmp(cue_fr[i - 1].word, cue_fr[i].word) >= 0)
            return -1;
    return 0;
}

/* ---------------------------------------------------------------------------------------
 * Language detection */

/* Counts raw-text cues that normalisation would erase: accented letters (French) and
 * apostrophe forms (French elisions "l'", "qu'" vs English "'s", "n't", "'m"). */
static inline bool is_letter_raw(unsigned char c)
{
    unsigned char l = c | 0x20;
    return (l >= 'a' && l <= 'z') || c >= 0x80;
}

static void raw_cues(const char *text, double *fr, double *en)
{
    const unsigned char *s = (const unsigned char *)text;
    double accents = 0;
    for (size_t i = 0; s[i]; i++) {
        /* é è ê ë à â ç ù û ô î ï in precomposed form are all U+00C0..U+00FF, i.e. a 0xC3
         * lead byte; French questions rarely contain other Latin-1 letters. */
        if (s[i] == 0xC3 && s[i + 1]) {
            unsigned char c = s[i + 1] | 0x20; /* fold capitals */
            if (c == 0xA9 || c == 0xA8 || c == 0xAA || c == 0xAB || c == 0xA0 || c == 0xA2 ||
                c == 0xA7 || c == 0xB9 || c == 0xBB || c == 0xB4 || c == 0xAE || c == 0xAF)
                accents += 1;
        } else if (s[i] == 0xC5 && (s[i + 1] == 0x93 || s[i + 1] == 0x92)) {
            accents += 1; /* œ */
        }
        /* apostrophe: ASCII ' or U+2019 / U+2018 (E2 80 99 / E2 80 98) */
        size_t alen = 0;
        if (s[i] == '\'')
            alen = 1;
        else if (s[i] == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0x99 || s[i + 2] == 0x98))
            alen = 3;
        if (alen && i > 0 && is_letter_raw(s[i - 1])) {
            unsigned char p = s[i - 1] | 0x20;
            bool word_start = i < 2 || !is_letter_raw(s[i - 2]);
            const unsigned char *nx = s + i + alen;
            size_t k = 0;
            while (is_letter_raw(nx[k]))
                k++;
            unsigned char n0 = nx[0] | 0x20, n1 = k > 1 ? nx[1] | 0x20 : 0;
            if (k > 0 && word_start && strchr("ldjcsnmt", p))
                *fr += 1.5; /* l'adhésion, d'information, c'est, s'il, n'est */
            else if (k > 0 && i >= 2 && (s[i - 2] | 0x20) == 'q' && p == 'u' &&
                     (i < 3 || !is_letter_raw(s[i - 3])))
                *fr += 1.5; /* qu'est-ce */
            else if (p == 'n' && k == 1 && n0 == 't')
                *en += 1.5; /* don't, can't, won't */
            else if ((k == 1 && (n0 == 's' || n0 == 'm' || n0 == 'd')) ||
                     (k == 2 && ((n0 == 'r' && n1 == 'e') || (n0 == 'l' && n1 == 'l') ||
                                 (n0 == 'v' && n1 == 'e'))))
                *en += 1; /* what's, I'm, they're, we'll, I've */
        }
    }
    *fr += accents > 3 ? 3 + (accents - 3) * 0.25 : accents * 1.0;
}

const char *camas_detect_lang(const char *text, double *confidence)
{
    double fr = 0, en = 0;
    if (confidence)
        *confidence = 0;
    if (!text || !*text)
        return "en";
    raw_cues(text, &fr, &en);

    char stackbuf[1024];
    size_t n = strlen(text);
    char *norm = stackbuf;
    bool heap = false;
    if (n * 3 + 16 > sizeof stackbuf) {
        norm = malloc(n * 3 + 16);
        heap = norm != NULL;
        if (!norm) {
            /* out of memory: detect on the first part of the text only */
            norm = stackbuf;
            n = (sizeof stackbuf - 16) / 3;
        }
    }
    size_t cap = heap ? strlen(text) * 3 + 16 : sizeof stackbuf;
    if (camas_text_normalize(text, n, norm, cap) >= 0) {
        camas_token toks[64];
        size_t nt = camas_tokenize(norm, toks, NELEM(toks));
        if (nt > NELEM(toks))
            nt = NELEM(toks);
        for (size_t i = 0; i < nt; i++) {
            const lang_cue *c =
                bsearch(toks[i].text, cue_en, NELEM(cue_en), sizeof cue_en[0], cmp_cue);
            if (c)
                en += c->w;
            c = bsearch(toks[i].text, cue_fr, NELEM(cue_fr), sizeof cue_fr[0], cmp_cue);
            if (c)
                fr += c->w;
        }
    }
    if (heap)
        free(norm);

    /* Ties and cue-less text go to English: terse keyword queries are mostly English. */
    const char *lang = fr > en ? "fr" : "en";
    if (confidence) {
        double d = fr > en ? fr - en : en - fr;
        *confidence = d / (d + 1.0 + (fr < en ? fr : en));
    }
    return lang;
}

/* ---------------------------------------------------------------------------------------
 * Edit distance */

int camas_text_distance(const char *a, size_t alen, const char *b, size_t blen, int max)
{
    if (alen > CAMAS_TOKEN_MAX || blen > CAMAS_TOKEN_MAX)
        return max + 1;
    int d = (int)alen - (int)blen;
    if (d > max || -d > max)
        return max + 1;
    /* three rolling rows of the optimal-string-alignment table */
    int r0[CAMAS_TOKEN_MAX + 1], r1[CAMAS_TOKEN_MAX + 1], r2[CAMAS_TOKEN_MAX + 1];
    int *pp = r0, *p = r1, *c = r2;
    for (size_t j = 0; j <= blen; j++)
        p[j] = (int)j;
    for (size_t i = 1; i <= alen; i++) {
        c[0] = (int)i;
        int rowmin = c[0];
        for (size_t j = 1; j <= blen; j++) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = p[j] + 1;
            if (c[j - 1] + 1 < v)
                v = c[j - 1] + 1;
            if (p[j - 1] + cost < v)
                v = p[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
                v = pp[j - 2] + 1;
            c[j] = v;
            if (v < rowmin)
                rowmin = v;
        }
        if (rowmin > max)
            return max + 1;
        int *t = pp;
        pp = p;
        p = c;
        c = t;
    }
    return p[blen] > max ? max + 1 : p[blen];
}
