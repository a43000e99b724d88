using System.CommandLine;
using Rein.Cli.Rendering;
using Rein.Lint;
using Rein.Lint.Make;
using Rein.Running;

namespace Rein.Cli.Commands;

/// <summary><c>rein lint make|compose|python</c>: parse → run the library's linter → render (text, --json, --sarif).</summary>
internal static class LintCommand
{
    const string ExitCodesHelp =
        "Exit 0 when nothing is at or above --fail-on, 1 when something is, 2 on bad usage or an unreadable file.";

    internal sealed class Common
    {
        public readonly Option<bool> Json = new("--json")
        {
            Description = "Print one JSON document (schema rein.lint/1) instead of text",
        };

        public readonly Option<string?> Sarif = new("--sarif")
        {
            Description =
                "Also write the findings as SARIF 2.1.0 to FILE (for GitHub code scanning)",
            HelpName = "FILE",
        };

        public readonly Option<string?> FailOn = new("--fail-on")
        {
            Description =
                "Exit 1 when a finding is at or above this severity: error (default), warning, info",
            HelpName = "error|warning|info",
        };

        public void AddTo(Command command)
        {
            command.Options.Add(Json);
            command.Options.Add(Sarif);
            command.Options.Add(FailOn);
        }
    }

    public static Command Build()
    {
        var lint = new Command(
            "lint",
            "Find the next incident before it happens: parse-time $(shell) calls in a Makefile, compose services "
                + "without memory limits, unbounded loops and fan-out in Python. Output like a compiler's "
                + "(file:line: severity: message), --json, --sarif FILE. "
                + ExitCodesHelp
        );
        lint.Subcommands.Add(Make());
        lint.Subcommands.Add(LintComposeCommand.Build());
        lint.Subcommands.Add(LintPythonCommand.Build());
        return lint;
    }

    static Command Make()
    {
        var common = new Common();
        var file = new Argument<string?>("FILE")
        {
            Description =
                "The makefile (default: GNUmakefile, makefile or Makefile here, as make looks for them)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var cmd = new Command(
            "make",
            "Say when each $(shell ...) of a Makefile (and of the files it includes) runs, per GNU Make's rules. "
                + "Error: a shell that starts an interpreter or a heavy tool (python, $(PYTHON), node, uv, pip, docker, "
                + "an import of spacy/torch/transformers/whisper/mlx) while make reads the makefile — `X := $(shell ...)`, "
                + "`X != cmd`, prerequisites, conditionals — which runs on every make, make -n and make help included, "
                + "and again in every recursive $(MAKE). Warning: any other parse-time shell. Info: a deferred "
                + "`X = $(shell ...)` expanded in many recipe lines. A shell inside a recipe runs only with that recipe: "
                + "clean. Conditionals are not evaluated (both branches count); $(eval) text is not parsed. "
                + ExitCodesHelp
                + "\n\nExamples:\n  rein lint make\n  rein lint make build/Makefile --fail-on warning\n"
                + "  rein lint make --json | jq '.findings[] | select(.severity == \"error\")'"
        )
        {
            file,
        };
        common.AddTo(cmd);
        cmd.SetAction(parse =>
            Execute(
                "make",
                parse,
                common,
                () =>
                {
                    var path = parse.GetValue(file) ?? DefaultMakefile();
                    return MakeLinter.Lint(path);
                }
            )
        );
        return cmd;
    }

    static string DefaultMakefile() =>
        new[] { "GNUmakefile", "makefile", "Makefile" }.FirstOrDefault(File.Exists)
        ?? throw new LintInputException(
            "no GNUmakefile, makefile or Makefile here; name one: rein lint make path/to/Makefile"
        );

    /// <summary>Runs a linter and renders its report; the exit status follows --fail-on.</summary>
    public static int Execute(
        string linter,
        ParseResult parse,
        Common common,
        Func<LintReport> run
    ) => Execute(linter, parse, common.Json, common.Sarif, common.FailOn, run);

    public static int Execute(
        string linter,
        ParseResult parse,
        Option<bool> json,
        Option<string?> sarif,
        Option<string?> failOnOption,
        Func<LintReport> run
    )
    {
        var failOn = LintSeverity.Error;
        if (
            parse.GetValue(failOnOption) is { } text
            && !LintSeverityNames.TryParse(text, out failOn)
        )
        {
            Console.Error.WriteLine(
                $"rein lint {linter}: --fail-on must be error, warning or info, not '{CommandText.Escape(text)}'"
            );
            return ExitCodes.BadUsage;
        }

        LintReport report;
        try
        {
            report = run();
        }
        catch (LintInputException e)
        {
            Console.Error.WriteLine($"rein lint {linter}: {CommandText.Escape(e.Message)}");
            return ExitCodes.BadUsage;
        }

        if (parse.GetValue(sarif) is { } sarifPath)
        {
            try
            {
                LintRendering.WriteSarif(sarifPath, report);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine(
                    $"rein lint {linter}: cannot write {CommandText.Escape(sarifPath)}: {ReinCli.OneLine(e.Message)}"
                );
                return ExitCodes.BadUsage;
            }
        }

        if (parse.GetValue(json))
        {
            using var stdout = Console.OpenStandardOutput();
            LintRendering.WriteJson(stdout, report, failOn);
        }
        else
        {
            LintRendering.WriteText(Console.Out, report);
            Console.Error.WriteLine(LintRendering.Summary(report));
        }

        return report.FailsAt(failOn) ? ExitCodes.Findings : ExitCodes.Ok;
    }
}
