using Rein.Diagnostics;

namespace Rein.Lint.Compose;

/// <summary>How much memory the containers share: on Linux the machine's (MemTotal); on macOS the Docker VM's
/// (<c>docker info</c>), else the Mac's (<c>hw.memsize</c>) — the macOS path is unverified.</summary>
public sealed record MachineMemory(long Bytes, string Source)
{
    public static MachineMemory? Detect(ICommandRunner tools)
    {
        if (OperatingSystem.IsMacOS())
        {
            var info = tools.Run(
                "docker",
                ["info", "--format", "{{.MemTotal}}"],
                TimeSpan.FromSeconds(2)
            );
            if (info.Ok && long.TryParse(info.Stdout.Trim(), out var vm) && vm > 0)
            {
                return new MachineMemory(vm, "the Docker VM");
            }

            return Platform.MacOS.MacSysctl.ReadInt64("hw.memsize") is { } mac
                ? new MachineMemory(mac, "this Mac")
                : null;
        }

        return Processes.Linux.MemInfoParser.ReadCurrent() is { TotalBytes: > 0 } m
            ? new MachineMemory(m.TotalBytes, "this machine")
            : null;
    }
}
