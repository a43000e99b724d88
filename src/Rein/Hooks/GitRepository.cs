namespace Rein.Hooks;

/// <summary>Where a repository's hooks live and what it is called, asked of git itself: <c>git rev-parse
/// --git-path hooks</c> honours <c>core.hooksPath</c> (relative paths included) and worktrees.</summary>
public sealed record GitRepository(string HooksDirectory, string Name)
{
    public static GitRepository Locate(string workingDirectory)
    {
        var hooks =
            Git(workingDirectory, "rev-parse", "--git-path", "hooks")
            ?? throw new HookException(
                $"{workingDirectory} is not inside a git repository (or git is not installed)"
            );
        var top = Git(workingDirectory, "rev-parse", "--show-toplevel");
        var gitDir = Git(workingDirectory, "rev-parse", "--absolute-git-dir");
        var name = Path.GetFileName((top ?? gitDir ?? workingDirectory).TrimEnd('/'));
        return new GitRepository(Path.GetFullPath(Path.Combine(workingDirectory, hooks)), name);
    }

    /// <summary>The lock a repository's hooks share: <c>hook-NAME</c>, the name cut to what a lock name allows.</summary>
    public string LockName
    {
        get
        {
            var safe = new string([
                .. Name.Select(c =>
                    char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-'
                ),
            ]);
            var lockName = $"hook-{safe}";
            return lockName.Length > 64 ? lockName[..64] : lockName;
        }
    }

    /// <summary>git's answer, or null when it failed or took longer than 10 s (then its tree is killed).</summary>
    static string? Git(string directory, params string[] args)
    {
        var r = Diagnostics.CommandRunner.Instance.Run(
            "git",
            args,
            TimeSpan.FromSeconds(10),
            directory
        );
        return r.Ok ? r.Stdout.TrimEnd('\n') : null;
    }
}

/// <summary>A hook cannot be installed or removed; the message says why and what to do.</summary>
public sealed class HookException(string message) : Exception(message);
