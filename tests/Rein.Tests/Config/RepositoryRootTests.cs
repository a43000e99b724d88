using Rein.Config;

namespace Rein.Tests.Config;

/// <summary>The one walk to a repository's top level (issue 27 item 5): a <c>.git</c> folder or file marks it,
/// the nearest wins, and outside a repository there is none.</summary>
public sealed class RepositoryRootTests : IDisposable
{
    readonly string _scratch = Directory.CreateTempSubdirectory("rein-reporoot-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public void A_git_folder_marks_the_top_level_from_any_depth()
    {
        var repo = Directory.CreateDirectory(Path.Combine(_scratch, "repo")).FullName;
        Directory.CreateDirectory(Path.Combine(repo, ".git"));
        var deep = Directory.CreateDirectory(Path.Combine(repo, "a", "b")).FullName;

        Assert.Equal(repo, RepositoryRoot.Of(deep));
        Assert.Equal(repo, RepositoryRoot.Of(repo));
    }

    [Fact]
    public void A_git_file_of_a_worktree_marks_it_and_the_nearest_wins()
    {
        var outer = Directory.CreateDirectory(Path.Combine(_scratch, "outer")).FullName;
        Directory.CreateDirectory(Path.Combine(outer, ".git"));
        var inner = Directory.CreateDirectory(Path.Combine(outer, "sub")).FullName;
        File.WriteAllText(Path.Combine(inner, ".git"), "gitdir: ../.git/worktrees/sub\n");

        Assert.Equal(inner, RepositoryRoot.Of(Path.Combine(inner)));
    }

    [Fact]
    public void Outside_a_repository_there_is_none()
    {
        var plain = Directory.CreateDirectory(Path.Combine(_scratch, "plain", "x")).FullName;

        // The temporary folder's ancestors are not repositories on a CI machine or here.
        Assert.Null(RepositoryRoot.Of(plain));
    }
}
