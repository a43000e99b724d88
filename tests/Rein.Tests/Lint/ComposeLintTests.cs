using Rein.Lint;
using Rein.Lint.Compose;

namespace Rein.Tests.Lint;

/// <summary>rein lint compose over annotated fixtures and the real compose files of a project.</summary>
public sealed class ComposeLintTests
{
    static readonly MachineMemory Machine16G = new(16L << 30, "the test machine");

    static string Fixture(string name) => Path.Combine(LintFixtures.Dir("compose"), name);

    static LintReport Lint(params string[] names) =>
        ComposeLinter.Lint([.. names.Select(Fixture)], Machine16G, _ => null);

    [Theory]
    [InlineData("no-limits.yml")]
    [InlineData("limits.yml")]
    [InlineData("commented-limit.yml")]
    [InlineData("base.yml", "overlay-reset.yml")]
    [InlineData("tmpfs.yml")]
    [InlineData("jvm.yml")]
    [InlineData("restart.yml")]
    [InlineData("extends.yml")]
    [InlineData("anchors.yml")]
    [InlineData("sum.yml")]
    public void Each_service_is_judged_as_the_fixture_says(params string[] files) =>
        Assert.Equal(
            LintFixtures.Expected(files.Select(Fixture)),
            LintFixtures.Actual(Lint(files), f => f.Rule)
        );

    [Fact]
    public void The_base_alone_is_bounded_except_the_service_the_overlay_bounds()
    {
        var f = Assert.Single(Lint("base.yml").Findings);
        Assert.Equal("api", f.Details.Service);
    }

    [Fact]
    public void A_commented_out_limit_does_not_count_and_the_finding_points_at_it()
    {
        var report = Lint("commented-limit.yml");
        var worker = Assert.Single(report.Findings, f => f.Details.Service == "worker");
        Assert.Contains(
            "commented-limit.yml:6 does not count",
            worker.Message,
            StringComparison.Ordinal
        );
        var proxy = Assert.Single(report.Findings, f => f.Details.Service == "proxy");
        Assert.Contains(
            "commented-limit.yml:15 does not count",
            proxy.Message,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void Sized_tmpfs_is_listed_and_counted()
    {
        var f = Assert.Single(Lint("tmpfs.yml").Findings, f => f.Details.Service == "cache");
        Assert.Equal(80L << 20, f.Details.TmpfsBytes);
        Assert.Contains(
            "/var/cache/nginx (48 MiB), /tmp (32 MiB)",
            f.Message,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void The_sum_of_the_limits_is_checked_against_the_machine()
    {
        var f = Assert.Single(Lint("sum.yml").Findings);
        Assert.Equal(24L << 30, f.Details.MemoryLimitBytes);
        Assert.Equal(16L << 30, f.Details.MachineMemoryBytes);
        Assert.Empty(
            ComposeLinter
                .Lint([Fixture("sum.yml")], new MachineMemory(32L << 30, "big"), _ => null)
                .Findings
        );
    }

    [Fact]
    public void Interpolation_uses_the_environment_then_the_default()
    {
        var report = ComposeLinter.Lint(
            [Fixture("limits.yml")],
            new MachineMemory(3L << 30, "small"),
            name => name == "WORKER_MEMORY" ? "2g" : null
        );
        // 2g (deploy) + 512m + 2g (from the environment, not the 1g default) > 3 GiB.
        var sum = Assert.Single(report.Findings, f => f.Rule == ComposeLinter.SumRule);
        Assert.Equal((4L << 30) + (512L << 20), sum.Details.MemoryLimitBytes);
    }

    [Fact]
    public void The_real_stack_has_four_unbounded_services_that_build()
    {
        var report = ComposeLinter.Lint(
            [Fixture("real/docker-compose.stack.yml")],
            Machine16G,
            _ => null
        );
        Assert.Equal(
            ["api", "pipeline", "pipeline-llm", "viewer"],
            report
                .Findings.Where(f => f.Severity == LintSeverity.Error)
                .Select(f => f.Details.Service)
                .Order()
        );
        Assert.All(report.Findings, f => Assert.Equal(ComposeLinter.UnboundedRule, f.Rule));
    }

    [Fact]
    public void The_real_prod_overlay_resets_builds_and_its_commented_limit_does_not_count()
    {
        var report = ComposeLinter.Lint(
            [Fixture("real/docker-compose.stack.yml"), Fixture("real/docker-compose.prod.yml")],
            Machine16G,
            _ => null
        );
        var unbounded = report.Findings.Where(f => f.Rule == ComposeLinter.UnboundedRule).ToList();
        // build: !reset null leaves viewer and api as images only (warnings); pipeline still builds.
        Assert.Equal(
            LintSeverity.Warning,
            unbounded.Single(f => f.Details.Service == "api").Severity
        );
        Assert.Equal(
            LintSeverity.Error,
            unbounded.Single(f => f.Details.Service == "pipeline").Severity
        );
        Assert.Contains(
            "docker-compose.prod.yml:243 does not count",
            unbounded.Single(f => f.Details.Service == "api").Message,
            StringComparison.Ordinal
        );
        var tmpfs = Assert.Single(report.Findings, f => f.Rule == ComposeLinter.TmpfsRule);
        Assert.EndsWith("docker-compose.prod.yml", tmpfs.File, StringComparison.Ordinal);
        Assert.Equal(81, tmpfs.Line);
    }

    [Fact]
    public void The_real_player_file_bounds_only_the_service_with_mem_limit()
    {
        var report = ComposeLinter.Lint(
            [Fixture("real/docker-compose.player-public.yml")],
            Machine16G,
            _ => null
        );
        var unbounded = report
            .Findings.Where(f => f.Rule == ComposeLinter.UnboundedRule)
            .Select(f => f.Details.Service)
            .Order()
            .ToList();
        Assert.Equal(["api", "learning-app", "mcp", "obs"], unbounded);
    }

    [Fact]
    public void Broken_yaml_is_an_input_error_with_the_line()
    {
        var dir = LintFixtures.TempDir("yaml");
        var file = Path.Combine(dir, "compose.yml");
        File.WriteAllText(file, "services:\n  a:\n    image: [unclosed\n");
        var e = Assert.Throws<LintInputException>(() =>
            ComposeLinter.Lint([file], Machine16G, _ => null)
        );
        Assert.Contains("not valid YAML", e.Message, StringComparison.Ordinal);
    }
}
