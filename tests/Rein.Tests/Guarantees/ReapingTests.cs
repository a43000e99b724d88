using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Guarantees;

/// <summary>The shim reaps adopted orphans as they exit (tini's job) and holds the command itself unreaped until
/// the teardown is over, so its pid and process group cannot be recycled while rein still signals them (G6).</summary>
public sealed class ReapingTests : RunTestBase
{
    [Fact]
    public void Orphans_are_reaped_while_the_run_goes_on()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads /proc");
        // 100 double-forked helpers that exit at once: without reaping, 100 zombies would sit under the shim.
        using var rein = ReinProcess.Start(
            RunArgs(
                [],
                "fan",
                "100",
                "[",
                "daemon",
                "[",
                "exit",
                "0",
                "]",
                "]",
                "pidfile",
                PidFile,
                "hang"
            ),
            HomeEnv()
        );
        var root = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5)));
        var shim = ProcessProbe.Table.Read(root)!.ParentPid;
        Assert.True(
            ProcessProbe.WaitUntil(() => Zombies(shim) == 0, TimeSpan.FromSeconds(2)),
            $"{Zombies(shim)} zombies under the shim"
        );
    }

    [Fact]
    public void The_command_stays_unreaped_until_the_teardown_is_over()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads /proc");
        // The command exits at once, leaving a TERM-ignoring child: during the 2 s grace, its zombie (and so its
        // pid and group id) must still be held by the shim.
        using var rein = ReinProcess.Start(
            RunArgs(
                ["--grace", "2s"],
                "pidfile",
                PidFile,
                "bg",
                "[",
                "ignore-term",
                "pidfile",
                PidFile,
                "hang",
                "]",
                "sleep",
                "0.2",
                "exit",
                "0"
            ),
            HomeEnv()
        );
        var pids = ProcessProbe.WaitForPids(PidFile, 2, TimeSpan.FromSeconds(5));
        var root = pids[0];
        Thread.Sleep(700);
        Assert.Equal('Z', ProcessProbe.Table.Read(root)?.State);
        Assert.Equal(0, rein.Wait(TimeSpan.FromSeconds(10)).ExitCode);
        AssertNoSurvivors();
    }

    [Fact]
    public void Without_the_kernels_children_lists_orphans_are_reaped_while_the_command_is_held()
    {
        Requires.TestHooks();
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads /proc");
        // A kernel without CONFIG_PROC_CHILDREN: the shim finds its children by a table scan. The command exits at
        // once; its zombie is held through the grace that a TERM-ignoring leftover keeps open, while 30 orphans
        // adopted by the shim die of the TERM. They must be reaped then, not when the run ends (issue 19, item 12:
        // waitid(P_ALL) meets the held command first and reaped nothing more).
        using var rein = ReinProcess.Start(
            RunArgs(
                ["--grace", "3s"],
                "pidfile",
                PidFile,
                "bg",
                "[",
                "ignore-term",
                "hang",
                "]",
                "fan",
                "30",
                "[",
                "daemon",
                "[",
                "hang",
                "]",
                "]",
                "sleep",
                "0.2",
                "exit",
                "0"
            ),
            HomeEnv(("REIN_FAULT", "no-children-lists"))
        );
        var root = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5)));
        var shim = ProcessProbe.Table.Read(root)!.ParentPid;
        Thread.Sleep(1200); // inside the grace: the orphans got TERM at about 0.2 s

        Assert.Equal('Z', ProcessProbe.Table.Read(root)?.State);
        var zombies = Zombies(shim);
        Assert.True(zombies <= 1, $"{zombies} zombies under the shim (the command's own is one)");
        Assert.Equal(0, rein.Wait(TimeSpan.FromSeconds(10)).ExitCode);
        AssertNoSurvivors();
    }

    [Fact]
    public void A_script_without_a_shebang_runs_with_sh()
    {
        var script = Path.Combine(Scratch, "plain-script");
        File.WriteAllText(script, "echo from-sh; exit 7\n");
        File.SetUnixFileMode(
            script,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        );
        var r = ReinProcess.Run(["run", "--", script], HomeEnv());
        Assert.Equal(7, r.ExitCode);
        Assert.Equal("from-sh\n", r.Stdout);
    }

    [Fact]
    public void Without_a_subreaper_leftovers_are_still_found()
    {
        Requires.TestHooks();
        // Where the kernel refuses PR_SET_CHILD_SUBREAPER, an orphaned daemon re-parents to init: the "nothing
        // below the shim" shortcut would miss it, so rein must take the full scan (the marker finds it).
        var r = ReinProcess.Run(
            RunArgs(
                [],
                "daemon",
                "[",
                "ignore-term",
                "pidfile",
                PidFile,
                "hang",
                "]",
                // The root exits only once the daemon runs: otherwise, on a loaded machine, the teardown could
                // kill it before it wrote its pidfile and the test would find nothing to check.
                "await",
                PidFile,
                "exit",
                "0"
            ),
            HomeEnv(("REIN_FAULT", "no-subreaper"))
        );
        Assert.Equal(0, r.ExitCode);
        Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(2)));
        AssertNoSurvivors();
    }

    [Fact]
    public void An_empty_report_path_is_refused_before_the_command_runs()
    {
        var r = ReinProcess.Run(
            RunArgs(["--report", ""], "pidfile", PidFile, "exit", "0"),
            HomeEnv()
        );
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("--report", r.Stderr);
        Assert.False(File.Exists(PidFile), "the command ran");
    }

    static int Zombies(int parent) =>
        ProcessProbe.Table.Snapshot().Count(p => p.ParentPid == parent && p.IsZombie);
}
