using System.CommandLine;
using Rein.Config;
using Rein.Diagnostics;
using Rein.Lint;
using Rein.Lint.Compose;
using Rein.Running;

namespace Rein.Cli.Commands;

/// <summary><c>rein lint compose [FILE...]</c>.</summary>
internal static class LintComposeCommand
{
    /// <summary>What <c>docker compose</c> reads when no -f is given: the first of these, then its override file.</summary>
    static readonly (string File, string Override)[] Defaults =
    [
        ("compose.yaml", "compose.override.yaml"),
        ("compose.yml", "compose.override.yml"),
        ("docker-compose.yaml", "docker-compose.override.yaml"),
        ("docker-compose.yml", "docker-compose.override.yml"),
    ];

    public static Command Build()
    {
        var common = new LintCommand.Common();
        var files = new Argument<string[]>("FILE")
        {
            Description =
                "Compose files in overlay order, as with docker compose -f (default: compose.yaml or docker-compose.yml here, and its override file)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var machineMemory = new Option<string?>("--machine-memory")
        {
            Description =
                "The memory the containers share, to check the sum of the limits against (default: this machine's; on macOS the Docker VM's)",
            HelpName = "SIZE",
        };
        var cmd = new Command(
            "compose",
            "Find compose services that can take the machine's memory. The files are merged as overlays (later ones "
                + "override; !reset and !override obeyed) and extends is followed. A service with neither mem_limit nor "
                + "deploy.resources.limits.memory is a warning, an error when it looks like computation (heuristic: it "
                + "builds an image, or its image, command or entrypoint names an interpreter, a runtime, a worker or a "
                + "database — python, node, java, celery, postgres, ...). A commented-out limit does not count. Also: "
                + "tmpfs mounts (memory), a JVM -Xmx at 75% of the limit or more, restart: always without a limit, and "
                + "the sum of the limits against the machine's memory. "
                + "Exit 0 when nothing is at or above --fail-on, 1 when something is, 2 on bad usage or an unreadable file."
                + "\n\nExamples:\n  rein lint compose\n  rein lint compose compose.yml compose.prod.yml --fail-on warning\n"
                + "  rein lint compose --sarif compose.sarif"
        )
        {
            files,
            machineMemory,
        };
        common.AddTo(cmd);
        cmd.SetAction(parse =>
            LintCommand.Execute(
                "compose",
                parse,
                common,
                () =>
                {
                    var given = parse.GetValue(files) is { Length: > 0 } f ? f : DefaultFiles();
                    return ComposeLinter.Lint(
                        given,
                        Machine(parse.GetValue(machineMemory)),
                        Environment.GetEnvironmentVariable
                    );
                }
            )
        );
        return cmd;
    }

    static MachineMemory? Machine(string? given)
    {
        if (given is null)
        {
            return MachineMemory.Detect(new CommandRunner());
        }

        return SizeParser.TryParse(given, out var bytes, out var error)
            ? new MachineMemory(bytes, "the machine (--machine-memory)")
            : throw new LintInputException($"--machine-memory: {error}");
    }

    static string[] DefaultFiles()
    {
        foreach (var (file, overlay) in Defaults)
        {
            if (File.Exists(file))
            {
                return File.Exists(overlay) ? [file, overlay] : [file];
            }
        }

        throw new LintInputException(
            "no compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml here; name the files: rein lint compose FILE..."
        );
    }
}
