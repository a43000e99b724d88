namespace Rein.Journal;

/// <summary>The journal: the processes each run's guard saw (pid + start time), for <c>rein cleanup</c>.</summary>
public sealed partial class JournalStore
{
    /// <summary>Adds process identities to a run's record; ones already there are ignored (imports repeat).</summary>
    public void RecordProcesses(string runId, IReadOnlyList<(int Pid, ulong Start)> processes)
    {
        if (processes.Count == 0)
        {
            return;
        }

        InTransaction(() =>
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText =
                "INSERT OR IGNORE INTO run_processes(run_id, pid, start) VALUES ($id, $pid, $start);";
            var id = cmd.Parameters.AddWithValue("$id", runId);
            var pid = cmd.Parameters.AddWithValue("$pid", 0);
            var start = cmd.Parameters.AddWithValue("$start", 0L);
            foreach (var p in processes)
            {
                pid.Value = p.Pid;
                start.Value = (long)p.Start;
                cmd.ExecuteNonQuery();
            }
        });
    }

    /// <summary>Every recorded process identity of runs of the given boot (start times count from that boot, so
    /// another boot's records say nothing about the processes alive now): run id, pid, start time. The run's
    /// command (child) is included.</summary>
    public List<(string RunId, int Pid, ulong Start)> RecordedProcesses(string bootId)
    {
        var result = new List<(string, int, ulong)>();
        using var cmd = _db.CreateCommand();
        cmd.CommandText = """
            SELECT p.run_id, p.pid, p.start FROM run_processes p JOIN runs r ON r.id = p.run_id
              WHERE r.boot_id = $boot
            UNION
            SELECT id, child_pid, child_start FROM runs
              WHERE boot_id = $boot AND child_pid IS NOT NULL AND child_start IS NOT NULL;
            """;
        cmd.Parameters.AddWithValue("$boot", bootId);
        using var row = cmd.ExecuteReader();
        while (row.Read())
        {
            result.Add((row.GetString(0), row.GetInt32(1), (ulong)row.GetInt64(2)));
        }

        return result;
    }

    /// <summary>Every run of the given boot (ids, state): which markers and cgroups belong to this journal.</summary>
    public List<RunRecord> RunsOfBoot(string bootId) =>
        Query("WHERE boot_id = $boot", cmd => cmd.Parameters.AddWithValue("$boot", bootId));
}
