namespace Rein.Config;

/// <summary>Where state that outlives a process lives (journal, lock files): <c>$REIN_HOME</c>, else
/// <c>$XDG_STATE_HOME/rein</c> or <c>~/.local/state/rein</c> on Linux, <c>~/Library/Application Support/rein</c>
/// on macOS. Created 0700: it holds command lines.</summary>
public static class StateDirectory
{
    public static string Resolve(Func<string, string?> environment)
    {
        var explicitHome = environment("REIN_HOME");
        if (!string.IsNullOrEmpty(explicitHome))
        {
            return explicitHome;
        }

        var home =
            environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS())
        {
            return Path.Combine(home, "Library", "Application Support", "rein");
        }

        var xdg = environment("XDG_STATE_HOME");
        return Path.Combine(
            !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(home, ".local", "state"),
            "rein"
        );
    }

    /// <summary>Creates the directory (0700) if needed and returns it.</summary>
    public static string Ensure(string path)
    {
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(
                path,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            );
        }

        return path;
    }
}
