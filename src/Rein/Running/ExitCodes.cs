namespace Rein.Running;

/// <summary>Exit codes of the wrapper verbs, following coreutils <c>timeout</c> (DESIGN.md §6).</summary>
public static class ExitCodes
{
    public const int TimedOut = 124;
    public const int ReinFailed = 125;
    public const int CannotExecute = 126;
    public const int NotFound = 127;
    public const int SignalBase = 128;
    public const int MemoryExceeded = 137;
    public const int TryLater = 75;

    /// <summary>Exit codes of the reporting verbs.</summary>
    public const int Ok = 0;
    public const int Findings = 1;
    public const int BadUsage = 2;
}
