using Rein.Lint;
using Rein.Lint.Compose;
using Rein.Tests.Support;

namespace Rein.Tests.Lint;

/// <summary>Issue 20 item 10: a dozen lines of nested YAML aliases (10^10 nodes) end as one lint input error,
/// "alias expansion too large", in bounded time and memory.</summary>
public sealed class ComposeAliasBudgetTests
{
    /// <summary>Ten levels, each a list of ten aliases of the level below: 10^10 scalars when expanded.</summary>
    static string Laughs()
    {
        var text = new System.Text.StringBuilder(
            "x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        );
        for (var i = 1; i <= 10; i++)
        {
            var prev = $"*a{i - 1}";
            text.Append($"x-a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat(prev, 10))}]\n");
        }

        text.Append("services:\n  app:\n    image: busybox\n    labels: *a10\n");
        return text.ToString();
    }

    [Fact]
    public void Nested_aliases_stop_at_the_budget_with_one_error()
    {
        var e = Assert.Throws<LintInputException>(() => ComposeYaml.Parse(Laughs(), "compose.yml"));
        Assert.Contains("alias expansion too large", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ordinary_anchors_and_merge_keys_still_expand()
    {
        var map = ComposeYaml.Parse(
            "x-common: &common\n  mem_limit: 1g\nservices:\n  a:\n    <<: *common\n    image: a\n  b:\n    <<: *common\n    image: b\n",
            "compose.yml"
        );
        Assert.NotNull(map["services"]);
    }

    [Fact]
    public void The_cli_reports_it_as_rein_lint_compose_and_exits_2()
    {
        var dir = Directory.CreateTempSubdirectory("rein-laughs-").FullName;
        File.WriteAllText(Path.Combine(dir, "compose.yml"), Laughs());
        var r = ReinProcess.Run(
            ["lint", "compose", "compose.yml"],
            workingDirectory: dir,
            timeout: TimeSpan.FromSeconds(60)
        );
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("rein lint compose: compose.yml:", r.Stderr);
        Assert.Contains("alias expansion too large", r.Stderr);
    }
}
