using Rein.Config;
using Rein.Platform.Posix;

namespace Rein.Forensics.Breadcrumbs;

/// <summary>Appends breadcrumbs durably: one <c>write(2)</c> of one line to a file opened with O_APPEND (so
/// concurrent writers never interleave inside a line), then <c>fsync(2)</c> of the file — and of its folder when
/// the file was new — before returning. A machine that panics a moment later still has the PRE on disk. Used by
/// <c>rein mark</c> and <see cref="InferenceGuard"/> alike; never opens SQLite.</summary>
public static partial class BreadcrumbWriter
{
    /// <summary>Writes <paramref name="crumb"/> to its file in <paramref name="stateDirectory"/>.</summary>
    /// <exception cref="IOException">It could not be written or made durable (the message names the file).</exception>
    /// <exception cref="StateDirectoryException">The state directory cannot be used safely (a link, another user's entry).</exception>
    public static void Append(string stateDirectory, Breadcrumb crumb)
    {
        if (crumb.RunId is { } run && BreadcrumbFiles.RunIdProblem(run) is { } problem)
        {
            throw new ArgumentException(problem, nameof(crumb));
        }

        var folder = StateDirectory.EnsureFolder(
            BreadcrumbFiles.Directory(StateDirectory.Ensure(stateDirectory))
        );
        var path = Path.Combine(folder, BreadcrumbFiles.NameFor(crumb));
        var line = BreadcrumbLine.Encode(crumb);
        var fd = StateFile.OpenForAppend(path, out var created);
        try
        {
            if (!LibC.WriteAll(fd, line))
            {
                throw Failed(path, LibC.Errno);
            }

            // The point of a breadcrumb is to survive what comes next (a kernel panic): on disk before we return.
            if (FileCalls.fsync(fd) != 0)
            {
                throw Failed(path, LibC.Errno);
            }
        }
        finally
        {
            LibC.close(fd);
        }

        if (created)
        {
            StateFile.SyncFolder(folder);
        }
    }

    static IOException Failed(string path, int errno) =>
        StateFile.IsNoSpace(errno)
            ? new StateDirectoryException(
                $"cannot write {path}: no space left on device (free space or set REIN_HOME)"
            )
            : new IOException($"cannot write {path}: {StateFile.Describe(errno)}");
}
