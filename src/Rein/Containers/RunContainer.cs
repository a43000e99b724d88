namespace Rein.Containers;

/// <summary>A container a run started, found still running at its end.</summary>
/// <param name="Id">The container's full id.</param>
/// <param name="Name">Its name, without Docker's leading '/'.</param>
/// <param name="Image">Its image as given.</param>
/// <param name="By">Why it is the run's: <c>label</c> (it carries <c>rein.run=RUN_ID</c>) or <c>compose</c> (a
/// compose project whose folder is the run's folder or under it, started after the run began).</param>
/// <param name="Stopped">Rein stopped it (false: it was gone or already stopped when asked).</param>
/// <param name="Error">Why stopping it failed; null when it did not.</param>
public sealed record RunContainer(
    string Id,
    string Name,
    string Image,
    string By,
    bool Stopped,
    string? Error
);

/// <summary>What the end of a run did with its containers: the ones stopped, or why none could be looked at.</summary>
public sealed record ContainerSweepResult(IReadOnlyList<RunContainer> Containers, string? Problem)
{
    public static readonly ContainerSweepResult None = new([], null);
}
