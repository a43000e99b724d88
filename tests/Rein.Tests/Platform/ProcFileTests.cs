using System.Text;
using System.Text.RegularExpressions;
using Rein.Cleanup;
using Rein.Platform;
using Rein.Platform.Posix;
using Rein.Processes.Linux;
using Rein.Tests.Support;

namespace Rein.Tests.Platform;

/// <summary>/proc and small kernel files are read with plain open/read/close (<see cref="ProcFile"/>), never through
/// FileStream, whose FileShare emulation adds an fstat and a flock(2) pair to every open and fails outright on a
/// file someone holds LOCK_EX on.</summary>
public sealed partial class ProcFileTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("rein-procfile-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A process directory in a stand-in /proc, every file of it held under LOCK_EX while it is read:
    /// FileStream's shared flock would be refused and the process read as gone.</summary>
    [Fact]
    public void Process_files_are_read_without_taking_a_lock()
    {
        var dir = Path.Combine(_root, "4242");
        Directory.CreateDirectory(dir);
        File.WriteAllText(
            Path.Combine(dir, "stat"),
            "4242 (worker) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 12345 1000000 250 "
                + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
        );
        File.WriteAllBytes(Path.Combine(dir, "environ"), "A=1\0REIN_RUN_ID=r-1\0"u8.ToArray());
        File.WriteAllBytes(Path.Combine(dir, "cmdline"), "python\0train.py\0"u8.ToArray());

        var held = new List<int>();
        try
        {
            foreach (var f in new[] { "stat", "environ", "cmdline" })
            {
                var fd = Descriptors.Open(Path.Combine(dir, f), LibC.O_CLOEXEC);
                Assert.True(fd >= 0);
                held.Add(fd);
                Assert.Equal(
                    0,
                    LibC.flock(
                        fd,
                        2 /* LOCK_EX */
                    )
                );
            }

            var table = new ProcfsProcessTable(_root);
            var p = table.Read(4242);
            Assert.NotNull(p);
            Assert.Equal("worker", p.Command);
            Assert.Equal("r-1", table.ReadEnvironmentVariable(4242, "REIN_RUN_ID"));
            Assert.Equal("python train.py", table.CommandLine(4242));
            Assert.Equal(
                ["python", "train.py"],
                new ProcessDetailsReader(_root).Read(4242, 0).Argv
            );
        }
        finally
        {
            foreach (var fd in held)
            {
                LibC.close(fd);
            }
        }
    }

    [Fact]
    public void Missing_or_unreadable_files_read_as_null()
    {
        Assert.Null(ProcFile.ReadText(Path.Combine(_root, "nothing")));
        Assert.Null(ProcFile.ReadBytes(_root)); // a directory: open succeeds, read fails (EISDIR)
        Assert.Null(new ProcfsProcessTable(_root).Read(999999));
    }

    [Fact]
    public void Files_larger_than_the_first_buffer_are_read_whole()
    {
        var path = Path.Combine(_root, "big");
        var text = string.Concat(Enumerable.Range(0, 5000).Select(i => $"line {i}\n"));
        File.WriteAllText(path, text);
        Assert.Equal(text, ProcFile.ReadText(path));
        Assert.Equal(Encoding.UTF8.GetBytes(text), ProcFile.ReadBytes(path));
        Assert.Equal(text[..100], ProcFile.ReadText(path, max: 100));
    }

    /// <summary>The verbs that read the whole process table: no flock(2) on any /proc file (strace; nothing mocked).</summary>
    [Theory]
    // rein doctor is left out: when one of its tools (dmesg, docker) overruns its timeout, .NET's
    // Process.Kill(entireProcessTree) walks /proc through FileStream itself (not rein's code; not fixed yet).
    [InlineData("ps")]
    [InlineData("cleanup")]
    public void Verbs_reading_proc_take_no_flock_on_it(string verb)
    {
        Assert.SkipUnless(
            OperatingSystem.IsLinux() && File.Exists("/usr/bin/strace"),
            "needs strace (Linux) to watch the system calls"
        );
        var trace = Path.Combine(_root, "trace.txt");
        var home = Path.Combine(_root, "home");
        var r = ReinProcess.Run(
            [verb, "--json"],
            new Dictionary<string, string?> { ["REIN_HOME"] = home },
            TimeSpan.FromSeconds(60),
            wrapper: ["/usr/bin/strace", "-f", "-e", "trace=openat,flock", "-o", trace]
        );
        Assert.SkipWhen(
            r.Stderr.Contains("ptrace", StringComparison.Ordinal),
            "ptrace is not permitted here"
        );

        var lines = File.ReadAllLines(trace);
        // fd -> the path last opened on it. Keyed by fd alone: strace names threads, not processes, and rein's
        // threads share one table (its children, dmesg or docker, take no flock).
        var opened = new Dictionary<string, string>();
        var procReads = 0;
        var offenders = new List<string>();
        foreach (var line in lines)
        {
            if (OpenLine().Match(line) is { Success: true } o)
            {
                opened[o.Groups["fd"].Value] = o.Groups["path"].Value;
                if (o.Groups["path"].Value.StartsWith("/proc/", StringComparison.Ordinal))
                {
                    procReads++;
                }
            }
            else if (
                FlockLine().Match(line) is { Success: true } f
                && opened.TryGetValue(f.Groups["fd"].Value, out var path)
                && (
                    path.StartsWith("/proc/", StringComparison.Ordinal)
                    || path.StartsWith("/sys/", StringComparison.Ordinal)
                )
            )
            {
                offenders.Add($"{path}: {line}");
            }
        }

        if (verb != "ps") // ps reads only its own runs' processes, perhaps none
        {
            Assert.True(
                procReads > 10,
                $"rein {verb} read {procReads} /proc files: the test sees nothing"
            );
        }

        Assert.True(offenders.Count == 0, string.Join("\n", offenders.Take(5)));
    }

    [GeneratedRegex(@"openat\(AT_FDCWD, ""(?<path>[^""]+)"".*\) = (?<fd>\d+)$")]
    private static partial Regex OpenLine();

    [GeneratedRegex(@"flock\((?<fd>\d+),")]
    private static partial Regex FlockLine();
}
