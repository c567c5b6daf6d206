/* Runs a command under the seccomp rules that systemd's MemoryDenyWriteExecute=yes installs (no
 * mapping both writable and executable, no making memory executable later), so
 * tests/integration/test_install.py can show camas and its worker work under them. */
#include <errno.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    (void)argc;
    scmp_filter_ctx c = seccomp_init(SCMP_ACT_ALLOW);
    seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mmap), 1,
                     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC | PROT_WRITE, PROT_EXEC | PROT_WRITE));
    seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mprotect), 1,
                     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
    seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(pkey_mprotect), 1,
                     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
    seccomp_rule_add(c, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(shmat), 1,
                     SCMP_A2(SCMP_CMP_MASKED_EQ, SHM_EXEC, SHM_EXEC));
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (seccomp_load(c))
        return 126;
    execv(argv[1], argv + 1);
    return 127;
}
