using Rein.Tests.Support;

namespace Rein.Tests.Running;

[Collection("Latency")]
public sealed class IdleTimeoutTests : RunTestBase
{
    [Fact]
    public void Command_that_prints_once_then_hangs_is_stopped_as_idle()
    {
        var r = ReinProcess.Run(
            RunArgs(
                ["--idle-timeout", "1s", "--report", ReportPath],
                "print",
                "started",
                "fan",
                "2",
                "[",
                "hang",
                "]",
                "hang"
            )
        );

        Assert.Equal(124, r.ExitCode);
        Assert.Equal("started\n", r.Stdout);
        Assert.Contains("printed nothing for 1s", r.Stderr);
        Assert.Equal("idle_timeout", ReadReport().GetProperty("outcome").GetString());
        AssertNoSurvivors();
    }

    [Fact]
    public void A_command_that_exits_ends_the_run_at_once_not_after_the_idle_limit()
    {
        // The shim once kept its own copies of the relay's pipes, so the relay saw no EOF and rein waited out
        // the whole --idle-timeout after the command had exited.
        var r = ReinProcess.Run(RunArgs(["--idle-timeout", "20s"], "print", "done", "exit", "0"));
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("done\n", r.Stdout);
        Assert.True(r.Elapsed < TimeSpan.FromSeconds(5), $"took {r.Elapsed}");
    }

    [Fact]
    public void Steady_output_keeps_an_idle_run_alive()
    {
        string[] script =
        [
            .. Enumerable
                .Range(0, 6)
                .SelectMany(i => new[] { "eprint", $"tick{i}", "sleep", "0.3" }),
            "exit",
            "0",
        ];
        var r = ReinProcess.Run(RunArgs(["--idle-timeout", "1s"], script));

        Assert.Equal(0, r.ExitCode);
        Assert.Equal(string.Concat(Enumerable.Range(0, 6).Select(i => $"tick{i}\n")), r.Stderr);
    }

    [Fact]
    public void Relayed_output_is_byte_for_byte_the_commands()
    {
        var big = Path.Combine(Scratch, "big");
        var bytes = new byte[300_000];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(big, bytes);
        var r = ReinProcess.Run([
            "run",
            "--idle-timeout",
            "5s",
            "--",
            "sh",
            "-c",
            $"od -An -tx1 {big}",
        ]);
        var expected = ReinProcess.Run(["run", "--", "sh", "-c", $"od -An -tx1 {big}"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(expected.Stdout, r.Stdout);
        Assert.True(r.Stdout.Length > 600_000);
    }
}
