using System.Text;
using Rein.Config;
using Rein.Platform.Posix;
using Rein.Running;

namespace Rein.Journal;

/// <summary>Records a run into the spool (the CLI's recorder): durable start before the spawn, then appends.
/// Failures warn once, in one line, and never stop the run; they never leave an empty or half-written record
/// behind either.</summary>
public sealed class SpoolRecorder(string stateDirectory, BootIdentity boot, Action<string> warn)
    : IRunRecorder,
        IDisposable
{
    /// <summary>Disk space reserved with the start record for the lines still to come (child, end), so a disk that
    /// fills up during the run cannot cost the run its end: an end line is a few hundred bytes, and this holds
    /// one that lists thousands of killed pids.</summary>
    const long Reserve = 64 * 1024;

    int _fd = -1;
    long _length;
    string? _created;
    bool _warned;

    public void RunStarting(RunStart start)
    {
        try
        {
            Config.StateDirectory.Ensure(stateDirectory);
            var dir = Config.StateDirectory.EnsureFolder(JournalSpool.Directory(stateDirectory));
            var path = JournalSpool.FileFor(stateDirectory, start.RunId);
            _fd = StateFile.CreateForAppend(path);
            _created = path;
            // Held for the run's life: readers tell a live guard by it (JournalSpool.Held), in any pid namespace.
            LibC.flock(_fd, LibC.LOCK_SH); // waits only for a reader's momentary probe
            var line = Encoding.UTF8.GetBytes(JournalSpool.StartLine(start, boot));
            StateFile.Reserve(_fd, line.Length + Reserve);
            // Durable before the spawn (G4): the record, and the directory entry that names it.
            if (!Append(line, "the run") || !Synced("the run"))
            {
                Abandon();
                return;
            }

            StateFile.SyncFolder(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Warn($"cannot record the run: {e.Message}; it runs unrecorded");
            Abandon();
        }
    }

    public void ChildStarted(string runId, int pid, ulong startTime, int processGroup) =>
        Append(
            Encoding.UTF8.GetBytes(JournalSpool.ChildLine(pid, startTime, processGroup)),
            "the run's child"
        );

    public void ProcessesSeen(string runId, IReadOnlyList<(int Pid, ulong Start)> processes) =>
        Append(
            Encoding.UTF8.GetBytes(JournalSpool.ProcessesLine(processes)),
            "the run's processes"
        );

    public void GrowthWarned(string runId, GrowthWarning warning) =>
        Append(Encoding.UTF8.GetBytes(JournalSpool.GrowthLine(warning)), "the growth warning");

    public void RunEnded(RunVerdict verdict)
    {
        // Durable as the start is: a power cut right after a clean run must not read as "the machine went down".
        if (Append(Encoding.UTF8.GetBytes(JournalSpool.EndLine(verdict)), "the end of the run"))
        {
            Synced("the end of the run");
        }

        Dispose();
    }

    /// <summary>Appends one whole line, or nothing: a write cut short (a full disk) is cut back off, so the next
    /// line does not run on from half a line.</summary>
    bool Append(byte[] line, string what)
    {
        if (_fd < 0)
        {
            return false;
        }

        if (LibC.WriteAll(_fd, line))
        {
            _length += line.Length;
            return true;
        }

        var errno = LibC.Errno;
        LibC.ftruncate(_fd, _length);
        Failed(what, errno);
        return false;
    }

    bool Synced(string what)
    {
        if (LibC.fsync(_fd) == 0)
        {
            return true;
        }

        Failed(what, LibC.Errno);
        return false;
    }

    void Failed(string what, int errno)
    {
        var problem = StateFile.IsNoSpace(errno)
            ? $"no space left on device in {stateDirectory} (free space or set REIN_HOME)"
            : $"{StateFile.Describe(errno)} ({_created})";
        Warn(
            what == "the run"
                ? $"cannot record the run: {problem}; it runs unrecorded"
                : $"cannot record {what}: {problem}; the journal will list the run as an unclean end"
        );
    }

    /// <summary>No record at all rather than an empty or partial one that no reader could ever import.</summary>
    void Abandon()
    {
        Dispose();
        if (_created is not null)
        {
            try
            {
                File.Delete(_created);
            }
            catch (IOException) { }
        }
    }

    void Warn(string message)
    {
        if (!_warned)
        {
            warn(message);
            _warned = true;
        }
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            LibC.close(_fd);
            _fd = -1;
        }
    }
}
