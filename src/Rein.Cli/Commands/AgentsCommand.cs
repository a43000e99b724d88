using System.CommandLine;
using Rein.Config;
using Rein.Hooks;
using Rein.Running;

namespace Rein.Cli.Commands;

/// <summary><c>rein agents init</c>: the agent-rules snippet into AGENTS.md / CLAUDE.md / .cursorrules.</summary>
internal static class AgentsCommand
{
    public static Command Build()
    {
        var agents = new Command(
            "agents",
            "Tell coding agents to run heavy commands through rein."
        );
        var dir = new Option<string?>("--dir")
        {
            Description =
                "Where the agent-rules files are (default: the repository's top level, else here)",
            HelpName = "DIR",
        };
        var init = new Command(
            "init",
            "Write the rein section (run heavy commands through rein run; what exits 75, 124 and 137 mean and what to do "
                + "next) into each of AGENTS.md, CLAUDE.md and .cursorrules that exists, or create AGENTS.md. The section "
                + "sits between <!-- rein:begin --> and <!-- rein:end --> lines: running it again replaces only that "
                + "section. A symbolic link whose target is outside the folder, or anything not a regular file, is "
                + "refused and left alone. Exit 0 done, 2 when a file or the folder cannot be written."
                + "\n\nExample:\n  rein agents init && git diff AGENTS.md"
        )
        {
            dir,
        };
        init.SetAction(parse =>
        {
            var where =
                parse.GetValue(dir)
                ?? RepositoryRoot.Of(Environment.CurrentDirectory)
                ?? Environment.CurrentDirectory;
            if (!Directory.Exists(where))
            {
                Console.Error.WriteLine(
                    $"rein agents init: {CommandText.Escape(where)}: no such directory"
                );
                return ExitCodes.BadUsage;
            }

            var refused = false;
            try
            {
                foreach (var (path, change) in AgentRules.Init(where))
                {
                    if (change is AgentRulesChange.RefusedLink or AgentRulesChange.RefusedNotAFile)
                    {
                        refused = true;
                        var why =
                            change == AgentRulesChange.RefusedLink
                                ? $"a symbolic link to {new FileInfo(path).LinkTarget}, outside {where}"
                                : "not a regular file";
                        Console.Error.WriteLine(
                            $"rein agents init: {CommandText.Escape(path)}: {CommandText.Escape(why)}; not written"
                        );
                        continue;
                    }

                    var what = change switch
                    {
                        AgentRulesChange.Created => "created with the rein section",
                        AgentRulesChange.Added => "rein section added",
                        AgentRulesChange.Updated => "rein section updated",
                        _ => "rein section already up to date",
                    };
                    Console.WriteLine($"{CommandText.Escape(path)}: {what}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"rein agents init: {ReinCli.OneLine(e.Message)}");
                return ExitCodes.BadUsage;
            }

            return refused ? ExitCodes.BadUsage : ExitCodes.Ok;
        });
        agents.Subcommands.Add(init);
        return agents;
    }
}
