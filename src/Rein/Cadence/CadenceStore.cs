using System.Diagnostics;
using System.Text;
using Rein.Config;
using Rein.Platform.Posix;

namespace Rein.Cadence;

/// <summary>
/// The load records, in <c>&lt;state dir&gt;/cadence/loads</c>. Every change happens under an exclusive flock(2) on
/// the file itself, so check-and-mark is one step across processes: two processes can never both see "clear" and
/// both mark. Readers take a shared lock. Small and SQLite-free: it is read and written twice on every
/// <c>rein run --model</c>, so the file is rewritten in place (pwrite, then ftruncate) rather than replaced by a
/// rename, which costs ~0.25 ms on ext4 (it flushes the new file first). A write torn by a crash is detected (the
/// last line counts the records) and the file is moved aside. Every open goes through <see cref="StateFile"/>
/// (0600, never through a link).
/// </summary>
internal sealed partial class CadenceStore(string stateDirectory)
{
    /// <summary>How long a change waits for the lock before giving up (a holder keeps it for well under a
    /// millisecond; only a stopped or stuck process holds it longer).</summary>
    static readonly TimeSpan LockPatience = TimeSpan.FromSeconds(10);

    string Folder => Path.Combine(stateDirectory, "cadence");

    public string DataPath => Path.Combine(Folder, "loads");

    /// <summary>Set when the file could not be parsed and was moved aside (its path).</summary>
    public string? MovedAside { get; private set; }

    /// <summary>The records as they are now (under a shared lock; nothing is created).</summary>
    public List<CadenceLoad> Read()
    {
        MoveAsideIfOdd();
        if (!Directory.Exists(Folder) || StateFile.OpenExisting(DataPath) is not { } fd)
        {
            return [];
        }

        try
        {
            Lock(fd, LibC.LOCK_SH);
            return CadenceStoreFormat.Read(ReadAll(fd)) ?? [];
        }
        finally
        {
            LibC.close(fd);
        }
    }

    /// <summary>Runs <paramref name="change"/> over the records while holding the lock, and writes them back when
    /// it says they changed.</summary>
    /// <exception cref="IOException">The state directory cannot be used, or the lock stayed held too long.</exception>
    public T Update<T>(Func<List<CadenceLoad>, (T Result, bool Changed)> change)
    {
        StateDirectory.Ensure(stateDirectory);
        StateDirectory.EnsureFolder(Folder);
        MoveAsideIfOdd();
        var fd = StateFile.OpenOrCreate(DataPath);
        try
        {
            Lock(fd, LibC.LOCK_EX);
            var text = ReadAll(fd);
            var loads = CadenceStoreFormat.Read(text);
            if (loads is null)
            {
                // Damage from outside or a write torn by a crash: keep the evidence, start over, and say so.
                var aside = $"{DataPath}.corrupt-{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmss'Z'}";
                StateFile.WriteAtomically(aside, text);
                MovedAside = aside;
                loads = [];
            }

            var (result, changed) = change(loads);
            if (changed)
            {
                WriteAll(fd, CadenceStoreFormat.Write(loads));
            }

            return result;
        }
        finally
        {
            // Closing releases the flock; the descriptor is O_CLOEXEC, so no child ever inherits it.
            LibC.close(fd);
        }
    }

    /// <summary>A FIFO or anything else not a regular file where the store belongs is renamed aside (never opened:
    /// a FIFO would hang a reader) and the store starts over, as a damaged one does. A link stays refused (G7).</summary>
    void MoveAsideIfOdd()
    {
        if (
            FileStatus.Of(DataPath, follow: false) is
            { IsRegularFile: false, IsSymbolicLink: false }
        )
        {
            var aside = $"{DataPath}.corrupt-{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmss'Z'}";
            try
            {
                File.Move(DataPath, aside, overwrite: false);
                MovedAside = aside;
            }
            catch (IOException) { } // moved by a concurrent rein meanwhile; the open below settles the rest
        }
    }

    void Lock(int fd, int mode)
    {
        if (LibC.flock(fd, mode | LibC.LOCK_NB) == 0)
        {
            return;
        }

        // Contended: poll rather than block, so a holder stopped with Ctrl-Z cannot hang every later run.
        var clock = Stopwatch.StartNew();
        while (LibC.flock(fd, mode | LibC.LOCK_NB) != 0)
        {
            if (clock.Elapsed > LockPatience)
            {
                throw new IOException(
                    $"the cadence store {DataPath} has been locked by another process for {LockPatience.TotalSeconds:0}s (a stopped rein? see `rein ps`)"
                );
            }

            Thread.Sleep(1);
        }
    }

    static unsafe string ReadAll(int fd)
    {
        var buffer = new byte[16 * 1024];
        var total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            nint n;
            fixed (byte* p = buffer)
            {
                n = FileCalls.pread(fd, p + total, buffer.Length - total, total);
            }

            if (n < 0 && LibC.Errno == LibC.EINTR)
            {
                continue;
            }

            if (n < 0)
            {
                throw new IOException(
                    $"cannot read the cadence store: {StateFile.Describe(LibC.Errno)}"
                );
            }

            if (n == 0)
            {
                return Encoding.UTF8.GetString(buffer, 0, total);
            }

            total += (int)n;
        }
    }

    /// <summary>The new content over the old, then the length cut: a crash in between leaves the new records and
    /// their end line, then old bytes that the reader ignores.</summary>
    unsafe void WriteAll(int fd, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var done = 0;
        fixed (byte* p = bytes)
        {
            while (done < bytes.Length)
            {
                var n = LibC.pwrite(fd, p + done, bytes.Length - done, done);
                if (n < 0 && LibC.Errno == LibC.EINTR)
                {
                    continue;
                }

                if (n <= 0)
                {
                    throw new IOException(
                        $"cannot write {DataPath}: {StateFile.Describe(LibC.Errno)}"
                    );
                }

                done += (int)n;
            }
        }

        if (LibC.ftruncate(fd, bytes.Length) != 0)
        {
            throw new IOException($"cannot write {DataPath}: {StateFile.Describe(LibC.Errno)}");
        }
    }
}
