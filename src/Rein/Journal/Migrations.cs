namespace Rein.Journal;

/// <summary>Forward-only schema migrations, applied in order inside one transaction. The database's
/// <c>PRAGMA user_version</c> is the number of migrations applied. Never edit a shipped migration: add one.</summary>
internal static class Migrations
{
    public static readonly string[] Steps =
    [
        // v1: the run record.
        """
            CREATE TABLE runs (
              id TEXT PRIMARY KEY,
              command TEXT NOT NULL,
              cwd TEXT NOT NULL,
              user_name TEXT NOT NULL,
              rein_pid INTEGER NOT NULL,
              rein_start INTEGER NOT NULL,
              child_pid INTEGER,
              child_start INTEGER,
              pgid INTEGER,
              boot_id TEXT NOT NULL,
              started_at INTEGER NOT NULL,
              ended_at INTEGER,
              outcome TEXT,
              exit_code INTEGER,
              signal INTEGER,
              duration_ms INTEGER,
              peak_rss INTEGER,
              pids_killed TEXT,
              unkillable TEXT
            );
            CREATE INDEX runs_started ON runs(started_at);
            """,
        // v2: labels for locks and models, unclean-end classification, boots, events, meta.
        """
            ALTER TABLE runs ADD COLUMN lock_label TEXT;
            ALTER TABLE runs ADD COLUMN model_label TEXT;
            ALTER TABLE runs ADD COLUMN unclean_reason TEXT;
            ALTER TABLE runs ADD COLUMN unclean_detected_at INTEGER;
            ALTER TABLE runs ADD COLUMN rein_exit_code INTEGER;
            CREATE INDEX runs_open ON runs(started_at) WHERE ended_at IS NULL;
            CREATE TABLE boots (boot_id TEXT PRIMARY KEY, first_seen INTEGER NOT NULL, boot_time INTEGER, last_seen INTEGER);
            INSERT OR IGNORE INTO boots(boot_id, first_seen, last_seen)
              SELECT boot_id, MIN(started_at), MAX(COALESCE(ended_at, started_at)) FROM runs GROUP BY boot_id;
            CREATE TABLE events (id INTEGER PRIMARY KEY, run_id TEXT, at INTEGER NOT NULL, kind TEXT NOT NULL, data TEXT);
            CREATE INDEX events_run ON events(run_id);
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
            """,
        // v3: caps (memory limit, how caps were enforced), and the retry breaker's lookup by command and directory.
        """
            ALTER TABLE runs ADD COLUMN memory_limit INTEGER;
            ALTER TABLE runs ADD COLUMN cap_method TEXT;
            CREATE INDEX runs_command ON runs(cwd, command, started_at);
            """,
        // v4: why a run ended the way it did, in words (a refusal at admission, a start failure).
        """
            ALTER TABLE runs ADD COLUMN note TEXT;
            """,
        // v5: the events table of v2 never got an API; gone.
        """
            DROP TABLE IF EXISTS events;
            """,
        // v6: why admission refused a run, as data (the refusal object of docs/schemas.md).
        """
            ALTER TABLE runs ADD COLUMN refusal TEXT;
            """,
        // v7: an incarnation of a supervised worker (rein supervise): its supervision, attempt, why it was restarted.
        """
            ALTER TABLE runs ADD COLUMN supervision_id TEXT;
            ALTER TABLE runs ADD COLUMN supervision_attempt INTEGER;
            ALTER TABLE runs ADD COLUMN restart_reason TEXT;
            CREATE INDEX runs_supervision ON runs(supervision_id) WHERE supervision_id IS NOT NULL;
            """,
        // v8 (cleanup): every process the guard saw in a run's tree, by identity (pid + start time, this boot's
        // clock), so `rein cleanup` finds a tree left behind when rein and its shim were both killed.
        """
            CREATE TABLE run_processes (
              run_id TEXT NOT NULL,
              pid INTEGER NOT NULL,
              start INTEGER NOT NULL,
              PRIMARY KEY (run_id, pid, start)
            ) WITHOUT ROWID;
            """,
        // v9 (classifier): why a failed run failed, as the failure object of docs/schemas.md (class, hint, advice,
        // evidence, rule).
        """
            ALTER TABLE runs ADD COLUMN failure TEXT;
            """,
        // v10 (breadcrumbs): PRE/POST marks around inferences (rein mark, InferenceGuard), with the caller's identity
        // and run; and how far each breadcrumb file has been imported, so a file is read once, however long.
        """
            CREATE TABLE breadcrumbs (
              id INTEGER PRIMARY KEY,
              run_id TEXT,
              at INTEGER NOT NULL,
              kind TEXT NOT NULL,
              model TEXT NOT NULL,
              pid INTEGER NOT NULL,
              pid_start INTEGER NOT NULL,
              note TEXT
            );
            CREATE INDEX breadcrumbs_run ON breadcrumbs(run_id, id);
            CREATE INDEX breadcrumbs_at ON breadcrumbs(at);
            CREATE INDEX breadcrumbs_caller ON breadcrumbs(pid, pid_start, id);
            CREATE TABLE breadcrumb_files (name TEXT PRIMARY KEY, inode INTEGER NOT NULL, offset INTEGER NOT NULL) WITHOUT ROWID;
            """,
        // v11 (panics): the panic ledger — kernel panics found in the OS's reports and suspected ones (a --model run
        // ended by the machine going down), de-duplicated by source; the report files already looked at (path +
        // mtime, so a file is parsed once); and the acknowledgements `rein ack` records for the panic gate.
        """
            CREATE TABLE panics (
              id INTEGER PRIMARY KEY,
              source TEXT NOT NULL UNIQUE,
              at INTEGER NOT NULL,
              kind TEXT NOT NULL,
              signature_class TEXT NOT NULL,
              signature TEXT NOT NULL,
              file TEXT,
              boot_id TEXT,
              window_start INTEGER,
              window_end INTEGER,
              recorded_at INTEGER NOT NULL
            );
            CREATE INDEX panics_at ON panics(at);
            CREATE TABLE panic_files (path TEXT PRIMARY KEY, mtime INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE panic_acks (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, user_name TEXT NOT NULL);
            """,
        // v12 (pid namespaces): the pid namespace the guard ran in, so that a reader in another one (the host of a
        // container sharing the state directory) never judges the run by pids that are not its own.
        "ALTER TABLE runs ADD COLUMN pid_ns INTEGER;",
        // v13 (growth): the memory growth warning (--warn-before) as the growth object of docs/schemas.md, written
        // when the warning is given, so `rein ps` shows it while the run is alive.
        "ALTER TABLE runs ADD COLUMN growth TEXT;",
        // v14 (versions): the version of the rein that guarded the run (rein --version), from its start record.
        "ALTER TABLE runs ADD COLUMN rein_version TEXT;",
    ];

    public static int Latest => Steps.Length;
}
