using Rein.Lint;
using Rein.Lint.Make;

namespace Rein.Tests.Lint;

/// <summary>rein lint make over annotated fixtures: every expansion rule, heavy vs cheap, the incident.</summary>
public sealed class MakeLintTests
{
    static string Fixture(string name) => Path.Combine(LintFixtures.Dir("make"), name);

    static void AssertAnnotated(string name, params string[] alsoRead)
    {
        var report = MakeLinter.Lint(Fixture(name));
        var expected = LintFixtures.Expected([Fixture(name), .. alsoRead.Select(Fixture)]);
        var actual = LintFixtures.Actual(report, f => f.Details.When!);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("expansion-rules.mk", "expansion-included.mk")]
    [InlineData("incident.mk")]
    [InlineData("incident-fixed.mk")]
    [InlineData("heavy-and-cheap.mk")]
    [InlineData("recipe-prefix.mk")]
    [InlineData("recursive-make.mk")]
    public void Each_shell_is_classified_as_the_fixture_says(
        string name,
        params string[] includes
    ) => AssertAnnotated(name, includes);

    [Fact]
    public void The_incident_probe_is_an_error_that_names_the_interpreter_the_import_and_the_recursive_makes()
    {
        var report = MakeLinter.Lint(Fixture("incident.mk"));
        var f = Assert.Single(report.Findings);
        Assert.Equal(LintSeverity.Error, f.Severity);
        Assert.Equal("ML_MODELS_CACHED", f.Details.Variable);
        Assert.Equal(2, f.Details.RecursiveMakeCalls);
        Assert.Contains("starts $(PYTHON) and imports spacy", f.Message, StringComparison.Ordinal);
        Assert.Contains(
            "each of the 2 recursive $(MAKE) calls",
            f.Message,
            StringComparison.Ordinal
        );
        Assert.Contains("recipe that needs it", f.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_probe_inside_a_recipe_is_clean() =>
        Assert.Empty(MakeLinter.Lint(Fixture("incident-fixed.mk")).Findings);

    [Fact]
    public void Recursive_make_counts_only_calls_that_read_this_makefile_again()
    {
        var f = Assert.Single(MakeLinter.Lint(Fixture("recursive-make.mk")).Findings);
        // one, two, three and six re-read it; -C subdir and -f other.mk read another makefile.
        Assert.Equal(4, f.Details.RecursiveMakeCalls);
    }

    [Fact]
    public void A_deferred_variable_forced_by_a_simple_one_points_at_the_line_that_forces_it()
    {
        var report = MakeLinter.Lint(Fixture("expansion-rules.mk"));
        var via = Assert.Single(report.Findings, f => f.Details.Variable == "VIA");
        Assert.Contains("`USES_VIA :=`", via.Message, StringComparison.Ordinal);
        Assert.Contains("expansion-rules.mk:58", via.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deferred_shell_used_in_three_recipe_lines_is_an_info_naming_the_targets()
    {
        var report = MakeLinter.Lint(Fixture("expansion-rules.mk"));
        var f = Assert.Single(report.Findings, f => f.Details.Variable == "RECURSIVE");
        Assert.Equal(LintSeverity.Info, f.Severity);
        Assert.Equal(3, f.Details.References);
        Assert.Equal(["build"], f.Details.Targets);
    }

    [Fact]
    public void Conditional_assignment_says_it_does_not_run_when_set_from_outside()
    {
        var dir = LintFixtures.TempDir("cond");
        var file = Path.Combine(dir, "Makefile");
        File.WriteAllText(file, "X ?= $(shell python3 -V)\nY := $(X)\nall:\n\t@echo $(Y)\n");
        var f = Assert.Single(MakeLinter.Lint(file).Findings);
        Assert.Equal(LintSeverity.Error, f.Severity);
        Assert.Contains(
            "unless X is set on the command line or in the environment",
            f.Message,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void A_missing_makefile_is_an_input_error() =>
        Assert.Throws<LintInputException>(() =>
            MakeLinter.Lint(Path.Combine(LintFixtures.TempDir("missing"), "Makefile"))
        );

    [Fact]
    public void Includes_are_followed_with_variables_and_globs_and_a_missing_one_is_skipped()
    {
        var dir = LintFixtures.TempDir("include");
        Directory.CreateDirectory(Path.Combine(dir, "mk"));
        File.WriteAllText(Path.Combine(dir, "mk", "a.mk"), "A := $(shell python3 -V)\n");
        File.WriteAllText(Path.Combine(dir, "mk", "b.mk"), "B := $(shell date)\n");
        File.WriteAllText(Path.Combine(dir, "common.mk"), "C := $(shell node -v)\n");
        File.WriteAllText(
            Path.Combine(dir, "Makefile"),
            "MK := common\ninclude mk/*.mk\n-include $(MK).mk missing.mk\nall:\n\t@true\n"
        );
        var report = MakeLinter.Lint(Path.Combine(dir, "Makefile"));
        Assert.Equal(
            [
                Path.Combine(dir, "Makefile"),
                Path.Combine(dir, "mk/a.mk"),
                Path.Combine(dir, "mk/b.mk"),
                Path.Combine(dir, "common.mk"),
            ],
            report.Files
        );
        Assert.Equal(["A", "B", "C"], report.Findings.Select(f => f.Details.Variable));
    }
}
