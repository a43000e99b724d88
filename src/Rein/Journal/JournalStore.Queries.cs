using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rein.Processes;
using Rein.Running;

namespace Rein.Journal;

/// <summary>The journal: reading runs back.</summary>
public sealed partial class JournalStore
{
    /// <summary>Runs whose end is not recorded and that are not (yet) known to be unclean.</summary>
    public List<RunRecord> OpenRuns() =>
        [
            .. Query(
                    "WHERE ended_at IS NULL AND unclean_reason IS NULL ORDER BY started_at DESC",
                    _ => { }
                )
                .Where(r => r.State == RunState.Running),
        ];

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

    /// <summary>The record with the end its spool file holds, when that end could not be imported yet.</summary>
    RunRecord WithPendingEnd(RunRecord r) =>
        r.EndedAt is null && _pendingEnds.TryGetValue(r.Id, out var v)
            ? r with
            {
                EndedAt = v.StartedAt + v.Duration,
                Outcome = v.Outcome.ToWire(),
                ExitCode = v.ExitCode,
                Signal = v.Signal,
                DurationMs = (long)v.Duration.TotalMilliseconds,
                PeakRssBytes = v.PeakRssBytes,
                PidsKilled = [.. v.PidsKilled],
                ReinExitCode = v.ReinExitCode,
                MemoryLimitBytes = v.MemoryLimitBytes,
                CapMethod = v.CapMethod,
                Note = v.StartFailure?.Message,
                Refusal = v.Refusal,
                Failure = v.Failure,
                Growth = v.Growth is { } g
                    ? Documents.GrowthDocument.From(g, v.StoppedForGrowth)
                    : r.Growth,
            }
            : r;

    List<RunRecord> Query(string tail, Action<SqliteCommand> bind)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText =
            """
                SELECT id, command, cwd, user_name, rein_pid, rein_start, child_pid, child_start, pgid, boot_id, started_at,
                  ended_at, outcome, exit_code, signal, duration_ms, peak_rss, pids_killed, unkillable, lock_label, model_label,
                  unclean_reason, unclean_detected_at, rein_exit_code, memory_limit, cap_method, note, refusal,
                  supervision_id, supervision_attempt, restart_reason, failure, pid_ns, growth, rein_version
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
                    Refusal = r.IsDBNull(27) ? null : RunRecord.ParseRefusal(r.GetString(27)),
                    Supervision = r.IsDBNull(28)
                        ? null
                        : new Running.SupervisionLink(
                            r.GetString(28),
                            r.IsDBNull(29) ? 0 : r.GetInt32(29),
                            r.IsDBNull(30) ? null : r.GetString(30)
                        ),
                    Failure = r.IsDBNull(31) ? null : RunRecord.ParseFailure(r.GetString(31)),
                    PidNamespace = r.IsDBNull(32) ? null : r.GetInt64(32),
                    Growth = r.IsDBNull(33) ? null : RunRecord.ParseGrowth(r.GetString(33)),
                    ReinVersion = r.IsDBNull(34) ? null : r.GetString(34),
                }
            );
        }

        return _pendingEnds.Count == 0 ? list : [.. list.Select(WithPendingEnd)];
    }
}
