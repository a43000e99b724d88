using Rein.Forensics.Breadcrumbs;
using Rein.Forensics.Panics;
using Rein.Journal;

namespace Rein.Forensics.Postmortem;

/// <summary>Reads a bundle's input from the ledger (panics in the window), the journal (the runs alive in the half
/// hour before each panic) and the journaled breadcrumbs of those half hours.</summary>
public static class PostmortemGatherer
{
    public static PostmortemInput Gather(
        JournalStore store,
        PanicLedger ledger,
        DateTimeOffset since,
        DateTimeOffset now
    )
    {
        var panics = ledger
            .List(since)
            .Select(p => new PostmortemPanic(
                p.Panic.Time,
                p.Panic.Kind,
                p.Panic.SignatureClass,
                p.Panic.Signature,
                p.Panic.File is { } file && File.Exists(file) ? file : null
            ))
            .ToList();
        var runs = new Dictionary<string, RunRecord>(StringComparer.Ordinal);
        var crumbs = new List<PostmortemCrumb>();
        var seen = new HashSet<Breadcrumb>();
        foreach (var panic in panics)
        {
            var from = panic.At - Timeline.Before;
            foreach (var run in store.RunsBetween(from, panic.At))
            {
                runs.TryAdd(run.Id, run);
            }

            foreach (var b in store.BreadcrumbsBetween(from, panic.At).Where(seen.Add))
            {
                crumbs.Add(
                    new PostmortemCrumb(
                        b.At,
                        Breadcrumb.KindName(b.Kind),
                        b.Model,
                        b.Pid,
                        b.RunId,
                        b.Note
                    )
                );
            }
        }

        return new PostmortemInput(
            since,
            now,
            panics,
            [.. runs.Values.OrderBy(r => r.StartedAt)],
            [.. crumbs.OrderBy(c => c.At)]
        );
    }
}
