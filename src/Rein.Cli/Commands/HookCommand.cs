using System.CommandLine;
using Rein.Config;
using Rein.Hooks;
using Rein.Running;

namespace Rein.Cli.Commands;

/// <summary><c>rein hook install|uninstall [HOOK]</c>: parse → <see cref="HookInstaller"/> → one line.</summary>
internal static class HookCommand
{
    const string DefaultTimeout = "10m";

    public static Command Build()
    {
        var hook = new Command(
            "hook",
            "Run a git hook under rein: a stuck check is stopped with its whole process tree at the deadline and "
                + "git is told the hook failed (git gives a hook no process group of its own, so a timeout written "
                + "inside the hook cannot do this). Works with core.hooksPath and with the pre-commit framework's hook."
        );
        hook.Subcommands.Add(Install());
        hook.Subcommands.Add(Uninstall());
        return hook;
    }

    static Argument<string> HookName() =>
        new("HOOK")
        {
            Description = "The git hook (default pre-commit; also pre-push, commit-msg, ...)",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => "pre-commit",
        };

    static Command Install()
    {
        var name = HookName();
        var timeout = new Option<string>("--timeout")
        {
            Description = $"Stop the hook and its children after DUR (default {DefaultTimeout})",
            HelpName = "DUR",
            DefaultValueFactory = _ => DefaultTimeout,
        };
        var cmd = new Command(
            "install",
            "Wrap the repository's existing HOOK: it is kept as HOOK.rein-original and runs as `rein run --timeout DUR "
                + "--lock hook-REPO -- HOOK.rein-original ARGS`. Run it again to change the timeout. The hook's limits "
                + "are its own: REIN_TIMEOUT, REIN_IDLE_TIMEOUT, REIN_MEMORY, REIN_MAX_PROCS and REIN_MIN_AVAILABLE "
                + "from an outer rein run (an agent's guarded `git commit`) are not passed on to it. With the pre-commit "
                + "framework, run `pre-commit install` first. Exit 0 done, 2 when it cannot (one line says why)."
                + "\n\nExamples:\n  rein hook install --timeout 2m\n  rein hook install pre-push --timeout 15m"
        )
        {
            name,
            timeout,
        };
        cmd.SetAction(parse =>
        {
            var hookName = parse.GetValue(name)!;
            var duration = parse.GetValue(timeout)!;
            if (Invalid(hookName) is { } bad)
            {
                return bad;
            }

            if (!DurationParser.TryParse(duration, out var span, out var error))
            {
                Console.Error.WriteLine($"rein hook install: --timeout: {error}");
                return ExitCodes.BadUsage;
            }

            if (span <= TimeSpan.Zero)
            {
                Console.Error.WriteLine(
                    "rein hook install: --timeout: a hook needs a deadline greater than 0"
                );
                return ExitCodes.BadUsage;
            }

            return Run(() =>
            {
                var done = HookInstaller.Install(
                    Environment.CurrentDirectory,
                    hookName,
                    duration,
                    Environment.ProcessPath ?? "rein"
                );
                var what = done.PreCommitFramework
                    ? "the pre-commit framework's hook"
                    : "the original";
                Console.WriteLine(
                    done.Updated
                        ? $"rein hook: {hookName} now stops after {duration} (lock {done.LockName}); {what} is {done.OriginalPath}"
                        : $"rein hook: {hookName} runs under rein run --timeout {duration} --lock {done.LockName}; {what} is kept as {done.OriginalPath}"
                );
            });
        });
        return cmd;
    }

    static Command Uninstall()
    {
        var name = HookName();
        var cmd = new Command(
            "uninstall",
            "Put the original HOOK back exactly (the file rein hook install renamed). Exit 0 done, 2 when there is nothing to undo."
        )
        {
            name,
        };
        cmd.SetAction(parse =>
        {
            var hookName = parse.GetValue(name)!;
            return Invalid(hookName)
                ?? Run(() =>
                {
                    var path = HookInstaller.Uninstall(Environment.CurrentDirectory, hookName);
                    Console.WriteLine($"rein hook: {path} is the original {hookName} hook again");
                });
        });
        return cmd;
    }

    static int? Invalid(string hook)
    {
        if (HookInstaller.KnownHooks.Contains(hook))
        {
            return null;
        }

        Console.Error.WriteLine(
            $"rein hook: '{CommandText.Escape(hook)}' is not a git hook (e.g. pre-commit, pre-push, commit-msg)"
        );
        return ExitCodes.BadUsage;
    }

    static int Run(Action action)
    {
        try
        {
            action();
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is HookException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"rein hook: {ReinCli.OneLine(e.Message)}");
            return ExitCodes.BadUsage;
        }
    }
}
