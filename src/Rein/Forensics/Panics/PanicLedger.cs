using Rein.Journal;

namespace Rein.Forensics.Panics;

/// <summary>
/// The panic ledger over the journal: <see cref="Refresh"/> ingests what the OS reported since the last look
/// (and the suspected panics the journal shows), <see cref="List"/> gives the panics of a window with the runs and
/// models alive at each. Readers call Refresh first: ingestion is lazy (there is no daemon) and cheap on repeat.
/// </summary>
public sealed class PanicLedger(JournalStore store, PanicSources sources, string currentBootId)
{
    /// <summary>Ingests new reports and suspected panics; returns the places that could not be read.</summary>
    public IReadOnlyList<string> Refresh(DateTimeOffset now)
    {
        var scan = PanicScanner.Scan(sources, store.PanicFilesSeen(), currentBootId, now);
        // Suspected panics are derived from the journal on every look; only new ones (or ones whose window has
        // just learned its end) are written, so a clean look takes no write lock.
        var known = store
            .Panics(DateTimeOffset.UnixEpoch, PanicKinds.Suspected)
            .ToDictionary(p => p.Source, StringComparer.Ordinal);
        var suspected = Suspected(
            store.ModelRunsDownWithTheirBoot(currentBootId),
            store.Boots(),
            run => store.LastBreadcrumbsOfRun(run, 1) is [var last] ? last.At : null
        );
        store.RecordPanics(
            [.. scan.Panics, .. suspected.Where(s => !known.ContainsKey(s.Source))],
            scan.Seen,
            now
        );
        foreach (
            var s in suspected.Where(s =>
                s.WindowEnd is not null
                && known.TryGetValue(s.Source, out var k)
                && k.WindowEnd is null
            )
        )
        {
            store.SetPanicWindowEnd(s.Source, s.WindowEnd!.Value);
        }

        return scan.Problems;
    }

    /// <summary>The panics at or after <paramref name="since"/>, oldest first, each with the runs alive then. A
    /// suspected panic with a report in its window is the same crash and is left out.</summary>
    public IReadOnlyList<LedgerPanic> List(DateTimeOffset since)
    {
        var counted = Counted(store.Panics(since - TimeSpan.FromDays(7)))
            .Where(p => p.Time >= since)
            .ToList();
        var boots = store.Boots();
        return
        [
            .. counted.Select(p => new LedgerPanic(
                p,
                AliveAt(store.RunsAround(p.Time), boots, p.Time)
            )),
        ];
    }

    /// <summary>Pure: drops suspected panics whose window holds a report.</summary>
    public static List<PanicRecord> Counted(IReadOnlyList<PanicRecord> panics)
    {
        var reports = panics.Where(p => p.Kind == PanicKinds.Report).ToList();
        return
        [
            .. panics.Where(p =>
                p.Kind != PanicKinds.Suspected
                || !reports.Any(r =>
                    r.Time >= (p.WindowStart ?? p.Time)
                    && (p.WindowEnd is not { } end || r.Time <= end)
                )
            ),
        ];
    }

    /// <summary>Pure: of runs started by <paramref name="t"/>, those alive then — ended after it, or never ended
    /// and their boot had not ended yet (a boot ends when the next one begins).</summary>
    public static List<RunRecord> AliveAt(
        IReadOnlyList<RunRecord> runs,
        IReadOnlyList<(string BootId, DateTimeOffset FirstSeen, DateTimeOffset? LastSeen)> boots,
        DateTimeOffset t
    ) =>
        [
            .. runs.Where(r =>
                r.StartedAt <= t
                && (
                    r.EndedAt is { } ended
                        ? ended >= t
                        : BootEnd(boots, r.BootId) is not { } bootEnd || t <= bootEnd
                )
            ),
        ];

    static DateTimeOffset? BootEnd(
        IReadOnlyList<(string BootId, DateTimeOffset FirstSeen, DateTimeOffset? LastSeen)> boots,
        string bootId
    )
    {
        var index = boots.ToList().FindIndex(b => b.BootId == bootId);
        return index >= 0 && index + 1 < boots.Count ? boots[index + 1].FirstSeen : null;
    }

    /// <summary>Pure: one suspected panic per boot that went down under <c>--model</c> runs (one crash, however
    /// many runs it took with it), at the last sign of life the journal has (the boot's last record, at least the
    /// latest of those runs' starts and their last breadcrumb — a PRE written a moment before the crash is the best
    /// sign of life there is), with the window a real report of the same crash would fall in.</summary>
    public static List<PanicRecord> Suspected(
        IReadOnlyList<RunRecord> downRuns,
        IReadOnlyList<(string BootId, DateTimeOffset FirstSeen, DateTimeOffset? LastSeen)> boots,
        Func<string, DateTimeOffset?>? lastBreadcrumb = null
    )
    {
        var list = new List<PanicRecord>();
        foreach (var group in downRuns.GroupBy(r => r.BootId))
        {
            var runs = group.OrderBy(r => r.StartedAt).ToList();
            var index = boots.ToList().FindIndex(b => b.BootId == group.Key);
            var lastSeen = index >= 0 ? boots[index].LastSeen : null;
            var latestStart = runs[^1].StartedAt;
            var time = lastSeen is { } seen && seen > latestStart ? seen : latestStart;
            foreach (var run in runs)
            {
                if (lastBreadcrumb?.Invoke(run.Id) is { } crumb && crumb > time)
                {
                    time = crumb;
                }
            }
            DateTimeOffset? next =
                index >= 0 && index + 1 < boots.Count ? boots[index + 1].FirstSeen : null;
            var models = string.Join(
                ",",
                runs.Select(r => r.ModelLabel).Distinct(StringComparer.Ordinal)
            );
            list.Add(
                new PanicRecord
                {
                    Source = $"suspected:{runs[0].Id}",
                    Time = time,
                    Kind = PanicKinds.Suspected,
                    SignatureClass = SignatureClasses.Other,
                    Signature =
                        $"the machine went down during {runs.Count} --model run(s) ({models}); no panic report found",
                    BootId = group.Key,
                    WindowStart = runs[0].StartedAt,
                    WindowEnd = next,
                }
            );
        }

        return list;
    }

    /// <summary>The acknowledgements since <paramref name="since"/>.</summary>
    public IReadOnlyList<PanicAck> Acks(DateTimeOffset since) => store.PanicAcks(since);

    public void Acknowledge(DateTimeOffset now, string user) => store.AddPanicAck(now, user);
}
