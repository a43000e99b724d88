/* Runs before the .NET runtime starts in the NativeAOT `rein` binary (an ELF/Mach-O initializer; glibc and dyld
 * pass it argc/argv/envp):
 *  - `rein __shim ...` is the shim (shim.c): it runs here and exits, so it never pays for a .NET runtime start;
 *  - otherwise it records which signals the caller left ignored (the runtime changes SIGPIPE before managed code
 *    can look), so that the command gets them ignored too, as coreutils' timeout does;
 *  - and it points closed standard descriptors at /dev/null, so that neither the runtime's console nor a pipe
 *    rein opens later lands on fd 0, 1 or 2 by accident. */
#include "shim.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned long long g_ignored;

unsigned long long rein_native_ignored_signals(void) { return g_ignored; }

#ifdef __APPLE__
/* Descriptors 3..1023 that rein's caller passed on (open, not close-on-exec), recorded before the runtime opens
 * anything: macOS spawns use POSIX_SPAWN_CLOEXEC_DEFAULT and name exactly these (and 0-2) as inherited, so a
 * descriptor of rein's own that is not yet close-on-exec (pipe() then fcntl() is not atomic there) cannot leak. */
static unsigned char g_inherited[1024];

int rein_native_inherited_fd(int fd) { return fd >= 0 && fd < 1024 && g_inherited[fd]; }
#endif

/* The caller's argv and environment as the kernel gave them (bytes, not text): the runtime decodes them as UTF-8
 * and replaces what is not, so rein reads them from here to pass every byte on to the command. Both stay valid for
 * the life of the process (the initial stack). */
static int g_argc;
static char **g_argv;
static char **g_envp;

char **rein_native_argv(int *argc) {
    *argc = g_argc;
    return g_argv;
}

char **rein_native_envp(void) { return g_envp; }

/* 1: the initializer ran (the native part is linked in). */
int rein_native_present(void) { return 1; }

__attribute__((constructor)) static void rein_preinit(int argc, char **argv, char **envp) {
    g_argc = argc;
    g_argv = argv;
    g_envp = envp;
    if (argc >= 2 && argv && argv[1] && strcmp(argv[1], "__shim") == 0) _exit(shim_main(argc - 2, argv + 2));
    for (int s = 1; s < 64 && s < NSIG; s++) {
        struct sigaction old;
        if (s != SIGKILL && s != SIGSTOP && sigaction(s, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            g_ignored |= 1ULL << (s - 1);
    }
    /* The "stay ignored" rule is for the command (the shim gets g_ignored), not for rein: a script's background
     * job (`rein timeout 100 cmd &`) starts with SIGINT and SIGQUIT ignored, and the runtime installs no handler
     * for a signal it finds ignored, so rein could not be stopped by them. coreutils' timeout installs its own. */
    if (g_ignored & (1ULL << (SIGINT - 1))) signal(SIGINT, SIG_DFL);
    if (g_ignored & (1ULL << (SIGQUIT - 1))) signal(SIGQUIT, SIG_DFL);
#ifdef __APPLE__
    for (int fd = 3; fd < 1024; fd++) {
        int flags = fcntl(fd, F_GETFD);
        g_inherited[fd] = flags >= 0 && !(flags & FD_CLOEXEC);
    }
#endif
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) == -1) {
            int null = open("/dev/null", O_RDWR);
            if (null >= 0 && null != fd) {
                dup2(null, fd);
                close(null);
            }
        }
    }
}
