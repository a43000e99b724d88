using Rein.Tests.Support;

namespace Rein.Tests.Running;

/// <summary>Each test gets a marker and a scratch directory; whatever happens, its processes are killed at the end.</summary>
public abstract class RunTestBase : IDisposable
{
    protected RunTestBase()
    {
        Marker = TestMarker.New(GetType().Name);
        Scratch = Directory.CreateTempSubdirectory("rein-test-").FullName;
    }

    protected string Marker { get; }

    protected string Scratch { get; }

    protected string PidFile => Path.Combine(Scratch, "pids");

    /// <summary>A private state directory (journal) for tests that read what rein recorded.</summary>
    protected string Home => Path.Combine(Scratch, "state");

    protected Dictionary<string, string?> HomeEnv(params (string Key, string Value)[] more)
    {
        // The machine's own panic evidence (pstore, /var/crash, the previous boot's kernel log) is not the test's:
        // a CI machine with a crash on record would refuse every model run (not waitable). Tests of the panic
        // gate name their own sources through `more`.
        var none = Path.Combine(Scratch, "no-panic-evidence");
        var env = new Dictionary<string, string?>
        {
            ["REIN_HOME"] = Home,
            ["REIN_DIAGNOSTIC_REPORTS"] = none,
            ["REIN_PSTORE_DIR"] = none,
            ["REIN_CRASH_DIR"] = none,
            ["REIN_PREVIOUS_KERNEL_LOG"] = "off",
        };
        foreach (var (k, v) in more)
        {
            env[k] = v;
        }

        return env;
    }

    /// <summary>rein run [options] -- rein-testhelper MARKER script...</summary>
    protected IEnumerable<string> RunArgs(IEnumerable<string> options, params string[] script) =>
        ["run", .. options, "--", Paths.Helper, Marker, .. script];

    protected string ReportPath => Path.Combine(Scratch, "report.json");

    protected System.Text.Json.JsonElement ReadReport() =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(ReportPath)).RootElement;

    protected void AssertNoSurvivors()
    {
        // Killed processes can take a moment to leave the table; a survivor stays.
        ProcessProbe.WaitUntil(
            () => ProcessProbe.Alive(Marker).Count == 0,
            TimeSpan.FromSeconds(2)
        );
        var alive = ProcessProbe.Alive(Marker);
        Assert.True(alive.Count == 0, $"processes of the run survived: {string.Join(", ", alive)}");
    }

    /// <summary>G2: SIGKILLs rein, then requires every process of the test's tree to be gone within a second.</summary>
    private protected void AssertSigkillOfReinKillsTheTree(ReinProcess rein)
    {
        Rein.Platform.Posix.LibC.kill(rein.Pid, Rein.Platform.Posix.LibC.SIGKILL);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var gone = ProcessProbe.WaitUntil(
            () => ProcessProbe.Alive(Marker).Count == 0,
            TimeSpan.FromSeconds(1)
        );
        Assert.True(
            gone,
            $"still alive {clock.ElapsedMilliseconds} ms after SIGKILL of rein: {string.Join(", ", ProcessProbe.Alive(Marker))}"
        );
    }

    public void Dispose()
    {
        ProcessProbe.KillAll(Marker);
        try
        {
            Directory.Delete(Scratch, recursive: true);
        }
        catch (IOException) { }

        GC.SuppressFinalize(this);
    }
}
