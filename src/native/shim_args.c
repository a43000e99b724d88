/* Argument parsing for rein's shim: rein __shim --ctl N --evt N [--foreground] [--keep-ignored HEX]
 * [--marker ID] [--stop-signal N] [--hold FD]... [--cgroup DIR]... -- COMMAND [ARGS...] */
#include "shim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int to_int(const char *s, int *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > 1 << 20) return -1;
    *out = (int)v;
    return 0;
}

int shim_parse(int argc, char **argv, struct shim_options *o) {
    memset(o, 0, sizeof *o);
    o->ctl_fd = o->evt_fd = -1;
    o->new_session = 1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--") == 0) {
            if (i + 1 >= argc) return -1;
            o->argv = argv + i + 1;
            return o->ctl_fd >= 0 && o->evt_fd >= 0 ? 0 : -1;
        } else if (strcmp(a, "--foreground") == 0) {
            o->new_session = 0;
            continue;
        } else if (strcmp(a, "--detach-stdio") == 0) {
            o->detach_stdio = 1;
            continue;
        }
        if (v == NULL) return -1;
        i++;
        if (strcmp(a, "--ctl") == 0) {
            if (to_int(v, &o->ctl_fd)) return -1;
        } else if (strcmp(a, "--evt") == 0) {
            if (to_int(v, &o->evt_fd)) return -1;
        } else if (strcmp(a, "--keep-ignored") == 0) {
            char *end;
            o->keep_ignored = strtoull(v, &end, 16);
            if (*end) return -1;
        } else if (strcmp(a, "--stop-signal") == 0) {
            if (to_int(v, &o->stop_signal) || o->stop_signal > 64) return -1;
        } else if (strcmp(a, "--marker") == 0) {
            o->marker = v;
        } else if (strcmp(a, "--hold") == 0) {
            if (o->hold_count >= SHIM_MAX_HOLD || to_int(v, &o->hold[o->hold_count])) return -1;
            o->hold_count++;
        } else if (strcmp(a, "--cgroup") == 0) {
            if (o->cgroup_count >= SHIM_MAX_CGROUPS) return -1;
            o->cgroups[o->cgroup_count++] = v;
        } else {
            return -1;
        }
    }
    return -1;
}
