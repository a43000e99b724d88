using Rein.Journal;

namespace Rein.Export;

/// <summary>What one <see cref="PrometheusExport.ToTextfile"/> did: the file written and what it holds.</summary>
public sealed record PrometheusExportResult(string Path, MetricsSnapshot Snapshot, int Series);

/// <summary>The journal's verdicts as Prometheus metrics in a textfile for node_exporter (<c>rein export prometheus</c>).</summary>
public static class PrometheusExport
{
    /// <summary>Checks the folder, counts what finished since the last export, and writes
    /// <paramref name="directory"/>/rein.prom atomically.</summary>
    /// <exception cref="TextfileException">The folder is missing, not a folder, or cannot be written.</exception>
    public static PrometheusExportResult ToTextfile(JournalStore store, string directory)
    {
        Textfile.Check(directory);
        var snapshot = MetricsCollector.Collect(store);
        var text = PrometheusText.Render(snapshot);
        var path = Textfile.Write(directory, text);
        var series = text.Split('\n').Count(l => l.Length > 0 && l[0] != '#');
        return new PrometheusExportResult(path, snapshot, series);
    }
}
