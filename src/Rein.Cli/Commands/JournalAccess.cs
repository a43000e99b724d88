using Rein.Config;
using Rein.Journal;
using Rein.Processes;

namespace Rein.Cli.Commands;

/// <summary>Opens the journal for a verb: reports a moved-aside corrupt file, and reconciles unclean ends
/// (any rein invocation notices a run whose guard vanished or whose machine went down).</summary>
internal static class JournalAccess
{
    static string? Env(string name) => Environment.GetEnvironmentVariable(name);

    public static string StateDir => StateDirectory.Resolve(Env);

    public static BootIdentity Boot => BootIdentity.Current(Env);

    /// <summary>Opens the store or explains in one line why not (then returns null).</summary>
    public static JournalStore? Open(string verb)
    {
        try
        {
            var store = JournalStore.Open(StateDir);
            if (store.ImportSkipped is { } skipped)
            {
                Console.Error.WriteLine($"rein {verb}: {skipped}");
            }

            if (store.MovedAside is { } aside)
            {
                Console.Error.WriteLine(
                    $"rein {verb}: the journal database was corrupt; moved it to {aside} and started a new one"
                );
            }

            return store;
        }
        catch (JournalException e)
        {
            Console.Error.WriteLine($"rein {verb}: {e.Message}");
        }
        catch (Exception e)
            when (e
                    is Microsoft.Data.Sqlite.SqliteException
                        or IOException
                        or UnauthorizedAccessException
            )
        {
            Console.Error.WriteLine(
                $"rein {verb}: cannot open the journal in {StateDir}: {e.Message}"
            );
        }

        return null;
    }

    public static void Reconcile(JournalStore store, BootIdentity boot)
    {
        if (store.ImportSkipped is not null)
        {
            return; // the same lock would hold the marking up; what is shown is already flagged as partial
        }

        try
        {
            store.Reconcile(boot, ProcessTables.Current, DateTimeOffset.UtcNow);
        }
        catch (Microsoft.Data.Sqlite.SqliteException e) when (e.SqliteErrorCode is 5 or 6)
        {
            // Busy: unclean ends are marked by the next reader.
        }
    }
}
