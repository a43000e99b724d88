using System.Runtime.InteropServices;
using Rein.Platform;
using Rein.Platform.Linux;
using Rein.Platform.Posix;
using static Rein.Platform.Posix.FileConstants;

namespace Rein.Config;

/// <summary>
/// Every open of a file in the state directory goes through here (G7): never through a symbolic link
/// (<c>O_NOFOLLOW</c>), created 0600 whatever the umask, and used only when it is a regular file owned by the user
/// running rein. A link planted at <c>locks/ci.0</c> would otherwise make rein write its holder record into the
/// link's target and truncate it — or, for root, create the target anywhere.
/// </summary>
internal static unsafe partial class StateFile
{
    /// <summary>0600.</summary>
    internal const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Opens (creating it 0600 if needed) for reading and writing: lock slots, the pruner's lock, the
    /// database before SQLite opens it.</summary>
    public static int OpenOrCreate(string path) => Open(path, O_RDWR | O_CREAT)!.Value;

    /// <summary>Opens an existing file for reading and writing; null when there is none.</summary>
    public static int? OpenExisting(string path) => Open(path, O_RDWR);

    /// <summary>Creates a new file (it must not exist) for appending: the journal spool.</summary>
    public static int CreateForAppend(string path) =>
        Open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND)!.Value;

    /// <summary>Opens a file for appending, creating it 0600 when missing (<paramref name="created"/> then says so,
    /// so the caller can make the new entry durable with <see cref="SyncFolder"/>): breadcrumb files, which many
    /// processes append to at once (O_APPEND: each write lands whole at the end).</summary>
    public static int OpenForAppend(string path, out bool created)
    {
        if (Open(path, O_WRONLY | O_APPEND) is { } existing)
        {
            created = false;
            return existing;
        }

        created = true;
        return Open(path, O_WRONLY | O_CREAT | O_APPEND)!.Value;
    }

    /// <summary>The file's bytes from <paramref name="offset"/> to its end; null when there is no file. Whole,
    /// whatever its size: a reader that stops at a limit would lose what lies beyond it.</summary>
    public static byte[]? ReadFrom(string path, long offset)
    {
        if (Open(path, O_RDONLY) is not { } fd)
        {
            return null;
        }

        try
        {
            using var bytes = new MemoryStream();
            var chunk = new byte[64 * 1024];
            var at = offset;
            fixed (byte* p = chunk)
            {
                while (true)
                {
                    var n = FileCalls.pread(fd, p, chunk.Length, at);
                    if (n < 0 && LibC.Errno == LibC.EINTR)
                    {
                        continue;
                    }

                    if (n < 0)
                    {
                        throw Failure("cannot read", path, LibC.Errno);
                    }

                    if (n == 0)
                    {
                        break;
                    }

                    bytes.Write(chunk, 0, (int)n);
                    at += n;
                }
            }

            return bytes.ToArray();
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>The whole file as text; null when there is none.</summary>
    public static string? ReadAllText(string path)
    {
        if (Open(path, O_RDONLY) is not { } fd)
        {
            return null;
        }

        try
        {
            using var bytes = new MemoryStream();
            var chunk = new byte[64 * 1024];
            fixed (byte* p = chunk)
            {
                while (true)
                {
                    var n = LibC.read(fd, p, chunk.Length);
                    if (n < 0 && LibC.Errno == LibC.EINTR)
                    {
                        continue;
                    }

                    if (n < 0)
                    {
                        throw Failure("cannot read", path, LibC.Errno);
                    }

                    if (n == 0)
                    {
                        break;
                    }

                    bytes.Write(chunk, 0, (int)n);
                }
            }

            return System.Text.Encoding.UTF8.GetString(bytes.GetBuffer(), 0, (int)bytes.Length);
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>Replaces the file's content all at once (a private temporary file, PATH.tmp-…, fsync'd, renamed over it,
    /// then the folder fsync'd: readers see the old content or the new, never half, also after a crash; rename
    /// replaces a link instead of following it).</summary>
    public static void WriteAtomically(string path, string text)
    {
        var tmp = $"{path}.tmp-{Environment.ProcessId}-{Random.Shared.Next():x8}";
        var fd = Open(tmp, O_WRONLY | O_CREAT | O_EXCL)!.Value;
        bool written;
        int errno;
        try
        {
            // The bytes reach the disk before the name does: a crash never leaves the new name on an empty file.
            written =
                LibC.WriteAll(fd, System.Text.Encoding.UTF8.GetBytes(text)) && LibC.fsync(fd) == 0;
            errno = LibC.Errno;
        }
        finally
        {
            LibC.close(fd);
        }

        if (!written)
        {
            File.Delete(tmp);
            throw Failure("cannot write", path, errno);
        }

        File.Move(tmp, path, overwrite: true);
        SyncFolder(Path.GetDirectoryName(Path.GetFullPath(path))!); // and the rename itself
    }

    /// <summary>fsync(2) of a folder of the state directory, so a file just created in it survives a crash.
    /// Best effort.</summary>
    public static void SyncFolder(string path)
    {
        var fd = Descriptors.Open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | LibC.O_CLOEXEC);
        if (fd >= 0)
        {
            LibC.fsync(fd);
            LibC.close(fd);
        }
    }

    /// <summary>Allocates disk space for the file's first <paramref name="bytes"/> bytes without changing its size
    /// (Linux <c>fallocate(FALLOC_FL_KEEP_SIZE)</c>), so appends up to that size succeed even on a disk that has
    /// filled up meanwhile. Best effort: false where the file system or the platform cannot.</summary>
    public static bool Reserve(int fd, long bytes)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        return LinuxLibC.Fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, bytes);
    }

    /// <summary>strerror(3), as a sentence fragment: "no space left on device".</summary>
    public static string Describe(int errno)
    {
        var text = Marshal.GetPInvokeErrorMessage(errno);
        return text.Length > 0 ? char.ToLowerInvariant(text[0]) + text[1..] : $"error {errno}";
    }

    public static bool IsNoSpace(int errno) => errno == ENOSPC;

    /// <summary>The refusal for a symbolic link where rein expected its own file or folder.</summary>
    internal static StateDirectoryException LinkRefused(string path) =>
        new(
            $"{path} is a symbolic link; rein never follows links in its state directory (remove the link)"
        );

    /// <summary>The refusal for a FIFO, socket, device or folder where rein expected its own file.</summary>
    internal static StateDirectoryException NotRegular(string path) =>
        new($"{path} is not a regular file; rein keeps only its own files there (remove it)");

    /// <summary>The refusal for an entry another user owns.</summary>
    internal static StateDirectoryException ForeignRefused(string path, uint owner) =>
        new(
            $"{path} is owned by uid {owner}, not by you (uid {LibC.getuid()}); remove it, or set REIN_HOME to a directory of your own"
        );

    static IOException Failure(string what, string path, int errno) =>
        errno == ENOSPC
            ? new StateDirectoryException(
                $"{what} {path}: no space left on device (free space or set REIN_HOME)"
            )
            : new IOException($"{what} {path}: {Describe(errno)}");

    /// <summary>open(2) with O_NOFOLLOW and O_CLOEXEC, then checks what was opened (a regular file of ours) and
    /// makes it private. Null when it does not exist and was not to be created.</summary>
    static int? Open(string path, int flags)
    {
        // A FIFO planted where a state file belongs must not hang open(2): with O_NONBLOCK it opens (or fails with
        // ENXIO) at once, and the check after open refuses it. On a regular file the flag changes nothing.
        var fd = Descriptors.Open(
            path,
            flags | O_NOFOLLOW | O_NONBLOCK | LibC.O_CLOEXEC,
            Convert.ToInt32("600", 8)
        );
        if (fd < 0)
        {
            var errno = LibC.Errno;
            if (errno == ENOENT && (flags & O_CREAT) == 0)
            {
                return null;
            }

            // ELOOP: the last component is a link. Some systems say EMLINK/EFTYPE instead; lstat settles it.
            var status = FileStatus.Of(path, follow: false);
            if (errno == ELOOP || status is { IsSymbolicLink: true })
            {
                throw LinkRefused(path);
            }

            if (status is { IsRegularFile: false })
            {
                throw NotRegular(path); // a FIFO with no writer (ENXIO), a socket, a device
            }

            throw Failure("cannot open", path, errno);
        }

        try
        {
            MakePrivate(fd, path);
            return fd;
        }
        catch
        {
            LibC.close(fd);
            throw;
        }
    }

    /// <summary>A regular file owned by us, 0600 (tightened when it was wider: the umask only ever narrows the
    /// 0600 asked for at creation, but an older rein or another tool may have left it 0644).</summary>
    static void MakePrivate(int fd, string path)
    {
        var status =
            FileStatus.OfDescriptor(fd)
            ?? throw new IOException($"cannot examine {path}: {Describe(LibC.Errno)}");
        if (!status.IsRegularFile)
        {
            throw NotRegular(path);
        }

        if (status.Uid != LibC.getuid())
        {
            throw ForeignRefused(path, status.Uid);
        }

        if (status.Mode != Private && FileCalls.fchmod(fd, (uint)Private) != 0)
        {
            throw new IOException($"cannot make {path} private: {Describe(LibC.Errno)}");
        }
    }
}
