using System.Text;
using System.Text.Json;
using Rein.Journal;
using Rein.Running;

namespace Rein.Export;

/// <summary>Everything counted since the journal was first exported: the totals behind the <c>rein_*</c> counters
/// and histograms. Kept in the journal (never recomputed from the runs), so pruning old runs never makes a counter
/// go down, and each finished run is counted once however often the exporter runs.</summary>
public sealed class ExportTotals
{
    /// <summary>Upper bounds of the run-duration histogram, in seconds.</summary>
    public static readonly IReadOnlyList<double> DurationBounds =
    [
        0.1,
        1,
        10,
        60,
        300,
        900,
        3600,
        14400,
    ];

    /// <summary>Upper bounds of the peak-memory histogram, in bytes (16 MiB to 64 GiB, ×4).</summary>
    public static readonly IReadOnlyList<double> PeakMemoryBounds =
    [
        16.0 * (1 << 20),
        64.0 * (1 << 20),
        256.0 * (1 << 20),
        1024.0 * (1 << 20),
        4096.0 * (1 << 20),
        16384.0 * (1 << 20),
        65536.0 * (1 << 20),
    ];

    /// <summary>The outcome label of a run whose guard vanished (the journal marked it unclean).</summary>
    public const string Unclean = "unclean";

    /// <summary>The label value for anything outside the known set: labels stay few whatever the journal holds.</summary>
    public const string Other = "other";

    /// <summary>Every outcome label, exported (at zero) from the start so rate() works from the first run.</summary>
    public static readonly IReadOnlyList<string> Outcomes =
    [
        .. Enum.GetValues<RunOutcome>().Select(o => o.ToWire()),
        Unclean,
        Other,
    ];

    /// <summary>Panic kinds (report: the OS wrote a panic report; suspected: a --model run was alive when the
    /// machine went down).</summary>
    public static readonly IReadOnlyList<string> PanicKinds =
    [
        Forensics.Panics.PanicKinds.Report,
        Forensics.Panics.PanicKinds.Suspected,
    ];

    /// <summary>How far back each export looks again for runs that finished before the cursor but were written
    /// after it (a run's end time is taken before its record is written).</summary>
    internal static readonly TimeSpan Overlap = TimeSpan.FromMinutes(10);

    public SortedDictionary<string, long> Runs { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, long> Refusals { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, long> Panics { get; } = new(StringComparer.Ordinal);

    public Histogram Duration { get; } = new(DurationBounds);

    public Histogram PeakMemory { get; } = new(PeakMemoryBounds);

    /// <summary>The latest finish time (ms) counted.</summary>
    internal long Cursor { get; set; }

    /// <summary>Runs counted that finished within <see cref="Overlap"/> of the cursor (so a second look skips them).</summary>
    internal HashSet<string> Recent { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The highest panic id counted.</summary>
    internal long PanicId { get; set; }

    public ExportTotals()
    {
        foreach (var o in Outcomes)
        {
            Runs[o] = 0;
        }

        foreach (var k in PanicKinds)
        {
            Panics[k] = 0;
        }
    }

    /// <summary>Counts one finished run.</summary>
    public void Count(RunRecord run)
    {
        var outcome =
            run.State == RunState.Unclean ? Unclean
            : run.Outcome is { } o && RunOutcomeNames.FromWire(o) is not null ? o
            : Other;
        Runs[outcome] = Runs.GetValueOrDefault(outcome) + 1;
        if (outcome == RunOutcome.Refused.ToWire())
        {
            var reason = LabelValue(run.Refusal?.Code);
            Refusals[reason] = Refusals.GetValueOrDefault(reason) + 1;
            return; // nothing ran: no duration, no memory
        }

        if (run.DurationMs is { } ms && ms >= 0)
        {
            Duration.Observe(ms / 1000.0);
        }

        if (run.PeakRssBytes is { } peak && peak > 0) // 0: never measured (start failed)
        {
            PeakMemory.Observe(peak);
        }
    }

    public void CountPanic(string kind)
    {
        var k = PanicKinds.Contains(kind) ? kind : Other;
        Panics[k] = Panics.GetValueOrDefault(k) + 1;
    }

    /// <summary>A refusal code as a label value: snake_case of at most 40 characters, else "other".</summary>
    static string LabelValue(string? code) =>
        code is { Length: > 0 and <= 40 } && code.All(c => c is (>= 'a' and <= 'z') or '_')
            ? code
            : Other;

    /// <summary>The saved totals are private state (read back only by <see cref="FromJson"/>), not a public
    /// document: they stay out of <see cref="Documents.ReinJsonContext"/>.</summary>
    internal string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("version", 1);
            w.WriteNumber("cursor", Cursor);
            w.WriteNumber("panic_id", PanicId);
            w.WriteStartArray("recent");
            foreach (var id in Recent.Order(StringComparer.Ordinal))
            {
                w.WriteStringValue(id);
            }

            w.WriteEndArray();
            WriteCounts(w, "runs", Runs);
            WriteCounts(w, "refusals", Refusals);
            WriteCounts(w, "panics", Panics);
            WriteHistogram(w, "duration", Duration);
            WriteHistogram(w, "peak_memory", PeakMemory);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The saved totals; fresh ones when there are none or they cannot be read (counters then restart,
    /// which Prometheus handles as a reset).</summary>
    internal static ExportTotals FromJson(string? json)
    {
        var totals = new ExportTotals();
        if (json is null)
        {
            return totals;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.GetProperty("version").GetInt32() != 1)
            {
                return new ExportTotals();
            }

            totals.Cursor = root.GetProperty("cursor").GetInt64();
            totals.PanicId = root.GetProperty("panic_id").GetInt64();
            totals.Recent = new HashSet<string>(
                root.GetProperty("recent").EnumerateArray().Select(e => e.GetString() ?? ""),
                StringComparer.Ordinal
            );
            ReadCounts(root.GetProperty("runs"), totals.Runs);
            ReadCounts(root.GetProperty("refusals"), totals.Refusals);
            ReadCounts(root.GetProperty("panics"), totals.Panics);
            ReadHistogram(root.GetProperty("duration"), totals.Duration);
            ReadHistogram(root.GetProperty("peak_memory"), totals.PeakMemory);
            return totals;
        }
        catch (Exception e)
            when (e
                    is JsonException
                        or KeyNotFoundException
                        or InvalidOperationException
                        or FormatException
            )
        {
            return new ExportTotals();
        }
    }

    static void WriteCounts(Utf8JsonWriter w, string name, SortedDictionary<string, long> counts)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in counts)
        {
            w.WriteNumber(k, v);
        }

        w.WriteEndObject();
    }

    static void ReadCounts(JsonElement e, SortedDictionary<string, long> counts)
    {
        foreach (var p in e.EnumerateObject())
        {
            counts[p.Name] = p.Value.GetInt64();
        }
    }

    static void WriteHistogram(Utf8JsonWriter w, string name, Histogram h)
    {
        w.WriteStartObject(name);
        w.WriteStartArray("counts");
        foreach (var c in h.Counts)
        {
            w.WriteNumberValue(c);
        }

        w.WriteEndArray();
        w.WriteNumber("sum", h.Sum);
        w.WriteNumber("count", h.Count);
        w.WriteEndObject();
    }

    static void ReadHistogram(JsonElement e, Histogram h) =>
        h.Restore(
            [.. e.GetProperty("counts").EnumerateArray().Select(c => c.GetInt64())],
            e.GetProperty("sum").GetDouble(),
            e.GetProperty("count").GetInt64()
        );
}
