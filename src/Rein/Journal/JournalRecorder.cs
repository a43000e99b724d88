using Rein.Running;

namespace Rein.Journal;

/// <summary>Connects the guard's life cycle to the journal. A journal write that fails after the start
/// record (disk full, say) is reported once through <paramref name="warn"/> and never stops the run.</summary>
public sealed class JournalRecorder(JournalStore store, BootIdentity boot, Action<string> warn)
    : IRunRecorder
{
    bool _warned;

    /// <summary>Durable before the spawn (G4). If the journal cannot take it, the run still happens, unrecorded, with a warning:
    /// refusing to run because of a full disk would be the guard taking the machine hostage.</summary>
    public void RunStarting(RunStart start) => Try(() => store.RecordStart(start, boot));

    public void ChildStarted(string runId, int pid, ulong startTime, int processGroup) =>
        Try(() => store.RecordChild(runId, pid, startTime, processGroup));

    public void RunEnded(RunVerdict verdict) => Try(() => store.RecordEnd(verdict));

    void Try(Action action)
    {
        try
        {
            action();
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            if (!_warned)
            {
                warn($"journal write failed ({e.Message}); the run continues unrecorded from here");
                _warned = true;
            }
        }
    }
}
