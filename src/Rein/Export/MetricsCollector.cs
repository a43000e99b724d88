using Rein.Journal;

namespace Rein.Export;

/// <summary>Reads the journal into a <see cref="MetricsSnapshot"/>: counts the runs and panics that finished since
/// the last export (the cursor), adds them to the totals kept in the journal, and saves both in one transaction.</summary>
public static class MetricsCollector
{
    /// <summary>The journal's meta key holding the totals and cursor of the Prometheus export.</summary>
    public const string StateKey = "export.prometheus";

    /// <summary>Counts what is new and returns the totals. Reconcile the journal first (unclean ends) so runs whose
    /// guard vanished are counted as unclean rather than alive.</summary>
    public static MetricsSnapshot Collect(JournalStore store)
    {
        ExportTotals totals = new();
        var fresh = 0;
        var alive = 0;
        store.Exclusively(() =>
        {
            totals = ExportTotals.FromJson(store.MetaValue(StateKey));
            var overlap = (long)ExportTotals.Overlap.TotalMilliseconds;
            var finished = new List<(string Id, long At)>();
            foreach (var run in store.FinishedSince(Math.Max(0, totals.Cursor - overlap)))
            {
                var at = (run.EndedAt ?? run.UncleanDetectedAt)!.Value.ToUnixTimeMilliseconds();
                finished.Add((run.Id, at));
                if (totals.Recent.Contains(run.Id))
                {
                    continue;
                }

                totals.Count(run);
                fresh++;
            }

            var cursor =
                finished.Count == 0
                    ? totals.Cursor
                    : Math.Max(totals.Cursor, finished.Max(f => f.At));
            var recent = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (id, at) in finished)
            {
                if (at >= cursor - overlap)
                {
                    recent.Add(id);
                }
            }

            totals.Cursor = cursor;
            totals.Recent = recent;
            foreach (var (id, kind) in store.PanicsAfter(totals.PanicId))
            {
                totals.CountPanic(kind);
                totals.PanicId = id;
            }

            store.SetMetaValue(StateKey, totals.ToJson());
            alive = store.OpenRuns().Count;
        });
        return new MetricsSnapshot(totals, alive, fresh);
    }
}
