using System.Diagnostics;
using Rein.Platform.Posix;
using Rein.Tests.Support;

namespace Rein.Tests.Supervision;

/// <summary>Nested runs: a guarded run inside a supervised worker stays findable by the outer run, through the
/// shim's descendants and through the REIN_PARENT_RUN_IDS chain its processes carry.</summary>
[Collection("Latency")]
public sealed class SuperviseNestedTests : SuperviseTestBase
{
    /// <summary>rein supervise -- rein run -- helper MARKER pidfile P hang.</summary>
    ReinProcess StartNested(params string[] options) =>
        ReinProcess.Start(
            [
                "supervise",
                "--events",
                EventsPath,
                "--max-restarts",
                "0",
                "--grace",
                "300ms",
                .. options,
                "--",
                Paths.Rein,
                "run",
                "--",
                Paths.Helper,
                Marker,
                "pidfile",
                PidFile,
                "hang",
            ],
            HomeEnv()
        );

    [Fact]
    public void A_nested_run_whose_rein_and_shim_are_SIGKILLed_together_still_dies_with_the_worker()
    {
        // SIGKILL of a rein and its shim at once orphans a run's tree (the one case a single run does not cover);
        // inside a supervised worker the outer run still holds it and tears it down when the worker ends.
        using var rein = StartNested();
        var inner = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10)));
        var innerShim = ProcessProbe.Table.Read(inner)!.ParentPid;
        var innerRein = ProcessProbe.Table.Read(innerShim)!.ParentPid;
        LibC.kill(innerRein, LibC.SIGKILL);
        LibC.kill(innerShim, LibC.SIGKILL);

        var r = rein.Wait(TimeSpan.FromSeconds(15));
        Assert.Equal(137, r.ExitCode); // the worker (the inner rein) died of SIGKILL; --max-restarts 0
        AssertNoSurvivors();
        var exit = Assert.Single(Events("exit"));
        Assert.Equal(innerRein, exit.GetProperty("pid").GetInt32());
        Assert.Equal("signaled", exit.GetProperty("outcome").GetString());
    }

    [Fact]
    public void The_nested_runs_environment_carries_the_outer_run_id_on_the_chain()
    {
        using var rein = StartNested();
        var inner = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10)));
        var outerRunId = Assert.Single(Events("start")).GetProperty("run_id").GetString()!;
        Assert.Equal(
            outerRunId,
            ProcessProbe.Table.ReadEnvironmentVariable(inner, "REIN_PARENT_RUN_IDS")
        );
        Assert.NotEqual(
            outerRunId,
            ProcessProbe.Table.ReadEnvironmentVariable(inner, "REIN_RUN_ID")
        );
        Term(rein);
        Assert.Equal(0, rein.Wait(TimeSpan.FromSeconds(15)).ExitCode);
        AssertNoSurvivors();
    }

    /// <summary>A process outside the worker's descendants (as an orphan is on macOS, which has no subreaper) that
    /// carries the outer run on its chain is a member: the stop's teardown finds it by the chain alone.</summary>
    [Fact]
    public void A_process_carrying_the_outer_run_on_its_chain_is_stopped_with_the_supervision()
    {
        using var rein = StartNested();
        Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10)));
        using var stray = StartCarrying(
            Assert.Single(Events("start")).GetProperty("run_id").GetString()!
        );

        Term(rein);
        Assert.Equal(0, rein.Wait(TimeSpan.FromSeconds(15)).ExitCode);
        Assert.True(
            stray.WaitForExit(3000),
            "the process on the outer run's chain survived the stop"
        );
        AssertNoSurvivors();
    }

    /// <summary>The same through the shim's last-resort kill: SIGKILL of the supervisor.</summary>
    [Fact]
    public void A_process_carrying_the_outer_run_on_its_chain_dies_when_the_supervisor_is_SIGKILLed()
    {
        using var rein = StartNested();
        Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10)));
        using var stray = StartCarrying(
            Assert.Single(Events("start")).GetProperty("run_id").GetString()!
        );
        LibC.kill(rein.Pid, LibC.SIGKILL);
        Assert.True(
            stray.WaitForExit(1500),
            "the process on the outer run's chain survived SIGKILL of rein"
        );
        AssertNoSurvivors();
    }

    /// <summary>A process of the test (not under any shim) whose environment says it runs inside a run nested in
    /// <paramref name="outerRunId"/>.</summary>
    Process StartCarrying(string outerRunId)
    {
        var psi = new ProcessStartInfo(Paths.Helper) { UseShellExecute = false };
        foreach (var a in new[] { Marker, "hang" })
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["REIN_RUN_ID"] = "20990101T000000Z-0000000000";
        psi.Environment["REIN_PARENT_RUN_IDS"] = $"20990101T000000Z-1111111111:{outerRunId}";
        return Process.Start(psi)!;
    }
}
