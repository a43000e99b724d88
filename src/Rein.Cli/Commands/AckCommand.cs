using System.CommandLine;
using Rein.Config;
using Rein.Forensics.Panics;
using Rein.Running;

namespace Rein.Cli.Commands;

/// <summary><c>rein ack [--json]</c>: a person acknowledges the panics behind a lockout; model runs may start
/// again for <c>panic_gate.ack_valid</c> (24h), unless a newer panic voids it.</summary>
internal static class AckCommand
{
    public static Command Build()
    {
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document (schema rein.ack/1)",
        };
        var cmd = new Command(
            "ack",
            "Acknowledge the kernel panics behind a panic-gate lockout (look at them first: rein panics). The "
                + "acknowledgement lifts the lockout for 24h (panic_gate.ack_valid); any newer panic voids it. "
                + "Cooldowns still run out by themselves. With no lockout there is nothing to acknowledge (exit 0)."
        )
        {
            json,
        };
        cmd.SetAction(parse =>
        {
            var config = CliConfig.Load(new Dictionary<string, (string, string)>());
            var policy = PanicGatePolicy.FromConfig(config);
            using var store = JournalAccess.Open("ack");
            if (store is null)
            {
                return ExitCodes.Findings;
            }

            var boot = JournalAccess.Boot;
            JournalAccess.Reconcile(store, boot);
            var now = DateTimeOffset.UtcNow;
            var before = PanicGateCheck.Run(
                store,
                PanicGateAccess.Sources,
                boot.BootId,
                policy,
                now
            );
            foreach (var p in before.Problems)
            {
                Console.Error.WriteLine($"rein ack: WARNING: {p}");
            }

            var v = before.Verdict;
            var recorded = false;
            string message;
            PanicGateVerdict after = v;
            if (v.State == PanicGateState.Lockout)
            {
                store.AddPanicAck(now, Rein.Processes.Posix.CurrentUser.Name);
                recorded = true;
                after = PanicGateCheck
                    .Run(store, PanicGateAccess.Sources, boot.BootId, policy, now)
                    .Verdict;
                // The gate is asked again after recording: the message says what it says now, never a lift
                // that did not happen.
                var panicsText = string.Join(
                    "; ",
                    v.Panics.Select(p => $"{PanicGateAccess.Local(p.Time)} {p.SignatureClass}")
                );
                message =
                    after.State == PanicGateState.Lockout
                        ? $"recorded the acknowledgement of {v.Panics.Count} panic(s) ({panicsText}), but the lockout still stands ({after.Rule}"
                            + (
                                after.Until is { } still
                                    ? $", lifts by itself at {PanicGateAccess.Local(still)})"
                                    : ")"
                            )
                            + ": see rein gate"
                        : $"acknowledged {v.Panics.Count} panic(s) ({panicsText}): "
                            + $"the lockout is lifted until {PanicGateAccess.Local(now + policy.AckValid)} (a newer panic voids it); "
                            + $"without the acknowledgement it would have lifted at {PanicGateAccess.Local(v.Until!.Value)}";
                if (after.State == PanicGateState.Cooldown)
                {
                    message +=
                        $". A cooldown still applies until {PanicGateAccess.Local(after.Until!.Value)} ({after.Rule}); it ends by itself";
                }
            }
            else if (v.Ack is { } ack)
            {
                message =
                    $"nothing new to acknowledge: the lockout was acknowledged at {PanicGateAccess.Local(ack.At)} by {ack.User}, valid until {PanicGateAccess.Local(v.AckValidUntil!.Value)}";
            }
            else
            {
                message =
                    v.State == PanicGateState.Cooldown
                        ? $"nothing to acknowledge: no lockout. A cooldown ({v.Rule}) runs until {PanicGateAccess.Local(v.Until!.Value)}; rein ack does not shorten it"
                        : "nothing to acknowledge: the panic gate is clear";
            }

            if (parse.GetValue(json))
            {
                WriteJson(recorded, now, policy, v, after, message);
            }
            else
            {
                Console.WriteLine($"rein ack: {message}");
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }

    static void WriteJson(
        bool recorded,
        DateTimeOffset now,
        PanicGatePolicy policy,
        PanicGateVerdict before,
        PanicGateVerdict after,
        string message
    ) =>
        Rendering.DocumentOutput.Print(
            Documents.AckDocument.From(recorded, now, policy.AckValid, before, after, message),
            Documents.ReinJsonContext.Readable.AckDocument
        );
}
