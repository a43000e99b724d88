using System.Diagnostics;
using System.Text.Json;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Locking;

/// <summary>A lock's "held for" counts from when the slot was taken, not from when its holder started waiting.</summary>
public sealed class LockHeldForTests : RunTestBase
{
    [Fact]
    public void Held_for_counts_from_acquisition_not_from_the_holders_wait()
    {
        var name = "held-" + Guid.NewGuid().ToString("N")[..8];
        var second = Path.Combine(Scratch, "second");
        using var first = ReinProcess.Start(
            RunArgs(["--lock", name], "pidfile", PidFile, "sleep", "2.5"),
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));
        var waitStarted = Stopwatch.StartNew();
        using var waiter = ReinProcess.Start(
            RunArgs(["--lock", name, "--wait", "30s"], "pidfile", second, "hang"),
            HomeEnv()
        );
        ProcessProbe.WaitForPids(second, 1, TimeSpan.FromSeconds(15));
        var waited = waitStarted.Elapsed;
        Assert.True(waited > TimeSpan.FromSeconds(1.5), $"the second run did not wait ({waited})");

        var locks = ReinProcess.Run(["locks", "--json"], HomeEnv());
        var holder = JsonDocument
            .Parse(locks.Stdout)
            .RootElement.GetProperty("locks")
            .EnumerateArray()
            .Single(l => l.GetProperty("name").GetString() == name)
            .GetProperty("slots")[0]
            .GetProperty("holder");

        Assert.Equal(waiter.Pid, holder.GetProperty("pid").GetInt32());
        // Counted from the wait's start, the age would be at least the time since then; counted from acquisition
        // it is over a second less (the holder waited about 2 s). Bounds from the clock, not a fixed 1 s: a loaded
        // machine can take a second between the acquisition and these reads.
        var ageMs = holder.GetProperty("age_ms").GetInt64();
        var sinceWait = waitStarted.Elapsed.TotalMilliseconds;
        Assert.True(
            ageMs < sinceWait - 1000,
            $"held for {ageMs} ms, {sinceWait} ms since the wait began"
        );
        Assert.True(holder.TryGetProperty("acquired_at", out _));

        var busy = ReinProcess.Run(["run", "--lock", name, "--", "true"], HomeEnv());
        Assert.Equal(75, busy.ExitCode);
        var said = System.Text.RegularExpressions.Regex.Match(
            busy.Stderr,
            @"running (\d+(?:\.\d)?)(ms|s)\b"
        );
        Assert.True(said.Success, busy.Stderr);
        var saidMs =
            double.Parse(said.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)
            * (said.Groups[2].Value == "s" ? 1000 : 1);
        sinceWait = waitStarted.Elapsed.TotalMilliseconds;
        Assert.True(
            saidMs < sinceWait - 1000,
            $"{busy.Stderr} ({sinceWait} ms since the wait began)"
        );
        ProcessProbe.KillAll(Marker);
    }
}
