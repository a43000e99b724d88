using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rein.Processes;
using Rein.Running;

namespace Rein.Journal;

/// <summary>The journal: runs whose guard is gone are marked unclean, with the reason.</summary>
public sealed partial class JournalStore
{
    /// <summary>
    /// Finds runs that never ended and whose guard is gone, and marks them unclean with the reason: another
    /// boot id means the machine went down; the same boot with the rein pid gone (or reused by another
    /// process, told apart by its start time) means the guard vanished. Returns the runs newly marked.
    /// </summary>
    public List<RunRecord> Reconcile(BootIdentity boot, IProcessTable table, DateTimeOffset now)
    {
        var open = Query(
            "WHERE ended_at IS NULL AND unclean_reason IS NULL ORDER BY started_at",
            _ => { }
        );
        var marked = new List<RunRecord>();
        foreach (var r in open.Where(r => r.EndedAt is null)) // an end still in the spool is an end
        {
            string? reason = null;
            if (r.BootId != boot.BootId)
            {
                reason = UncleanReasons.MachineWentDown;
            }
            else if (GuardHoldsSpool(r.Id))
            {
                // Alive, whatever its pid says here: it may run in another pid namespace (a container sharing
                // the state directory), whose pids are not this reader's.
            }
            else if (
                (r.PidNamespace is { } theirs && boot.PidNamespace is { } mine && theirs != mine)
                || table.Read(r.ReinPid) is not { } guard
                || guard.IsZombie
                || (r.ReinStartTime != 0 && guard.StartTime != r.ReinStartTime)
            )
            {
                reason = UncleanReasons.GuardVanished;
            }

            if (reason is null)
            {
                continue;
            }

            using var cmd = _db.CreateCommand();
            cmd.CommandText =
                "UPDATE runs SET unclean_reason = $r, unclean_detected_at = $now WHERE id = $id AND ended_at IS NULL AND unclean_reason IS NULL;";
            cmd.Parameters.AddWithValue("$r", reason);
            cmd.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$id", r.Id);
            if (cmd.ExecuteNonQuery() == 1)
            {
                marked.Add(r with { UncleanReason = reason, UncleanDetectedAt = now });
            }
        }

        return marked;
    }

    bool GuardHoldsSpool(string runId) =>
        JournalSpool.Held(JournalSpool.FileFor(System.IO.Path.GetDirectoryName(Path)!, runId));
}
