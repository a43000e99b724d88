namespace Rein.Tests.Support;

/// <summary>A unique string for one test: passed as the helper's first argument, so every process of the
/// test's tree (forks keep argv) can be found in /proc and nothing else on the machine ever is.</summary>
internal static class TestMarker
{
    public static string New(string name) => $"rt-{name}-{Guid.NewGuid():N}";
}
