using Rein.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Running;

/// <summary>Issue 27 item 1 (in part): a library host sets the command's working directory and environment through
/// <see cref="RunSpec"/>, as <c>rein run</c> would from a shell (<c>cd DIR; env -i K=V ...</c>).</summary>
public sealed class RunSpecHostTests : RunTestBase
{
    GuardedRunOptions Options => new() { StateDirectory = Home };

    /// <summary>The helper writes its cwd and environment (sh: pwd, env) into <paramref name="output"/>.</summary>
    RunSpec Report(string output) =>
        new() { Command = ["/bin/sh", "-c", "pwd > \"$1\"; env >> \"$1\"", Marker, output] };

    [Fact]
    public async Task The_command_starts_in_the_working_directory_and_the_journal_says_so()
    {
        var dir = Directory.CreateDirectory(Path.Combine(Scratch, "work dir")).FullName;
        var output = Path.Combine(Scratch, "out");

        var verdict = await new GuardedRun(
            Report(output) with
            {
                WorkingDirectory = dir,
            },
            Options
        ).RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(RunOutcome.Exited, verdict.Outcome);
        Assert.Equal(dir, File.ReadLines(output).First());
        var run = Assert.Single(
            System
                .Text.Json.JsonDocument.Parse(
                    ReinProcess.Run(["journal", "--json"], HomeEnv()).Stdout
                )
                .RootElement.GetProperty("runs")
                .EnumerateArray()
        );
        Assert.Equal(dir, run.GetProperty("cwd").GetString());
    }

    [Fact]
    public async Task Variables_are_set_removed_or_the_only_ones()
    {
        var output = Path.Combine(Scratch, "out");
        Environment.SetEnvironmentVariable("REIN_TEST_HOST_ONLY", "from the host");
        try
        {
            await new GuardedRun(
                Report(output) with
                {
                    EnvironmentVariables = new Dictionary<string, string?>
                    {
                        ["REIN_TEST_SET"] = "a value with = and spaces",
                        ["REIN_TEST_HOST_ONLY"] = null,
                    },
                },
                Options
            ).RunAsync(TestContext.Current.CancellationToken);
            var env = File.ReadAllLines(output);
            Assert.Contains("REIN_TEST_SET=a value with = and spaces", env);
            Assert.DoesNotContain(
                env,
                l => l.StartsWith("REIN_TEST_HOST_ONLY=", StringComparison.Ordinal)
            );
            Assert.Contains(env, l => l.StartsWith("PATH=", StringComparison.Ordinal));

            await new GuardedRun(
                Report(output) with
                {
                    ClearEnvironment = true,
                    EnvironmentVariables = new Dictionary<string, string?> { ["ONLY"] = "1" },
                },
                Options
            ).RunAsync(TestContext.Current.CancellationToken);
            var cleared = File.ReadAllLines(output)
                .Skip(1)
                .Select(l => l.Split('=')[0])
                .ToHashSet();
            Assert.Contains("ONLY", cleared);
            Assert.Contains(RunSpec.RunIdVariable, cleared); // the tree is still found by its marker
            Assert.DoesNotContain("PATH", cleared);
            Assert.DoesNotContain("REIN_TEST_HOST_ONLY", cleared);
        }
        finally
        {
            Environment.SetEnvironmentVariable("REIN_TEST_HOST_ONLY", null);
        }
    }

    [Fact]
    public async Task A_missing_working_directory_is_a_start_failure_with_the_reason()
    {
        var verdict = await new GuardedRun(
            Report(Path.Combine(Scratch, "out")) with
            {
                WorkingDirectory = Path.Combine(Scratch, "missing"),
            },
            Options
        ).RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(RunOutcome.StartFailed, verdict.Outcome);
        Assert.Contains("does not exist", verdict.StartFailure!.Message);
    }

    [Fact]
    public void Bad_values_are_refused_when_the_spec_is_built()
    {
        Assert.Throws<ArgumentException>(() =>
            new RunSpec { Command = ["true"], WorkingDirectory = "rel" }
        );
        Assert.Throws<ArgumentException>(() =>
            new RunSpec
            {
                Command = ["true"],
                EnvironmentVariables = new Dictionary<string, string?> { ["A=B"] = "x" },
            }
        );
    }
}
