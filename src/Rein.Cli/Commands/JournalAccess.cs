using Rein.Config;
using Rein.Journal;
using Rein.Processes;

namespace Rein.Cli.Commands;

/// <summary>Opens the journal for a verb: reports a moved-aside corrupt file, and reconciles unclean ends
/// (any rein invocation notices a run whose guard vanished or whose machine went down).</summary>
internal static class JournalAccess
{
    static string? Env(string name) => Environment.GetEnvironmentVariable(name);

    static readonly Lazy<string> Secured = new(Secure);

    /// <summary>The state directory, created or checked once per command (every verb that keeps state comes
    /// through here): private, ours, no links in it. What had to be tightened is told once, in one line.</summary>
    /// <exception cref="StateDirectoryException">It cannot be used safely; the message says why and what to do.</exception>
    public static string StateDir => Secured.Value;

    static string Secure()
    {
        var report = StateDirectory.Secure(StateDirectory.Resolve(Env));
        var exposed = report.Tightened.Where(t => t.WasWritableByOthers).ToList();
        if (exposed.Count > 0)
        {
            var list = string.Join(
                ", ",
                exposed.Select(t => $"{Path.GetRelativePath(report.Path, t.Path)} {Octal(t.Was)}")
            );
            Console.Error.WriteLine(
                $"rein: state directory {report.Path} was writable by other users ({list}); tightened to 0700 (files 0600) — check that nothing in it was planted"
            );
        }

        return report.Path;
    }

    static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode, 8);

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

            foreach (var note in store.Quarantined)
            {
                Console.Error.WriteLine($"rein {verb}: {CommandText.Escape(note)}");
            }

            if (store.MovedAside is { } aside)
            {
                Console.Error.WriteLine(
                    $"rein {verb}: the journal database was damaged; moved it to {aside} and started a new one"
                );
            }

            return store;
        }
        catch (Exception e) when (e is JournalException or StateDirectoryException)
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
        catch (Microsoft.Data.Sqlite.SqliteException e)
            when (e.SqliteErrorCode is 5 or 6 or 10 or 13)
        {
            // Busy, or the disk is full (SQLITE_IOERR, SQLITE_FULL): unclean ends are marked by the next reader.
        }
    }
}
