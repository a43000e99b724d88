using System.Diagnostics;
using Rein.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Running;

/// <summary>A command that ends at once is reported at once: the shim often reports its start and its exit in one
/// read, and the watch loop must not then sleep until the next sample before it looks (issue 21, item 0).</summary>
[Collection("Latency")]
public sealed class FastExitTests : RunTestBase
{
    [Fact]
    public void A_hundred_runs_of_true_beside_a_CPU_hog_never_wait_for_the_next_sample()
    {
        // Two spinners keep both cores of a small machine busy, which is when the shim's two events arrive
        // together. The sample interval is 10 s, so a run that waited for it is told apart from a slow machine by a
        // bound as generous as 2 s.
        var hogs = Enumerable
            .Range(0, 2)
            .Select(_ => Process.Start(Paths.Helper, [Marker, "spin", "300"]))
            .ToList();
        try
        {
            var slow = new List<double>();
            for (var i = 0; i < 100; i++)
            {
                using var guard = new Guard(
                    new RunSpec { Command = ["true"], SampleInterval = TimeSpan.FromSeconds(10) }
                );
                var verdict = guard.Run();
                guard.Disarm();
                Assert.Equal(0, verdict.ExitCode);
                if (verdict.Duration > TimeSpan.FromSeconds(2))
                {
                    slow.Add(verdict.Duration.TotalMilliseconds);
                }
            }

            Assert.True(slow.Count == 0, $"runs of true over 2 s: {string.Join(", ", slow)}");
        }
        finally
        {
            foreach (var hog in hogs)
            {
                hog.Kill();
                hog.Dispose();
            }
        }
    }
}
