using Rein.Processes.Linux;
using Rein.Processes.MacOS;

namespace Rein.Processes;

/// <summary>Chooses the process table for this OS at start-up.</summary>
public static class ProcessTables
{
    static IProcessTable? _current;

    public static IProcessTable Current =>
        _current ??=
            OperatingSystem.IsLinux() ? new ProcfsProcessTable()
            : OperatingSystem.IsMacOS() ? new MacProcessTable()
            : throw new PlatformNotSupportedException("Rein runs on Linux and macOS");
}
