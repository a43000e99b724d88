using System.Diagnostics;
using System.Text.Json;
using Rein.Config;
using Rein.Processes.Posix;

namespace Rein.Cadence;

/// <summary>
/// The load records, in <c>&lt;state dir&gt;/cadence/loads.json</c>. Every change happens under an exclusive
/// flock(2) on <c>cadence/lock</c>, so check-and-mark is one step across processes: two processes can never both
/// see "clear" and both mark. The file is replaced atomically (a reader without the lock sees the old records or
/// the new, never half). Small and SQLite-free: it is on the path of every <c>rein run --model</c>. Every open goes
/// through <see cref="StateFile"/> (0600, never through a link).
/// </summary>
internal sealed class CadenceStore(string stateDirectory)
{
    /// <summary>How long a change waits for the lock before giving up (a holder keeps it for well under a
    /// millisecond; only a stopped or stuck process holds it longer).</summary>
    static readonly TimeSpan LockPatience = TimeSpan.FromSeconds(10);

    string Folder => Path.Combine(stateDirectory, "cadence");

    public string DataPath => Path.Combine(Folder, "loads.json");

    string LockPath => Path.Combine(Folder, "lock");

    /// <summary>Set when the file could not be parsed and was moved aside (its path).</summary>
    public string? MovedAside { get; private set; }

    /// <summary>The records as they are now, without the lock.</summary>
    public List<CadenceLoad> Read() => Parse(StateFile.ReadAllText(DataPath), quarantine: false);

    /// <summary>Runs <paramref name="change"/> over the records while holding the lock, and writes them back when
    /// it says they changed.</summary>
    /// <exception cref="IOException">The state directory cannot be used, or the lock stayed held too long.</exception>
    public T Update<T>(Func<List<CadenceLoad>, (T Result, bool Changed)> change)
    {
        StateDirectory.Ensure(stateDirectory);
        StateDirectory.EnsureFolder(Folder);
        var fd = StateFile.OpenOrCreate(LockPath);
        try
        {
            Lock(fd);
            var loads = Parse(StateFile.ReadAllText(DataPath), quarantine: true);
            var (result, changed) = change(loads);
            if (changed)
            {
                StateFile.WriteAtomically(
                    DataPath,
                    JsonSerializer.Serialize(
                        new CadenceFile { Loads = loads },
                        CadenceJsonContext.Default.CadenceFile
                    )
                );
            }

            return result;
        }
        finally
        {
            // Closing releases the flock; the descriptor is O_CLOEXEC, so no child ever inherits it.
            LibC.close(fd);
        }
    }

    void Lock(int fd)
    {
        if (LibC.flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) == 0)
        {
            return;
        }

        // Contended: poll rather than block, so a holder stopped with Ctrl-Z cannot hang every later run.
        var clock = Stopwatch.StartNew();
        while (LibC.flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
        {
            if (clock.Elapsed > LockPatience)
            {
                throw new IOException(
                    $"the cadence store {LockPath} has been locked by another process for {LockPatience.TotalSeconds:0}s (a stopped rein? see `rein ps`)"
                );
            }

            Thread.Sleep(1);
        }
    }

    List<CadenceLoad> Parse(string? text, bool quarantine)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize(text, CadenceJsonContext.Default.CadenceFile)?.Loads
                ?? [];
        }
        catch (JsonException)
        {
            // Writes are atomic, so this is damage from outside. Keep the evidence, start over, and say so.
            if (quarantine)
            {
                var aside = $"{DataPath}.corrupt-{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmss'Z'}";
                File.Move(DataPath, aside, overwrite: true);
                MovedAside = aside;
            }

            return [];
        }
    }
}
