namespace Rein.Containers;

/// <summary>Whether a run's containers are stopped with it (<c>--containers</c>, <c>run.containers</c>).</summary>
public enum ContainerMode
{
    /// <summary>Off: containers are not looked at.</summary>
    Off,

    /// <summary>On for a command that runs containers in the foreground (<see cref="ContainerCommand.RunsContainers"/>)
    /// when a Docker or Podman socket exists; off otherwise.</summary>
    Auto,

    /// <summary>On for any command; a missing socket is reported at the end.</summary>
    On,
}

/// <summary>The names of <see cref="ContainerMode"/> in settings.</summary>
public static class ContainerModes
{
    /// <summary><c>auto</c>, <c>on</c> or <c>off</c>; null for anything else.</summary>
    public static ContainerMode? Parse(string? text) =>
        text switch
        {
            "auto" => ContainerMode.Auto,
            "on" => ContainerMode.On,
            "off" => ContainerMode.Off,
            _ => null,
        };
}
