using System.Diagnostics;
using Rein.Lint.Make;
using Rein.Tests.Support;

namespace Rein.Tests.Hooks;

/// <summary>The make recipe of docs/manual/integrations.md, run by real make: every target goes through rein run with the `ci` lock.</summary>
public sealed class MakeRecipeTests : IDisposable
{
    readonly string _marker = TestMarker.New("recipe");
    readonly string _dir = Directory.CreateTempSubdirectory("rein-recipe-").FullName;
    readonly string _home = Directory.CreateTempSubdirectory("rein-recipe-home-").FullName;

    public void Dispose() => ProcessProbe.KillAll(_marker);

    /// <summary>The recipe exactly as docs/manual/integrations.md gives it, plus two targets that use it.</summary>
    string Makefile() =>
        "GUARD := rein run --lock ci --timeout 30m --idle-timeout 5m --\n\n"
        + "ci:\n\t$(GUARD) sh -c 'echo \"guarded run $$REIN_RUN_ID\"'\n\n"
        + $"hold:\n\t$(GUARD) {Paths.Helper} {_marker} hang\n";

    Process Make(string target)
    {
        Assert.SkipUnless(File.Exists("/usr/bin/make"), "GNU Make is not installed");
        File.WriteAllText(Path.Combine(_dir, "Makefile"), Makefile());
        var psi = new ProcessStartInfo("make")
        {
            WorkingDirectory = _dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(target);
        foreach (
            var key in psi
                .Environment.Keys.Where(k => k.StartsWith("REIN_", StringComparison.Ordinal))
                .ToList()
        )
        {
            psi.Environment.Remove(key);
        }

        // `rein` on PATH, as the recipe expects.
        psi.Environment["PATH"] =
            $"{Path.GetDirectoryName(Paths.Rein)}:{Environment.GetEnvironmentVariable("PATH")}";
        psi.Environment["REIN_HOME"] = _home;
        psi.Environment["REIN_CONFIG"] = "/nonexistent/rein.toml";
        return Process.Start(psi)!;
    }

    [Fact]
    public void The_recipe_runs_the_command_under_rein_and_a_second_ci_is_refused_while_one_runs()
    {
        using var ci = Make("ci");
        var output = ci.StandardOutput.ReadToEnd();
        Assert.True(ci.WaitForExit(30_000));
        Assert.Equal(0, ci.ExitCode);
        Assert.Matches(@"guarded run \d{8}T\d{6}Z-[0-9a-f]+", output);

        using var holder = Make("hold");
        // The guarded helper itself (argv[0] the helper), not make or rein run, which carry the marker in their
        // argv before the lock is taken: only the helper's start proves the holder has the slot.
        Assert.True(
            ProcessProbe.WaitUntil(
                () =>
                    ProcessProbe
                        .Alive(_marker)
                        .Any(pid =>
                            ProcessProbe
                                .Table.CommandLine(pid)
                                .StartsWith(Paths.Helper, StringComparison.Ordinal)
                        ),
                TimeSpan.FromSeconds(20)
            )
        );
        using var second = Make("ci");
        var stderr = second.StandardError.ReadToEnd();
        Assert.True(second.WaitForExit(30_000));
        Assert.NotEqual(0, second.ExitCode);
        Assert.Contains("lock 'ci' is busy", stderr);
        holder.Kill(entireProcessTree: true);
    }

    [Fact]
    public void The_recipe_itself_is_clean_for_rein_lint_make()
    {
        var file = Path.Combine(_dir, "Makefile");
        File.WriteAllText(file, Makefile());
        Assert.Empty(MakeLinter.Lint(file).Findings);
    }
}
