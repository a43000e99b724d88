using System.Diagnostics;
using System.Diagnostics.Metrics;
using Rein.Running;

namespace Rein.Tests.Running;

/// <summary>A .NET host's own OpenTelemetry pipeline (issue 26): with a listener on the "Rein" ActivitySource and
/// Meter, each <see cref="GuardedRun"/> is an Activity with the run's verdict, and rein.runs / rein.run.duration
/// are recorded. Listeners see every run in the test process: the test's own run is found by its run id.</summary>
public sealed class RunTelemetryTests : RunTestBase
{
    [Fact]
    public async Task A_guarded_run_is_an_activity_and_is_counted_by_outcome()
    {
        var spec = new RunSpec { Command = ["/bin/sh", "-c", "exit 3", Marker] };
        var activities = new List<Activity>();
        var counted = new List<(string Instrument, double Value, string? Outcome)>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == RunTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) =>
                ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (activities)
                {
                    activities.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(activityListener);
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == RunTelemetry.Name)
                {
                    l.EnableMeasurementEvents(i);
                }
            },
        };
        void Record(Instrument i, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? outcome = null;
            foreach (var t in tags)
            {
                if (t.Key == "outcome")
                {
                    outcome = t.Value as string;
                }
            }

            lock (counted)
            {
                counted.Add((i.Name, value, outcome));
            }
        }

        meterListener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        meterListener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        meterListener.Start();

        var verdict = await new GuardedRun(
            spec,
            new GuardedRunOptions { StateDirectory = Home }
        ).RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(3, verdict.ExitCode);
        Activity run;
        lock (activities)
        {
            run = Assert.Single(
                activities,
                a => (string?)a.GetTagItem("rein.run.id") == spec.RunId
            );
        }

        Assert.Equal("rein run sh", run.DisplayName);
        Assert.Equal("exited", run.GetTagItem("rein.outcome"));
        Assert.Equal(3, run.GetTagItem("process.exit.code"));
        Assert.Equal(ActivityStatusCode.Error, run.Status);
        Assert.DoesNotContain(run.TagObjects, t => t.Value?.ToString()?.Contains(Marker) == true);
        lock (counted)
        {
            Assert.Contains(
                counted,
                c => c.Instrument == "rein.runs" && c.Value == 1 && c.Outcome == "exited"
            );
            Assert.Contains(counted, c => c.Instrument == "rein.run.duration" && c.Value >= 0);
        }
    }
}
