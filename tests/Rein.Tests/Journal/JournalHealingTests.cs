using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rein.Journal;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Journal;

/// <summary>Issue 20 item 3: a damaged journal heals once, under a lock, whoever finds the damage — at open (not a
/// database) or deep in a query (a broken page) — and the evidence is kept under a name nothing overwrites.</summary>
public sealed class JournalHealingTests : RunTestBase
{
    string Db => Path.Combine(Home, JournalStore.FileName);

    string[] Aside() =>
        [
            .. Directory
                .GetFiles(Home, "rein.db.corrupt-*")
                .Where(f => !f.EndsWith("-wal", StringComparison.Ordinal))
                .Where(f => !f.EndsWith("-shm", StringComparison.Ordinal)),
        ];

    /// <summary>A real journal with enough runs to span many pages, then 20 of its pages overwritten: it opens
    /// fine and fails only where a query reaches them (SQLITE_CORRUPT).</summary>
    void DamagePages()
    {
        Assert.Equal(0, ReinProcess.Run(["journal"], HomeEnv()).ExitCode); // creates the schema
        using (var c = new SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            c.Open();
            using var tx = c.BeginTransaction();
            using var cmd = c.CreateCommand();
            cmd.CommandText =
                "INSERT INTO runs(id, command, cwd, user_name, rein_pid, rein_start, boot_id, started_at, ended_at, outcome, exit_code) "
                + "VALUES ($id, $cmd, '/tmp', 'u', 1, 1, 'b', $t, $t, 'exited', 0)";
            var id = cmd.Parameters.Add("$id", SqliteType.Text);
            var command = cmd.Parameters.Add("$cmd", SqliteType.Text);
            var t = cmd.Parameters.Add("$t", SqliteType.Integer);
            command.Value = JsonSerializer.Serialize(new[] { "echo", new string('x', 200) });
            for (var i = 0; i < 3000; i++)
            {
                id.Value = $"20260101T000000Z-{i:x10}";
                t.Value = 1_700_000_000_000L + i;
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
            using var ckpt = c.CreateCommand();
            ckpt.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            ckpt.ExecuteNonQuery();
        }

        using var f = File.OpenWrite(Db);
        f.Seek(4096 * 40, SeekOrigin.Begin);
        f.Write(Enumerable.Repeat((byte)0xff, 4096 * 20).ToArray());
    }

    [Fact]
    public void Damage_found_after_open_is_moved_aside_and_the_verb_answers()
    {
        DamagePages();

        var r = ReinProcess.Run(["cleanup", "--json"], HomeEnv());

        Assert.True(r.ExitCode == 0, $"rein cleanup exited {r.ExitCode}: {r.Stderr}");
        var aside = Assert.Single(Aside());
        Assert.Contains($"the journal database was damaged", r.Stderr);
        Assert.Contains(aside, r.Stderr);
        Assert.DoesNotContain("please report", r.Stderr);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        JsonDocument.Parse(r.Stdout);
        // The fresh journal is sound: the next verb says nothing.
        var again = ReinProcess.Run(["journal", "--last", "5000"], HomeEnv());
        Assert.Equal((0, ""), (again.ExitCode, again.Stderr));
        Assert.Single(Aside());
    }

    [Fact]
    public void Concurrent_readers_of_a_damaged_journal_move_it_aside_once()
    {
        DamagePages();
        var size = new FileInfo(Db).Length;

        var readers = Enumerable
            .Range(0, 3)
            .Select(_ => ReinProcess.Start(["journal", "--last", "5000", "--json"], HomeEnv()))
            .ToList();
        var results = readers.Select(p => p.Wait(TimeSpan.FromSeconds(30))).ToList();

        foreach (var r in results)
        {
            Assert.True(r.ExitCode == 0, $"rein journal exited {r.ExitCode}: {r.Stderr}");
            JsonDocument.Parse(r.Stdout);
        }

        // One healer moved it; the evidence is whole (not a fresh database renamed over it).
        var aside = Assert.Single(Aside());
        Assert.Equal(size, new FileInfo(aside).Length);
        Assert.Single(results, r => r.Stderr.Contains("damaged", StringComparison.Ordinal));
    }

    [Fact]
    public void Concurrent_openers_of_a_non_database_move_it_aside_once()
    {
        Directory.CreateDirectory(Home);
        File.WriteAllText(Db, "this is not an SQLite database " + new string('x', 5000));

        var readers = Enumerable
            .Range(0, 3)
            .Select(_ => ReinProcess.Start(["journal", "--json"], HomeEnv()))
            .ToList();
        var results = readers.Select(p => p.Wait(TimeSpan.FromSeconds(30))).ToList();

        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Stderr));
        var aside = Assert.Single(Aside());
        Assert.StartsWith("this is not an SQLite database", File.ReadAllText(aside));
    }

    [Fact]
    public void Healing_never_overwrites_earlier_evidence()
    {
        Directory.CreateDirectory(Home);
        File.WriteAllText(Db, "first bad file " + new string('x', 5000));
        Assert.NotNull(JournalHealer.Heal(Home).MovedTo);
        File.WriteAllText(Db, "second bad file " + new string('x', 5000));
        Assert.NotNull(JournalHealer.Heal(Home).MovedTo);

        var texts = Aside().Select(File.ReadAllText).Order().ToList();
        Assert.Equal(2, texts.Count);
        Assert.StartsWith("first bad file", texts[0]);
        Assert.StartsWith("second bad file", texts[1]);
    }

    [Fact]
    public void Doctor_runs_quick_check_and_says_what_it_did()
    {
        DamagePages();

        var first = ReinProcess.Run(["doctor", "--check", "journal", "--json"], HomeEnv());
        var second = ReinProcess.Run(["doctor", "--check", "journal", "--json"], HomeEnv());

        var healed = Finding(first.Stdout);
        Assert.Equal("warn", healed.GetProperty("severity").GetString());
        var moved = healed.GetProperty("details").GetProperty("moved_to").GetString();
        Assert.Equal(Assert.Single(Aside()), moved);
        Assert.NotEqual("ok", healed.GetProperty("details").GetProperty("quick_check").GetString());
        var sound = Finding(second.Stdout);
        Assert.Equal("ok", sound.GetProperty("severity").GetString());
        Assert.Equal("ok", sound.GetProperty("details").GetProperty("quick_check").GetString());
        Assert.Single(Aside());
    }

    static JsonElement Finding(string json) =>
        Assert.Single(
            JsonDocument.Parse(json).RootElement.GetProperty("findings").EnumerateArray(),
            f => f.GetProperty("check").GetString() == "journal"
        );
}
