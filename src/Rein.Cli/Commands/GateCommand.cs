using System.CommandLine;
using Rein.Cli.Rendering;
using Rein.Config;
using Rein.Forensics.Panics;
using Rein.Running;

namespace Rein.Cli.Commands;

/// <summary><c>rein gate [--json]</c>: the panic gate's verdict now, without running anything.</summary>
internal static class GateCommand
{
    public static Command Build()
    {
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document (schema rein.gate/1)",
        };
        var cmd = new Command(
            "gate",
            "The panic gate's verdict now, as `rein run --model` and `rein cadence acquire` would meet it: exit 0 clear, "
                + "75 blocked (with the reason, the panics and when it lifts). The staircase: 1 panic in the last 24h → "
                + "2h cooldown from it; 2 panics within 1h → 1h cooldown from the second; 2 in 24h or 3 in 72h → lockout "
                + "until `rein ack` (lifts by itself 72h after its earliest panic). Thresholds: panic_gate.* in rein.toml; "
                + "REIN_PANIC_GATE=off disables it. A person's hold (`rein gate hold`) refuses every model load until "
                + "it lifts or `rein gate release`.\n\nExamples:\n  rein gate\n  rein gate --json\n"
                + "  rein gate hold 6h --reason \"panic #10, waiting for the driver fix\"\n  rein gate release"
        )
        {
            json,
            GateHoldCommand.BuildHold(),
            GateHoldCommand.BuildRelease(),
        };
        cmd.SetAction(parse =>
        {
            var config = CliConfig.LoadForReading();
            var now = DateTimeOffset.UtcNow;
            // A person's hold outranks the staircase (and the panic gate's kill switch).
            if (GateHoldCommand.Current(now) is { } hold)
            {
                return GateHoldCommand.ReportHeld(parse.GetValue(json), hold, now);
            }

            if (!config.Flag(Settings.PanicGateEnabled))
            {
                return Report(
                    parse.GetValue(json),
                    "off",
                    null,
                    [],
                    now,
                    $"the panic gate is off ({config[Settings.PanicGateEnabled].Source})"
                );
            }

            PanicGateReport report;
            try
            {
                report = PanicGateAccess.Check(config, now);
            }
            catch (Exception e)
                when (e
                        is Journal.JournalException
                            or Microsoft.Data.Sqlite.SqliteException
                            or IOException
                            or UnauthorizedAccessException
                            or StateDirectoryException
                )
            {
                Console.Error.WriteLine(
                    $"rein gate: WARNING: the panic gate failed ({e.Message}); runs proceed unchecked (fail-open)"
                );
                return Report(
                    parse.GetValue(json),
                    "failed",
                    null,
                    [e.Message],
                    now,
                    "the gate failed; runs proceed unchecked (fail-open)"
                );
            }

            foreach (var p in report.Problems)
            {
                Console.Error.WriteLine(
                    $"rein gate: WARNING: {p} (fail-open: decided on what could be read)"
                );
            }

            var v = report.Verdict;
            var text =
                v.State == PanicGateState.Clear
                    ? Clear(v, report)
                    : "blocked: "
                        + RefusalText.Sentence(PanicGate.ToRefusal(v, [], now), now, false);
            return Report(
                parse.GetValue(json),
                v.State.ToString().ToLowerInvariant(),
                v,
                report.Problems,
                now,
                text
            );
        });
        return cmd;
    }

    static string Clear(PanicGateVerdict v, PanicGateReport report)
    {
        if (v.Ack is { } ack && v.AckedLockout is { } lockout)
        {
            return $"clear: the lockout ({lockout.Panics.Count} panic(s)) was acknowledged at {PanicGateAccess.Local(ack.At)} "
                + $"by {ack.User}; the acknowledgement holds until {PanicGateAccess.Local(v.AckValidUntil!.Value)} or a newer panic";
        }

        return report.Recent.Count == 0
            ? "clear: no kernel panics on record"
            : $"clear: {report.Recent.Count} panic(s) on record, none in force (latest {PanicGateAccess.Local(report.Recent[^1].Panic.Time)})";
    }

    static int Report(
        bool json,
        string state,
        PanicGateVerdict? v,
        IReadOnlyList<string> problems,
        DateTimeOffset now,
        string text
    )
    {
        var blocked = v is not null && v.State != PanicGateState.Clear;
        if (!json)
        {
            Console.WriteLine($"rein gate: {text}");
            return blocked ? ExitCodes.TryLater : ExitCodes.Ok;
        }

        DocumentOutput.Print(
            Documents.GateDocument.FromVerdict(state, v, problems, now, text),
            Documents.ReinJsonContext.Readable.GateDocument
        );
        return blocked ? ExitCodes.TryLater : ExitCodes.Ok;
    }
}
