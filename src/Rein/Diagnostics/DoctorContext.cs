using Rein.Journal;
using Rein.Processes;

namespace Rein.Diagnostics;

/// <summary>Everything a check may read: one process-table snapshot shared by all checks, the journal, the
/// time window, the places reports live, and a way to run tools with a timeout.</summary>
public sealed class DoctorContext
{
    public required IProcessTable Table { get; init; }

    public required IReadOnlyList<ProcessInfo> Processes { get; init; }

    public required DateTimeOffset Now { get; init; }

    /// <summary>Panics and crashes newer than this are reported.</summary>
    public required TimeSpan Since { get; init; }

    public required string StateDirectory { get; init; }

    public required string WorkingDirectory { get; init; }

    public required ICommandRunner Tools { get; init; }

    /// <summary>Journal records of runs (open and recent); empty when there is no journal.</summary>
    public IReadOnlyList<RunRecord> Runs { get; init; } = [];

    public string? CurrentBootId { get; init; }

    /// <summary>What checking (and healing) the journal database found before the report: null when not checked.</summary>
    public JournalHealth? JournalHealth { get; init; }

    /// <summary>How the last <c>rein export otlp</c> went; null when it never ran.</summary>
    public Export.Otlp.ExportStatus? OtlpExport { get; init; }

    /// <summary>Open PREs to report (in flight past the threshold, or dead mid-inference within <see cref="Since"/>).</summary>
    public IReadOnlyList<Forensics.Breadcrumbs.OpenInference> Inferences { get; init; } = [];

    /// <summary>macOS DiagnosticReports folders (system and user), including their Retired/ subfolders.</summary>
    public IReadOnlyList<string> DiagnosticReportDirectories { get; init; } = [];

    /// <summary>Linux crash dump folder (/var/crash).</summary>
    public string LinuxCrashDirectory { get; init; } = "/var/crash";

    public bool IsMacOS { get; init; } = OperatingSystem.IsMacOS();

    public bool IsLinux { get; init; } = OperatingSystem.IsLinux();

    public TimeSpan ToolTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the stuck check waits before its second sample.</summary>
    public TimeSpan StuckResample { get; init; } = TimeSpan.FromMilliseconds(150);
}
