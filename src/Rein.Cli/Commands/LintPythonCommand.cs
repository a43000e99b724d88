using System.CommandLine;
using Rein.Lint.Python;

namespace Rein.Cli.Commands;

/// <summary><c>rein lint python [DIR]</c>.</summary>
internal static class LintPythonCommand
{
    public static Command Build()
    {
        var common = new LintCommand.Common();
        var path = new Argument<string?>("DIR")
        {
            Description =
                "A directory to audit recursively, or one .py file (default: the current directory)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var cmd = new Command(
            "python",
            "The loop and fan-out audit done by hand before trusting an agent-heavy repository, as heuristics: "
                + "`while True` / `while not X` with no deadline (no monotonic()/deadline/timeout in the condition or body, "
                + "no bounded counter, no `if not x: break` guard); asyncio.gather(*...) over a comprehension with no "
                + "semaphore in scope; subprocess.Popen, asyncio.create_subprocess_exec or create_task inside a loop that "
                + "does not wait for them; multiprocessing / concurrent.futures pools without max_workers/processes. "
                + "Read by an indentation-aware tokenizer (strings and comments never match), not a Python parser: it "
                + "can miss a bound that lives in another function, and it does not follow imports. Skips .venv, venv, "
                + "node_modules, caches and build output. Findings are warnings (a thread pool: info), so the default "
                + "--fail-on error only fails with --fail-on warning. Exit 0 when nothing is at or above --fail-on, "
                + "1 when something is, 2 on bad usage."
                + "\n\nExamples:\n  rein lint python\n  rein lint python src --fail-on warning\n  rein lint python --json"
        )
        {
            path,
        };
        common.AddTo(cmd);
        cmd.SetAction(parse =>
            LintCommand.Execute(
                "python",
                parse,
                common,
                () => PythonLinter.Lint(parse.GetValue(path) ?? ".")
            )
        );
        return cmd;
    }
}
