using Rein.Forensics.Panics;

namespace Rein.Journal;

/// <summary>The journal: the panic ledger (panics, the report files looked at, acknowledgements).</summary>
public sealed partial class JournalStore
{
    /// <summary>Report files already looked at: path → mtime (ms).</summary>
    public Dictionary<string, long> PanicFilesSeen()
    {
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT path, mtime FROM panic_files;";
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            seen[r.GetString(0)] = r.GetInt64(1);
        }

        return seen;
    }

    /// <summary>Adds panics (a source already there is ignored: ingesting twice adds nothing) and remembers the
    /// files looked at, in one transaction. Returns how many panics were new.</summary>
    public int RecordPanics(
        IReadOnlyList<PanicRecord> panics,
        IReadOnlyList<(string Path, long Mtime)> seen,
        DateTimeOffset now
    )
    {
        if (panics.Count == 0 && seen.Count == 0)
        {
            return 0;
        }

        var added = 0;
        InTransaction(() =>
        {
            foreach (var p in panics)
            {
                using var cmd = _db.CreateCommand();
                cmd.CommandText = """
                    INSERT OR IGNORE INTO panics(source, at, kind, signature_class, signature, file, boot_id,
                      window_start, window_end, recorded_at)
                    VALUES ($source, $at, $kind, $class, $sig, $file, $boot, $ws, $we, $now);
                    """;
                cmd.Parameters.AddWithValue("$source", p.Source);
                cmd.Parameters.AddWithValue("$at", p.Time.ToUnixTimeMilliseconds());
                cmd.Parameters.AddWithValue("$kind", p.Kind);
                cmd.Parameters.AddWithValue("$class", p.SignatureClass);
                cmd.Parameters.AddWithValue("$sig", p.Signature);
                cmd.Parameters.AddWithValue("$file", (object?)p.File ?? DBNull.Value);
                cmd.Parameters.AddWithValue("$boot", (object?)p.BootId ?? DBNull.Value);
                cmd.Parameters.AddWithValue(
                    "$ws",
                    (object?)p.WindowStart?.ToUnixTimeMilliseconds() ?? DBNull.Value
                );
                cmd.Parameters.AddWithValue(
                    "$we",
                    (object?)p.WindowEnd?.ToUnixTimeMilliseconds() ?? DBNull.Value
                );
                cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
                added += cmd.ExecuteNonQuery();
            }

            foreach (var (path, mtime) in seen)
            {
                using var cmd = _db.CreateCommand();
                cmd.CommandText =
                    "INSERT OR REPLACE INTO panic_files(path, mtime) VALUES ($path, $mtime);";
                cmd.Parameters.AddWithValue("$path", path);
                cmd.Parameters.AddWithValue("$mtime", mtime);
                cmd.ExecuteNonQuery();
            }
        });
        return added;
    }

    /// <summary>A suspected panic learns its window's end once the next boot has a record.</summary>
    public void SetPanicWindowEnd(string source, DateTimeOffset end)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText =
            "UPDATE panics SET window_end = $end WHERE source = $source AND window_end IS NULL;";
        cmd.Parameters.AddWithValue("$end", end.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$source", source);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Every panic in the ledger (of <paramref name="kind"/>, if given) at or after <paramref name="since"/>, oldest first.</summary>
    public List<PanicRecord> Panics(DateTimeOffset since, string? kind = null)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = """
            SELECT id, source, at, kind, signature_class, signature, file, boot_id, window_start, window_end
            FROM panics WHERE at >= $since AND ($kind IS NULL OR kind = $kind) ORDER BY at, id;
            """;
        cmd.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$kind", (object?)kind ?? DBNull.Value);
        using var r = cmd.ExecuteReader();
        var list = new List<PanicRecord>();
        while (r.Read())
        {
            list.Add(
                new PanicRecord
                {
                    Id = r.GetInt64(0),
                    Source = r.GetString(1),
                    Time = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)),
                    Kind = r.GetString(3),
                    SignatureClass = r.GetString(4),
                    Signature = r.GetString(5),
                    File = r.IsDBNull(6) ? null : r.GetString(6),
                    BootId = r.IsDBNull(7) ? null : r.GetString(7),
                    WindowStart = r.IsDBNull(8)
                        ? null
                        : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)),
                    WindowEnd = r.IsDBNull(9)
                        ? null
                        : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(9)),
                }
            );
        }

        return list;
    }

    /// <summary>Runs with a model label that never ended and were recorded under another boot than
    /// <paramref name="currentBootId"/>: the machine went down under them (marked so, or not yet reconciled).</summary>
    public List<RunRecord> ModelRunsDownWithTheirBoot(string currentBootId) =>
        Query(
            "WHERE model_label IS NOT NULL AND ended_at IS NULL AND boot_id != $boot "
                + "AND (unclean_reason IS NULL OR unclean_reason = $down) ORDER BY started_at",
            cmd =>
            {
                cmd.Parameters.AddWithValue("$boot", currentBootId);
                cmd.Parameters.AddWithValue("$down", UncleanReasons.MachineWentDown);
            }
        );

    /// <summary>Runs that may have been alive at <paramref name="at"/>: started by then, and ended after it or never.</summary>
    public List<RunRecord> RunsAround(DateTimeOffset at) =>
        Query(
            "WHERE started_at <= $at AND (ended_at IS NULL OR ended_at >= $at) ORDER BY started_at",
            cmd => cmd.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds())
        );

    /// <summary>The runs alive at some moment of [<paramref name="from"/>, <paramref name="to"/>] (an unended run
    /// counts as alive), oldest first: the runs a postmortem shows around a panic.</summary>
    public List<RunRecord> RunsBetween(DateTimeOffset from, DateTimeOffset to) =>
        Query(
            "WHERE started_at <= $to AND (ended_at IS NULL OR ended_at >= $from) ORDER BY started_at",
            cmd =>
            {
                cmd.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
                cmd.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
            }
        );

    /// <summary>The boots the journal saw: id, first and last record.</summary>
    public List<(string BootId, DateTimeOffset FirstSeen, DateTimeOffset? LastSeen)> Boots()
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT boot_id, first_seen, last_seen FROM boots ORDER BY first_seen;";
        using var r = cmd.ExecuteReader();
        var list = new List<(string, DateTimeOffset, DateTimeOffset?)>();
        while (r.Read())
        {
            list.Add(
                (
                    r.GetString(0),
                    DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)),
                    r.IsDBNull(2) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2))
                )
            );
        }

        return list;
    }

    public void AddPanicAck(DateTimeOffset at, string user)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "INSERT INTO panic_acks(at, user_name) VALUES ($at, $user);";
        cmd.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$user", user);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Acknowledgements at or after <paramref name="since"/>, oldest first.</summary>
    public List<PanicAck> PanicAcks(DateTimeOffset since)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText =
            "SELECT id, at, user_name FROM panic_acks WHERE at >= $since ORDER BY at, id;";
        cmd.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        using var r = cmd.ExecuteReader();
        var list = new List<PanicAck>();
        while (r.Read())
        {
            list.Add(
                new PanicAck(
                    r.GetInt64(0),
                    DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)),
                    r.GetString(2)
                )
            );
        }

        return list;
    }
}
