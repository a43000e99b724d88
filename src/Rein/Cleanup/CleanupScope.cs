namespace Rein.Cleanup;

/// <summary>
/// How far <c>--cwd</c> may reach. Without DIR it means the repository root, and outside a repository there is
/// none (never "the current directory": from <c>/</c> or <c>$HOME</c> that selects every process of the user).
/// A DIR that is <c>/</c>, <c>$HOME</c> or an ancestor of <c>$HOME</c> is refused unless <c>--match</c> narrows
/// it. A stop of more than <see cref="ConfirmAbove"/> processes needs the count restated (<c>--yes=N</c>).
/// </summary>
public static class CleanupScope
{
    /// <summary>Past this many processes, <c>--yes</c> alone is not enough: the caller restates the count.</summary>
    public const int ConfirmAbove = 20;

    /// <summary>Why <paramref name="dir"/> (absolute, links resolved) is too wide a scope, or null when it is not.
    /// <paramref name="home"/> is the user's home (links resolved), null when unknown.</summary>
    public static string? TooWide(string dir, string? home, bool narrowedByMatch)
    {
        if (narrowedByMatch)
        {
            return null;
        }

        var d = Trim(dir);
        if (d == "/")
        {
            return "--cwd /: that is every process of the user; narrow it with --match TOKEN";
        }

        if (home is { Length: > 0 } && LeftoverFinder.IsAtOrBelow(Trim(home), d))
        {
            return Trim(home) == d
                ? $"--cwd {d}: that is your home directory, every process of yours below it; narrow it with --match TOKEN"
                : $"--cwd {d}: it holds your home directory, every process of yours below it; narrow it with --match TOKEN";
        }

        return null;
    }

    /// <summary>Null when <paramref name="count"/> processes may be stopped with the confirmation given
    /// (<paramref name="restated"/>: the N of <c>--yes=N</c>, null for a bare <c>--yes</c>); else why not.</summary>
    public static string? Unconfirmed(int count, int? restated)
    {
        if (restated is { } n && n != count)
        {
            return $"--yes={n}, but {count} process(es) would be stopped; nothing was signalled (look with a dry run, then --yes={count})";
        }

        if (restated is null && count > ConfirmAbove)
        {
            return $"{count} processes would be stopped (more than {ConfirmAbove}); nothing was signalled: to confirm, restate the count with --yes={count}";
        }

        return null;
    }

    static string Trim(string path) => path.Length > 1 ? path.TrimEnd('/') : path;
}
