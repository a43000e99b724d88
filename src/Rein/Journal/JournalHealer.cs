using Microsoft.Data.Sqlite;
using Rein.Config;
using Rein.Platform.Posix;

namespace Rein.Journal;

/// <summary>What <see cref="JournalHealer.Heal"/> found and did.</summary>
/// <param name="Problem">SQLite's first complaint about the database (<c>PRAGMA quick_check</c> or the open),
/// or null when it was sound.</param>
/// <param name="MovedTo">Where the damaged database was moved (a fresh one is started at the next open), or null
/// when nothing was moved: it was sound, or another process had already moved it.</param>
public sealed record JournalHealth(string? Problem, string? MovedTo)
{
    public bool Sound => Problem is null;
}

/// <summary>
/// Moves a damaged journal aside, once, however many processes find it damaged at the same moment. Damage shows
/// at open (not a database: SQLITE_NOTADB) or only when a query reaches a broken page (SQLITE_CORRUPT), long after
/// the open. Whoever meets it calls <see cref="Heal"/>: under an exclusive flock on <c>rein.db.heal</c> it checks
/// the file again (<c>PRAGMA quick_check</c>) — a second caller finds the fresh database sound and moves nothing —
/// and renames the damaged file to a name no other healing can take (time, pid, never overwriting), so the evidence
/// is never replaced. Runs still in the spool are imported into the fresh database by its next open.
/// </summary>
public static class JournalHealer
{
    const string LockName = "rein.db.heal";

    /// <summary>Is SQLite saying the file is damaged (SQLITE_CORRUPT, SQLITE_NOTADB)?</summary>
    public static bool IsDamage(Exception e) => e is SqliteException { SqliteErrorCode: 11 or 26 };

    /// <summary>Checks the journal in <paramref name="stateDirectory"/> and, when it is damaged, moves it aside.</summary>
    /// <param name="repair">False: only check (what <c>rein doctor --no-fix</c> would want); true: move aside.</param>
    public static JournalHealth Heal(string stateDirectory, bool repair = true)
    {
        StateDirectory.Ensure(stateDirectory);
        var path = Path.Combine(stateDirectory, JournalStore.FileName);
        var lockFd = StateFile.OpenOrCreate(Path.Combine(stateDirectory, LockName));
        try
        {
            // Blocking: a healer holds it for one quick_check and three renames.
            while (LibC.flock(lockFd, LibC.LOCK_EX) != 0)
            {
                // EINTR: try again.
            }

            var problem = Check(path);
            if (problem is null || !repair)
            {
                return new JournalHealth(problem, null);
            }

            return new JournalHealth(problem, MoveAside(path));
        }
        finally
        {
            LibC.close(lockFd); // releases the flock
        }
    }

    /// <summary>SQLite's first complaint, or null for a sound (or absent, or empty) database.</summary>
    static string? Check(string path)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return null;
        }

        try
        {
            using var db = new SqliteConnection(
                new SqliteConnectionStringBuilder
                {
                    DataSource = path,
                    Mode = SqliteOpenMode.ReadWrite,
                    Pooling = false,
                }.ToString()
            );
            db.Open();
            using (var wait = db.CreateCommand())
            {
                wait.CommandText = "PRAGMA busy_timeout = 3000;";
                wait.ExecuteNonQuery();
            }

            using var cmd = db.CreateCommand();
            cmd.CommandText = "PRAGMA quick_check(1);";
            var answer = cmd.ExecuteScalar() as string;
            return answer is "ok" ? null : OneLine(answer ?? "quick_check gave no answer");
        }
        catch (SqliteException e) when (IsDamage(e))
        {
            return OneLine(e.Message);
        }
    }

    static string MoveAside(string path)
    {
        SqliteConnection.ClearAllPools();
        var stamp = $"{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}-{Environment.ProcessId}";
        var aside = $"{path}.corrupt-{stamp}";
        for (var n = 2; File.Exists(aside) || File.Exists(aside + "-wal"); n++)
        {
            aside = $"{path}.corrupt-{stamp}-{n}";
        }

        File.Move(path, aside, overwrite: false);
        foreach (var suffix in new[] { "-wal", "-shm" })
        {
            if (File.Exists(path + suffix))
            {
                File.Move(path + suffix, aside + suffix, overwrite: false);
            }
        }

        return aside;
    }

    static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Trim();
}
