using Rein.Tests.Support;

namespace Rein.Tests.Supervision;

/// <summary>A worker that survives SIGKILL ends supervision: no second worker is started beside it. The unkillable
/// process is a real one, frozen with the cgroup v1 freezer (root only; elsewhere the test says why it skips).</summary>
public sealed class SuperviseUnkillableTests : SuperviseTestBase
{
    const string FreezerRoot = "/sys/fs/cgroup/freezer";

    [Fact]
    public void An_unkillable_worker_stops_supervision_instead_of_starting_another()
    {
        Assert.SkipUnless(
            OperatingSystem.IsLinux()
                && Environment.UserName == "root"
                && File.Exists(Path.Combine(FreezerRoot, "cgroup.procs")),
            "needs root and a writable cgroup v1 freezer (Linux CI machine)"
        );
        var cgroup = Path.Combine(
            FreezerRoot,
            "rein-sup-test-" + Guid.NewGuid().ToString("N")[..8]
        );
        Directory.CreateDirectory(cgroup);
        try
        {
            using var rein = ReinProcess.Start(
                SuperviseArgs(
                    [
                        "--timeout",
                        "1s",
                        "--grace",
                        "200ms",
                        "--backoff-min",
                        "10ms",
                        "--report",
                        ReportPath,
                    ],
                    "pidfile",
                    PidFile,
                    "hang"
                ),
                HomeEnv(("REIN_KILL_WAIT", "700ms"))
            );
            var pid = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10)));
            File.WriteAllText(Path.Combine(cgroup, "cgroup.procs"), pid.ToString());
            File.WriteAllText(Path.Combine(cgroup, "freezer.state"), "FROZEN");

            var (exitCode, _) = rein.WaitForExit(TimeSpan.FromSeconds(20));
            File.WriteAllText(Path.Combine(cgroup, "freezer.state"), "THAWED");
            ProcessProbe.KillAll(Marker);
            var r = rein.Wait(TimeSpan.FromSeconds(5));

            Assert.Equal(124, exitCode); // the incarnation's own code: its --timeout expired
            Assert.Single(Events("start"));
            Assert.Single(Events("unkillable"));
            Assert.Equal("unkillable", ReadReport().GetProperty("ending").GetString());
            Assert.Contains("survived SIGKILL", r.Stderr);
            Assert.Contains("Not starting another worker", r.Stderr);
            Assert.Single(File.ReadAllLines(PidFile));
        }
        finally
        {
            File.WriteAllText(Path.Combine(cgroup, "freezer.state"), "THAWED");
            ProcessProbe.KillAll(Marker);
            ProcessProbe.WaitUntil(
                () => File.ReadAllText(Path.Combine(cgroup, "cgroup.procs")).Trim().Length == 0,
                TimeSpan.FromSeconds(3)
            );
            Directory.Delete(cgroup);
        }
    }
}
