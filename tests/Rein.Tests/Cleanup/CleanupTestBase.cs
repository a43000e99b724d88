using System.Diagnostics;
using System.Text.Json;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Cleanup;

/// <summary>Starting leftovers the way they happen in the field (own session, a REIN_RUN_ID, a working directory)
/// and asking rein cleanup about them with a private journal.</summary>
public abstract class CleanupTestBase : RunTestBase
{
    /// <summary>Runs <paramref name="program"/> and waits for it: a helper script that forks a <c>setsid</c> block
    /// and exits leaves that block running in its own session, orphaned, as a leftover is.</summary>
    protected static void StartDetached(
        string program,
        IEnumerable<string> args,
        IDictionary<string, string>? env = null,
        string? cwd = null
    )
    {
        var psi = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (
            var key in psi
                .Environment.Keys.Where(k => k.StartsWith("REIN_", StringComparison.Ordinal))
                .ToList()
        )
        {
            psi.Environment.Remove(key);
        }

        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        if (cwd is not null)
        {
            psi.WorkingDirectory = cwd;
        }

        using var p = Process.Start(psi)!;
        Assert.True(p.WaitForExit(10_000), $"{program} did not return");
    }

    /// <summary>The id of a run that ended in this test's journal.</summary>
    protected string EndedRunId()
    {
        var r = ReinProcess.Run(["run", "--report", ReportPath, "--", "true"], HomeEnv());
        Assert.Equal(0, r.ExitCode);
        return ReadReport().GetProperty("run_id").GetString()!;
    }

    private protected RunResult Cleanup(params string[] args)
    {
        if (args.Contains("--yes") && !args.Contains("--match"))
        {
            // Safety net: the machine runs other people's guarded runs, whose REIN_RUN_ID this test's journal does
            // not know. Were that rule ever broken, an unscoped --yes would stop them all: check on a dry run first.
            var plan = ReinProcess.Run(["cleanup", "--json"], HomeEnv(), TimeSpan.FromSeconds(60));
            var foreign = Json(plan)
                .GetProperty("processes")
                .EnumerateArray()
                .Where(e => e.GetProperty("rule").GetString() == "foreign-marker")
                .Where(e => e.GetProperty("action").GetString() != "reported")
                .ToList();
            Assert.True(foreign.Count == 0, $"foreign processes would be stopped: {plan.Stdout}");
        }

        return ReinProcess.Run(
            ["cleanup", "--grace", "300ms", .. args],
            HomeEnv(),
            TimeSpan.FromSeconds(60)
        );
    }

    private protected static JsonElement Json(RunResult r)
    {
        Assert.True(r.Stdout.TrimStart().StartsWith('{'), $"not JSON: {r.Stdout} {r.Stderr}");
        var doc = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Equal("rein.cleanup/1", doc.GetProperty("schema").GetString());
        return doc;
    }

    protected static JsonElement? Entry(JsonElement doc, string list, int pid) =>
        doc.GetProperty(list)
            .EnumerateArray()
            .Where(e => e.GetProperty("pid").GetInt32() == pid)
            .Cast<JsonElement?>()
            .FirstOrDefault();

    protected static bool Alive(int pid) => ProcessProbe.Table.Read(pid) is { IsZombie: false };

    protected static bool Gone(int pid) =>
        ProcessProbe.WaitUntil(() => !Alive(pid), TimeSpan.FromSeconds(3));
}
