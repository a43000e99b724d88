using Rein.Platform.Posix;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Locking;

/// <summary>Named locks across real rein processes (G3).</summary>
public sealed class LockTests : RunTestBase
{
    string Lock => "t" + Guid.NewGuid().ToString("N")[..10];

    string Log => Path.Combine(Scratch, "log");

    /// <summary>A command that logs "enter PID" then "leave PID" around a short pause.</summary>
    string[] EnterLeave(double seconds = 0.01) =>
        ["sh", "-c", $"echo enter $$ >> {Log}; sleep {seconds}; echo leave $$ >> {Log}"];

    static int MaxConcurrency(IEnumerable<string> lines)
    {
        int inside = 0,
            max = 0;
        foreach (var l in lines)
        {
            inside += l.StartsWith("enter", StringComparison.Ordinal) ? 1 : -1;
            max = Math.Max(max, inside);
        }

        return max;
    }

    [Fact]
    public void Hundred_contenders_on_a_one_slot_lock_never_overlap()
    {
        var name = Lock;
        var procs = Enumerable
            .Range(0, 100)
            .Select(_ =>
                ReinProcess.Start(
                    ["run", "--lock", name, "--wait", "180s", "--", .. EnterLeave()],
                    HomeEnv()
                )
            )
            .ToList();
        var results = procs.Select(p => p.Wait(TimeSpan.FromSeconds(200))).ToList();
        procs.ForEach(p => p.Dispose());

        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
        var lines = File.ReadAllLines(Log);
        Assert.Equal(200, lines.Length);
        for (var i = 0; i < lines.Length; i += 2)
        {
            Assert.StartsWith("enter", lines[i]);
            Assert.Equal(
                lines[i].Replace("enter", "leave", StringComparison.Ordinal),
                lines[i + 1]
            ); // the same run leaves before anyone enters
        }
    }

    [Fact]
    public void Three_slot_lock_admits_at_most_three_at_once()
    {
        var name = Lock + ":3";
        var procs = Enumerable
            .Range(0, 12)
            .Select(_ =>
                ReinProcess.Start(
                    ["run", "--lock", name, "--wait", "60s", "--", .. EnterLeave(0.3)],
                    HomeEnv()
                )
            )
            .ToList();
        var results = procs.Select(p => p.Wait(TimeSpan.FromSeconds(90))).ToList();
        procs.ForEach(p => p.Dispose());

        Assert.All(results, r => Assert.Equal(0, r.ExitCode));
        var max = MaxConcurrency(File.ReadAllLines(Log));
        Assert.InRange(max, 2, 3); // never more than 3; and the slots really are shared
    }

    [Fact]
    public void A_busy_lock_shortens_a_long_holder_command_to_the_width_and_the_report_keeps_it_whole()
    {
        var name = Lock;
        Assert.Equal(0, ReinProcess.Run(["run", "--", "true"], HomeEnv()).ExitCode);
        var big = string.Concat(Enumerable.Repeat("argument-", 230)); // 2 KB of argv
        using var holder = ReinProcess.Start(
            ["run", "--lock", name, "--", Paths.Helper, Marker, "pidfile", PidFile, "hang", big],
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));

        foreach (var (columns, most) in new[] { ("80", 80 - 40), (null, 440 - 40) })
        {
            var env = HomeEnv();
            env["COLUMNS"] = columns;
            var report = Path.Combine(Scratch, $"report-{columns ?? "none"}.json");
            var busy = ReinProcess.Run(
                ["run", "--lock", name, "--report", report, "--", "true"],
                env
            );

            Assert.Equal(75, busy.ExitCode);
            var line = Assert.Single(busy.Stderr.TrimEnd().Split('\n'));
            var quoted = line[(line.IndexOf("(command `", StringComparison.Ordinal) + 10)..];
            quoted = quoted[..quoted.IndexOf('`', StringComparison.Ordinal)];
            Assert.Equal(most, quoted.Length);
            Assert.EndsWith("…", quoted);
            Assert.StartsWith(Paths.Helper[..Math.Min(Paths.Helper.Length, most - 1)], quoted);
            // --report (for machines) keeps the holder's command as recorded (the holder record keeps the first
            // 1000 characters of a command line).
            var recorded = System
                .Text.Json.JsonDocument.Parse(File.ReadAllText(report))
                .RootElement.GetProperty("refusal")
                .GetProperty("holders")[0]
                .GetProperty("command")
                .GetString()!;
            Assert.StartsWith(
                $"{Paths.Helper} {Marker} pidfile {PidFile} hang argument-",
                recorded
            );
            Assert.True(recorded.Length >= 1000, recorded);
        }
    }

    [Fact]
    public void Busy_lock_fails_fast_with_75_naming_the_holder()
    {
        var name = Lock;
        // A first run does the day's journal prune; do it now, so the holder is not stopped in the middle of one.
        Assert.Equal(0, ReinProcess.Run(["run", "--", "true"], HomeEnv()).ExitCode);
        using var holder = ReinProcess.Start(
            ["run", "--lock", name, "--", Paths.Helper, Marker, "pidfile", PidFile, "hang"],
            HomeEnv()
        );
        var pid = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5)));

        var busy = ReinProcess.Run(["run", "--lock", name, "--", "true"], HomeEnv());

        Assert.Equal(75, busy.ExitCode);
        Assert.Contains($"held by rein pid {holder.Pid}", busy.Stderr);
        Assert.Contains(Marker, busy.Stderr);
        Assert.Contains("do not retry; wait with --wait", busy.Stderr);
        Assert.Single(busy.Stderr.TrimEnd().Split('\n'));

        var locks = System
            .Text.Json.JsonDocument.Parse(ReinProcess.Run(["locks", "--json"], HomeEnv()).Stdout)
            .RootElement;
        var entry = locks
            .GetProperty("locks")
            .EnumerateArray()
            .Single(l => l.GetProperty("name").GetString() == name);
        Assert.Equal(
            holder.Pid,
            entry.GetProperty("slots")[0].GetProperty("holder").GetProperty("pid").GetInt32()
        );

        var ps = System
            .Text.Json.JsonDocument.Parse(ReinProcess.Run(["ps", "--json"], HomeEnv()).Stdout)
            .RootElement;
        Assert.Equal(name, ps.GetProperty("runs")[0].GetProperty("lock").GetString());
        LibC.kill(holder.Pid, LibC.SIGTERM);
        holder.Wait(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(pid, ProcessProbe.Alive(Marker));
    }

    [Fact]
    public void Stopped_holder_is_called_out_in_the_busy_message()
    {
        var name = Lock;
        // A first run does the day's journal prune; do it now, so the holder is not stopped in the middle of one.
        Assert.Equal(0, ReinProcess.Run(["run", "--", "true"], HomeEnv()).ExitCode);
        using var holder = ReinProcess.Start(
            ["run", "--lock", name, "--", Paths.Helper, Marker, "pidfile", PidFile, "hang"],
            HomeEnv()
        );
        var pid = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5))); // the command runs, so the lock is held
        LibC.kill(holder.Pid, LibC.SIGSTOP);
        try
        {
            ProcessProbe.WaitUntil(
                () => ProcessProbe.IsStopped(holder.Pid),
                TimeSpan.FromSeconds(2)
            );
            var busy = ReinProcess.Run(["run", "--lock", name, "--", "true"], HomeEnv());
            Assert.Equal(75, busy.ExitCode);
            Assert.Contains("stopped (SIGSTOP)", busy.Stderr);
            LibC.kill(pid, LibC.SIGSTOP); // the command too: rein ps calls the run stopped
            ProcessProbe.WaitUntil(() => ProcessProbe.IsStopped(pid), TimeSpan.FromSeconds(2));
            var ps = System
                .Text.Json.JsonDocument.Parse(ReinProcess.Run(["ps", "--json"], HomeEnv()).Stdout)
                .RootElement;
            Assert.Contains(
                pid,
                ps.GetProperty("runs")[0]
                    .GetProperty("stopped_pids")
                    .EnumerateArray()
                    .Select(e => e.GetInt32())
            );
        }
        finally
        {
            LibC.kill(holder.Pid, LibC.SIGCONT);
            LibC.kill(pid, LibC.SIGCONT);
            LibC.kill(holder.Pid, LibC.SIGTERM);
        }
    }

    [Fact]
    public void SIGKILLed_holder_frees_its_slot_only_after_its_tree_is_dead()
    {
        var name = Lock;
        using var holder = ReinProcess.Start(
            [
                "run",
                "--lock",
                name,
                "--",
                Paths.Helper,
                Marker,
                "ignore-term",
                "daemon",
                "[",
                "ignore-term",
                "pidfile",
                PidFile,
                "hang",
                "]",
                "pidfile",
                PidFile,
                "hang",
            ],
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 2, TimeSpan.FromSeconds(5));
        LibC.kill(holder.Pid, LibC.SIGKILL);

        // The next run checks, the moment it holds the lock, whether anything of the old run is still alive.
        var pattern = "[" + Marker[0] + "]" + Marker[1..];
        var next = ReinProcess.Run(
            [
                "run",
                "--lock",
                name,
                "--wait",
                "5s",
                "--",
                "sh",
                "-c",
                $"pgrep -f '{pattern}' && exit 9; exit 0",
            ],
            HomeEnv()
        );

        Assert.Equal(0, next.ExitCode);
        Assert.True(
            next.Elapsed < TimeSpan.FromSeconds(3),
            $"the slot took {next.Elapsed} to free up"
        );
        AssertNoSurvivors();
    }

    [Fact]
    public void Lock_is_held_until_leftover_processes_are_dead()
    {
        var name = Lock;
        var pattern = "[" + Marker[0] + "]" + Marker[1..];
        // The holder exits at once but leaves a TERM-ignoring daemon that takes the full grace to kill.
        using var holder = ReinProcess.Start(
            [
                "run",
                "--lock",
                name,
                "--grace",
                "1s",
                "--",
                Paths.Helper,
                Marker,
                "daemon",
                "[",
                "ignore-term",
                "pidfile",
                PidFile,
                "hang",
                "]",
                "sleep",
                "0.2",
                "exit",
                "0",
            ],
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));
        var next = ReinProcess.Run(
            [
                "run",
                "--lock",
                name,
                "--wait",
                "10s",
                "--",
                "sh",
                "-c",
                $"pgrep -f '{pattern}' && exit 9; exit 0",
            ],
            HomeEnv()
        );

        Assert.Equal(0, next.ExitCode);
        Assert.Equal(0, holder.Wait(TimeSpan.FromSeconds(10)).ExitCode);
    }

    [Fact]
    public void Lock_descriptor_never_reaches_the_command()
    {
        var r = ReinProcess.Run(
            ["run", "--lock", Lock, "--", Paths.Helper, Marker, "fds"],
            HomeEnv()
        );
        Assert.Equal(0, r.ExitCode);
        // Exactly what the test host gives any child (the same helper started directly), nothing of rein's.
        var direct = ReinProcess.Run(
            [Paths.Helper, Marker, "fds"],
            HomeEnv(),
            wrapper: ["sh", "-c", "exec \"$@\""]
        );
        Assert.Equal(direct.Stdout, r.Stdout);
    }

    [Theory]
    [InlineData("bad name", "a lock name is")]
    [InlineData("gpu:0", "slots must be")]
    [InlineData("gpu:x", "slots must be")]
    public void Bad_lock_names_exit_125(string spec, string expected)
    {
        var r = ReinProcess.Run(["run", "--lock", spec, "--", "true"], HomeEnv());
        Assert.Equal(125, r.ExitCode);
        Assert.Contains(expected, r.Stderr);
    }
}
