using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rein.Processes;
using Rein.Running;

namespace Rein.Journal;

/// <summary>
/// The journal: an SQLite database (WAL) at <c>&lt;state dir&gt;/rein.db</c> holding every guarded run. Guarded runs
/// write to the <see cref="JournalSpool"/>; <see cref="Open"/> imports it, so every reader sees them. Writers
/// (importers, the daily prune) serialise on SQLite's lock and wait for it (busy
/// timeout), never failing with "database is locked". A corrupt file is moved aside, kept for inspection, and a
/// fresh one started.
/// </summary>
public sealed class JournalStore : IDisposable
{
    public const string FileName = "rein.db";

    readonly SqliteConnection _db;

    JournalStore(SqliteConnection db, string path, string? movedAside)
    {
        _db = db;
        Path = path;
        MovedAside = movedAside;
    }

    public string Path { get; }

    /// <summary>Where a corrupt database was moved on open, if that happened (the caller tells the user).</summary>
    public string? MovedAside { get; }

    /// <summary>Opens (creating or migrating) the journal in <paramref name="stateDirectory"/>.</summary>
    /// <exception cref="JournalException">The database is from a newer Rein, or cannot be opened at all.</exception>
    /// <exception cref="Config.StateDirectoryException">One of its files is a symbolic link or another user's.</exception>
    public static JournalStore Open(string stateDirectory)
    {
        Config.StateDirectory.Ensure(stateDirectory);
        var path = System.IO.Path.Combine(stateDirectory, FileName);
        JournalStore store;
        try
        {
            try
            {
                JournalFiles.Prepare(path);
                store = new JournalStore(OpenAndMigrate(path), path, null);
            }
            catch (SqliteException e) when (IsCorruption(e))
            {
                var aside = MoveAside(path);
                JournalFiles.Prepare(path);
                store = new JournalStore(OpenAndMigrate(path), path, aside);
            }
        }
        catch (SqliteException e) when (JournalFiles.IsWriteFailure(e))
        {
            throw new JournalException(
                $"cannot open the journal: {JournalFiles.Describe(e, stateDirectory)}",
                e
            );
        }

        store.TryImportSpool(stateDirectory);
        return store;
    }

    /// <summary>Set when the spool could not be imported because another process holds the database's write lock
    /// (a rein that was stopped with Ctrl-Z mid-import, say). Reads still work — WAL readers never wait for the
    /// writer — they just do not include runs still in the spool.</summary>
    public string? ImportSkipped { get; private set; }

    void TryImportSpool(string stateDirectory)
    {
        // A short wait here: a reader must answer even when a writer is stuck.
        Exec(_db, "PRAGMA busy_timeout = 1500;");
        try
        {
            ImportSpool(JournalSpool.Directory(stateDirectory));
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6) // SQLITE_BUSY, SQLITE_LOCKED
        {
            ImportSkipped =
                "the journal is locked by another rein process (stopped or busy); runs it has not imported yet are missing";
        }
        catch (SqliteException e) when (JournalFiles.IsWriteFailure(e))
        {
            // The transaction rolled back whole and the spool files stay: the next reader with room imports them.
            ImportSkipped =
                $"runs still in the spool are not shown: {JournalFiles.Describe(e, stateDirectory)}";
        }
        finally
        {
            Exec(_db, "PRAGMA busy_timeout = 3000;");
        }
    }

    /// <summary>Moves what guarded runs wrote to the spool into the database. Idempotent and safe against
    /// concurrent importers and writers: a file is deleted only once nothing more will be appended to it (its
    /// end is in, or its run is marked unclean). Returns how many files were read.</summary>
    public int ImportSpool(string spoolDirectory)
    {
        switch (Config.FileStatus.Of(spoolDirectory, follow: false))
        {
            case null:
                return 0;
            case { IsSymbolicLink: true }:
                throw Config.StateFile.LinkRefused(spoolDirectory);
        }

        var entries = new List<JournalSpool.Entry>();
        foreach (var file in System.IO.Directory.EnumerateFiles(spoolDirectory, "*.run"))
        {
            // Whole, whatever its size: a run's command line can be megabytes long.
            if (Config.StateFile.ReadAllText(file) is not { } text)
            {
                continue; // imported and deleted by another reader meanwhile
            }

            var entry = JournalSpool.Parse(file, text);
            if (entry.Start is not null)
            {
                entries.Add(entry);
            }
        }

        if (entries.Count == 0)
        {
            return 0;
        }

        // Durable before the spool files go: otherwise a crash right after could lose both copies.
        Durably(() =>
            InTransaction(() =>
            {
                foreach (var e in entries)
                {
                    RecordStart(e.Start!, e.Boot!);
                    if (e.Child is { } c)
                    {
                        RecordChild(e.Start!.RunId, c.Pid, c.Start, c.Pgid);
                    }

                    if (e.End is { } end)
                    {
                        RecordEnd(end);
                    }
                }
            })
        );

        foreach (var e in entries)
        {
            if (e.End is not null || Get(e.Start!.RunId) is { State: RunState.Unclean })
            {
                try
                {
                    File.Delete(e.Path);
                }
                catch (IOException) { }
            }
        }

        return entries.Count;
    }

    static bool IsCorruption(SqliteException e) => e.SqliteErrorCode is 11 or 26; // SQLITE_CORRUPT, SQLITE_NOTADB

    static string MoveAside(string path)
    {
        var aside = $"{path}.corrupt-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}";
        SqliteConnection.ClearAllPools();
        File.Move(path, aside, overwrite: true);
        foreach (var suffix in new[] { "-wal", "-shm" })
        {
            if (File.Exists(path + suffix))
            {
                File.Move(path + suffix, aside + suffix, overwrite: true);
            }
        }

        return aside;
    }

    static SqliteConnection OpenAndMigrate(string path)
    {
        var db = new SqliteConnection(
            new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
                // Microsoft.Data.Sqlite retries a busy statement itself for this long (seconds), whatever busy_timeout says.
                DefaultTimeout = 3,
            }.ToString()
        );
        try
        {
            db.Open();
            // Closing the last connection would checkpoint the WAL into the database (two more fsyncs) on every
            // rein exit; leave that to SQLite's automatic checkpoints instead.
            const int SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE = 1006;
            SQLitePCL.raw.sqlite3_db_config(db.Handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, out _);
            // busy_timeout: concurrent rein processes wait for each other instead of failing "database is locked".
            // One round trip for the settings and one for what we must check (each statement costs on this hot path).
            // Readers and the daily prune are the only writers (runs write the spool), so contention is brief; a
            // writer stuck mid-transaction (stopped with Ctrl-Z) must not hang every reader for long.
            Exec(db, "PRAGMA busy_timeout = 3000; PRAGMA synchronous = NORMAL;");
            int version;
            string? journalMode;
            using (var check = db.CreateCommand())
            {
                check.CommandText =
                    "SELECT user_version, journal_mode FROM pragma_user_version, pragma_journal_mode;";
                using var row = check.ExecuteReader();
                row.Read();
                version = row.GetInt32(0);
                journalMode = row.GetString(1);
            }

            if (version > Migrations.Latest)
            {
                throw new JournalException(
                    $"{path} has journal schema v{version}, newer than this rein understands (v{Migrations.Latest}); "
                        + "upgrade rein, or point REIN_HOME elsewhere. The file was not changed."
                );
            }

            if (journalMode is not "wal")
            {
                Exec(db, "PRAGMA journal_mode = WAL;");
            }

            if (version < Migrations.Latest)
            {
                Migrate(db);
            }

            return db;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    static void Migrate(SqliteConnection db)
    {
        // BEGIN IMMEDIATE takes the write lock first, so two processes cannot both migrate.
        Exec(db, "BEGIN IMMEDIATE;");
        try
        {
            var version = Convert.ToInt32(Scalar(db, "PRAGMA user_version;"));
            for (var v = version; v < Migrations.Latest; v++)
            {
                Exec(db, Migrations.Steps[v]);
            }

            Exec(db, $"PRAGMA user_version = {Migrations.Latest};");
            Exec(db, "COMMIT;");
        }
        catch
        {
            RollBack(db);
            throw;
        }
    }

    public int SchemaVersion => Convert.ToInt32(Scalar(_db, "PRAGMA user_version;"));

    /// <summary>The start record; durable (fsync'd WAL) when this returns.</summary>
    int _transactionDepth;

    /// <summary>Runs <paramref name="body"/> in one write transaction (BEGIN IMMEDIATE: the write lock is taken
    /// up front, so a busy database is waited for at the start, not failed at the end). Nests.</summary>
    void InTransaction(Action body)
    {
        if (_transactionDepth++ > 0)
        {
            try
            {
                body();
            }
            finally
            {
                _transactionDepth--;
            }

            return;
        }

        Exec(_db, "BEGIN IMMEDIATE;");
        try
        {
            body();
            Exec(_db, "COMMIT;");
        }
        catch
        {
            RollBack(_db);
            throw;
        }
        finally
        {
            _transactionDepth--;
        }
    }

    /// <summary>The start record, durable (fsync'd) when this returns (G4). The connection otherwise commits with
    /// synchronous=NORMAL; only records that must survive a power cut pay for an fsync.</summary>
    public void RecordStart(RunStart start, BootIdentity boot) =>
        Durably(() => InTransaction(() => InsertStart(start, boot)));

    void Durably(Action body)
    {
        if (_transactionDepth > 0)
        {
            body(); // the enclosing transaction decides
            return;
        }

        Exec(_db, "PRAGMA synchronous = FULL;");
        try
        {
            body();
        }
        finally
        {
            Exec(_db, "PRAGMA synchronous = NORMAL;");
        }
    }

    void InsertStart(RunStart start, BootIdentity boot)
    {
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = """
                INSERT OR IGNORE INTO runs(id, command, cwd, user_name, rein_pid, rein_start, boot_id, started_at, lock_label, model_label)
                VALUES ($id, $cmd, $cwd, $user, $pid, $start, $boot, $at, $lock, $model);
                INSERT INTO boots(boot_id, first_seen, boot_time, last_seen) VALUES ($boot, $at, $bt, $at)
                ON CONFLICT(boot_id) DO UPDATE SET last_seen = MAX(COALESCE(last_seen, 0), $at);
                """;
            cmd.Parameters.AddWithValue("$id", start.RunId);
            cmd.Parameters.AddWithValue(
                "$cmd",
                JsonSerializer.Serialize(
                    start.Command.ToArray(),
                    JournalJsonContext.Default.StringArray
                )
            );
            cmd.Parameters.AddWithValue("$cwd", start.WorkingDirectory);
            cmd.Parameters.AddWithValue("$user", start.User);
            cmd.Parameters.AddWithValue("$pid", start.ReinPid);
            cmd.Parameters.AddWithValue("$start", (long)start.ReinStartTime);
            cmd.Parameters.AddWithValue("$boot", boot.BootId);
            cmd.Parameters.AddWithValue(
                "$bt",
                (object?)boot.BootTime?.ToUnixTimeMilliseconds() ?? DBNull.Value
            );
            cmd.Parameters.AddWithValue("$at", start.StartedAt.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$lock", (object?)start.LockLabel ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$model", (object?)start.ModelLabel ?? DBNull.Value);
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>The child's identity (committed with the connection's synchronous=NORMAL: no fsync of its own).</summary>
    public void RecordChild(string runId, int pid, ulong startTime, int processGroup)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText =
            "UPDATE runs SET child_pid = $pid, child_start = $st, pgid = $pg WHERE id = $id;";
        cmd.Parameters.AddWithValue("$id", runId);
        cmd.Parameters.AddWithValue("$pid", pid);
        cmd.Parameters.AddWithValue("$st", (long)startTime);
        cmd.Parameters.AddWithValue("$pg", processGroup);
        cmd.ExecuteNonQuery();
    }

    /// <summary>The end record. Committed without its own fsync (synchronous=NORMAL): the OS has it at once, so a
    /// killed rein loses nothing, and the next start record's fsync makes it durable too. Only a power cut or
    /// kernel panic within moments of the end can lose it, and then the run reads as cut off by the crash —
    /// which it nearly was.</summary>
    public void RecordEnd(RunVerdict v)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = """
            UPDATE runs SET ended_at = $end, outcome = $outcome, exit_code = $code, signal = $sig, duration_ms = $dur,
              peak_rss = $rss, pids_killed = $killed, unkillable = $unk, rein_exit_code = $rc,
              memory_limit = $mem, cap_method = $method, note = $note
            WHERE id = $id;
            -- The boot was alive at least until this end: a later crash is dated from the last sign of life.
            UPDATE boots SET last_seen = MAX(COALESCE(last_seen, 0), $end)
            WHERE boot_id = (SELECT boot_id FROM runs WHERE id = $id);
            """;
        cmd.Parameters.AddWithValue("$id", v.RunId);
        cmd.Parameters.AddWithValue("$end", (v.StartedAt + v.Duration).ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$outcome", v.Outcome.ToWire());
        cmd.Parameters.AddWithValue("$note", (object?)v.StartFailure?.Message ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$code", (object?)v.ExitCode ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$sig", (object?)v.Signal ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$dur", (long)v.Duration.TotalMilliseconds);
        cmd.Parameters.AddWithValue("$rss", v.PeakRssBytes);
        cmd.Parameters.AddWithValue(
            "$killed",
            JsonSerializer.Serialize(v.PidsKilled.ToArray(), JournalJsonContext.Default.Int32Array)
        );
        cmd.Parameters.AddWithValue(
            "$unk",
            v.Unkillable.Count == 0
                ? DBNull.Value
                : JsonSerializer.Serialize(
                    v.Unkillable.Select(u => new UnkillableEntry(
                            u.Pid,
                            u.State.ToString(),
                            u.Command
                        ))
                        .ToArray(),
                    JournalJsonContext.Default.UnkillableEntryArray
                )
        );
        cmd.Parameters.AddWithValue("$rc", v.ReinExitCode);
        cmd.Parameters.AddWithValue("$mem", (object?)v.MemoryLimitBytes ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$method", (object?)v.CapMethod ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }

    /// <summary>
    /// Finds runs that never ended and whose guard is gone, and marks them unclean with the reason: another
    /// boot id means the machine went down; the same boot with the rein pid gone (or reused by another
    /// process, told apart by its start time) means the guard vanished. Returns the runs newly marked.
    /// </summary>
    public List<RunRecord> Reconcile(BootIdentity boot, IProcessTable table, DateTimeOffset now)
    {
        var open = Query(
            "WHERE ended_at IS NULL AND unclean_reason IS NULL ORDER BY started_at",
            _ => { }
        );
        var marked = new List<RunRecord>();
        foreach (var r in open)
        {
            string? reason = null;
            if (r.BootId != boot.BootId)
            {
                reason = UncleanReasons.MachineWentDown;
            }
            else if (
                table.Read(r.ReinPid) is not { } guard
                || guard.IsZombie
                || (r.ReinStartTime != 0 && guard.StartTime != r.ReinStartTime)
            )
            {
                reason = UncleanReasons.GuardVanished;
            }

            if (reason is null)
            {
                continue;
            }

            using var cmd = _db.CreateCommand();
            cmd.CommandText =
                "UPDATE runs SET unclean_reason = $r, unclean_detected_at = $now WHERE id = $id AND ended_at IS NULL AND unclean_reason IS NULL;";
            cmd.Parameters.AddWithValue("$r", reason);
            cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$id", r.Id);
            if (cmd.ExecuteNonQuery() == 1)
            {
                marked.Add(r with { UncleanReason = reason, UncleanDetectedAt = now });
            }
        }

        return marked;
    }

    /// <summary>Runs whose end is not recorded and that are not (yet) known to be unclean.</summary>
    public List<RunRecord> OpenRuns() =>
        Query(
            "WHERE ended_at IS NULL AND unclean_reason IS NULL ORDER BY started_at DESC",
            _ => { }
        );

    public List<RunRecord> Find(JournalQuery q, string currentBootId)
    {
        var where = new List<string>();
        var args = new Dictionary<string, object>();
        if (q.Since is { } since)
        {
            where.Add("started_at >= $since");
            args["$since"] = since.ToUnixTimeMilliseconds();
        }

        if (q.Boot is { } which)
        {
            var bootId = which == BootFilter.Current ? currentBootId : PreviousBoot(currentBootId);
            if (bootId is null)
            {
                return [];
            }

            where.Add("boot_id = $boot");
            args["$boot"] = bootId;
        }

        if (q.UncleanOnly)
        {
            where.Add("unclean_reason IS NOT NULL");
        }

        var sql =
            (where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")
            + " ORDER BY started_at DESC LIMIT $limit";
        return Query(
            sql,
            cmd =>
            {
                foreach (var (k, v) in args)
                {
                    cmd.Parameters.AddWithValue(k, v);
                }

                cmd.Parameters.AddWithValue("$limit", q.Limit);
            }
        );
    }

    /// <summary>One run by id or unique id prefix (null when none or ambiguous).</summary>
    public RunRecord? Get(string idOrPrefix)
    {
        var rows = Query(
            "WHERE id = $id OR id LIKE $prefix ESCAPE '\\' ORDER BY (id = $id) DESC LIMIT 2",
            cmd =>
            {
                cmd.Parameters.AddWithValue("$id", idOrPrefix);
                cmd.Parameters.AddWithValue(
                    "$prefix",
                    idOrPrefix.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%"
                );
            }
        );
        return rows.Count == 1 || (rows.Count > 1 && rows[0].Id == idOrPrefix) ? rows[0] : null;
    }

    /// <summary>The boot seen most recently before <paramref name="currentBootId"/>.</summary>
    public string? PreviousBoot(string currentBootId)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText =
            "SELECT boot_id FROM boots WHERE boot_id != $b ORDER BY first_seen DESC LIMIT 1;";
        cmd.Parameters.AddWithValue("$b", currentBootId);
        return cmd.ExecuteScalar() as string;
    }

    /// <summary>The last moment the journal saw activity in a boot: for a boot that ended in a crash, the
    /// machine was still up at least until then.</summary>
    public DateTimeOffset? LastSeen(string bootId)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT last_seen FROM boots WHERE boot_id = $b;";
        cmd.Parameters.AddWithValue("$b", bootId);
        return cmd.ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
    }

    public long Count() => (long)Scalar(_db, "SELECT COUNT(*) FROM runs;")!;

    /// <summary>Deletes runs beyond the newest <paramref name="keepRuns"/> or older than <paramref name="keepDays"/>
    /// days. Runs still open (running or unclean) are kept regardless of count, so a crash is never pruned by a
    /// burst of later runs. Returns how many were deleted.</summary>
    public int Prune(long keepRuns, long keepDays, DateTimeOffset now)
    {
        int deleted;
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = """
                DELETE FROM runs WHERE started_at < $cutoff
                  OR (ended_at IS NOT NULL AND id NOT IN (SELECT id FROM runs ORDER BY started_at DESC LIMIT $keep));
                """;
            cmd.Parameters.AddWithValue(
                "$cutoff",
                (now - TimeSpan.FromDays(keepDays)).ToUnixTimeMilliseconds()
            );
            cmd.Parameters.AddWithValue("$keep", keepRuns);
            deleted = cmd.ExecuteNonQuery();
        }

        using (var meta = _db.CreateCommand())
        {
            meta.CommandText =
                "INSERT INTO meta(key, value) VALUES ('last_prune', $now) ON CONFLICT(key) DO UPDATE SET value = $now;";
            meta.Parameters.AddWithValue(
                "$now",
                now.ToUnixTimeMilliseconds()
                    .ToString(System.Globalization.CultureInfo.InvariantCulture)
            );
            meta.ExecuteNonQuery();
        }

        try
        {
            Config.StateFile.WriteAtomically(
                PruneMarker(System.IO.Path.GetDirectoryName(Path)!),
                now.ToString("O", System.Globalization.CultureInfo.InvariantCulture)
            );
        }
        catch (IOException)
        {
            // Only an optimisation: without it the next run prunes again.
        }

        return deleted;
    }

    /// <summary>A file whose age says whether a prune is due with one stat, so a run need not open SQLite to ask.
    /// Written (0600, never through a link) by every <see cref="Prune"/>.</summary>
    public static string PruneMarker(string stateDirectory) =>
        System.IO.Path.Combine(stateDirectory, "last-prune");

    /// <summary>True when the last prune recorded by <see cref="PruneMarker"/> is older than
    /// <paramref name="every"/>, or there is none.</summary>
    public static bool PruneMarkerDue(string stateDirectory, DateTime utcNow, TimeSpan every)
    {
        var marker = PruneMarker(stateDirectory);
        return !File.Exists(marker) || utcNow - File.GetLastWriteTimeUtc(marker) > every;
    }

    /// <summary>True when the last prune is older than <paramref name="every"/> (or there never was one).</summary>
    public bool PruneDue(DateTimeOffset now, TimeSpan every)
    {
        var last = Scalar(_db, "SELECT value FROM meta WHERE key = 'last_prune';") as string;
        return last is null
            || !long.TryParse(last, out var ms)
            || now.ToUnixTimeMilliseconds() - ms >= every.TotalMilliseconds;
    }

    List<RunRecord> Query(string tail, Action<SqliteCommand> bind)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText =
            """
                SELECT id, command, cwd, user_name, rein_pid, rein_start, child_pid, child_start, pgid, boot_id, started_at,
                  ended_at, outcome, exit_code, signal, duration_ms, peak_rss, pids_killed, unkillable, lock_label, model_label,
                  unclean_reason, unclean_detected_at, rein_exit_code, memory_limit, cap_method, note
                FROM runs
                """
            + " "
            + tail;
        bind(cmd);
        using var r = cmd.ExecuteReader();
        var list = new List<RunRecord>();
        while (r.Read())
        {
            list.Add(
                new RunRecord
                {
                    Id = r.GetString(0),
                    Command =
                        JsonSerializer.Deserialize(
                            r.GetString(1),
                            JournalJsonContext.Default.StringArray
                        ) ?? [],
                    WorkingDirectory = r.GetString(2),
                    User = r.GetString(3),
                    ReinPid = r.GetInt32(4),
                    ReinStartTime = (ulong)r.GetInt64(5),
                    ChildPid = r.IsDBNull(6) ? null : r.GetInt32(6),
                    ChildStartTime = r.IsDBNull(7) ? null : (ulong)r.GetInt64(7),
                    ProcessGroup = r.IsDBNull(8) ? null : r.GetInt32(8),
                    BootId = r.GetString(9),
                    StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(10)),
                    EndedAt = r.IsDBNull(11)
                        ? null
                        : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(11)),
                    Outcome = r.IsDBNull(12) ? null : r.GetString(12),
                    ExitCode = r.IsDBNull(13) ? null : r.GetInt32(13),
                    Signal = r.IsDBNull(14) ? null : r.GetInt32(14),
                    DurationMs = r.IsDBNull(15) ? null : r.GetInt64(15),
                    PeakRssBytes = r.IsDBNull(16) ? null : r.GetInt64(16),
                    PidsKilled = r.IsDBNull(17)
                        ? []
                        : JsonSerializer.Deserialize(
                            r.GetString(17),
                            JournalJsonContext.Default.Int32Array
                        ) ?? [],
                    UnkillableJson = r.IsDBNull(18) ? null : r.GetString(18),
                    LockLabel = r.IsDBNull(19) ? null : r.GetString(19),
                    ModelLabel = r.IsDBNull(20) ? null : r.GetString(20),
                    UncleanReason = r.IsDBNull(21) ? null : r.GetString(21),
                    UncleanDetectedAt = r.IsDBNull(22)
                        ? null
                        : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(22)),
                    ReinExitCode = r.IsDBNull(23) ? null : r.GetInt32(23),
                    MemoryLimitBytes = r.IsDBNull(24) ? null : r.GetInt64(24),
                    CapMethod = r.IsDBNull(25) ? null : r.GetString(25),
                    Note = r.IsDBNull(26) ? null : r.GetString(26),
                }
            );
        }

        return list;
    }

    /// <summary>Rolls back the open transaction, if SQLite has not already: after some errors (SQLITE_FULL, an I/O
    /// error) it rolls back by itself, and a second ROLLBACK would fail with "no transaction is active" and hide
    /// the error that matters.</summary>
    static void RollBack(SqliteConnection db)
    {
        if (SQLitePCL.raw.sqlite3_get_autocommit(db.Handle) == 0)
        {
            Exec(db, "ROLLBACK;");
        }
    }

    static void Exec(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    static object? Scalar(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    public void Dispose() => _db.Dispose();
}
