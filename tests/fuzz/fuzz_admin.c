/* libFuzzer target: the admin command grammar (admin.c), what turns the words of `!camas ...`
 * in chat, `camas ctl ...` and SIGHUP into a command. An admin types them, but anyone in a
 * room can type `!camas ...` (and is refused after the parse), so the parser sees any bytes.
 *
 * The input is split at NUL bytes into at most 64 words for camas_admin_parse_words (as
 * `camas ctl`'s argv), and read whole, up to its first NUL, as one line for camas_admin_parse
 * (as chat and the control socket have it). Its first byte also picks where the command comes
 * from and whether the sender is an admin, for camas_admin_run (no plugin host, no core), and
 * the help is written for that place with the input's first word as the prefix. Checks:
 *   - a refusal always says why; an accepted command has its spec, a plugin name exactly when
 *     it takes one (lowercase letters, digits, - and _, at most 31), force only where allowed;
 *   - the canonical spelling (camas_admin_format) parses back to the same command, and is
 *     written the same again;
 *   - the line parser agrees with the word parser on the same words;
 *   - camas_admin_run answers exactly once, during the call here: denied when the sender is
 *     no admin, invalid when the parse fails, and never shows a command that may not be run
 *     from there;
 *   - the help lists every command that may be run from there, and no other. */
#include "admin.h"
#include "log.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WORDS 64

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *lvl = getenv("CAMAS_FUZZ_LOG");
    camas_log_set_level(lvl ? camas_log_level_parse(lvl) : -1);
    return 0;
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 31)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
            return false;
    return true;
}

static bool same(const camas_admin_request *a, const camas_admin_request *b)
{
    return a->cmd == b->cmd && a->spec == b->spec && strcmp(a->name, b->name) == 0 &&
           a->force == b->force;
}

/* The invariants of one parse's result. */
static void check_parsed(int rc, const camas_admin_request *req, const char *err, size_t errlen)
{
    if (!memchr(err, '\0', errlen))
        abort();
    if (rc != 0) {
        if (rc != -1 || !err[0])
            abort(); /* a refusal always says why */
        return;
    }
    if (err[0] || !req->spec || req->spec->cmd != req->cmd ||
        camas_admin_spec_of(req->cmd) != req->spec)
        abort();
    if ((req->spec->args == CAMAS_ADMIN_ARGS_NONE) != !req->name[0])
        abort();
    if (req->name[0] && !name_ok(req->name))
        abort();
    if (req->force && req->spec->args != CAMAS_ADMIN_ARGS_NAME_FORCE)
        abort();

    /* the canonical spelling parses back to the same command, and is a fixed point */
    char canon[160], again[160], err2[1024];
    camas_admin_format(req, canon, sizeof canon);
    camas_admin_request back;
    if (camas_admin_parse(canon, &back, err2, sizeof err2) != 0 || !same(req, &back))
        abort();
    camas_admin_format(&back, again, sizeof again);
    if (strcmp(canon, again) != 0)
        abort();
}

struct answer {
    int calls;
    camas_admin_outcome outcome;
};

static void on_done(void *ud, camas_admin_outcome outcome, const char *text)
{
    struct answer *a = ud;
    if (!text || (outcome != CAMAS_ADMIN_SHOWN && !text[0]))
        abort(); /* a refusal says why */
    a->calls++;
    a->outcome = outcome;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';

    /* as argv: the words between NULs (empty words included, as argv may have them) */
    const char *words[MAX_WORDS];
    int n = 0;
    for (size_t i = 0; i <= size && n < MAX_WORDS; i += strlen(copy + i) + 1)
        words[n++] = copy + i;
    if (size == 0)
        n = 0;
    camas_admin_request req;
    char err[1024];
    memset(err, 'x', sizeof err);
    int rc = camas_admin_parse_words(n, words, &req, err, sizeof err);
    check_parsed(rc, &req, err, sizeof err);
    /* a short error buffer is still terminated */
    char small[8];
    camas_admin_request req_small;
    int rc_small = camas_admin_parse_words(n, words, &req_small, small, sizeof small);
    if (rc_small != rc || !memchr(small, '\0', sizeof small) ||
        (rc == 0 && !same(&req, &req_small)))
        abort();

    /* as one line, up to the first NUL */
    const char *line = copy;
    camas_admin_request lreq;
    char lerr[1024];
    int lrc = camas_admin_parse(line, &lreq, lerr, sizeof lerr);
    check_parsed(lrc, &lreq, lerr, sizeof lerr);

    /* the line parser agrees with the word parser on the line's own words */
    if (strlen(line) < 512) {
        char buf[512];
        memcpy(buf, line, strlen(line) + 1);
        const char *lw[MAX_WORDS];
        int ln = 0;
        char *save = NULL;
        for (char *w = strtok_r(buf, " \t\r\n", &save); w && ln < MAX_WORDS;
             w = strtok_r(NULL, " \t\r\n", &save))
            lw[ln++] = w;
        if (ln <= 16) {
            camas_admin_request wreq;
            char werr[1024];
            int wrc = camas_admin_parse_words(ln, lw, &wreq, werr, sizeof werr);
            if (wrc != lrc || (wrc == 0 && !same(&wreq, &lreq)) || strcmp(werr, lerr) != 0)
                abort();
        } else if (lrc == 0) {
            abort(); /* more than 16 words are refused */
        }
    } else if (lrc == 0) {
        abort(); /* a line of 512 bytes or more is refused */
    }

    /* run from one place, as an admin or not, without plugins or a core */
    unsigned from = 1u << (size ? data[0] % 3 : 0);
    bool allowed = size < 2 || !(data[1] & 1);
    camas_admin_env env = {.from = from,
                           .actor = "@fuzz:fuzz",
                           .allowed = allowed,
                           .prefix = words[0] && n ? words[0] : ""};
    struct answer a = {0};
    camas_admin_run(&env, line, on_done, &a);
    if (a.calls != 1)
        abort();
    if (!allowed && a.outcome != CAMAS_ADMIN_DENIED)
        abort();
    if (allowed && lrc != 0 && a.outcome != CAMAS_ADMIN_INVALID)
        abort();
    if (allowed && lrc == 0) {
        bool may = lreq.spec->from & from;
        if (!may && a.outcome != CAMAS_ADMIN_INVALID)
            abort();
        /* help is shown; everything else needs a core or plugins, neither of which is here */
        if (may &&
            a.outcome != (lreq.cmd == CAMAS_ADMIN_HELP ? CAMAS_ADMIN_SHOWN : CAMAS_ADMIN_REFUSED))
            abort();
    }

    /* the help for that place, with the first word as the prefix */
    char *help = camas_admin_help(env.prefix, from);
    if (!help)
        abort();
    size_t nc;
    const camas_admin_spec *cmds = camas_admin_commands(&nc);
    size_t lines = 0;
    for (const char *p = help; (p = strchr(p, '\n')); p++)
        lines++;
    size_t expect = 0;
    for (size_t i = 0; i < nc; i++)
        if (cmds[i].from & from) {
            expect++;
            if (!strstr(help, cmds[i].help))
                abort();
        }
    if (!strchr(env.prefix, '\n') && lines != expect)
        abort();
    free(help);

    /* the synopsis in a buffer of any size stays terminated */
    char syn[600];
    size_t synlen = size ? (size_t)data[size - 1] * 2 + 1 : sizeof syn;
    if (synlen > sizeof syn)
        synlen = sizeof syn;
    camas_admin_synopsis(syn, synlen, words[0] && n && strlen(words[0]) < 8 ? words[0] : " | ");
    if (!memchr(syn, '\0', synlen))
        abort();

    free(copy);
    return 0;
}
