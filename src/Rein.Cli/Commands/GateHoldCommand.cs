using System.CommandLine;
using Rein.Cli.Rendering;
using Rein.Config;
using Rein.Models;
using Rein.Running;
using Rein.Running.Gates;

namespace Rein.Cli.Commands;

/// <summary><c>rein gate hold DUR --reason TEXT</c> / <c>rein gate release</c>: a person's hold on every model load,
/// and the hold as <c>rein gate</c> shows it. Parse, call <see cref="LoadHoldStore"/>, render.</summary>
internal static class GateHoldCommand
{
    static LoadHoldStore Store => new(JournalAccess.StateDir);

    public static Command BuildHold()
    {
        var duration = new Argument<string>("DURATION")
        {
            Description = "How long loads stay held: 90m, 6h, 2d (at most 30 days)",
        };
        var reason = new Option<string>("--reason")
        {
            Description = "Why, in words: shown to every refused load (required)",
            Required = true,
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document (schema rein.gate/1)",
        };
        var cmd = new Command(
            "hold",
            "Refuse every model load (`rein run --model`, `rein cadence acquire`, the Python API) until DURATION has "
                + "passed or `rein gate release`: exit 75 with the reason, who set it and when it lifts. Setting it "
                + "again replaces it.\n\nExamples:\n  rein gate hold 6h --reason \"panic #10; waiting for the "
                + "driver fix\"\n  rein gate hold 30m --reason \"benchmarking, keep the GPU idle\" --json"
        )
        {
            duration,
            reason,
            json,
        };
        cmd.SetAction(parse =>
        {
            var text = parse.GetValue(duration) ?? "";
            if (!DurationParser.TryParse(text, out var d, out var error))
            {
                return Usage($"hold: {error}");
            }

            if (d <= TimeSpan.Zero || d > LoadHold.Longest)
            {
                return Usage(
                    $"hold: '{text}' is not a hold length (more than 0s, at most {LoadHold.Longest.TotalDays:0}d)"
                );
            }

            var why = (parse.GetValue(reason) ?? "").Trim();
            if (why.Length == 0)
            {
                return Usage("hold: --reason must say why (it is shown to every refused load)");
            }

            var now = DateTimeOffset.UtcNow;
            var hold = Store.Set(now, d, why, Rein.Processes.Posix.CurrentUser.Name);
            if (!parse.GetValue(json))
            {
                Console.WriteLine(
                    $"rein gate: model loads held until {Local(hold.Until)} ({DurationParser.Format(d)}): {why}"
                );
                return ExitCodes.Ok;
            }

            return WriteJson(hold, now, $"model loads held until {Local(hold.Until)}");
        });
        return cmd;
    }

    public static Command BuildRelease()
    {
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document (schema rein.gate/1)",
        };
        var cmd = new Command(
            "release",
            "Lift a hold set with `rein gate hold` now. The panic gate's own cooldowns and lockouts stay (see "
                + "`rein gate`; a lockout lifts with `rein ack`).\n\nExamples:\n  rein gate release"
        )
        {
            json,
        };
        cmd.SetAction(parse =>
        {
            var now = DateTimeOffset.UtcNow;
            var released = Store.Release(now);
            var message = released is null
                ? "no hold was in force"
                : $"released the hold set by {released.User} ({released.Reason})";
            if (!parse.GetValue(json))
            {
                Console.WriteLine($"rein gate: {message}");
                return ExitCodes.Ok;
            }

            DocumentOutput.Print(
                Documents.GateReleaseDocument.From(released is not null, message),
                Documents.ReinJsonContext.Readable.GateReleaseDocument
            );
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>The hold in force now, or null; a hold file that cannot be used is said on stderr.</summary>
    public static LoadHold? Current(DateTimeOffset now)
    {
        var (hold, problem) = Store.Read(now);
        if (problem is not null)
        {
            Console.Error.WriteLine($"rein gate: WARNING: {problem}");
        }

        return hold;
    }

    /// <summary><c>rein gate</c> while a hold stands: blocked (75) with the hold's words.</summary>
    public static int ReportHeld(bool json, LoadHold hold, DateTimeOffset now)
    {
        var text =
            "blocked: " + RefusalText.Sentence(LoadHoldGate.ToRefusal(hold, [], now), now, false);
        if (!json)
        {
            Console.WriteLine($"rein gate: {text}");
            return ExitCodes.TryLater;
        }

        WriteJson(hold, now, text);
        return ExitCodes.TryLater;
    }

    static int WriteJson(LoadHold hold, DateTimeOffset now, string message)
    {
        DocumentOutput.Print(
            Documents.GateDocument.FromHold(hold, now, message),
            Documents.ReinJsonContext.Readable.GateDocument
        );
        return ExitCodes.Ok;
    }

    static string Local(DateTimeOffset t) => t.ToLocalTime().ToString("yyyy-MM-dd HH:mm");

    static int Usage(string message)
    {
        Console.Error.WriteLine($"rein gate {message}");
        return ExitCodes.BadUsage;
    }
}
