using Rein.Diagnostics;

namespace Rein.Forensics.Panics;

/// <summary>Where panics are looked for. Every place can be pointed elsewhere (tests, copied reports):
/// <c>REIN_DIAGNOSTIC_REPORTS</c> (the macOS reports folder, read on any OS when set), <c>REIN_PSTORE_DIR</c>,
/// <c>REIN_CRASH_DIR</c>, and <c>REIN_PREVIOUS_KERNEL_LOG</c> (a file holding the previous boot's kernel log
/// instead of asking journalctl, or <c>off</c>).</summary>
public sealed record PanicSources
{
    /// <summary>macOS DiagnosticReports folders; their Retired/ subfolders are read too.</summary>
    public IReadOnlyList<string> ReportDirectories { get; init; } = [];

    public string? PstoreDirectory { get; init; }

    public string? CrashDirectory { get; init; }

    /// <summary>The previous boot's kernel log (null when unavailable: no journal, no permission).</summary>
    public Func<string?>? PreviousBootKernelLog { get; init; }

    public static PanicSources FromEnvironment(Func<string, string?> env)
    {
        var home = env("HOME") ?? "";
        IReadOnlyList<string> reports =
            env("REIN_DIAGNOSTIC_REPORTS") is { Length: > 0 } r ? [r]
            : OperatingSystem.IsMacOS()
                ?
                [
                    "/Library/Logs/DiagnosticReports",
                    Path.Combine(home, "Library/Logs/DiagnosticReports"),
                ]
            : [];
        if (!OperatingSystem.IsLinux())
        {
            return new PanicSources { ReportDirectories = reports };
        }

        var log = env("REIN_PREVIOUS_KERNEL_LOG");
        return new PanicSources
        {
            ReportDirectories = reports,
            PstoreDirectory = env("REIN_PSTORE_DIR") is { Length: > 0 } p ? p : "/sys/fs/pstore",
            CrashDirectory = env("REIN_CRASH_DIR") is { Length: > 0 } c ? c : "/var/crash",
            PreviousBootKernelLog = log switch
            {
                "off" => null,
                { Length: > 0 } file => () => File.Exists(file) ? File.ReadAllText(file) : null,
                _ => JournalctlPreviousBoot,
            },
        };
    }

    /// <summary>Only the kernel's lines of the previous boot; a missing journalctl, no previous boot or no
    /// permission is not an error (most machines keep no persistent journal).</summary>
    static string? JournalctlPreviousBoot()
    {
        var output = new CommandRunner().Run(
            "journalctl",
            ["-k", "-b", "-1", "-o", "short-iso-precise", "--no-pager", "-q"],
            TimeSpan.FromSeconds(5)
        );
        return output.Ok ? output.Stdout : null;
    }
}
