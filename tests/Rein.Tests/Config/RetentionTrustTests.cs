using Rein.Config;
using Rein.Journal;
using Rein.Running;

namespace Rein.Tests.Config;

/// <summary>Issue 20 item 4: retention is the user's to set, never a repository's; floors keep_days ≥ 1 and
/// keep_runs ≥ 100; a run whose guard may still live is never pruned by age.</summary>
public sealed class RetentionTrustTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("rein-retention-").FullName;

    string Repo => Path.Combine(_root, "repo");

    string UserFile => Path.Combine(_root, "user", "rein.toml");

    public RetentionTrustTests()
    {
        Directory.CreateDirectory(Path.Combine(Repo, ".git"));
        Directory.CreateDirectory(Path.GetDirectoryName(UserFile)!);
    }

    EffectiveConfig Load(Dictionary<string, string>? env = null) =>
        EffectiveConfig.Load(
            new Dictionary<string, (string, string)>(),
            k => env?.GetValueOrDefault(k),
            Repo,
            UserFile
        );

    [Fact]
    public void A_repository_rein_toml_cannot_set_retention()
    {
        File.WriteAllText(
            Path.Combine(Repo, "rein.toml"),
            "[journal]\nkeep_days = 0\nkeep_runs = 0\n[run]\ngrace = \"7s\"\n"
        );
        var c = Load();
        Assert.Equal(30, c.WholeNumber(Settings.JournalKeepDays));
        Assert.Equal(10_000, c.WholeNumber(Settings.JournalKeepRuns));
        Assert.Equal(ConfigSourceKind.Default, c[Settings.JournalKeepDays].Source.Kind);
        Assert.Equal(TimeSpan.FromSeconds(7), c.Duration(Settings.Grace)); // the rest of the file is obeyed
    }

    [Fact]
    public void The_users_own_file_sets_retention_but_not_below_the_floors()
    {
        File.WriteAllText(UserFile, "[journal]\nkeep_days = 0\nkeep_runs = 3\n");
        var c = Load();
        Assert.Equal(1, c.WholeNumber(Settings.JournalKeepDays));
        Assert.Equal(100, c.WholeNumber(Settings.JournalKeepRuns));
        Assert.Equal(ConfigSourceKind.UserFile, c[Settings.JournalKeepDays].Source.Kind);

        File.WriteAllText(UserFile, "[journal]\nkeep_days = 7\nkeep_runs = 500\n");
        c = Load(new() { ["REIN_JOURNAL_KEEP_DAYS"] = "0" });
        Assert.Equal(1, c.WholeNumber(Settings.JournalKeepDays));
        Assert.Equal(500, c.WholeNumber(Settings.JournalKeepRuns));
    }

    [Fact]
    public void A_run_whose_guard_may_live_is_never_pruned_by_age()
    {
        var boot = new BootIdentity("test-boot", null);
        using var store = JournalStore.Open(Path.Combine(_root, "state"));
        var old = DateTimeOffset.UtcNow.AddDays(-3);
        store.RecordStart(
            new RunStart("long", ["train"], "/tmp", "me", 999_999, 1, old, null, null),
            boot
        );
        store.RecordStart(
            new RunStart("ended", ["true"], "/tmp", "me", 999_998, 1, old, null, null),
            boot
        );
        store.RecordEnd(
            new RunVerdict
            {
                RunId = "ended",
                Outcome = RunOutcome.Exited,
                ExitCode = 0,
                Duration = TimeSpan.FromSeconds(1),
                StartedAt = old,
            }
        );

        store.Prune(keepRuns: 100, keepDays: 1, DateTimeOffset.UtcNow);

        Assert.Equal(["long"], store.Find(new JournalQuery(), boot.BootId).Select(r => r.Id));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
