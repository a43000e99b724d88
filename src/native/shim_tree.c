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
#include <fcntl.h>
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

#ifdef REIN_TEST_HOOKS
int shim_fault_no_children_lists;
#define NO_CHILDREN_LISTS shim_fault_no_children_lists
#else
#define NO_CHILDREN_LISTS 0
#endif

/* Children of pid by every process's parent: a read of the whole table, only where the kernel keeps no children
 * lists (CONFIG_PROC_CHILDREN off). -1 when /proc cannot be read or describes another pid namespace. */
static int children_by_scan(pid_t pid, pid_t *out, int max) {
    if (!shim_proc_matches()) return -1;
    DIR *d = opendir("/proc");
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    struct proc p;
    while (n < max && (e = readdir(d)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        if (read_stat(atoi(e->d_name), &p) == 0 && p.ppid == pid) out[n++] = p.pid;
    }
    closedir(d);
    return n;
}

int shim_children(pid_t pid, pid_t *out, int max) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    FILE *f = NO_CHILDREN_LISTS ? NULL : fopen(path, "re");
    if (!f) return children_by_scan(pid, out, max);
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
#ifdef __linux__
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#endif
static int kill_process(pid_t pid, long start) {
#ifdef __linux__
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0) return 0; /* gone, or no pidfd (kernel < 5.3): never a bare kill() */
    struct proc now;
    int ok = read_stat(pid, &now) == 0 && now.start == start && now.state != 'Z' &&
             syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) == 0;
    close(fd);
    return ok;
#elif defined(__APPLE__)
    struct proc now;
    if (read_bsd(pid, &now) != 0 || now.start != start || now.state == 'Z') return 0;
    return kill(pid, SIGKILL) == 0;
#else
    (void)pid;
    (void)start;
    return 0;
#endif
}

/* SIGKILL pid if it is still a child of one of `parents` (members already verified, or the shim itself) and started
 * after the run. Linux: the pidfd is opened first, so what the check reads (/proc/PID/stat) is the process the
 * signal can reach: if that process died meanwhile, the signal goes nowhere. Returns 1 when a live member was
 * signalled, 0 otherwise; *state gets its state ('?' when it could not be read). */
static int kill_if_child(pid_t pid, pid_t parent, pid_t self, long not_before, struct proc *out) {
    out->state = '?';
#ifdef __linux__
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0) return 0;
    struct proc now;
    int ok = read_stat(pid, &now) == 0 && (now.ppid == parent || now.ppid == self) && now.start >= not_before;
    if (ok) *out = now;
    ok = ok && now.state != 'Z' && syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) == 0;
    close(fd);
    return ok;
#elif defined(__APPLE__)
    struct proc now;
    if (read_bsd(pid, &now) != 0 || (now.ppid != parent && now.ppid != self) || now.start < not_before) return 0;
    *out = now;
    return now.state != 'Z' && kill(pid, SIGKILL) == 0;
#else
    (void)pid;
    (void)parent;
    (void)self;
    (void)not_before;
    (void)out;
    return 0;
#endif
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

long shim_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Pids this kill has already reported (bounded: a hopping process brings a new pid every hop). */
struct victims {
    pid_t pid[4096];
    int count;
    int killed; /* distinct processes signalled, up to the table's size */
    int evt_fd; /* "victim PID" events to rein (-1: none) */
};

static void note(struct victims *v, pid_t pid) {
    for (int i = v->count - 1; i >= 0 && i >= v->count - 4096; i--)
        if (v->pid[i] == pid) return;
    if (v->count >= 4096) return;
    v->pid[v->count++] = pid;
    v->killed++;
    if (v->evt_fd >= 0) {
        char line[48];
        int n = snprintf(line, sizeof line, "victim %d 0\n", (int)pid);
        if (n > 0) {
            ssize_t ignored = write(v->evt_fd, line, (size_t)n);
            (void)ignored;
        }
    }
}

#ifdef __linux__
/* Children of pid from every thread's list (/proc/PID/task/TID/children: a child belongs to the thread that forked
 * it). Returns how many were stored, -1 when the lists cannot be read. */
static int children_all_tasks(pid_t pid, pid_t *out, int max) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = NO_CHILDREN_LISTS ? NULL : opendir(path);
    if (!d) return children_by_scan(pid, out, max);
    int n = 0, lists = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < max) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        char file[96];
        snprintf(file, sizeof file, "/proc/%d/task/%d/children", (int)pid, atoi(e->d_name));
        FILE *f = fopen(file, "re");
        if (!f) continue;
        lists++;
        int v;
        while (n < max && fscanf(f, "%d", &v) == 1) out[n++] = v;
        fclose(f);
    }
    closedir(d);
    /* No thread had a list: the kernel keeps none (or the process is gone, and then the scan finds nothing). */
    return lists > 0 ? n : children_by_scan(pid, out, max);
}

/* Whether /proc/PID/cgroup names the cgroup directory `dir` (matched by its last component, rein-<run id>). */
static int in_cgroup(pid_t pid, const char *dir) {
    const char *base = strrchr(dir, '/');
    base = base ? base + 1 : dir;
    size_t bn = strlen(base);
    char path[64], line[4096];
    snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f) return 0;
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\n");
        line[len] = 0;
        found = len > bn && line[len - bn - 1] == '/' && strcmp(line + len - bn, base) == 0;
    }
    fclose(f);
    return found;
}
#endif

/* The run's cgroups: cgroup.kill where the kernel has it (v2, Linux 5.14: one write kills every member, atomically,
 * forks included); else each pid of cgroup.procs through a pidfd, signalled only if the process the pidfd pins is
 * still in the run's cgroup and started after the run (never a bare pid: the list may be stale). */
static int kill_cgroup_members(const struct shim_options *o, pid_t self, long not_before, struct victims *v) {
    int found = 0;
    for (int i = 0; i < o->cgroup_count; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/cgroup.kill", o->cgroups[i]);
        int kfd = open(path, O_WRONLY | O_CLOEXEC);
        if (kfd >= 0) {
            ssize_t w = write(kfd, "1", 1);
            close(kfd);
            (void)w;
        }
        snprintf(path, sizeof path, "%s/cgroup.procs", o->cgroups[i]);
        FILE *f = fopen(path, "re");
        if (!f) continue;
        int pid;
        while (fscanf(f, "%d", &pid) == 1) {
            if (pid <= 1 || pid == self) continue;
#ifdef __linux__
            int fd = (int)syscall(SYS_pidfd_open, pid, 0);
            if (fd < 0) continue;
            struct proc now;
            if (read_stat(pid, &now) == 0 && now.state != 'Z' && now.start >= not_before &&
                in_cgroup(pid, o->cgroups[i]) && syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) == 0) {
                found++;
                note(v, pid);
            }
            close(fd);
#else
            (void)not_before;
            (void)v;
#endif
        }
        fclose(f);
    }
    return found;
}

/* Every live descendant of the shim, top down, each SIGKILLed as it is found. The shim's own children cannot be
 * recycled (they are ours until we reap them); a deeper process is signalled only while it is still the child of
 * a member found above it (or, re-parented meanwhile, of the shim). O(members): only the run's own /proc entries
 * are read. */
/* The live members seen by the last pass (for the record of survivors). */
static struct proc g_live[256];
static int g_live_count;

static int kill_descendants(pid_t self, pid_t root, int root_reaped, long not_before, struct victims *v,
                            int *live) {
    static pid_t queue[MAX_PROCS];
    static pid_t kids[MAX_PROCS];
    int head = 0, tail = 0, found = 0;
    queue[tail++] = self;
    while (head < tail) {
        pid_t parent = queue[head++];
#ifdef __linux__
        int n = children_all_tasks(parent, kids, MAX_PROCS);
#else
        int n = shim_children(parent, kids, MAX_PROCS);
#endif
        for (int i = 0; i < n; i++) {
            pid_t pid = kids[i];
            if (pid <= 1 || pid == self) continue;
            struct proc now;
            if (parent == self) {
                /* Our own child: its pid is ours until we reap it. The command (held as a zombie) is killed too
                 * while alive; kill() on a zombie does nothing. */
#ifdef __linux__
                if (read_stat(pid, &now) != 0) continue;
#else
                if (read_bsd(pid, &now) != 0) continue;
#endif
                if (pid == root && root_reaped) continue;
                if (now.state != 'Z' && kill(pid, SIGKILL) == 0) {
                    found++;
                    note(v, pid);
                }
            } else if (kill_if_child(pid, parent, self, not_before, &now)) {
                found++;
                note(v, pid);
            }
            if (now.state == '?' || now.state == 'Z') continue; /* a zombie's children are already re-parented */
            (*live)++;
            if (g_live_count < (int)(sizeof g_live / sizeof g_live[0])) g_live[g_live_count++] = now;
            if (tail < MAX_PROCS) queue[tail++] = pid;
        }
    }
    return found;
}

/* Processes carrying the run's marker that are not below the shim (no subreaper, or a stranger's service started
 * them): one pass over the process table, reading the environment only of processes that started after the run. */
static int kill_marker_carriers(const struct shim_options *o, pid_t self, long not_before, struct victims *v) {
    static struct proc procs[MAX_PROCS];
    if (!o->marker) return 0;
    int n = snapshot(procs, MAX_PROCS), found = 0;
    for (int i = 0; i < n; i++) {
        struct proc *p = &procs[i];
        if (p->state == 'Z' || p->pid <= 1 || p->pid == self || p->start < not_before) continue;
        if (carries_marker(p->pid, o->marker) && kill_process(p->pid, p->start)) {
            found++;
            note(v, p->pid);
        }
    }
    return found;
}

static void reap_children(pid_t self, pid_t root, int root_reaped) {
    static pid_t kids[MAX_PROCS];
    int nk = shim_children(self, kids, MAX_PROCS);
    for (int i = 0; i < nk; i++)
        if (kids[i] != root || root_reaped) waitpid(kids[i], NULL, WNOHANG);
}

/* The path of a held lock slot (NULL when it cannot be named). */
static int slot_path(int fd, char *out, size_t size) {
#ifdef __linux__
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, size - 1);
    if (n <= 0 || (size_t)n >= size - 1) return -1;
    out[n] = 0;
    return out[0] == '/' ? 0 : -1;
#elif defined(__APPLE__)
    if (size < 1024 || fcntl(fd, F_GETPATH, out) != 0) return -1;
    return 0;
#else
    (void)fd;
    (void)out;
    (void)size;
    return -1;
#endif
}

/* Writes SLOT.stuck for every held slot: {"run_id":..., "pids":[...], "starts":[...], "states":[...]}, the format
 * of rein's own record (src/Rein/Locking/LockHolder.cs, StuckSlot), atomically (a temporary name rein skips, then
 * rename). rein locks, rein ps and a refused lock name these processes while they live. Returns 1 if one was written. */
static int record_survivors(const struct shim_options *o) {
    int wrote = 0;
    for (int i = 0; i < o->hold_count; i++) {
        char slot[3800], path[4096], tmp[4096];
        if (slot_path(o->hold[i], slot, sizeof slot) != 0) continue;
        snprintf(path, sizeof path, "%s.stuck", slot);
        snprintf(tmp, sizeof tmp, "%s.stuck.tmp-%d", slot, (int)getpid());
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) continue;
        FILE *f = fdopen(fd, "w");
        if (!f) {
            close(fd);
            continue;
        }
        fprintf(f, "{\"run_id\":\"");
        for (const char *c = o->marker ? o->marker : ""; *c; c++)
            if (*c != '"' && *c != '\\' && (unsigned char)*c >= 0x20) fputc(*c, f);
        fprintf(f, "\",\"pids\":[");
        for (int k = 0; k < g_live_count; k++) fprintf(f, k ? ",%d" : "%d", (int)g_live[k].pid);
        fprintf(f, "],\"starts\":[");
        for (int k = 0; k < g_live_count; k++) fprintf(f, k ? ",%ld" : "%ld", g_live[k].start);
        fprintf(f, "],\"states\":[");
        for (int k = 0; k < g_live_count; k++) fprintf(f, k ? ",\"%c\"" : "\"%c\"", g_live[k].state);
        fprintf(f, "]}\n");
        int ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
        fclose(f);
        if (ok && rename(tmp, path) == 0)
            wrote = 1;
        else
            unlink(tmp);
    }
    return wrote;
}

/* The survivors are gone: the records this shim wrote go too (the slots are released when the shim exits). */
static void remove_survivor_records(const struct shim_options *o) {
    for (int i = 0; i < o->hold_count; i++) {
        char slot[3800], path[4096];
        if (slot_path(o->hold[i], slot, sizeof slot) != 0) continue;
        snprintf(path, sizeof path, "%s.stuck", slot);
        unlink(path);
    }
}

/*
 * SIGKILLs the run's whole tree until two passes in a row find nothing of it alive. Each pass: the command's process
 * group in one kill (its zombie is ours, so the group id cannot have been reused), the run's cgroups, then every
 * descendant of the shim top down, then (with scan_marker) marker carriers elsewhere. Why this ends a process that
 * hops (forks, lets the parent exit, continues in the child): the shim is a subreaper, so every hop is, at every
 * moment, the shim's child or the child of one; the walk reads the parent links the kernel keeps, not a snapshot of
 * pids taken earlier, and a process with a pending SIGKILL cannot complete a fork. A pass that finds a member alive
 * is followed at once by another; only survivors of SIGKILL (uninterruptible wait) slow the loop down.
 * deadline_ms 0: until the tree is gone, however long that takes (rein is dead: keep the locks until then).
 * Returns the distinct processes killed; *left gets the live members seen in the last pass.
 */
int shim_kill_tree(const struct shim_options *o, pid_t root, int root_reaped, long not_before, long deadline_ms,
                   int scan_marker, int evt_fd, int *left) {
    static struct victims v;
    v.count = v.killed = 0;
    v.evt_fd = evt_fd;
    pid_t self = getpid();
    int procok = shim_proc_matches();
    long end = deadline_ms > 0 ? shim_now_ms() + deadline_ms : 0;
    int quiet = 0, busy = 0, live = 0;
    long delay = 1;
    int recorded = 0;
    while (quiet < 2) {
        int found = 0;
        live = 0;
        g_live_count = 0;
        if (o->new_session && !root_reaped) kill(-root, SIGKILL); /* its members are counted by the walk */
        found += kill_cgroup_members(o, self, not_before, &v);
        if (procok) {
            found += kill_descendants(self, root, root_reaped, not_before, &v, &live);
            /* The full sweep costs a read of every process: only once the run's own members are quiet. */
            if (scan_marker && found == 0 && live == 0) found += kill_marker_carriers(o, self, not_before, &v);
        }
        reap_children(self, root, root_reaped);
        quiet = found == 0 && live == 0 ? quiet + 1 : 0;
        if (quiet >= 2) break;
        if (end && shim_now_ms() >= end) break;
        /* A busy pass is repeated at once (a hopping process is chased, not waited for); a member that outlives
         * many passes is in uninterruptible wait: look again, ever more slowly. */
        if (found > 0 || live > 0) {
            /* Members that outlive this many passes cannot die yet (uninterruptible wait). With rein dead, nobody else
             * can say what holds the run's lock slots: record them beside each slot, as rein's .stuck record. */
            if (deadline_ms == 0 && (busy == 20 || (busy > 20 && busy % 30 == 0)) && g_live_count > 0)
                recorded |= record_survivors(o);
            if (++busy > 20) {
                sleep_ms(delay);
                if (delay < 1000) delay = delay * 2 > 1000 ? 1000 : delay * 2;
            }
        } else {
            busy = 0;
            delay = 1;
            sleep_ms(1);
        }
    }
    if (recorded) remove_survivor_records(o);
    if (left) *left = quiet >= 2 ? 0 : live;
    return v.killed;
}

void shim_remove_cgroups(const struct shim_options *o) {
    /* Empty now that the tree is dead and reaped; a killed task can take a moment to leave, so retry briefly. */
    for (int i = o->cgroup_count - 1; i >= 0; i--)
        for (int tries = 0; tries < 50 && rmdir(o->cgroups[i]) != 0 && errno == EBUSY; tries++) sleep_ms(10);
}
