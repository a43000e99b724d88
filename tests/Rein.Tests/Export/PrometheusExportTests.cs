using System.Diagnostics;
using Rein.Export;
using Rein.Journal;
using Rein.Running;
using Rein.Running.Gates;

namespace Rein.Tests.Export;

/// <summary>The journal's verdicts as Prometheus metrics: counted once, monotonic across pruning, in a text format
/// Prometheus accepts, with no run id or command line in it.</summary>
public sealed class PrometheusExportTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("rein-export-").FullName;
    readonly BootIdentity _boot = new("test-boot", null);
    readonly string _marker = $"marker-{Guid.NewGuid():N}";

    RunStart Start(string id, DateTimeOffset at) =>
        new(id, ["cmd", _marker, id], "/tmp", "me", 999_999, 1, at, null, null);

    void Finish(
        JournalStore store,
        string id,
        RunOutcome outcome,
        TimeSpan duration,
        long peak = 0,
        Refusal? refusal = null,
        DateTimeOffset? startedAt = null
    )
    {
        var at = startedAt ?? DateTimeOffset.UtcNow - duration;
        store.RecordStart(Start(id, at), _boot);
        store.RecordEnd(
            new RunVerdict
            {
                RunId = id,
                Outcome = outcome,
                ExitCode = outcome == RunOutcome.Exited ? 0 : null,
                Duration = duration,
                StartedAt = at,
                PeakRssBytes = peak,
                Refusal = refusal,
            }
        );
    }

    static Refusal Busy =>
        new()
        {
            Code = RefusalCodes.LockBusy,
            Gate = "lock",
            Subject = "gpu",
        };

    static string Sample(string text, string series) =>
        text.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal))[
            (series.Length + 1)..
        ];

    [Fact]
    public void Each_finished_run_is_counted_once_however_often_the_export_runs()
    {
        using var store = JournalStore.Open(_dir);
        Finish(store, "a", RunOutcome.Exited, TimeSpan.FromMilliseconds(50), peak: 10 << 20);
        Finish(store, "b", RunOutcome.TimedOut, TimeSpan.FromSeconds(2), peak: 100 << 20);

        var first = MetricsCollector.Collect(store);
        var again = MetricsCollector.Collect(store);
        Finish(store, "c", RunOutcome.Exited, TimeSpan.FromSeconds(30));
        var third = PrometheusText.Render(MetricsCollector.Collect(store));

        Assert.Equal(2, first.NewlyCounted);
        Assert.Equal(0, again.NewlyCounted);
        Assert.Equal(1, again.Totals.Runs["exited"]);
        Assert.Equal("2", Sample(third, "rein_runs_total{outcome=\"exited\"}"));
        Assert.Equal("1", Sample(third, "rein_runs_total{outcome=\"timed_out\"}"));
        Assert.Equal("0", Sample(third, "rein_runs_total{outcome=\"unclean\"}"));
        Assert.Equal("3", Sample(third, "rein_run_duration_seconds_count"));
        Assert.Equal("32.05", Sample(third, "rein_run_duration_seconds_sum"));
        Assert.Equal("1", Sample(third, "rein_run_duration_seconds_bucket{le=\"0.1\"}"));
        Assert.Equal("2", Sample(third, "rein_run_duration_seconds_bucket{le=\"10\"}"));
        Assert.Equal("3", Sample(third, "rein_run_duration_seconds_bucket{le=\"+Inf\"}"));
        Assert.Equal("1", Sample(third, "rein_run_peak_memory_bytes_bucket{le=\"16777216\"}"));
        Assert.Equal("2", Sample(third, "rein_run_peak_memory_bytes_bucket{le=\"268435456\"}"));
    }

    [Fact]
    public void Counters_never_go_down_when_retention_prunes_old_runs()
    {
        using var store = JournalStore.Open(_dir);
        for (var i = 0; i < 5; i++)
        {
            Finish(store, $"r{i}", RunOutcome.Exited, TimeSpan.FromSeconds(1));
        }

        MetricsCollector.Collect(store);
        store.Prune(keepRuns: 1, keepDays: 30, DateTimeOffset.UtcNow);
        Finish(store, "late", RunOutcome.Exited, TimeSpan.FromSeconds(1));

        var after = MetricsCollector.Collect(store);

        Assert.Equal(6, after.Totals.Runs["exited"]);
        Assert.Equal(6, after.Totals.Duration.Count);
    }

    [Fact]
    public void A_run_that_ended_before_the_last_export_but_was_written_after_it_is_still_counted()
    {
        using var store = JournalStore.Open(_dir);
        Finish(store, "now", RunOutcome.Exited, TimeSpan.FromSeconds(1));
        MetricsCollector.Collect(store);
        // Its end time is a minute before the cursor: a slow guard wrote the record late.
        Finish(
            store,
            "slow",
            RunOutcome.MemoryExceeded,
            TimeSpan.FromSeconds(1),
            startedAt: DateTimeOffset.UtcNow.AddMinutes(-1)
        );

        var after = MetricsCollector.Collect(store);

        Assert.Equal(1, after.NewlyCounted);
        Assert.Equal(1, after.Totals.Runs["memory_exceeded"]);
        Assert.Equal(1, after.Totals.Runs["exited"]);
    }

    [Fact]
    public void Refusals_are_counted_by_reason_and_stay_out_of_the_histograms()
    {
        using var store = JournalStore.Open(_dir);
        Finish(store, "x", RunOutcome.Refused, TimeSpan.Zero, refusal: Busy);
        Finish(store, "y", RunOutcome.Refused, TimeSpan.Zero, refusal: Busy);
        Finish(
            store,
            "z",
            RunOutcome.Refused,
            TimeSpan.Zero,
            refusal: Busy with
            {
                Code = "Bad \"code\"\nwith a run id",
            }
        );

        var text = PrometheusText.Render(MetricsCollector.Collect(store));

        Assert.Equal("3", Sample(text, "rein_runs_total{outcome=\"refused\"}"));
        Assert.Equal("2", Sample(text, "rein_refusals_total{reason=\"lock_busy\"}"));
        Assert.Equal("1", Sample(text, "rein_refusals_total{reason=\"other\"}"));
        Assert.Equal("0", Sample(text, "rein_run_duration_seconds_count"));
        Assert.Equal("0", Sample(text, "rein_run_peak_memory_bytes_count"));
    }

    [Fact]
    public void Runs_alive_counts_open_runs_and_unclean_ones_are_counted_as_unclean()
    {
        using var store = JournalStore.Open(_dir);
        // "open" is guarded by this very test process (alive); "gone" was recorded under another boot.
        var self = Rein.Processes.ProcessTables.Current.Read(Environment.ProcessId)!;
        store.RecordStart(
            Start("open", DateTimeOffset.UtcNow) with
            {
                ReinPid = Environment.ProcessId,
                ReinStartTime = self.StartTime,
            },
            _boot
        );
        store.RecordStart(
            Start("gone", DateTimeOffset.UtcNow.AddMinutes(-5)),
            new BootIdentity("old-boot", null)
        );
        store.Reconcile(_boot, Rein.Processes.ProcessTables.Current, DateTimeOffset.UtcNow);

        var snapshot = MetricsCollector.Collect(store);

        Assert.Equal(1, snapshot.RunsAlive);
        Assert.Equal(1, snapshot.Totals.Runs["unclean"]);
        Assert.Equal("rein_runs_alive 1", PrometheusText.Render(snapshot).Split('\n')[^2]);
    }

    [Fact]
    public void The_text_has_help_and_type_for_every_family_and_never_a_run_id_or_command()
    {
        using var store = JournalStore.Open(_dir);
        Finish(store, "run-id-secret", RunOutcome.Exited, TimeSpan.FromSeconds(3), peak: 1 << 30);
        Finish(store, "refused-id", RunOutcome.Refused, TimeSpan.Zero, refusal: Busy);

        var text = PrometheusText.Render(MetricsCollector.Collect(store));
        var lines = text.Split('\n');

        Assert.EndsWith("\n", text);
        Assert.DoesNotContain("run-id-secret", text);
        Assert.DoesNotContain(_marker, text);
        Assert.DoesNotContain("/tmp", text);
        var declared = new HashSet<string>();
        foreach (var line in lines.Where(l => l.Length > 0))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var name = line.Split(' ')[2];
                Assert.True(declared.Add(name), $"{name} declared twice");
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                Assert.Contains(line.Split(' ')[2], declared);
                continue;
            }

            var family = line.Split('{', ' ')[0];
            Assert.Contains(
                declared,
                d =>
                    family == d
                    || family is var f
                        && (f == d + "_bucket" || f == d + "_sum" || f == d + "_count")
            );
            Assert.DoesNotContain("  ", line);
            Assert.False(line.EndsWith(' '), $"trailing space: {line}");
        }

        Assert.Equal(
            [
                "rein_runs_total",
                "rein_refusals_total",
                "rein_panics_total",
                "rein_run_duration_seconds",
                "rein_run_peak_memory_bytes",
                "rein_runs_alive",
            ],
            declared
        );
        PromtoolAccepts(text);
    }

    [Fact]
    public void Label_values_and_numbers_are_written_as_the_format_requires()
    {
        Assert.Equal("a\\\\b\\\"c\\nd", PrometheusText.Escape("a\\b\"c\nd"));
        Assert.Equal("0.1", PrometheusText.Number(0.1));
        Assert.Equal("1E+20", PrometheusText.Number(1e20));
        Assert.Equal("+Inf", PrometheusText.Number(double.PositiveInfinity));
    }

    [Fact]
    public void Totals_saved_with_other_bounds_or_corrupt_start_again_instead_of_failing()
    {
        using var store = JournalStore.Open(_dir);
        Finish(store, "a", RunOutcome.Exited, TimeSpan.FromSeconds(1));
        store.SetMetaValue(MetricsCollector.StateKey, "{not json");

        var snapshot = MetricsCollector.Collect(store);

        Assert.Equal(1, snapshot.Totals.Runs["exited"]);
    }

    /// <summary>promtool (Debian's prometheus package) is the reference parser; where it is missing the structural
    /// checks above still run.</summary>
    static void PromtoolAccepts(string text)
    {
        var promtool = new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(
            File.Exists
        );
        if (promtool is null)
        {
            return;
        }

        var psi = new ProcessStartInfo(promtool, ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(text);
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"promtool check metrics: {output}");
        Assert.Equal("", output.Trim());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
