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
                "-y",
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

        // With -y strace names the file behind each descriptor: "fsync(7</state/spool/ID.run>)" is the spool
        // file's, "fsync(11</state/spool>)" the folder's own descriptor. A call may be split over two lines
        // (<unfinished ...>) when threads interleave: the call line is what is matched.
        var lines = File.ReadAllLines(trace).ToList();
        int After(int from, Func<string, bool> what) => lines.FindIndex(from + 1, l => what(l));
        bool Has(string l, string text) => l.Contains(text, StringComparison.Ordinal);

        var start = After(0, l => Has(l, "write(") && Has(l, ".run>, \"{\\\"t\\\":\\\"start\\\""));
        var sync = After(start, l => SpoolFileSync().IsMatch(l));
        var folderSync = After(sync, l => SpoolFolderSync().IsMatch(l));
        Assert.True(start > 0, "the start line was not written to the spool file");
        Assert.True(sync > start, "the spool file was not fsync'd after the start line");
        Assert.True(
            folderSync > sync,
            "the spool folder's own descriptor was not fsync'd after the file"
        );

        // Nothing is started (no execve by any process: the shim, then the command) before that.
        var firstExec = After(0, l => Has(l, "execve(") && !Has(l, "= -1"));
        Assert.True(
            firstExec > folderSync,
            $"a process was started (line {firstExec}) before the start was durable (line {folderSync})"
        );

        var end = After(
            folderSync,
            l => Has(l, "write(") && Has(l, ".run>, \"{\\\"t\\\":\\\"end\\\"")
        );
        Assert.True(end > 0, "the end line was not written to the spool file");
        Assert.True(
            After(end, l => SpoolFileSync().IsMatch(l)) > end,
            "the end line was not fsync'd"
        );
    }

    [GeneratedRegex(@"fsync\(\d+<[^>]*/spool/[^/>]+\.run>")]
    private static partial Regex SpoolFileSync();

    [GeneratedRegex(@"fsync\(\d+<[^>]*/spool>")]
    private static partial Regex SpoolFolderSync();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException) { }
    }
}
