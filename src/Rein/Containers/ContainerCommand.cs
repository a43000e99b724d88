namespace Rein.Containers;

/// <summary>
/// What a command line says about containers: whether it runs them in the foreground (<c>docker run</c>,
/// <c>docker compose up</c>, their Podman twins — the commands whose containers should end with them), and the
/// label that ties a container to the run (<see cref="RunLabel"/>), added to a <c>docker run</c>/<c>create</c>.
/// </summary>
public static class ContainerCommand
{
    /// <summary>The label a run's own containers carry: <c>rein.run=RUN_ID</c>. Added to a direct
    /// <c>docker|podman [container] run|create</c>; a script can add it itself
    /// (<c>docker run --label rein.run="$REIN_RUN_ID" …</c>).</summary>
    public const string RunLabel = "rein.run";

    static readonly string[] Engines = ["docker", "podman"];
    static readonly string[] Composers = ["docker-compose", "podman-compose"];

    /// <summary>A foreground <c>docker run</c> or <c>compose up</c> (not <c>-d</c>/<c>--detach</c>: a detached
    /// container is meant to outlive the command).</summary>
    public static bool RunsContainers(IReadOnlyList<string> command)
    {
        if (command.Count < 2)
        {
            return false;
        }

        var program = Path.GetFileName(command[0]);
        if (Composers.Contains(program))
        {
            return Up(command, 1);
        }

        if (!Engines.Contains(program))
        {
            return false;
        }

        if (command[1] == "compose")
        {
            return Up(command, 2);
        }

        return RunAt(command) is { } at && !Detached(command, at + 1);
    }

    /// <summary>The command is compose itself (<c>docker compose …</c>, <c>docker-compose …</c>, the Podman twins):
    /// only then does auto mode look for the compose project's containers.</summary>
    public static bool IsCompose(IReadOnlyList<string> command) =>
        command.Count >= 2
        && (
            Composers.Contains(Path.GetFileName(command[0]))
            || (Engines.Contains(Path.GetFileName(command[0])) && command[1] == "compose")
        );

    /// <summary>The command names Podman (<c>podman …</c>, <c>podman-compose …</c>): its socket is asked first.</summary>
    public static bool IsPodman(IReadOnlyList<string> command) =>
        command.Count >= 1
        && Path.GetFileName(command[0]).StartsWith("podman", StringComparison.Ordinal);

    /// <summary>The command with <c>--label rein.run=RUN_ID</c> after its <c>run</c>/<c>create</c> word, when it
    /// is a direct <c>docker|podman [container] run|create</c>; otherwise the command itself.</summary>
    public static IReadOnlyList<string> Labelled(IReadOnlyList<string> command, string runId)
    {
        if (
            command.Count < 2
            || !Engines.Contains(Path.GetFileName(command[0]))
            || RunAt(command) is not { } at
        )
        {
            return command;
        }

        return [.. command.Take(at + 1), "--label", $"{RunLabel}={runId}", .. command.Skip(at + 1)];
    }

    /// <summary>Where <c>run</c>/<c>create</c> stands: right after the program, or after <c>container</c>.</summary>
    static int? RunAt(IReadOnlyList<string> command) =>
        command[1] is "run" or "create" ? 1
        : command.Count > 2 && command[1] == "container" && command[2] is "run" or "create" ? 2
        : null;

    /// <summary>An <c>up</c> among the compose arguments, without a detach flag after it.</summary>
    static bool Up(IReadOnlyList<string> command, int from)
    {
        for (var i = from; i < command.Count && command[i] != "--"; i++)
        {
            if (command[i] == "up")
            {
                // `up --wait` returns once the services are healthy and leaves them running (it implies -d).
                return !Detached(command, i + 1)
                    && !command
                        .Skip(i + 1)
                        .Any(w =>
                            w == "--wait"
                            || w.StartsWith("--wait=", StringComparison.Ordinal)
                                && w != "--wait=false"
                        );
            }
        }

        return false;
    }

    /// <summary>A <c>-d</c>/<c>--detach</c> (or <c>d</c> in a cluster like <c>-itd</c>) among the words that follow.
    /// Where the options end cannot be told without knowing which take a value, so a <c>-d</c> among the
    /// container's own arguments counts too: the safe side, as the run's containers are then left alone.</summary>
    static bool Detached(IReadOnlyList<string> command, int from)
    {
        for (var i = from; i < command.Count; i++)
        {
            var word = command[i];
            if (
                word == "--detach"
                || word.StartsWith("--detach=", StringComparison.Ordinal)
                    && word is not ("--detach=false" or "--detach=False" or "--detach=0")
            )
            {
                return true;
            }

            if (word.Length > 1 && word[0] == '-' && word[1] != '-' && word.Contains('d'))
            {
                return true;
            }
        }

        return false;
    }
}
