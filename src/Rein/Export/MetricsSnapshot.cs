namespace Rein.Export;

/// <summary>What an export publishes: the cumulative totals, the runs alive right now, and how many finished runs
/// this export counted for the first time.</summary>
public sealed record MetricsSnapshot(ExportTotals Totals, int RunsAlive, int NewlyCounted);
