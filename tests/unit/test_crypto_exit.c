/* camas_crypto_close from an atexit handler, after the process's thread-locals are gone
 * (glibc destroys them before running atexit handlers): the library used to panic there while
 * dropping its store outside the async runtime, then again while unwinding, which aborted the
 * process (found by fuzz_crypto, whose harness closed its machine at exit). It now leaves the
 * machine to the exiting process: the process exits with its own status. */
#include "camas_crypto.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

static camas_crypto *machine;
static char dir[] = "/tmp/camas-test-crypto-exit-XXXXXX";

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void close_at_exit(void)
{
    camas_crypto_close(machine);
    puts("crypto_exit: closed at exit");
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char *err = NULL;
    machine = camas_crypto_open("@bot:example.org", "DEVICEX", dir, "pass", &err);
    if (!machine) {
        fprintf(stderr, "crypto_exit: cannot open: %s\n", err ? err : "?");
        return 1;
    }
    /* a request listed, so that the store's connection pool holds connections */
    camas_crypto_free_string(camas_crypto_outgoing_requests(machine));
    atexit(close_at_exit);
    return 0;
}
