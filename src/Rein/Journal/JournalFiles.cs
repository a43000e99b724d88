using Microsoft.Data.Sqlite;
using Rein.Config;
using Rein.Platform.Posix;

namespace Rein.Journal;

/// <summary>The database's files on disk (<c>rein.db</c>, <c>-wal</c>, <c>-shm</c>) and what SQLite's failures to
/// write them mean for a person.</summary>
internal static class JournalFiles
{
    const int SQLITE_IOERR = 10;
    const int SQLITE_FULL = 13;

    /// <summary>Before SQLite opens the database (G7): none of its files may be a symbolic link or another user's,
    /// and all are 0600. SQLite would follow a link, and creates the database 0644 (minus the umask); it creates
    /// <c>-wal</c> and <c>-shm</c> with the database's own mode, so creating the (empty) database file 0600 here
    /// makes all three private, whatever the umask.</summary>
    /// <exception cref="StateDirectoryException">A link or another user's file, in one line.</exception>
    public static void Prepare(string databasePath)
    {
        LibC.close(StateFile.OpenOrCreate(databasePath));
        foreach (var suffix in new[] { "-wal", "-shm" })
        {
            if (StateFile.OpenExisting(databasePath + suffix) is { } fd)
            {
                LibC.close(fd);
            }
        }
    }

    /// <summary>SQLite could not write for want of space (SQLITE_FULL), or failed to write at all (SQLITE_IOERR:
    /// growing <c>-shm</c> on a full disk fails this way).</summary>
    public static bool IsWriteFailure(SqliteException e) =>
        e.SqliteErrorCode is SQLITE_FULL or SQLITE_IOERR;

    /// <summary>"no space left on device in DIR (free space or set REIN_HOME)", or SQLite's own words.</summary>
    public static string Describe(SqliteException e, string stateDirectory) =>
        e.SqliteErrorCode == SQLITE_FULL
            ? $"no space left on device in {stateDirectory} (free space or set REIN_HOME)"
            : $"cannot write in {stateDirectory}: {OneLine(e.Message)} (is the disk full? free space or set REIN_HOME)";

    static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries)).Trim();
}
