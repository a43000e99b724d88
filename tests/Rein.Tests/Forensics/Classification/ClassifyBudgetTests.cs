using System.Diagnostics;
using Rein.Config;
using Rein.Forensics.Classification;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Forensics.Classification;

/// <summary>A user's pathological regex must not hold the end of a run: the text rules share one time budget, and
/// when it runs out the failure is classified from the exit's facts, saying the text rules were cut short.</summary>
public sealed class ClassifyBudgetTests : RunTestBase
{
    // Needs the backtracking engine (a lookahead) and backtracks exponentially on a run of a's with no b.
    const string SlowRule = """
        [[classify.rule]]
        id = "ours.slow"
        regex = "(a+)+(?=b)"
        class = "slow"
        hint = "investigate"
        advice = "never"
        """;

    static readonly string ManyAs = string.Concat(
        Enumerable.Repeat(new string('a', 40) + "\n", 400)
    );

    [Fact]
    public void A_slow_rule_is_cut_short_and_the_exit_facts_still_classify()
    {
        var tables = new List<ConfigTable>();
        EffectiveConfig.ParseToml(SlowRule, "/repo/rein.toml", tables);
        var rules = ClassificationRules.From(
            tables.Where(t => t.Key == ClassificationRules.ConfigKey)
        );
        var clock = Stopwatch.StartNew();
        var failure = FailureClassifier.Classify(
            rules,
            new FailureEvidence(["outcome=signaled", "signal=9", "exit=137"], ManyAs, [], null),
            TimeSpan.FromMilliseconds(300)
        );
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.Equal("signal", failure.Class);
        Assert.Equal("exit", failure.Source);
        Assert.EndsWith(FailureClassifier.CutShortNote, failure.Evidence);
    }

    [Fact]
    public void A_run_with_a_slow_rule_ends_within_seconds()
    {
        File.WriteAllText(Path.Combine(Scratch, "rein.toml"), SlowRule);
        var log = Path.Combine(Scratch, "as.txt");
        File.WriteAllText(log, ManyAs);
        using var rein = ReinProcess.Start(
            [
                "run",
                "--classify",
                "--report",
                ReportPath,
                "--",
                "/bin/sh",
                "-c",
                "cat \"$1\" >&2; exit 1",
                Marker,
                log,
            ],
            HomeEnv(),
            workingDirectory: Scratch
        );
        var clock = Stopwatch.StartNew();
        var r = rein.Wait(TimeSpan.FromSeconds(120));
        Assert.Equal(1, r.ExitCode);
        // The budget is 3 s; a loaded machine gets generous slack, but not the minutes an unbounded tail costs.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed}");
        var failure = ReadReport().GetProperty("failure");
        Assert.Equal("unknown", failure.GetProperty("class").GetString());
        Assert.Contains("text rules cut short", failure.GetProperty("evidence").GetString());
    }
}
