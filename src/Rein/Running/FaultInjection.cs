namespace Rein.Running;

/// <summary>
/// Test hook: <c>REIN_FAULT=after-spawn</c> throws right after the command started, so tests can prove that an
/// error on that path still kills the tree and keeps the lock until it is gone (G1, G3). Costs one environment
/// read per run; does nothing unless set.
/// </summary>
internal static class FaultInjection
{
    public static void After(string point)
    {
        if (Environment.GetEnvironmentVariable("REIN_FAULT") == "after-" + point)
        {
            throw new InvalidOperationException($"injected fault after {point} (REIN_FAULT)");
        }
    }
}
