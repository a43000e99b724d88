using System.CommandLine;
using System.Text.Json;
using Rein.Config;
using Rein.Documents;
using Rein.Forensics.Classification;
using Rein.Running;

namespace Rein.Cli.Commands;

/// <summary><c>rein classify [FILE|-] [--exit N] [--json]</c>: the failure classifier on a saved log, without running
/// anything (to try a <c>[[classify.rule]]</c> before a run needs it). Reads the last 64 KiB, as a run keeps.</summary>
internal static class ClassifyCommand
{
    public static Command Build()
    {
        var file = new Argument<string?>("FILE")
        {
            Description =
                "The log to read (its last 64 KiB, as a run keeps); - or nothing reads stdin",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var exit = new Option<int?>("--exit")
        {
            Description =
                "The exit status the command had, as a shell shows it (137, 139…): exit rules apply too; 0 is a success, never classified",
            HelpName = "N",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document (schema rein.classify/1)",
        };
        var cmd = new Command(
            "classify",
            "Classify a failed command's output as rein run does (the rules built in, then yours from rein.toml's "
                + "[[classify.rule]]), without running anything. Exit 0 when a class was found, 1 when none "
                + "matched (or --exit 0), 2 on bad usage or a bad rule.\n\nExamples:\n"
                + "  python train.py 2> err.log; rein classify err.log --exit $?\n"
                + "  journalctl -u worker -n 200 | rein classify - --json"
        )
        {
            file,
            exit,
            json,
        };
        cmd.SetAction(parse =>
        {
            var rules = ClassificationRules.FromConfig(
                CliConfig.Load(new Dictionary<string, (string, string)>())
            );
            var path = parse.GetValue(file) is { Length: > 0 } f ? f : "-";
            var code = parse.GetValue(exit);
            if (code is < 0 or > 255)
            {
                return Usage($"--exit {code}: an exit status is 0 to 255");
            }

            if (path == "-" && !Console.IsInputRedirected)
            {
                return Usage("give a FILE, or pipe the log in (e.g. `rein classify - < err.log`)");
            }

            OutputTail tail;
            try
            {
                tail = Read(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Usage($"cannot read {path}: {e.Message}");
            }

            RunFailure? failure =
                code == 0
                    ? null
                    : FailureClassifier.Classify(
                        rules,
                        new FailureEvidence(
                            code is { } c ? ExitFacts.ForExitCode(c) : [],
                            tail.Text(),
                            [],
                            null
                        )
                    );
            if (failure?.Class == "unknown")
            {
                failure = null;
            }
            else if (failure is not null)
            {
                failure = FailureClassifier.TailKept(failure);
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(
                    JsonSerializer.Serialize(
                        new ClassifyDocument(path, tail.Total, code, failure),
                        ReinJsonContext.Readable.ClassifyDocument
                    )
                );
            }
            else if (failure is null)
            {
                Console.WriteLine(
                    code == 0
                        ? "not classified: exit 0 is a success"
                        : "no rule matched (class unknown)"
                );
            }
            else
            {
                Console.WriteLine($"{failure.Class} → {failure.Hint}: {failure.Title}");
                Console.WriteLine($"  advice:   {CommandText.Escape(failure.Advice)}");
                Console.WriteLine($"  evidence: {CommandText.Escape(failure.Evidence ?? "")}");
                Console.WriteLine($"  rule:     {failure.Rule} ({failure.Source})");
            }

            return failure is null ? ExitCodes.Findings : ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>The last 64 KiB of a file or of stdin, streamed through the ring (what a run would keep).</summary>
    static OutputTail Read(string path)
    {
        var tail = new OutputTail();
        using var stream = path == "-" ? Console.OpenStandardInput() : File.OpenRead(path);
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            tail.Append(buffer.AsSpan(0, n));
        }

        return tail;
    }

    static int Usage(string message)
    {
        Console.Error.WriteLine($"rein classify: {CommandText.Escape(message)}");
        return ExitCodes.BadUsage;
    }
}
