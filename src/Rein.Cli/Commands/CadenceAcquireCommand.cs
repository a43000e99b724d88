using System.CommandLine;
using System.Diagnostics;
using Rein.Cadence;
using Rein.Cli.Rendering;
using Rein.Config;
using Rein.Running;
using Rein.Running.Gates;

namespace Rein.Cli.Commands;

/// <summary><c>rein cadence acquire MODEL... [--wait [DUR]]</c>: the atomic check-and-mark before a load, for a
/// process that loads models itself; waits like a busy lock with <c>--wait</c>.</summary>
internal static class CadenceAcquireCommand
{
    public static Command Build()
    {
        var models = CadenceCommand.ModelsArgument("The model(s) about to be loaded");
        var wait = new Option<string?>("--wait")
        {
            Description =
                "Wait until the load is allowed, forever or up to DUR, instead of exiting 75",
            HelpName = "DUR",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var json = CadenceCommand.JsonOption("rein.cadence/1");
        var intervals = new CadenceCommand.Intervals();
        var cmd = new Command(
            "acquire",
            "Check and mark a model load in one atomic step: exit 0 = load now (recorded), 75 = not yet (the line says "
                + "which rule, against which earlier load, and how long is left). The holder is the calling process: if it "
                + "dies without `rein cadence release`, the load counts as released at the acquire."
        )
        {
            models,
            wait,
            json,
        };
        intervals.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var ids = parse.GetValue(models)!;
            if (CadenceCommand.Problem(ids) is { } bad)
            {
                return CadenceCommand.Usage($"acquire: {bad}");
            }

            TimeSpan? maxWait = null;
            if (parse.GetResult(wait) is not null)
            {
                var text = parse.GetValue(wait);
                if (string.IsNullOrEmpty(text))
                {
                    maxWait = Timeout.InfiniteTimeSpan;
                }
                else if (DurationParser.TryParse(text, out var w, out var error))
                {
                    maxWait = w;
                }
                else
                {
                    return CadenceCommand.Usage($"acquire --wait: {error}");
                }
            }

            var config = intervals.Config(parse);
            // A person's hold, then the panic gate (even with the cadence off), as for `rein run --model`: a refusal
            // exits 75, phrased the same way.
            var asked = new AdmissionContext(new RunSpec { Command = ids }, TimeProvider.System);
            if (
                (
                    PanicGateAccess.Hold(ids, "cadence").TryPass(asked).Refusal
                    ?? (PanicGateAccess.Gate(config, ids, "cadence")?.TryPass(asked).Refusal)
                ) is
                { } panicRefusal
            )
            {
                if (!parse.GetValue(json))
                {
                    Console.Error.WriteLine(
                        $"rein cadence: {RefusalText.Sentence(panicRefusal, DateTimeOffset.UtcNow, false)}"
                    );
                }

                return CadenceCommand.Report(
                    parse.GetValue(json),
                    "acquire",
                    ids,
                    panicRefusal,
                    null
                );
            }

            if (!config.Flag(Settings.CadenceEnabled))
            {
                Console.Error.WriteLine(
                    $"rein cadence: the cadence is off ({config[Settings.CadenceEnabled].Source}); not recorded"
                );
                return CadenceCommand.Report(parse.GetValue(json), "acquire", ids, null, null);
            }

            var guard = CadenceCommand.Guard(config);
            var token = Environment.GetEnvironmentVariable(RunSpec.RunIdVariable);
            var holder = CadenceHolder.ParentProcess(string.IsNullOrEmpty(token) ? null : token);
            var clock = Stopwatch.StartNew();
            CadenceBlock? block;
            using (var status = new StatusLine())
            {
                while ((block = guard.TryAcquire(ids, holder)) is not null)
                {
                    var left =
                        maxWait == Timeout.InfiniteTimeSpan
                            ? TimeSpan.MaxValue
                            : (maxWait ?? TimeSpan.Zero) - clock.Elapsed;
                    if (left <= TimeSpan.Zero)
                    {
                        break;
                    }

                    status.Show(RefusalText.Waiting(Refused(block, clock), DateTimeOffset.UtcNow));
                    // Until it clears, a second at most (the line stays current), and never past the wait.
                    var pause = new[] { block.Remaining, left, TimeSpan.FromSeconds(1) }.Min();
                    Thread.Sleep(
                        pause < TimeSpan.FromMilliseconds(20)
                            ? TimeSpan.FromMilliseconds(20)
                            : pause
                    );
                }
            }

            var refusal = block is null ? null : Refused(block, clock);
            if (refusal is not null && !parse.GetValue(json))
            {
                Console.Error.WriteLine(
                    $"rein cadence: {RefusalText.Sentence(refusal, DateTimeOffset.UtcNow, maxWait is not null)}"
                );
            }

            return CadenceCommand.Report(
                parse.GetValue(json),
                "acquire",
                ids,
                refusal,
                block is null ? holder.Token : null
            );
        });
        return cmd;
    }

    static Refusal Refused(CadenceBlock block, Stopwatch clock) =>
        block.ToRefusal() with
        {
            WaitedMs = (long)clock.Elapsed.TotalMilliseconds,
        };
}
