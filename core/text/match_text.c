/* Text analysis shared by the matcher's build and its queries: tokenising and stemming
 * (with typo correction at query time, match_prepare) and folding phrases and bodies into
 * terms (match_fold). */
#include "match_internal.h"
#include "lexicon.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------
 * Text analysis shared by build and query */

/* Stems a token, using the surface cache of the index when the word is known. */
static int stem_token(const index_t *ix, camas_stemmer *st, int l, const camas_token *t, char *out,
                      size_t cap, bool *known_surface)
{
    *known_surface = false;
    if (t->kind == CAMAS_TOK_NUMBER || t->kind == CAMAS_TOK_EMAIL) {
        memcpy(out, t->text, (size_t)t->len + 1);
        return t->len;
    }
    if (ix) {
        char key[CAMAS_TOKEN_MAX + 8];
        size_t kn = mkkey(key, sizeof key, 's', l, t->text, t->len);
        uint32_t *v = kn ? camas_strmap_get(&ix->map, key, kn) : NULL;
        if (v) {
            *known_surface = true;
            const char *s = ix->map.arena + *v;
            size_t sl = strlen(s);
            if (sl + 1 > cap)
                return -1;
            memcpy(out, s, sl + 1);
            return (int)sl;
        }
    }
    return camas_stem(st, lang_name(l), t->text, out, cap);
}

/* Typo correction: the nearest vocabulary word within maxd of w, the most frequent of those
 * as near. With real (a dictionary), only a real word other than w itself and with w's first
 * letter: the reading of a typo the vocabulary knows (known_typo_fix). */
static const surface *nearest_word(const index_t *ix, int l, const char *w, size_t n, int maxd,
                                   const camas_lexicon *real)
{
    if (n < 4 || n > CAMAS_TOKEN_MAX)
        return NULL;
    size_t lo = n - (size_t)maxd, hi = n + (size_t)maxd;
    if (lo < 3)
        lo = 3;
    if (hi > CAMAS_TOKEN_MAX)
        hi = CAMAS_TOKEN_MAX;
    uint32_t mk = letter_mask(w, n);
    const surface *best = NULL;
    int bestd = maxd + 1;
    for (size_t i = ix->surf_by_len[l][lo]; i < ix->surf_by_len[l][hi + 1]; i++) {
        const surface *s = &ix->surf[l][i];
        /* people rarely mistype the first letter, while short real words one edit from a
         * vocabulary word mostly differ there (earn/warn, next/text); checked first as it
         * rejects nearly every word for the price of a byte compare */
        if (s->word[0] != w[0] && (real || !(s->word[0] == w[1] && s->word[1] == w[0])))
            continue;
        /* each edit changes at most two letters of the letter set */
        if (__builtin_popcount(s->mask ^ mk) > 2 * maxd)
            continue;
        int d = camas_text_distance(w, n, s->word, s->len, maxd);
        if (real && (d == 0 || !camas_lexicon_has(real, s->word, s->len)))
            continue;
        if (d < bestd || (d == bestd && best && s->count > best->count)) {
            best = s;
            bestd = d;
        }
    }
    return bestd <= maxd ? best : NULL;
}

static const surface *typo_fix(const index_t *ix, int l, const char *w, size_t n)
{
    return nearest_word(ix, l, w, n, n >= 8 ? 2 : 1, NULL);
}

/* A word the vocabulary knows but no dictionary does, one typo from a real word the
 * vocabulary knows too: the typo some example keeps ("task force meetigns" teaches
 * "meetigns"), read as the word. Long words only (six letters or more): short ones one edit
 * apart are as often two words. NULL without a dictionary. */
static const surface *known_typo_fix(const index_t *ix, const camas_lexicon *lex, int l,
                                     const char *w, size_t n)
{
    return lex && n >= 6 ? nearest_word(ix, l, w, n, 1, lex) : NULL;
}

/* Is this stem a known term or phrase start in language l? */
static bool stem_known(const index_t *ix, int l, const char *stem, size_t n)
{
    char key[CAMAS_TOKEN_MAX + 8];
    size_t kn = mkkey(key, sizeof key, 't', l, stem, n);
    if (kn && camas_strmap_get(&ix->map, key, kn))
        return true;
    kn = mkkey(key, sizeof key, 'r', l, stem, n);
    return kn && camas_strmap_get(&ix->map, key, kn);
}

/* Top-level domains and the like: too common in addresses to say anything. */
static bool is_tld(const char *p, size_t k)
{
    static const char *const t[] = {"com", "org", "gov", "net", "edu", "www", "mail"};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strlen(t[i]) == k && memcmp(t[i], p, k) == 0)
            return true;
    return false;
}

/* Tokenises and stems text. At query time (query = true) unknown words get typo-corrected
 * against the vocabulary. Returns the number of tokens, or -1 on error. */
long match_prepare(const index_t *ix, camas_stemmer *st, int l, const char *text, bool query,
                   tok *out, size_t max)
{
    size_t n = strlen(text);
    char stackbuf[2048];
    size_t cap = n * 3 + 16;
    char *norm = cap <= sizeof stackbuf ? stackbuf : malloc(cap);
    if (!norm)
        return -1;
    long rc = camas_text_normalize(text, n, norm, cap) < 0
                  ? -1
                  : match_prepare_normalized(ix, st, l, norm, query, out, max);
    if (norm != stackbuf)
        free(norm);
    return rc;
}

/* match_prepare() for text that camas_text_normalize() has already seen. */
long match_prepare_normalized(const index_t *ix, camas_stemmer *st, int l, const char *norm,
                              bool query, tok *out, size_t max)
{
    camas_token toks[MAX_QTOK * 4];
    size_t nt = camas_tokenize(norm, toks, MAX_QTOK * 4);
    if (nt > MAX_QTOK * 4)
        nt = MAX_QTOK * 4;
    if (nt > max)
        nt = max;
    size_t no = 0;
    for (size_t i = 0; i < nt && no < max; i++) {
        tok *o = &out[no++];
        o->kind = toks[i].kind;
        o->factor = 1.0f;
        memcpy(o->surf, toks[i].text, (size_t)toks[i].len + 1);
        bool known;
        int sl = stem_token(ix, st, l, &toks[i], o->stem, sizeof o->stem, &known);
        if (sl < 0)
            return -1;
        if (toks[i].kind == CAMAS_TOK_EMAIL) {
            /* "warntrafficking@yahoo.com" is also asked about as "the warntrafficking
             * yahoo address": its words become tokens too */
            char part[CAMAS_TOKEN_MAX + 1];
            const char *p = toks[i].text;
            while (*p && no < max) {
                size_t k = strcspn(p, "@.-_+");
                if (k >= 3 && k < sizeof part && !is_tld(p, k)) {
                    memcpy(part, p, k);
                    part[k] = '\0';
                    camas_token pt = {.len = (uint8_t)k, .kind = CAMAS_TOK_WORD};
                    memcpy(pt.text, part, k + 1);
                    tok *po = &out[no++];
                    po->kind = CAMAS_TOK_WORD;
                    po->factor = 1.0f;
                    memcpy(po->surf, part, k + 1);
                    if (stem_token(ix, st, l, &pt, po->stem, sizeof po->stem, &known) < 0)
                        return -1;
                }
                p += k;
                if (*p)
                    p++;
            }
            continue;
        }
        if (!query || known || toks[i].kind == CAMAS_TOK_NUMBER ||
            camas_is_stopword(lang_name(l), o->surf) ||
            camas_is_question_word(lang_name(l), o->surf) || stem_known(ix, l, o->stem, (size_t)sl))
            continue;
        const surface *fix = typo_fix(ix, l, o->surf, toks[i].len);
        if (fix) {
            camas_token ft = {.len = (uint8_t)fix->len, .kind = CAMAS_TOK_WORD};
            memcpy(ft.text, fix->word, fix->len);
            ft.text[fix->len] = '\0';
            if (stem_token(ix, st, l, &ft, o->stem, sizeof o->stem, &known) < 0)
                return -1;
            memcpy(o->surf, ft.text, (size_t)ft.len + 1);
            o->factor = TYPO_FACTOR;
            continue;
        }
        /* an inflection the stemmer missed ("siègent" vs "siéger"): a known stem of 4+
         * letters that the word starts with, at most 3 letters shorter */
        size_t n0 = toks[i].len;
        for (size_t k = n0 - 1; n0 >= 6 && k >= 4 && k + 3 >= n0; k--) {
            if (stem_known(ix, l, o->surf, k)) {
                memcpy(o->stem, o->surf, k);
                o->stem[k] = '\0';
                o->factor = TYPO_FACTOR;
                break;
            }
        }
    }
    return (long)no;
}

/* Folds phrases (aliases, multi-word synonyms) and drops stop words. map is the phrase map
 * (the index's own map at query time). Returns the number of items written. */
size_t match_fold(const camas_strmap *map, int l, const tok *t, size_t nt, item *out, size_t max,
                  const index_t *ix)
{
    size_t no = 0;
    char key[MAX_PHRASE * (CAMAS_TOKEN_MAX + 1) + 8];
    for (size_t i = 0; i < nt && no < max;) {
        /* longest phrase starting at i */
        size_t best_len = 0;
        uint32_t best_val = 0;
        size_t kl = 3;
        key[1] = (char)('0' + l);
        key[2] = '|';
        for (size_t k = 0; k < MAX_PHRASE && i + k < nt; k++) {
            size_t sl = strlen(t[i + k].stem);
            if (kl + sl + 2 > sizeof key)
                break;
            if (k > 0)
                key[kl++] = ' ';
            memcpy(key + kl, t[i + k].stem, sl);
            kl += sl;
            key[0] = 'p';
            uint32_t *v = camas_strmap_get(map, key, kl);
            if (v) {
                best_len = k + 1;
                best_val = *v;
            }
            key[0] = 'r';
            if (!camas_strmap_get(map, key, kl))
                break;
        }
        item *it = &out[no];
        it->factor = 1.0f;
        it->key[0] = '\0';
        if (best_len) {
            float f = 1.0f;
            for (size_t k = 0; k < best_len; k++)
                if (t[i + k].factor < f)
                    f = t[i + k].factor;
            it->factor = f;
            if (best_val & PH_BODY) {
                it->kind = IT_BODY;
                it->id = best_val & ~PH_BODY;
            } else {
                it->kind = IT_TERM;
                it->id = best_val;
            }
            no++;
            i += best_len;
            continue;
        }
        const tok *tk = &t[i++];
        const char *ln = lang_name(l);
        if (tk->kind == CAMAS_TOK_WORD || tk->kind == CAMAS_TOK_ACRONYM) {
            if (camas_is_stopword(ln, tk->surf))
                continue;
            it->kind = camas_is_question_word(ln, tk->surf) ? IT_QWORD : IT_TERM;
        } else {
            it->kind = IT_TERM;
        }
        it->factor = tk->factor;
        /* numbers and e-mail addresses are the same in both languages */
        bool neutral = tk->kind == CAMAS_TOK_NUMBER || tk->kind == CAMAS_TOK_EMAIL;
        size_t kn =
            mkkey(it->key, sizeof it->key, 't', neutral ? 9 : l, tk->stem, strlen(tk->stem));
        if (!kn)
            continue;
        uint32_t *v = ix ? camas_strmap_get(&ix->map, it->key, kn) : NULL;
        if (ix) {
            if (v)
                it->id = *v;
            else if (it->kind == IT_QWORD)
                continue; /* an unknown question word says nothing */
            else
                it->kind = IT_UNKNOWN;
        }
        no++;
    }
    return no;
}

/* ---------------------------------------------------------------------------------------
 * Spelling, for the dense side (match.h) */

/* Is the word's first token one the query-time correction would replace, and by what? */
static const surface *word_fix(const index_t *ix, camas_stemmer *st, const camas_lexicon *lex,
                               int l, const char *word, size_t n)
{
    char norm[4 * CAMAS_TOKEN_MAX];
    camas_token t[2];
    if (n == 0 || n >= CAMAS_TOKEN_MAX || camas_text_normalize(word, n, norm, sizeof norm) <= 0 ||
        camas_tokenize(norm, t, 2) != 1 || t[0].kind != CAMAS_TOK_WORD || t[0].len < 4)
        return NULL;
    char stem[CAMAS_TOKEN_MAX + 1];
    bool known;
    int sl = stem_token(ix, st, l, &t[0], stem, sizeof stem, &known);
    if (sl < 0 || camas_lexicon_has(lex, t[0].text, t[0].len) ||
        camas_is_stopword(lang_name(l), t[0].text) ||
        camas_is_question_word(lang_name(l), t[0].text))
        return NULL;
    if (known || stem_known(ix, l, stem, (size_t)sl))
        return known_typo_fix(ix, lex, l, t[0].text, t[0].len);
    return typo_fix(ix, l, t[0].text, t[0].len);
}

bool camas_matcher_knows(const camas_matcher *m, const char *word, const char *lang)
{
    camas_token t[2];
    char norm[4 * CAMAS_TOKEN_MAX];
    size_t n = word ? strlen(word) : 0;
    if (!m || !m->ix || n == 0 || n >= CAMAS_TOKEN_MAX ||
        camas_text_normalize(word, n, norm, sizeof norm) <= 0 || camas_tokenize(norm, t, 2) != 1)
        return false;
    const index_t *ix = m->ix;
    int l = lang_idx(lang ? lang : camas_detect_lang(word, NULL));
    if (pthread_mutex_lock(&ix->sc->lock) != 0)
        return false;
    char stem[CAMAS_TOKEN_MAX + 1];
    bool known;
    int sl = stem_token(ix, ix->sc->stem, l, &t[0], stem, sizeof stem, &known);
    known = sl >= 0 && (known || stem_known(ix, l, stem, (size_t)sl));
    pthread_mutex_unlock(&ix->sc->lock);
    return known;
}

size_t camas_matcher_spell(const camas_matcher *m, const camas_lexicon *lex, const char *question,
                           const char *lang, char *out, size_t cap)
{
    if (!m || !m->ix || !question || !out || cap == 0)
        return 0;
    const index_t *ix = m->ix;
    int l = lang_idx(lang ? lang : camas_detect_lang(question, NULL));
    if (pthread_mutex_lock(&ix->sc->lock) != 0)
        return 0;
    size_t o = 0, fixes = 0;
    for (const char *p = question; *p && o + 1 < cap;) {
        /* a word: what lies between spaces, less the punctuation around it */
        size_t gap = strspn(p, " \t\r\n");
        size_t len = strcspn(p + gap, " \t\r\n");
        size_t lead = 0, trail = 0;
        while (lead < len && strchr("\"'(?!.,;:", p[gap + lead]))
            lead++;
        while (trail < len - lead && strchr("\"')?!.,;:", p[gap + len - 1 - trail]))
            trail++;
        const char *w = p + gap + lead;
        size_t wn = len - lead - trail;
        const surface *fix = wn ? word_fix(ix, ix->sc->stem, lex, l, w, wn) : NULL;
        size_t need = gap + len + (fix ? fix->len : 0);
        if (o + need + 1 > cap) {
            fixes = 0; /* cut short: not the question any more */
            break;
        }
        memcpy(out + o, p, gap + lead);
        o += gap + lead;
        if (fix) {
            memcpy(out + o, fix->word, fix->len);
            o += fix->len;
            fixes++;
        } else {
            memcpy(out + o, w, wn);
            o += wn;
        }
        memcpy(out + o, w + wn, trail);
        o += trail;
        p += gap + len;
    }
    out[o] = '\0';
    pthread_mutex_unlock(&ix->sc->lock);
    return fixes;
}
