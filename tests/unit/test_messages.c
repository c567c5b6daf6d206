/* Unit tests for knowledge/messages (messages.c): the shipped file is the compiled texts byte
 * for byte; every kind of mistake is refused with FILE:LINE and what was expected; the
 * hotline can never be edited away; placeholders are filled by name; and the router and the
 * safety replies use a loaded set. */
#include "check.h"
#include "messages.h"
#include "router.h"
#include "safety.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KNOWLEDGE FIXTURES "/../../knowledge"

static char *shipped; /* the shipped messages.yaml */

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    camas_buf b = {0};
    char chunk[4096];
    size_t n;
    while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        camas_buf_append(&b, chunk, n);
    if (f)
        fclose(f);
    camas_buf_cstr(&b);
    return b.data;
}

/* base with the first occurrence of from replaced by to. */
static char *edit_in(const char *base, const char *from, const char *to)
{
    const char *at = strstr(base, from);
    CHECK(at != NULL);
    if (!at)
        return strdup(base);
    camas_buf b = {0};
    camas_buf_append(&b, base, (size_t)(at - base));
    camas_buf_puts(&b, to);
    camas_buf_puts(&b, at + strlen(from));
    return b.data;
}

static char *edited(const char *from, const char *to)
{
    return edit_in(shipped, from, to);
}

/* Parses text; expects a refusal whose message holds want (and "m.yaml:LINE:"). */
static void refused(const char *text, const char *want, int line)
{
    camas_messages *m = (camas_messages *)1;
    char err[600] = "";
    int rc = camas_messages_parse(text, strlen(text), "m.yaml", &m, err, sizeof err);
    CHECK(rc == -1);
    CHECK(m == NULL);
    if (!strstr(err, want))
        fprintf(stderr, "  error was: %s (expected \"%s\")\n", err, want);
    CHECK(strstr(err, want) != NULL);
    if (line > 0) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "m.yaml:%d: ", line);
        if (strncmp(err, prefix, strlen(prefix)) != 0)
            fprintf(stderr, "  error was: %s (expected line %d)\n", err, line);
        CHECK(strncmp(err, prefix, strlen(prefix)) == 0);
    }
}

static void refused_edit(const char *from, const char *to, const char *want)
{
    char *t = edited(from, to);
    refused(t, want, 0);
    free(t);
}

/* The line of the first occurrence of s in the shipped file. */
static int line_of(const char *s)
{
    const char *at = strstr(shipped, s);
    int line = 1;
    for (const char *p = shipped; at && p < at; p++)
        line += *p == '\n';
    return line;
}

static void test_shipped_is_compiled(void)
{
    camas_messages *m = NULL;
    char err[600] = "";
    CHECK(camas_messages_load(KNOWLEDGE, &m, err, sizeof err) == 1);
    if (!m)
        fprintf(stderr, "  %s\n", err);
    CHECK(m != NULL);
    for (int id = 0; id < CAMAS_MSG_COUNT; id++)
        for (int fr = 0; fr < 2; fr++) {
            const char *lang = fr ? "fr" : "en";
            const char *a = camas_messages_get(m, (camas_msg_id)id, lang);
            const char *b = camas_messages_get(NULL, (camas_msg_id)id, lang);
            if (strcmp(a, b) != 0)
                fprintf(stderr, "  %s (%s) differs from the compiled text\n",
                        camas_messages_key((camas_msg_id)id), lang);
            CHECK(strcmp(a, b) == 0);
        }
    /* the pointers are the loaded set's, not the compiled ones */
    CHECK(camas_messages_get(m, CAMAS_MSG_HELP_INTRO, "en") !=
          camas_messages_get(NULL, CAMAS_MSG_HELP_INTRO, "en"));
    camas_messages_free(m);
    CHECK_STR(camas_messages_get(NULL, CAMAS_MSG_PING_REPLY, "fr"), "pong");
    CHECK_STR(camas_messages_get(NULL, CAMAS_MSG_VERDICT_YES, "fr"), "Oui");
    CHECK_STR(camas_messages_get(NULL, CAMAS_MSG_VERDICT_NO, NULL), "No");
    CHECK_STR(camas_messages_key(CAMAS_MSG_SAFETY_DANGER), "safety.danger");
}

static void test_errors(void)
{
    refused("help.intro: [unclosed\n", "not valid YAML", 0);
    refused("", "empty", 1);
    refused("- a\n- b\n", "expected a mapping of message keys", 1);
    refused("\"\\xff\": x\n", "unknown message", 1);
    char *t = edited("help.tail:", "help.tale:");
    refused(t, "unknown message 'help.tale'", line_of("help.tail:"));
    free(t);
    t = edited("ping.reply:\n  en: \"pong\"\n  fr: \"pong\"\n", "");
    refused(t, "'ping.reply' is missing", line_of("help.intro:"));
    free(t);
    t = edited("verdict.yes:\n  en: \"Yes\"", "verdict.yes:\n  en: [\"Yes\"]");
    refused(t, "'verdict.yes' (en): expected a text, found a list", line_of("verdict.yes:") + 1);
    free(t);
    refused_edit("help.commands:\n  en: \"Commands:\"\n  fr: \"Commandes :\"",
                 "help.commands: \"Commands:\"", "expected 'en' and 'fr' texts, found a text");
    refused_edit("  fr: \"Oui\"", "  de: \"Ja\"", "unknown language 'de'");
    refused_edit("  fr: \"Non\"\n", "", "'verdict.no' has no 'fr' text");
    refused_edit("admin.denied: \"Sorry", "admin.denied:\n  en: \"Sorry\"\n  fr: \"Sorry",
                 "expected one text");
    refused_edit("  en: \"pong\"", "  en: \"\"", "'ping.reply' (en) is empty");
    refused_edit("  en: \"pong\"", "  en: \"po\\u0007ng\"", "control character");
    /* invalid UTF-8: libyaml or the loader, either names the line */
    refused_edit("  en: \"pong\"", "  en: \"po\xc3(ng\"", "m.yaml:");
    char big[CAMAS_MESSAGE_MAX + 40];
    snprintf(big, sizeof big, "  en: \"%0*d\"", CAMAS_MESSAGE_MAX + 1, 0);
    refused_edit("  en: \"pong\"", big, "at most");
    /* placeholders */
    refused_edit("the command {command}.", "the command {cmd}.",
                 "unknown placeholder {cmd}; this message allows {command}");
    refused_edit("  en: \"pong\"", "  en: \"pong {command}\"",
                 "unknown placeholder {command}; this message takes none");
    refused_edit("  en: \"pong\"", "  en: \"pong {\"", "a '{' must start a placeholder");
    /* duplicate keys (yaml_json) */
    t = edited("ping.reply:", "ping.reply:\n  en: \"a\"\n  fr: \"b\"\nping.reply:");
    refused(t, "appears twice", 0);
    free(t);
}

/* "%s%n" is not a format: it loads and is sent as written. */
static void test_percent_is_text(void)
{
    char *t = edited("  en: \"pong\"", "  en: \"%s%n 100%\"");
    camas_messages *m = NULL;
    char err[600] = "";
    CHECK(camas_messages_parse(t, strlen(t), "m.yaml", &m, err, sizeof err) == 1);
    CHECK_STR(camas_messages_get(m, CAMAS_MSG_PING_REPLY, "en"), "%s%n 100%");
    camas_messages_free(m);
    free(t);
}

static void test_hotline_guard(void)
{
    static const char *const keys[] = {"safety.danger:", "safety.footer:", "safety.too_long:"};
    static const char *const numbers[] = {"1-888-373-7888", "233733", "911"};
    for (size_t k = 0; k < 3; k++)
        for (int fr = 0; fr < 2; fr++)
            for (size_t n = 0; n < 3; n++) {
                /* the key's en (or fr) line with one number taken out */
                const char *key = strstr(shipped, keys[k]);
                const char *line = strstr(key, fr ? "\n  fr: " : "\n  en: ") + 1;
                size_t len = strcspn(line, "\n");
                char *orig = strndup(line, len);
                camas_buf b = {0};
                for (const char *p = orig; *p;) {
                    const char *at = strstr(p, numbers[n]);
                    if (!at) {
                        camas_buf_puts(&b, p);
                        break;
                    }
                    camas_buf_append(&b, p, (size_t)(at - p));
                    camas_buf_puts(&b, "(removed)");
                    p = at + strlen(numbers[n]);
                }
                char want[64];
                snprintf(want, sizeof want, "; %s is missing", numbers[n]);
                char *t = edited(orig, camas_buf_cstr(&b));
                refused(t, want, line_of(orig));
                free(t);
                free(orig);
                camas_buf_free(&b);
            }
    /* reworded but with all three: accepted */
    char *t =
        edited("call 1-888-373-7888 or text 233733.", "1-888-373-7888 (call) or 233733 (text).");
    camas_messages *m = NULL;
    char err[600] = "";
    CHECK(camas_messages_parse(t, strlen(t), "m.yaml", &m, err, sizeof err) == 1);
    CHECK(strstr(camas_safety_message(m, "en"), "233733 (text).") != NULL);
    camas_messages_free(m);
    free(t);
}

static void test_fill(void)
{
    char *t = edited("I don't know the command {command}.",
                     "{{literal}} {command} and {command} again, 100% {{");
    camas_messages *m = NULL;
    char err[600] = "";
    CHECK(camas_messages_parse(t, strlen(t), "m.yaml", &m, err, sizeof err) == 1);
    if (!m)
        fprintf(stderr, "  %s\n", err);
    camas_buf b = {0};
    const char *vars[] = {"command", "!x{command}%s", NULL};
    CHECK(camas_messages_fill(m, CAMAS_MSG_COMMAND_UNKNOWN, "en", vars, &b) == 0);
    CHECK_STR(camas_buf_cstr(&b),
              "{literal}} !x{command}%s and !x{command}%s again, 100% { Send !help to see what I "
              "can do.");
    camas_buf_reset(&b);
    /* the compiled text, and a placeholder given no value */
    CHECK(camas_messages_fill(NULL, CAMAS_MSG_COMMAND_UNKNOWN, "fr", NULL, &b) == 0);
    CHECK_STR(camas_buf_cstr(&b),
              "Je ne connais pas la commande . Envoyez !help pour voir ce que je sais faire.");
    camas_buf_free(&b);
    camas_messages_free(m);
    free(t);
}

/* A loaded set reaches what the router and the safety replies send. */
static void test_used(void)
{
    char *t1 = edited("  en: \"!help - this text\"", "  en: \"!help - <this> & that\"");
    char *t = edit_in(t1, "the command {command}. Send", "command [{command}] Send");
    free(t1);
    camas_messages *m = NULL;
    char err[600] = "";
    CHECK(camas_messages_parse(t, strlen(t), "m.yaml", &m, err, sizeof err) == 1);
    char help[] = "!help", unknown[] = "!nope now";
    camas_message msg = {.room_id = "!r", .sender = "@a:l", .event_id = "$e", .body = help};
    camas_answer a;
    CHECK(camas_router_answer(&msg, "@camas:l", NULL, "en", m, &a) == 1);
    CHECK(strstr(a.plain, "!help - <this> & that") != NULL);
    CHECK(a.html && strstr(a.html, "<code>!help</code> - &lt;this&gt; &amp; that") != NULL);
    camas_answer_clear(&a);
    msg.body = unknown;
    CHECK(camas_router_answer(&msg, "@camas:l", NULL, "en", m, &a) == 1);
    CHECK_STR(a.plain, "I don't know command [!nope] Send !help to see what I can do.");
    camas_answer_clear(&a);
    camas_buf p = {0}, h = {0};
    camas_safety_compose(m, "fr", 1, false, "Une réponse.", NULL, false, false, &p, &h);
    CHECK(strstr(camas_buf_cstr(&p), camas_messages_get(NULL, CAMAS_MSG_SAFETY_FOOTER, "fr")));
    camas_buf_free(&p);
    camas_buf_free(&h);
    camas_messages_free(m);
    free(t);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_directories(void)
{
    char root[] = "/tmp/camas-messages-XXXXXX";
    CHECK(mkdtemp(root) != NULL);
    char dir[256], file[300], stray[300];
    snprintf(dir, sizeof dir, "%s/messages", root);
    snprintf(file, sizeof file, "%s/messages.yaml", dir);
    snprintf(stray, sizeof stray, "%s/en.yaml", dir);
    camas_messages *m = (camas_messages *)1;
    char err[600] = "";
    /* no messages folder: the compiled texts, and no complaint */
    CHECK(camas_messages_load(root, &m, err, sizeof err) == 0);
    CHECK(m == NULL && err[0] == '\0');
    /* a folder without the file */
    CHECK(mkdir(dir, 0700) == 0);
    CHECK(camas_messages_load(root, &m, err, sizeof err) == -1);
    CHECK(strstr(err, "messages/messages.yaml:1: cannot read") != NULL);
    write_file(file, shipped);
    CHECK(camas_messages_load(root, &m, err, sizeof err) == 1);
    camas_messages_free(m);
    /* a file camas would ignore is named */
    write_file(stray, "help.intro: x\n");
    CHECK(camas_messages_load(root, &m, err, sizeof err) == -1);
    CHECK(strstr(err, "en.yaml:1: unknown file") != NULL);
    unlink(stray);
    /* errors name the real path */
    write_file(file, "help.intro: [\n");
    CHECK(camas_messages_load(root, &m, err, sizeof err) == -1);
    CHECK(strncmp(err, file, strlen(file)) == 0);
    unlink(file);
    rmdir(dir);
    rmdir(root);
}

int main(void)
{
    shipped = read_all(KNOWLEDGE "/messages/messages.yaml");
    CHECK(shipped != NULL);
    if (!shipped)
        return check_done("messages");
    test_shipped_is_compiled();
    test_errors();
    test_percent_is_text();
    test_hotline_guard();
    test_fill();
    test_used();
    test_directories();
    free(shipped);
    return check_done("messages");
}
