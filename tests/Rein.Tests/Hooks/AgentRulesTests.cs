using Rein.Hooks;
using Rein.Tests.Support;

namespace Rein.Tests.Hooks;

/// <summary>rein agents init: the marked section in the agent-rules files that exist, idempotent.</summary>
public sealed class AgentRulesTests
{
    static string Repo()
    {
        var dir = Directory.CreateTempSubdirectory("rein-agents-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, ".git"));
        return dir;
    }

    [Fact]
    public void Without_rule_files_it_creates_AGENTS_md_and_a_second_run_changes_nothing()
    {
        var dir = Repo();
        var first = ReinProcess.Run(["agents", "init"], workingDirectory: dir);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("AGENTS.md: created with the rein section", first.Stdout);
        var text = File.ReadAllText(Path.Combine(dir, "AGENTS.md"));
        Assert.Equal(AgentRules.Section, text);

        var second = ReinProcess.Run(["agents", "init"], workingDirectory: dir);
        Assert.Contains("already up to date", second.Stdout);
        Assert.Equal(text, File.ReadAllText(Path.Combine(dir, "AGENTS.md")));
    }

    [Fact]
    public void Existing_files_keep_their_text_and_an_edited_section_is_replaced()
    {
        var dir = Repo();
        var claude = Path.Combine(dir, "CLAUDE.md");
        var cursor = Path.Combine(dir, ".cursorrules");
        File.WriteAllText(claude, "# Project rules\n\nUse tabs.\n");
        File.WriteAllText(cursor, "Be brief.");
        var sub = Directory.CreateDirectory(Path.Combine(dir, "src", "deep")).FullName;

        // From a subdirectory: the files at the repository's top level are the ones agents read.
        var r = ReinProcess.Run(["agents", "init"], workingDirectory: sub);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.False(File.Exists(Path.Combine(dir, "AGENTS.md")));
        Assert.Equal(
            "# Project rules\n\nUse tabs.\n\n" + AgentRules.Section,
            File.ReadAllText(claude)
        );
        Assert.Equal("Be brief.\n\n" + AgentRules.Section, File.ReadAllText(cursor));

        File.WriteAllText(
            claude,
            File.ReadAllText(claude)
                .Replace("Never start a second copy", "Start many copies", StringComparison.Ordinal)
                + "\nAfter the section.\n"
        );
        var again = ReinProcess.Run(["agents", "init", "--dir", dir]);
        Assert.Contains("CLAUDE.md: rein section updated", again.Stdout);
        Assert.Contains(".cursorrules: rein section already up to date", again.Stdout);
        Assert.Equal(
            "# Project rules\n\nUse tabs.\n\n" + AgentRules.Section + "\nAfter the section.\n",
            File.ReadAllText(claude)
        );
    }

    [Fact]
    public void The_integrations_manual_shows_the_same_snippet_that_agents_init_writes()
    {
        var readme = File.ReadAllText(
            Path.Combine(
                Path.GetDirectoryName(Paths.SourceGolden("x"))!,
                "..",
                "..",
                "docs",
                "manual",
                "integrations.md"
            )
        );
        foreach (var line in AgentRules.Snippet.Split('\n'))
        {
            Assert.Contains(line, readme, StringComparison.Ordinal);
        }
    }
}
