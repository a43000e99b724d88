using System.Diagnostics;
using Rein.Locking;
using Rein.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Running;

/// <summary>The run pipeline as a library: a .NET host drives it in-process with a graceful and a forceful token,
/// and every refusal is journaled.</summary>
[Collection("Latency")]
public sealed class GuardedRunTests : RunTestBase
{
    GuardedRunOptions Options(LockRequest? lockRequest = null) =>
        new()
        {
            StateDirectory = Home,
            Admission = new AdmissionRequest { Lock = lockRequest },
        };

    RunSpec Spec(params string[] script) =>
        new() { Command = [Paths.Helper, Marker, .. script], Grace = TimeSpan.FromSeconds(3) };

    [Fact]
    public async Task Graceful_cancellation_sends_TERM_and_lets_the_command_exit_its_own_way()
    {
        using var graceful = new CancellationTokenSource();
        var run = new GuardedRun(
            Spec("exit-on", "15", "7", "pidfile", PidFile, "hang"),
            Options()
        ).RunAsync(graceful.Token, TestContext.Current.CancellationToken);
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));
        await graceful.CancelAsync();
        var verdict = await run;
        Assert.Equal(RunOutcome.Interrupted, verdict.Outcome);
        Assert.Equal(7, verdict.ExitCode);
        AssertNoSurvivors();
    }

    [Fact]
    public async Task Forceful_cancellation_kills_the_tree_without_waiting_for_the_grace()
    {
        using var graceful = new CancellationTokenSource();
        using var forceful = new CancellationTokenSource();
        var run = new GuardedRun(
            Spec(
                "ignore-term",
                "setsid",
                "[",
                "ignore-term",
                "hang",
                "]",
                "pidfile",
                PidFile,
                "hang"
            ),
            Options()
        ).RunAsync(graceful.Token, forceful.Token);
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));
        var clock = Stopwatch.StartNew();
        await forceful.CancelAsync();
        var verdict = await run;
        Assert.Equal(RunOutcome.Interrupted, verdict.Outcome);
        Assert.True(
            clock.Elapsed < TimeSpan.FromSeconds(2),
            $"took {clock.Elapsed} (grace is 3 s)"
        );
        AssertNoSurvivors();
    }

    [Fact]
    public void A_refused_run_is_journaled_with_its_reason()
    {
        var name = "refused-" + Marker[^6..];
        using var holder = ReinProcess.Start(
            RunArgs(["--lock", name], "pidfile", PidFile, "hang"),
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));

        var refused = ReinProcess.Run(["run", "--lock", name, "--", "true"], HomeEnv());
        Assert.Equal(75, refused.ExitCode);

        var journal = ReinProcess.Run(["journal", "--json", "--last", "5"], HomeEnv());
        var run = System
            .Text.Json.JsonDocument.Parse(journal.Stdout)
            .RootElement.GetProperty("runs")
            .EnumerateArray()
            .Single(r => r.GetProperty("outcome").GetString() == "refused");
        Assert.Equal(75, run.GetProperty("rein_exit_code").GetInt32());
        var refusal = run.GetProperty("refusal");
        Assert.Equal("lock_busy", refusal.GetProperty("code").GetString());
        Assert.Equal(name, refusal.GetProperty("subject").GetString());
        Assert.Equal(holder.Pid, refusal.GetProperty("holders")[0].GetProperty("pid").GetInt32());

        // And in words, with the holder named, in `rein journal show`.
        var show = ReinProcess.Run(
            ["journal", "show", run.GetProperty("run_id").GetString()!],
            HomeEnv()
        );
        Assert.Contains(
            "lock_busy: lock '" + name + "' is busy: held by rein pid " + holder.Pid,
            show.Stdout
        );
        Assert.Equal(0, refusal.GetProperty("waited_ms").GetInt64()); // it never waited: "wait with --wait"
        Assert.Contains("do not retry; wait with --wait", show.Stdout);
    }

    [Fact]
    public void Ctrl_C_while_waiting_for_a_lock_ends_the_wait_journals_it_and_exits_130()
    {
        var name = "sigint-" + Marker[^6..];
        using var holder = ReinProcess.Start(
            RunArgs(["--lock", name], "pidfile", PidFile, "hang"),
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));
        var started = Path.Combine(Scratch, "waiter-ran");
        using var waiter = ReinProcess.Start(
            ["run", "--lock", name, "--wait", "--", "touch", started],
            HomeEnv()
        );
        var waiters = Path.Combine(Home, "locks", name + ".waiters");
        var clock = Stopwatch.StartNew();
        while (
            (!Directory.Exists(waiters) || Directory.GetFiles(waiters).Length == 0)
            && clock.Elapsed < TimeSpan.FromSeconds(10)
        )
        {
            Thread.Sleep(20);
        }

        Assert.True(Directory.GetFiles(waiters).Length == 1, "the waiter never registered");
        Rein.Platform.Posix.LibC.kill(waiter.Pid, 2);
        var (code, _) = waiter.WaitForExit(TimeSpan.FromSeconds(5));
        Assert.Equal(130, code);
        Assert.False(File.Exists(started), "the command ran");
        Assert.Empty(Directory.GetFiles(waiters)); // no stale waiter record

        var journal = ReinProcess.Run(["journal", "--json", "--last", "5"], HomeEnv());
        var run = System
            .Text.Json.JsonDocument.Parse(journal.Stdout)
            .RootElement.GetProperty("runs")
            .EnumerateArray()
            .Single(r => r.GetProperty("outcome").GetString() == "refused");
        Assert.Equal("interrupted", run.GetProperty("refusal").GetProperty("code").GetString());
        Assert.Equal(130, run.GetProperty("rein_exit_code").GetInt32());
    }

    [Fact]
    public void A_run_rein_fails_after_recording_ends_in_the_journal_with_the_reason_not_as_vanished()
    {
        Requires.TestHooks();
        var r = ReinProcess.Run(
            RunArgs([], "pidfile", PidFile, "hang"),
            HomeEnv(("REIN_FAULT", "after-spawn"))
        );
        Assert.Equal(125, r.ExitCode);
        var journal = ReinProcess.Run(["journal", "--json", "--last", "1"], HomeEnv());
        var run = System
            .Text.Json.JsonDocument.Parse(journal.Stdout)
            .RootElement.GetProperty("runs")[0];
        Assert.Equal("rein_failed", run.GetProperty("outcome").GetString());
        Assert.Contains("injected fault", run.GetProperty("note").GetString());
        AssertNoSurvivors();
    }

    [Fact]
    public void A_run_that_fails_with_any_exception_after_the_spawn_ends_in_the_journal()
    {
        Requires.TestHooks();
        // An exception rein has no special case for (here an ArithmeticException; in life a SQLite error on a
        // full disk) still ends the run on record, not as "guard vanished".
        var r = ReinProcess.Run(
            RunArgs([], "pidfile", PidFile, "hang"),
            HomeEnv(("REIN_FAULT", "after-spawn-other"))
        );
        Assert.Equal(125, r.ExitCode);
        var run = LastRun();
        Assert.Equal("rein_failed", run.GetProperty("outcome").GetString());
        Assert.Contains("injected fault", run.GetProperty("note").GetString());
        AssertNoSurvivors();
    }

    [Fact]
    public void A_shim_event_line_rein_cannot_read_is_a_shim_fault_on_record()
    {
        Assert.SkipUnless(
            OperatingSystem.IsLinux() && Environment.UserName == "root",
            "writes into the shim's event pipe through /proc, which only root may do (the shim is not dumpable)"
        );
        var evt = "$(tr '\\0' '\\n' < /proc/$PPID/cmdline | sed -n '/^--evt$/{n;p;q}')";
        var r = ReinProcess.Run(
            [
                "run",
                "--",
                "sh",
                "-c",
                $"echo 'exit x y' > /proc/$PPID/fd/{evt}; exec \"$0\" \"$@\"",
                Paths.Helper,
                Marker,
                "pidfile",
                PidFile,
                "hang",
            ],
            HomeEnv()
        );

        Assert.Equal(125, r.ExitCode);
        Assert.Contains("shim sent a line rein cannot read ('exit x y')", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr); // one line, no stack trace (the keeper may add its own)
        var run = LastRun();
        Assert.Equal("rein_failed", run.GetProperty("outcome").GetString());
        Assert.Contains("cannot read", run.GetProperty("note").GetString());
        AssertNoSurvivors();
    }

    System.Text.Json.JsonElement LastRun()
    {
        var journal = ReinProcess.Run(["journal", "--json", "--last", "1"], HomeEnv());
        return System.Text.Json.JsonDocument.Parse(journal.Stdout).RootElement.GetProperty("runs")[
            0
        ];
    }

    sealed class Recording : IRunObserver
    {
        public List<string> Events { get; } = [];

        public void Started(int pid) => Events.Add("started");

        public void Sampled(long rssBytes, int processes) => Events.Add($"sampled {processes}");

        public void TeardownBegun(RunOutcome reason, int signal) =>
            Events.Add($"teardown {reason} {signal}");

        public void TeardownEnded(int killed, int unkillable) =>
            Events.Add($"ended killed={killed > 0} unkillable={unkillable}");

        public void Exited(bool exited, int codeOrSignal) =>
            Events.Add($"exited {exited} {codeOrSignal}");
    }

    [Fact]
    public void An_observer_sees_the_start_samples_the_teardown_and_the_end()
    {
        var observer = new Recording();
        var spec = Spec("fan", "2", "[", "hang", "]", "hang") with
        {
            Timeout = TimeSpan.FromMilliseconds(700),
            SampleInterval = TimeSpan.FromMilliseconds(100),
        };
        var verdict = new GuardedRun(spec, Options() with { Observer = observer }).Run(
            TestContext.Current.CancellationToken
        );
        Assert.Equal(RunOutcome.TimedOut, verdict.Outcome);
        var e = observer.Events;
        Assert.Equal("started", e[0]);
        Assert.Contains("sampled 3", e);
        var teardown = e.IndexOf("teardown TimedOut 15");
        Assert.True(teardown > 0, string.Join(", ", e));
        Assert.Equal("ended killed=True unkillable=0", e[teardown + 1]);
        Assert.Equal("exited False 15", e[^1]);
        AssertNoSurvivors();
    }
}
