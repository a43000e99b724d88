using Rein.Export;

namespace Rein.Documents;

/// <summary>The <c>rein.export.prometheus/1</c> document (<c>rein export prometheus --textfile DIR --json</c>): the
/// file written, its sample count, the runs this export counted for the first time, the runs alive, and the totals
/// behind the counters (by outcome, refusal code and panic kind, in name order).</summary>
public sealed record PrometheusExportDocument(
    string Schema,
    string File,
    int Series,
    int NewlyCounted,
    int RunsAlive,
    IReadOnlyDictionary<string, long> RunsTotal,
    IReadOnlyDictionary<string, long> RefusalsTotal,
    IReadOnlyDictionary<string, long> PanicsTotal
)
{
    public const string SchemaName = "rein.export.prometheus/1";

    public static PrometheusExportDocument From(PrometheusExportResult result) =>
        new(
            SchemaName,
            result.Path,
            result.Series,
            result.Snapshot.NewlyCounted,
            result.Snapshot.RunsAlive,
            result.Snapshot.Totals.Runs,
            result.Snapshot.Totals.Refusals,
            result.Snapshot.Totals.Panics
        );
}
