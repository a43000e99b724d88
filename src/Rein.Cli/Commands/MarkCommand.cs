using System.CommandLine;
using Rein.Cadence;
using Rein.Config;
using Rein.Forensics.Breadcrumbs;
using Rein.Processes;
using Rein.Running;

namespace Rein.Cli.Commands;

/// <summary><c>rein mark pre|post MODEL [--note TEXT] [--pid PID]</c>: a durable breadcrumb around one inference,
/// for workers in any language. Cheap on purpose: no SQLite, no configuration files — one append and one fsync.</summary>
internal static class MarkCommand
{
    const int MaxNote = 2048;

    public static Command Build()
    {
        var cmd = new Command(
            "mark",
            "Write a breadcrumb around an inference, durable (fsync'd) before it returns: `rein mark pre MODEL` just "
                + "before, `rein mark post MODEL` just after. A PRE whose POST never comes shows in `rein ps` and "
                + "`rein doctor` as an inference in flight (process alive, past inference.hang_after) or as died "
                + "mid-inference (process gone), with its run; `rein journal show RUN` lists a run's breadcrumbs. The run is REIN_RUN_ID (set by rein run for the "
                + "whole tree).\n\nExamples:\n  rein mark pre mlx-community/gemma-4-31b-it-8bit --note req-17\n"
                + "  python infer.py\n  rein mark post mlx-community/gemma-4-31b-it-8bit"
        )
        {
            Side(
                BreadcrumbKind.Pre,
                "Mark the start of an inference (call it right before the model is invoked)"
            ),
            Side(
                BreadcrumbKind.Post,
                "Mark its end, success or failure (call it in a finally block)"
            ),
        };
        return cmd;
    }

    static Command Side(BreadcrumbKind kind, string description)
    {
        var model = new Argument<string>("MODEL")
        {
            Description =
                "The model id, e.g. mlx-community/gemma-4-31b-it-8bit (the same for PRE and POST)",
        };
        var note = new Option<string?>("--note")
        {
            Description = "A short note kept with the breadcrumb (request id, prompt size)",
            HelpName = "TEXT",
        };
        var pid = new Option<int?>("--pid")
        {
            Description =
                "The worker process the breadcrumb is about (default: the process that runs rein mark)",
            HelpName = "PID",
        };
        var cmd = new Command(Breadcrumb.KindName(kind), description) { model, note, pid };
        cmd.SetAction(parse =>
        {
            var id = parse.GetValue(model);
            if (ModelId.Problem(id) is { } problem)
            {
                return Usage($"{problem}");
            }

            var text = parse.GetValue(note);
            if (text is { Length: > MaxNote })
            {
                return Usage($"--note: at most {MaxNote} characters");
            }

            var run = Caller.RunId(Environment.GetEnvironmentVariable);
            if (run is not null && BreadcrumbFiles.RunIdProblem(run) is { } bad)
            {
                return Usage(bad);
            }

            var table = ProcessTables.Current;
            var who = parse.GetValue(pid);
            if (who is { } p && (p <= 0 || table.Read(p) is null))
            {
                return Usage($"--pid {p}: no such process");
            }

            var (callerPid, start) = Caller.Identify(who, table);
            BreadcrumbWriter.Append(
                StateDirectory.Resolve(Environment.GetEnvironmentVariable),
                new Breadcrumb(DateTimeOffset.UtcNow, kind, id!, callerPid, start, run, text)
            );
            return ExitCodes.Ok;
        });
        return cmd;
    }

    static int Usage(string message)
    {
        Console.Error.WriteLine($"rein mark: {ReinCli.OneLine(message)}");
        return ExitCodes.BadUsage;
    }
}
