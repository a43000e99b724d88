using Rein.Platform.Posix;

namespace Rein.Config;

/// <summary>An entry of the state directory whose mode was narrowed.</summary>
public sealed record TightenedEntry(string Path, UnixFileMode Was, UnixFileMode Now)
{
    /// <summary>Group or other users could write it: they could have planted something.</summary>
    public bool WasWritableByOthers =>
        (Was & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0;
}

/// <summary>What securing the state directory found and did.</summary>
public sealed record StateDirectoryReport(string Path, IReadOnlyList<TightenedEntry> Tightened);

/// <summary>Where state that outlives a process lives (journal, spool, lock files, breaker records):
/// <c>$REIN_HOME</c> (made absolute), else <c>$XDG_STATE_HOME/rein</c> (when absolute: the XDG spec ignores a relative one) or <c>~/.local/state/rein</c> on Linux,
/// <c>~/Library/Application Support/rein</c> on macOS. It holds command lines, so it is private (G7): the directory
/// and its folders 0700, its files 0600 (<see cref="StateFile"/>), all owned by the user running rein, none of them
/// a symbolic link. The directory itself may be a link (the user's own choice of where state lives); nothing in
/// it may be.</summary>
public static class StateDirectory
{
    const UnixFileMode PrivateFolder =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public static string Resolve(Func<string, string?> environment)
    {
        var explicitHome = environment("REIN_HOME");
        if (!string.IsNullOrEmpty(explicitHome))
        {
            // Absolute: two working directories must not make two state directories (two lock namespaces).
            return Path.GetFullPath(explicitHome);
        }

        var home =
            environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS())
        {
            return Path.Combine(home, "Library", "Application Support", "rein");
        }

        // The XDG spec: a relative path is invalid and is ignored.
        var xdg = environment("XDG_STATE_HOME");
        return Path.Combine(
            !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
                ? xdg
                : Path.Combine(home, ".local", "state"),
            "rein"
        );
    }

    /// <summary>Creates the directory 0700 if needed, and checks it; when it was open to others, also every entry
    /// in it (like ssh with <c>~/.ssh</c>): an entry another user owns or a symbolic link is refused; a directory or
    /// file open to others is narrowed to 0700/0600 and reported. A directory that is already private and ours is
    /// not listed (one stat: the hot path of every run); its entries are checked where they are used. The CLI
    /// calls this once per command and warns about what was tightened.</summary>
    /// <exception cref="StateDirectoryException">Not ours, not a directory, or holds a link or another user's
    /// entry: one line naming the path.</exception>
    public static StateDirectoryReport Secure(string path)
    {
        var tightened = new List<TightenedEntry>();
        if (FileStatus.Of(path, follow: true) is null)
        {
            // A link to nothing, or a folder rein may not create: one line naming the path, never .NET's words.
            // Only a link: another rein creating the folder between the two looks is no error (CI saw 1 of 100
            // concurrent first runs refused).
            if (FileStatus.Of(path, follow: false) is { IsSymbolicLink: true })
            {
                throw new StateDirectoryException(
                    $"state directory {path} is a link to {new FileInfo(path).LinkTarget ?? "?"}, which does not exist; create it, or set REIN_HOME elsewhere"
                );
            }

            try
            {
                Directory.CreateDirectory(path, PrivateFolder);
                File.SetUnixFileMode(path, PrivateFolder); // the umask may have narrowed even 0700
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StateDirectoryException(
                    $"cannot create the state directory {path}: {(e is UnauthorizedAccessException ? "permission denied" : e.Message)}; set REIN_HOME to a folder you can write"
                );
            }
        }

        var root =
            FileStatus.Of(path, follow: true)
            ?? throw new StateDirectoryException($"cannot create the state directory {path}");
        if (!root.IsDirectory)
        {
            throw new StateDirectoryException(
                $"state directory {path} is not a directory; remove it, or set REIN_HOME elsewhere"
            );
        }

        if (root.Uid != LibC.getuid())
        {
            throw new StateDirectoryException(
                $"state directory {path} is owned by uid {root.Uid}, not by you (uid {LibC.getuid()}); set REIN_HOME to a directory of your own"
            );
        }

        // Private and ours already (the steady state: every command after the first): nobody else could have
        // added, swapped or reached anything inside since it became so, so there is nothing to list. Each entry is
        // still checked where it is used (StateFile: no links, only our own regular files; EnsureFolder).
        if (!root.OpenToOthers)
        {
            return new StateDirectoryReport(path, tightened);
        }

        // Narrow the directory before looking inside: from then on nobody else can add or swap an entry.
        Narrow(path, root, PrivateFolder, tightened);
        foreach (var entry in Directory.EnumerateFileSystemEntries(path))
        {
            if (FileStatus.Of(entry, follow: false) is not { } status)
            {
                continue; // gone meanwhile (a spool file imported by another rein)
            }

            Check(entry, status);
            Narrow(
                entry,
                status,
                status.IsDirectory ? PrivateFolder : StateFile.Private,
                tightened
            );
        }

        return new StateDirectoryReport(path, tightened);
    }

    /// <summary>Makes sure the state directory exists and is private; returns it. One stat when it already is
    /// (the hot path of every run); otherwise <see cref="Secure"/>.</summary>
    public static string Ensure(string path)
    {
        if (
            FileStatus.Of(path, follow: true) is not { IsDirectory: true, OpenToOthers: false } s
            || s.Uid != LibC.getuid()
        )
        {
            Secure(path);
        }

        return path;
    }

    /// <summary>A folder inside the state directory (<c>locks/</c>, <c>spool/</c>, <c>breaker/</c>,
    /// <c>locks/NAME.waiters/</c>): created 0700 if missing; refused when it is a link, not a directory, or
    /// another user's; narrowed to 0700 if it was open to others. Its parent must already be secure.</summary>
    public static string EnsureFolder(string path)
    {
        if (FileStatus.Of(path, follow: false) is null)
        {
            try
            {
                Directory.CreateDirectory(path, PrivateFolder);
            }
            catch (IOException) when (Path.Exists(path)) { } // created by a concurrent rein meanwhile
        }

        var status =
            FileStatus.Of(path, follow: false)
            ?? throw new StateDirectoryException($"cannot create {path}");
        Check(path, status);
        if (!status.IsDirectory)
        {
            throw new StateDirectoryException(
                $"{path} is not a directory; rein keeps only its own files there (remove it)"
            );
        }

        if (status.Mode != PrivateFolder)
        {
            // Open to others, or narrowed by the umask below what rein itself needs.
            File.SetUnixFileMode(path, PrivateFolder);
        }

        return path;
    }

    static void Check(string path, FileStatus status)
    {
        if (status.IsSymbolicLink)
        {
            throw StateFile.LinkRefused(path);
        }

        if (status.Uid != LibC.getuid())
        {
            throw StateFile.ForeignRefused(path, status.Uid);
        }
    }

    static void Narrow(
        string path,
        FileStatus status,
        UnixFileMode mode,
        List<TightenedEntry>? tightened
    )
    {
        if (!status.OpenToOthers)
        {
            return;
        }

        // Checked above: a directory or file of ours, not a link, in a directory nobody else can write.
        File.SetUnixFileMode(path, mode);
        tightened?.Add(new TightenedEntry(path, status.Mode, mode));
    }
}
