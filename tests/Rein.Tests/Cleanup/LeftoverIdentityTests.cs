using Rein.Cleanup;
using Rein.Journal;
using Rein.Processes;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Cleanup;

/// <summary>Identity, not pid: a journal record or a scan whose start time does not match the process now at that
/// pid (a recycled pid) never selects or signals it.</summary>
public sealed class LeftoverIdentityTests : RunTestBase
{
    static RunRecord EndedRun(string id) =>
        new()
        {
            Id = id,
            Command = ["x"],
            WorkingDirectory = "/",
            User = "u",
            BootId = "b",
            StartedAt = DateTimeOffset.UtcNow,
            EndedAt = DateTimeOffset.UtcNow,
            Outcome = "exited",
        };

    int StartHelper()
    {
        var p = System.Diagnostics.Process.Start(
            new System.Diagnostics.ProcessStartInfo(Paths.Helper)
            {
                ArgumentList = { Marker, "setsid", "[", "pidfile", PidFile, "hang", "]" },
            }
        )!;
        p.WaitForExit();
        return ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5))[0];
    }

    [Fact]
    public void A_recycled_pid_same_number_other_start_time_is_never_selected_nor_signalled()
    {
        var pid = StartHelper();
        var now = ProcessProbe.Table.Read(pid)!;
        var stranger = now with { StartTime = now.StartTime + 1 };
        var run = EndedRun("run-" + Marker);
        var finder = new LeftoverFinder(ProcessProbe.Table, new ProcessDetailsReader());

        var stale = finder.Find(
            new CleanupRequest(),
            new([run], [(run.Id, pid, stranger.StartTime)]),
            []
        );
        Assert.DoesNotContain(stale.Leftovers, l => l.Process.Pid == pid);

        var (killed, survivors) = LeftoverKiller.Kill(
            ProcessProbe.Table,
            [stranger],
            TimeSpan.FromMilliseconds(100),
            TimeSpan.FromMilliseconds(100)
        );
        Assert.Empty(killed);
        Assert.True(
            ProcessProbe.Table.Read(pid) is { IsZombie: false },
            "a process with another start time was signalled"
        );

        // The same record with the true start time does select it (the check above is not vacuous).
        var real = finder.Find(
            new CleanupRequest(),
            new([run], [(run.Id, pid, now.StartTime)]),
            []
        );
        Assert.Contains(
            real.Leftovers,
            l => l.Process.Pid == pid && l.Rule == CleanupRules.Journal && l.Kill
        );
    }
}
