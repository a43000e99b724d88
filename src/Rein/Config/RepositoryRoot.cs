namespace Rein.Config;

/// <summary>
/// The one walk up to a repository's top level, shared by config lookup, cleanup's scope, <c>rein protect</c> and
/// <c>rein agents init</c>. A <c>.git</c> entry marks it: a folder, or a file in a worktree or submodule.
/// </summary>
public static class RepositoryRoot
{
    /// <summary>The nearest directory at or above <paramref name="start"/> with a <c>.git</c> entry, or null
    /// outside a repository.</summary>
    public static string? Of(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (Path.Exists(Path.Combine(dir.FullName, ".git")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
