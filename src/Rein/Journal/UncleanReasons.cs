namespace Rein.Journal;

/// <summary>Why a run never got its end record.</summary>
public static class UncleanReasons
{
    /// <summary>Recorded under another boot: the machine rebooted or crashed while it ran.</summary>
    public const string MachineWentDown = "ended by reboot/crash of the machine";

    /// <summary>Same boot, but the guarding rein process is gone (SIGKILL, OOM killer, power to the terminal).</summary>
    public const string GuardVanished =
        "guard vanished (rein was killed before it could record the end)";
}
