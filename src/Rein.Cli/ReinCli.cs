using System.CommandLine;
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
            return RunCommand.Execute(args[1..]);
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
            return result.Invoke();
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"rein: {e.Message}");
            return usageExitCode;
        }
    }
}
