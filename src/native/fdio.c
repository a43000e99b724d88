/* Non-variadic doors to the variadic libc calls rein's managed code needs (open, fcntl, ioctl).
 *
 * Why: on Apple arm64 a variadic argument is passed on the stack, not in a register, so a P/Invoke that declares
 * open(path, flags, mode) or fcntl(fd, cmd, arg) with a fixed third parameter hands the callee garbage there: files
 * created with random permissions, FD_CLOEXEC or O_NONBLOCK never set. Called from C, the compiler uses the
 * platform's real convention. Flags are the platform's own values (the managed side knows them per OS).
 *
 * Linked into the NativeAOT rein binary (also the one in the dotnet tool); built as libreinnative (.so/.dylib) beside
 * other hosts (the test suite, a .NET program using the library), where the managed side finds it by name. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <termios.h>
#include <unistd.h>

int rein_open(const char *path, int flags, int mode) { return open(path, flags, (mode_t)mode); }

int rein_set_cloexec(int fd) {
    int f = fcntl(fd, F_GETFD);
    return f < 0 ? -1 : fcntl(fd, F_SETFD, f | FD_CLOEXEC);
}

int rein_set_nonblock(int fd) {
    int f = fcntl(fd, F_GETFL);
    return f < 0 ? -1 : fcntl(fd, F_SETFL, f | O_NONBLOCK);
}

/* 1 when the flag is set, 0 when not, -1 on error: lets the tests check what the calls above did. */
int rein_get_cloexec(int fd) {
    int f = fcntl(fd, F_GETFD);
    return f < 0 ? -1 : (f & FD_CLOEXEC) != 0;
}

int rein_get_nonblock(int fd) {
    int f = fcntl(fd, F_GETFL);
    return f < 0 ? -1 : (f & O_NONBLOCK) != 0;
}

/* A pipe whose ends are both close-on-exec (atomically where pipe2 exists). */
int rein_pipe_cloexec(int fds[2]) {
#ifdef __linux__
    return pipe2(fds, O_CLOEXEC);
#else
    if (pipe(fds) != 0) return -1;
    if (rein_set_cloexec(fds[0]) != 0 || rein_set_cloexec(fds[1]) != 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    return 0;
#endif
}

/* Gives terminal `to` (a pty master) the window size of terminal `from`. */
int rein_copy_winsize(int from, int to) {
    struct winsize ws;
    if (ioctl(from, TIOCGWINSZ, &ws) != 0) return -1;
    return ioctl(to, TIOCSWINSZ, &ws);
}
