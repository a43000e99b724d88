using System.Globalization;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Guarantees;

/// <summary>Caps cannot hurt rein: rein and its shim never enter the run's cgroup, so --max-procs counts only the
/// command's tree and an OOM kill can only hit the command; a cgroup the command did not land in is never trusted.</summary>
[Collection("Latency")]
public sealed class CapsPlacementTests : RunTestBase
{
    static bool CgroupV1 =>
        OperatingSystem.IsLinux()
        && Directory.Exists("/sys/fs/cgroup/pids")
        && Directory.Exists("/sys/fs/cgroup/memory")
        && Environment.UserName == "root";

    [Fact]
    public void A_tiny_process_cap_still_starts_the_command()
    {
        Assert.SkipUnless(CgroupV1, "needs root and cgroup v1 pids/memory hierarchies");
        var r = ReinProcess.Run(
            [
                "run",
                "--max-procs",
                "3",
                "--cap-method",
                "cgroup",
                "--report",
                ReportPath,
                "--",
                "true",
            ],
            HomeEnv()
        );
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(
            "cgroup-v1",
            ReadReport().GetProperty("caps").GetProperty("method").GetString()
        );
        var runId = ReadReport().GetProperty("run_id").GetString();
        Assert.Empty(Directory.GetDirectories("/sys/fs/cgroup/pids", "rein-" + runId));
    }

    [Fact]
    public void A_fork_bomb_stopped_by_the_process_cap_is_max_procs_exceeded_never_exited_0()
    {
        Assert.SkipUnless(CgroupV1, "needs root and cgroup v1 pids/memory hierarchies");
        // The first process leaves the bomb behind and exits 0 before rein's first sample (250 ms): the pids
        // limit refused forks while no sample saw the tree, and may refuse more while the leftovers are torn
        // down. A CI job must not pass on that, and the peak is the limit at least.
        var r = ReinProcess.Run(
            [
                "run",
                "--max-procs",
                "20",
                "--cap-method",
                "cgroup",
                "--report",
                ReportPath,
                "--",
                "sh",
                "-c",
                "f(){ f & f & sleep 2; }; f & sleep 0.1; exit 0",
                Marker,
            ],
            HomeEnv()
        );

        Assert.Equal(137, r.ExitCode);
        var report = ReadReport();
        Assert.Equal("max_procs_exceeded", report.GetProperty("outcome").GetString());
        Assert.True(
            report.GetProperty("caps").GetProperty("peak_processes").GetInt32() >= 20,
            report.ToString()
        );
        Assert.Contains("cap of 20 processes", r.Stderr);
        AssertNoSurvivors();
    }

    [Fact]
    public void A_capped_run_releases_its_lock_before_it_removes_its_cgroups()
    {
        Assert.SkipUnless(CgroupV1, "needs root and cgroup v1 pids/memory hierarchies");
        // The command leaves a child cgroup in its run's cgroup, so removing it fails (EBUSY) and is retried
        // (rein 0.2 s, its shim 0.5 s). The tree is dead by then: the next run must not wait for that.
        var name = "cg" + Guid.NewGuid().ToString("N")[..10];
        string F(string f) => Path.Combine(Scratch, f);
        Assert.Equal(0, ReinProcess.Run(["run", "--", "true"], HomeEnv()).ExitCode); // the day's prune
        using var holder = ReinProcess.Start(
            [
                "run",
                "--lock",
                name,
                "--max-procs",
                "50",
                "--cap-method",
                "cgroup",
                "--",
                "sh",
                "-c",
                "d=/sys/fs/cgroup/pids$(sed -n 's/^[0-9]*:pids://p' /proc/self/cgroup); "
                    + $"mkdir \"$d/blocker\"; echo \"$d\" > {F("cg")}; touch {F("ready")}; "
                    + $"while [ ! -e {F("go")} ]; do sleep 0.02; done; date +%s.%N > {F("t0")}",
                Marker,
            ],
            HomeEnv()
        );
        try
        {
            Assert.True(
                ProcessProbe.WaitUntil(() => File.Exists(F("ready")), TimeSpan.FromSeconds(20))
            );
            using var waiter = ReinProcess.Start(
                [
                    "run",
                    "--lock",
                    name,
                    "--wait",
                    "60s",
                    "--",
                    "sh",
                    "-c",
                    $"date +%s.%N > {F("t1")}",
                    Marker,
                ],
                HomeEnv()
            );
            Thread.Sleep(500); // the waiter is waiting
            File.WriteAllText(F("go"), "");
            Assert.Equal(0, holder.Wait(TimeSpan.FromSeconds(30)).ExitCode);
            Assert.Equal(0, waiter.Wait(TimeSpan.FromSeconds(30)).ExitCode);

            static double At(string file) =>
                double.Parse(File.ReadAllText(file).Trim(), CultureInfo.InvariantCulture);
            var gap = At(F("t1")) - At(F("t0"));
            Assert.True(
                gap < 0.6,
                $"the next run started {gap:0.00}s after the holder's command ended"
            );
        }
        finally
        {
            if (File.Exists(F("cg")) && File.ReadAllText(F("cg")).Trim() is { Length: > 0 } dir)
            {
                ProcessProbe.WaitUntil(
                    () =>
                    {
                        try
                        {
                            if (Directory.Exists(Path.Combine(dir, "blocker")))
                            {
                                Directory.Delete(Path.Combine(dir, "blocker"));
                            }

                            if (Directory.Exists(dir))
                            {
                                Directory.Delete(dir);
                            }

                            return true;
                        }
                        catch (IOException)
                        {
                            return false;
                        }
                    },
                    TimeSpan.FromSeconds(10)
                );
            }
        }
    }

    [Fact]
    public void A_memory_cap_kills_the_command_not_rein()
    {
        Assert.SkipUnless(CgroupV1, "needs root and cgroup v1 pids/memory hierarchies");
        var r = ReinProcess.Run(
            RunArgs(
                ["--memory", "16M", "--cap-method", "cgroup", "--report", ReportPath],
                "alloc",
                "200",
                "hang"
            ),
            HomeEnv()
        );
        Assert.Equal(137, r.ExitCode);
        Assert.Equal("memory_exceeded", ReadReport().GetProperty("outcome").GetString());
        Assert.Contains("memory", r.Stderr);
        AssertNoSurvivors();
        var runId = ReadReport().GetProperty("run_id").GetString();
        Assert.Empty(
            Directory.GetDirectories(
                "/sys/fs/cgroup/memory",
                "rein-" + runId,
                SearchOption.AllDirectories
            )
        );
    }

    [Fact]
    public void A_cgroup_the_command_did_not_land_in_falls_back_to_polling()
    {
        Requires.TestHooks();
        Assert.SkipUnless(OperatingSystem.IsLinux(), "cgroups are Linux");
        // A fake hierarchy: every write succeeds, but the command is never really inside it.
        var fake = Path.Combine(Scratch, "cgroup");
        var r = ReinProcess.Run(
            ["run", "--memory", "64M", "--report", ReportPath, "--", "true"],
            HomeEnv(("REIN_CGROUP_ROOT", fake))
        );
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("poll", ReadReport().GetProperty("caps").GetProperty("method").GetString());
    }

    [Fact]
    public void An_explicit_cgroup_method_that_cannot_be_honoured_is_an_error()
    {
        Requires.TestHooks();
        Assert.SkipUnless(OperatingSystem.IsLinux(), "cgroups are Linux");
        var fake = Path.Combine(Scratch, "cgroup");
        var r = ReinProcess.Run(
            RunArgs(["--memory", "64M", "--cap-method", "cgroup"], "pidfile", PidFile, "hang"),
            HomeEnv(("REIN_CGROUP_ROOT", fake))
        );
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("--cap-method cgroup", r.Stderr);
        AssertNoSurvivors();
    }
}
