using Microsoft.Data.Sqlite;
using Rein.Forensics.Breadcrumbs;
using Rein.Processes;

namespace Rein.Journal;

/// <summary>The journal: breadcrumbs (PRE/POST marks around inferences, see <see cref="BreadcrumbFiles"/>) — their
/// import from the breadcrumb files, and the questions a postmortem or a hang check asks of them.</summary>
public sealed partial class JournalStore
{
    const string CrumbColumns = "at, kind, model, pid, pid_start, run_id, note";

    /// <summary>Moves what <c>rein mark</c> and <see cref="InferenceGuard"/> appended to the breadcrumb files into
    /// the database. Each file is read from where the last import stopped (however long it has grown: nothing is
    /// read up to a limit and dropped), only whole lines; the new position is stored in the same transaction as
    /// the rows, so concurrent importers neither lose nor repeat one. A file is deleted once nothing can append to
    /// it any more: its run has ended, or its caller (pid + start time) is gone. Returns the breadcrumbs added.</summary>
    public int ImportBreadcrumbs(string stateDirectory, IProcessTable table)
    {
        var folder = BreadcrumbFiles.Directory(stateDirectory);
        switch (Config.FileStatus.Of(folder, follow: false))
        {
            case null:
                return 0;
            case { IsSymbolicLink: true }:
                throw Config.StateFile.LinkRefused(folder);
        }

        var names = System
            .IO.Directory.EnumerateFiles(folder, "*" + BreadcrumbFiles.Extension)
            .Select(System.IO.Path.GetFileName)
            .OfType<string>()
            .Where(n =>
                BreadcrumbFiles.RunOf(n) is not null || BreadcrumbFiles.CallerOf(n) is not null
            )
            .ToList();
        if (names.Count == 0)
        {
            return 0;
        }

        // Every reader of the journal comes through here: when no file has grown, no transaction (and no fsync).
        var imported = ImportedOffsets();
        var grown = names
            .Where(n =>
                Probe(System.IO.Path.Combine(folder, n)) is { } now
                && (
                    !imported.TryGetValue(n, out var done)
                    || done.Inode != now.Inode
                    || now.Size != done.Offset
                )
            )
            .ToList();
        var added = 0;
        if (grown.Count > 0)
        {
            Durably(() =>
                InTransaction(() =>
                {
                    foreach (var name in grown)
                    {
                        added += ImportCrumbFile(System.IO.Path.Combine(folder, name), name);
                    }
                })
            );
        }

        foreach (var name in names)
        {
            if (Finished(folder, name, table))
            {
                try
                {
                    File.Delete(System.IO.Path.Combine(folder, name));
                }
                catch (IOException)
                {
                    continue;
                }

                using var forget = _db.CreateCommand();
                forget.CommandText = "DELETE FROM breadcrumb_files WHERE name = $name;";
                forget.Parameters.AddWithValue("$name", name);
                forget.ExecuteNonQuery();
            }
        }

        return added;
    }

    Dictionary<string, (ulong Inode, long Offset)> ImportedOffsets()
    {
        var result = new Dictionary<string, (ulong, long)>(StringComparer.Ordinal);
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT name, inode, offset FROM breadcrumb_files;";
        using var row = cmd.ExecuteReader();
        while (row.Read())
        {
            result[row.GetString(0)] = ((ulong)row.GetInt64(1), row.GetInt64(2));
        }

        return result;
    }

    /// <summary>The file's inode and size; null when it is gone (imported and deleted by another reader).</summary>
    static (ulong Inode, long Size)? Probe(string path)
    {
        try
        {
            return Config.FileStatus.Of(path, follow: false) is { } status
                ? (status.Inode, new FileInfo(path).Length)
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    int ImportCrumbFile(string path, string name)
    {
        if (Probe(path) is not { } file)
        {
            return 0;
        }

        // Read again inside the transaction: another importer may have moved on since the first look.
        long offset = 0;
        using (var get = _db.CreateCommand())
        {
            get.CommandText = "SELECT inode, offset FROM breadcrumb_files WHERE name = $name;";
            get.Parameters.AddWithValue("$name", name);
            using var row = get.ExecuteReader();
            // Another inode, or shorter than what was read: a new file under the old name (the inode number of a
            // deleted file is often reused at once), read from its start.
            if (row.Read() && (ulong)row.GetInt64(0) == file.Inode && row.GetInt64(1) <= file.Size)
            {
                offset = row.GetInt64(1);
            }
        }

        if (Config.StateFile.ReadFrom(path, offset) is not { Length: > 0 } bytes)
        {
            return 0;
        }

        using var insert = _db.CreateCommand();
        insert.CommandText =
            $"INSERT INTO breadcrumbs({CrumbColumns}) VALUES ($at, $kind, $model, $pid, $start, $run, $note);";
        var at = insert.Parameters.Add("$at", SqliteType.Integer);
        var kind = insert.Parameters.Add("$kind", SqliteType.Text);
        var model = insert.Parameters.Add("$model", SqliteType.Text);
        var pid = insert.Parameters.Add("$pid", SqliteType.Integer);
        var start = insert.Parameters.Add("$start", SqliteType.Integer);
        var run = insert.Parameters.Add("$run", SqliteType.Text);
        var note = insert.Parameters.Add("$note", SqliteType.Text);
        var consumed = 0;
        var added = 0;
        var span = bytes.AsSpan();
        while (span[consumed..].IndexOf((byte)'\n') is var nl and >= 0)
        {
            // A line that does not parse is skipped; one not yet ended by a newline waits for the next import.
            if (BreadcrumbLine.Decode(span.Slice(consumed, nl)) is { } b)
            {
                at.Value = b.At.ToUnixTimeMilliseconds();
                kind.Value = Breadcrumb.KindName(b.Kind);
                model.Value = b.Model;
                pid.Value = b.Pid;
                start.Value = (long)b.PidStart;
                run.Value = (object?)b.RunId ?? DBNull.Value;
                note.Value = (object?)b.Note ?? DBNull.Value;
                insert.ExecuteNonQuery();
                added++;
            }

            consumed += nl + 1;
        }

        using var set = _db.CreateCommand();
        set.CommandText =
            "INSERT INTO breadcrumb_files(name, inode, offset) VALUES ($name, $inode, $offset) ON CONFLICT(name) DO UPDATE SET inode = $inode, offset = $offset;";
        set.Parameters.AddWithValue("$inode", (long)file.Inode);
        set.Parameters.AddWithValue("$name", name);
        set.Parameters.AddWithValue("$offset", offset + consumed);
        set.ExecuteNonQuery();
        return added;
    }

    /// <summary>Nothing will append to this file any more: its run has ended (its tree is gone with it), or its
    /// caller has exited. A run this journal does not know (a hand-set REIN_RUN_ID) is done a day after its last
    /// write.</summary>
    bool Finished(string folder, string name, IProcessTable table)
    {
        if (BreadcrumbFiles.CallerOf(name) is { } caller)
        {
            return !Caller.IsAlive(table, caller.Pid, caller.Start);
        }

        using var cmd = _db.CreateCommand();
        cmd.CommandText =
            "SELECT ended_at IS NOT NULL OR unclean_reason IS NOT NULL FROM runs WHERE id = $id;";
        cmd.Parameters.AddWithValue("$id", BreadcrumbFiles.RunOf(name));
        return cmd.ExecuteScalar() switch
        {
            long ended => ended != 0,
            _ => DateTime.UtcNow - File.GetLastWriteTimeUtc(System.IO.Path.Combine(folder, name))
                > TimeSpan.FromDays(1),
        };
    }

    /// <summary>Every breadcrumb of a run, oldest first.</summary>
    public List<Breadcrumb> BreadcrumbsOfRun(string runId) =>
        Crumbs("WHERE run_id = $run ORDER BY id", c => c.Parameters.AddWithValue("$run", runId));

    /// <summary>How many breadcrumbs a run has.</summary>
    public int BreadcrumbCount(string runId)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM breadcrumbs WHERE run_id = $run;";
        cmd.Parameters.AddWithValue("$run", runId);
        return Convert.ToInt32(
            cmd.ExecuteScalar(),
            System.Globalization.CultureInfo.InvariantCulture
        );
    }

    /// <summary>The last <paramref name="count"/> breadcrumbs of a run, oldest first.</summary>
    public List<Breadcrumb> LastBreadcrumbsOfRun(string runId, int count)
    {
        var last = Crumbs(
            "WHERE run_id = $run ORDER BY id DESC LIMIT $n",
            c =>
            {
                c.Parameters.AddWithValue("$run", runId);
                c.Parameters.AddWithValue("$n", count);
            }
        );
        last.Reverse();
        return last;
    }

    /// <summary>Breadcrumbs written in [<paramref name="from"/>, <paramref name="to"/>], any run or none, in the
    /// order they were imported (each caller's in the order written).</summary>
    public List<Breadcrumb> BreadcrumbsBetween(DateTimeOffset from, DateTimeOffset to) =>
        Crumbs(
            "WHERE at >= $from AND at <= $to ORDER BY at, id",
            c =>
            {
                c.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
                c.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
            }
        );

    /// <summary>PREs since <paramref name="since"/> that no POST closed: per caller (pid + start time) and run,
    /// then model, each POST closes the latest open PRE before it. Whether the caller still lives is the
    /// reader's question (<see cref="InferenceWatch"/>).</summary>
    public List<Breadcrumb> OpenPres(DateTimeOffset since)
    {
        // Only callers with an unbalanced or PRE-last sequence can hold an open PRE: a cheap first cut in SQL.
        var crumbs = Crumbs(
            """
            WHERE at >= $since AND (pid, pid_start, COALESCE(run_id, '')) IN (
              SELECT pid, pid_start, COALESCE(run_id, '') FROM breadcrumbs WHERE at >= $since
              GROUP BY pid, pid_start, run_id, model COLLATE NOCASE
              HAVING SUM(kind = 'pre') > SUM(kind = 'post')
                OR MAX(CASE WHEN kind = 'pre' THEN id END) > COALESCE(MAX(CASE WHEN kind = 'post' THEN id END), 0))
            ORDER BY id
            """,
            c => c.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds())
        );
        return BreadcrumbPairing.Unmatched(crumbs);
    }

    /// <summary>With <see cref="Prune"/>: breadcrumbs older than the cut-off, and those of the runs it deletes.</summary>
    void PruneBreadcrumbs(long cutoff, long keepRuns)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = """
            DELETE FROM breadcrumbs WHERE at < $cutoff OR run_id IN (SELECT id FROM runs WHERE started_at < $cutoff
              OR (ended_at IS NOT NULL AND id NOT IN (SELECT id FROM runs ORDER BY started_at DESC LIMIT $keep)));
            """;
        cmd.Parameters.AddWithValue("$cutoff", cutoff);
        cmd.Parameters.AddWithValue("$keep", keepRuns);
        cmd.ExecuteNonQuery();
    }

    List<Breadcrumb> Crumbs(string where, Action<SqliteCommand> bind)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = $"SELECT {CrumbColumns} FROM breadcrumbs {where};";
        bind(cmd);
        using var row = cmd.ExecuteReader();
        var result = new List<Breadcrumb>();
        while (row.Read())
        {
            result.Add(
                new Breadcrumb(
                    DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(0)),
                    Breadcrumb.ParseKind(row.GetString(1)) ?? BreadcrumbKind.Post,
                    row.GetString(2),
                    row.GetInt32(3),
                    (ulong)row.GetInt64(4),
                    row.IsDBNull(5) ? null : row.GetString(5),
                    row.IsDBNull(6) ? null : row.GetString(6)
                )
            );
        }

        return result;
    }
}
