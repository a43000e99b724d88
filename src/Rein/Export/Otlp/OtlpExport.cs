using System.Diagnostics;
using Rein.Journal;

namespace Rein.Export.Otlp;

/// <summary>What one <see cref="OtlpExport.Ship"/> did.</summary>
/// <param name="Endpoint">Where the spans went.</param>
/// <param name="Shipped">Runs the collector accepted.</param>
/// <param name="Queued">Runs left for the next export (the collector failed, or the budget ran out).</param>
/// <param name="Error">Why the export stopped early; null when everything shipped.</param>
public sealed record OtlpExportResult(string Endpoint, int Shipped, int Queued, string? Error);

/// <summary>
/// Ships finished runs from the journal to an OpenTelemetry collector over OTLP/HTTP (protobuf), one span per run
/// (<see cref="RunSpan"/>), in batches of 512. The journal is the buffer: a cursor in it (meta key
/// <see cref="StateKey"/>) moves past a run only once the collector accepted the batch that held it, so a collector
/// that is down, slow or failing loses nothing: the next export ships it.
/// </summary>
public static class OtlpExport
{
    /// <summary>The journal's meta key holding the export's cursor.</summary>
    public const string StateKey = "export.otlp";

    const int BatchSize = 512;

    /// <summary>The export at the end of a run (<c>telemetry.at_run_end</c>): whatever waits, within
    /// <paramref name="budget"/> counted from now, journal included. Never throws and never says anything: a run's
    /// outcome does not depend on the collector, and <c>rein doctor</c> reports exports that keep failing.</summary>
    /// <returns>What was done; null when no collector is configured or the journal could not be read.</returns>
    public static OtlpExportResult? AtRunEnd(
        string stateDirectory,
        string? configuredEndpoint,
        TimeSpan budget,
        bool commandLines
    )
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var settings =
                OtlpSettings.Resolve(null, Environment.GetEnvironmentVariable)
                ?? OtlpSettings.Resolve(configuredEndpoint, Environment.GetEnvironmentVariable);
            if (settings is null)
            {
                return null;
            }

            using var store = JournalStore.Open(stateDirectory);
            if (settings.TracesEndpoint.Scheme != "http")
            {
                // Say it where someone looks (rein doctor), not on every run's stderr.
                var refused = new OtlpExportResult(
                    settings.TracesEndpoint.AbsoluteUri,
                    0,
                    0,
                    $"{settings.TracesEndpoint.Scheme}:// is not supported (run a collector at http://localhost:4318)"
                );
                ExportStatus.Record(store, refused, DateTimeOffset.UtcNow);
                return refused;
            }

            var left = budget - clock.Elapsed;
            return left <= TimeSpan.Zero ? null : Ship(store, settings, left, commandLines);
        }
        catch (Exception e)
            when (e
                    is FormatException
                        or JournalException
                        or Microsoft.Data.Sqlite.SqliteException
                        or IOException
                        or UnauthorizedAccessException
            )
        {
            return null;
        }
    }

    /// <param name="store">The journal (reconciled first, so vanished guards count as unclean runs).</param>
    /// <param name="settings">The collector.</param>
    /// <param name="budget">The whole export's time.</param>
    /// <param name="commandLines">Send whole command lines (<c>telemetry.command_lines</c>).</param>
    /// <param name="since">How far back a journal's first export looks (default one day). Later exports always go
    /// on from the cursor: a window there would skip queued runs for good, or send shipped ones again.</param>
    public static OtlpExportResult Ship(
        JournalStore store,
        OtlpSettings settings,
        TimeSpan budget,
        bool commandLines = false,
        TimeSpan? since = null
    )
    {
        var clock = Stopwatch.StartNew();
        var cursor = ExportCursor.FromJson(store.MetaValue(StateKey));
        var overlap = (long)ExportTotals.Overlap.TotalMilliseconds;
        var from =
            cursor.At > 0
                ? Math.Max(0, cursor.At - overlap)
                : DateTimeOffset
                    .UtcNow.Add(-(since ?? TimeSpan.FromDays(1)))
                    .ToUnixTimeMilliseconds();
        var runs = store.FinishedSince(from).Where(r => !cursor.Recent.ContainsKey(r.Id)).ToList();
        var endpoint = settings.TracesEndpoint.AbsoluteUri;

        var shipped = 0;
        string? error = null;
        var version = ReinVersion.Text;
        foreach (var page in runs.Chunk(BatchSize))
        {
            var left = budget - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                error = $"the {budget.TotalMilliseconds:0} ms budget ran out";
                break;
            }

            var spans = page.Select(r => RunSpan.From(r, commandLines)).OfType<OtlpSpan>();
            var body = OtlpTraceEncoder.Encode(settings.Resource, "rein", version, spans);
            if (
                OtlpHttpSender.Post(settings.TracesEndpoint, settings.Headers, body, left) is
                { } failed
            )
            {
                error = $"{endpoint}: {failed}";
                break;
            }

            shipped += page.Length;
            cursor.Advance(page, overlap);
            store.SetMetaValue(StateKey, cursor.ToJson());
        }

        // Panics the ledger holds that no export shipped yet: a span each, in one request.
        if (error is null)
        {
            var panics = store
                .Panics(DateTimeOffset.MinValue)
                .Where(p => p.Id > cursor.PanicId)
                .OrderBy(p => p.Id)
                .ToList();
            var left = budget - clock.Elapsed;
            if (panics.Count > 0 && left <= TimeSpan.Zero)
            {
                error = $"the {budget.TotalMilliseconds:0} ms budget ran out before the panics";
            }
            else if (panics.Count > 0)
            {
                var body = OtlpTraceEncoder.Encode(
                    settings.Resource,
                    "rein",
                    version,
                    panics.Select(RunSpan.FromPanic)
                );
                if (
                    OtlpHttpSender.Post(settings.TracesEndpoint, settings.Headers, body, left) is
                    { } failed
                )
                {
                    error = $"{endpoint}: {failed}";
                }
                else
                {
                    cursor.PanicId = panics[^1].Id;
                    store.SetMetaValue(StateKey, cursor.ToJson());
                }
            }
        }

        // Metrics: the cumulative totals every export shares (a run is counted once, whichever export sees it
        // first), sent whole each time, so a failed send loses nothing either.
        if (error is null && settings.MetricsEndpoint is { } metricsEndpoint)
        {
            var snapshot = MetricsCollector.Collect(store);
            var now = DateTimeOffset.UtcNow;
            if (cursor.MetricsStart == 0)
            {
                cursor.MetricsStart = now.ToUnixTimeMilliseconds();
                store.SetMetaValue(StateKey, cursor.ToJson());
            }

            var left = budget - clock.Elapsed;

            var body = OtlpMetricsEncoder.Encode(
                settings.Resource,
                version,
                snapshot,
                DateTimeOffset.FromUnixTimeMilliseconds(cursor.MetricsStart),
                now
            );
            if (left <= TimeSpan.Zero)
            {
                error = $"the {budget.TotalMilliseconds:0} ms budget ran out before the metrics";
            }
            else if (
                OtlpHttpSender.Post(metricsEndpoint, settings.MetricsHeaders, body, left) is
                { } failed
            )
            {
                error = $"{metricsEndpoint.AbsoluteUri}: {failed}";
            }
        }

        var result = new OtlpExportResult(endpoint, shipped, runs.Count - shipped, error);
        ExportStatus.Record(store, result, DateTimeOffset.UtcNow);
        return result;
    }
}
