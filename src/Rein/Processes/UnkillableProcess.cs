namespace Rein.Processes;

/// <summary>A process of the run that was still there after SIGKILL and the kill wait (G5).</summary>
public sealed record UnkillableProcess(int Pid, char State, string Command, ulong StartTime = 0)
{
    public bool Uninterruptible => State is 'D' or 'U';
}
