using System.Diagnostics;
using Rein.Lint.Make;

namespace Rein.Tests.Lint;

/// <summary>The classification checked against GNU Make itself: every shell of expansion-rules.mk appends its tag
/// to a log; the tags real make runs must be exactly those rein lint make says run (parse time for
/// <c>make -n</c>; parse time and exported ones when a recipe really runs).</summary>
public sealed class MakeGroundTruthTests
{
    static SortedSet<string> RunMake(params string[] args)
    {
        Assert.SkipUnless(File.Exists("/usr/bin/make"), "GNU Make is not installed");
        var log = Path.Combine(LintFixtures.TempDir("gt"), "ran.log");
        var psi = new ProcessStartInfo("make")
        {
            WorkingDirectory = LintFixtures.Dir("make"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in (string[])["-s", "-f", "expansion-rules.mk", .. args, $"LOG={log}"])
        {
            psi.ArgumentList.Add(a);
        }

        using var make = Process.Start(psi)!;
        var stderr = make.StandardError.ReadToEndAsync();
        make.StandardOutput.ReadToEnd();
        Assert.True(make.WaitForExit(30_000), "make did not finish");
        Assert.True(make.ExitCode == 0, stderr.Result);
        return new SortedSet<string>(
            File.Exists(log) ? File.ReadAllLines(log).Where(l => l.Length > 0) : [],
            StringComparer.Ordinal
        );
    }

    /// <summary>The tag of a finding: the word after <c>echo</c> in its command.</summary>
    static SortedSet<string> Claimed(params string[] whens)
    {
        var report = MakeLinter.Lint(Path.Combine(LintFixtures.Dir("make"), "expansion-rules.mk"));
        return new SortedSet<string>(
            report
                .Findings.Where(f => whens.Contains(f.Details.When))
                .Select(f => f.Details.Command!.Split("echo ")[^1].Split(' ')[0]),
            StringComparer.Ordinal
        );
    }

    [Fact]
    public void Make_dry_run_runs_exactly_the_shells_classified_parse_time() =>
        Assert.Equal(Claimed("parse_time"), RunMake("-n", "nothing"));

    [Fact]
    public void A_real_run_adds_exactly_the_exported_recursive_shells() =>
        Assert.Equal(Claimed("parse_time", "every_recipe"), RunMake("nothing"));

    [Fact]
    public void Building_a_target_runs_its_recipe_shells_and_nothing_the_linter_calls_unreferenced()
    {
        var ran = RunMake("build");
        var claimed = Claimed("parse_time", "every_recipe", "on_reference");
        // Recipe shells are clean (no finding) but do run with their target; everything else that ran is claimed.
        ran.ExceptWith(["recipe", "recipe-continued", "target-recursive", "append-recursive"]);
        Assert.Equal(claimed, ran);
    }

    [Fact]
    public void A_dry_run_of_a_target_also_expands_its_recipe_but_not_the_exported_variables()
    {
        var ran = RunMake("-n", "build");
        var claimed = Claimed("parse_time", "on_reference");
        claimed.UnionWith(["recipe", "recipe-continued", "target-recursive", "append-recursive"]);
        Assert.Equal(claimed, ran);
    }
}
