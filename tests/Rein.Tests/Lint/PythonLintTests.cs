using Rein.Lint;
using Rein.Lint.Python;

namespace Rein.Tests.Lint;

/// <summary>rein lint python over annotated fixtures, and the tokenizer it stands on.</summary>
public sealed class PythonLintTests
{
    static string Dir => LintFixtures.Dir("python");

    [Fact]
    public void Every_loop_and_fan_out_is_judged_as_the_fixtures_say()
    {
        var report = PythonLinter.Lint(Dir);
        var files = Directory
            .EnumerateFiles(Dir, "*.py", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/.venv/", StringComparison.Ordinal));
        Assert.Equal(LintFixtures.Expected(files), LintFixtures.Actual(report, f => f.Rule));
    }

    [Fact]
    public void Virtual_environments_are_not_read()
    {
        var report = PythonLinter.Lint(Dir);
        Assert.DoesNotContain(report.Files, f => f.Contains(".venv", StringComparison.Ordinal));
        Assert.Contains(report.Files, f => f.EndsWith("pkg/worker.py", StringComparison.Ordinal));
    }

    [Fact]
    public void One_file_can_be_audited_alone()
    {
        var report = PythonLinter.Lint(Path.Combine(Dir, "pkg", "worker.py"));
        var f = Assert.Single(report.Findings);
        Assert.Equal("while True", f.Details.Construct);
        Assert.Contains("nothing in it breaks out", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Strings_and_comments_are_emptied_and_bracketed_lines_joined()
    {
        var lines = PythonSource.Lines(
            "x = \"while True:\"  # while True:\n"
                + "y = '''\nwhile True:\n'''\n"
                + "z = f(a,\n      b)\n"
                + "w = r\"\\\"\" + 'it\\'s'\n"
                + "    \n"
                + "if x: \\\n    pass\n"
        );
        Assert.Equal(
            [
                new PythonLine(1, 0, "x = \"\""),
                new PythonLine(2, 0, "y = ''"),
                new PythonLine(5, 0, "z = f(a, b)"),
                new PythonLine(7, 0, "w = r\"\" + ''"),
                new PythonLine(9, 0, "if x:  pass"),
            ],
            lines
        );
    }

    [Fact]
    public void Indentation_counts_a_tab_to_the_next_multiple_of_eight()
    {
        var lines = PythonSource.Lines("def f():\n\twhile True:\n\t    pass\n");
        Assert.Equal([0, 8, 12], lines.Select(l => l.Indent));
    }

    [Fact]
    public void A_missing_directory_is_an_input_error() =>
        Assert.Throws<LintInputException>(() =>
            PythonLinter.Lint(Path.Combine(LintFixtures.TempDir("py"), "nope"))
        );
}
