namespace Rein.Journal;

/// <summary>The journal: what exporters read (finished runs by when they finished, panics by id) and the state
/// they keep in it (cumulative totals and a cursor), so counters stay monotonic when retention prunes old runs.</summary>
public sealed partial class JournalStore
{
    /// <summary>Runs that finished at or after <paramref name="sinceMs"/> (ended, or found unclean), oldest first.</summary>
    internal List<RunRecord> FinishedSince(long sinceMs) =>
        Query(
            "WHERE ended_at >= $s OR (ended_at IS NULL AND unclean_detected_at >= $s) "
                + "ORDER BY COALESCE(ended_at, unclean_detected_at), id",
            cmd => cmd.Parameters.AddWithValue("$s", sinceMs)
        );

    /// <summary>(id, kind) of every panic in the ledger with an id above <paramref name="afterId"/>.</summary>
    internal List<(long Id, string Kind)> PanicsAfter(long afterId)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT id, kind FROM panics WHERE id > $id ORDER BY id;";
        cmd.Parameters.AddWithValue("$id", afterId);
        using var r = cmd.ExecuteReader();
        var list = new List<(long, string)>();
        while (r.Read())
        {
            list.Add((r.GetInt64(0), r.GetString(1)));
        }

        return list;
    }

    internal string? MetaValue(string key)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE key = $k;";
        cmd.Parameters.AddWithValue("$k", key);
        return cmd.ExecuteScalar() as string;
    }

    internal void SetMetaValue(string key, string value)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText =
            "INSERT INTO meta(key, value) VALUES ($k, $v) ON CONFLICT(key) DO UPDATE SET value = $v;";
        cmd.Parameters.AddWithValue("$k", key);
        cmd.Parameters.AddWithValue("$v", value);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Runs <paramref name="body"/> in one write transaction: two exporters at once never count a run twice.</summary>
    internal void Exclusively(Action body) => InTransaction(body);
}
