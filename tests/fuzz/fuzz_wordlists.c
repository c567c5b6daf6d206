/* libFuzzer target: the word lists camas reads besides the knowledge entries. The input is
 * read as a real-word list (camas_lexicon_load from a file, one word per line; Debian's
 * wamerican/wfrench, or any list an operator points it at) and, parsed as YAML, as the
 * yes/no knowledge: bodies.yaml's names and synonyms.yaml's synonym and opposite groups
 * (camas_yesno_load_names, camas_yesno_load_synonyms). Checks: every word accepted into the
 * lexicon is found again; loading problems are reported with a message; the loaded names
 * are usable. */
#include "lexicon.h"
#include "text.h"
#include "yaml_json.h"
#include "yesno.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fd = -1;
static char path[64];

static void on_error(void *ud, const char *message)
{
    (void)ud;
    if (!message || !*message)
        abort();
}

static void on_group(void *ud, const char *lang, const char *const *words, size_t n)
{
    (void)ud;
    if (!lang || (n && !words))
        abort();
    for (size_t i = 0; i < n; i++)
        if (!words[i])
            abort();
}

static void lexicon(const uint8_t *data, size_t size)
{
    if (fd < 0) {
        fd = memfd_create("fuzz-words", MFD_CLOEXEC);
        if (fd < 0)
            abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    const char *const paths[] = {path, "/nonexistent/words"};
    camas_lexicon *lx = camas_lexicon_load(paths, 2);
    /* each line, normalised as a question's words are, is either a known word or was
     * skipped for a reason the loader documents (too long, several words, possessive) */
    char line[256], norm[3 * sizeof line];
    const char *p = (const char *)data, *end = p + size;
    while (lx && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = (size_t)((nl ? nl : end) - p), n = 0;
        while (n < len && p[n] != '\r') /* the word ends at the first line break */
            n++;
        if (n > 0 && n < sizeof line && !memchr(p, '\0', len) &&
            !(n > 2 && p[n - 2] == '\'' && p[n - 1] == 's')) {
            memcpy(line, p, n);
            line[n] = '\0';
            long k = camas_text_normalize(line, n, norm, sizeof norm);
            if (k > 0 && k <= CAMAS_TOKEN_MAX && !strchr(norm, ' ') &&
                !camas_lexicon_has(lx, norm, (size_t)k))
                abort();
        }
        p = nl ? nl + 1 : end;
    }
    camas_lexicon_free(lx);
}

static void yesno_knowledge(const uint8_t *data, size_t size)
{
    char err[512] = "";
    cJSON *doc = camas_yaml_parse((const char *)data, size, "fuzz.yaml", err, sizeof err);
    if (!doc)
        return;
    camas_stemmer *st = camas_stemmer_new();
    camas_yesno_names *names = camas_yesno_names_new();
    camas_yesno_loader ld = {names, st, on_error, on_group, NULL};
    camas_yesno_load_names(&ld, doc);
    camas_yesno_load_synonyms(&ld, doc);
    camas_yesno_names_in(names, "Is Richard Torrance the chair?");
    camas_yesno_names_count(names);
    camas_yesno_names_free(names);
    camas_stemmer_free(st);
    cJSON_Delete(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lexicon(data, size);
    yesno_knowledge(data, size);
    return 0;
}
