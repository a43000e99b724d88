using Rein.Config;
using Rein.Documents;
using Rein.Journal;
using Spectre.Console;

namespace Rein.Cli.Rendering;

/// <summary>Supervisions in <c>rein ps</c> (their state) and <c>rein journal</c> (incarnations grouped).</summary>
internal static class SuperviseRendering
{
    /// <summary>One line per live supervision under the ps table.</summary>
    public static void WriteSupervisions(
        IAnsiConsole console,
        IReadOnlyList<SupervisionStatusDocument> supervisions,
        DateTimeOffset now
    )
    {
        foreach (var s in supervisions)
        {
            var state = s.State switch
            {
                "running" => $"running incarnation {s.Incarnation}"
                    + (s.WorkerPid is { } pid ? $" (pid {pid}, run {s.RunId})" : ""),
                "backing_off" when s.BackoffUntil is { } until =>
                    $"backing off until {until.ToLocalTime():HH:mm:ss} (in {DurationParser.Format(until > now ? until - now : TimeSpan.Zero)})",
                "unkillable" => "unkillable: a worker survived SIGKILL; reboot needed",
                var other => other.Replace('_', ' '),
            };
            console.MarkupLine(
                Markup.Escape(
                    CommandText.Escape(
                        $"supervision {s.SupervisionId} (rein pid {s.ReinPid}, `{JournalRendering.Truncate(CommandText.Join(s.Command), 40)}`): {state}, {s.Restarts} restart(s)"
                    )
                )
            );
        }
    }

    /// <summary>Under the journal table: each supervision's incarnations in the listing, with why each restarted.</summary>
    public static void WriteGroups(IAnsiConsole console, IReadOnlyList<RunRecord> runs)
    {
        foreach (
            var group in runs.Where(r => r.Supervision is not null)
                .GroupBy(r => r.Supervision!.SupervisionId)
        )
        {
            var attempts = group.OrderBy(r => r.Supervision!.Attempt).ToList();
            var reasons = attempts
                .Where(r => r.Supervision!.RestartReason is not null)
                .Select(r => $"#{r.Supervision!.Attempt} after {r.Supervision.RestartReason}");
            var restarts = string.Join(", ", reasons);
            console.MarkupLine(
                Markup.Escape(
                    CommandText.Escape(
                        $"supervision {group.Key}: {attempts.Count} incarnation(s) listed (attempts {string.Join(", ", attempts.Select(r => r.Supervision!.Attempt))})"
                            + (restarts.Length > 0 ? $"; restarts: {restarts}" : "")
                    )
                )
            );
        }
    }
}
