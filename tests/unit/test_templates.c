/* Unit tests for the template engine plugins share with camas's own texts (templates.c): a
 * plugin-like catalog loads a file over its compiled texts, falls back to them when the file
 * is missing, refuses a malformed file with FILE:LINE and what was expected, fills named
 * placeholders, and checks a plugin's own catalog before using it. */
#include "check.h"
#include "templates.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const camas_tpl_spec specs[] = {
    {"next",
     "body when",
     0,
     {"Next meeting of {body}: {when}.", "Prochaine réunion ({body}) : {when}."}},
    {"none", "", 0, {"No meeting.", "Aucune réunion."}},
};
static const camas_tpl_catalog cat = {specs, 2, "the shipped knowledge/demo/messages.yaml",
                                      "knowledge/demo/messages.yaml"};

static const char good[] = "next:\n"
                           "  en: \"Coming up for {body}: {when}\"\n"
                           "  fr: \"À venir ({body}) : {when}\"\n"
                           "none:\n"
                           "  en: \"Nothing planned.\"\n"
                           "  fr: \"Rien de prévu.\"\n";

static char *fill(const camas_tpl *t, size_t id, const char *lang, const char *const *vars)
{
    camas_buf b = {0};
    CHECK(camas_tpl_fill(&cat, t, id, lang, vars, &b) == 0);
    return b.data;
}

static void refused(const char *text, const char *want, int line)
{
    camas_tpl *t = (camas_tpl *)1;
    char err[600] = "", where[32];
    CHECK(camas_tpl_parse(&cat, text, strlen(text), "demo.yaml", &t, err, sizeof err) == -1);
    CHECK(t == NULL);
    snprintf(where, sizeof where, "demo.yaml:%d: ", line);
    if (!strstr(err, want) || strncmp(err, where, strlen(where)) != 0)
        fprintf(stderr, "got \"%s\", wanted \"%s%s\"\n", err, where, want);
    CHECK(strstr(err, want) != NULL);
    CHECK(strncmp(err, where, strlen(where)) == 0);
}

static void test_load_and_fill(void)
{
    camas_tpl *t = NULL;
    char err[600];
    CHECK(camas_tpl_parse(&cat, good, strlen(good), "demo.yaml", &t, err, sizeof err) == 1);
    const char *vars[] = {"body", "WashACT", "when", "{when} stays text", NULL};
    char *s = fill(t, 0, "en", vars);
    CHECK_STR(s, "Coming up for WashACT: {when} stays text"); /* values are never expanded */
    free(s);
    s = fill(t, 0, "fr", vars);
    CHECK_STR(s, "À venir (WashACT) : {when} stays text");
    free(s);
    CHECK_STR(camas_tpl_get(&cat, t, 1, "fr"), "Rien de prévu.");
    /* a copy serves the same texts after the original is gone */
    camas_tpl *d = camas_tpl_dup(t);
    camas_tpl_free(t);
    CHECK_STR(camas_tpl_get(&cat, d, 1, "en"), "Nothing planned.");
    camas_tpl_free(d);
    CHECK(camas_tpl_find(&cat, "none") == 1);
    CHECK(camas_tpl_find(&cat, "nope") == -1);
}

static void test_fallback(void)
{
    /* NULL is the compiled set; a missing file loads as NULL */
    const char *vars[] = {"body", "CSEC", NULL};
    char *s = fill(NULL, 0, "en", vars);
    CHECK_STR(s, "Next meeting of CSEC: ."); /* {when} without a value becomes empty */
    free(s);
    camas_tpl *t = (camas_tpl *)1;
    char err[600];
    CHECK(camas_tpl_load(&cat, "/nonexistent/demo.yaml", "demo.yaml", &t, err, sizeof err) == 0);
    CHECK(t == NULL);
    char path[] = "/tmp/camas-tpl-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, good, strlen(good)) == (ssize_t)strlen(good));
    close(fd);
    CHECK(camas_tpl_load(&cat, path, "knowledge/demo/messages.yaml", &t, err, sizeof err) == 1);
    CHECK_STR(camas_tpl_get(&cat, t, 1, "en"), "Nothing planned.");
    camas_tpl_free(t);
    unlink(path);
}

static void test_malformed(void)
{
    refused("next: [unclosed\n", "not valid YAML", 2); /* libyaml sees the end on line 2 */
    refused("- a list\n", "expected a mapping of message keys (next: …)", 1);
    char buf[600];
    snprintf(buf, sizeof buf, "%snext.typo:\n  en: x\n  fr: y\n", good);
    refused(buf,
            "unknown message 'next.typo'; expected one of the keys listed in the shipped "
            "knowledge/demo/messages.yaml",
            7);
    refused("next:\n  en: \"{body} {where}\"\n  fr: \"{body}\"\nnone: {en: a, fr: b}\n",
            "'next' (en): unknown placeholder {where}; this message allows {body when}", 2);
    refused("next:\n  en: \"{body}\"\n", "'next' has no 'fr' text", 1);
    refused("none: {en: a, fr: b}\n",
            "'next' is missing; every message must be given (copy it "
            "from the shipped knowledge/demo/messages.yaml)",
            1);
    refused("next: {en: \"{body}\", fr: \"\xff\"}\nnone: {en: a, fr: b}\n",
            "not valid YAML: invalid leading UTF-8 octet", 1);
}

static void test_plugin_catalog(void)
{
    char err[300];
    CHECK(camas_tpl_check_catalog(&cat, err, sizeof err) == 0);
    static const camas_tpl_spec bad_key[] = {{"Next", "", 0, {"a", "b"}}};
    camas_tpl_catalog c = {bad_key, 1, "", ""};
    CHECK(camas_tpl_check_catalog(&c, err, sizeof err) == -1 && strstr(err, "a key of"));
    static const camas_tpl_spec no_fr[] = {{"next", "", 0, {"a", NULL}}};
    c.specs = no_fr;
    CHECK(camas_tpl_check_catalog(&c, err, sizeof err) == -1 && strstr(err, "no compiled French"));
    static const camas_tpl_spec undeclared[] = {{"next", "body", 0, {"{when}", "{body}"}}};
    c.specs = undeclared;
    CHECK(camas_tpl_check_catalog(&c, err, sizeof err) == -1 &&
          strstr(err, "unknown placeholder {when}"));
    static const camas_tpl_spec twice[] = {{"a", "", 0, {"x", "y"}}, {"a", "", 0, {"x", "y"}}};
    c.specs = twice;
    c.n = 2;
    CHECK(camas_tpl_check_catalog(&c, err, sizeof err) == -1 && strstr(err, "listed twice"));
}

int main(void)
{
    test_load_and_fill();
    test_fallback();
    test_malformed();
    test_plugin_catalog();
    return check_done("test_templates");
}
