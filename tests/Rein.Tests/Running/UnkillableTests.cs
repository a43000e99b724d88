using Rein.Tests.Support;

namespace Rein.Tests.Running;

/// <summary>G5: a process that survives SIGKILL is reported with the runbook and rein exits instead of looping.
/// A real unkillable process is made with the cgroup v1 freezer: a frozen task sits in D and ignores SIGKILL
/// until thawed. Needs root and a writable freezer hierarchy; elsewhere the test says why it cannot run.</summary>
public sealed class UnkillableTests : RunTestBase
{
    const string FreezerRoot = "/sys/fs/cgroup/freezer";

    [Fact]
    public void Process_that_survives_SIGKILL_is_reported_and_rein_exits()
    {
        Assert.SkipUnless(
            FreezerAvailable(),
            "needs root and a writable cgroup v1 freezer (Linux CI machine)"
        );
        var cgroup = Path.Combine(FreezerRoot, "rein-test-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(cgroup);
        try
        {
            using var rein = ReinProcess.Start(
                RunArgs(
                    ["--timeout", "1s", "--grace", "200ms", "--report", ReportPath],
                    "pidfile",
                    PidFile,
                    "hang"
                ),
                new Dictionary<string, string?> { ["REIN_KILL_WAIT"] = "700ms" }
            );
            var pid = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5)));
            File.WriteAllText(Path.Combine(cgroup, "cgroup.procs"), pid.ToString());
            File.WriteAllText(Path.Combine(cgroup, "freezer.state"), "FROZEN");

            var (exitCode, elapsed) = rein.WaitForExit(TimeSpan.FromSeconds(15));
            // The frozen process still holds rein's stderr: thaw it so the output can be read to the end.
            File.WriteAllText(Path.Combine(cgroup, "freezer.state"), "THAWED");
            ProcessProbe.KillAll(Marker);
            var r = rein.Wait(TimeSpan.FromSeconds(5));

            Assert.Equal(124, exitCode);
            Assert.Contains("survived SIGKILL", r.Stderr);
            Assert.Contains("reboot", r.Stderr);
            var unkillable = Assert.Single(ReadReport().GetProperty("unkillable").EnumerateArray());
            Assert.Equal(pid, unkillable.GetProperty("pid").GetInt32());
            Assert.Equal("D", unkillable.GetProperty("state").GetString());
            Assert.True(
                elapsed < TimeSpan.FromSeconds(6),
                $"rein looped on the unkillable process ({elapsed})"
            );
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

    static bool FreezerAvailable()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists(Path.Combine(FreezerRoot, "cgroup.procs")))
        {
            return false;
        }

        try
        {
            var probe = Path.Combine(FreezerRoot, "rein-probe-" + Environment.ProcessId);
            Directory.CreateDirectory(probe);
            Directory.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
