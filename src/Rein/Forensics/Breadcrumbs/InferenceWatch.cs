using Rein.Journal;
using Rein.Processes;

namespace Rein.Forensics.Breadcrumbs;

/// <summary>Hang detection over the journal's breadcrumbs: open PREs whose caller still lives past the threshold
/// (in flight), and open PREs whose caller is gone (died mid-inference). Used by <c>rein ps</c> and
/// <c>rein doctor</c>.</summary>
public static class InferenceWatch
{
    /// <summary>The built-in threshold (setting <c>inference.hang_after</c>).</summary>
    public static readonly TimeSpan DefaultHangAfter = TimeSpan.FromSeconds(90);

    /// <summary>Classifies <paramref name="openPres"/> at <paramref name="now"/>.</summary>
    public static List<OpenInference> Classify(
        IEnumerable<Breadcrumb> openPres,
        IProcessTable table,
        DateTimeOffset now,
        TimeSpan hangAfter
    ) =>
        [
            .. openPres.Select(p =>
            {
                var age = now - p.At;
                var state =
                    !Caller.IsAlive(table, p.Pid, p.PidStart) ? InferenceState.Died
                    : age >= hangAfter ? InferenceState.InFlight
                    : InferenceState.Running;
                return new OpenInference(p, state, age < TimeSpan.Zero ? TimeSpan.Zero : age);
            }),
        ];

    /// <summary>How far back an inference still in flight is looked for: a hang is news however old it is, within
    /// what the journal keeps.</summary>
    public static readonly TimeSpan InFlightHorizon = TimeSpan.FromDays(30);

    /// <summary>What to report: in-flight inferences of any age (up to <see cref="InFlightHorizon"/>), and deaths
    /// mid-inference of the last <paramref name="window"/> (the journal keeps older ones). Oldest first.</summary>
    public static List<OpenInference> Find(
        JournalStore store,
        IProcessTable table,
        DateTimeOffset now,
        TimeSpan hangAfter,
        TimeSpan window
    ) =>
        [
            .. Classify(
                    store.OpenPres(now - (window > InFlightHorizon ? window : InFlightHorizon)),
                    table,
                    now,
                    hangAfter
                )
                .Where(i =>
                    i.State == InferenceState.InFlight
                    || (i.State == InferenceState.Died && i.Age <= window)
                ),
        ];
}
