using System.Text.RegularExpressions;
using Rein.Tests.Support;

namespace Rein.Tests.Journal;

/// <summary>G4 and issue 20 item 11, watched with strace(1): the run's start line is written to its spool file, that
/// file is fsync'd and then the spool folder (by the folder's own descriptor), all before any process is started;
/// and the end line is fsync'd too, so a power cut right after a clean run does not read as "machine went down".</summary>
public sealed partial class SpoolDurabilityTests : IDisposable
{
    readonly string _home = Directory.CreateTempSubdirectory("rein-spool-sync-").FullName;

    [Fact]
    public void The_start_is_durable_before_the_shim_starts_and_the_end_line_is_fsynced()
    {
        Assert.SkipUnless(
            OperatingSystem.IsLinux() && File.Exists("/usr/bin/strace"),
            "needs strace (Linux) to watch the fsync calls"
        );
        var trace = Path.Combine(_home, "trace.txt");
        var r = ReinProcess.Run(
            ["run", "--", "true"],
            new Dictionary<string, string?> { ["REIN_HOME"] = Path.Combine(_home, "state") },
            TimeSpan.FromSeconds(120),
            wrapper:
            [
                "/usr/bin/strace",
                "-f",
                "-e",
                "trace=open,openat,write,fsync,execve,fork,vfork,clone,clone3",
                "-o",
                trace,
            ]
        );
        Assert.SkipWhen(
            r.ExitCode != 0 && r.Stderr.Contains("ptrace", StringComparison.Ordinal),
            "ptrace is not permitted here"
        );
        Assert.Equal(0, r.ExitCode);

        var lines = File.ReadAllLines(trace).ToList();
        var open = lines
            .Select((l, i) => (Match: SpoolOpen().Match(l), Index: i))
            .First(m => m.Match.Success);
        var fd = open.Match.Groups["fd"].Value;
        int After(int from, Func<string, bool> what) => lines.FindIndex(from + 1, l => what(l));

        var start = After(
            open.Index,
            l => l.Contains($"write({fd}, \"{{\\\"t\\\":\\\"start\\\"", StringComparison.Ordinal)
        );
        var sync = After(
            start,
            l =>
                l.Contains($"fsync({fd})", StringComparison.Ordinal)
                && l.EndsWith("= 0", StringComparison.Ordinal)
        );
        var folderOpen = After(sync, l => FolderOpen().IsMatch(l));
        Assert.True(start > 0, "the start line was not written to the spool file");
        Assert.True(sync > start, "the spool file was not fsync'd after the start line");
        Assert.True(
            folderOpen > sync,
            "the spool folder was not opened for fsync after the file's"
        );
        var folderFd = FolderOpen().Match(lines[folderOpen]).Groups["fd"].Value;
        var folderSync = After(
            folderOpen,
            l =>
                l.Contains($"fsync({folderFd})", StringComparison.Ordinal)
                && l.EndsWith("= 0", StringComparison.Ordinal)
        );
        Assert.True(folderSync > folderOpen, "the spool folder's own descriptor was not fsync'd");

        // Nothing is started (no execve by any process: the shim, then the command) before that.
        var firstExec = lines.FindIndex(
            1,
            l =>
                l.Contains("execve(", StringComparison.Ordinal)
                && !l.Contains("= -1", StringComparison.Ordinal)
        );
        Assert.True(
            firstExec > folderSync,
            $"a process was started (line {firstExec}) before the start was durable (line {folderSync})"
        );

        var end = After(
            folderSync,
            l => l.Contains($"write({fd}, \"{{\\\"t\\\":\\\"end\\\"", StringComparison.Ordinal)
        );
        Assert.True(end > 0, "the end line was not written to the spool file");
        Assert.True(
            After(
                end,
                l =>
                    l.Contains($"fsync({fd})", StringComparison.Ordinal)
                    && l.EndsWith("= 0", StringComparison.Ordinal)
            ) > end,
            "the end line was not fsync'd"
        );
    }

    [GeneratedRegex(@"open(at)?\(.*/spool/[^/""]+\.run"".*O_CREAT.*= (?<fd>\d+)$")]
    private static partial Regex SpoolOpen();

    [GeneratedRegex(@"open(at)?\(.*/spool"", O_RDONLY.*O_DIRECTORY.*= (?<fd>\d+)$")]
    private static partial Regex FolderOpen();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException) { }
    }
}
