using Rein.Journal;
using Rein.Running;

namespace Rein.Tests.Journal;

public sealed class JournalStoreTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("rein-journal-").FullName;
    readonly BootIdentity _boot = new("test-boot", null);

    RunStart Start(string id, DateTimeOffset at) =>
        new(id, ["cmd", id], "/tmp", "me", 999_999, 1, at, null, null);

    RunVerdict End(string id, DateTimeOffset at) =>
        new()
        {
            RunId = id,
            Outcome = RunOutcome.Exited,
            ExitCode = 0,
            Duration = TimeSpan.FromSeconds(1),
            StartedAt = at,
        };

    [Fact]
    public void Prune_keeps_the_newest_runs_and_every_open_one()
    {
        using var store = JournalStore.Open(_dir);
        var t0 = DateTimeOffset.UtcNow.AddHours(-1);
        for (var i = 0; i < 30; i++)
        {
            var id = $"run-{i:00}";
            store.RecordStart(Start(id, t0.AddSeconds(i)), _boot);
            if (i != 3)
            {
                store.RecordEnd(End(id, t0.AddSeconds(i)));
            }
        }

        var deleted = store.Prune(keepRuns: 10, keepDays: 30, DateTimeOffset.UtcNow);

        Assert.Equal(19, deleted);
        var left = store
            .Find(new JournalQuery(Limit: 100), _boot.BootId)
            .Select(r => r.Id)
            .ToList();
        Assert.Equal(11, left.Count);
        Assert.Contains("run-03", left); // never ended: kept regardless of count
        Assert.Contains("run-29", left);
        Assert.DoesNotContain("run-19", left);
        Assert.False(store.PruneDue(DateTimeOffset.UtcNow, TimeSpan.FromDays(1)));
    }

    [Fact]
    public void Last_sign_of_life_of_a_boot_includes_run_ends()
    {
        using var store = JournalStore.Open(_dir);
        var t = DateTimeOffset.UtcNow.AddHours(-2);
        store.RecordStart(Start("r", t), _boot);
        store.RecordEnd(End("r", t) with { Duration = TimeSpan.FromMinutes(30) });

        Assert.Equal(
            (t + TimeSpan.FromMinutes(30)).ToUnixTimeMilliseconds(),
            store.LastSeen(_boot.BootId)!.Value.ToUnixTimeMilliseconds()
        );
    }

    [Fact]
    public void Prune_drops_runs_older_than_the_retention_window()
    {
        using var store = JournalStore.Open(_dir);
        store.RecordStart(Start("old", DateTimeOffset.UtcNow.AddDays(-40)), _boot);
        store.RecordEnd(End("old", DateTimeOffset.UtcNow.AddDays(-40)));
        store.RecordStart(Start("new", DateTimeOffset.UtcNow.AddDays(-1)), _boot);
        store.RecordEnd(End("new", DateTimeOffset.UtcNow.AddDays(-1)));

        store.Prune(keepRuns: 10_000, keepDays: 30, DateTimeOffset.UtcNow);

        Assert.Equal(["new"], store.Find(new JournalQuery(), _boot.BootId).Select(r => r.Id));
    }

    [Fact]
    public void Reconcile_marks_a_run_whose_guard_pid_is_gone_and_leaves_a_live_one()
    {
        using var store = JournalStore.Open(_dir);
        var now = DateTimeOffset.UtcNow;
        store.RecordStart(Start("dead-guard", now) with { ReinPid = int.MaxValue - 7 }, _boot);
        var me = Rein.Processes.ProcessTables.Current.Read(Environment.ProcessId)!;
        store.RecordStart(
            Start("live-guard", now) with
            {
                ReinPid = Environment.ProcessId,
                ReinStartTime = me.StartTime,
            },
            _boot
        );

        var marked = store.Reconcile(_boot, Rein.Processes.ProcessTables.Current, now);

        Assert.Equal(["dead-guard"], marked.Select(r => r.Id));
        Assert.Equal(RunState.Running, store.Get("live-guard")!.State);
        Assert.Equal(UncleanReasons.GuardVanished, store.Get("dead-guard")!.UncleanReason);
    }

    [Fact]
    public void Reused_guard_pid_is_told_apart_by_its_start_time()
    {
        using var store = JournalStore.Open(_dir);
        var now = DateTimeOffset.UtcNow;
        // Our own pid, but a different start time: the pid was reused by another process.
        store.RecordStart(
            Start("reused", now) with
            {
                ReinPid = Environment.ProcessId,
                ReinStartTime = 12345,
            },
            _boot
        );

        Assert.Single(store.Reconcile(_boot, Rein.Processes.ProcessTables.Current, now));
    }

    [Fact]
    public void Spool_import_takes_whole_lines_is_idempotent_and_keeps_open_runs_spooled()
    {
        var spool = JournalSpool.Directory(_dir);
        Directory.CreateDirectory(spool);
        var now = DateTimeOffset.UtcNow;
        var me = Rein.Processes.ProcessTables.Current.Read(Environment.ProcessId)!;
        // A finished run, with a torn line after its end (a write cut short by a crash).
        File.WriteAllText(
            JournalSpool.FileFor(_dir, "done"),
            JournalSpool.StartLine(Start("done", now), _boot)
                + JournalSpool.ChildLine(42, 7, 42)
                + JournalSpool.EndLine(End("done", now) with { ExitCode = 3 })
                + "{\"t\":\"end\",\"outc"
        );
        // A run still going (its guard is this test process).
        File.WriteAllText(
            JournalSpool.FileFor(_dir, "live"),
            JournalSpool.StartLine(
                Start("live", now) with
                {
                    ReinPid = Environment.ProcessId,
                    ReinStartTime = me.StartTime,
                },
                _boot
            )
        );

        using (var store = JournalStore.Open(_dir))
        {
            var done = store.Get("done")!;
            Assert.Equal(RunState.Ended, done.State);
            Assert.Equal(3, done.ExitCode);
            Assert.Equal(42, done.ChildPid);
            Assert.Equal(RunState.Running, store.Get("live")!.State);
            Assert.Equal(0, store.ImportSpool(spool) - 1); // only the live run's file is left to read again
        }

        Assert.False(File.Exists(JournalSpool.FileFor(_dir, "done")));
        Assert.True(File.Exists(JournalSpool.FileFor(_dir, "live")));
        using var again = JournalStore.Open(_dir);
        Assert.Equal(2, again.Count());
    }

    /// <summary>The growth warning reaches the journal while the run is alive (its own spool line), and the end
    /// keeps it with whether it stopped the run; a run without one has none.</summary>
    [Fact]
    public void Spool_growth_line_is_in_the_journal_while_the_run_lives_and_the_end_keeps_it()
    {
        Directory.CreateDirectory(JournalSpool.Directory(_dir));
        var now = DateTimeOffset.UtcNow;
        var me = Rein.Processes.ProcessTables.Current.Read(Environment.ProcessId)!;
        var warning = new GrowthWarning(
            TimeSpan.FromMilliseconds(1500),
            134_217_728.6,
            1L << 30,
            4L << 30,
            "memory",
            TimeSpan.FromSeconds(23.2)
        );
        var file = JournalSpool.FileFor(_dir, "leak");
        File.WriteAllText(
            file,
            JournalSpool.StartLine(
                Start("leak", now) with
                {
                    ReinPid = Environment.ProcessId,
                    ReinStartTime = me.StartTime,
                },
                _boot
            ) + JournalSpool.GrowthLine(warning)
        );
        File.WriteAllText(
            JournalSpool.FileFor(_dir, "flat"),
            JournalSpool.StartLine(Start("flat", now), _boot)
                + JournalSpool.EndLine(End("flat", now))
        );

        using (var store = JournalStore.Open(_dir))
        {
            var live = store.Get("leak")!;
            Assert.Equal(RunState.Running, live.State);
            Assert.Equal(
                new Rein.Documents.GrowthDocument(
                    1500,
                    134_217_728,
                    1L << 30,
                    "memory",
                    4L << 30,
                    24,
                    false
                ),
                live.Growth
            );
            Assert.Null(store.Get("flat")!.Growth);
        }

        File.AppendAllText(
            file,
            JournalSpool.EndLine(
                End("leak", now) with
                {
                    Outcome = RunOutcome.MemoryExceeded,
                    Growth = warning,
                    StoppedForGrowth = true,
                }
            )
        );
        using var after = JournalStore.Open(_dir);
        var ended = after.Get("leak")!;
        Assert.Equal(RunState.Ended, ended.State);
        Assert.Equal(
            new Rein.Documents.GrowthDocument(
                1500,
                134_217_728,
                1L << 30,
                "memory",
                4L << 30,
                24,
                true
            ),
            ended.Growth
        );
    }

    [Fact]
    public void Spool_file_of_a_vanished_guard_is_imported_as_unclean_and_removed()
    {
        Directory.CreateDirectory(JournalSpool.Directory(_dir));
        File.WriteAllText(
            JournalSpool.FileFor(_dir, "gone"),
            JournalSpool.StartLine(Start("gone", DateTimeOffset.UtcNow), _boot)
        );

        using (var store = JournalStore.Open(_dir))
        {
            store.Reconcile(_boot, Rein.Processes.ProcessTables.Current, DateTimeOffset.UtcNow);
            Assert.Equal(RunState.Unclean, store.Get("gone")!.State);
        }

        using (JournalStore.Open(_dir)) { }

        Assert.False(File.Exists(JournalSpool.FileFor(_dir, "gone")));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
