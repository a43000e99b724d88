using Rein.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Running;

/// <summary>Issue 27 item 1: a library host gives the command its standard streams as CliWrap's command does —
/// inherited, null, a file, a host stream — through <see cref="GuardedRun"/>, bytes unchanged.</summary>
public sealed class RunSpecStdioTests : RunTestBase
{
    GuardedRunOptions Options => new() { StateDirectory = Home };

    /// <summary>Every byte value, twice, and invalid UTF-8 sequences: what a text layer would change.</summary>
    static byte[] Bytes(int size)
    {
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            bytes[i] = (byte)(i * 7 + i / 256);
        }

        return bytes;
    }

    Task<RunVerdict> Run(RunSpec spec) =>
        new GuardedRun(spec, Options).RunAsync(TestContext.Current.CancellationToken);

    [Fact]
    public async Task Files_in_out_and_err_carry_the_bytes_unchanged_and_append_appends()
    {
        var input = Path.Combine(Scratch, "in");
        var output = Path.Combine(Scratch, "out");
        var errors = Path.Combine(Scratch, "err");
        var bytes = Bytes(300_000);
        File.WriteAllBytes(input, bytes);
        File.WriteAllText(output, "old content that must go");
        File.WriteAllText(errors, "kept\n");

        var verdict = await Run(
            new RunSpec
            {
                Command = ["/bin/sh", "-c", "cat; echo " + Marker + " >&2", Marker],
                StandardInput = RunStdio.FromFile(input),
                StandardOutput = RunStdio.ToFile(output),
                StandardError = RunStdio.ToFile(errors, append: true),
            }
        );

        Assert.Equal(RunOutcome.Exited, verdict.Outcome);
        Assert.Equal(0, verdict.ExitCode);
        Assert.Equal(bytes, File.ReadAllBytes(output));
        Assert.Equal($"kept\n{Marker}\n", File.ReadAllText(errors));
    }

    [Fact]
    public async Task Host_streams_in_and_out_carry_the_bytes_unchanged()
    {
        var bytes = Bytes(1 << 20);
        var output = new MemoryStream();

        var verdict = await Run(
            new RunSpec
            {
                Command = ["/bin/sh", "-c", "cat; printf " + Marker + " >&2", Marker],
                StandardInput = RunStdio.FromStream(new MemoryStream(bytes)),
                StandardOutput = RunStdio.ToStream(output),
                StandardError = RunStdio.ToStream(output),
            }
        );

        Assert.Equal(0, verdict.ExitCode);
        // One stream for both outputs is one pipe: stderr's bytes come after stdout's, as written.
        Assert.Equal([.. bytes, .. System.Text.Encoding.ASCII.GetBytes(Marker)], output.ToArray());
    }

    [Fact]
    public async Task One_file_for_both_outputs_keeps_both_as_written()
    {
        var output = Path.Combine(Scratch, "both");

        await Run(
            new RunSpec
            {
                Command = ["/bin/sh", "-c", "echo first-line; echo two >&2; echo three", Marker],
                StandardOutput = RunStdio.ToFile(output),
                StandardError = RunStdio.ToFile(output),
            }
        );

        // Two separate opens would each write from offset 0 over the other (`>f 2>f`); one is `>f 2>&1`.
        Assert.Equal("first-line\ntwo\nthree\n", File.ReadAllText(output));
    }

    [Fact]
    public async Task Null_streams_are_dev_null()
    {
        var report = Path.Combine(Scratch, "fds");

        var verdict = await Run(
            new RunSpec
            {
                Command =
                [
                    "/bin/sh",
                    "-c",
                    "a=$(readlink /proc/$$/fd/0); b=$(readlink /proc/$$/fd/1); c=$(readlink /proc/$$/fd/2); "
                        + "printf '%s\\n' \"$a\" \"$b\" \"$c\" > \"$1\"",
                    Marker,
                    report,
                ],
                StandardInput = RunStdio.Null,
                StandardOutput = RunStdio.Null,
                StandardError = RunStdio.Null,
            }
        );

        Assert.Equal(0, verdict.ExitCode);
        Assert.Equal(["/dev/null", "/dev/null", "/dev/null"], File.ReadAllLines(report));
    }

    [Fact]
    public async Task A_command_that_reads_none_of_a_long_input_ends_the_run_at_once()
    {
        // 64 MiB the command never reads: the copy meets a closed pipe and stops; the run does not wait for it.
        var endless = new MemoryStream(new byte[64 << 20]);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var verdict = await Run(
            new RunSpec
            {
                Command = ["/bin/sh", "-c", "exit 4", Marker],
                StandardInput = RunStdio.FromStream(endless),
            }
        );

        Assert.Equal(4, verdict.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Output_to_a_stream_ends_with_the_tree_at_a_timeout()
    {
        var output = new MemoryStream();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var verdict = await Run(
            new RunSpec
            {
                Command = [Paths.Helper, Marker, "daemon", "[", "print", "up", "hang", "]", "hang"],
                Timeout = TimeSpan.FromMilliseconds(500),
                Grace = TimeSpan.FromMilliseconds(200),
                StandardOutput = RunStdio.ToStream(output),
            }
        );

        // A double-forked daemon of the tree held the pipe too: the teardown kills it, so the copy ends.
        Assert.Equal(RunOutcome.TimedOut, verdict.Outcome);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Equal("up\n", System.Text.Encoding.ASCII.GetString(output.ToArray()));
        AssertNoSurvivors();
    }

    [Fact]
    public async Task A_file_that_cannot_be_opened_is_a_start_failure_that_names_it()
    {
        var missing = Path.Combine(Scratch, "no-such-dir", "out");

        var verdict = await Run(
            new RunSpec
            {
                Command =
                [
                    "/bin/sh",
                    "-c",
                    "echo ran > \"$1\"",
                    Marker,
                    Path.Combine(Scratch, "ran"),
                ],
                StandardOutput = RunStdio.ToFile(missing),
            }
        );

        Assert.Equal(RunOutcome.StartFailed, verdict.Outcome);
        Assert.Equal(125, verdict.ReinExitCode);
        Assert.Contains(
            $"cannot open {missing} for the command's standard output",
            verdict.StartFailure!.Message
        );
        Assert.False(File.Exists(Path.Combine(Scratch, "ran")));
        // Through the spool into the journal: not the program's fault, so 125, not 126/127.
        var run = Assert.Single(
            System
                .Text.Json.JsonDocument.Parse(
                    ReinProcess.Run(["journal", "--json"], HomeEnv()).Stdout
                )
                .RootElement.GetProperty("runs")
                .EnumerateArray()
        );
        Assert.Equal(125, run.GetProperty("rein_exit_code").GetInt32());
    }

    [Fact]
    public async Task Output_elsewhere_with_an_idle_timeout_is_refused_saying_why()
    {
        var verdict = await Run(
            new RunSpec
            {
                Command = ["/bin/true"],
                IdleTimeout = TimeSpan.FromSeconds(5),
                StandardOutput = RunStdio.Null,
            }
        );

        Assert.Equal(RunOutcome.StartFailed, verdict.Outcome);
        Assert.Contains("must then be inherited", verdict.StartFailure!.Message);
    }
}
