using System.Text.Json;
using Rein.Config;
using Rein.Forensics.Classification;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Forensics.Classification;

/// <summary>Review findings: coloured output, rein classify --exit agreeing with rein run, evidence around a late
/// match, rule validation, user rules in supervise and timeout, advice that knows --classify is on.</summary>
public sealed class ClassifyReviewTests : RunTestBase
{
    static ClassificationRules User(string toml)
    {
        var tables = new List<ConfigTable>();
        EffectiveConfig.ParseToml(toml, "/repo/rein.toml", tables);
        return ClassificationRules.From(tables.Where(t => t.Key == ClassificationRules.ConfigKey));
    }

    static RunFailure Classify(string output, params string[] facts) =>
        FailureClassifier.Classify(
            ClassificationRules.BuiltIn,
            new FailureEvidence(
                facts.Length > 0 ? facts : ["outcome=exited", "exit=1"],
                output,
                [],
                null
            )
        );

    RunResult ClassifyStdin(string text, params string[] more)
    {
        var file = Path.Combine(Scratch, "in.log");
        File.WriteAllText(file, text);
        return ReinProcess.Run(
            [file, .. more],
            HomeEnv(),
            wrapper: ["/bin/sh", "-c", "f=$1; shift; exec \"$0\" classify - \"$@\" < \"$f\""],
            workingDirectory: Scratch
        );
    }

    [Fact]
    public void A_coloured_python_traceback_is_recognised_and_its_evidence_is_plain()
    {
        // Python 3.13 on a terminal: the exception name in bold magenta, an OSC 8 hyperlink on the file line.
        var r = ClassifyStdin(
            "Traceback (most recent call last):\n  \x1b]8;;file:///t.py\x1b\\File \"t.py\"\x1b]8;;\x1b\\, line 1\n\x1b[1;35mMemoryError\x1b[0m\n"
        );
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.StartsWith("python_memory_error", r.Stdout);
        Assert.Contains("evidence: MemoryError\n", r.Stdout);
    }

    [Fact]
    public void Ansi_sequences_are_stripped()
    {
        Assert.Equal("MemoryError", AnsiText.Strip("\x1b[1;35mMemoryError\x1b[0m"));
        Assert.Equal("a link", AnsiText.Strip("a \x1b]8;;http://x\x07link\x1b]8;;\x07"));
        Assert.Equal("plain", AnsiText.Strip("plain"));
    }

    [Theory]
    [InlineData("143", "signal", "signal=15")]
    [InlineData("137", "signal", "signal=9")]
    [InlineData("139", "native_segfault", "signal=11")]
    public void Classify_exit_maps_a_shells_128_plus_n_to_the_signal_as_rein_run_sees_it(
        string exit,
        string cls,
        string evidence
    )
    {
        var r = ClassifyStdin("nothing to see\n", "--exit", exit, "--json");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var failure = JsonDocument.Parse(r.Stdout).RootElement.GetProperty("failure");
        Assert.Equal(cls, failure.GetProperty("class").GetString());
        Assert.Equal(evidence, failure.GetProperty("evidence").GetString());
    }

    [Theory]
    [InlineData("256")]
    [InlineData("-1")]
    public void Classify_exit_outside_0_to_255_is_a_usage_error(string exit)
    {
        var r = ClassifyStdin("x\n", "--exit", exit);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.Contains("0 to 255", r.Stderr);
    }

    [Fact]
    public void The_evidence_is_cut_around_a_late_match()
    {
        var line =
            new string('x', 500)
            + " torch.OutOfMemoryError: CUDA out of memory. "
            + new string('y', 500);
        var f = Classify(line);
        Assert.Equal("cuda_oom", f.Class);
        Assert.Contains("CUDA out of memory", f.Evidence);
        Assert.StartsWith("…", f.Evidence);
        Assert.True(f.Evidence!.Length <= 200, f.Evidence);
    }

    const string Rule = """
        [[classify.rule]]
        id = "ours.a"
        match = "boom"
        class = "ours"
        hint = "investigate"
        advice = "look"
        """;

    [Fact]
    public void Duplicate_rule_ids_are_an_error_naming_both()
    {
        var e = Assert.Throws<ConfigException>(() => User(Rule + "\n" + Rule));
        Assert.Contains("'ours.a' is defined twice", e.Message);
    }

    [Fact]
    public void A_non_string_match_is_an_error()
    {
        var e = Assert.Throws<ConfigException>(() =>
            User(Rule.Replace("match = \"boom\"", "match = 5", StringComparison.Ordinal))
        );
        Assert.Contains("'match' must be a string", e.Message);
    }

    [Fact]
    public void An_unknown_setting_lists_the_tables_too()
    {
        var e = Assert.Throws<ConfigException>(() => User("[classify]\nrules = 1\n"));
        Assert.Contains("[[classify.rule]]", e.Message);
    }

    [Fact]
    public void A_cgroup_oom_kill_has_a_rule()
    {
        var f = Classify("", "outcome=signaled", "signal=9", "cgroup_oom_kill=1");
        Assert.Equal("oom_kill", f.Class);
        Assert.Equal("exit.cgroup_oom_kill", f.Rule);
    }

    [Fact]
    public void With_the_tail_kept_the_advice_does_not_say_run_it_with_classify()
    {
        var segv = FailureClassifier.TailKept(Classify("", "outcome=signaled", "signal=11"));
        Assert.Equal("native_segfault", segv.Class);
        Assert.DoesNotContain("--classify", segv.Advice);
        var unknown = FailureClassifier.TailKept(Classify("nothing"));
        Assert.DoesNotContain("--classify", unknown.Advice);
    }

    [Theory]
    [InlineData("supervise")]
    [InlineData("timeout")]
    public void Supervise_and_timeout_read_the_users_rules(string verb)
    {
        File.WriteAllText(
            Path.Combine(Scratch, "rein.toml"),
            Rule.Replace("match = \"boom\"", "regex = \"(\"", StringComparison.Ordinal)
        );
        var ran = Path.Combine(Scratch, "ran");
        string[] args =
            verb == "supervise"
                ? ["supervise", "--max-restarts", "0", "--", Paths.Helper, Marker, "touch", ran]
                : ["timeout", "30", Paths.Helper, Marker, "touch", ran];
        var r = ReinProcess.Run(args, HomeEnv(), workingDirectory: Scratch);
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("'ours.a': 'regex' is not a valid regex", r.Stderr);
        Assert.False(File.Exists(ran));
    }
}
