using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Rein.Running;

/// <summary>
/// What a .NET host's own OpenTelemetry pipeline sees of the runs it guards with <see cref="GuardedRun"/>: one
/// <see cref="Activity"/> per run on the <see cref="ActivitySource"/> named <see cref="Name"/>, and on the
/// <see cref="Meter"/> of the same name the counter <c>rein.runs</c> (by <c>outcome</c>) and the histogram
/// <c>rein.run.duration</c> (s). Listen with <c>AddSource("Rein")</c> and <c>AddMeter("Rein")</c>; without a
/// listener nothing is recorded. The attributes are the exported spans' (docs/manual/team.md), never an
/// environment value or an argument.
/// </summary>
public static class RunTelemetry
{
    public const string Name = "Rein";

    static readonly ActivitySource s_source = new(Name);
    static readonly Meter s_meter = new(Name);
    static readonly Counter<long> s_runs = s_meter.CreateCounter<long>(
        "rein.runs",
        "{run}",
        "finished guarded runs, by outcome"
    );
    static readonly Histogram<double> s_duration = s_meter.CreateHistogram<double>(
        "rein.run.duration",
        "s",
        "how long runs took"
    );

    internal static Activity? Start(RunSpec spec)
    {
        var program = spec.Command.Count > 0 ? Path.GetFileName(spec.Command[0]) : "";
        var activity = s_source.StartActivity($"rein run {program}");
        activity?.SetTag("rein.run.id", spec.RunId);
        activity?.SetTag("process.executable.name", program);
        activity?.SetTag("rein.lock", spec.LockLabel);
        activity?.SetTag("rein.model", spec.ModelLabel);
        return activity;
    }

    internal static void End(Activity? activity, RunVerdict verdict)
    {
        var outcome = verdict.Outcome.ToWire();
        s_runs.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        if (verdict.Outcome != RunOutcome.Refused)
        {
            s_duration.Record(verdict.Duration.TotalSeconds);
        }

        if (activity is null)
        {
            return;
        }

        activity.SetTag("rein.outcome", outcome);
        activity.SetTag("process.exit.code", verdict.ExitCode);
        activity.SetTag("rein.signal", verdict.Signal);
        activity.SetTag("rein.exit_code", verdict.ReinExitCode);
        activity.SetTag("rein.peak_memory_bytes", verdict.PeakRssBytes);
        activity.SetTag("rein.refusal.code", verdict.Refusal?.Code);
        activity.SetTag("rein.processes_killed", verdict.PidsKilled.Count);
        var failed = verdict.Outcome != RunOutcome.Exited || verdict.ExitCode is not (null or 0);
        activity.SetStatus(
            failed ? ActivityStatusCode.Error : ActivityStatusCode.Ok,
            failed ? outcome : null
        );
    }
}
