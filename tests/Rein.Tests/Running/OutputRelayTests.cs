using System.Diagnostics;
using System.Text.Json;
using Rein.Tests.Support;

namespace Rein.Tests.Running;

/// <summary>The --idle-timeout relay: it never lets a stalled reader hold rein past its limits, and a command
/// whose output went to a terminal still writes to one (a pseudo-terminal rein reads).</summary>
public sealed class OutputRelayTests : RunTestBase
{
    [Fact]
    public async Task Timeout_holds_when_reins_stdout_reader_never_reads()
    {
        // `rein run ... -- yes | sleep 30`: rein's stdout is a pipe nobody reads, so it fills within a moment.
        using var rein = StartWithUnreadStdout([
            "run",
            "--idle-timeout",
            "60s",
            "--timeout",
            "2s",
            "--",
            "yes",
            Marker,
        ]);

        var ct = TestContext.Current.CancellationToken;
        var stderr = rein.StandardError.ReadToEndAsync(ct);
        try
        {
            await rein.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(15), ct);
        }
        catch (TimeoutException)
        {
            rein.Kill();
            Assert.Fail("rein blocked on its full stdout past --timeout 2s");
        }

        Assert.Equal(124, rein.ExitCode);
        Assert.Contains("timed out after 2s", await stderr.WaitAsync(TimeSpan.FromSeconds(5), ct));
        AssertNoSurvivors();
    }

    [Fact]
    public async Task Command_that_exits_by_itself_has_all_its_output_delivered_to_a_slow_reader()
    {
        // ~80 KB: more than a pipe holds, so when the command exits part of it still waits in rein.
        using var rein = StartWithUnreadStdout([
            "run",
            "--idle-timeout",
            "10s",
            "--",
            "sh",
            "-c",
            "seq 1 15000; : " + Marker,
        ]);

        var ct = TestContext.Current.CancellationToken;
        await Task.Delay(TimeSpan.FromSeconds(1.5), ct);
        var stdout = await rein
            .StandardOutput.ReadToEndAsync(ct)
            .WaitAsync(TimeSpan.FromSeconds(30), ct);
        await rein.WaitForExitAsync(ct);

        Assert.Equal(0, rein.ExitCode);
        Assert.Equal(string.Concat(Enumerable.Range(1, 15000).Select(i => $"{i}\n")), stdout);
    }

    [Fact]
    public void Python_printing_every_second_to_a_terminal_is_not_idle_and_all_its_lines_arrive()
    {
        var r = RunUnderTerminal([
            "run",
            "--idle-timeout",
            "3s",
            "--",
            "python3",
            "-c",
            "import time,sys; [print(i) or time.sleep(1) for i in range(6)]",
            Marker,
        ]);

        Assert.True(r.Status == 0, $"exit {r.Status}, terminal showed: {r.Output}");
        // Byte for byte what the terminal shows without rein: the child's \n, turned into \r\n once, by it.
        Assert.Contains("0\r\n1\r\n2\r\n3\r\n4\r\n5\r\n", r.Output);
        Assert.DoesNotContain("\r\r\n", r.Output);
        AssertNoSurvivors();
    }

    [Fact]
    public void Only_the_streams_that_were_terminals_get_the_pseudo_terminal()
    {
        var stderrFile = Path.Combine(Scratch, "stderr");
        var r = RunUnderTerminal(
            [
                "run",
                "--idle-timeout",
                "5s",
                "--",
                "sh",
                "-c",
                "[ -t 1 ] && echo stdout-is-a-terminal; [ -t 2 ] || echo stderr-is-not-a-terminal >&2; : "
                    + Marker,
            ],
            stderrFile
        );

        Assert.True(r.Status == 0, $"exit {r.Status}, terminal showed: {r.Output}");
        Assert.Contains("stdout-is-a-terminal\r\n", r.Output);
        Assert.DoesNotContain("stderr-is", r.Output);
        Assert.Equal("stderr-is-not-a-terminal\n", File.ReadAllText(stderrFile));
    }

    [Fact]
    public void Stdout_and_stderr_on_one_terminal_keep_their_order()
    {
        var r = RunUnderTerminal([
            "run",
            "--idle-timeout",
            "5s",
            "--",
            "sh",
            "-c",
            "echo one; echo two >&2; echo three; echo four >&2; : " + Marker,
        ]);

        Assert.True(r.Status == 0, $"exit {r.Status}, terminal showed: {r.Output}");
        Assert.Contains("one\r\ntwo\r\nthree\r\nfour\r\n", r.Output);
    }

    [Fact]
    public void Command_on_the_pseudo_terminal_sees_the_users_window_size()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "window size is copied on Linux only");
        var r = RunUnderTerminal([
            "run",
            "--idle-timeout",
            "5s",
            "--",
            "python3",
            "-c",
            "import os; s = os.get_terminal_size(1); print(f'{s.lines}x{s.columns}')",
            Marker,
        ]);

        Assert.True(r.Status == 0, $"exit {r.Status}, terminal showed: {r.Output}");
        Assert.Contains("37x91\r\n", r.Output);
    }

    [Fact]
    public void Command_silent_on_a_terminal_is_still_stopped_as_idle()
    {
        var r = RunUnderTerminal([
            "run",
            "--idle-timeout",
            "1s",
            "--",
            "sh",
            "-c",
            "echo started; sleep 30; : " + Marker,
        ]);

        Assert.True(r.Status == 124, $"exit {r.Status}, terminal showed: {r.Output}");
        Assert.Contains("started\r\n", r.Output);
        Assert.Contains("printed nothing for 1s", r.Output);
        AssertNoSurvivors();
    }

    /// <summary>Starts rein with stdout a pipe this test never reads (stderr is read once rein has exited).</summary>
    Process StartWithUnreadStdout(IEnumerable<string> args)
    {
        var psi = HermeticStartInfo(Paths.Rein, args);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        return Process.Start(psi)!;
    }

    sealed record TerminalResult(int Status, string Output);

    /// <summary>Runs rein on a real pseudo-terminal (python3's pty module), as if typed in a terminal window:
    /// stdout and stderr are the terminal (37 lines by 91 columns), unless <paramref name="stderrFile"/> takes stderr.
    /// Returns rein's exit status and everything the terminal showed.</summary>
    TerminalResult RunUnderTerminal(IEnumerable<string> args, string? stderrFile = null)
    {
        Assert.SkipUnless(
            File.Exists("/usr/bin/python3") || File.Exists("/usr/local/bin/python3"),
            "needs python3"
        );
        const string Harness = """
            import fcntl, json, os, pty, select, signal, struct, sys, termios, time
            stderr_file = os.environ.pop("HARNESS_STDERR", "")
            pid, fd = pty.fork()
            if pid == 0:
                fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack("HHHH", 37, 91, 0, 0))
                if stderr_file:
                    err = os.open(stderr_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                    os.dup2(err, 2)
                os.execv(sys.argv[1], sys.argv[1:])
            out = b""
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                ready, _, _ = select.select([fd], [], [], 0.5)
                if not ready:
                    continue
                try:
                    data = os.read(fd, 65536)
                except OSError:  # EIO: every holder of the terminal has closed it
                    break
                if not data:
                    break
                out += data
            else:
                os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
            code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
            print(json.dumps({"status": code, "output": out.decode("latin-1")}))
            """;
        var psi = HermeticStartInfo("python3", ["-c", Harness, Paths.Rein, .. args]);
        psi.RedirectStandardOutput = true;
        // A Python command must see exactly what a terminal gives it: buffering decided by isatty().
        psi.Environment.Remove("PYTHONUNBUFFERED");
        if (stderrFile is not null)
        {
            psi.Environment["HARNESS_STDERR"] = stderrFile;
        }

        using var p = Process.Start(psi)!;
        var json = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var doc = JsonDocument.Parse(json).RootElement;
        return new TerminalResult(
            doc.GetProperty("status").GetInt32(),
            doc.GetProperty("output").GetString()!
        );
    }

    /// <summary>The same hermetic environment ReinProcess gives rein: no user config, a private state dir, no colour.</summary>
    ProcessStartInfo HermeticStartInfo(string program, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (
            var key in psi
                .Environment.Keys.Where(k => k.StartsWith("REIN_", StringComparison.Ordinal))
                .ToList()
        )
        {
            psi.Environment.Remove(key);
        }

        psi.Environment["REIN_CONFIG"] = "/nonexistent/rein.toml";
        psi.Environment["REIN_HOME"] = Home;
        psi.Environment["NO_COLOR"] = "1";
        return psi;
    }
}
