using System.Text.RegularExpressions;
using Rein.Tests.Support;

namespace Rein.Tests.Cli;

/// <summary>coreutils' own tests of timeout(1), case by case (tests/coreutils/timeout-port.sh), against
/// <c>rein timeout</c>: no check may fail. The script's control run against GNU timeout is in
/// docs/manual/guard.md (coreutils 9.1 fails the four checks added by later releases).</summary>
[Collection("Latency")]
public sealed partial class CoreutilsPortTests
{
    [GeneratedRegex(@"passed (\d+) of (\d+) \((\d+) skipped\)")]
    private static partial Regex Summary();

    [Fact]
    public void Rein_timeout_passes_every_check_of_the_coreutils_timeout_tests()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "coreutils", "timeout-port.sh");
        // A private journal: the port runs some 40 commands.
        var home = Directory.CreateTempSubdirectory("rein-coreutils-").FullName;
        try
        {
            // bash timeout-port.sh REIN timeout
            var r = ReinProcess.Run(
                ["timeout"],
                new Dictionary<string, string?> { ["REIN_HOME"] = home },
                TimeSpan.FromMinutes(3),
                wrapper: ["bash", script]
            );
            // A check skips only where the machine lacks what it needs (setsid, perl's POSIX, unprivileged pid
            // namespaces), and at most one may.
            var summary = Summary().Match(r.Stdout);
            Assert.True(
                r.ExitCode == 0 && summary.Success && int.Parse(summary.Groups[3].Value) <= 1,
                $"exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}"
            );
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
