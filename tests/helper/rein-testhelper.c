/*
 * rein-testhelper: a purpose-built process for Rein's integration tests.
 *
 * It interprets its arguments as a tiny script so that one binary can play every adversarial
 * role a test needs (ignore TERM, fork trees, escape with setsid, double-fork, hang, allocate
 * native memory, exit with a code, die by a signal) without depending on which OS tools exist.
 * It is C on purpose: managed code must never fork(), and a .NET child in a memory cgroup throws
 * OutOfMemoryException instead of being OOM-killed.
 *
 * Usage: rein-testhelper MARKER WORD...   (MARKER is any unique string; tests find processes
 * by it in /proc/PID/cmdline, and every forked copy keeps it because fork keeps argv.)
 *
 * Words:
 *   ignore-term          ignore SIGTERM (and SIGINT, SIGHUP)
 *   print TEXT           write TEXT and a newline to stdout, flushed
 *   eprint TEXT          the same on stderr
 *   sleep SECONDS        sleep (fractions allowed)
 *   hang                 sleep forever
 *   exit N               exit with code N
 *   die SIGNAL           kill itself with signal number SIGNAL (default disposition first)
 *   pidfile PATH         append "PID\n" to PATH
 *   alloc MIB            allocate and touch MIB MiB, one MiB at a time
 *   fan N [ ... ]        fork N children that each run the block, then continue after ]
 *   bg [ ... ]           fork one child that runs the block, then continue after ]
 *   setsid [ ... ]       like bg, but the child calls setsid() first (escapes the group)
 *   daemon [ ... ]       double-fork: the grandchild calls setsid() and runs the block,
 *                        the middle process exits at once, so the grandchild is orphaned
 *   await FILE           wait until FILE exists (at most 30 s)
 *   wait                 wait for all own children
 *   stamp PATH           append the wall-clock time in nanoseconds to PATH (for latency benchmarks)
 *   clearenv             re-exec with an empty environment (no REIN_RUN_ID), as Popen(env={...}) does;
 *                        the rest of the current block runs in the new image
 *   catch SIGNAL         on SIGNAL print "caught SIGNAL" and go on
 *   ids                  print "PID PGID SID" (no ps: its keywords differ between procps and BSD)
 *   fds                  print the open descriptors below 1024, space-separated (no /proc on macOS)
 *   exit-on SIGNAL N     on SIGNAL exit with code N
 *   note-on SIGNAL PATH  on SIGNAL create PATH, then exit 0 (proof that a handler ran when nobody reads stdout)
 *   crash-until PATH N C append a line to PATH; exit with code C while PATH held fewer than N lines before
 *                        (a worker that crashes N times, then goes on with the rest of the script)
 *   touch PATH           create PATH or update its modification time (a heartbeat)
 *   tag TEXT             nothing: TEXT is just a whole argument in argv (for rein cleanup --match)
 *   chdir DIR            change the working directory (for rein cleanup --cwd)
 *   spawnloop            forever: fork a child that calls setsid(), ignores TERM and hangs; every 5 ms
 *                        (an adversary that keeps escaping its process group while it is being killed)
 *   spin SECONDS         burn CPU for SECONDS (a hog beside the runs under test)
 *   hop MODE BEACON      forever: fork, the parent _exits at once and the child goes on, every ~200 µs (no pid
 *                        lives long enough for a snapshot-then-kill to hit it). MODE: group (keeps its process
 *                        group), setsid (calls setsid() in every hop), closefds (setsid() and closes every
 *                        descriptor). Every 16th hop updates BEACON's modification time: a hopper is alive
 *                        while BEACON keeps changing (a scan of the process table may miss it).
 *   dumpargs PATH        write this process's whole argv to PATH.argv and its environment to PATH.env, each
 *                        entry ended by a NUL, as raw bytes; then exit 0 (the words after PATH are not run:
 *                        they are arguments to compare, such as bytes that are not UTF-8)
 * A block's child exits 0 when it reaches the block's ].
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int argc_g;
static char **argv_g;

static int block_end(int i) {
    /* i points just past "[": return the index of the matching "]". */
    int depth = 1;
    for (; i < argc_g; i++) {
        if (strcmp(argv_g[i], "[") == 0) depth++;
        if (strcmp(argv_g[i], "]") == 0 && --depth == 0) return i;
    }
    fprintf(stderr, "rein-testhelper: unbalanced [\n");
    exit(2);
}

static void sleep_seconds(double s) {
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

static void run(int i, int end);

static int exit_codes[65];

static void on_catch(int sig) {
    char msg[32];
    int n = snprintf(msg, sizeof msg, "caught %d\n", sig);
    if (n > 0 && write(1, msg, (size_t)n) < 0) _exit(3);
}

static void on_exit_signal(int sig) { _exit(exit_codes[sig]); }

static const char *note_paths[65];

static void on_note_signal(int sig) {
    int fd = open(note_paths[sig], O_WRONLY | O_CREAT, 0644);
    if (fd >= 0) close(fd);
    _exit(0);
}

static void run_block_in_child(int start, int end, int mode) {
    /* mode 0: plain fork, 1: setsid, 2: double-fork daemon */
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid > 0) {
        if (mode == 2) waitpid(pid, NULL, 0); /* reap the middle process */
        return;
    }
    if (mode >= 1) setsid();
    if (mode == 2) {
        pid_t grand = fork();
        if (grand < 0) _exit(2);
        if (grand > 0) _exit(0);
    }
    run(start, end);
    exit(0);
}

static void hop(const char *mode, const char *beacon) {
    int new_session = strcmp(mode, "group") != 0, close_fds = strcmp(mode, "closefds") == 0;
    if (strcmp(mode, "group") != 0 && strcmp(mode, "setsid") != 0 && !close_fds) {
        fprintf(stderr, "rein-testhelper: hop group|setsid|closefds BEACON\n");
        exit(2);
    }
    int fd = open(beacon, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) close(fd);
    fflush(NULL);
    for (unsigned long n = 0;; n++) {
        pid_t c = fork();
        if (c < 0) {
            sleep_seconds(0.001); /* out of pids or memory: keep trying, as a real adversary would */
            continue;
        }
        if (c > 0) _exit(0);
        if (new_session) setsid();
        if (close_fds && n == 0)
            for (int k = 0; k < 1024; k++) close(k);
        if (n % 16 == 0) utimensat(AT_FDCWD, beacon, NULL, 0);
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
}

static void run(int i, int end) {
    while (i < end) {
        const char *w = argv_g[i];
        const char *a = i + 1 < end ? argv_g[i + 1] : "";
        if (strcmp(w, "ignore-term") == 0) {
            signal(SIGTERM, SIG_IGN);
            signal(SIGINT, SIG_IGN);
            signal(SIGHUP, SIG_IGN);
            i += 1;
        } else if (strcmp(w, "print") == 0 || strcmp(w, "eprint") == 0) {
            FILE *f = w[0] == 'e' ? stderr : stdout;
            fprintf(f, "%s\n", a);
            fflush(f);
            i += 2;
        } else if (strcmp(w, "sleep") == 0) {
            sleep_seconds(atof(a));
            i += 2;
        } else if (strcmp(w, "ids") == 0) {
            printf("%d %d %d\n", (int)getpid(), (int)getpgrp(), (int)getsid(0));
            fflush(stdout);
            i += 1;
        } else if (strcmp(w, "fds") == 0) {
            for (int fd = 0, first = 1; fd < 1024; fd++)
                if (fcntl(fd, F_GETFD) != -1) {
                    printf(first ? "%d" : " %d", fd);
                    first = 0;
                }
            printf("\n");
            fflush(stdout);
            i += 1;
        } else if (strcmp(w, "hang") == 0) {
            for (;;) pause();
        } else if (strcmp(w, "exit") == 0) {
            exit(atoi(a));
        } else if (strcmp(w, "die") == 0) {
            int sig = atoi(a);
            signal(sig, SIG_DFL);
            raise(sig);
            exit(99);
        } else if (strcmp(w, "pidfile") == 0) {
            FILE *f = fopen(a, "a");
            if (!f) {
                perror(a);
                exit(2);
            }
            fprintf(f, "%d\n", (int)getpid());
            fclose(f);
            i += 2;
        } else if (strcmp(w, "alloc") == 0) {
            long mib = atol(a);
            for (long k = 0; k < mib; k++) {
                char *p = malloc(1 << 20);
                if (!p) {
                    perror("malloc");
                    exit(3);
                }
                memset(p, (int)(k & 0xff) | 1, 1 << 20);
            }
            i += 2;
        } else if (strcmp(w, "dumpargs") == 0) {
            extern char **environ;
            char path[4096];
            snprintf(path, sizeof path, "%s.argv", a);
            FILE *f = fopen(path, "wb");
            if (!f) {
                perror(path);
                exit(2);
            }
            for (int k = 0; k < argc_g; k++) fwrite(argv_g[k], 1, strlen(argv_g[k]) + 1, f);
            fclose(f);
            snprintf(path, sizeof path, "%s.env", a);
            f = fopen(path, "wb");
            if (!f) {
                perror(path);
                exit(2);
            }
            for (char **e = environ; *e; e++) fwrite(*e, 1, strlen(*e) + 1, f);
            fclose(f);
            exit(0);
        } else if (strcmp(w, "stamp") == 0) {
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            FILE *f = fopen(a, "a");
            if (!f) {
                perror(a);
                exit(2);
            }
            fprintf(f, "%lld\n", (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
            fclose(f);
            i += 2;
        } else if (strcmp(w, "clearenv") == 0) {
            /* Re-exec with an empty environment, as Popen(env={}) does: clearenv() alone would leave the
             * original strings visible in /proc/PID/environ. The rest of the current block runs after exec. */
            char *args[256];
            int n = 0;
            args[n++] = "/proc/self/exe";
            args[n++] = argv_g[1];
            for (int k = i + 1; k < end && n < 255; k++) args[n++] = argv_g[k];
            args[n] = NULL;
            char *empty[] = {NULL};
            execve("/proc/self/exe", args, empty);
            perror("execve");
            exit(2);
        } else if (strcmp(w, "catch") == 0 || strcmp(w, "exit-on") == 0) {
            int sig = atoi(a);
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sigemptyset(&sa.sa_mask);
            if (w[0] == 'c') {
                sa.sa_handler = on_catch;
                sa.sa_flags = SA_RESTART;
                i += 2;
            } else {
                exit_codes[sig & 63] = atoi(i + 2 < end ? argv_g[i + 2] : "0");
                sa.sa_handler = on_exit_signal;
                i += 3;
            }
            sigaction(sig & 63, &sa, NULL);
        } else if (strcmp(w, "note-on") == 0) {
            int sig = atoi(a) & 63;
            note_paths[sig] = i + 2 < end ? argv_g[i + 2] : "/dev/null";
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sigemptyset(&sa.sa_mask);
            sa.sa_handler = on_note_signal;
            sigaction(sig, &sa, NULL);
            i += 3;
        } else if (strcmp(w, "spawnloop") == 0) {
            for (;;) {
                pid_t c = fork();
                if (c == 0) {
                    setsid();
                    signal(SIGTERM, SIG_IGN);
                    for (;;) pause();
                }
                sleep_seconds(0.005);
            }
        } else if (strcmp(w, "spin") == 0) {
            struct timespec t0, now;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            volatile unsigned long sink = 0;
            do {
                for (int k = 0; k < 100000; k++) sink += (unsigned long)k;
                clock_gettime(CLOCK_MONOTONIC, &now);
            } while ((double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9 < atof(a));
            i += 2;
        } else if (strcmp(w, "hop") == 0) {
            if (i + 2 >= end) {
                fprintf(stderr, "rein-testhelper: hop MODE BEACON\n");
                exit(2);
            }
            hop(a, argv_g[i + 2]);
        } else if (strcmp(w, "crash-until") == 0) {
            if (i + 3 >= end) {
                fprintf(stderr, "rein-testhelper: crash-until PATH N CODE\n");
                exit(2);
            }
            int lines = 0, c;
            FILE *f = fopen(a, "r");
            if (f) {
                while ((c = fgetc(f)) != EOF)
                    if (c == '\n') lines++;
                fclose(f);
            }
            f = fopen(a, "a");
            if (!f) {
                perror(a);
                exit(2);
            }
            fprintf(f, "%d\n", (int)getpid());
            fclose(f);
            if (lines < atoi(argv_g[i + 2])) exit(atoi(argv_g[i + 3]));
            i += 4;
        } else if (strcmp(w, "touch") == 0) {
            FILE *f = fopen(a, "a");
            if (!f) {
                perror(a);
                exit(2);
            }
            fclose(f);
            if (utimensat(AT_FDCWD, a, NULL, 0) != 0) {
                perror(a);
                exit(2);
            }
            i += 2;
        } else if (strcmp(w, "tag") == 0) {
            i += 2;
        } else if (strcmp(w, "chdir") == 0) {
            if (chdir(a) != 0) {
                perror(a);
                exit(2);
            }
            i += 2;
        } else if (strcmp(w, "await") == 0) {
            /* await FILE: until FILE exists (a daemon's pidfile: the test then knows it runs), at most 30 s. */
            for (int k = 0; k < 3000 && access(a, F_OK) != 0; k++) sleep_seconds(0.01);
            i += 2;
        } else if (strcmp(w, "wait") == 0) {
            while (wait(NULL) > 0 || errno == EINTR) {
            }
            i += 1;
        } else if (strcmp(w, "fan") == 0 || strcmp(w, "bg") == 0 || strcmp(w, "setsid") == 0 ||
                   strcmp(w, "daemon") == 0) {
            int n = 1, open = i + 1;
            if (strcmp(w, "fan") == 0) {
                n = atoi(a);
                open = i + 2;
            }
            if (open >= end || strcmp(argv_g[open], "[") != 0) {
                fprintf(stderr, "rein-testhelper: %s needs a [ block ]\n", w);
                exit(2);
            }
            int close = block_end(open + 1);
            int mode = strcmp(w, "setsid") == 0 ? 1 : strcmp(w, "daemon") == 0 ? 2 : 0;
            for (int k = 0; k < n; k++) run_block_in_child(open + 1, close, mode);
            i = close + 1;
        } else {
            fprintf(stderr, "rein-testhelper: unknown word '%s'\n", w);
            exit(2);
        }
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: rein-testhelper MARKER WORD...\n");
        return 2;
    }
    argc_g = argc;
    argv_g = argv;
    run(2, argc);
    return 0;
}
