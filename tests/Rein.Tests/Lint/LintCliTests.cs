using System.Text.Json;
using Rein.Tests.Support;

namespace Rein.Tests.Lint;

/// <summary>The lint verbs through the real binary: compiler-style text, exit statuses, --fail-on, --json, --sarif.</summary>
public sealed class LintCliTests
{
    static string MakeFixture(string name) => Path.Combine(LintFixtures.Dir("make"), name);

    [Fact]
    public void Text_is_compiler_style_with_the_fix_below_and_exit_1_on_an_error()
    {
        var r = ReinProcess.Run(["lint", "make", MakeFixture("incident.mk")]);
        Assert.Equal(1, r.ExitCode);
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith(
            $"{MakeFixture("incident.mk")}:6: error: `ML_MODELS_CACHED := ",
            lines[0]
        );
        Assert.EndsWith("[make/parse-time-shell]", lines[0]);
        Assert.StartsWith("    fix: ", lines[1]);
        Assert.Contains("rein lint make: 1 error, 0 warnings, 0 info in 1 file", r.Stderr);
    }

    [Fact]
    public void A_clean_makefile_exits_0_and_says_so_on_stderr_only()
    {
        var r = ReinProcess.Run(["lint", "make", MakeFixture("incident-fixed.mk")]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stdout);
        Assert.Contains("no findings in 1 file", r.Stderr);
    }

    [Fact]
    public void Warnings_fail_only_with_fail_on_warning()
    {
        var file = MakeFixture("recursive-make.mk");
        Assert.Equal(0, ReinProcess.Run(["lint", "make", file]).ExitCode);
        Assert.Equal(1, ReinProcess.Run(["lint", "make", file, "--fail-on", "warning"]).ExitCode);
        Assert.Equal(1, ReinProcess.Run(["lint", "make", file, "--fail-on", "info"]).ExitCode);
    }

    [Theory]
    [InlineData("--fail-on", "sometimes")]
    [InlineData("--bogus")]
    public void Bad_usage_is_one_line_and_exit_2(params string[] extra)
    {
        var r = ReinProcess.Run(["lint", "make", MakeFixture("incident.mk"), .. extra]);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void A_missing_file_is_exit_2_and_no_makefile_here_says_how_to_name_one()
    {
        var dir = LintFixtures.TempDir("nomake");
        var missing = ReinProcess.Run(["lint", "make", Path.Combine(dir, "nope.mk")]);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no such makefile", missing.Stderr);

        var none = ReinProcess.Run(["lint", "make"], workingDirectory: dir);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("rein lint make path/to/Makefile", none.Stderr);
    }

    [Fact]
    public void Without_a_file_it_reads_the_Makefile_of_the_current_directory()
    {
        var dir = LintFixtures.TempDir("default");
        File.Copy(MakeFixture("incident.mk"), Path.Combine(dir, "Makefile"));
        var r = ReinProcess.Run(["lint", "make"], workingDirectory: dir);
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("Makefile:6: error:", r.Stdout);
    }

    [Fact]
    public void Json_is_the_rein_lint_1_document()
    {
        var r = ReinProcess.Run(["lint", "make", MakeFixture("incident.mk"), "--json"]);
        Assert.Equal(1, r.ExitCode);
        var doc = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Equal("rein.lint/1", doc.GetProperty("schema").GetString());
        Assert.Equal("make", doc.GetProperty("linter").GetString());
        var f = Assert.Single(doc.GetProperty("findings").EnumerateArray().ToList());
        Assert.Equal(6, f.GetProperty("line").GetInt32());
        Assert.Equal("error", f.GetProperty("severity").GetString());
        Assert.Equal("make/parse-time-shell", f.GetProperty("rule").GetString());
        var details = f.GetProperty("details");
        Assert.Equal("ML_MODELS_CACHED", details.GetProperty("variable").GetString());
        Assert.Equal("parse_time", details.GetProperty("when").GetString());
        Assert.Equal(2, details.GetProperty("recursive_make_calls").GetInt32());
        Assert.False(details.TryGetProperty("service", out _)); // nulls are left out
        var summary = doc.GetProperty("summary");
        Assert.Equal(1, summary.GetProperty("errors").GetInt32());
        Assert.True(summary.GetProperty("failed").GetBoolean());
    }

    [Fact]
    public void Sarif_is_a_valid_2_1_0_log_with_one_result_per_finding()
    {
        var dir = LintFixtures.TempDir("sarif");
        var sarif = Path.Combine(dir, "out.sarif");
        var r = ReinProcess.Run(
            ["lint", "make", "heavy-and-cheap.mk", "--sarif", sarif],
            workingDirectory: LintFixtures.Dir("make")
        );
        Assert.Equal(1, r.ExitCode);
        LintSarif.AssertValid(File.ReadAllText(sarif), expectedResults: 13);
        var result = JsonDocument
            .Parse(File.ReadAllText(sarif))
            .RootElement.GetProperty("runs")[0]
            .GetProperty("results")[0];
        var location = result.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal(
            "heavy-and-cheap.mk",
            location.GetProperty("artifactLocation").GetProperty("uri").GetString()
        );
        Assert.Equal(6, location.GetProperty("region").GetProperty("startLine").GetInt32());
        Assert.Equal("error", result.GetProperty("level").GetString());
    }

    [Fact]
    public void Help_teaches_the_rules_and_the_exit_statuses()
    {
        var r = ReinProcess.Run(["lint", "make", "--help"]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("recursive $(MAKE)", r.Stdout);
        Assert.Contains("Exit 0", r.Stdout);
        Assert.Contains("--sarif", r.Stdout);
    }

    [Fact]
    public void Compose_reads_the_default_file_and_its_override_like_docker_compose()
    {
        var dir = LintFixtures.TempDir("compose-default");
        File.WriteAllText(
            Path.Combine(dir, "compose.yaml"),
            "services:\n  worker:\n    build: .\n    mem_limit: 1g\n"
        );
        Assert.Equal(0, ReinProcess.Run(["lint", "compose"], workingDirectory: dir).ExitCode);

        File.WriteAllText(
            Path.Combine(dir, "compose.override.yaml"),
            "services:\n  worker:\n    mem_limit: !reset null\n"
        );
        var r = ReinProcess.Run(["lint", "compose", "--json"], workingDirectory: dir);
        Assert.Equal(1, r.ExitCode);
        var doc = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Equal(
            ["compose.yaml", "compose.override.yaml"],
            doc.GetProperty("files").EnumerateArray().Select(f => f.GetString())
        );
        var f = Assert.Single(doc.GetProperty("findings").EnumerateArray().ToList());
        Assert.Equal("compose/unbounded-memory", f.GetProperty("rule").GetString());
        Assert.Equal("worker", f.GetProperty("details").GetProperty("service").GetString());
    }

    [Fact]
    public void Compose_without_files_or_with_a_bad_size_is_exit_2()
    {
        var dir = LintFixtures.TempDir("compose-none");
        var none = ReinProcess.Run(["lint", "compose"], workingDirectory: dir);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("rein lint compose FILE...", none.Stderr);

        var bad = ReinProcess.Run([
            "lint",
            "compose",
            Path.Combine(LintFixtures.Dir("compose"), "sum.yml"),
            "--machine-memory",
            "lots",
        ]);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--machine-memory", bad.Stderr);
    }

    [Fact]
    public void Compose_sarif_is_valid_for_overlays()
    {
        var dir = LintFixtures.TempDir("compose-sarif");
        var sarif = Path.Combine(dir, "compose.sarif");
        var r = ReinProcess.Run(
            [
                "lint",
                "compose",
                "base.yml",
                "overlay-reset.yml",
                "--sarif",
                sarif,
                "--machine-memory",
                "64G",
            ],
            workingDirectory: LintFixtures.Dir("compose")
        );
        Assert.Equal(1, r.ExitCode);
        LintSarif.AssertValid(File.ReadAllText(sarif), expectedResults: 4);
    }

    [Fact]
    public void Python_findings_are_warnings_that_fail_only_with_fail_on_warning()
    {
        var dir = LintFixtures.Dir("python");
        var plain = ReinProcess.Run(["lint", "python"], workingDirectory: dir);
        Assert.Equal(0, plain.ExitCode);
        Assert.Contains("pkg/worker.py:7: warning: `while True:` has no deadline", plain.Stdout);
        Assert.DoesNotContain(".venv", plain.Stdout);

        var strict = ReinProcess.Run(
            ["lint", "python", ".", "--fail-on", "warning", "--json"],
            workingDirectory: dir
        );
        Assert.Equal(1, strict.ExitCode);
        var doc = JsonDocument.Parse(strict.Stdout).RootElement;
        Assert.Equal("python", doc.GetProperty("linter").GetString());
        Assert.Equal(12, doc.GetProperty("summary").GetProperty("warnings").GetInt32());
        Assert.Equal(1, doc.GetProperty("summary").GetProperty("infos").GetInt32());
    }

    [Fact]
    public void Python_sarif_is_valid_and_a_missing_directory_is_exit_2()
    {
        var sarif = Path.Combine(LintFixtures.TempDir("py-sarif"), "py.sarif");
        var r = ReinProcess.Run(
            ["lint", "python", "--sarif", sarif],
            workingDirectory: LintFixtures.Dir("python")
        );
        Assert.Equal(0, r.ExitCode);
        LintSarif.AssertValid(File.ReadAllText(sarif), expectedResults: 13);
        Assert.Equal(2, ReinProcess.Run(["lint", "python", "/nonexistent/rein-lint-dir"]).ExitCode);
    }
}
