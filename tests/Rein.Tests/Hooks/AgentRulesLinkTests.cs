using Rein.Hooks;
using Rein.Tests.Support;

namespace Rein.Tests.Hooks;

/// <summary>Issue 20 item 6: rein agents init never writes through a symbolic link out of the repository, never
/// opens a FIFO, and writes by temp file and rename.</summary>
public sealed class AgentRulesLinkTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("rein-agents-link-").FullName;

    string Repo
    {
        get
        {
            var dir = Path.Combine(_root, "repo");
            Directory.CreateDirectory(Path.Combine(dir, ".git"));
            return dir;
        }
    }

    [Fact]
    public void A_link_to_a_file_outside_the_repository_is_refused_and_the_target_is_untouched()
    {
        var repo = Repo;
        var outside = Path.Combine(_root, "gitconfig");
        File.WriteAllText(outside, "[user]\n\tname = me\n");
        File.CreateSymbolicLink(Path.Combine(repo, "CLAUDE.md"), outside);
        File.WriteAllText(Path.Combine(repo, "AGENTS.md"), "# rules\n");

        var r = ReinProcess.Run(["agents", "init"], workingDirectory: repo);

        Assert.Equal(2, r.ExitCode);
        Assert.Equal("[user]\n\tname = me\n", File.ReadAllText(outside));
        Assert.Contains("CLAUDE.md: a symbolic link to", r.Stderr);
        Assert.Contains("not written", r.Stderr);
        Assert.True(new FileInfo(Path.Combine(repo, "CLAUDE.md")).LinkTarget is not null);
        Assert.Contains(AgentRules.Begin, File.ReadAllText(Path.Combine(repo, "AGENTS.md")));
    }

    [Fact]
    public void A_dangling_AGENTS_md_link_out_of_the_repository_creates_nothing_outside()
    {
        var repo = Repo;
        var outside = Path.Combine(_root, "planted");
        File.CreateSymbolicLink(Path.Combine(repo, "AGENTS.md"), outside);

        var r = ReinProcess.Run(["agents", "init"], workingDirectory: repo);

        Assert.Equal(2, r.ExitCode);
        Assert.False(File.Exists(outside), "rein created a file through a dangling link");
    }

    [Fact]
    public void A_link_inside_the_repository_is_followed_and_stays_a_link()
    {
        var repo = Repo;
        var docs = Directory.CreateDirectory(Path.Combine(repo, "docs")).FullName;
        File.WriteAllText(Path.Combine(docs, "rules.md"), "# shared rules\n");
        File.CreateSymbolicLink(Path.Combine(repo, "CLAUDE.md"), "docs/rules.md");

        var r = ReinProcess.Run(["agents", "init"], workingDirectory: repo);

        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("docs/rules.md", new FileInfo(Path.Combine(repo, "CLAUDE.md")).LinkTarget);
        Assert.Contains(AgentRules.Begin, File.ReadAllText(Path.Combine(docs, "rules.md")));
        Assert.StartsWith("# shared rules\n", File.ReadAllText(Path.Combine(docs, "rules.md")));
    }

    [Fact]
    public void A_fifo_is_refused_without_hanging()
    {
        var repo = Repo;
        var fifo = Path.Combine(repo, ".cursorrules");
        Assert.Equal(0, Fifo.Make(fifo));

        var r = ReinProcess.Run(
            ["agents", "init"],
            workingDirectory: repo,
            timeout: TimeSpan.FromSeconds(20)
        );

        Assert.Equal(2, r.ExitCode);
        Assert.Contains(".cursorrules: not a regular file; not written", r.Stderr);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
