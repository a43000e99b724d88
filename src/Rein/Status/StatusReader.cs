using Rein.Cadence;
using Rein.Config;
using Rein.Forensics.Panics;
using Rein.Journal;
using Rein.Locking;
using Rein.Models;
using Rein.Processes;
using Rein.Supervision;

namespace Rein.Status;

/// <summary>Builds <see cref="StatusDocument"/> from the state directory. Read-only apart from what every reader
/// does (importing the spool, marking unclean ends, refreshing the panic ledger); never throws for a section it
/// cannot read: the section stays empty and the reason goes to <see cref="StatusDocument.Problems"/>.</summary>
public static class StatusReader
{
    public static StatusDocument Read(
        string stateDirectory,
        IProcessTable table,
        BootIdentity boot,
        EffectiveConfig config,
        PanicSources panicSources,
        DateTimeOffset now
    )
    {
        var problems = new List<string>();
        T Section<T>(string name, T empty, Func<T> read)
        {
            try
            {
                return read();
            }
            catch (Exception e)
                when (e
                        is JournalException
                            or StateDirectoryException
                            or IOException
                            or UnauthorizedAccessException
                            or Microsoft.Data.Sqlite.SqliteException
                )
            {
                problems.Add($"{name}: {e.Message}");
                return empty;
            }
        }

        IReadOnlyList<StatusRun> runs = [];
        StatusPanic? lastPanic = null;
        StatusGate gate = new("clear", null, null, null);
        Section(
            "journal",
            false,
            () =>
            {
                using var store = JournalStore.Open(stateDirectory);
                if (store.ImportSkipped is null)
                {
                    store.Reconcile(boot, table, now);
                }

                runs = [.. store.OpenRuns().Select(r => Run(r, now))];
                gate = Gate(store, stateDirectory, boot, config, panicSources, now, problems);
                lastPanic = store.Panics(DateTimeOffset.MinValue).MaxBy(p => p.Time) is { } p
                    ? new StatusPanic(p.Time, p.Kind, p.SignatureClass, p.Signature)
                    : null;
                return true;
            }
        );

        var locks = Section<IReadOnlyList<StatusLock>>(
            "locks",
            [],
            () =>
            {
                var directory = new LockDirectory(stateDirectory, table);
                return [.. directory.List().Select(l => Lock(l, directory.SlotCount(l.Name)))];
            }
        );
        var blocks = Section<IReadOnlyList<StatusBlock>>(
            "cadence",
            [],
            () =>
                [
                    .. new CadenceGuard(stateDirectory, CadencePolicy.FromConfig(config))
                        .Status()
                        .Windows.Where(w => w.Until > now)
                        .Select(w => new StatusBlock(
                            w.Scope,
                            CadenceBlock.RuleName(w.Rule),
                            w.After.Model,
                            w.Until,
                            (long)(w.Until - now).TotalMilliseconds
                        )),
                ]
        );
        var supervisors = Section<IReadOnlyList<StatusSupervisor>>(
            "supervisors",
            [],
            () =>
                [
                    .. SupervisionStatusFile
                        .ReadAlive(stateDirectory, table)
                        .Select(s => new StatusSupervisor(
                            s.SupervisionId,
                            CommandText.Join(s.Command),
                            s.State,
                            s.Restarts,
                            s.WorkerPid,
                            s.StartedAt
                        )),
                ]
        );
        return new StatusDocument(now, runs, locks, blocks, gate, supervisors, lastPanic, problems);
    }

    static StatusRun Run(RunRecord r, DateTimeOffset now) =>
        new(
            r.Id,
            r.CommandLine,
            CommandText.Escape(r.WorkingDirectory),
            r.ReinPid,
            r.ChildPid,
            r.StartedAt,
            (long)(now - r.StartedAt).TotalMilliseconds,
            r.LockLabel,
            r.ModelLabel
        );

    static StatusLock Lock(
        (string Name, IReadOnlyList<SlotStatus> Slots, IReadOnlyList<LockHolder> Waiters) l,
        int? recorded
    )
    {
        var held = l.Slots.Where(s => s.Held).ToList();
        return new StatusLock(
            l.Name,
            Math.Max(recorded ?? 0, l.Slots.Count),
            held.Count,
            [
                .. held.Select(s => new StatusHolder(
                    s.Slot,
                    s.Holder?.RunId,
                    s.Holder?.Pid,
                    s.Holder?.Command,
                    s.Holder?.HeldSince
                )),
            ],
            l.Waiters.Count
        );
    }

    /// <summary>The gate as a model load meets it: a person's hold first, then the kill switch, then the staircase.</summary>
    static StatusGate Gate(
        JournalStore store,
        string stateDirectory,
        BootIdentity boot,
        EffectiveConfig config,
        PanicSources sources,
        DateTimeOffset now,
        List<string> problems
    )
    {
        var (hold, holdProblem) = new LoadHoldStore(stateDirectory).Read(now);
        if (holdProblem is not null)
        {
            problems.Add($"gate hold: {holdProblem}");
        }

        if (hold is not null)
        {
            return new StatusGate("held", "hold", hold.Until, hold.Reason);
        }

        if (!config.Flag(Settings.PanicGateEnabled))
        {
            return new StatusGate("off", null, null, null);
        }

        var report = PanicGateCheck.Run(
            store,
            sources,
            boot.BootId,
            PanicGatePolicy.FromConfig(config),
            now
        );
        problems.AddRange(report.Problems.Select(p => $"panics: {p}"));
        var v = report.Verdict;
        return new StatusGate(v.State.ToString().ToLowerInvariant(), v.Rule, v.Until, null);
    }
}

/// <summary>Writes <c>rein.status/1</c> to a file a dashboard reads: the whole document or nothing, replaced
/// atomically (a temporary file beside it, renamed over it), so a reader never sees half of one.</summary>
public static class StatusFile
{
    /// <exception cref="IOException">The folder does not exist or cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">Not permitted.</exception>
    public static void Write(string path, StatusDocument document)
    {
        var full = Path.GetFullPath(path);
        var temp = Path.Combine(
            Path.GetDirectoryName(full)!,
            $".{Path.GetFileName(full)}.tmp-{Environment.ProcessId}"
        );
        try
        {
            using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                System.Text.Json.JsonSerializer.Serialize(
                    f,
                    document,
                    Documents.ReinJsonContext.Readable.StatusDocument
                );
                f.WriteByte((byte)'\n');
                f.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
