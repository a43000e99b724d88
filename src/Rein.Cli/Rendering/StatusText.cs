using System.Globalization;
using Rein.Config;
using Rein.Status;
using Spectre.Console;

namespace Rein.Cli.Rendering;

/// <summary>The human <c>rein status</c>: one line a section, details indented under it.</summary>
internal static class StatusText
{
    public static void Write(IAnsiConsole console, StatusDocument s, TimeZoneInfo zone)
    {
        string Time(DateTimeOffset t) =>
            TimeZoneInfo.ConvertTime(t, zone).ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        void Line(string text) => console.WriteLine(CommandText.Escape(text));

        Line($"runs alive: {s.Runs.Count}");
        foreach (var r in s.Runs.Take(10))
        {
            Line(
                $"  {r.RunId}  {DurationParser.Format(TimeSpan.FromMilliseconds(r.AgeMs))}  {Short(r.Command)}"
            );
        }

        Line(
            s.Locks.Count == 0
                ? "locks: none"
                : "locks: "
                    + string.Join(
                        ", ",
                        s.Locks.Select(l =>
                            $"{l.Name} {l.Held}/{l.Slots} held, {l.Waiters} waiting"
                        )
                    )
        );
        Line($"model-load blocks: {(s.CadenceBlocks.Count == 0 ? "none" : s.CadenceBlocks.Count)}");
        foreach (var b in s.CadenceBlocks)
        {
            Line($"  {b.Scope}: until {Time(b.Until)} ({b.Rule}, after {b.After})");
        }

        Line(
            $"panic gate: {s.Gate.State}"
                + (s.Gate.Until is { } until ? $" until {Time(until)}" : "")
                + (s.Gate.Reason is { } reason ? $" ({reason})" : "")
        );
        Line($"supervisors: {s.Supervisors.Count}");
        foreach (var v in s.Supervisors)
        {
            Line($"  {v.SupervisionId}  {v.State}, {v.Restarts} restart(s)  {Short(v.Command)}");
        }

        Line(
            s.LastPanic is { } p
                ? $"last panic: {p.Time.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} {p.SignatureClass}"
                : "last panic: none recorded"
        );
    }

    static string Short(string command) => command.Length <= 48 ? command : command[..47] + "…";
}
