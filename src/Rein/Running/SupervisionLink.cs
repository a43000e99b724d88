namespace Rein.Running;

/// <summary>Links a run to the supervision it is an incarnation of: the supervision's id, the attempt number
/// (1 = the first incarnation) and why the previous incarnation was restarted (null for the first).</summary>
public sealed record SupervisionLink(string SupervisionId, int Attempt, string? RestartReason);
