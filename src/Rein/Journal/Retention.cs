using Rein.Config;
using Rein.Platform.Posix;

namespace Rein.Journal;

/// <summary>The journal's retention, applied at most once a day by whichever guarded run notices it is due, on its
/// own connection while the command runs (so no run waits for it), one pruner at a time.</summary>
public static class Retention
{
    /// <summary>One stat: pruning is due when the marker is a day old (or missing).</summary>
    public static bool Due(string stateDir) =>
        JournalStore.PruneMarkerDue(stateDir, DateTime.UtcNow, TimeSpan.FromDays(1));

    /// <summary>Starts the prune in the background when it is due; the task never faults.</summary>
    /// <param name="stateDir">The state directory.</param>
    /// <param name="keepRuns">The newest runs to keep.</param>
    /// <param name="keepDays">The days of runs to keep.</param>
    /// <param name="warn">Told when the database had to be moved aside as corrupt.</param>
    public static Task PruneIfDue(
        string stateDir,
        long keepRuns,
        long keepDays,
        Action<string> warn
    ) =>
        Due(stateDir)
            ? Task.Run(() => Prune(stateDir, keepRuns, keepDays, warn))
            : Task.CompletedTask;

    static void Prune(string stateDir, long keepRuns, long keepDays, Action<string> warn)
    {
        try
        {
            // One pruner at a time: a burst of runs in a fresh state directory would otherwise all prune at once.
            var lockFd = StateFile.OpenOrCreate(Path.Combine(stateDir, "prune.lock"));
            try
            {
                if (LibC.flock(lockFd, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
                {
                    return;
                }

                using var store = JournalStore.Open(stateDir);
                if (store.MovedAside is { } aside)
                {
                    warn(
                        $"the journal database was damaged; moved it to {aside} and started a new one"
                    );
                }

                store.Prune(keepRuns, keepDays, DateTimeOffset.UtcNow);
            }
            finally
            {
                LibC.close(lockFd);
            }
        }
        catch (Exception)
        {
            // Deliberately broad: housekeeping must never turn a finished run into a crash; the next run tries again.
        }
    }
}
