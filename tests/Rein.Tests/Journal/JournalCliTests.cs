using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rein.Platform.Posix;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Journal;

/// <summary>The journal as a user meets it: through rein run, rein ps and rein journal, on a real database.</summary>
public sealed class JournalCliTests : RunTestBase
{
    JsonElement Json(params string[] args)
    {
        var r = ReinProcess.Run(args, HomeEnv());
        Assert.True(
            r.ExitCode == 0,
            $"rein {string.Join(' ', args)} exited {r.ExitCode}: {r.Stderr}"
        );
        return JsonDocument.Parse(r.Stdout).RootElement;
    }

    static JsonElement[] Runs(JsonElement doc) => [.. doc.GetProperty("runs").EnumerateArray()];

    [Fact]
    public void Start_record_exists_while_the_command_runs_and_end_record_after()
    {
        using var rein = ReinProcess.Start(
            RunArgs(["--report", ReportPath], "pidfile", PidFile, "hang"),
            HomeEnv()
        );
        var pid = Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5)));

        // The child's pid is appended just after the spawn; the command may write its pidfile first.
        JsonElement running = default;
        ProcessProbe.WaitUntil(
            () =>
                Runs(Json("ps", "--json")) is [var r]
                && (running = r).GetProperty("child_pid").ValueKind == JsonValueKind.Number,
            TimeSpan.FromSeconds(3)
        );
        Assert.Equal("running", running.GetProperty("state").GetString());
        Assert.Equal(pid, running.GetProperty("child_pid").GetInt32());
        Assert.Equal(rein.Pid, running.GetProperty("rein_pid").GetInt32());
        Assert.Equal(Marker, running.GetProperty("command")[1].GetString());
        Assert.True(running.GetProperty("tree_rss_bytes").GetInt64() > 0);
        Assert.False(running.GetProperty("stuck").GetBoolean());

        LibC.kill(rein.Pid, LibC.SIGTERM);
        rein.Wait(TimeSpan.FromSeconds(10));

        var ended = Assert.Single(Runs(Json("journal", "--json")));
        Assert.Equal("ended", ended.GetProperty("state").GetString());
        Assert.Equal("interrupted", ended.GetProperty("outcome").GetString());
        Assert.Equal(143, ended.GetProperty("rein_exit_code").GetInt32());
        Assert.Equal(
            ReadReport().GetProperty("run_id").GetString(),
            ended.GetProperty("run_id").GetString()
        );
        Assert.Empty(Runs(Json("ps", "--json")));
    }

    [Fact]
    public void Finished_run_is_recorded_with_its_verdict()
    {
        var r = ReinProcess.Run(RunArgs([], "exit", "3"), HomeEnv());
        Assert.Equal(3, r.ExitCode);

        var run = Assert.Single(Runs(Json("journal", "--json")));
        Assert.Equal("exited", run.GetProperty("outcome").GetString());
        Assert.Equal(3, run.GetProperty("exit_code").GetInt32());
        Assert.Equal(Environment.CurrentDirectory, run.GetProperty("cwd").GetString());
        Assert.True(run.GetProperty("duration_ms").GetInt64() >= 0);

        var shown = Assert.Single(
            Runs(Json("journal", "show", run.GetProperty("run_id").GetString()![..20], "--json"))
        );
        Assert.Equal(
            run.GetProperty("run_id").GetString(),
            shown.GetProperty("run_id").GetString()
        );
    }

    [Fact]
    public void SIGKILL_of_rein_mid_run_shows_as_an_unclean_end_with_the_reason()
    {
        using var rein = ReinProcess.Start(RunArgs([], "pidfile", PidFile, "hang"), HomeEnv());
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));
        LibC.kill(rein.Pid, LibC.SIGKILL);
        rein.WaitForExit(TimeSpan.FromSeconds(5));

        var run = Assert.Single(Runs(Json("journal", "--unclean", "--json")));
        Assert.Equal("unclean", run.GetProperty("state").GetString());
        Assert.Contains("guard vanished", run.GetProperty("unclean_reason").GetString());
        Assert.Equal(JsonValueKind.Null, run.GetProperty("ended_at").ValueKind);
    }

    [Fact]
    public void Run_alive_when_the_machine_went_down_is_listed_for_the_previous_boot()
    {
        Requires.TestHooks(); // REIN_BOOT_ID: a simulated reboot
        using var rein = ReinProcess.Start(
            RunArgs([], "pidfile", PidFile, "hang"),
            HomeEnv(("REIN_BOOT_ID", "boot-before-crash"))
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5));
        LibC.kill(rein.Pid, LibC.SIGKILL); // stands in for the power going out: no end record
        rein.WaitForExit(TimeSpan.FromSeconds(5));

        var after = ReinProcess.Run(
            ["journal", "--boot", "previous", "--json"],
            HomeEnv(("REIN_BOOT_ID", "boot-after-crash"))
        );
        var doc = JsonDocument.Parse(after.Stdout).RootElement;
        var run = Assert.Single(Runs(doc));
        Assert.Equal(
            "ended by reboot/crash of the machine",
            run.GetProperty("unclean_reason").GetString()
        );
        Assert.Equal(
            "boot-before-crash",
            doc.GetProperty("boot").GetProperty("boot_id").GetString()
        );

        var human = ReinProcess.Run(
            ["journal", "--boot", "previous"],
            HomeEnv(("REIN_BOOT_ID", "boot-after-crash"))
        );
        Assert.Contains("1 run(s) were still running when it went down", human.Stdout);
        Assert.Contains(run.GetProperty("run_id").GetString()!, human.Stdout);
    }

    [Fact]
    public void Fifty_concurrent_runs_lose_no_record_and_never_report_a_locked_database()
    {
        var runs = Enumerable
            .Range(0, 50)
            .Select(i => ReinProcess.Start(RunArgs([], "exit", (i % 5).ToString()), HomeEnv()))
            .ToList();
        var results = runs.Select(r => r.Wait(TimeSpan.FromSeconds(60))).ToList();
        runs.ForEach(r => r.Dispose());

        Assert.All(results, r => Assert.DoesNotContain("locked", r.Stderr));
        Assert.All(results, r => Assert.Equal("", r.Stderr));
        var recorded = Runs(Json("journal", "--last", "100", "--json"));
        Assert.Equal(50, recorded.Length);
        Assert.All(recorded, r => Assert.Equal("ended", r.GetProperty("state").GetString()));
        Assert.Equal(10, recorded.Count(r => r.GetProperty("exit_code").GetInt32() == 3));
    }

    [Fact]
    public void Corrupt_database_is_moved_aside_and_the_run_still_works()
    {
        Directory.CreateDirectory(Home);
        var db = Path.Combine(Home, "rein.db");
        File.WriteAllText(
            db,
            "this is not an SQLite database, it is what a bad disk left behind "
                + new string('x', 5000)
        );

        var r = ReinProcess.Run(RunArgs([], "print", "still works"), HomeEnv());

        Assert.Equal(0, r.ExitCode);
        Assert.Equal("still works\n", r.Stdout);
        // The run writes only the spool; whoever opens the database next (the run's own background prune, or the
        // next reader) finds the corrupt file, moves it aside and says so.
        var journal = ReinProcess.Run(["journal", "--json"], HomeEnv());
        Assert.Contains("corrupt", r.Stderr + journal.Stderr);
        var aside = Assert.Single(Directory.GetFiles(Home, "rein.db.corrupt-*"));
        Assert.StartsWith("this is not an SQLite database", File.ReadAllText(aside));
        Assert.Single(Runs(JsonDocument.Parse(journal.Stdout).RootElement));
    }

    [Fact]
    public void Version_1_journal_is_migrated_and_its_runs_kept()
    {
        Directory.CreateDirectory(Home);
        var db = Path.Combine(Home, "rein.db");
        using (var c = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = File.ReadAllText(Paths.Fixture("journal", "v1.sql"));
            cmd.ExecuteNonQuery();
        }

        var runs = Runs(Json("journal", "--json"));

        Assert.Equal(
            ["20260101T000500Z-00000000b2", "20260101T000000Z-00000000a1"],
            runs.Select(r => r.GetProperty("run_id").GetString())
        );
        Assert.Equal("unclean", runs[0].GetProperty("state").GetString()); // its boot is not this one
        Assert.Equal(104857600, runs[1].GetProperty("peak_rss_bytes").GetInt64());
        using var check = new SqliteConnection($"Data Source={db};Pooling=False");
        check.Open();
        using var v = check.CreateCommand();
        v.CommandText = "PRAGMA user_version;";
        Assert.Equal((long)Rein.Journal.Migrations.Latest, (long)v.ExecuteScalar()!);
    }

    [Fact]
    public void Journal_from_a_newer_rein_is_refused_and_left_untouched()
    {
        Directory.CreateDirectory(Home);
        var db = Path.Combine(Home, "rein.db");
        using (var c = new SqliteConnection($"Data Source={db};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE future (x); PRAGMA user_version = 99;";
            cmd.ExecuteNonQuery();
        }

        var before = File.ReadAllBytes(db);
        var r = ReinProcess.Run(["journal"], HomeEnv());

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("schema v99, newer than this rein understands", r.Stderr);
        Assert.Equal(before, File.ReadAllBytes(db));
    }

    [Fact]
    public void Readers_answer_within_seconds_while_another_process_holds_the_write_lock()
    {
        Assert.Equal(0, ReinProcess.Run(RunArgs([], "exit", "0"), HomeEnv()).ExitCode); // creates the journal
        Assert.Equal(0, ReinProcess.Run(RunArgs([], "exit", "0"), HomeEnv()).ExitCode); // leaves a spool file to import
        using var writer = new SqliteConnection(
            $"Data Source={Path.Combine(Home, "rein.db")};Pooling=False"
        );
        writer.Open();
        using (var begin = writer.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;"; // like a rein stopped with Ctrl-Z in the middle of its prune
            begin.ExecuteNonQuery();
        }

        var r = ReinProcess.Run(["ps", "--json"], HomeEnv());

        Assert.Equal(0, r.ExitCode);
        Assert.Contains("the journal is locked by another rein process", r.Stderr);
        Assert.True(
            r.Elapsed < TimeSpan.FromSeconds(10),
            $"rein ps waited {r.Elapsed} behind the writer"
        );
        Assert.Equal(
            "rein.ps/1",
            JsonDocument.Parse(r.Stdout).RootElement.GetProperty("schema").GetString()
        );
    }

    [Fact]
    public void Environment_values_are_never_stored()
    {
        var secret = "s3cr3t-" + Guid.NewGuid().ToString("N");
        var env = HomeEnv(("API_TOKEN", secret));
        var name = "e" + Guid.NewGuid().ToString("N")[..8];
        // A timed-out run with a lock writes every kind of state file: spool, slot, breaker record.
        using var running = ReinProcess.Start(
            RunArgs(
                ["--lock", name, "--timeout", "3s", "--grace", "100ms"],
                "pidfile",
                PidFile,
                "hang"
            ),
            env
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10));
        AssertSecretAbsent(secret, "while running", "spool", "locks");
        Assert.Equal(124, running.Wait(TimeSpan.FromSeconds(20)).ExitCode);
        AssertSecretAbsent(secret, "after the run", "breaker");

        Assert.Single(Runs(Json("journal", "--json")));
        AssertSecretAbsent(secret, "after the import", "rein.db");
    }

    /// <summary>Greps every file under the state directory; <paramref name="mustExist"/> keeps the check honest
    /// (a grep of nothing passes).</summary>
    void AssertSecretAbsent(string secret, string when, params string[] mustExist)
    {
        foreach (var entry in mustExist)
        {
            Assert.True(
                Path.Exists(Path.Combine(Home, entry)),
                $"{entry} does not exist {when}: the grep would prove nothing"
            );
        }

        var files = Directory.GetFiles(Home, "*", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            if (!File.Exists(f))
            {
                continue; // a temporary file renamed into place meanwhile: its final name is listed too
            }

            // Not File.ReadAllBytes: .NET takes a shared flock, which fails on the slot and prune locks held now.
            string text;
            try
            {
                text = LibC.ReadSmallFile(f, (int)new FileInfo(f).Length + 1);
            }
            catch (IOException) when (!File.Exists(f))
            {
                continue;
            }
            Assert.False(
                text.Contains(secret, StringComparison.Ordinal),
                $"{Path.GetRelativePath(Home, f)} holds an environment value ({when})"
            );
        }
    }

    [Fact]
    public void Bad_usage_of_journal_exits_2_with_one_line()
    {
        var r = ReinProcess.Run(["journal", "--boot", "yesterday"], HomeEnv());
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        var s = ReinProcess.Run(["journal", "--since", "soon"], HomeEnv());
        Assert.Equal(2, s.ExitCode);
        Assert.Contains("'soon'", s.Stderr);
    }
}
