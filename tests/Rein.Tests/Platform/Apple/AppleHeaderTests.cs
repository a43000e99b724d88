using System.Text.RegularExpressions;

namespace Rein.Tests.Platform.Apple;

/// <summary>
/// Every constant, struct offset, field width and struct size the C# side takes from Apple's headers, generated from
/// the C# constants themselves and compiled by Zig's C compiler against the real macOS headers for both Apple
/// targets: a wrong value is a failed <c>_Static_assert</c> naming the C# constant.
/// </summary>
public sealed partial class AppleHeaderTests
{
    public static TheoryData<string> Targets => [.. Zig.Targets];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_value_taken_from_Apple_headers_holds_there(string target)
    {
        var checks = AppleChecks.Collect();
        string[] expected =
        [
            "Rein.Platform.MacOS.Darwin.SIGUSR1",
            "Rein.Platform.MacOS.Darwin.O_CLOEXEC",
            "Rein.Platform.MacOS.Darwin.POSIX_SPAWN_SETSID",
            "Rein.Platform.MacOS.MacLibProc.PROC_PIDTBSDINFO",
            "Rein.Platform.MacOS.MacLibProc.KERN_PROCARGS2",
            "Rein.Platform.MacOS.ProcBsdInfo.StartMicrosecondsOffset",
            "Rein.Platform.MacOS.ProcThreadInfo.RunStateOffset",
            "Rein.Platform.MacOS.RusageInfo.PhysFootprintOffset",
            "Rein.Platform.MacOS.DarwinStat.X64Uid",
            "Rein.Platform.Posix.LibC.SIGKILL",
            "Rein.Platform.Posix.LibC+PollFd.Revents",
            "Rein.Processes.Posix.SignalNames.MacOS[USR1]",
        ];
        foreach (var origin in expected)
        {
            Assert.Contains(checks, c => c.Origin.StartsWith(origin, StringComparison.Ordinal));
        }

        var (exit, output) = Zig.Compile(target, AppleChecks.Render(checks), "apple-values");
        Assert.True(exit == 0, $"{target}: C# values that Apple's headers contradict:\n{output}");
    }

    /// <summary>The checks have teeth: Linux's values (and one shifted offset) where macOS is meant each fail.</summary>
    [Theory]
    [MemberData(nameof(Targets))]
    public void Linux_values_where_macOS_is_meant_fail_to_compile(string target)
    {
        (string Macro, long Linux)[] linux =
        [
            ("SIGUSR1", 10),
            ("SIGUSR2", 12),
            ("SIGCONT", 18),
            ("SIGSTOP", 19),
            ("SIGTSTP", 20),
            ("SIGCHLD", 17),
            ("EAGAIN", 11),
            ("ELOOP", 40),
            ("O_CREAT", 0x40),
            ("O_NONBLOCK", 0x800),
            ("O_CLOEXEC", 0x80000),
            ("O_NOFOLLOW", 0x20000),
            ("POSIX_SPAWN_SETSID", 0x80),
            ("SOL_SOCKET", 1),
            ("MSG_DONTWAIT", 0x40),
            ("SIG_UNBLOCK", 1),
            ("PIPE_BUF", 4096),
        ];
        var checks = linux
            .Select(l => AppleChecks.Macro(l.Macro, l.Linux, "linux-" + l.Macro))
            .Append(
                new AppleCheck("offsetof(struct proc_bsdinfo, pbi_pgid) == 96", "shifted-pbi_pgid")
            )
            .Append(new AppleCheck("sizeof(struct rusage_info_v4) == 288", "short-rusage_info_v4"))
            .ToList();

        var (exit, output) = Zig.Compile(target, AppleChecks.Render(checks), "linux-values");
        Assert.NotEqual(0, exit);
        foreach (var check in checks)
        {
            Assert.True(
                output.Contains(check.Origin, StringComparison.Ordinal),
                $"{check.Origin} compiled for {target}:\n{output}"
            );
        }
    }

    /// <summary>A macOS number written straight after IsMacOS() would escape the compiler: they live in Darwin.</summary>
    [Fact]
    public void No_macOS_number_is_written_outside_Darwin()
    {
        var offending = new List<string>();
        foreach (
            var file in Directory.EnumerateFiles(
                Path.Combine(Zig.RepoRoot, "src"),
                "*.cs",
                SearchOption.AllDirectories
            )
        )
        {
            var text = File.ReadAllText(file);
            foreach (Match m in MacLiteral().Matches(text))
            {
                var line = text[..m.Index].Count(ch => ch == '\n') + 1;
                offending.Add($"{Path.GetRelativePath(Zig.RepoRoot, file)}:{line}: {m.Value}");
            }
        }

        Assert.True(
            offending.Count == 0,
            "macOS values must be Darwin.X (checked against Apple's headers):\n"
                + string.Join('\n', offending)
        );
    }

    [GeneratedRegex(@"(IsMacOS\(\)|\bMac)\s*\?\s*(\(\w+\)\s*)?-?\d")]
    private static partial Regex MacLiteral();
}
