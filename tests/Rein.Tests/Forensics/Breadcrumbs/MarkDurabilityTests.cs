using System.Text.RegularExpressions;
using Rein.Tests.Support;

namespace Rein.Tests.Forensics.Breadcrumbs;

/// <summary>A breadcrumb is on disk before <c>rein mark</c> returns: watched with strace(1) (the system calls are
/// the behaviour under test; nothing is mocked): the line is written to the breadcrumb file, that file is
/// fsync'd, and — new file — its folder too.</summary>
public sealed partial class MarkDurabilityTests : IDisposable
{
    readonly string _home = Directory.CreateTempSubdirectory("rein-mark-sync-").FullName;

    [Fact]
    public void The_breadcrumb_file_and_its_folder_are_fsynced_before_rein_mark_returns()
    {
        Assert.SkipUnless(
            OperatingSystem.IsLinux() && File.Exists("/usr/bin/strace"),
            "needs strace (Linux) to watch the fsync calls"
        );
        var trace = Path.Combine(_home, "trace.txt");
        var r = ReinProcess.Run(
            ["mark", "pre", "org/model", "--note", "durable"],
            new Dictionary<string, string?> { ["REIN_HOME"] = _home },
            wrapper: ["/usr/bin/strace", "-f", "-e", "trace=open,openat,write,fsync", "-o", trace]
        );
        Assert.SkipWhen(
            r.ExitCode != 0 && r.Stderr.Contains("ptrace", StringComparison.Ordinal),
            "ptrace is not permitted here"
        );
        Assert.Equal(0, r.ExitCode);

        var lines = File.ReadAllLines(trace);
        var open = lines
            .Select((l, i) => (Match: CrumbOpen().Match(l), Index: i))
            .Last(m => m.Match.Success);
        var fd = open.Match.Groups["fd"].Value;
        var after = lines.Skip(open.Index + 1).ToList();
        var write = after.FindIndex(l =>
            l.Contains($"write({fd}, \"{{\\\"at\\\"", StringComparison.Ordinal)
        );
        var sync = after.FindIndex(l =>
            l.Contains($"fsync({fd})", StringComparison.Ordinal)
            && l.EndsWith("= 0", StringComparison.Ordinal)
        );
        Assert.True(write >= 0, "the breadcrumb line was not written to its file");
        Assert.True(sync > write, "the breadcrumb file was not fsync'd after the write");
        var folder = after.FindIndex(l =>
            l.Contains("/crumbs\", O_RDONLY", StringComparison.Ordinal)
            && l.Contains("O_DIRECTORY", StringComparison.Ordinal)
        );
        Assert.True(folder > sync, "the new file's folder was not opened for fsync");
        // The folder's own descriptor is the one fsync'd (not, say, the file's again).
        var folderFd = FolderFd().Match(after[folder]).Groups["fd"].Value;
        Assert.NotEqual("", folderFd);
        Assert.Contains(
            after.Skip(folder + 1),
            l =>
                l.Contains($"fsync({folderFd})", StringComparison.Ordinal)
                && l.EndsWith("= 0", StringComparison.Ordinal)
        );
    }

    [GeneratedRegex(@"= (?<fd>\d+)$")]
    private static partial Regex FolderFd();

    [GeneratedRegex(@"open(at)?\(.*/crumbs/pid-\d+-\d+\.crumbs"".*= (?<fd>\d+)$")]
    private static partial Regex CrumbOpen();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException) { }
    }
}
