using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Journal;

/// <summary>The real binary on an 80-column screen (COLUMNS=80): every human table fits and keeps its values whole.</summary>
public sealed class NarrowCliTests : RunTestBase
{
    static void AssertFits(string output, int width)
    {
        foreach (var line in output.Split('\n'))
        {
            Assert.True(line.Length <= width, $"wider than {width}: '{line}'\n{output}");
        }
    }

    [Fact]
    public void Journal_ps_and_locks_fit_80_columns_with_every_value_whole()
    {
        var lockName = "narrow-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(0, ReinProcess.Run(["run", "--", "true"], HomeEnv()).ExitCode);
        using var running = ReinProcess.Start(
            RunArgs(["--lock", lockName], "pidfile", PidFile, "hang"),
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));
        var env = HomeEnv(("COLUMNS", "80"));

        var journal = ReinProcess.Run(["journal"], env);
        AssertFits(journal.Stdout, 80);
        Assert.Matches(@"\d+ms", journal.Stdout); // `true` took milliseconds, printed whole
        Assert.Contains(Marker, journal.Stdout); // the command column is there

        var ps = ReinProcess.Run(["ps"], env);
        AssertFits(ps.Stdout, 80);
        Assert.Contains(Marker, ps.Stdout);
        Assert.Contains("lock:" + lockName, ps.Stdout);

        var locks = ReinProcess.Run(["locks"], env);
        AssertFits(locks.Stdout, 80);
        Assert.Contains(lockName, locks.Stdout);
        Assert.Contains(Marker, locks.Stdout);
        ProcessProbe.KillAll(Marker);
    }
}
