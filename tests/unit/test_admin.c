/* Unit tests for the admin commands (core/daemon/admin.c): every spelling and alias parses to the
 * same request, arguments, errors that name the command and list the valid ones, the help
 * from the table, and the dispatcher's answers that need no running bot. */
#include "admin.h"
#include "check.h"

#include <stdlib.h>

static camas_admin_request req;
static char err[1024];

static int parse(const char *line)
{
    return camas_admin_parse(line, &req, err, sizeof err);
}

/* line parses to cmd with name and force, and is written back as canon. */
static void same(const char *line, camas_admin_cmd cmd, const char *name, bool force,
                 const char *canon)
{
    char back[128];
    int rc = parse(line);
    CHECK(rc == 0);
    if (rc) {
        fprintf(stderr, "  '%s': %s\n", line, err);
        return;
    }
    CHECK(req.cmd == cmd);
    CHECK(req.spec && req.spec->cmd == cmd);
    CHECK_STR(req.name, name);
    CHECK(req.force == force);
    camas_admin_format(&req, back, sizeof back);
    CHECK_STR(back, canon);
}

/* line is refused, with every fragment in the message. */
static void refused(const char *line, const char *frag1, const char *frag2)
{
    int rc = parse(line);
    CHECK(rc == -1);
    if (!strstr(err, frag1) || (frag2 && !strstr(err, frag2)))
        fprintf(stderr, "  '%s': unexpected message: %s\n", line, err);
    CHECK(strstr(err, frag1) != NULL);
    CHECK(!frag2 || strstr(err, frag2) != NULL);
}

struct outcome {
    int calls;
    camas_admin_outcome outcome;
    char text[2048];
};

static void on_done(void *ud, camas_admin_outcome outcome, const char *text)
{
    struct outcome *o = ud;
    o->calls++;
    o->outcome = outcome;
    snprintf(o->text, sizeof o->text, "%s", text);
}

static struct outcome run(const camas_admin_env *env, const char *line)
{
    struct outcome o = {0};
    camas_admin_run(env, line, on_done, &o);
    return o;
}

int main(void)
{
    /* every command in each of its spellings, in any case, with blanks around */
    same("help", CAMAS_ADMIN_HELP, "", false, "help");
    same("status", CAMAS_ADMIN_STATUS, "", false, "status");
    same("plugins", CAMAS_ADMIN_PLUGINS, "", false, "plugins");
    same("  Plugins \n", CAMAS_ADMIN_PLUGINS, "", false, "plugins");
    same("load faq", CAMAS_ADMIN_LOAD, "faq", false, "load faq");
    same("load faq force", CAMAS_ADMIN_LOAD, "faq", true, "load faq force");
    same("LOAD my_plugin-2 FORCE", CAMAS_ADMIN_LOAD, "my_plugin-2", true, "load my_plugin-2 force");
    same("reload faq", CAMAS_ADMIN_RELOAD, "faq", false, "reload faq");
    same("reload all", CAMAS_ADMIN_RELOAD, "all", false, "reload all");
    same("reload\tall force", CAMAS_ADMIN_RELOAD, "all", true, "reload all force");
    same("unload echo", CAMAS_ADMIN_UNLOAD, "echo", false, "unload echo");
    same("knowledge reload", CAMAS_ADMIN_KNOWLEDGE_RELOAD, "", false, "knowledge reload");
    same("knowledge-reload", CAMAS_ADMIN_KNOWLEDGE_RELOAD, "", false, "knowledge reload");
    same("Knowledge  Reload", CAMAS_ADMIN_KNOWLEDGE_RELOAD, "", false, "knowledge reload");
    same(CAMAS_ADMIN_SIGHUP_COMMAND, CAMAS_ADMIN_KNOWLEDGE_RELOAD, "", false, "knowledge reload");

    /* the table: every spelling of every command parses back to that command, and the
     * canonical form of each parses to itself */
    size_t n;
    const camas_admin_spec *cmds = camas_admin_commands(&n);
    CHECK(n == 7);
    for (size_t i = 0; i < n; i++) {
        CHECK(camas_admin_spec_of(cmds[i].cmd) == &cmds[i]);
        CHECK(cmds[i].help && *cmds[i].help && cmds[i].audit && !strchr(cmds[i].audit, ' '));
        CHECK(cmds[i].from & CAMAS_ADMIN_FROM_CHAT && cmds[i].from & CAMAS_ADMIN_FROM_CONTROL);
        for (const char *const *sp = cmds[i].spellings; *sp; sp++) {
            char line[96];
            snprintf(line, sizeof line, "%s%s", *sp,
                     cmds[i].args == CAMAS_ADMIN_ARGS_NONE ? "" : " faq");
            CHECK(parse(line) == 0 && req.cmd == cmds[i].cmd);
        }
    }
    /* only the knowledge reload may come from SIGHUP */
    for (size_t i = 0; i < n; i++)
        CHECK(!(cmds[i].from & CAMAS_ADMIN_FROM_SIGNAL) ==
              (cmds[i].cmd != CAMAS_ADMIN_KNOWLEDGE_RELOAD));

    /* unknown commands: named, with the valid ones listed */
    refused("frobnicate", "unknown command 'frobnicate'", "Valid commands: help | status");
    refused("bogus now", "unknown command 'bogus'", "knowledge reload");
    refused("knowledge refresh", "unknown command 'knowledge refresh'", "Valid commands:");
    refused("knowledge", "unknown command 'knowledge'", "Valid commands:");
    refused("", "no command given", "Valid commands:");
    refused("   \t", "no command given", NULL);
    refused("-h", "unknown command '-h'", NULL);

    /* arguments */
    refused("load", "'load' needs a plugin NAME", "usage: load NAME [force]");
    refused("reload", "'reload' needs a plugin NAME", "usage: reload NAME|all [force]");
    refused("unload", "'unload' needs a plugin NAME", "usage: unload NAME");
    refused("load ../etc", "'../etc' is not a plugin name", NULL);
    refused("load Echo", "'Echo' is not a plugin name", NULL);
    refused("load abcdefghijabcdefghijabcdefghijab", "is not a plugin name", NULL);
    same("load abcdefghijabcdefghijabcdefghija", CAMAS_ADMIN_LOAD,
         "abcdefghijabcdefghijabcdefghija", false, "load abcdefghijabcdefghijabcdefghija");
    refused("load echo forced", "unexpected 'forced' after 'load'", "usage: load NAME [force]");
    refused("load echo force now", "unexpected 'now' after 'load'", NULL);
    refused("unload echo force", "unexpected 'force' after 'unload'", "usage: unload NAME");
    refused("plugins please", "unexpected 'please' after 'plugins'", "usage: plugins");
    refused("knowledge reload now", "unexpected 'now' after 'knowledge reload'", NULL);
    refused("knowledge-reload all", "unexpected 'all' after 'knowledge reload'", NULL);
    refused("a b c d e f g h i j k l m n o p q", "too many words", NULL);
    char longline[600];
    memset(longline, 'x', sizeof longline - 1);
    longline[sizeof longline - 1] = '\0';
    refused(longline, "too long", NULL);

    /* the same from argv, as camas ctl has it */
    const char *words[] = {"knowledge", "reload"};
    CHECK(camas_admin_parse_words(2, words, &req, err, sizeof err) == 0 &&
          req.cmd == CAMAS_ADMIN_KNOWLEDGE_RELOAD);
    CHECK(camas_admin_parse_words(0, words, &req, err, sizeof err) == -1);

    /* the help: every command, its arguments and aliases, with the prefix of the place */
    char *help = camas_admin_help("!camas ", CAMAS_ADMIN_FROM_CHAT);
    CHECK(help != NULL);
    if (help) {
        CHECK(strstr(help, "!camas help") && strstr(help, "!camas status") &&
              strstr(help, "!camas plugins") && strstr(help, "!camas load NAME [force]") &&
              strstr(help, "!camas reload NAME|all [force]") &&
              strstr(help, "!camas unload NAME") && strstr(help, "!camas knowledge reload") &&
              strstr(help, "also spelt knowledge-reload"));
        free(help);
    }
    help = camas_admin_help("camas ctl ", CAMAS_ADMIN_FROM_SIGNAL);
    CHECK(help && strstr(help, "camas ctl knowledge reload") && !strstr(help, "plugins"));
    free(help);
    char syn[512];
    camas_admin_synopsis(syn, sizeof syn, " | ");
    CHECK_STR(syn, "help | status | plugins | load NAME [force] | reload NAME|all [force] | "
                   "unload NAME | knowledge reload");

    /* the dispatcher, without a bot: help, errors, no plugins, who may run what */
    camas_admin_env env = {
        .from = CAMAS_ADMIN_FROM_CONTROL, .actor = "test", .allowed = true, .prefix = "camas ctl "};
    struct outcome o = run(&env, "help");
    CHECK(o.calls == 1 && o.outcome == CAMAS_ADMIN_SHOWN && strstr(o.text, "camas ctl unload"));
    o = run(&env, "frobnicate");
    CHECK(o.calls == 1 && o.outcome == CAMAS_ADMIN_INVALID &&
          strstr(o.text, "unknown command 'frobnicate'"));
    o = run(&env, "plugins");
    CHECK(o.calls == 1 && o.outcome == CAMAS_ADMIN_REFUSED &&
          strstr(o.text, "plugins are disabled"));
    o = run(&env, "knowledge-reload");
    CHECK(o.calls == 1 && o.outcome == CAMAS_ADMIN_REFUSED);
    o = run(&env, "status");
    CHECK(o.calls == 1 && o.outcome == CAMAS_ADMIN_REFUSED);
    env.from = CAMAS_ADMIN_FROM_SIGNAL;
    o = run(&env, "unload faq");
    CHECK(o.calls == 1 && o.outcome == CAMAS_ADMIN_INVALID &&
          strstr(o.text, "'unload' cannot be run from here"));
    env.from = CAMAS_ADMIN_FROM_CHAT;
    env.allowed = false; /* not in admins: refused, whatever it asks (st NULL: not audited) */
    o = run(&env, "help");
    CHECK(o.calls == 1 && o.outcome == CAMAS_ADMIN_DENIED &&
          strcmp(o.text, "Sorry, only camas administrators can do that.") == 0);
    o = run(&env, "frobnicate");
    CHECK(o.calls == 1 && o.outcome == CAMAS_ADMIN_DENIED);
    return check_done("admin");
}
