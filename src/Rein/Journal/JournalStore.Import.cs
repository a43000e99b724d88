using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rein.Processes;
using Rein.Running;

namespace Rein.Journal;

/// <summary>The journal: importing the spool that guarded runs write (see <see cref="JournalSpool"/>).</summary>
public sealed partial class JournalStore
{
    /// <summary>Set when the spool could not be imported because another process holds the database's write lock
    /// (a rein that was stopped with Ctrl-Z mid-import, say). Reads still work — WAL readers never wait for the
    /// writer — they just do not include runs still in the spool.</summary>
    public string? ImportSkipped { get; private set; }

    readonly List<string> _quarantined = [];

    /// <summary>Ends read from the spool that could not be imported (the disk is full, or the database is held by
    /// another process): queries show them, so an ended run is never listed as running meanwhile.</summary>
    readonly Dictionary<string, RunVerdict> _pendingEnds = [];

    List<JournalSpool.Entry> _read = [];

    /// <summary>Spool files this open moved to <c>spool/bad/</c> because they could not be imported (not a regular
    /// file, a link, unreadable, or refused by the database), one note each: a bad file costs one warning, never
    /// every journal verb.</summary>
    public IReadOnlyList<string> Quarantined => _quarantined;

    void TryImportSpool(string stateDirectory)
    {
        // A short wait here: a reader must answer even when a writer is stuck.
        Exec(_db, "PRAGMA busy_timeout = 1500;");
        try
        {
            ImportSpool(JournalSpool.Directory(stateDirectory));
            ImportBreadcrumbs(stateDirectory, ProcessTables.Current);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6) // SQLITE_BUSY, SQLITE_LOCKED
        {
            KeepPendingEnds();
            ImportSkipped =
                "the journal is locked by another rein process (stopped or busy); runs it has not imported yet are missing";
        }
        catch (SqliteException e) when (JournalFiles.IsWriteFailure(e))
        {
            // The transaction rolled back whole and the spool files stay: the next reader with room imports them.
            KeepPendingEnds();
            ImportSkipped =
                $"runs still in the spool are not shown: {JournalFiles.Describe(e, stateDirectory)}";
        }
        finally
        {
            Exec(_db, "PRAGMA busy_timeout = 3000;");
        }
    }

    void KeepPendingEnds()
    {
        foreach (var e in _read)
        {
            if (e is { Start: { } start, End: { } end })
            {
                _pendingEnds[start.RunId] = end;
            }
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
            // Whole, whatever its size: a run's command line can be megabytes long. Opened O_NONBLOCK and checked:
            // a FIFO or a link planted here is moved aside, never waited on or followed.
            string? text;
            try
            {
                text = Config.StateFile.ReadAllText(file);
            }
            catch (IOException e)
            {
                Quarantine(file, e.Message);
                continue;
            }

            if (text is null)
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

        _read = entries;

        // Durable before the spool files go: otherwise a crash right after could lose both copies.
        try
        {
            Durably(() => InTransaction(() => entries.ForEach(Record)));
        }
        catch (SqliteException e)
            when (e.SqliteErrorCode is not (5 or 6) && !JournalFiles.IsWriteFailure(e))
        {
            // One entry the database refuses must not keep the others out: each on its own, the refused moved aside.
            foreach (var entry in entries.ToList())
            {
                try
                {
                    Durably(() => InTransaction(() => Record(entry)));
                }
                catch (SqliteException one)
                    when (one.SqliteErrorCode is not (5 or 6) && !JournalFiles.IsWriteFailure(one))
                {
                    Quarantine(entry.Path, one.Message);
                    entries.Remove(entry);
                }
            }
        }

        foreach (var e in entries)
        {
            if (e.End is not null || Get(e.Start!.RunId) is { State: RunState.Unclean })
            {
                // Only once its guard let go of it: a run judged unclean from another pid namespace may still
                // append its real end.
                JournalSpool.DeleteIfUnheld(e.Path);
            }
        }

        return entries.Count;
    }

    void Record(JournalSpool.Entry e)
    {
        RecordStart(e.Start!, e.Boot!);
        if (e.Child is { } c)
        {
            RecordChild(e.Start!.RunId, c.Pid, c.Start, c.Pgid);
        }

        RecordProcesses(e.Start!.RunId, e.Processes);
        if (e.Growth is { } growth)
        {
            RecordGrowth(e.Start!.RunId, growth);
        }

        if (e.End is { } end)
        {
            RecordEnd(end);
        }
    }

    /// <summary>Moves a spool entry that cannot be imported to <c>spool/bad/</c> (a rename: a link or FIFO moves
    /// as itself, nothing is opened), so it is looked at once instead of failing every reader.</summary>
    void Quarantine(string file, string why)
    {
        try
        {
            var bad = Config.StateDirectory.EnsureFolder(
                System.IO.Path.Combine(System.IO.Path.GetDirectoryName(file)!, "bad")
            );
            var target = System.IO.Path.Combine(bad, System.IO.Path.GetFileName(file));
            File.Move(file, target, overwrite: true);
            _quarantined.Add(
                $"moved spool file {System.IO.Path.GetFileName(file)} to {bad}: {why.TrimEnd('.')}"
            );
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _quarantined.Add(
                $"spool file {file} cannot be imported ({why.TrimEnd('.')}) nor moved aside: {e.Message}"
            );
        }
    }
}
