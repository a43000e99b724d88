#!/usr/bin/env bash
# Journal benchmarks: what the journal adds to `rein run -- true`, and `rein journal --last 20` on a
# journal of 10,000 runs. Usage: bench/journal.sh [REIN_WITHOUT_JOURNAL]
# (pass a rein binary built before the journal existed to compare; otherwise only "with" is measured)
source "$(dirname "$0")/helper.sh"
command -v hyperfine >/dev/null || { echo "bench: apt-get install hyperfine" >&2; exit 1; }
export REIN_HOME="$bench_tmp/home"
"$REIN" run -- true # creates and migrates the journal
cmds=("$REIN run -- true")
[ -n "${1:-}" ] && cmds+=("$1 run -- true")
hyperfine -N --warmup 30 --runs 300 "${cmds[@]}"

# 10,000 finished runs, inserted through SQLite itself so the file is what rein would have written.
python3 - "$REIN_HOME/rein.db" <<'PY'
import sqlite3, sys, json, time
db = sqlite3.connect(sys.argv[1])
now = int(time.time() * 1000)
rows = [(f"20260101T000000Z-{i:010x}", json.dumps(["make", "ci", str(i)]), "/src/app", "dev", 100 + i, 1, 200 + i, 1, 200 + i,
         "bench-boot", now - (10000 - i) * 1000, now - (10000 - i) * 1000 + 500, "exited", i % 3, None, 500, 1 << 20, "[]", None)
        for i in range(10000)]
db.executemany("INSERT INTO runs(id, command, cwd, user_name, rein_pid, rein_start, child_pid, child_start, pgid, boot_id,"
               " started_at, ended_at, outcome, exit_code, signal, duration_ms, peak_rss, pids_killed, unkillable)"
               " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
db.commit()
print("runs in journal:", db.execute("select count(*) from runs").fetchone()[0])
PY
hyperfine -N --warmup 10 --runs 100 "$REIN journal --last 20 --json" "$REIN journal --last 20"
