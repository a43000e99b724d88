using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rein.Processes;
using Rein.Running;

namespace Rein.Journal;

/// <summary>The journal: recording a run's start, child and end.</summary>
public sealed partial class JournalStore
{
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
                INSERT OR IGNORE INTO runs(id, command, cwd, user_name, rein_pid, rein_start, boot_id, started_at, lock_label, model_label,
                  supervision_id, supervision_attempt, restart_reason, pid_ns, rein_version)
                VALUES ($id, $cmd, $cwd, $user, $pid, $start, $boot, $at, $lock, $model, $sup, $attempt, $reason, $pidns, $ver);
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
            cmd.Parameters.AddWithValue("$pidns", (object?)boot.PidNamespace ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$ver", (object?)start.ReinVersion ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$lock", (object?)start.LockLabel ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$model", (object?)start.ModelLabel ?? DBNull.Value);
            cmd.Parameters.AddWithValue(
                "$sup",
                (object?)start.Supervision?.SupervisionId ?? DBNull.Value
            );
            cmd.Parameters.AddWithValue(
                "$attempt",
                (object?)start.Supervision?.Attempt ?? DBNull.Value
            );
            cmd.Parameters.AddWithValue(
                "$reason",
                (object?)start.Supervision?.RestartReason ?? DBNull.Value
            );
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

    /// <summary>The growth warning of a run still alive, so `rein ps` shows it; an end already recorded keeps its
    /// own copy (which also says whether the warning stopped the run).</summary>
    public void RecordGrowth(string runId, Documents.GrowthDocument growth)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "UPDATE runs SET growth = $growth WHERE id = $id AND ended_at IS NULL;";
        cmd.Parameters.AddWithValue("$id", runId);
        cmd.Parameters.AddWithValue(
            "$growth",
            JsonSerializer.Serialize(growth, Documents.ReinJsonContext.Compact.GrowthDocument)
        );
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
              memory_limit = $mem, cap_method = $method, note = $note, refusal = $refusal,
              failure = $failure, growth = COALESCE($growth, growth)
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
                    v.Unkillable.Select(Documents.UnkillableDocument.From).ToArray(),
                    Documents.ReinJsonContext.Compact.UnkillableDocumentArray
                )
        );
        cmd.Parameters.AddWithValue("$rc", v.ReinExitCode);
        cmd.Parameters.AddWithValue("$mem", (object?)v.MemoryLimitBytes ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$method", (object?)v.CapMethod ?? DBNull.Value);
        cmd.Parameters.AddWithValue(
            "$refusal",
            v.Refusal is { } refusal
                ? JsonSerializer.Serialize(refusal, Documents.ReinJsonContext.Compact.Refusal)
                : DBNull.Value
        );
        cmd.Parameters.AddWithValue(
            "$failure",
            v.Failure is { } failure
                ? JsonSerializer.Serialize(failure, Documents.ReinJsonContext.Compact.RunFailure)
                : DBNull.Value
        );
        cmd.Parameters.AddWithValue(
            "$growth",
            v.Growth is { } growth
                ? JsonSerializer.Serialize(
                    Documents.GrowthDocument.From(growth, v.StoppedForGrowth),
                    Documents.ReinJsonContext.Compact.GrowthDocument
                )
                : DBNull.Value
        );
        cmd.ExecuteNonQuery();
    }
}
