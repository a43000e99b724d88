/* The shim's view of the process table and its last-resort tree kill (rein died). Linux reads /proc; macOS
 * reads libproc (unverified here: no Mac in this workplace). Membership is the run's own: descendants of the
 * shim (a subreaper on Linux, so orphans stay below it), the command's process group (valid while the shim
 * holds the command's zombie), processes carrying REIN_RUN_ID=<marker> that started after the shim, and the
 * members of the run's cgroups. Never a bare pid from elsewhere (G6). */
#define _GNU_SOURCE
#include "shim.h"

#include <dirent.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __APPLE__
#include <libproc.h>
#include <sys/proc.h> /* SZOMB */
#include <sys/proc_info.h>
#include <sys/sysctl.h>
#endif

struct proc {
    pid_t pid, ppid;
    char state;
    long start;
    int member;
};

#define MAX_PROCS 65536

#ifdef __linux__
static int read_stat(pid_t pid, struct proc *p) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *rp = strrchr(buf, ')');
    if (!rp) return -1;
    char state;
    int ppid;
    unsigned long long start;
    /* fields 3 (state), 4 (ppid) ... 22 (starttime) */
    if (sscanf(rp + 2, "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &state,
               &ppid, &start) != 3)
        return -1;
    p->pid = pid;
    p->ppid = ppid;
    p->state = state;
    p->start = (long)start;
    p->member = 0;
    return 0;
}

int shim_children(pid_t pid, pid_t *out, int max) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    FILE *f = fopen(path, "re");
    if (!f) return -1;
    int n = 0, v;
    while (n < max && fscanf(f, "%d", &v) == 1) out[n++] = v;
    fclose(f);
    return n;
}

int shim_proc_matches(void) {
    char buf[32];
    ssize_t n = readlink("/proc/self", buf, sizeof buf - 1);
    if (n <= 0) return 0;
    buf[n] = 0;
    return atoi(buf) == (int)getpid();
}

long shim_self_start(void) {
    struct proc p;
    return read_stat(getpid(), &p) == 0 ? p.start : 0;
}

static int snapshot(struct proc *procs, int max) {
    DIR *d = opendir("/proc");
    if (!d) return 0;
    int n = 0;
    struct dirent *e;
    while (n < max && (e = readdir(d)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        if (read_stat(atoi(e->d_name), &procs[n]) == 0) n++;
    }
    closedir(d);
    return n;
}

/* Whether the process's environment holds REIN_RUN_ID=<marker> as a whole entry, or names the marker in
 * REIN_PARENT_RUN_IDS=<id>:<id>:... (a run nested inside this one: its own REIN_RUN_ID is the inner run's). */
static int carries_marker(pid_t pid, const char *marker) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
    struct stat st;
    if (stat(path, &st) != 0 || st.st_uid != getuid()) return 0;
    FILE *f = fopen(path, "re");
    if (!f) return 0;
    char want[256];
    int wn = snprintf(want, sizeof want, "REIN_RUN_ID=%s", marker);
    size_t mn = strlen(marker);
    static const char chain[] = "REIN_PARENT_RUN_IDS=";
    const size_t cn = sizeof chain - 1;
    if (wn <= 0 || (size_t)wn >= sizeof want || mn == 0) {
        fclose(f);
        return 0;
    }
    /* Compare entry by entry while streaming, so an environment of any size is read in constant memory. In the
     * chain entry, `ok` tracks whether the current ':'-separated element still equals the marker. */
    int pos = 0, ok = 1, found = 0, c, in_chain = 0, chain_ok = 1;
    size_t cpos = 0, epos = 0;
    while ((c = fgetc(f)) != EOF) {
        if (c == 0) {
            if ((ok && pos == wn) || (in_chain && chain_ok && epos == mn)) {
                found = 1;
                break;
            }
            pos = 0;
            ok = 1;
            cpos = epos = 0;
            in_chain = 0;
            chain_ok = 1;
            continue;
        }
        if (pos >= wn || want[pos] != c) ok = 0;
        pos++;
        if (!in_chain) {
            if (cpos < cn && chain[cpos] == c) {
                if (++cpos == cn) in_chain = 1;
            } else {
                cpos = cn + 1; /* not the chain entry */
            }
        } else if (c == ':') {
            if (chain_ok && epos == mn) {
                found = 1;
                break;
            }
            epos = 0;
            chain_ok = 1;
        } else {
            if (epos >= mn || marker[epos] != c) chain_ok = 0;
            epos++;
        }
    }
    fclose(f);
    return found;
}
#elif defined(__APPLE__)
/* Unverified: no Mac in this workplace; this reads like MacProcessTable (src/Rein/Platform/MacOS), whose struct
 * decoding is tested against the xnu headers. Another user's process fails PROC_PIDTBSDINFO (EPERM) and is left
 * out: the shim could not signal it either. */
static int read_bsd(pid_t pid, struct proc *p) {
    struct proc_bsdinfo info;
    /* arg 1: zombies too (bsd/kern/proc_info.c), so they are skipped as zombies rather than missing. */
    if (proc_pidinfo(pid, PROC_PIDTBSDINFO, 1, &info, sizeof info) != (int)sizeof info) return -1;
    p->pid = pid;
    p->ppid = (pid_t)info.pbi_ppid;
    p->state = info.pbi_status == SZOMB ? 'Z' : 'R';
    /* Microseconds since the epoch, the unit rein's process table uses: seconds alone would let a process that
     * started in the shim's own second pass the not-before test, and make a recycled pid look the same. */
    p->start = (long)(info.pbi_start_tvsec * 1000000ULL + info.pbi_start_tvusec);
    p->member = 0;
    return 0;
}

/* proc_listchildpids returns a count of pids (libproc divides the bytes by sizeof(int)); zombies included. */
int shim_children(pid_t pid, pid_t *out, int max) {
    int n = proc_listchildpids(pid, out, max * (int)sizeof(pid_t));
    return n < 0 ? -1 : n > max ? max : n;
}

int shim_proc_matches(void) { return 1; }

long shim_self_start(void) {
    struct proc p;
    return read_bsd(getpid(), &p) == 0 ? p.start : 0;
}

static int snapshot(struct proc *procs, int max) {
    static pid_t pids[MAX_PROCS];
    int n = proc_listallpids(pids, (int)sizeof pids);
    int k = 0;
    for (int i = 0; i < n && i < MAX_PROCS && k < max; i++)
        if (pids[i] > 0 && read_bsd(pids[i], &procs[k]) == 0) k++;
    return k;
}

static int env_entry_marks(const char *e, size_t len, const char *marker);

/* Whether the process's environment holds REIN_RUN_ID=<marker> as a whole entry, or <marker> in its
 * REIN_PARENT_RUN_IDS chain. KERN_PROCARGS2 (sys/sysctl.h):
 * int argc, the exec path, NUL padding, argc argument strings, then the environment up to an empty string. Only
 * the environment is searched (an argument such as `grep REIN_RUN_ID=...` is not membership). The buffer is
 * KERN_ARGMAX bytes: given less than the process's argument area, the kernel copies its tail, not its start. */
static int carries_marker(pid_t pid, const char *marker) {
    static char *buf;
    static size_t cap;
    if (!buf) {
        int argmax = 0;
        size_t len = sizeof argmax;
        int amib[2] = {CTL_KERN, KERN_ARGMAX};
        if (sysctl(amib, 2, &argmax, &len, NULL, 0) != 0 || argmax <= 0) argmax = 1 << 20;
        buf = malloc((size_t)argmax);
        if (!buf) return 0;
        cap = (size_t)argmax;
    }
    int mib[3] = {CTL_KERN, KERN_PROCARGS2, pid};
    size_t size = cap;
    if (sysctl(mib, 3, buf, &size, NULL, 0) != 0 || size < sizeof(int)) return 0;
    int argc;
    memcpy(&argc, buf, sizeof argc);
    size_t i = sizeof(int);
    while (i < size && buf[i]) i++; /* the exec path */
    while (i < size && !buf[i]) i++; /* its padding */
    for (int a = 0; a < argc && i < size; a++) {
        while (i < size && buf[i]) i++;
        i++;
    }
    while (i < size && buf[i]) {
        size_t len = strnlen(buf + i, size - i);
        if (env_entry_marks(buf + i, len, marker)) return 1;
        i += len + 1;
    }
    return 0;
}

/* One environment entry: REIN_RUN_ID=<marker> exactly, or REIN_PARENT_RUN_IDS=<id>:<id>:... with <marker> as one
 * of its ':'-separated ids (a run nested inside this one). */
static int env_entry_marks(const char *e, size_t len, const char *marker) {
    static const char id[] = "REIN_RUN_ID=", chain[] = "REIN_PARENT_RUN_IDS=";
    size_t mn = strlen(marker), in = sizeof id - 1, cn = sizeof chain - 1;
    if (len == in + mn && memcmp(e, id, in) == 0 && memcmp(e + in, marker, mn) == 0) return 1;
    if (len < cn || memcmp(e, chain, cn) != 0) return 0;
    for (size_t start = cn; start <= len;) {
        size_t end = start;
        while (end < len && e[end] != ':') end++;
        if (end - start == mn && memcmp(e + start, marker, mn) == 0) return 1;
        start = end + 1;
    }
    return 0;
}
#endif

/* SIGKILL by identity. Linux: a pidfd pins the process, and its start time must still be the one just read from
 * /proc, so a pid recycled in between is never signalled. macOS has no pidfd: the start time is read again just
 * before kill(), which leaves only the moment between the two calls. */
static int kill_process(pid_t pid, long start) {
#ifdef __linux__
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0) {
        struct proc now;
        int ok = read_stat(pid, &now) == 0 && now.start == start &&
                 syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) == 0;
        close(fd);
        return ok;
    }
#elif defined(__APPLE__)
    struct proc now;
    if (read_bsd(pid, &now) != 0 || now.start != start) return 0;
#else
    (void)start;
#endif
    return kill(pid, SIGKILL) == 0;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int remember(pid_t *seen, int *count, pid_t pid) {
    for (int i = 0; i < *count; i++)
        if (seen[i] == pid) return 0;
    if (*count < 4096) seen[(*count)++] = pid;
    return 1;
}

static int kill_cgroup_members(const struct shim_options *o, pid_t *seen, int *nseen, int *killed) {
    int found = 0;
    for (int i = 0; i < o->cgroup_count; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/cgroup.procs", o->cgroups[i]);
        FILE *f = fopen(path, "re");
        if (!f) continue;
        int pid;
        while (fscanf(f, "%d", &pid) == 1) {
            if (pid > 1 && pid != getpid() && kill(pid, SIGKILL) == 0) {
                found++;
                *killed += remember(seen, nseen, pid);
            }
        }
        fclose(f);
    }
    return found;
}

int shim_kill_tree(const struct shim_options *o, pid_t root, int root_reaped, long not_before) {
    static struct proc procs[MAX_PROCS];
    static pid_t seen[4096];
    int nseen = 0, killed = 0, quiet = 0;
    long delay = 10;
    pid_t self = getpid();
    int procok = shim_proc_matches();
    while (quiet < 2) {
        int found = 0;
        /* The command's zombie is still ours, so its process group id cannot have been reused. */
        if (o->new_session && !root_reaped) kill(-root, SIGKILL);
        found += kill_cgroup_members(o, seen, &nseen, &killed);
        if (procok) {
            int n = snapshot(procs, MAX_PROCS);
            /* Descendants of the shim: fixpoint over parent links (the table is unordered). */
            for (int changed = 1; changed;) {
                changed = 0;
                for (int i = 0; i < n; i++) {
                    if (procs[i].member) continue;
                    if (procs[i].ppid == self) {
                        procs[i].member = changed = 1;
                        continue;
                    }
                    for (int j = 0; j < n; j++)
                        if (procs[j].member && procs[j].pid == procs[i].ppid) {
                            procs[i].member = changed = 1;
                            break;
                        }
                }
            }
            for (int i = 0; i < n; i++) {
                struct proc *p = &procs[i];
                if (p->state == 'Z' || p->pid <= 1 || p->pid == self) continue;
                int mine = p->member ||
                           (o->marker && p->start >= not_before && carries_marker(p->pid, o->marker));
                if (mine && kill_process(p->pid, p->start)) {
                    found++;
                    killed += remember(seen, &nseen, p->pid);
                }
            }
        }
        /* Reap what died (everything but the command, whose zombie keeps its group id reserved). */
        pid_t kids[4096];
        int nk = shim_children(self, kids, 4096);
        for (int i = 0; i < nk; i++)
            if (kids[i] != root || root_reaped) waitpid(kids[i], NULL, WNOHANG);
        quiet = found == 0 ? quiet + 1 : 0;
        sleep_ms(delay);
        /* Survivors of SIGKILL are in uninterruptible wait: keep the locks and look again, ever more slowly. */
        if (found > 0 && delay < 1000) delay = delay * 2 > 1000 ? 1000 : delay * 2;
        if (found == 0) delay = 10;
    }
    if (!root_reaped) waitpid(root, NULL, WNOHANG);
    for (int k = 0; k < 64 && waitpid(-1, NULL, WNOHANG) > 0; k++) {
    }
    return killed;
}

void shim_remove_cgroups(const struct shim_options *o) {
    /* Empty now that the tree is dead and reaped; a killed task can take a moment to leave, so retry briefly. */
    for (int i = o->cgroup_count - 1; i >= 0; i--)
        for (int tries = 0; tries < 50 && rmdir(o->cgroups[i]) != 0 && errno == EBUSY; tries++) sleep_ms(10);
}
