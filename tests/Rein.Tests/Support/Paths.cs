namespace Rein.Tests.Support;

/// <summary>Where the binaries under test are. <c>REIN_BIN</c> points the suite at another build of rein
/// (CI uses it to run the same tests against the NativeAOT binary).</summary>
internal static class Paths
{
    public static string Rein =>
        Environment.GetEnvironmentVariable("REIN_BIN") is { Length: > 0 } bin
            ? bin
            : Path.Combine(AppContext.BaseDirectory, "rein");

    /// <summary>The C test helper built beside the tests (tests/helper/rein-testhelper.c).</summary>
    public static string Helper => Path.Combine(AppContext.BaseDirectory, "rein-testhelper");

    public static string Fixture(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "fixtures", .. parts]);

    public static string Golden(string name) =>
        Path.Combine(AppContext.BaseDirectory, "golden", name);

    /// <summary>The source tree's golden folder, for REIN_UPDATE_GOLDEN=1.</summary>
    public static string SourceGolden(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Rein.slnx")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? ".", "tests", "golden", name);
    }
}
