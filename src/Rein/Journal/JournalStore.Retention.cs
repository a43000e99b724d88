using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rein.Processes;
using Rein.Running;

namespace Rein.Journal;

/// <summary>The journal: deleting old runs.</summary>
public sealed partial class JournalStore
{
    /// <summary>Deletes runs beyond the newest <paramref name="keepRuns"/> or older than <paramref name="keepDays"/>
    /// days. Runs still open (running or unclean) are kept regardless of count, so a crash is never pruned by a
    /// burst of later runs; a run whose guard may still live (no end, not known unclean) is never pruned, by count
    /// or by age. Returns how many were deleted.</summary>
    public int Prune(long keepRuns, long keepDays, DateTimeOffset now)
    {
        int deleted;
        PruneBreadcrumbs((now - TimeSpan.FromDays(keepDays)).ToUnixTimeMilliseconds(), keepRuns);
        using (var cmd = _db.CreateCommand())
        {
            cmd.CommandText = """
                DELETE FROM runs WHERE (started_at < $cutoff AND (ended_at IS NOT NULL OR unclean_reason IS NOT NULL))
                  OR (ended_at IS NOT NULL AND id NOT IN (SELECT id FROM runs ORDER BY started_at DESC LIMIT $keep));
                """;
            cmd.Parameters.AddWithValue(
                "$cutoff",
                (now - TimeSpan.FromDays(keepDays)).ToUnixTimeMilliseconds()
            );
            cmd.Parameters.AddWithValue("$keep", keepRuns);
            deleted = cmd.ExecuteNonQuery();
        }

        using (var orphans = _db.CreateCommand())
        {
            // A pruned run's process records go with it (no foreign keys: the pragma costs every open).
            orphans.CommandText =
                "DELETE FROM run_processes WHERE run_id NOT IN (SELECT id FROM runs);";
            orphans.ExecuteNonQuery();
        }

        using (var meta = _db.CreateCommand())
        {
            meta.CommandText =
                "INSERT INTO meta(key, value) VALUES ('last_prune', $now) ON CONFLICT(key) DO UPDATE SET value = $now;";
            meta.Parameters.AddWithValue(
                "$now",
                now.ToUnixTimeMilliseconds()
                    .ToString(System.Globalization.CultureInfo.InvariantCulture)
            );
            meta.ExecuteNonQuery();
        }

        try
        {
            Config.StateFile.WriteAtomically(
                PruneMarker(System.IO.Path.GetDirectoryName(Path)!),
                now.ToString("O", System.Globalization.CultureInfo.InvariantCulture)
            );
        }
        catch (IOException)
        {
            // Only an optimisation: without it the next run prunes again.
        }

        return deleted;
    }

    /// <summary>A file whose age says whether a prune is due with one stat, so a run need not open SQLite to ask.
    /// Written (0600, never through a link) by every <see cref="Prune"/>.</summary>
    public static string PruneMarker(string stateDirectory) =>
        System.IO.Path.Combine(stateDirectory, "last-prune");

    /// <summary>True when the last prune recorded by <see cref="PruneMarker"/> is older than
    /// <paramref name="every"/>, or there is none.</summary>
    public static bool PruneMarkerDue(string stateDirectory, DateTime utcNow, TimeSpan every)
    {
        var marker = PruneMarker(stateDirectory);
        return !File.Exists(marker) || utcNow - File.GetLastWriteTimeUtc(marker) > every;
    }

    /// <summary>True when the last prune is older than <paramref name="every"/> (or there never was one).</summary>
    public bool PruneDue(DateTimeOffset now, TimeSpan every)
    {
        return Scalar(_db, "SELECT value FROM meta WHERE key = 'last_prune';") is not string last
            || !long.TryParse(last, out var ms)
            || now.ToUnixTimeMilliseconds() - ms >= every.TotalMilliseconds;
    }
}
