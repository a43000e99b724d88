/* SIGPIPE sent to rein by another process belongs to the command (coreutils' timeout passes it on). The .NET
 * runtime ignores SIGPIPE and installs no handler for a signal it finds ignored, so while a run forwards signals
 * this handler writes the signal's number to a pipe that rein reads. A SIGPIPE the kernel raises for rein's own
 * write to a closed pipe names rein itself as its sender (si_pid): that is rein's EPIPE, not the command's
 * signal, and it stays ignored as before. Linked into the NativeAOT binary only (beside preinit.c). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile int g_relay_fd = -1;

static void on_sigpipe(int sig, siginfo_t *info, void *ctx) {
    (void)ctx;
    int fd = g_relay_fd;
    if (fd < 0 || !info || info->si_pid == getpid()) return;
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    ssize_t n = write(fd, &b, 1); /* non-blocking: a full pipe already says "SIGPIPE" */
    (void)n;
    errno = saved;
}

/* fd >= 0: relay SIGPIPE sent by others to fd; fd < 0: ignore SIGPIPE again (the runtime's disposition). */
int rein_native_relay_sigpipe(int fd) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    if (fd < 0) {
        sa.sa_handler = SIG_IGN;
        int rc = sigaction(SIGPIPE, &sa, NULL);
        g_relay_fd = -1;
        return rc;
    }
    g_relay_fd = fd;
    sa.sa_sigaction = on_sigpipe;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    return sigaction(SIGPIPE, &sa, NULL);
}
