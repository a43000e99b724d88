using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Rein.Tests.Support;

namespace Rein.Tests.Running;

/// <summary>The --idle-timeout relay passes bytes unchanged at volume, on each of its paths: splice(2) into a pipe or
/// a file, and large reads and writes where splice is refused (an O_APPEND file) or not used (--classify keeps the
/// stderr tail, so it must see the bytes). Random bytes, compared by SHA-256, so a lost, doubled or reordered chunk
/// anywhere shows.</summary>
public sealed partial class RelayBytesTests : RunTestBase
{
    static string RandomFile(string dir, long bytes)
    {
        var path = Path.Combine(dir, $"random-{bytes}");
        var rng = new Random(20261203);
        var chunk = new byte[1 << 20];
        using var f = File.Create(path);
        for (long done = 0; done < bytes; done += chunk.Length)
        {
            rng.NextBytes(chunk);
            f.Write(chunk, 0, (int)Math.Min(chunk.Length, bytes - done));
        }

        return path;
    }

    static string Sha256Of(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(f));
    }

    [Fact]
    public async Task Five_hundred_megabytes_of_random_bytes_reach_a_pipe_unchanged()
    {
        var input = RandomFile(Scratch, 500L << 20);
        var psi = new ProcessStartInfo(Paths.Rein)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "run", "--idle-timeout", "60s", "--", "cat", input })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["REIN_HOME"] = Home;
        psi.Environment["REIN_CONFIG"] = "/nonexistent/rein.toml";
        using var p = Process.Start(psi)!;
        var ct = TestContext.Current.CancellationToken;
        var stderr = p.StandardError.ReadToEndAsync(ct);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buf = new byte[1 << 20];
        long total = 0;
        int n;
        while ((n = await p.StandardOutput.BaseStream.ReadAsync(buf, ct)) > 0)
        {
            hash.AppendData(buf, 0, n);
            total += n;
        }

        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(120)), "rein did not exit");
        var errors = await stderr;
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {errors}");
        Assert.Equal(500L << 20, total);
        Assert.Equal(Sha256Of(input), Convert.ToHexString(hash.GetHashAndReset()));
    }

    [Theory]
    [InlineData(">", false)] // splice into a file
    [InlineData(">>", false)] // O_APPEND: splice refuses, reads and writes
    [InlineData(">", true)] // --classify: the tail must see the bytes, reads and writes
    public void Random_bytes_reach_a_file_unchanged(string redirect, bool classify)
    {
        var input = RandomFile(Scratch, 64L << 20);
        var output = Path.Combine(Scratch, "out");
        File.WriteAllBytes(output, []);
        var r = ReinProcess.Run(
            [
                "run",
                "--idle-timeout",
                "60s",
                .. classify ? new[] { "--classify" } : [],
                "--",
                "cat",
                input,
            ],
            HomeEnv(),
            TimeSpan.FromSeconds(120),
            wrapper: ["/bin/sh", "-c", $"exec \"$0\" \"$@\" {redirect}'{output}'"]
        );

        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Equal(64L << 20, new FileInfo(output).Length);
        Assert.Equal(Sha256Of(input), Sha256Of(output));
    }

    /// <summary>The pipe-speed path is the one taken: the bytes into a pipe move by splice(2), not through
    /// Rein's memory (watched with strace; nothing is mocked).</summary>
    [Fact]
    public void Output_into_a_pipe_moves_by_splice()
    {
        Assert.SkipUnless(
            OperatingSystem.IsLinux() && File.Exists("/usr/bin/strace"),
            "needs strace (Linux) to watch the system calls"
        );
        var input = RandomFile(Scratch, 8L << 20);
        var trace = Path.Combine(Scratch, "trace.txt");
        var r = ReinProcess.Run(
            ["run", "--idle-timeout", "30s", "--", "cat", input],
            HomeEnv(),
            TimeSpan.FromSeconds(60),
            wrapper: ["/usr/bin/strace", "-f", "-e", "trace=splice", "-o", trace]
        );
        Assert.SkipWhen(
            r.ExitCode != 0 && r.Stderr.Contains("ptrace", StringComparison.Ordinal),
            "ptrace is not permitted here"
        );
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");

        var spliced = File.ReadLines(trace)
            .Select(l => SpliceResult().Match(l))
            .Where(m => m.Success)
            .Sum(m =>
                long.Parse(m.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture)
            );
        Assert.Equal(8L << 20, spliced);
    }

    // "splice(5, NULL, 7, NULL, ...) = 65536", or its "<... splice resumed>) = 65536" half under -f.
    [GeneratedRegex(@"(splice\(.*\)|<\.\.\. splice resumed>.*\))\s+=\s+(?<n>\d+)$")]
    private static partial Regex SpliceResult();
}
