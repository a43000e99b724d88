using System.CommandLine;
using System.CommandLine.Invocation;
using Rein.Cli.Commands;
using Rein.Config;

namespace Rein.Cli;

/// <summary>Builds the command tree and turns every failure into one line and the verb's usage exit code.</summary>
public static class ReinCli
{
    public static int Execute(string[] args)
    {
#if !REIN_STATIC_SQLITE
        // Linked in, SQLite is bound at link time: setting a resolver would only cost the start a reflection walk.
        SqliteLibrary.PreferBesideBinary();
#endif
#if REIN_TEST_HOOKS
        // Lets the tests tell the test build (hooks live) from a normal one, where this is an unknown command.
        if (args is ["__test-hooks"])
        {
            Console.Out.WriteLine("on");
            return Rein.Running.ExitCodes.Ok;
        }
#endif
        // `rein run` splits its own argv at `--`, and `rein timeout` reads it as coreutils timeout does: the command
        // must reach the child untouched (no response-file expansion, no option parsing).
        if (args.Length > 0 && args[0] is "run" or "timeout" or "supervise")
        {
            try
            {
                return args[0] switch
                {
                    "run" => RunCommand.Execute(args[1..]),
                    "supervise" => SuperviseCommand.Execute(args[1..]),
                    _ => TimeoutCommand.Execute(args[1..]),
                };
            }
            catch (StateDirectoryException e)
            {
                // The state directory cannot be used safely (a link, another user's entry): that will not pass by
                // itself, so 125 (rein failed), not 75 (try later).
                Console.Error.WriteLine($"rein {args[0]}: {OneLine(e.Message)}");
                return Rein.Running.ExitCodes.ReinFailed;
            }
            catch (Exception e)
            {
                return LastResort(args[0], e, Rein.Running.ExitCodes.ReinFailed);
            }
        }

        var root = BuildRoot();
        return args switch
        {
            // As git does: the bare tool name prints the help, and fails (nothing was done).
            [] => Help(root, [], Rein.Running.ExitCodes.BadUsage),
            ["help"] => Help(root, [], Rein.Running.ExitCodes.Ok),
            ["help", var verb, ..] => Help(root, [verb], Rein.Running.ExitCodes.Ok),
            ["-v" or "--version"] => Version(),
            [var first, ..] when Unknown(root, first) is { } message => Usage(message),
            _ => Invoke(root, args, Rein.Running.ExitCodes.BadUsage),
        };
    }

    static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "Rein keeps heavy ML and agent workloads from taking down the machine: run commands under guard "
                + "(time, memory, concurrency, whole-tree cleanup) and diagnose the machine."
        );
        root.Subcommands.Add(RunCommand.Build());
        root.Subcommands.Add(TimeoutCommand.Build());
        root.Subcommands.Add(SuperviseCommand.Build());
        root.Subcommands.Add(DoctorCommand.Build());
        root.Subcommands.Add(PsCommand.Build());
        root.Subcommands.Add(StatusCommand.Build());
        root.Subcommands.Add(JournalCommand.Build());
        root.Subcommands.Add(LocksCommand.Build());
        root.Subcommands.Add(ConfigCommand.Build());
        root.Subcommands.Add(CadenceCommand.Build());
        root.Subcommands.Add(ModelsCommand.Build());
        root.Subcommands.Add(PanicsCommand.Build());
        root.Subcommands.Add(GateCommand.Build());
        root.Subcommands.Add(AckCommand.Build());
        root.Subcommands.Add(LintCommand.Build());
        root.Subcommands.Add(HookCommand.Build());
        root.Subcommands.Add(AgentsCommand.Build());
        root.Subcommands.Add(CleanupCommand.Build());
        root.Subcommands.Add(CacheCommand.Build());
        root.Subcommands.Add(ProtectCommand.Build());
        root.Subcommands.Add(ClassifyCommand.Build());
        root.Subcommands.Add(MarkCommand.Build());
        root.Subcommands.Add(PostmortemCommand.Build());
        root.Subcommands.Add(ExportCommand.Build());
        return Rendering.HelpWidth.Narrow(root);
    }

    /// <summary><c>rein help [VERB]</c> is <c>rein [VERB] --help</c>.</summary>
    static int Help(RootCommand root, string[] verb, int exitCode)
    {
        if (verb is [var name] && Unknown(root, name) is { } message)
        {
            return Usage(message);
        }

        if (verb is ["run"] or ["timeout"] or ["supervise"])
        {
            // `rein run`, `rein timeout` and `rein supervise` parse their own argv (see above); their help too.
            return verb[0] switch
            {
                "run" => RunCommand.Execute(["--help"]),
                "supervise" => SuperviseCommand.Execute(["--help"]),
                _ => TimeoutCommand.Execute(["--help"]),
            };
        }

        var code = Invoke(root, [.. verb, "--help"], Rein.Running.ExitCodes.BadUsage);
        return code == Rein.Running.ExitCodes.Ok ? exitCode : code;
    }

    /// <summary>"unknown command 'bogus'" for a first word that is neither a verb nor a root option; null when it is one.</summary>
    static string? Unknown(RootCommand root, string first)
    {
        if (root.Subcommands.Any(c => c.Name == first))
        {
            return null;
        }

        if (!first.StartsWith('-'))
        {
            return $"unknown command '{first}'";
        }

        var known = root.Options.SelectMany(o => o.Aliases.Append(o.Name));
        return known.Contains(first) ? null : $"unknown option '{first}'";
    }

    static int Usage(string message)
    {
        Console.Error.WriteLine($"rein: {Rein.CommandText.Escape(message)} (see rein --help)");
        return Rein.Running.ExitCodes.BadUsage;
    }

    static int Version()
    {
        Console.WriteLine($"rein {VersionText}");
        return Rein.Running.ExitCodes.Ok;
    }

    /// <summary>The version without the build metadata (<see cref="ReinVersion"/>).</summary>
    internal static string VersionText => ReinVersion.Text;

    /// <summary>Parser messages can span lines (lists of allowed values); an agent reads one line.</summary>
    public static string OneLine(string message) =>
        string.Join(
            ' ',
            message
                .Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)
                .Select(p => p.Trim())
        );

    /// <summary>Parses and invokes; parse errors become one line on stderr (never a stack trace or a help dump).</summary>
    public static int Invoke(Command command, string[] args, int usageExitCode)
    {
        var result = command.Parse(args);
        if (result.Errors.Count > 0)
        {
            Console.Error.WriteLine($"rein: {OneLine(result.Errors[0].Message)} (see --help)");
            return usageExitCode;
        }

        try
        {
            try
            {
                // Our own handler below, not System.CommandLine's (which prints a stack trace).
                return result.Invoke(
                    new InvocationConfiguration { EnableDefaultExceptionHandler = false }
                );
            }
            catch (Exception e) when (Rein.Journal.JournalHealer.IsDamage(e))
            {
                if (AfterJournalDamage(result, e) is { } exit)
                {
                    return exit;
                }

                // Healed, and the verb only reads: once more, on the fresh journal (a second failure is reported).
                return result.Invoke(
                    new InvocationConfiguration { EnableDefaultExceptionHandler = false }
                );
            }
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"rein: {e.Message}");
            return usageExitCode;
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or Rein.Journal.JournalException)
        {
            Console.Error.WriteLine($"rein: {OneLine(e.Message)}");
            return Rein.Running.ExitCodes.Findings;
        }
        catch (Exception e)
        {
            return LastResort(
                result.CommandResult.Command.Name,
                e,
                Rein.Running.ExitCodes.Findings
            );
        }
    }

    /// <summary>Verbs that only read and tidy: run again after the journal was healed under them.</summary>
    static readonly HashSet<string> RetriedAfterHealing =
    [
        "journal",
        "ps",
        "doctor",
        "cleanup",
        "panics",
        "locks",
        "export",
        "postmortem",
    ];

    /// <summary>SQLite found a damaged page after the journal was opened (SQLITE_CORRUPT deep in a query): move the
    /// database aside once, under the healer's lock, and say so in one line. Null: retry the verb.</summary>
    static int? AfterJournalDamage(ParseResult result, Exception damage)
    {
        var command = result.CommandResult;
        while (
            command.Parent is System.CommandLine.Parsing.CommandResult parent
            && parent.Parent is not null
        )
        {
            command = parent;
        }

        var verb = command.Command.Name;
        Rein.Journal.JournalHealth health;
        try
        {
            health = Rein.Journal.JournalHealer.Heal(Commands.JournalAccess.StateDir);
        }
        catch (Exception e)
            when (e is IOException or UnauthorizedAccessException or ConfigException)
        {
            Console.Error.WriteLine(
                $"rein {verb}: the journal database is damaged ({OneLine(damage.Message)}) and could not be moved aside: {OneLine(e.Message)}"
            );
            return Rein.Running.ExitCodes.Findings;
        }

        if (RetriedAfterHealing.Contains(verb))
        {
            if (health.MovedTo is { } moved)
            {
                Console.Error.WriteLine(
                    $"rein {verb}: the journal database was damaged ({health.Problem}); moved it to {moved} and started a new one"
                );
            }

            // Also when another rein moved it meanwhile; if the damage was elsewhere, the retry reports it.
            return null;
        }

        if (health.MovedTo is { } aside)
        {
            Console.Error.WriteLine(
                $"rein {verb}: the journal database was damaged ({health.Problem}); moved it to {aside} and started a new one; run the command again"
            );
            return Rein.Running.ExitCodes.Findings;
        }

        return LastResort(verb, damage, Rein.Running.ExitCodes.Findings);
    }

    /// <summary>Never a stack trace for a user or an agent: one line, and the full exception only with REIN_DEBUG=1.</summary>
    static int LastResort(string verb, Exception e, int exitCode)
    {
        Console.Error.WriteLine(
            $"rein {verb}: {OneLine(e.Message)} ({e.GetType().Name}; REIN_DEBUG=1 shows details — please report it)"
        );
        if (Environment.GetEnvironmentVariable("REIN_DEBUG") == "1")
        {
            Console.Error.WriteLine(e);
        }

        return exitCode;
    }
}
