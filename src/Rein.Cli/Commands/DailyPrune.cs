using Rein.Config;
using Rein.Journal;
using Rein.Processes.Posix;

namespace Rein.Cli.Commands;

/// <summary>The journal's daily retention pass, started by the verbs that guard a command (<c>run</c>,
/// <c>timeout</c>) on its own connection while the command runs. It imports the spool too, so a machine where only
/// guarded runs happen still has its spool folded into the database once a day.</summary>
internal static class DailyPrune
{
    /// <summary>Starts the prune in the background when it is due; the caller waits a moment for it at the end.</summary>
    /// <param name="config">Retention settings (journal.keep_runs, journal.keep_days).</param>
    /// <param name="stateDir">The state directory (it must exist: the pruner's lock file lives there).</param>
    /// <param name="verb">Names the verb in the one line printed if the database had to be moved aside.</param>
    public static Task StartIfDue(EffectiveConfig config, string stateDir, string verb) =>
        PruneDue(stateDir) ? Task.Run(() => Prune(config, stateDir, verb)) : Task.CompletedTask;

    /// <summary>One stat: pruning is due when the marker is a day old (or missing).</summary>
    static bool PruneDue(string stateDir) =>
        JournalStore.PruneMarkerDue(stateDir, DateTime.UtcNow, TimeSpan.FromDays(1));

    static void Prune(EffectiveConfig config, string stateDir, string verb) =>
        Try(() =>
        {
            // One pruner at a time: a burst of runs in a fresh state directory would otherwise all prune at once.
            int lockFd;
            try
            {
                lockFd = StateFile.OpenOrCreate(Path.Combine(stateDir, "prune.lock"));
            }
            catch (IOException)
            {
                return;
            }

            if (lockFd < 0 || LibC.flock(lockFd, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
            {
                if (lockFd >= 0)
                {
                    LibC.close(lockFd);
                }

                return;
            }

            using var unlock = new FdCloser(lockFd);
            using var store = JournalStore.Open(stateDir);
            if (store.MovedAside is { } aside)
            {
                Console.Error.WriteLine(
                    $"rein {verb}: the journal database was corrupt; moved it to {aside} and started a new one"
                );
            }

            store.Prune(
                config.WholeNumber(Settings.JournalKeepRuns),
                config.WholeNumber(Settings.JournalKeepDays),
                DateTimeOffset.UtcNow
            );
        });

    sealed class FdCloser(int fd) : IDisposable
    {
        public void Dispose() => LibC.close(fd);
    }

    /// <summary>Housekeeping is best effort; the next invocation tries again.</summary>
    static void Try(Action action)
    {
        try
        {
            action();
        }
        catch (Exception)
        {
            // Deliberately broad: housekeeping must never turn a finished run into a crash.
        }
    }
}
