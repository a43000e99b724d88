using System.Diagnostics;
using Rein.Platform.Posix;
using Rein.Processes;
using Rein.Processes.Linux;

namespace Rein.Tests.Guarantees;

/// <summary>G6: a signal goes to a process only if it is still the process that was recorded (pid and start time):
/// a pid reused by someone else is never signalled.</summary>
public sealed class SignalIdentityTests
{
    [Fact]
    public void A_process_whose_start_time_differs_from_the_record_is_not_signalled()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads /proc");
        using var other = Process.Start("sleep", "30");
        try
        {
            var table = new ProcfsProcessTable();
            var now = table.Read(other.Id)!;
            // The record of an earlier process that had this pid: same number, another start time.
            var stale = now with
            {
                StartTime = now.StartTime - 1,
            };
            Assert.False(ProcessSignaller.Send(table, stale, LibC.SIGKILL));
            Assert.False(other.WaitForExit(300), "a process with another start time was killed");

            Assert.True(ProcessSignaller.Send(table, now, LibC.SIGKILL));
            Assert.True(other.WaitForExit(5000));
        }
        finally
        {
            if (!other.HasExited)
            {
                other.Kill();
            }
        }
    }
}
