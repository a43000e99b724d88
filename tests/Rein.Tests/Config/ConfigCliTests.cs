using System.Text.Json;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Config;

/// <summary>rein config and rein.toml as a user meets them: through the real binary, in a real repository folder.</summary>
public sealed class ConfigCliTests : RunTestBase
{
    string Repo => Path.Combine(Scratch, "repo");

    JsonElement Setting(JsonElement doc, string key) =>
        doc.GetProperty("settings")
            .EnumerateArray()
            .Single(s => s.GetProperty("key").GetString() == key);

    [Fact]
    public void Config_shows_each_value_and_where_it_came_from()
    {
        Directory.CreateDirectory(Path.Combine(Repo, ".git"));
        File.WriteAllText(
            Path.Combine(Repo, "rein.toml"),
            "[run]\ntimeout = \"30m\"\n[breaker]\ncooldown = \"2m\"\n"
        );

        var r = ReinProcess.Run(
            ["config", "--json"],
            HomeEnv(("REIN_GRACE", "9s")),
            workingDirectory: Repo
        );

        Assert.Equal(0, r.ExitCode);
        var doc = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Equal("rein.config/1", doc.GetProperty("schema").GetString());
        Assert.Equal("30m", Setting(doc, "run.timeout").GetProperty("value").GetString());
        Assert.Equal("repofile", Setting(doc, "run.timeout").GetProperty("source").GetString());
        Assert.Equal("9s", Setting(doc, "run.grace").GetProperty("value").GetString());
        Assert.Equal("REIN_GRACE", Setting(doc, "run.grace").GetProperty("where").GetString());
        Assert.Equal("default", Setting(doc, "run.idle_timeout").GetProperty("source").GetString());

        var table = ReinProcess.Run(["config"], HomeEnv(), workingDirectory: Repo);
        Assert.Contains("breaker.cooldown", table.Stdout);
        Assert.Contains(Path.Combine(Repo, "rein.toml"), table.Stdout);
    }

    [Fact]
    public void At_80_columns_each_setting_takes_a_line_and_its_meaning_at_most_two_more()
    {
        var json = ReinProcess.Run(["config", "--json"], HomeEnv());
        var settings = JsonDocument
            .Parse(json.Stdout)
            .RootElement.GetProperty("settings")
            .EnumerateArray()
            .Select(s => s.GetProperty("key").GetString()!)
            .ToList();

        var r = ReinProcess.Run(["config"], HomeEnv(("COLUMNS", "80")));

        Assert.Equal(0, r.ExitCode);
        var lines = r.Stdout.TrimEnd('\n').Split('\n');
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"over 80 columns: {l}"));
        foreach (var key in settings)
        {
            Assert.Single(lines, l => l.StartsWith(key + " ", StringComparison.Ordinal));
        }

        // A Spectre table squeezed the meanings into a column a few words wide: 185 lines.
        Assert.True(
            lines.Length <= 3 * settings.Count + 4,
            $"{lines.Length} lines for {settings.Count} settings"
        );
    }

    [Fact]
    public void Repo_file_setting_applies_to_rein_run()
    {
        Directory.CreateDirectory(Path.Combine(Repo, ".git"));
        File.WriteAllText(
            Path.Combine(Repo, "rein.toml"),
            "[run]\ntimeout = \"300ms\"\ngrace = \"100ms\"\n"
        );

        var r = ReinProcess.Run(RunArgs([], "hang"), HomeEnv(), workingDirectory: Repo);

        Assert.Equal(124, r.ExitCode);
        AssertNoSurvivors();
    }

    [Fact]
    public void Broken_repo_file_is_named_loudly_a_run_refuses_it_and_config_goes_on()
    {
        Directory.CreateDirectory(Path.Combine(Repo, ".git"));
        File.WriteAllText(Path.Combine(Repo, "rein.toml"), "[run]\ntimeout = \"forever\"\n");

        var config = ReinProcess.Run(["config"], HomeEnv(), workingDirectory: Repo);
        var run = ReinProcess.Run(["run", "--", "true"], HomeEnv(), workingDirectory: Repo);

        // rein config only looks: it says the problem and shows the rest (issue 20 item 13); a run refuses.
        Assert.Equal(0, config.ExitCode);
        Assert.StartsWith("rein: warning: invalid run.timeout from ", config.Stderr);
        Assert.Equal(125, run.ExitCode);
        foreach (var stderr in new[] { config.Stderr, run.Stderr })
        {
            Assert.Contains(Path.Combine(Repo, "rein.toml"), stderr);
            Assert.Contains("'forever'", stderr);
            Assert.DoesNotContain("   at ", stderr);
        }
    }
}
