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
        // `rein run` splits its own argv at `--`: the command after it must reach the child untouched
        // (no response-file expansion, no option parsing).
        if (args.Length > 0 && args[0] == "run")
        {
            try
            {
                return RunCommand.Execute(args[1..]);
            }
            catch (StateDirectoryException e)
            {
                // The state directory cannot be used safely (a link, another user's entry): that will not pass by
                // itself, so 125 (rein failed), not 75 (try later).
                Console.Error.WriteLine($"rein run: {OneLine(e.Message)}");
                return Rein.Running.ExitCodes.ReinFailed;
            }
            catch (Exception e)
            {
                return LastResort("run", e, Rein.Running.ExitCodes.ReinFailed);
            }
        }

        var root = new RootCommand(
            "Rein keeps heavy ML and agent workloads from taking down the machine: run commands under guard "
                + "(time, memory, concurrency, whole-tree cleanup) and diagnose the machine."
        );
        root.Subcommands.Add(RunCommand.Build());
        root.Subcommands.Add(DoctorCommand.Build());
        root.Subcommands.Add(PsCommand.Build());
        root.Subcommands.Add(JournalCommand.Build());
        root.Subcommands.Add(LocksCommand.Build());
        root.Subcommands.Add(ConfigCommand.Build());
        return Invoke(root, args, Rein.Running.ExitCodes.BadUsage);
    }

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
            // Our own handler below, not System.CommandLine's (which prints a stack trace).
            return result.Invoke(
                new InvocationConfiguration { EnableDefaultExceptionHandler = false }
            );
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
