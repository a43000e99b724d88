/* rein's shim: shared declarations (see shim.c for what the shim is and why it is C). */
#ifndef REIN_SHIM_H
#define REIN_SHIM_H

#include <sys/types.h>

#define SHIM_MAX_HOLD 64
#define SHIM_MAX_CGROUPS 8

struct shim_options {
    int ctl_fd;                 /* commands from rein; EOF without "done" = rein died */
    int evt_fd;                 /* events to rein */
    int new_session;            /* 0 with --foreground */
    int detach_stdio;           /* --detach-stdio: 0-2 are the command's relay pipes; drop ours after the fork */
    unsigned long long keep_ignored; /* bit N-1: signal N was ignored by rein's caller; keep it ignored */
    const char *marker;         /* REIN_RUN_ID of the run */
    int stop_signal;            /* --stop-signal: sent to the command first when rein dies (0: none) */
    int hold[SHIM_MAX_HOLD];    /* lock slot descriptors held until the tree is dead */
    int hold_count;
    const char *cgroups[SHIM_MAX_CGROUPS];
    int cgroup_count;
    char **argv;                /* the command */
};

int shim_main(int argc, char **argv);
int shim_parse(int argc, char **argv, struct shim_options *o);

/* Children of pid (Linux: /proc/PID/task/PID/children). -1 when the list cannot be read. */
int shim_children(pid_t pid, pid_t *out, int max);
/* 1 when /proc describes our own pid namespace (so its pids can be signalled). */
int shim_proc_matches(void);
/* Our own start time in the units the process table uses (Linux: clock ticks since boot); 0 if unknown. */
long shim_self_start(void);
/* SIGKILLs the run's whole tree until two passes in a row find nothing of it alive, or deadline_ms passed (0: no
 * deadline). Returns how many distinct processes were killed; *left gets the members still alive at the end. With
 * evt_fd >= 0, each killed pid is reported as "victim PID 0". */
int shim_kill_tree(const struct shim_options *o, pid_t root, int root_reaped, long not_before, long deadline_ms,
                   int scan_marker, int evt_fd, int *left);
#ifdef REIN_TEST_HOOKS
extern int shim_fault_no_children_lists; /* REIN_FAULT=no-children-lists (test builds only) */
#endif
/* CLOCK_MONOTONIC in milliseconds. */
long shim_now_ms(void);
void shim_remove_cgroups(const struct shim_options *o);

#endif
