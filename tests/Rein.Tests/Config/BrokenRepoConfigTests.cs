using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Config;

/// <summary>A cloned repository's broken rein.toml (issue 20 item 13): the verbs that only look warn once and go on
/// without it; a run refuses it (125) with the same one line; never the TOML library's converter text.</summary>
public sealed class BrokenRepoConfigTests : RunTestBase
{
    string Repo =>
        Directory.CreateDirectory(Path.Combine(Scratch, "repo", ".git")).Parent!.FullName;

    [Theory]
    [InlineData(
        "[run]\nmemry = \"1G\"\n",
        "rein.toml:2: unknown setting 'run.memry' (did you mean run.memory?); the file is left out"
    )]
    [InlineData(
        "[run\n",
        "rein.toml:1:5: not valid TOML: Expected `]` but was `end of line`; the file is left out"
    )]
    [InlineData("[run]\ntimeout = \"5x\"\n", "invalid run.timeout from ")]
    public void Read_only_verbs_warn_once_and_go_on(string toml, string said)
    {
        File.WriteAllText(Path.Combine(Repo, "rein.toml"), toml);
        foreach (
            var verb in new[]
            {
                new[] { "ps" },
                ["doctor"],
                ["cleanup"],
                ["cadence", "status"],
                ["config"],
                ["gate"],
            }
        )
        {
            var r = ReinProcess.Run(verb, HomeEnv(), workingDirectory: Repo);
            var warnings = r
                .Stderr.Split('\n')
                .Where(l => l.StartsWith("rein: warning: ", StringComparison.Ordinal))
                .ToList();
            Assert.True(
                r.ExitCode is 0 or 1,
                $"{string.Join(' ', verb)}: exit {r.ExitCode}: {r.Stderr}"
            );
            var warning = Assert.Single(warnings);
            Assert.Contains(said, warning);
            Assert.DoesNotContain("converter", r.Stderr);
            Assert.DoesNotContain("Exception", r.Stderr);
        }
    }

    [Fact]
    public void A_run_refuses_the_broken_file_in_one_line()
    {
        File.WriteAllText(Path.Combine(Repo, "rein.toml"), "[run\n");
        var ran = Path.Combine(Scratch, "ran");

        var r = ReinProcess.Run(
            ["run", "--", Paths.Helper, Marker, "touch", ran],
            HomeEnv(),
            workingDirectory: Repo
        );

        Assert.Equal(125, r.ExitCode);
        Assert.EndsWith(
            "rein.toml:1:5: not valid TOML: Expected `]` but was `end of line`\n",
            r.Stderr
        );
        Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(ran));
    }
}
