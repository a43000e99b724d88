using System.Diagnostics;
using Rein.Platform.Posix;
using Rein.Processes;
using Rein.Tests.Support;

namespace Rein.Tests.Processes;

/// <summary>G6: a signal goes to a process by identity, never by a bare pid (issue 19, item 8).</summary>
public sealed class ProcessSignallerTests
{
    [Fact]
    public void A_record_without_a_start_time_is_never_signalled()
    {
        using var target = Process.Start(Paths.Helper, [TestMarker.New("signaller"), "hang"]);
        try
        {
            var now = ProcessProbe.Table.Read(target.Id);
            Assert.NotNull(now);
            Assert.False(
                ProcessSignaller.Send(ProcessProbe.Table, now with { StartTime = 0 }, LibC.SIGKILL)
            );
            Assert.False(target.WaitForExit(300), "a record with no start time was signalled");
            Assert.True(ProcessSignaller.Send(ProcessProbe.Table, now, LibC.SIGKILL));
            Assert.True(target.WaitForExit(5000));
        }
        finally
        {
            if (!target.HasExited)
            {
                target.Kill();
            }
        }
    }
}
