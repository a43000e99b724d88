using Rein.Forensics.Breadcrumbs;
using Rein.Journal;
using Rein.Processes;
using Rein.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Forensics.Breadcrumbs;

/// <summary>Breadcrumb files → journal: nothing lost however many, nothing repeated, files removed once finished,
/// pruned with their runs. Real files and a real SQLite journal.</summary>
public sealed class BreadcrumbJournalTests : IDisposable
{
    readonly string _home = Directory.CreateTempSubdirectory("rein-crumbs-").FullName;
    readonly BootIdentity _boot = new("test-boot", null);

    static readonly (int Pid, ulong Start) Me = Caller.Self(ProcessTables.Current);

    Breadcrumb Crumb(
        BreadcrumbKind kind,
        string run,
        string? note = null,
        string model = "org/model"
    ) => new(DateTimeOffset.UtcNow, kind, model, Me.Pid, Me.Start, run, note);

    [Fact]
    public void Six_thousand_breadcrumbs_of_one_run_are_all_journaled_past_one_MiB()
    {
        var run = "crumbs-" + Guid.NewGuid().ToString("N")[..12];
        // Notes make each line ~250 bytes: 6,000 lines are about 1.5 MiB, past any 1 MiB read.
        var pad = new string('x', 160);
        Parallel.For(
            0,
            6_000,
            new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i =>
                BreadcrumbWriter.Append(
                    _home,
                    Crumb(i % 2 == 0 ? BreadcrumbKind.Pre : BreadcrumbKind.Post, run, $"n{i} {pad}")
                )
        );
        var file = Path.Combine(BreadcrumbFiles.Directory(_home), $"run-{run}.crumbs");
        Assert.True(new FileInfo(file).Length > 1024 * 1024);

        using (var store = JournalStore.Open(_home))
        {
            Assert.Equal(6_000, store.BreadcrumbCount(run));
            var notes = store.BreadcrumbsOfRun(run).Select(b => b.Note!.Split(' ')[0]).ToHashSet();
            Assert.Equal(6_000, notes.Count);
        }

        // More lines later: only the new ones are added (the import continues where it stopped).
        BreadcrumbWriter.Append(_home, Crumb(BreadcrumbKind.Pre, run, "late"));
        using (var again = JournalStore.Open(_home))
        {
            Assert.Equal(6_001, again.BreadcrumbCount(run));
            Assert.Equal("late", again.LastBreadcrumbsOfRun(run, 1)[0].Note);
        }
    }

    [Fact]
    public void A_line_cut_short_waits_and_a_file_is_deleted_once_its_run_ended()
    {
        var run = "cut-" + Guid.NewGuid().ToString("N")[..12];
        BreadcrumbWriter.Append(_home, Crumb(BreadcrumbKind.Pre, run));
        var file = Path.Combine(BreadcrumbFiles.Directory(_home), $"run-{run}.crumbs");
        File.AppendAllText(file, """{"at":1,"kind":"post","mod""");
        using (var store = JournalStore.Open(_home))
        {
            Assert.Equal(1, store.BreadcrumbCount(run));
            Assert.True(File.Exists(file)); // the run is unknown and recent: more may come
            store.RecordStart(
                new RunStart(
                    run,
                    ["w"],
                    "/tmp",
                    "me",
                    999_999,
                    1,
                    DateTimeOffset.UtcNow,
                    null,
                    null
                ),
                _boot
            );
        }

        File.AppendAllText(
            file,
            $"el\":\"org/model\",\"pid\":1,\"pid_start\":2,\"run\":\"{run}\"}}\n"
        );
        using (var store = JournalStore.Open(_home))
        {
            Assert.Equal(2, store.BreadcrumbCount(run));
            store.RecordEnd(
                new RunVerdict
                {
                    RunId = run,
                    Outcome = RunOutcome.Exited,
                    ExitCode = 0,
                    Duration = TimeSpan.FromSeconds(1),
                    StartedAt = DateTimeOffset.UtcNow,
                }
            );
        }

        using (var store = JournalStore.Open(_home))
        {
            Assert.False(File.Exists(file));
            Assert.Equal(2, store.BreadcrumbCount(run));
        }
    }

    [Fact]
    public void A_dead_callers_file_is_journaled_by_pid_and_removed()
    {
        // A caller that is gone: pid 1 with a start time it never had.
        var gone = new Breadcrumb(
            DateTimeOffset.UtcNow,
            BreadcrumbKind.Pre,
            "org/m",
            1,
            12345,
            null,
            "orphan"
        );
        BreadcrumbWriter.Append(_home, gone);
        var file = Path.Combine(BreadcrumbFiles.Directory(_home), "pid-1-12345.crumbs");
        Assert.True(File.Exists(file));
        using var store = JournalStore.Open(_home);
        Assert.False(File.Exists(file));
        var found = store.BreadcrumbsBetween(
            DateTimeOffset.UtcNow.AddMinutes(-1),
            DateTimeOffset.UtcNow
        );
        Assert.Contains(
            found,
            b => b.Pid == 1 && b.PidStart == 12345 && b.RunId is null && b.Note == "orphan"
        );
        Assert.Contains(
            store.OpenPres(DateTimeOffset.UtcNow.AddMinutes(-1)),
            b => b.Note == "orphan"
        );
    }

    [Fact]
    public void A_file_made_again_under_an_imported_name_is_read_from_its_start()
    {
        var run = "again-" + Guid.NewGuid().ToString("N")[..12];
        for (var i = 0; i < 3; i++)
        {
            BreadcrumbWriter.Append(_home, Crumb(BreadcrumbKind.Pre, run, $"first{i}"));
        }

        using (var store = JournalStore.Open(_home))
        {
            Assert.Equal(3, store.BreadcrumbCount(run));
        }

        File.Delete(Path.Combine(BreadcrumbFiles.Directory(_home), $"run-{run}.crumbs"));
        BreadcrumbWriter.Append(_home, Crumb(BreadcrumbKind.Post, run, "second"));
        using (var store = JournalStore.Open(_home))
        {
            Assert.Equal(4, store.BreadcrumbCount(run));
            Assert.Equal("second", store.LastBreadcrumbsOfRun(run, 1)[0].Note);
        }
    }

    [Fact]
    public void Breadcrumbs_are_pruned_with_their_runs()
    {
        var old = "old-" + Guid.NewGuid().ToString("N")[..12];
        var kept = "kept-" + Guid.NewGuid().ToString("N")[..12];
        using var store = JournalStore.Open(_home);
        foreach (
            var (id, at) in new[]
            {
                (old, DateTimeOffset.UtcNow.AddDays(-40)),
                (kept, DateTimeOffset.UtcNow),
            }
        )
        {
            store.RecordStart(
                new RunStart(id, ["w"], "/tmp", "me", 999_999, 1, at, null, null),
                _boot
            );
            BreadcrumbWriter.Append(_home, Crumb(BreadcrumbKind.Pre, id));
        }

        store.ImportBreadcrumbs(_home, ProcessTables.Current);
        Assert.Equal(1, store.BreadcrumbCount(old));
        store.Prune(keepRuns: 10_000, keepDays: 30, DateTimeOffset.UtcNow);
        Assert.Equal(0, store.BreadcrumbCount(old));
        Assert.Equal(1, store.BreadcrumbCount(kept));
    }

    [Fact]
    public void Files_are_private_and_a_planted_link_is_refused()
    {
        var run = "link-" + Guid.NewGuid().ToString("N")[..12];
        BreadcrumbWriter.Append(_home, Crumb(BreadcrumbKind.Pre, run));
        var folder = BreadcrumbFiles.Directory(_home);
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(folder)
        );
        Assert.Equal(
            UnixFileMode.UserRead | UnixFileMode.UserWrite,
            File.GetUnixFileMode(Path.Combine(folder, $"run-{run}.crumbs"))
        );

        var target = Path.Combine(_home, "target");
        File.WriteAllText(target, "");
        var planted = "planted-" + Guid.NewGuid().ToString("N")[..8];
        File.CreateSymbolicLink(Path.Combine(folder, $"run-{planted}.crumbs"), target);
        Assert.ThrowsAny<IOException>(() =>
            BreadcrumbWriter.Append(_home, Crumb(BreadcrumbKind.Pre, planted))
        );
        Assert.Equal("", File.ReadAllText(target));
    }

    [Fact]
    public void A_run_id_that_could_name_a_path_is_refused()
    {
        Assert.NotNull(BreadcrumbFiles.RunIdProblem("../../etc/x"));
        Assert.Null(BreadcrumbFiles.RunIdProblem(RunSpec.NewRunId()));
        Assert.Throws<ArgumentException>(() =>
            BreadcrumbWriter.Append(_home, Crumb(BreadcrumbKind.Pre, "../x"))
        );
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException) { }
    }
}
