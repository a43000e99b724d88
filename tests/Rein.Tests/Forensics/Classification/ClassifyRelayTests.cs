using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Forensics.Classification;

/// <summary>--classify relays the output to keep its tail; the relay must not change what the reader gets: nothing
/// dropped for a slow reader, stdout and stderr in the order they were written when both go to one pipe.</summary>
public sealed class ClassifyRelayTests : RunTestBase
{
    [Theory]
    [InlineData("")]
    [InlineData(" >&2")]
    public void A_slow_reader_gets_everything_the_command_wrote(string redirect)
    {
        // rein's stdout (or stderr) is a pipe whose reader sleeps before reading: the command has ended and been
        // reaped long before, so rein's drain is all that stands between the output and the reader.
        var r = ReinProcess.Run(
            [
                "run",
                "--classify",
                "--",
                "/bin/sh",
                "-c",
                $"head -c 130000 /dev/zero{redirect}",
                Marker,
            ],
            HomeEnv(),
            wrapper:
            [
                "/bin/sh",
                "-c",
                redirect.Length == 0
                    ? "\"$0\" \"$@\" | (sleep 1; wc -c)"
                    : "\"$0\" \"$@\" 2>&1 >/dev/null | (sleep 1; wc -c)",
            ]
        );
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("130000", r.Stdout.Trim());
    }

    [Fact]
    public void Stdout_and_stderr_into_one_pipe_keep_their_order()
    {
        var r = ReinProcess.Run(
            [
                "run",
                "--classify",
                "--",
                "/bin/sh",
                "-c",
                "for i in 1 2 3 4; do echo out$i; echo err$i >&2; done; exit 3",
                Marker,
            ],
            HomeEnv(),
            wrapper: ["/bin/sh", "-c", "\"$0\" \"$@\" 2>&1 | cat"]
        );
        Assert.StartsWith(
            "out1\nerr1\nout2\nerr2\nout3\nerr3\nout4\nerr4\n",
            r.Stdout,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void Stdout_and_stderr_into_one_pipe_still_give_the_classifier_the_tail()
    {
        var report = ReportPath;
        var r = ReinProcess.Run(
            [
                "run",
                "--classify",
                "--report",
                report,
                "--",
                "/bin/sh",
                "-c",
                "echo 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB'; exit 1",
                Marker,
            ],
            HomeEnv(),
            wrapper: ["/bin/sh", "-c", "\"$0\" \"$@\" 2>&1 | cat"]
        );
        Assert.Equal(0, r.ExitCode); // cat's status
        Assert.Equal(
            "cuda_oom",
            ReadReport().GetProperty("failure").GetProperty("class").GetString()
        );
    }

    [Fact]
    public void On_a_terminal_stdout_and_stderr_keep_their_order()
    {
        if (!File.Exists("/usr/bin/script"))
        {
            Assert.Skip("script(1) is not installed");
        }

        // script gives rein a pty as stdout and stderr; the command writes both in turns.
        var cmd =
            $"'{Paths.Rein}' run --classify -- /bin/sh -c 'for i in 1 2 3; do echo out$i; echo err$i >&2; done' {Marker}";
        var r = ReinProcess.Run(
            [],
            HomeEnv(),
            wrapper: ["/bin/sh", "-c", "exec script -qec \"$1\" /dev/null", "sh", cmd]
        );
        Assert.Contains(
            "out1\r\nerr1\r\nout2\r\nerr2\r\nout3\r\nerr3\r\n",
            r.Stdout,
            StringComparison.Ordinal
        );
    }
}
