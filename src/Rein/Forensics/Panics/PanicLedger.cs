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

    /// <summary>Reports this close to the first report of a crash describe that crash. One Linux panic leaves
    /// several (efi-pstore's Part1/Part2 files, the kdump folder, apport's linux-image crash, the previous boot's
    /// kernel log), dated from the panic itself to the next boot's kdump/apport run a few minutes later. A
    /// machine cannot panic, reboot and panic again under Rein within this: the gate refuses --model runs for
    /// hours after a panic.</summary>
    public static readonly TimeSpan SameCrash = TimeSpan.FromMinutes(10);

    /// <summary>Pure: one entry per crash, oldest first. Reports within <see cref="SameCrash"/> of the first
    /// report of a group are one crash (at the first report's time, with the most telling signature of the group);
    /// suspected panics whose window holds a report are that report's crash and are dropped.</summary>
    public static List<PanicRecord> Counted(IReadOnlyList<PanicRecord> panics)
    {
        var reports = panics.Where(p => p.Kind == PanicKinds.Report).OrderBy(p => p.Time).ToList();
        var crashes = new List<PanicRecord>();
        for (var i = 0; i < reports.Count; )
        {
            var first = reports[i];
            var group = reports.Skip(i).TakeWhile(r => r.Time - first.Time <= SameCrash).ToList();
            i += group.Count;
            crashes.Add(Telling(group) with { Time = first.Time });
        }

        return
        [
            .. crashes
                .Concat(
                    panics.Where(p =>
                        p.Kind != PanicKinds.Report
                        && !reports.Any(r =>
                            r.Time >= (p.WindowStart ?? p.Time)
                            && (p.WindowEnd is not { } end || r.Time <= end)
                        )
                    )
                )
                .OrderBy(p => p.Time),
        ];
    }

    /// <summary>Of one crash's reports, the one saying most: a classified signature, else the kernel's own panic
    /// line, else the first.</summary>
    static PanicRecord Telling(List<PanicRecord> group) =>
        group.FirstOrDefault(r => r.SignatureClass != SignatureClasses.Other)
        ?? group.FirstOrDefault(r =>
            r.Signature.StartsWith("Kernel panic", StringComparison.Ordinal)
            || r.Signature.StartsWith("panic(", StringComparison.Ordinal)
        )
        ?? group[0];

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
