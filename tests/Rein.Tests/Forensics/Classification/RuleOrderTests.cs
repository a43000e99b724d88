using Rein.Config;
using Rein.Forensics.Classification;
using Rein.Processes;
using Rein.Running;

namespace Rein.Tests.Forensics.Classification;

/// <summary>Which rule wins, how user rules are read, and what is never classified.</summary>
public sealed class RuleOrderTests
{
    const string MlxLine =
        "libc++abi: terminating due to uncaught exception of type std::runtime_error: [METAL] Command buffer execution failed: Insufficient Memory (00000008:kIOGPUCommandBufferCallbackErrorOutOfMemory)";

    static ClassificationRules User(string toml, string path = "/repo/rein.toml")
    {
        var tables = new List<ConfigTable>();
        EffectiveConfig.ParseToml(toml, path, tables);
        return ClassificationRules.From(tables.Where(t => t.Key == ClassificationRules.ConfigKey));
    }

    static RunFailure Classify(ClassificationRules rules, string output, params string[] facts) =>
        FailureClassifier.Classify(
            rules,
            new FailureEvidence(
                facts.Length > 0 ? facts : ["outcome=exited", "exit=1"],
                output,
                [],
                null
            )
        );

    const string OurRule = """
        [[classify.rule]]
        id = "ours.metal"
        match = "Command buffer execution failed"
        class = "our_gpu_trouble"
        hint = "respawn_now"
        advice = "restart the worker"
        """;

    [Fact]
    public void A_user_rule_is_tried_before_the_built_in_ones()
    {
        Assert.Equal("metal_oom", Classify(ClassificationRules.BuiltIn, MlxLine).Class);
        var f = Classify(User(OurRule), MlxLine);
        Assert.Equal("our_gpu_trouble", f.Class);
        Assert.Equal("respawn_now", f.Hint);
        Assert.Equal("ours.metal", f.Rule);
        Assert.Equal("our_gpu_trouble", f.Title); // no title: the class
    }

    [Fact]
    public void A_certain_exit_fact_outranks_the_output_and_uncertain_user_rules()
    {
        var f = Classify(
            User(OurRule),
            MlxLine,
            "outcome=memory_exceeded memory_limit=67108864 peak_rss=90000000 cap_method=poll",
            "exit=137"
        );
        Assert.Equal("memory_cap", f.Class);
        Assert.Equal("reduce_memory", f.Hint);
        Assert.Equal("exit", f.Source);
        Assert.StartsWith("outcome=memory_exceeded memory_limit=67108864", f.Evidence);
    }

    [Fact]
    public void A_certain_user_rule_outranks_a_certain_built_in_one()
    {
        var rules = User(
            """
            [[classify.rule]]
            id = "ours.cap"
            applies = "exit"
            certain = true
            regex = '^outcome=memory_exceeded\b'
            class = "our_cap"
            hint = "retry"
            advice = "it is fine, try again"
            """
        );
        Assert.Equal("our_cap", Classify(rules, "", "outcome=memory_exceeded").Class);
    }

    [Fact]
    public void A_user_rule_with_a_built_in_id_replaces_it()
    {
        var rules = User(
            """
            [[classify.rule]]
            id = "cuda.oom"
            match = "never printed by anything"
            class = "cuda_oom"
            hint = "reduce_memory"
            advice = "x"
            """
        );
        Assert.Single(rules.All, r => r.Id == "cuda.oom");
        Assert.Equal(
            "unknown",
            Classify(rules, "RuntimeError: CUDA out of memory. Tried to allocate 2 MiB").Class
        );
    }

    [Fact]
    public void The_last_matching_line_is_the_evidence()
    {
        var f = Classify(
            ClassificationRules.BuiltIn,
            "MemoryError: first\nsomething\nMemoryError: second\n"
        );
        Assert.Equal("MemoryError: second", f.Evidence);
    }

    [Fact]
    public void Nothing_matched_is_unknown()
    {
        var f = Classify(ClassificationRules.BuiltIn, "make: *** [all] Error 2");
        Assert.Equal("unknown", f.Class);
        Assert.Null(f.Evidence);
        Assert.Null(f.Rule);
    }

    [Theory]
    [InlineData("", "has no 'id'")]
    [InlineData(
        "id = \"r1\"\nmatch = \"x\"\nhint = \"retry\"\nadvice = \"a\"",
        "'r1': 'class' is missing"
    )]
    [InlineData(
        "id = \"r1\"\nmatch = \"x\"\nclass = \"c\"\nhint = \"retry\"",
        "'r1': 'advice' is missing"
    )]
    [InlineData(
        "id = \"r1\"\nmatch = \"x\"\nregex = \"x\"\nclass = \"c\"\nhint = \"retry\"\nadvice = \"a\"",
        "'r1': give exactly one of"
    )]
    [InlineData(
        "id = \"r1\"\nclass = \"c\"\nhint = \"retry\"\nadvice = \"a\"",
        "'r1': give exactly one of"
    )]
    [InlineData(
        "id = \"r1\"\nregex = \"(unclosed\"\nclass = \"c\"\nhint = \"retry\"\nadvice = \"a\"",
        "'r1': 'regex' is not a valid regex"
    )]
    [InlineData(
        "id = \"r1\"\nmatch = \"x\"\nclass = \"Not Snake\"\nhint = \"retry\"\nadvice = \"a\"",
        "'r1': 'class' must be snake_case"
    )]
    [InlineData(
        "id = \"r1\"\nmatch = \"x\"\nclass = \"c\"\nhint = \"retry\"\nadvice = \"a\"\napplies = \"stdout\"",
        "'r1': 'applies' must be output, kernel or exit"
    )]
    [InlineData(
        "id = \"r1\"\nmatch = \"x\"\nclass = \"c\"\nhint = \"retry\"\nadvice = \"a\"\nsevrity = 1",
        "'r1': unknown field 'sevrity'"
    )]
    [InlineData(
        "id = \"r1\"\nmatch = \"x\"\nclass = \"c\"\nhint = \"retry\"\nadvice = \"a\"\ncertain = \"yes\"",
        "'r1': 'certain' must be true or false"
    )]
    public void A_bad_user_rule_is_one_line_naming_the_file_and_the_rule(
        string body,
        string expected
    )
    {
        var e = Assert.Throws<ConfigException>(() =>
            User("[[classify.rule]]\n" + body, "/repo/rein.toml")
        );
        Assert.StartsWith("/repo/rein.toml: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_built_in_rules_parse()
    {
        var all = ClassificationRules.BuiltIn.All;
        Assert.True(all.Count >= 15);
        Assert.Equal(all.Count, all.Select(r => r.Id).Distinct().Count());
        foreach (var r in all)
        {
            r.Matches("nothing to see here", out _); // every pattern compiles (they are compiled on first use)
            _ = r.DetailPattern;
        }
        foreach (
            var cls in new[]
            {
                "metal_oom",
                "metal_panic_signature",
                "cuda_oom",
                "native_segfault",
                "python_memory_error",
                "oom_kill",
                "memory_cap",
                "stuck_uninterruptible",
                "timeout",
                "idle_timeout",
                "signal",
            }
        )
        {
            Assert.Contains(all, r => r.Class == cls);
        }
    }

    static RunVerdict Verdict(RunOutcome outcome, int? exit = null, int? signal = null) =>
        new()
        {
            RunId = "r",
            Outcome = outcome,
            ExitCode = exit,
            Signal = signal,
            Duration = TimeSpan.FromSeconds(1),
            StartedAt = DateTimeOffset.UnixEpoch,
        };

    [Fact]
    public void Only_failures_are_classified()
    {
        Assert.False(FailureClassifier.Failed(Verdict(RunOutcome.Exited, 0)));
        Assert.False(FailureClassifier.Failed(Verdict(RunOutcome.Refused)));
        Assert.False(FailureClassifier.Failed(Verdict(RunOutcome.StartFailed)));
        Assert.False(FailureClassifier.Failed(Verdict(RunOutcome.Interrupted, signal: 2)));
        Assert.True(FailureClassifier.Failed(Verdict(RunOutcome.Exited, 1)));
        Assert.True(FailureClassifier.Failed(Verdict(RunOutcome.Signaled, signal: 11)));
        Assert.True(FailureClassifier.Failed(Verdict(RunOutcome.TimedOut)));
        Assert.True(FailureClassifier.Failed(Verdict(RunOutcome.MemoryExceeded)));
        Assert.True(
            FailureClassifier.Failed(
                Verdict(RunOutcome.Exited, 0) with
                {
                    Unkillable = [new UnkillableProcess(5, 'D', "cat", 1)],
                }
            )
        );
    }

    [Fact]
    public void Exit_facts_carry_their_numbers()
    {
        var facts = ExitFacts.From(
            Verdict(RunOutcome.Signaled, signal: 11) with
            {
                Unkillable = [new UnkillableProcess(42, 'D', "dd", 7)],
            },
            cgroupOomKills: 2
        );
        Assert.Equal(
            [
                "outcome=signaled",
                "signal=11",
                "unkillable=42 state=D command=dd",
                "cgroup_oom_kill=2",
            ],
            facts
        );
        var f = FailureClassifier.Classify(
            ClassificationRules.BuiltIn,
            new FailureEvidence(facts, null, [], null)
        );
        Assert.Equal("stuck_uninterruptible", f.Class);
        Assert.Equal("reboot", f.Hint);
    }
}
