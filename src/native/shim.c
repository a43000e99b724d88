/*
 * rein's shim: the parent of the guarded command, and its keeper.
 *
 * Why C: this process must start in well under a millisecond (a second .NET runtime costs ~3 ms per run), it
 * forks (managed code must never fork), and it must keep working when rein itself is SIGKILLed.
 *
 * What it does (docs/architecture.md has the whole picture):
 *  - becomes a child subreaper (Linux), so every orphan of the command's tree re-parents to it, with or without
 *    REIN_RUN_ID in its environment: the run's membership is "descends from the shim";
 *  - forks and execs the command: new session (unless --foreground), joins the run's cgroups from inside the
 *    child (so neither rein nor the shim is ever in the run's cgroup), restores default signal dispositions except
 *    those the caller left ignored, closes the shim's own descriptors (control pipes, lock slots);
 *  - reaps adopted orphans as they exit (tini's job), but holds the command itself as a zombie
 *    (waitid WNOWAIT) until rein says "reap", so its pid and process group cannot be recycled while rein
 *    still signals them;
 *  - holds dups of the run's lock slots; if its control pipe from rein reaches EOF without "done", rein died:
 *    it SIGKILLs the whole tree (process group, descendants, marker carriers, cgroup members) until nothing is
 *    left, and only then exits (which releases the locks) — G2/G3.
 *
 * Protocol. Events (shim -> rein, one line each): "ready SUBREAPER PROCOK", "cgroup ERRNO" (a join failed),
 * "started PID" or "failed ERRNO", "exit CODE SIGNAL" (the command ended; it stays a zombie), "reaped MAXRSS_KIB".
 * "victim PID 0" (a process the kill below signalled), "killed N LEFT" (the kill is over: N processes killed, LEFT
 * members still alive when its time ran out).
 * Commands (rein -> shim): "kill MS" (SIGKILL the whole tree now, for at most MS milliseconds, the command's zombie
 * still held), "reap" (reap the command now), "done" (clean end: reap, close, exit).
 */
#define _GNU_SOURCE
#include "shim.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif


extern char **environ;

static int g_sigpipe[2] = {-1, -1};

static void on_sigchld(int sig) {
    (void)sig;
    int saved = errno;
    char b = 1;
    ssize_t ignored = write(g_sigpipe[1], &b, 1);
    (void)ignored;
    errno = saved;
}

static void emit(int fd, const char *fmt, long a, long b) {
    if (fd < 0) return;
    char line[96];
    int n = snprintf(line, sizeof line, fmt, a, b);
    if (n > 0) {
        ssize_t ignored = write(fd, line, (size_t)n); /* best effort: rein may be gone */
        (void)ignored;
    }
}

/* The command's side of the fork: only async-signal-safe calls until exec. */
static void child(const struct shim_options *o, int errfd) {
    if (o->new_session) setsid();
    for (int i = 0; i < o->cgroup_count; i++) {
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/cgroup.procs", o->cgroups[i]);
        int ok = 0;
        if (n > 0 && (size_t)n < sizeof path) {
            int fd = open(path, O_WRONLY | O_CLOEXEC);
            if (fd >= 0) {
                ok = write(fd, "0", 1) == 1; /* 0 = the writing process */
                close(fd);
            }
        }
        if (!ok) {
            int rec[2] = {1, errno ? errno : EIO};
            ssize_t ignored = write(errfd, rec, sizeof rec);
            (void)ignored;
        }
    }
    for (int i = 0; i < o->hold_count; i++) close(o->hold[i]);
    close(o->ctl_fd);
    close(o->evt_fd);
    close(g_sigpipe[0]);
    close(g_sigpipe[1]);

    struct sigaction dfl, ign;
    memset(&dfl, 0, sizeof dfl);
    memset(&ign, 0, sizeof ign);
    dfl.sa_handler = SIG_DFL;
    ign.sa_handler = SIG_IGN;
    for (int s = 1; s < 64 && s < NSIG; s++) {
        if (s == SIGKILL || s == SIGSTOP) continue;
        /* SIGCHLD never stays ignored: an ignored SIGCHLD makes the kernel reap the command's children behind its
         * back, so its own waitpid() fails with ECHILD (coreutils' timeout resets it too). */
        int keep = s != SIGCHLD && s <= 64 && (o->keep_ignored >> (s - 1)) & 1ULL;
        sigaction(s, keep ? &ign : &dfl, NULL);
    }
#ifdef __linux__
    /* glibc's sigaction() refuses its two internal real-time signals (32, 33), which rein's runtime leaves
     * ignored; the raw system call resets them (kernel struct sigaction: handler, flags, restorer, mask). */
    for (int s = 32; s <= 33; s++) {
        unsigned long ksa[4] = {0, 0, 0, 0};
        syscall(SYS_rt_sigaction, s, ksa, NULL, 8);
    }
#endif
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    /* execvp, not posix_spawnp: like a shell, it runs a #!-less script with /bin/sh (ENOEXEC). */
    execvp(o->argv[0], o->argv);
    int rec[2] = {2, errno};
    ssize_t ignored = write(errfd, rec, sizeof rec);
    (void)ignored;
    _exit(127);
}

/* Reaps every exited child except the command (held as a zombie until rein says so). */
static void reap_adopted(pid_t root, int root_reaped) {
    pid_t kids[4096];
    int n = shim_children(getpid(), kids, 4096);
    if (n < 0) {
        /* No children list: reap whatever exits, but never the command (probe it first). */
        for (;;) {
            siginfo_t info;
            memset(&info, 0, sizeof info);
            if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) return;
            if (info.si_pid == root && !root_reaped) return;
            waitpid(info.si_pid, NULL, WNOHANG);
        }
    }
    for (int i = 0; i < n; i++) {
        if (kids[i] == root && !root_reaped) continue;
        waitpid(kids[i], NULL, WNOHANG);
    }
}

static int root_status(pid_t root, long *code, long *sig) {
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_PID, (id_t)root, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid != root) return 0;
    if (info.si_code == CLD_EXITED) {
        *code = info.si_status;
        *sig = 0;
    } else {
        *code = -1;
        *sig = info.si_status;
    }
    return 1;
}

static long reap_root(pid_t root) {
    int status;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    if (wait4(root, &status, WNOHANG, &ru) == root) return ru.ru_maxrss;
    return -1;
}

/* rein died while the command ran. As coreutils' timeout has its child signalled when it dies (PR_SET_PDEATHSIG),
 * the command (its process group, unless --foreground) first gets the run's stop signal, so a handler can save its
 * work; G2 still holds: whatever is left after STOP_FIRST_MS is SIGKILLed with the rest of the tree. */
#define STOP_FIRST_MS 250
static void stop_first(const struct shim_options *o, pid_t root) {
    if (o->stop_signal <= 0 || o->stop_signal == SIGKILL) return;
    if (kill(o->new_session ? -root : root, o->stop_signal) != 0) return;
    kill(o->new_session ? -root : root, SIGCONT); /* a stopped command cannot act on its signal until it runs */
    long code, sig, end = shim_now_ms() + STOP_FIRST_MS;
    for (;;) {
        reap_adopted(root, 0);
        if (root_status(root, &code, &sig)) return; /* the command is done: kill the rest at once */
        long left = end - shim_now_ms();
        if (left <= 0) return;
        struct pollfd p = {g_sigpipe[0], POLLIN, 0};
        if (poll(&p, 1, (int)left) > 0) {
            char drain[64];
            while (read(g_sigpipe[0], drain, sizeof drain) > 0) {
            }
        }
    }
}

int shim_main(int argc, char **argv) {
    struct shim_options o;
    if (shim_parse(argc, argv, &o) != 0) {
        fprintf(stderr, "rein: internal: bad shim arguments (this is a bug; please report it)\n");
        return 125;
    }

    /* The shim itself ignores what a terminal or a process-group kill sends: rein decides and forwards. */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGTSTP, SIG_IGN);
    signal(SIGTTIN, SIG_IGN);
    signal(SIGTTOU, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGUSR1, SIG_IGN);
    signal(SIGUSR2, SIG_IGN);
    signal(SIGALRM, SIG_IGN);
    if (o.new_session) setsid(); /* a kill of rein's process group must not take the keeper with it */

    int subreaper = 0;
#ifdef __linux__
#ifdef REIN_TEST_HOOKS
    /* Test builds only: REIN_FAULT=no-subreaper behaves as where the kernel refuses, so rein must not assume it.
     * The hook is rein's, not the command's: dropped before the exec. */
    const char *fault = getenv("REIN_FAULT");
    int refuse = fault && strcmp(fault, "no-subreaper") == 0;
    /* REIN_FAULT=no-children-lists: as a kernel without CONFIG_PROC_CHILDREN (children found by a table scan). */
    shim_fault_no_children_lists = fault && strcmp(fault, "no-children-lists") == 0;
    unsetenv("REIN_FAULT");
    if (!refuse) subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
#else
    subreaper = prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
#endif
#endif
#ifdef __linux__
    /* Not dumpable: a process of the same user (the command) can then neither open our descriptors through
     * /proc/PID/fd (and write a forged "exit" event to rein, or "done" to us) nor ptrace us. The command's own
     * exec makes it dumpable again. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
    int procok = shim_proc_matches();
    emit(o.evt_fd, "ready %ld %ld\n", subreaper, procok);

    if (pipe(g_sigpipe) != 0) return 125;
    fcntl(g_sigpipe[0], F_SETFD, FD_CLOEXEC);
    fcntl(g_sigpipe[1], F_SETFD, FD_CLOEXEC);
    fcntl(g_sigpipe[0], F_SETFL, O_NONBLOCK);
    fcntl(g_sigpipe[1], F_SETFL, O_NONBLOCK);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigchld;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL); /* also undoes a SIGCHLD ignored by rein's caller (auto-reap) */

    int errpipe[2];
    if (pipe(errpipe) != 0) return 125;
    fcntl(errpipe[0], F_SETFD, FD_CLOEXEC);
    fcntl(errpipe[1], F_SETFD, FD_CLOEXEC);

    long start_ticks = shim_self_start();
    pid_t root = fork();
    if (root < 0) {
        emit(o.evt_fd, "failed %ld %ld\n", errno, 0);
        return 125;
    }
    if (root == 0) child(&o, errpipe[1]);
    close(errpipe[1]);
    if (o.detach_stdio) {
        /* Our 0-2 are the ends of rein's output relay, handed over only for the command to inherit. Holding them
         * would keep the relay from seeing EOF after the command exits (rein would wait out its drain budget, up
         * to --idle-timeout), and if rein dies nobody reads them anyway. */
        int null_fd = open("/dev/null", O_RDWR);
        if (null_fd >= 0) {
            for (int fd = 0; fd <= 2; fd++) dup2(null_fd, fd);
            if (null_fd > 2) close(null_fd);
        }
    }

    int exec_errno = 0;
    for (;;) {
        int rec[2];
        ssize_t r = read(errpipe[0], rec, sizeof rec);
        if (r < 0 && errno == EINTR) continue;
        if (r != (ssize_t)sizeof rec) break;
        if (rec[0] == 1)
            emit(o.evt_fd, "cgroup %ld %ld\n", rec[1], 0);
        else
            exec_errno = rec[1];
    }
    close(errpipe[0]);
    if (exec_errno) {
        waitpid(root, NULL, 0);
        emit(o.evt_fd, "failed %ld %ld\n", exec_errno, 0);
    } else {
        emit(o.evt_fd, "started %ld %ld\n", root, 0);
    }

    int root_reaped = exec_errno != 0, root_reported = root_reaped;
    char buf[256];
    size_t have = 0;
    for (;;) {
        struct pollfd fds[2] = {{g_sigpipe[0], POLLIN, 0}, {o.ctl_fd, POLLIN, 0}};
        if (poll(fds, 2, -1) < 0 && errno != EINTR) {
            /* Cannot watch rein any more (ENOMEM under pressure, say): act as if it were gone, never leave the
             * tree unguarded with the locks released. */
            fds[1].revents = POLLERR;
        }
        char drain[64];
        while (read(g_sigpipe[0], drain, sizeof drain) > 0) {
        }
        long code, sig;
        if (!root_reported && root_status(root, &code, &sig)) {
            root_reported = 1;
            emit(o.evt_fd, "exit %ld %ld\n", code, sig);
        }
        reap_adopted(root, root_reaped);
        if (!(fds[1].revents & (POLLIN | POLLHUP | POLLERR))) continue;

        ssize_t r = read(o.ctl_fd, buf + have, sizeof buf - 1 - have);
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (r <= 0) {
            /* EOF without "done": rein is gone (SIGKILL, crash, or an error path that never disarmed us). */
            if (!root_reported) stop_first(&o, root);
            int killed = shim_kill_tree(&o, root, root_reaped, start_ticks, 0, 1, -1, NULL);
            shim_remove_cgroups(&o);
            if (killed > 0)
                fprintf(stderr, "rein: the guard of run %s died; its keeper killed %d leftover process(es)\n",
                        o.marker ? o.marker : "?", killed);
            return 0;
        }
        have += (size_t)r;
        buf[have] = 0;
        char *nl;
        while ((nl = strchr(buf, '\n')) != NULL) {
            *nl = 0;
            if (strncmp(buf, "kill ", 5) == 0) {
                /* rein's teardown, after the grace: kill the whole tree now (the command's zombie stays held), at
                 * most for the given milliseconds, and say how it went. */
                int left = 0;
                long ms = atol(buf + 5);
                int killed = shim_kill_tree(&o, root, root_reaped, start_ticks, ms > 0 ? ms : 1, 0, o.evt_fd, &left);
                emit(o.evt_fd, "killed %ld %ld\n", killed, left);
            } else if (strcmp(buf, "reap") == 0 || strcmp(buf, "done") == 0) {
                int done = buf[0] == 'd';
                if (!root_reaped) {
                    long maxrss = reap_root(root);
                    root_reaped = maxrss >= 0;
                    emit(o.evt_fd, "reaped %ld %ld\n", maxrss, 0);
                }
                if (done) {
                    reap_adopted(root, 1);
                    /* The tree is dead: our copies of the lock slots go first and rein sees the end of our events,
                     * so its lock is released now; removing the emptied cgroups (a killed task can take a moment
                     * to leave them) delays nobody. */
                    for (int i = 0; i < o.hold_count; i++) close(o.hold[i]);
                    close(o.evt_fd);
                    shim_remove_cgroups(&o); /* rein tried too; whichever comes last removes them */
                    return 0;
                }
            }
            size_t used = (size_t)(nl - buf) + 1;
            memmove(buf, nl + 1, have - used + 1);
            have -= used;
        }
        if (have >= sizeof buf - 1) have = 0; /* garbage: drop it */
    }
    return 0;
}
