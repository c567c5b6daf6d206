/* Unit tests for text preparation (normalisation, tokens, language detection, stemming,
 * edit distance) and the question matcher (aliases, synonyms, typos, owners, filters,
 * confidence). */
#include "check.h"
#include "lexicon.h"
#include "match.h"
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int camas_text_check_tables(void);

/* Appends the UTF-8 form of cp (below U+10000) to s at *n. */
static void put_utf8(char *s, size_t *n, unsigned cp)
{
    if (cp < 0x80) {
        s[(*n)++] = (char)cp;
    } else if (cp < 0x800) {
        s[(*n)++] = (char)(0xC0 | cp >> 6);
        s[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        s[(*n)++] = (char)(0xE0 | cp >> 12);
        s[(*n)++] = (char)(0x80 | (cp >> 6 & 0x3F));
        s[(*n)++] = (char)(0x80 | (cp & 0x3F));
    }
}

/* The per-character fast path must give exactly what libunistring gives for the whole
 * string: every tabulated character alone, then random mixes of ASCII, tabulated and
 * untabulated characters (CJK, Greek, Cyrillic: the fallback), in buffers of every size. */
static void test_normalize_fast_path(void)
{
    static const unsigned ranges[][2] = {
        {0x0080, 0x0250}, {0x0300, 0x0370}, {0x2000, 0x2070}, {0x20A0, 0x20D0}};
    static const unsigned others[] = {0x03A3, 0x03C2, 0x0416, 0x4E2D, 0xFB01, 0xFF21, 0x0345,
                                      0x1E9E, 0x212B, 0x00C5, 0x0041, 0x030A, 0x0301, 0x0065};
    char in[64], a[256], b[256];
    int mismatches = 0;
    for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++)
        for (unsigned cp = ranges[r][0]; cp < ranges[r][1]; cp++) {
            size_t n = 0;
            put_utf8(in, &n, 'x');
            put_utf8(in, &n, cp);
            put_utf8(in, &n, 'Y');
            long la = camas_text_normalize(in, n, a, sizeof a);
            long lb = camas_text_normalize_unicode(in, n, b, sizeof b);
            if (la != lb || (la >= 0 && strcmp(a, b) != 0))
                mismatches++;
        }
    CHECK(mismatches == 0);
    uint32_t x = 2463534242u; /* xorshift32, fixed seed: the same strings every run */
    mismatches = 0;
    for (int t = 0; t < 20000; t++) {
        size_t n = 0;
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        int len = 1 + (int)(x % 12);
        for (int i = 0; i < len; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            unsigned pick = x % 8, cp;
            if (pick < 3) {
                cp = 0x20 + (x >> 8) % 0x5F;
            } else if (pick < 7) {
                size_t r = (x >> 8) % 4;
                cp = ranges[r][0] + (x >> 11) % (ranges[r][1] - ranges[r][0]);
            } else {
                cp = others[(x >> 8) % (sizeof others / sizeof others[0])];
            }
            put_utf8(in, &n, cp);
        }
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        size_t cap = t % 3 ? sizeof a : 1 + x % 24; /* small buffers: truncation agrees too */
        long la = camas_text_normalize(in, n, a, cap);
        long lb = camas_text_normalize_unicode(in, n, b, cap);
        if (la != lb || (la >= 0 && strcmp(a, b) != 0))
            mismatches++;
    }
    CHECK(mismatches == 0);
}

static void test_normalize(void)
{
    char buf[256];
    CHECK(camas_text_normalize("L'Adhésion", 11, buf, sizeof buf) > 0);
    CHECK_STR(buf, "l adhesion");
    const char *s = "l’adhésion ÉTÉ Comité œuvre";
    CHECK(camas_text_normalize(s, strlen(s), buf, sizeof buf) > 0);
    CHECK_STR(buf, "l adhesion ete comite oeuvre");
    char *d = camas_text_normalize_dup("Réunion « WashACT »");
    CHECK(d != NULL);
    CHECK_STR(d, "reunion   washact  ");
    free(d);
    /* invalid UTF-8 never crashes: an error or the readable part */
    CHECK(camas_text_normalize("\xff\xfe", 2, buf, sizeof buf) >= -1);
    CHECK(camas_text_normalize("abc", 3, buf, 2) == 1); /* truncated to fit */
    test_normalize_fast_path();
}

static void test_tokens(void)
{
    char *n = camas_text_normalize_dup(
        "Write to KyleW@atg.wa.gov or 206-442-4488 about RCW 7.68.350, C.S.E.C. task-force");
    camas_token t[32];
    size_t nt = camas_tokenize(n, t, 32);
    free(n);
    CHECK(nt == 11);
    CHECK_STR(t[2].text, "kylew@atg.wa.gov");
    CHECK(t[2].kind == CAMAS_TOK_EMAIL);
    CHECK_STR(t[4].text, "206-442-4488");
    CHECK(t[4].kind == CAMAS_TOK_NUMBER);
    CHECK_STR(t[7].text, "7.68.350");
    CHECK_STR(t[8].text, "csec");
    CHECK(t[8].kind == CAMAS_TOK_ACRONYM);
    CHECK_STR(t[9].text, "task");
    CHECK_STR(t[10].text, "force");
}

static void test_lang(void)
{
    double c;
    CHECK_STR(camas_detect_lang("qui préside ?", &c), "fr");
    CHECK(c > 0.3);
    CHECK_STR(camas_detect_lang("quand se réunit washact", NULL), "fr");
    CHECK_STR(camas_detect_lang("who chairs csec", NULL), "en");
    CHECK_STR(camas_detect_lang("washact contact", &c), "en");
    CHECK(c < 0.2);
    CHECK_STR(camas_detect_lang("qu'est-ce que le CSEC", NULL), "fr");
    CHECK_STR(camas_detect_lang("what's the CSEC", NULL), "en");
    /* politeness in SMS spelling says the language of a keyword query */
    CHECK_STR(camas_detect_lang("washact mail stp", NULL), "fr");
    CHECK_STR(camas_detect_lang("mail kyle bois svp", NULL), "fr");
    CHECK_STR(camas_detect_lang("washact mail pls", NULL), "en");
    /* French typography: a space before the question mark */
    CHECK_STR(camas_detect_lang("washact mision ??", NULL), "fr");
    CHECK_STR(camas_detect_lang("washact mision??", NULL), "en");
    CHECK_STR(camas_detect_lang("who chairs washact ?", NULL), "en");
    CHECK_STR(camas_detect_lang("", NULL), "en");
    CHECK(camas_text_check_tables() == 0);
    CHECK(camas_is_stopword("en", "the"));
    CHECK(!camas_is_stopword("en", "who"));
    CHECK(camas_is_question_word("fr", "quand"));
}

static void test_stem(void)
{
    camas_stemmer *st = camas_stemmer_new();
    char out[64];
    CHECK(camas_stem(st, "en", "meetings", out, sizeof out) > 0);
    CHECK_STR(out, "meet");
    CHECK(camas_stem(st, "fr", "reunions", out, sizeof out) > 0);
    char out2[64];
    CHECK(camas_stem(st, "fr", "reunion", out2, sizeof out2) > 0);
    CHECK_STR(out, out2);
    CHECK(camas_stem(st, "en", "7.68.350", out, sizeof out) > 0);
    CHECK_STR(out, "7.68.350");
    CHECK(camas_stem(st, "en", "meetings", out, 2) < 0); /* too small */
    /* a law and the people who make laws: two stems, in both languages */
    char law[32], people[32];
    CHECK(camas_stem(st, "en", "legislation", law, sizeof law) > 0);
    CHECK(camas_stem(st, "en", "legislators", people, sizeof people) > 0);
    CHECK(strcmp(law, people) != 0);
    CHECK(camas_stem(st, "en", "legislator", out, sizeof out) > 0 && strcmp(out, people) == 0);
    CHECK(camas_stem(st, "fr", "législation", law, sizeof law) > 0);
    CHECK(camas_stem(st, "fr", "législateurs", out, sizeof out) > 0 && strcmp(out, people) == 0);
    CHECK(strcmp(law, people) != 0);
    camas_stemmer_free(st);
    CHECK(camas_text_distance("chair", 5, "chiar", 5, 1) == 1);
    CHECK(camas_text_distance("meeting", 7, "meetigns", 8, 2) == 2);
    CHECK(camas_text_distance("abc", 3, "xyz", 3, 1) == 2);
}

/* Sentences end at ". ! ? ;" before a space or the end, and at a newline; "7.68.350" and
 * "a@b.org" do not end one. */
static void test_sentences(void)
{
    const char *t = "Hi. I read RCW 7.68.350;  who chairs?\nThanks!";
    size_t len = strlen(t), pos = 0, span[2], n = 0;
    const char *want[] = {"Hi.", "I read RCW 7.68.350;", "who chairs?", "Thanks!"};
    while (camas_text_next_sentence(t, len, &pos, span)) {
        if (span[1] == span[0])
            continue; /* the newline after "chairs?" */
        CHECK(n < 4);
        if (n < 4)
            CHECK(span[1] - span[0] == strlen(want[n]) &&
                  memcmp(t + span[0], want[n], span[1] - span[0]) == 0);
        n++;
    }
    CHECK(n == 4);
    pos = 0;
    CHECK(camas_text_next_sentence("mail a@b.org", 12, &pos, span) && span[0] == 0 &&
          span[1] == 12);
    CHECK(!camas_text_next_sentence("mail a@b.org", 12, &pos, span));
    pos = 0;
    CHECK(!camas_text_next_sentence("", 0, &pos, span));
    CHECK(camas_text_in_words("et", (const char *const[]){"and", "et", NULL}));
    CHECK(!camas_text_in_words("e", (const char *const[]){"and", "et", NULL}));
}

static const char *const tf_chair_en[] = {"Who chairs the task force?", "task force chair"};
static const char *const tf_chair_fr[] = {"Qui préside le groupe de travail ?"};
static const char *const csec_chair_en[] = {"Who convenes the CSEC committee?", "csec chair"};
static const char *const tf_meet_en[] = {"How often does the task force meet?",
                                         "task force meetings"};
static const char *const csec_meet_en[] = {"When does the CSEC committee meet?"};
static const char *const all_meet_en[] = {"meetings", "when do the bodies meet"};
static const char *const wa_mail_en[] = {"How do I contact WashACT?"};

static bool no_csec(uint32_t owner, const char *id, void *ud)
{
    (void)owner;
    (void)ud;
    return strncmp(id, "csec", 4) != 0;
}

static camas_matcher *fixture(void)
{
    camas_matcher *m = camas_matcher_new();
    const char *meet[] = {"meet", "meeting", "convene", "gather"};
    const char *chair[] = {"chair", "leads", "heads", "preside"};
    CHECK(camas_matcher_add_synonyms(m, "en", meet, 4) == 0);
    CHECK(camas_matcher_add_synonyms(m, "en", chair, 4) == 0);
    CHECK(camas_matcher_add_alias(m, "en", "task force", "task-force") == 0);
    CHECK(camas_matcher_add_alias(m, "fr", "groupe de travail", "task-force") == 0);
    CHECK(camas_matcher_add_alias(m, "en", "CSEC", "csec") == 0);
    CHECK(camas_matcher_add_alias(m, "en", "ESEC", "csec") == 0);
    CHECK(camas_matcher_add_alias(m, "en", "CSTC", "csec") == 0);
    CHECK(camas_matcher_add_alias(m, "en", "WashACT", "washact") == 0);
    CHECK(camas_matcher_add_entry(m, 1, "tf-chair", "task-force", "en", tf_chair_en, 2) == 0);
    CHECK(camas_matcher_add_entry(m, 1, "tf-chair", "task-force", "fr", tf_chair_fr, 1) == 0);
    CHECK(camas_matcher_add_answer(m, 1, "tf-chair", "en",
                                   "The Task Force is chaired by Richard Torrance.") == 0);
    CHECK(camas_matcher_add_answer(m, 1, "nope", "en", "x") < 0);
    CHECK(camas_matcher_add_entry(m, 1, "csec-chair", "csec", "en", csec_chair_en, 2) == 0);
    CHECK(camas_matcher_add_entry(m, 2, "tf-meet", "task-force", "en", tf_meet_en, 2) == 0);
    CHECK(camas_matcher_add_entry(m, 2, "csec-meet", "csec", "en", csec_meet_en, 1) == 0);
    CHECK(camas_matcher_add_entry(m, 2, "all-meet", "all", "en", all_meet_en, 2) == 0);
    CHECK(camas_matcher_add_entry(m, 3, "wa-mail", "washact", "en", wa_mail_en, 1) == 0);
    CHECK(camas_matcher_add_entry(m, 3, NULL, "washact", "en", wa_mail_en, 1) < 0);
    CHECK(camas_matcher_build(m) == 0);
    return m;
}

static const char *top(const camas_matcher *m, const char *q, double *conf)
{
    camas_match r[4];
    size_t n = camas_matcher_query(m, q, NULL, NULL, NULL, r, 4);
    if (conf)
        *conf = n ? r[0].confidence : 0;
    return n ? r[0].entry_id : "(none)";
}

static void test_matcher(void)
{
    camas_matcher *m = fixture();
    double c1, c2;
    CHECK(camas_matcher_size(m) == 7);
    CHECK_STR(top(m, "who chairs the task force?", &c1), "tf-chair");
    CHECK(c1 >= CAMAS_MATCH_MIN_CONFIDENCE);
    /* synonyms and aliases: CSEC = ESEC = CSTC */
    CHECK_STR(top(m, "who heads the task force", NULL), "tf-chair");
    CHECK_STR(top(m, "when does ESEC meet", NULL), "csec-meet");
    CHECK_STR(top(m, "CSTC gathering", NULL), "csec-meet");
    /* a question naming a body never gets another body's entry */
    CHECK_STR(top(m, "washact meetings", &c1), "wa-mail");
    CHECK(c1 < CAMAS_MATCH_MIN_CONFIDENCE);
    /* no body named: the entry about all bodies */
    CHECK_STR(top(m, "meetings", NULL), "all-meet");
    /* typos */
    CHECK_STR(top(m, "task force meetigns", &c1), "tf-meet");
    CHECK_STR(top(m, "who chiars the task force", NULL), "tf-chair");
    /* French */
    CHECK_STR(top(m, "qui preside le groupe de travail", NULL), "tf-chair");
    /* answer text */
    CHECK_STR(top(m, "who is Richard Torrance", NULL), "tf-chair");
    /* honest confidence: an unknown important word lowers it */
    top(m, "who chairs the task force?", &c1);
    top(m, "what is the budget of the task force?", &c2);
    CHECK(c2 < CAMAS_MATCH_MIN_CONFIDENCE);
    CHECK(c1 > c2);
    CHECK_STR(top(m, "what's the weather in Seattle today?", &c2), "(none)");

    /* filters */
    camas_match r[4];
    size_t n = camas_matcher_query(m, "when does csec meet", "en", no_csec, NULL, r, 4);
    for (size_t i = 0; i < n; i++)
        CHECK(strncmp(r[i].entry_id, "csec", 4) != 0);
    /* copying owners into a new matcher (new aliases and synonyms, same entries) gives the
     * same answers, the answer text included; an owner left out is gone */
    camas_matcher *m2 = camas_matcher_new();
    const char *meet2[] = {"meet", "meeting", "convene", "gather"};
    CHECK(camas_matcher_add_synonyms(m2, "en", meet2, 4) == 0);
    CHECK(camas_matcher_add_alias(m2, "en", "task force", "task-force") == 0);
    CHECK(camas_matcher_add_alias(m2, "en", "CSEC", "csec") == 0);
    CHECK(camas_matcher_add_alias(m2, "en", "ESEC", "csec") == 0);
    CHECK(camas_matcher_copy_owner(m2, m, 1) == 0);
    CHECK(camas_matcher_copy_owner(m2, m, 2) == 0);
    CHECK(camas_matcher_copy_owner(m2, m2, 1) < 0);
    CHECK(camas_matcher_build(m2) == 0);
    CHECK(camas_matcher_size(m2) == 6);
    CHECK_STR(top(m2, "who chairs the task force?", NULL), "tf-chair");
    CHECK_STR(top(m2, "qui preside le groupe de travail", NULL), "tf-chair");
    CHECK_STR(top(m2, "who is Richard Torrance", NULL), "tf-chair");
    CHECK_STR(top(m2, "when does ESEC meet", NULL), "csec-meet");
    n = camas_matcher_query(m2, "how do I contact WashACT?", "en", NULL, NULL, r, 4);
    for (size_t i = 0; i < n; i++)
        CHECK(strcmp(r[i].entry_id, "wa-mail") != 0);
    camas_matcher_free(m2);

    /* removal by owner */
    camas_matcher_remove_owner(m, 2);
    CHECK(camas_matcher_build(m) == 0);
    CHECK(camas_matcher_size(m) == 4);
    n = camas_matcher_query(m, "task force meetings", "en", NULL, NULL, r, 4);
    for (size_t i = 0; i < n; i++)
        CHECK(strcmp(r[i].entry_id, "tf-meet") != 0);
    CHECK(camas_matcher_query(m, "", "en", NULL, NULL, r, 4) == 0);
    CHECK(camas_matcher_query(NULL, "x", "en", NULL, NULL, r, 4) == 0);
    camas_matcher_free(m);

    camas_matcher *empty = camas_matcher_new();
    CHECK(camas_matcher_query(empty, "task force", "en", NULL, NULL, r, 4) == 0);
    CHECK(camas_matcher_build(empty) == 0);
    CHECK(camas_matcher_query(empty, "task force", "en", NULL, NULL, r, 4) == 0);
    camas_matcher_free(empty);
}

/* Rebuilds after owners come and go reuse earlier work (see struct analysis in match.c):
 * their answers must be exactly those of a matcher built from scratch with the same
 * entries in the same order. */
enum { SET_A, SET_B, SET_B2, SET_C };

static void add_shared(camas_matcher *m, bool extra)
{
    const char *meet[] = {"meet", "meeting", "convene", "gather"};
    const char *chair[] = {"chair", "leads", "heads", "preside"};
    const char *agenda[] = {"agenda", "schedule", "order of business"};
    CHECK(camas_matcher_add_synonyms(m, "en", meet, 4) == 0);
    CHECK(camas_matcher_add_synonyms(m, "en", chair, 4) == 0);
    if (extra)
        CHECK(camas_matcher_add_synonyms(m, "en", agenda, 3) == 0);
    CHECK(camas_matcher_add_alias(m, "en", "task force", "task-force") == 0);
    CHECK(camas_matcher_add_alias(m, "fr", "groupe de travail", "task-force") == 0);
    CHECK(camas_matcher_add_alias(m, "en", "CSEC", "csec") == 0);
    CHECK(camas_matcher_add_alias(m, "en", "WashACT", "washact") == 0);
    if (extra)
        CHECK(camas_matcher_add_alias(m, "en", "Washington Advisory Committee", "washact") == 0);
}

static void add_set(camas_matcher *m, int set, uint32_t owner)
{
    static const char *const a_chair_en[] = {"Who chairs the task force?", "task force chair"};
    static const char *const a_chair_fr[] = {"Qui préside le groupe de travail ?"};
    static const char *const a_why_en[] = {"What is the purpose of these bodies?",
                                           "why do they exist"};
    static const char *const b_tf_en[] = {"How often does the task force meet?",
                                          "task force meetings", "quarterly meetings"};
    static const char *const b2_tf_en[] = {"How often does the task force meet?",
                                           "task force meetings", "where is the agenda published"};
    static const char *const b_csec_en[] = {"When does the CSEC committee meet?"};
    static const char *const b_csec_fr[] = {"Quand se réunit le comité CSEC ?"};
    static const char *const b_all_en[] = {"meetings", "when do the bodies meet"};
    static const char *const b2_dup_en[] = {"task force meetings"};
    static const char *const c_wa_en[] = {"How do I contact WashACT?", "washact email"};
    static const char *const c_tf_en[] = {"How do I reach the task force?"};
    static const char *const c_tf_fr[] = {"Comment joindre le groupe de travail ?"};
    switch (set) {
    case SET_A:
        CHECK(camas_matcher_add_entry(m, owner, "a-chair", "task-force", "en", a_chair_en, 2) == 0);
        CHECK(camas_matcher_add_entry(m, owner, "a-chair", "task-force", "fr", a_chair_fr, 1) == 0);
        CHECK(camas_matcher_add_answer(m, owner, "a-chair", "en",
                                       "The Task Force is chaired by Richard Torrance.") == 0);
        CHECK(camas_matcher_add_answer(m, owner, "a-chair", "fr",
                                       "Le groupe de travail est présidé par Richard Torrance.") ==
              0);
        CHECK(camas_matcher_add_entry(m, owner, "a-why", "all", "en", a_why_en, 2) == 0);
        CHECK(camas_matcher_add_answer(m, owner, "a-why", "en",
                                       "They coordinate the response to human trafficking.") == 0);
        break;
    case SET_B:
    case SET_B2:
        if (set == SET_B)
            CHECK(camas_matcher_add_entry(m, owner, "b-tf", "task-force", "en", b_tf_en, 3) == 0);
        else
            CHECK(camas_matcher_add_entry(m, owner, "b-tf", "task-force", "en", b2_tf_en, 3) == 0);
        CHECK(camas_matcher_add_answer(m, owner, "b-tf", "en",
                                       set == SET_B ? "The Task Force meets quarterly in Olympia."
                                                    : "The Task Force meets in Olympia; the "
                                                      "agenda is online.") == 0);
        CHECK(camas_matcher_add_entry(m, owner, "b-csec", "csec", "en", b_csec_en, 1) == 0);
        CHECK(camas_matcher_add_entry(m, owner, "b-csec", "csec", "fr", b_csec_fr, 1) == 0);
        CHECK(camas_matcher_add_answer(m, owner, "b-csec", "en", "CSEC meets every other month.") ==
              0);
        if (set == SET_B)
            CHECK(camas_matcher_add_entry(m, owner, "b-all", "all", "en", b_all_en, 2) == 0);
        else /* the same text twice, in two entries */
            CHECK(camas_matcher_add_entry(m, owner, "b-dup", "all", "en", b2_dup_en, 1) == 0);
        break;
    case SET_C:
        CHECK(camas_matcher_add_entry(m, owner, "c-wa", "washact", "en", c_wa_en, 2) == 0);
        CHECK(camas_matcher_add_answer(m, owner, "c-wa", "en", "Write to washact@example.org.") ==
              0);
        CHECK(camas_matcher_add_entry(m, owner, "c-tf", "task-force", "en", c_tf_en, 1) == 0);
        CHECK(camas_matcher_add_entry(m, owner, "c-tf", "task-force", "fr", c_tf_fr, 1) == 0);
        break;
    }
}

/* A matcher built once from the given sets (set i with owner owners[i]). */
static camas_matcher *scratch_build(bool extra, bool new_answer, const int *sets,
                                    const uint32_t *owners, size_t n)
{
    camas_matcher *m = camas_matcher_new();
    add_shared(m, extra);
    for (size_t i = 0; i < n; i++)
        add_set(m, sets[i], owners[i]);
    if (new_answer)
        CHECK(camas_matcher_add_answer(m, 1, "a-chair", "en",
                                       "Richard Torrance chairs it; the agenda is online.") == 0);
    CHECK(camas_matcher_build(m) == 0);
    return m;
}

/* Counts the differences between a's and b's results (ids, owners, scores, confidences, all
 * exactly equal) over questions touching every part of the index; *nres counts results. */
static int differences(const camas_matcher *a, const camas_matcher *b, size_t *nres)
{
    static const char *const qs[] = {"who chairs the task force?",
                                     "who heads the task force",
                                     "task force chiar",
                                     "qui préside le groupe de travail",
                                     "quarterly meetings",
                                     "quartely meetings",
                                     "when does csec meet",
                                     "quand se réunit le csec",
                                     "meetings",
                                     "when do the bodies gather",
                                     "where is the agenda published",
                                     "task force schedule",
                                     "order of business",
                                     "washact email",
                                     "how do I contact the washington advisory committee",
                                     "who is Richard Torrance",
                                     "olympia",
                                     "why do these bodies exist",
                                     "comment joindre le groupe de travail",
                                     "what is the budget of the task force?",
                                     "weather in Seattle",
                                     "task force meetings"};
    static const char *const langs[] = {NULL, "en", "fr"};
    int diffs = 0;
    *nres = 0;
    for (size_t q = 0; q < sizeof qs / sizeof qs[0]; q++) {
        for (size_t l = 0; l < 3; l++) {
            camas_match ra[8], rb[8];
            size_t na = camas_matcher_query(a, qs[q], langs[l], NULL, NULL, ra, 8);
            size_t nb = camas_matcher_query(b, qs[q], langs[l], NULL, NULL, rb, 8);
            *nres += na;
            bool same = na == nb;
            for (size_t k = 0; same && k < na; k++)
                same = strcmp(ra[k].entry_id, rb[k].entry_id) == 0 && ra[k].owner == rb[k].owner &&
                       ra[k].score == rb[k].score && ra[k].confidence == rb[k].confidence;
            if (!same) {
                diffs++;
                fprintf(stderr, "differs: \"%s\" (%s): %zu results [%s %.17g] vs %zu [%s %.17g]\n",
                        qs[q], langs[l] ? langs[l] : "auto", na, na ? ra[0].entry_id : "-",
                        na ? ra[0].confidence : 0, nb, nb ? rb[0].entry_id : "-",
                        nb ? rb[0].confidence : 0);
            }
        }
    }
    return diffs;
}

/* A body's long name in a question, word for word, found with its span (without the word's
 * punctuation); the short name with its article is not a long name. */
static void test_long_alias(void)
{
    camas_matcher *m = camas_matcher_new();
    CHECK(camas_matcher_add_alias(m, "en",
                                  "Statewide Coordinating Committee on Commercially Sexually "
                                  "Exploited Children",
                                  "csec") == 0);
    CHECK(camas_matcher_add_alias(m, "fr", "comité consultatif de Washington sur la traite",
                                  "washact") == 0);
    CHECK(camas_matcher_add_alias(m, "fr", "comité consultatif", "washact") == 0);
    CHECK(camas_matcher_add_alias(m, "fr", "le groupe de travail de l'État", "task-force") == 0);
    CHECK(camas_matcher_build(m) == 0);
    size_t from = 0, to = 0;
    const char *q = "who are the members of the Statewide Coordinating Committee on "
                    "Commercially Sexually Exploited Children?";
    const char *body = camas_matcher_long_alias(m, q, &from, &to);
    CHECK_STR(body ? body : "(none)", "csec");
    CHECK(body && strncmp(q + from, "Statewide", 9) == 0 && strcmp(q + to, "?") == 0);
    q = "quand se réunit le Comité consultatif de Washington sur la traite ?";
    body = camas_matcher_long_alias(m, q, &from, &to);
    CHECK_STR(body ? body : "(none)", "washact");
    CHECK(body && strncmp(q + from, "Comité", 7) == 0 && strcmp(q + to, " ?") == 0);
    CHECK(!camas_matcher_long_alias(m, "qui preside le comité consultatif ?", &from, &to));
    CHECK(!camas_matcher_long_alias(m, "qui preside le groupe de travail de l'État ?", &from, &to));
    camas_matcher_free(m);
}

static bool no_body_word(void *ud, const char *word, const char *lang)
{
    (void)ud;
    (void)lang;
    return strcmp(word, "csec") == 0;
}

/* Another group, told by a real word the knowledge never uses after its noun ("le comité
 * d'entreprise"); a time word after "de" is no such complement, and the next clause's words
 * are not either ("pour la réunion de demain, rappelle-moi…"). */
static void test_other_group(void)
{
    char path[] = "/tmp/camas-test-words-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    static const char words[] = "entreprise\nrappelle\nclimat\nquand\nreunit\n";
    CHECK(fd >= 0 && write(fd, words, sizeof words - 1) == (ssize_t)(sizeof words - 1));
    if (fd >= 0)
        close(fd);
    const char *const lists[] = {path};
    camas_lexicon *lex = camas_lexicon_load(lists, 1);
    unlink(path);
    CHECK(lex != NULL);
    camas_matcher *m = fixture();
    CHECK(camas_matcher_other_group(m, lex, "le comité d'entreprise se réunit quand ?", "fr",
                                    no_body_word, NULL));
    CHECK(camas_matcher_other_group(m, lex, "un groupe de travail sur le climat", "fr",
                                    no_body_word, NULL));
    CHECK(!camas_matcher_other_group(m, lex,
                                     "pour la réunion de demain, rappelle-moi quand se réunit "
                                     "le groupe de travail",
                                     "fr", no_body_word, NULL));
    camas_matcher_free(m);
    camas_lexicon_free(lex);
}

static void test_rebuild_equals_scratch(void)
{
    camas_matcher *m = camas_matcher_new();
    add_shared(m, false);
    add_set(m, SET_A, 1);
    add_set(m, SET_B, 2);
    add_set(m, SET_C, 3);
    CHECK(camas_matcher_build(m) == 0);
    size_t nres;

    /* a plugin reloads with edited entries: the new ones are added under a new owner
     * before the old ones go, as the worker does */
    add_set(m, SET_B2, 4);
    camas_matcher_remove_owner(m, 2);
    CHECK(camas_matcher_build(m) == 0);
    camas_matcher *s = scratch_build(false, false, (const int[]){SET_A, SET_C, SET_B2},
                                     (const uint32_t[]){1, 3, 4}, 3);
    CHECK(differences(m, s, &nres) == 0);
    CHECK(nres > 100);
    CHECK(camas_matcher_size(m) == camas_matcher_size(s));
    camas_matcher_free(s);

    /* an owner gone for one build, then back unchanged */
    camas_matcher_remove_owner(m, 3);
    CHECK(camas_matcher_build(m) == 0);
    add_set(m, SET_C, 5);
    CHECK(camas_matcher_build(m) == 0);
    s = scratch_build(false, false, (const int[]){SET_A, SET_B2, SET_C},
                      (const uint32_t[]){1, 4, 5}, 3);
    CHECK(differences(m, s, &nres) == 0);
    camas_matcher_free(s);

    /* an answer changes after a build */
    CHECK(camas_matcher_add_answer(m, 1, "a-chair", "en",
                                   "Richard Torrance chairs it; the agenda is online.") == 0);
    CHECK(camas_matcher_build(m) == 0);
    s = scratch_build(false, true, (const int[]){SET_A, SET_B2, SET_C}, (const uint32_t[]){1, 4, 5},
                      3);
    CHECK(differences(m, s, &nres) == 0);
    camas_matcher_free(s);

    /* synonyms and aliases added after builds */
    const char *agenda[] = {"agenda", "schedule", "order of business"};
    CHECK(camas_matcher_add_synonyms(m, "en", agenda, 3) == 0);
    CHECK(camas_matcher_add_alias(m, "en", "Washington Advisory Committee", "washact") == 0);
    CHECK(camas_matcher_build(m) == 0);
    s = scratch_build(true, true, (const int[]){SET_A, SET_B2, SET_C}, (const uint32_t[]){1, 4, 5},
                      3);
    CHECK(differences(m, s, &nres) == 0);
    CHECK(nres > 100);
    camas_matcher_free(s);
    camas_matcher_free(m);
}

/* camas_matcher_spell: unknown words one typo from the vocabulary corrected, known words,
 * short words, punctuation and spacing kept, never a cut question. */
static void test_spell(void)
{
    camas_matcher *m = camas_matcher_new();
    static const char *const en[] = {"who chairs the task force?", "how often does washact meet?"};
    static const char *const fr[] = {"qui préside le groupe de travail ?"};
    CHECK(camas_matcher_add_entry(m, 1, "chair", "task-force", "en", en, 2) == 0);
    CHECK(camas_matcher_add_entry(m, 1, "chair", "task-force", "fr", fr, 1) == 0);
    char out[256];
    CHECK(camas_matcher_spell(m, NULL, "who cheirs it", "en", out, sizeof out) == 0); /* no build */
    CHECK(camas_matcher_build(m) == 0);
    CHECK(camas_matcher_spell(m, NULL, "Who cheirs the tsk force??", "en", out, sizeof out) == 1);
    CHECK(strcmp(out, "Who chairs the tsk force??") == 0);
    CHECK(camas_matcher_spell(m, NULL, "  how oftn does (washact) meat?", "en", out, sizeof out) ==
          2);
    CHECK(strcmp(out, "  how often does (washact) meet?") == 0);
    CHECK(camas_matcher_spell(m, NULL, "qui prside le groupe ?", "fr", out, sizeof out) == 1);
    CHECK(strcmp(out, "qui preside le groupe ?") == 0);
    CHECK(camas_matcher_spell(m, NULL, "who chairs the task force?", "en", out, sizeof out) == 0);
    CHECK(strcmp(out, "who chairs the task force?") == 0);
    /* too small for the corrected question: nothing corrected */
    CHECK(camas_matcher_spell(m, NULL, "who cheirs the task force?", "en", out, 12) == 0);
    CHECK(strlen(out) < 12);
    CHECK(camas_matcher_spell(NULL, NULL, "x", "en", out, sizeof out) == 0);
    camas_matcher_free(m);

    /* a typo an example keeps ("washact meetigns") is known, yet no real word: with a
     * dictionary it reads as the real word the vocabulary knows; without one it stays */
    m = camas_matcher_new();
    static const char *const typo[] = {"when are the washact meetings?", "washact meetigns"};
    CHECK(camas_matcher_add_entry(m, 1, "meet", "washact", "en", typo, 2) == 0);
    CHECK(camas_matcher_build(m) == 0);
    char path[] = "/tmp/camas-test-lexicon-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, "meetings\nwhen\n", 14) == 14);
    close(fd);
    const char *const paths[] = {path};
    camas_lexicon *lex = camas_lexicon_load(paths, 1);
    unlink(path);
    CHECK(lex != NULL);
    CHECK(camas_matcher_spell(m, lex, "are washact meetigns open?", "en", out, sizeof out) == 1);
    CHECK(strcmp(out, "are washact meetings open?") == 0);
    CHECK(camas_matcher_spell(m, NULL, "are washact meetigns open?", "en", out, sizeof out) == 0);
    /* a real word stays, whatever the vocabulary knows one letter away */
    CHECK(camas_matcher_spell(m, lex, "when are the meetings?", "en", out, sizeof out) == 0);
    camas_lexicon_free(lex);
    camas_matcher_free(m);
}

int main(void)
{
    test_normalize();
    test_tokens();
    test_lang();
    test_stem();
    test_sentences();
    test_matcher();
    test_other_group();
    test_long_alias();
    test_rebuild_equals_scratch();
    test_spell();
    return check_done("match");
}
