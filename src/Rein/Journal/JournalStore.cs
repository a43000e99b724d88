using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rein.Processes;
using Rein.Running;

namespace Rein.Journal;

/// <summary>
/// The journal: an SQLite database (WAL) at <c>&lt;state dir&gt;/rein.db</c> holding every guarded run. Guarded runs
/// write to the <see cref="JournalSpool"/>; <see cref="Open"/> imports it, so every reader sees them. Writers
/// (importers, the daily prune) serialise on SQLite's lock and wait for it (busy
/// timeout), never failing with "database is locked". A corrupt file is moved aside, kept for inspection, and a
/// fresh one started.
/// </summary>
public sealed partial class JournalStore : IDisposable
{
    public const string FileName = "rein.db";

    readonly SqliteConnection _db;

    JournalStore(SqliteConnection db, string path, string? movedAside)
    {
        _db = db;
        Path = path;
        MovedAside = movedAside;
    }

    public string Path { get; }

    /// <summary>Where a corrupt database was moved on open, if that happened (the caller tells the user).</summary>
    public string? MovedAside { get; }

    /// <summary>Opens (creating or migrating) the journal in <paramref name="stateDirectory"/>.</summary>
    /// <exception cref="JournalException">The database is from a newer Rein, or cannot be opened at all.</exception>
    /// <exception cref="Config.StateDirectoryException">One of its files is a symbolic link or another user's.</exception>
    public static JournalStore Open(string stateDirectory)
    {
        Config.StateDirectory.Ensure(stateDirectory);
        var path = System.IO.Path.Combine(stateDirectory, FileName);
        try
        {
            try
            {
                return OpenAndImport(stateDirectory, path, null);
            }
            catch (SqliteException e) when (JournalHealer.IsDamage(e))
            {
                // Damaged at open, or a page the spool import wrote to: moved aside once, under the healer's lock.
                var health = JournalHealer.Heal(stateDirectory);
                return OpenAndImport(stateDirectory, path, health.MovedTo);
            }
        }
        catch (SqliteException e) when (JournalFiles.IsWriteFailure(e))
        {
            throw new JournalException(
                $"cannot open the journal: {JournalFiles.Describe(e, stateDirectory)}",
                e
            );
        }
    }

    static JournalStore OpenAndImport(string stateDirectory, string path, string? movedAside)
    {
        JournalFiles.Prepare(path);
        var store = new JournalStore(OpenAndMigrate(path), path, movedAside);
        try
        {
            store.TryImportSpool(stateDirectory);
        }
        catch
        {
            store.Dispose();
            throw;
        }

        return store;
    }

    static SqliteConnection OpenAndMigrate(string path)
    {
        var db = new SqliteConnection(
            new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
                // Microsoft.Data.Sqlite retries a busy statement itself for this long (seconds), whatever busy_timeout says.
                DefaultTimeout = 3,
            }.ToString()
        );
        try
        {
            db.Open();
            // Closing the last connection would checkpoint the WAL into the database (two more fsyncs) on every
            // rein exit; leave that to SQLite's automatic checkpoints instead.
            const int SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE = 1006;
            SQLitePCL.raw.sqlite3_db_config(db.Handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, out _);
            // busy_timeout: concurrent rein processes wait for each other instead of failing "database is locked".
            // One round trip for the settings and one for what we must check (each statement costs on this hot path).
            // Readers and the daily prune are the only writers (runs write the spool), so contention is brief; a
            // writer stuck mid-transaction (stopped with Ctrl-Z) must not hang every reader for long.
            Exec(db, "PRAGMA busy_timeout = 3000; PRAGMA synchronous = NORMAL;");
            int version;
            string? journalMode;
            using (var check = db.CreateCommand())
            {
                check.CommandText =
                    "SELECT user_version, journal_mode FROM pragma_user_version, pragma_journal_mode;";
                using var row = check.ExecuteReader();
                row.Read();
                version = row.GetInt32(0);
                journalMode = row.GetString(1);
            }

            if (version > Migrations.Latest)
            {
                throw new JournalException(
                    $"{path} has journal schema v{version}, newer than this rein understands (v{Migrations.Latest}); "
                        + "upgrade rein, or point REIN_HOME elsewhere. The file was not changed."
                );
            }

            if (journalMode is not "wal")
            {
                Exec(db, "PRAGMA journal_mode = WAL;");
            }

            if (version < Migrations.Latest)
            {
                Migrate(db);
            }

            return db;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    static void Migrate(SqliteConnection db)
    {
        // BEGIN IMMEDIATE takes the write lock first, so two processes cannot both migrate.
        Exec(db, "BEGIN IMMEDIATE;");
        try
        {
            var version = Convert.ToInt32(Scalar(db, "PRAGMA user_version;"));
            for (var v = version; v < Migrations.Latest; v++)
            {
                Exec(db, Migrations.Steps[v]);
            }

            Exec(db, $"PRAGMA user_version = {Migrations.Latest};");
            Exec(db, "COMMIT;");
        }
        catch
        {
            RollBack(db);
            throw;
        }
    }

    public int SchemaVersion => Convert.ToInt32(Scalar(_db, "PRAGMA user_version;"));

    /// <summary>The start record; durable (fsync'd WAL) when this returns.</summary>
    int _transactionDepth;

    /// <summary>Runs <paramref name="body"/> in one write transaction (BEGIN IMMEDIATE: the write lock is taken
    /// up front, so a busy database is waited for at the start, not failed at the end). Nests.</summary>
    void InTransaction(Action body)
    {
        if (_transactionDepth++ > 0)
        {
            try
            {
                body();
            }
            finally
            {
                _transactionDepth--;
            }

            return;
        }

        Exec(_db, "BEGIN IMMEDIATE;");
        try
        {
            body();
            Exec(_db, "COMMIT;");
        }
        catch
        {
            RollBack(_db);
            throw;
        }
        finally
        {
            _transactionDepth--;
        }
    }

    /// <summary>Rolls back the open transaction, if SQLite has not already: after some errors (SQLITE_FULL, an I/O
    /// error) it rolls back by itself, and a second ROLLBACK would fail with "no transaction is active" and hide
    /// the error that matters.</summary>
    static void RollBack(SqliteConnection db)
    {
        if (SQLitePCL.raw.sqlite3_get_autocommit(db.Handle) == 0)
        {
            Exec(db, "ROLLBACK;");
        }
    }

    static void Exec(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    static object? Scalar(SqliteConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    public void Dispose() => _db.Dispose();
}
