/* Safety detector: static tables of normalised token patterns, in English and French, that
 * recognise someone saying they (or someone they know) are in danger or trafficked.
 *
 * How to extend: add a pattern string to patterns_en / patterns_fr. Patterns are matched
 * against the normalised tokens of the message (lowercase, no accents, apostrophes split:
 * "can't" -> "can t", "m'oblige" -> "m oblige"). A pattern is a sequence of specs separated
 * by spaces:
 *   word        the token, exactly (words of 5+ letters also match with one typo, but
 *               not in a defuser)
 *   pre*        any token starting with pre (5+ letter prefixes tolerate one typo)
 *   a|b|c       any of the alternatives
 *   ~N          up to N other tokens may come before the next spec (default: none)
 *   !a|b        the next token (if any) must not be one of these; only as the last spec
 * Keep patterns specific to a person in trouble (a subject or object pronoun, "my ...",
 * "being ..."): informational questions that mention trafficking must not match. Add the
 * new case to tests/unit/test_safety.c (positive) together with a close informational
 * question (negative). */
#include "safety.h"
#include "messages.h"
#include "reply.h"
#include "util.h"

#include "text.h"

#include <stdint.h>
#include <stdlib.h>
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
    "to|answer|about|see|write|read|check|decide|by|on|in|search|look|ask|make|go|do|format|"
    "fix|install|configure|reset|update|print|edit|draft|translate|connect|log|login|plan|"
    "prepare|review|proofread|schedule",
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
    "id|ids|papers|paperwork|documents|docs|phone|visa|identification|money|pay|wages|paycheck|"
    "permit|permits",
    "took|taken|take|takes|keeps|kept|keep|keeping|holding|hold|holds|stole|confiscated ~3 "
    "my|our|her|his|their ~0 work|residence ~0 permit|permits|visa",
    /* ...said the other way round, as a terse message does ("passport taken") */
    "passport|passports|papers|documents ~0 taken|confiscated|withheld|held|kept",
    "passport|passports|papers|documents ~1 confiscated|withheld",
    /* violence and threats */
    "hurt|kill|beat|hit|rape|punish|threaten|threatens|threatened|threatening|attack|harm ~1 "
    "me|us|my|her|him|family|kids",
    "lock|locks|locked|locking me|us|her|him|them",
    WHO_EN " ~3 locked ~0 in|up|inside",
    /* held where someone else lives ("stuck at their house for 3 months") */
    "stuck|trapped ~2 at|in ~0 their|his ~0 place|house|home|apartment|flat|basement",
    "owe|owes ~0 him|them|her|money|debt|a",
    /* a debt that grows however long one works: debt bondage, often asked innocently */
    "owe|owes ~2 more ~2 than ~1 when ~2 started|arrived|came|began|got",
    "debt|balance ~2 keeps|keep ~0 growing|going|getting|rising",
    "debt bondage",
    "call|report|calling|tell ~1 immigration|ice",
    "deport me|us|her|him|them",
    "get me|us|her|him deported",
    "work|working|worked ~2 for ~0 no ~0 pay|money|wages",
    "pay|paying|repay|repaying|owe|owes ~3 smuggler|smugglers|coyote|coyotes",
    "still ~0 have|has|hold|holds|keep|keeps ~1 my|our|her|his ~0 passport|passports|papers|"
    "documents",
    "work|working|works ~5 instead ~3 school|class|classes",
    "without pay|wages",
    /* branding: a mark of ownership on a person ("he branded me with a barcode tattoo") */
    "brand|brands|branded|branding me|us|her|him|them",
    /* what follows a group's attempt to leave is a threat ("if we try to leave they let
     * the dogs out"); not "if I try to leave for work, my cat cries" */
    "if ~0 we|they ~0 try|tried ~1 to ~0 leave|escape|run",
    /* moved from motel to motel by someone else, or so often that the place is lost ("they
     * take us to a new motel every week", "i don't know what town this is") */
    "move|moves|moved|moving|take|takes|took|drive|drives|drove ~1 us|me|her|them ~4 motel|"
    "motels",
    "don|dont|not ~2 know|sure ~1 what|which ~0 town|city|state ~0 this|we|i|im ~0 is|are|am|"
    "re|m|in",
    /* hit for one's pace at work ("the foreman beats us if we're too slow") */
    "hit|hits|beat|beats|slap|slaps|punch|punches ~5 too ~0 slow|slowly",
    "hit|hits|beat|beats|slap|slaps|punch|punches ~5 fast ~0 enough",
    "hit|hits|beat|beats|slap|slaps|punch|punches ~5 quota",
    /* a phone someone else is about to take ("my phone is about to be taken") */
    "phone ~4 be|being|get|gets|getting ~0 taken|confiscated",
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
    "passeports|papiers|documents|docs|identite|carte|telephone|salaire|argent|visa|permis",
    "peux|peut|pouvons|peuvent|pourrai ~0 pas|plus ~2 partir|sortir|quitter|fuir|enfuir|rentrer",
    "empeche|empechent|interdit|interdisent ~3 partir|sortir|parler|appeler|quitter|rentrer",
    WHO_FR " ~3 enferm*|sequestr*|captif|captive|prisonnier|prisonniere|retenu|retenue",
    /* held where someone else lives ("jsui coincée chez eux depuis 3 mois") */
    "coince|coincee|coinces|coincees|bloque|bloquee|bloques|bloquees ~1 chez ~0 eux|lui|elles",
    "contre ma|mon|son|sa|notre|leur volonte|gre",
    "menac*|frapp*|battent|bat|tuer|tuent|violent|blessent ~1 me|m|nous|ma|mon|mes|famille",
    /* not "tuent": with one typo allowed it matched "me tient" ("ça me tient à cœur"); not
     * "tue": "ce boulot me tue" is tiredness, a threat says "va me tuer" */
    "me|m|nous menac*|frapp*|battre|bat|battent|tuer|violer|viole|violent|blesser|"
    "vend|vendent|vendre|prostitu*|retient|retiennent|enferm*|sequestr*",
    WHO_FR " ~3 dette",
    "dette ~3 rembourser",
    /* the journey still owed ("il dit que je lui dois encore le voyage"), and what one earns
     * kept by someone else ("ma tante garde tout ce que je gagne") */
    "lui|leur ~0 dois|doit|devons|devoir ~2 encore ~3 voyage|billet|passage|trajet|transport|"
    "visa",
    "garde|gardent|prend|prennent|recupere|recuperent ~2 tout ~1 ce ~0 que|qu ~0 je|j|on|nous ~1 "
    "gagne|gagnons",
    "dois|doive|doit|devons ~1 plus ~6 qu ~0 au|a ~1 debut|arrivee|depart",
    "dette ~2 augmente|grossit|grandit|monte ~0 !pas",
    WHO_FR " ~3 " BE_FR " ~2 victime|victimes",
    WHO_FR " ~4 " BE_FR " ~1 exploite|exploitee|exploites|exploitees|prostitue|prostituee|"
           "vendu|vendue|sequestre|sequestree|enferme|enfermee|force|forcee|drogue|"
           "droguee|kidnappe|kidnappee|enleve|enlevee",
    /* "sans salaire" alone (written "sans salaire|…|etre paye", it asked for a third word) */
    "sans salaire|paye|payer|paie|remuneration",
    "sans etre ~0 paye|payee|payes|payees",
    /* the smuggler's debt paid off in work ("on doit rembourser le passeur") */
    "rembourser|rembourse|remboursons|remboursent|dois|doit|devons ~2 passeur|passeurs",
    /* run away from them, who still hold the papers ("on s'est enfuie mais ils ont encore nos
     * papiers") */
    "ont|a|gardent|garde ~1 encore ~0 mes|nos|leurs|ses ~0 papiers|passeports|passeport",
    /* a child made to work instead of going to school */
    "travailler|travaille|bosser ~5 au ~0 lieu ~5 ecole|college|cours|lycee",
    "appeler|appelle|appellera|appellent ~1 immigration",
    "me|nous|la|le|les ~0 faire|fera|fait|font ~0 expulser|deporter",
    /* branding, by tattoo or initials: "ce voyage m'a marquée" is a memory, "marquer les veaux
     * au fer" is cattle */
    "marque|marquee|marques|marquees ~3 tatouage|tatoue|tatouee|initiales",
    /* ce qui suit la tentative d'un groupe de partir est une menace ("ils lâchent le chien
     * si on essaie de sortir") */
    "si ~0 on|nous|ils ~0 essaie|essaye|essayons|essaient|tente|tentons ~1 de|d ~1 sortir|"
    "partir|fuir|enfuir|echapper|barrer|tirer",
    /* déplacés de motel en motel par quelqu'un, au point de ne plus savoir où l'on est */
    "change|changeons|changent|emmene|emmenent|deplace|deplacent ~2 de|d ~0 motel|motels",
    "sais|sait ~1 plus ~0 ou ~0 je|on|nous ~0 suis|est|sommes",
    "sais|sait ~2 quelle ~0 ville|etat ~0 on|nous|je ~0 est|sommes|suis",
    /* frappé pour son rythme de travail ("le chef frappe ceux qui cueillent pas assez vite") */
    "frapp*|gifle|giflent|cogne|cognent|tape|tapent ~1 ceux|celles ~0 qui",
    "frapp*|gifle|giflent|cogne|cognent ~6 pas ~0 assez ~0 vite",
    "frapp*|gifle|giflent|cogne|cognent ~6 quota",
    /* un téléphone qu'on va lui prendre ("je vais me faire prendre mon tel") */
    "faire ~0 prendre|confisquer ~1 mon|ma|le ~0 tel|telephone|portable",
};

/* Contexts that make a pattern hit something else: locked out rather than in, a document
 * handed back, an ordinary loan, a lift or a traffic jam, waiting for a parcel or a
 * colleague, a parent's rule until the exams. A pattern hit in a message that also matches
 * one of these is left to the learned detector (worker side), which still gives the hotline
 * when the message reads like danger. Keep them specific: each must describe a situation in
 * which nobody is held, and tests/unit/test_safety.c pairs each with a danger message that
 * still fires. */
static const char *const defusers_en[] = {
    "locked|lock|locks|locking ~1 out",
    "gave|handed ~1 it|them ~0 right ~0 back",
    "gave|handed ~1 it|them ~0 back ~0 right|straight|after",
    "to scan ~0 it|them|my",
    "student ~0 loan|loans|debt|debts",
    "mortgage|mortgages",
    "credit ~0 card|cards",
    "car ~0 loan|payment|payments",
    "stuck ~3 elevator|lift|traffic",
    "stuck|trapped ~7 snow|snowed|storm|blizzard|flood|flu|covid|quarantine",
    "package|parcel ~2 held|being",
    "until ~2 my|the|our ~0 replacement|relief|coworker|colleague",
    "curfew|grounded",
    /* a parent's hour for coming home ("won't let me go out alone after 10") */
    "out ~1 after ~0 9|10|11|9pm|10pm|11pm|midnight",
    /* a prank, or a story on a screen or in a book */
    "prank|pranked|pranks|netflix|episode|episodes|villain|novel",
    "go ~2 the|a|to ~0 party|prom|concert|sleepover",
    "until ~2 exams|exam|finals|summer|tomorrow|monday|weekend",
    "locked|lock|locks ~2 keys|key ~2 in|inside",
    "got ~0 it|them ~0 back",
    "broke|broken ~1 my|her|his ~0 leg|ankle|arm|hip",
    "trapped|stuck|held|hostage|prisoner|prisoners ~3 meeting|meetings|zoom|call|class|lecture",
    "leave ~1 the ~0 table",
    /* a contract one cannot get out of, a sales pitch, spam, a printer, a board game, a
     * daycare's coded door, someone blocked on a phone */
    "locked|stuck|trapped|hostage|escape ~6 contract|contracts|lease|subscription|plan",
    "salesman|saleswoman|salesperson|dealership",
    "spam|robocall|robocalls|telemarketer|telemarketers",
    "printer|printers",
    "monopoly",
    "daycare|nursery",
    "blocked|blocking|unblocked",
    /* a car parked in */
    "parked|park ~2 me|us|behind|in",
    "get|move|pull ~2 my|the|our ~0 car|truck|van ~0 out",
};

static const char *const defusers_fr[] = {
    "enferme|enfermee|enfermes|enfermees ~1 dehors",
    "me|m|nous ~0 l|les ~0 a|ont ~0 rendu|rendue|rendus|rendues",
    "pour ~1 le|la|les ~0 scanner",
    "pret|prets ~0 etudiant|etudiants|etudiante|immobilier|auto",
    "credit ~0 immobilier|auto|conso",
    "hypotheque",
    "achat ~2 maison|appart|appartement|voiture",
    "enferme|enfermee|enfermes|enfermees ~1 dans ~0 mes|ma|mon|cette|ce|la ~0 pensees|tete|"
    "routine|bulle|quotidien",
    "coince|coincee|coinces|coincees|bloque|bloquee ~3 ascenseur|bouchons|embouteillages",
    "coince|coincee|coinces|coincees|bloque|bloquee ~7 neige|tempete|inondation|grippe|covid|"
    "quarantaine|confinement",
    "attends|attend ~2 colis|livreur|livraison|serrurier|plombier|technicien",
    "avant ~1 que|qu ~2 collegue|remplacant|remplacante|releve",
    "ce|cette|ces ~2 va|vont ~0 me|m ~0 tuer|achever",
    "jusqu ~2 vacances|examens|exams|bac|brevet|demain|lundi",
    "enferme|enfermee ~1 mes|les|ses ~0 cles|clefs",
    "l|les ~0 ai|a ~0 recupere|recuperee|recuperes|recuperees",
    "puni|punie", /* not "punis": one typo from "punish" */
    /* l'heure fixée par un parent ("pas le droit de sortir seule après 22h") */
    "sortir ~1 apres ~0 21h|22h|23h|minuit",
    "pour ~0 rire|blaguer",
    "netflix|episode|episodes|roman",
    "jambe|cheville|bras|hanche ~0 cassee|casse|platre",
    "casse|cassee ~2 jambe|cheville|bras|hanche",
    "coince|coincee|prisonnier|prisonniere|prisonniers|prisonnieres|otage ~3 reunion|zoom|"
    "appel|visio|cours",
    "quitter|sortir ~1 la|de ~0 table",
    /* un forfait ou un contrat, un vendeur, du démarchage, une imprimante, le Monopoly, la
     * porte à code d'une garderie, quelqu'un bloqué sur un téléphone */
    "bloque|bloquee|coince|coincee|otage|enferme|enfermee|prisonnier|prisonniere ~6 forfait|"
    "abonnement|contrat|bail",
    "vendeur|vendeuse|concessionnaire",
    "demarchage|demarcheur|demarcheurs|spam",
    "imprimante|imprimantes",
    "monopoly",
    "garderie|creche",
    /* une voiture garée devant la sienne */
    "gare|garee|garer ~2 devant|derriere",
    "sortir|bouger|degager ~2 ma|mon|la|notre ~0 voiture|camion|auto|bagnole",
};

#define MAX_SPEC 16 /* specs per pattern */
_Static_assert(CAMAS_SAFETY_TOKENS <= 128, "a spec's matching tokens are two 64-bit words");
#define MIN_TYPO 5 /* shortest word or prefix that tolerates one typo */

/* Optimal-string-alignment distance <= 1 in linear time. */
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

/* One alternative ("traffick*" in "traffick* me|my"), stored once however many specs use
 * it; the text points into the static tables above. */
typedef struct alt {
    const char *s;
    uint8_t len;
    bool prefix;
} alt;

typedef struct spec {
    uint32_t first_ref, n_refs; /* alt ids in refs[] */
    uint8_t gap;                /* tokens allowed before this spec */
    bool neg;                   /* "!": the next token must not match */
    bool exact_only;            /* a defuser's: no typo tolerance (see scan_token) */
} spec;

typedef struct pattern {
    uint32_t first_spec, n_specs;
} pattern;

/* Short string -> alt id multimap, open addressing, sized once. Keys live in the arena. */
typedef struct key_entry {
    uint32_t hash, off, alt;
    uint8_t len;
} key_entry;

typedef struct keymap {
    uint32_t *slots; /* entry index + 1; 0 = empty */
    uint32_t mask, n;
    key_entry *entries;
} keymap;

/* The patterns compiled once: every message is checked against all of them, so parsing
 * them per message, or comparing every alternative with every token, would dominate the
 * cost of answering. Instead each token looks up the alternatives it can match:
 *   exact  whole-word alternatives;
 *   near   alternatives of MIN_TYPO+ letters and each of their one-letter deletions, so a
 *          token and its deletions find every alternative within one edit (symmetric
 *          deletion), confirmed by within_one();
 *   prefix alternatives ending in '*' are few and are tried against every token.
 * A hit sets the token's bit in every spec using that alternative; patterns then run over
 * those bitmasks. */
struct camas_safety {
    alt *alts;
    uint32_t n_alts;
    uint32_t *refs;
    uint32_t n_refs;
    spec *specs;
    uint32_t n_specs;
    pattern *patterns;
    /* [0] English, [1] French, [2] English defusers, [3] French defusers, stored in order */
    uint32_t n_patterns[4];
    uint32_t *alt_spec_off; /* specs using alt a: alt_specs[off[a] .. off[a+1]) */
    uint32_t *alt_specs;
    uint32_t *prefix_alts;
    uint32_t n_prefix;
    keymap exact, near;
    char *arena;
    size_t arena_len;
};

static uint32_t key_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static int keymap_init(keymap *m, uint32_t cap)
{
    uint32_t ns = 64;
    while (ns < cap * 2)
        ns *= 2;
    m->slots = calloc(ns, sizeof *m->slots);
    m->entries = malloc((cap ? cap : 1) * sizeof *m->entries);
    m->mask = ns - 1;
    m->n = 0;
    return m->slots && m->entries ? 0 : -1;
}

/* Stores the arena's bytes [off, off+len) as a key for alt_id (duplicates allowed). */
static void keymap_add(keymap *m, const char *arena, uint32_t off, size_t len, uint32_t alt_id)
{
    uint32_t h = key_hash(arena + off, len), i = h & m->mask;
    while (m->slots[i])
        i = (i + 1) & m->mask;
    m->entries[m->n] = (key_entry){.hash = h, .off = off, .alt = alt_id, .len = (uint8_t)len};
    m->slots[i] = ++m->n;
}

void camas_safety_free(camas_safety *s)
{
    if (!s)
        return;
    free(s->alts);
    free(s->refs);
    free(s->specs);
    free(s->patterns);
    free(s->alt_spec_off);
    free(s->alt_specs);
    free(s->prefix_alts);
    free(s->exact.slots);
    free(s->exact.entries);
    free(s->near.slots);
    free(s->near.entries);
    free(s->arena);
    free(s);
}

static uint32_t alt_id(camas_safety *s, const char *p, size_t n, bool prefix)
{
    for (uint32_t a = 0; a < s->n_alts; a++)
        if (s->alts[a].len == n && s->alts[a].prefix == prefix && memcmp(s->alts[a].s, p, n) == 0)
            return a;
    s->alts[s->n_alts] = (alt){.s = p, .len = (uint8_t)n, .prefix = prefix};
    return s->n_alts++;
}

/* Splits one pattern into specs and alternatives; -1 when it breaks a limit the matcher
 * relies on (an error in the tables above, which the unit tests would show at once). */
static int compile_pattern(camas_safety *s, const char *p, pattern *pt)
{
    pt->first_spec = s->n_specs;
    int gap = 0;
    while (*p) {
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
            if (s->n_specs - pt->first_spec == MAX_SPEC || gap < 0 || gap > CAMAS_SAFETY_TOKENS)
                return -1;
            bool neg = *p == '!';
            spec *sp = &s->specs[s->n_specs++];
            *sp = (spec){.first_ref = s->n_refs, .gap = (uint8_t)gap, .neg = neg};
            for (const char *a = p + neg; a < e;) {
                const char *bar = memchr(a, '|', (size_t)(e - a));
                size_t n = (size_t)((bar ? bar : e) - a);
                bool prefix = n > 0 && a[n - 1] == '*';
                if (n - prefix == 0 || n - prefix > CAMAS_TOKEN_MAX)
                    return -1;
                s->refs[s->n_refs++] = alt_id(s, a, n - prefix, prefix);
                a += n + 1;
            }
            sp->n_refs = s->n_refs - sp->first_ref;
            gap = 0;
        }
        p = e;
    }
    pt->n_specs = s->n_specs - pt->first_spec;
    return pt->n_specs ? 0 : -1;
}

/* alt -> specs, the prefix list and the two maps, from the compiled patterns. */
static int index_alts(camas_safety *s)
{
    s->alt_spec_off = calloc(s->n_alts + 1, sizeof *s->alt_spec_off);
    s->alt_specs = malloc(s->n_refs * sizeof *s->alt_specs);
    s->prefix_alts = malloc(s->n_alts * sizeof *s->prefix_alts);
    uint32_t *fill = calloc(s->n_alts, sizeof *fill);
    if (!s->alt_spec_off || !s->alt_specs || !s->prefix_alts || !fill) {
        free(fill);
        return -1;
    }
    for (uint32_t r = 0; r < s->n_refs; r++)
        s->alt_spec_off[s->refs[r] + 1]++;
    for (uint32_t a = 0; a < s->n_alts; a++)
        s->alt_spec_off[a + 1] += s->alt_spec_off[a];
    for (uint32_t sp = 0; sp < s->n_specs; sp++)
        for (uint32_t r = 0; r < s->specs[sp].n_refs; r++) {
            uint32_t a = s->refs[s->specs[sp].first_ref + r];
            s->alt_specs[s->alt_spec_off[a] + fill[a]++] = sp;
        }
    free(fill);
    uint32_t n_exact = 0, n_near = 0;
    size_t bytes = 0;
    for (uint32_t a = 0; a < s->n_alts; a++) {
        const alt *al = &s->alts[a];
        if (al->prefix) {
            s->prefix_alts[s->n_prefix++] = a;
            continue;
        }
        n_exact++;
        bytes += al->len;
        if (al->len >= MIN_TYPO) {
            n_near += 1u + al->len;
            bytes += (size_t)al->len * (al->len - 1u);
        }
    }
    s->arena = malloc(bytes ? bytes : 1);
    if (!s->arena || keymap_init(&s->exact, n_exact) || keymap_init(&s->near, n_near))
        return -1;
    for (uint32_t a = 0; a < s->n_alts; a++) {
        const alt *al = &s->alts[a];
        if (al->prefix)
            continue;
        uint32_t self = (uint32_t)s->arena_len;
        memcpy(s->arena + self, al->s, al->len);
        s->arena_len += al->len;
        keymap_add(&s->exact, s->arena, self, al->len, a);
        if (al->len < MIN_TYPO)
            continue;
        keymap_add(&s->near, s->arena, self, al->len, a);
        for (size_t d = 0; d < al->len; d++) {
            uint32_t off = (uint32_t)s->arena_len;
            memcpy(s->arena + off, al->s, d);
            memcpy(s->arena + off + d, al->s + d + 1, al->len - d - 1u);
            s->arena_len += al->len - 1u;
            keymap_add(&s->near, s->arena, off, al->len - 1u, a);
        }
    }
    return 0;
}

camas_safety *camas_safety_new(void)
{
    const char *const *tables[4] = {patterns_en, patterns_fr, defusers_en, defusers_fr};
    const size_t counts[4] = {
        sizeof patterns_en / sizeof patterns_en[0], sizeof patterns_fr / sizeof patterns_fr[0],
        sizeof defusers_en / sizeof defusers_en[0], sizeof defusers_fr / sizeof defusers_fr[0]};
    /* Every spec and alternative takes at least two bytes of pattern text. */
    size_t bound = 1;
    size_t total = 0;
    for (int l = 0; l < 4; l++)
        for (size_t p = 0; p < counts[l]; p++, total++)
            bound += strlen(tables[l][p]) / 2 + 1;
    camas_safety *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->alts = malloc(bound * sizeof *s->alts);
    s->refs = malloc(bound * sizeof *s->refs);
    s->specs = malloc(bound * sizeof *s->specs);
    s->patterns = malloc(total * sizeof *s->patterns);
    if (!s->alts || !s->refs || !s->specs || !s->patterns)
        goto fail;
    for (int l = 0, done = 0; l < 4; l++)
        for (size_t p = 0; p < counts[l]; p++, done++)
            if (compile_pattern(s, tables[l][p], &s->patterns[done]))
                goto fail;
            else {
                s->n_patterns[l]++;
                for (uint32_t k = 0; l >= 2 && k < s->patterns[done].n_specs; k++)
                    s->specs[s->patterns[done].first_spec + k].exact_only = true;
            }
    if (index_alts(s))
        goto fail;
    return s;
fail:
    camas_safety_free(s);
    return NULL;
}

static int letter_slot(char c)
{
    return c >= 'a' && c <= 'z' ? c - 'a' : c >= '0' && c <= '9' ? 26 : 27;
}

/* Typos are tolerated anywhere but in the first letter, except a swap of the first two
 * letters or one letter added or missing at the front: that keeps the near matches of
 * short function words ("kill" vs "bill") out while "traffciking" still counts. */
static bool same_start(const alt *a, const camas_token *t)
{
    int a0 = letter_slot(a->s[0]);
    return letter_slot(t->text[0]) == a0 || (t->len > 1 && letter_slot(t->text[1]) == a0) ||
           (a->len > 1 && letter_slot(t->text[0]) == letter_slot(a->s[1]));
}

/* A message being scanned: one bitmask of matching tokens per spec. */
typedef struct scan {
    const camas_safety *s;
    const camas_token *tok;
    uint64_t (*mask)[2];
    size_t i; /* the token being looked up */
} scan;

static void mark(scan *sc, uint32_t a, bool typo)
{
    uint64_t bit = 1ull << (sc->i & 63);
    for (uint32_t k = sc->s->alt_spec_off[a]; k < sc->s->alt_spec_off[a + 1]; k++)
        if (!typo || !sc->s->specs[sc->s->alt_specs[k]].exact_only)
            sc->mask[sc->s->alt_specs[k]][sc->i >> 6] |= bit;
}

/* Every alt stored under key k in m; near candidates are confirmed first. True when one was
 * found. */
static bool lookup(scan *sc, const keymap *m, const char *k, size_t n, bool confirm)
{
    uint32_t h = key_hash(k, n);
    const camas_token *t = &sc->tok[sc->i];
    bool found = false;
    for (uint32_t i = h & m->mask; m->slots[i]; i = (i + 1) & m->mask) {
        const key_entry *e = &m->entries[m->slots[i] - 1];
        if (e->hash != h || e->len != n || memcmp(sc->s->arena + e->off, k, n) != 0)
            continue;
        const alt *a = &sc->s->alts[e->alt];
        if (!confirm || (same_start(a, t) && within_one(a->s, a->len, t->text, t->len))) {
            mark(sc, e->alt, confirm);
            found = true;
        }
    }
    return found;
}

/* 0 no match, 1 the token starts with the prefix, 2 with one typo in it */
static int prefix_match(const alt *a, const camas_token *t)
{
    size_t n = a->len, tl = t->len;
    if (tl >= n && memcmp(t->text, a->s, n) == 0)
        return 1;
    if (n < MIN_TYPO || tl + 1 < n || !same_start(a, t))
        return 0;
    /* one typo inside the prefix: compare with the token's first n-1..n+1 bytes */
    for (size_t k = n - 1; k <= n + 1 && k <= tl; k++)
        if (within_one(a->s, n, t->text, k))
            return 2;
    return 0;
}

static void scan_token(scan *sc)
{
    const camas_safety *s = sc->s;
    const camas_token *t = &sc->tok[sc->i];
    if (t->len == 0)
        return;
    /* a word the tables hold as it is is no typo of another ("locked" is not a misspelt
     * "blocked", the defuser of someone blocked on a phone). Defusers take no typo at all:
     * they only ever withhold the hotline, and real words sit one letter from theirs ("noel"
     * from "novel", "story" from "storm", "avait" from "avant"). */
    bool exact = lookup(sc, &s->exact, t->text, t->len, false) || camas_safety_known_word(t->text);
    if (!exact && t->len >= MIN_TYPO - 1) {
        lookup(sc, &s->near, t->text, t->len, true);
        char del[CAMAS_TOKEN_MAX];
        for (size_t d = 0; t->len >= MIN_TYPO && d < t->len; d++) {
            /* deleting either letter of a double gives the same key */
            if (d > 0 && t->text[d] == t->text[d - 1])
                continue;
            memcpy(del, t->text, d);
            memcpy(del + d, t->text + d + 1, t->len - d - 1u);
            lookup(sc, &s->near, del, t->len - 1u, true);
        }
    }
    for (uint32_t k = 0; k < s->n_prefix; k++) {
        int m = prefix_match(&s->alts[s->prefix_alts[k]], t);
        if (m == 1 || (m == 2 && !exact))
            mark(sc, s->prefix_alts[k], m == 2);
    }
}

static bool hit(uint64_t (*mask)[2], size_t k, size_t i)
{
    return (mask[k][i >> 6] >> (i & 63)) & 1;
}

/* Does the pattern's spec k (and all after it) match from token i on? */
static bool match_from(const spec *sp, uint64_t (*mask)[2], size_t ns, size_t k, size_t nt,
                       size_t i)
{
    if (k == ns)
        return true;
    if (sp[k].neg)
        return i >= nt || !hit(mask, k, i);
    for (size_t g = 0; g <= sp[k].gap && i + g < nt; g++)
        if (hit(mask, k, i + g) && match_from(sp, mask, ns, k + 1, nt, i + g + 1))
            return true;
    return false;
}

/* Does a pattern of set (0 English, 1 French, 2 and 3 their defusers) match? */
static bool match_any(const camas_safety *s, int set, uint64_t (*mask)[2], size_t nt)
{
    const pattern *pt = s->patterns;
    for (int k = 0; k < set; k++)
        pt += s->n_patterns[k];
    for (uint32_t p = 0; p < s->n_patterns[set]; p++, pt++) {
        const spec *sp = s->specs + pt->first_spec;
        uint64_t(*m)[2] = mask + pt->first_spec;
        bool possible = true;
        for (uint32_t k = 0; k < pt->n_specs && possible; k++)
            possible = sp[k].neg || m[k][0] || m[k][1];
        for (size_t i = 0; possible && i < nt; i++)
            if (match_from(sp, m, pt->n_specs, 0, nt, i))
                return true;
    }
    return false;
}

bool camas_safety_check_tokens(const camas_safety *s, const char *text, const camas_token *t,
                               size_t nt, const char **lang_hint)
{
    if (lang_hint)
        *lang_hint = "en";
    if (!s || !text)
        return false;
    uint64_t(*mask)[2] = calloc(s->n_specs, sizeof *mask);
    if (!mask)
        return false;
    if (nt > CAMAS_SAFETY_TOKENS)
        nt = CAMAS_SAFETY_TOKENS;
    scan sc = {.s = s, .tok = t, .mask = mask};
    for (sc.i = 0; sc.i < nt; sc.i++)
        scan_token(&sc);
    bool en = match_any(s, 0, mask, nt), fr = match_any(s, 1, mask, nt);
    if ((en || fr) && (match_any(s, 2, mask, nt) || match_any(s, 3, mask, nt)))
        en = fr = false; /* locked out, a student loan...: the learned detector decides */
    free(mask);
    if (lang_hint) {
        /* The language whose pattern fired; when both or neither did, the message's. */
        if (en != fr)
            *lang_hint = fr ? "fr" : "en";
        else
            *lang_hint = camas_detect_lang_tokens(text, t, nt, NULL);
    }
    return en || fr;
}

bool camas_safety_check(const camas_safety *s, const char *text, const char **lang_hint)
{
    if (lang_hint)
        *lang_hint = "en";
    if (!s || !text)
        return false;
    camas_token *t = malloc(CAMAS_SAFETY_TOKENS * sizeof *t);
    long nt = t ? camas_text_tokenize(text, t, CAMAS_SAFETY_TOKENS) : -1;
    bool found = nt >= 0 && camas_safety_check_tokens(s, text, t, (size_t)nt, lang_hint);
    free(t);
    return found;
}
