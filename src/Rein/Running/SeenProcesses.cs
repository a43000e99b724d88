using Rein.Processes;

namespace Rein.Running;

/// <summary>
/// Tells the recorder about members of the run's tree the first time the guard's sampler sees them (pid + start
/// time), so a tree orphaned by the death of both rein and its shim can still be found by identity
/// (<c>rein cleanup</c>). Costs nothing beyond the samples the guard takes anyway: no /proc scan of its own, one
/// spool line only when something new appeared. Bounded: at most <see cref="Limit"/> identities per run, so the
/// lines never eat the disk space reserved for the run's end record.
/// </summary>
internal sealed class SeenProcesses(IRunRecorder? recorder, string runId)
{
    public const int Limit = 1024;

    readonly HashSet<(int, ulong)> _seen = [];

    /// <summary>The pids seen so far (for the classifier: kernel log lines about the run's processes).</summary>
    public IEnumerable<int> Pids => _seen.Select(s => s.Item1);

    public void Add(List<ProcessInfo> members)
    {
        if (recorder is null || _seen.Count >= Limit)
        {
            return;
        }

        List<(int, ulong)>? fresh = null;
        foreach (var p in members)
        {
            if (!p.IsZombie && _seen.Count < Limit && _seen.Add((p.Pid, p.StartTime)))
            {
                (fresh ??= []).Add((p.Pid, p.StartTime));
            }
        }

        if (fresh is not null)
        {
            recorder.ProcessesSeen(runId, fresh);
        }
    }
}
