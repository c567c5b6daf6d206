/* Safety detector: static tables of normalised token patterns, in English and French, that
 * recognise someone saying they (or someone they know) are in danger or trafficked.
 *
 * How to extend: add a pattern string to patterns_en / patterns_fr. Patterns are matched
 * against the normalised tokens of the message (lowercase, no accents, apostrophes split:
 * "can't" -> "can t", "m'oblige" -> "m oblige"). A pattern is a sequence of specs separated
 * by spaces:
 *   word        the token, exactly (words of 5+ letters also match with one typo)
 *   pre*        any token starting with pre (5+ letter prefixes tolerate one typo)
 *   a|b|c       any of the alternatives
 *   ~N          up to N other tokens may come before the next spec (default: none)
 *   !a|b        the next token (if any) must not be one of these; only as the last spec
 * Keep patterns specific to a person in trouble (a subject or object pronoun, "my ...",
 * "being ..."): informational questions that mention trafficking must not match. Add the
 * new case to tests/unit/test_safety.c (positive) together with a close informational
 * question (negative). */
#include "safety.h"

#include "text.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>

/* People a message may be about. */
#define WHO_EN                                                                                     \
    "i|im|we|me|my|our|she|he|her|him|his|they|them|someone|somebody|sister|brother|"              \
    "daughter|son|friend|mother|mom|mum|father|dad|child|kid|girl|boy|neighbour|neighbor|"         \
    "cousin|wife|husband|girlfriend|boyfriend|niece|nephew|family|roommate|coworker|"              \
    "colleague|teen|teenager|aunt|uncle"
#define WHO_FR                                                                                     \
    "je|j|moi|me|m|ma|mon|mes|il|elle|ils|elles|on|nous|soeur|frere|fille|fils|amie|ami|"          \
    "voisin|voisine|enfant|mere|pere|cousin|cousine|femme|mari|copine|copain|niece|neveu|"         \
    "famille|collegue|quelqu"
#define BE_EN "am|im|m|is|s|are|re|was|were|been|be|being|got|get|gets"
#define BE_FR "suis|es|est|sont|sommes|etes|etre|ete|soit|sois|etait|etaient"

static const char *const patterns_en[] = {
    /* calls for help; "help me find the chair" is a question, not a call */
    "help me|us !find|understand|know|with|get|learn|figure|contact|reach|locate|choose|out|"
    "to|answer|about|see|write|read|check|decide|by|on|in|search|look|ask|make|go|do",
    "need help !find*|with|understand*|to|about|on|getting|for|learning|choosing|reaching",
    "please help",
    "save me|us",
    "rescue me|us",
    "sos",
    "get me out",
    "call the police",
    /* in danger, afraid */
    WHO_EN " ~3 in danger",
    WHO_EN " ~2 not safe|unsafe",
    "danger right now",
    "i|im|we|me ~2 scared|terrified|frightened",
    "scared|afraid|terrified ~3 hurt|kill|beat|hit",
    "afraid ~2 of ~1 them|him|her|my",
    /* being trafficked, held, sold... */
    "being trafficked|held|forced|sold|exploited|abused|threatened|beaten|pimped|kept|"
    "locked|prostituted|raped|enslaved|controlled|watched",
    "traffick* me|my|her|him|us|them|our",
    WHO_EN " ~3 " BE_EN " ~1 trafficked|kidnapped|abducted|enslaved|trapped|pimped|"
           "prostituted|sold|captive|hostage",
    WHO_EN " ~3 " BE_EN " ~2 victim|victims",
    "against my|her|his|our|their will",
    "sold ~1 for sex",
    "sell|selling ~2 for sex",
    /* forced, controlled */
    "forc*|make|makes|making|made|pressur*|coerc* me|us|her|him|them|my|our ~2 to|into ~2 "
    "work|sex|sell|prostitut*|sleep|strip|beg|have|stay|marry|do",
    "forced to|into ~2 work|sex|sell|prostitut*|sleep|strip|beg|marry|stay",
    "can|couldn t ~1 leave|escape|quit|run",
    "cant|cannot|unable ~1 leave|escape|quit|run",
    "can t ~1 go ~0 home|out",
    "cant|cannot|unable ~1 go ~0 home|out",
    "not allowed ~1 to ~1 leave|go|quit|out|talk",
    "won|doesn|don|didn|wouldn t ~0 let me|us|her|him ~2 leave|go|out|quit|talk|call|see|"
    "contact|speak|eat|sleep|home|phone|use|have|keep",
    "wont|not|never ~1 let me|us|her|him ~2 leave|go|out|quit|talk|call|see|contact|speak|eat|"
    "sleep|home|phone|use|have|keep",
    "took|taken|take|takes|has|have|keeps|kept|keep|keeping|holding|hold|holds|stole|stolen|"
    "confiscated|taking|hid|hides|hiding ~3 my|our|her|his|their ~0 passport|passports|"
    "id|ids|papers|documents|phone|visa|identification|money|pay|wages|paycheck",
    /* violence and threats */
    "hurt|kill|beat|hit|rape|punish|threaten|threatens|threatened|threatening|attack|harm ~1 "
    "me|us|my|her|him|family|kids",
    "lock|locks|locked|locking me|us|her|him|them",
    WHO_EN " ~3 locked ~0 in|up|inside",
    "owe|owes ~0 him|them|her|money|debt|a",
    "debt bondage",
    "call|report|calling|tell ~1 immigration|ice",
    "deport me|us|her|him|them",
    "get me|us|her|him deported",
    "work|working|worked ~2 for ~0 no ~0 pay|money|wages",
    "without pay|wages",
};

static const char *const patterns_fr[] = {
    "aidez|aide|aider moi|nous !a",
    "au secours",
    "a l aide !de|d|du|des",
    "sauvez moi|nous",
    "sos",
    "secourez moi|nous",
    WHO_FR " ~3 en danger",
    "danger de mort",
    WHO_FR " ~2 peur",
    "oblige|obligent|obligee|obliges|obligees|force|forcent|forcee|forcees|forces|contraint|"
    "contrainte|contraignent|pousse|poussent ~4 travailler|prostituer|prostitue|coucher|vendre|"
    "mendier|sexe|rester|marier|voler|dealer",
    "pris|prit|prend|prennent|garde|gardent|confisque|confisquent|confisques|vole|volent|"
    "retient|retiennent|cache|cachent ~3 mon|mes|ma|son|ses|notre|nos|leur|leurs ~0 passeport|"
    "passeports|papiers|documents|identite|carte|telephone|salaire|argent|visa",
    "peux|peut|pouvons|peuvent|pourrai ~0 pas|plus ~2 partir|sortir|quitter|fuir|enfuir|rentrer",
    "empeche|empechent|interdit|interdisent ~3 partir|sortir|parler|appeler|quitter|rentrer",
    WHO_FR " ~3 enferm*|sequestr*|captif|captive|prisonnier|prisonniere|retenu|retenue",
    "contre ma|mon|son|sa|notre|leur volonte|gre",
    "menac*|frapp*|battent|bat|tuer|tuent|violent|blessent ~1 me|m|nous|ma|mon|mes|famille",
    "me|m|nous menac*|frapp*|battre|bat|battent|tuer|tue|tuent|violer|viole|violent|blesser|"
    "vend|vendent|vendre|prostitu*|retient|retiennent|enferm*|sequestr*",
    WHO_FR " ~3 dette",
    "dette ~3 rembourser",
    WHO_FR " ~3 " BE_FR " ~2 victime|victimes",
    WHO_FR " ~4 " BE_FR " ~1 exploite|exploitee|exploites|exploitees|prostitue|prostituee|"
           "vendu|vendue|sequestre|sequestree|enferme|enfermee|force|forcee|oblige|obligee|drogue|"
           "droguee|kidnappe|kidnappee|enleve|enlevee",
    "sans salaire|paye|payer|etre paye",
    "appeler|appelle|appellera|appellent ~1 immigration",
    "me|nous|la|le|les ~0 faire|fera|fait|font ~0 expulser|deporter",
};

static const char hotline_en[] =
    "If you or someone you know may be in danger or trafficked, you are not alone. Call 911 "
    "in an emergency. The National Human Trafficking Hotline is free, confidential and open "
    "24 hours a day: call 1-888-373-7888 or text 233733.";

static const char hotline_fr[] =
    "Si vous ou une personne que vous connaissez êtes peut-être en danger ou victime de la "
    "traite, vous n'êtes pas seul·e. Appelez le 911 en cas d'urgence. La ligne nationale "
    "contre la traite des êtres humains (National Human Trafficking Hotline) est gratuite, "
    "confidentielle et ouverte 24 h/24 : appelez le 1-888-373-7888 ou envoyez un SMS au "
    "233733.";

const char *camas_safety_message(const char *lang)
{
    return lang && strcmp(lang, "fr") == 0 ? hotline_fr : hotline_en;
}

#define MAX_TOK  96
#define MAX_SPEC 16

/* Optimal-string-alignment distance <= 1 in linear time: every message is checked against
 * every pattern, so the general dynamic programme would dominate the cost of a message. */
static bool within_one(const char *a, size_t n, const char *b, size_t m)
{
    if (n < m) {
        const char *t = a;
        a = b;
        b = t;
        size_t tn = n;
        n = m;
        m = tn;
    }
    if (n - m > 1)
        return false;
    size_t i = 0;
    while (i < m && a[i] == b[i])
        i++;
    if (i == m)
        return true; /* equal, or one extra byte at the end */
    if (n == m) {
        if (memcmp(a + i + 1, b + i + 1, n - i - 1) == 0)
            return true; /* one substitution */
        return i + 1 < n && a[i] == b[i + 1] && a[i + 1] == b[i] &&
               memcmp(a + i + 2, b + i + 2, n - i - 2) == 0; /* one transposition */
    }
    return memcmp(a + i + 1, b + i, m - i) == 0; /* one insertion */
}

/* Does token t match one alternative (alt, n bytes, prefix when it ended in '*')? */
static bool alt_match(const char *alt, size_t n, bool prefix, const camas_token *t)
{
    size_t tl = t->len;
    if (prefix) {
        if (tl >= n && memcmp(t->text, alt, n) == 0)
            return true;
        if (n < 5 || tl + 1 < n)
            return false;
        /* one typo inside the prefix: compare with the token's first n-1..n+1 bytes */
        for (size_t k = n - 1; k <= n + 1 && k <= tl; k++)
            if (within_one(alt, n, t->text, k))
                return true;
        return false;
    }
    if (tl == n && memcmp(t->text, alt, n) == 0)
        return true;
    return n >= 5 && within_one(alt, n, t->text, tl);
}

typedef struct spec {
    const char *s;
    size_t len;
    int gap;  /* tokens allowed before this spec */
    bool neg; /* "!": the next token must not match */
} spec;

static size_t parse_pattern(const char *p, spec *out, size_t max)
{
    size_t n = 0;
    int gap = 0;
    while (*p && n < max) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if (*p == '~') {
            gap = atoi(p + 1);
        } else {
            bool neg = *p == '!';
            out[n++] = (spec){.s = p + neg, .len = (size_t)(e - p) - neg, .gap = gap, .neg = neg};
            gap = 0;
        }
        p = e;
    }
    return n;
}

/* Matches specs[k..] with spec k starting at or after token i (within its gap). */
/* Tokens grouped by their first and second letters: an alternative is only compared with
 * the few tokens it could match (same first letter, or a transposition of the first two). */
typedef struct token_index {
    uint64_t first[28][2], second[28][2];
} token_index;

static int letter_slot(char c)
{
    return c >= 'a' && c <= 'z' ? c - 'a' : c >= '0' && c <= '9' ? 26 : 27;
}

static void index_tokens(const camas_token *t, size_t nt, token_index *ti)
{
    memset(ti, 0, sizeof *ti);
    for (size_t i = 0; i < nt; i++) {
        uint64_t bit = 1ull << (i & 63);
        if (t[i].len > 0)
            ti->first[letter_slot(t[i].text[0])][i >> 6] |= bit;
        if (t[i].len > 1)
            ti->second[letter_slot(t[i].text[1])][i >> 6] |= bit;
    }
}

/* The set of tokens spec s matches, as a bitmask. */
static void spec_tokens(const char *s, size_t len, const camas_token *t, const token_index *ti,
                        uint64_t out[2])
{
    out[0] = out[1] = 0;
    for (size_t i = 0; i < len;) {
        const char *bar = memchr(s + i, '|', len - i);
        size_t j = bar ? (size_t)(bar - s) : len;
        size_t n = j - i;
        bool prefix = n > 0 && s[i + n - 1] == '*';
        if (prefix)
            n--;
        if (n > 0) {
            int a0 = letter_slot(s[i]);
            for (int w = 0; w < 2; w++) {
                uint64_t cand = ti->first[a0][w] | ti->second[a0][w];
                if (n > 1)
                    cand |= ti->first[letter_slot(s[i + 1])][w];
                cand &= ~out[w];
                while (cand) {
                    int b = __builtin_ctzll(cand);
                    cand &= cand - 1;
                    if (alt_match(s + i, n, prefix, &t[w * 64 + b]))
                        out[w] |= 1ull << b;
                }
            }
        }
        i = j + 1;
    }
}

/* Per pattern: each spec's token set, computed on first use. */
typedef struct spec_hits {
    bool known[MAX_SPEC];
    uint64_t hit[MAX_SPEC][2];
    const camas_token *t;
    const token_index *ti;
} spec_hits;

static bool hits(spec_hits *h, const spec *sp, size_t k, size_t i)
{
    if (!h->known[k]) {
        h->known[k] = true;
        spec_tokens(sp[k].s, sp[k].len, h->t, h->ti, h->hit[k]);
    }
    return (h->hit[k][i >> 6] >> (i & 63)) & 1;
}

static bool match_from(const spec *sp, size_t ns, size_t k, size_t nt, size_t i, spec_hits *h)
{
    if (k == ns)
        return true;
    if (sp[k].neg)
        return i >= nt || !hits(h, sp, k, i);
    for (size_t g = 0; g <= (size_t)sp[k].gap && i + g < nt; g++)
        if (hits(h, sp, k, i + g) && match_from(sp, ns, k + 1, nt, i + g + 1, h))
            return true;
    return false;
}

static bool match_any(const char *const *pats, size_t np, const camas_token *t, size_t nt,
                      const token_index *ti)
{
    spec sp[MAX_SPEC];
    for (size_t p = 0; p < np; p++) {
        size_t ns = parse_pattern(pats[p], sp, MAX_SPEC);
        if (ns == 0)
            continue;
        spec_hits h;
        memset(&h, 0, sizeof h);
        h.t = t;
        h.ti = ti;
        /* A pattern whose first spec matches no token cannot match: one cheap test. */
        if (!sp[0].neg && !hits(&h, sp, 0, 0) && !h.hit[0][0] && !h.hit[0][1])
            continue;
        for (size_t i = 0; i < nt; i++)
            if (match_from(sp, ns, 0, nt, i, &h))
                return true;
    }
    return false;
}

bool camas_safety_check(const char *text, const char **lang_hint)
{
    if (lang_hint)
        *lang_hint = "en";
    if (!text)
        return false;
    char *norm = camas_text_normalize_dup(text);
    if (!norm)
        return false;
    camas_token *t = malloc(MAX_TOK * sizeof *t);
    if (!t) {
        free(norm);
        return false;
    }
    size_t nt = camas_tokenize(norm, t, MAX_TOK);
    if (nt > MAX_TOK)
        nt = MAX_TOK;
    token_index ti;
    index_tokens(t, nt, &ti);
    const char *detected = camas_detect_lang(text, NULL);
    bool fr_first = strcmp(detected, "fr") == 0;
    bool hit = false;
    const char *hit_lang = detected;
    /* the detected language's patterns first, so the hint follows the message */
    for (int pass = 0; pass < 2 && !hit; pass++) {
        bool fr = (pass == 0) == fr_first;
        if (fr)
            hit = match_any(patterns_fr, sizeof patterns_fr / sizeof patterns_fr[0], t, nt, &ti);
        else
            hit = match_any(patterns_en, sizeof patterns_en / sizeof patterns_en[0], t, nt, &ti);
        if (hit)
            hit_lang = fr ? "fr" : "en";
    }
    free(t);
    free(norm);
    if (lang_hint)
        *lang_hint = hit ? hit_lang : detected;
    return hit;
}
