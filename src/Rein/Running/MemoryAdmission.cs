using Rein.Config;
using Rein.Platform.MacOS;
using Rein.Processes;
using Rein.Processes.Linux;
using Rein.Running.Gates;

namespace Rein.Running;

/// <summary>The machine's memory as admission sees it.</summary>
public sealed record MemorySnapshot(
    long AvailableBytes,
    long TotalBytes,
    double? PressurePercent,
    string PressureSource
)
{
    /// <summary>Linux: MemAvailable and PSI memory "some avg10". macOS: kern.memorystatus_level (percent of memory
    /// free) times hw.memsize; pressure is reported as 100 − level.</summary>
    public static MemorySnapshot? Read()
    {
        if (OperatingSystem.IsLinux())
        {
            var mem = MemInfoParser.ReadCurrent();
            if (mem is null)
            {
                return null;
            }

            var psi = PressureParser.ReadCurrent("memory");
            return new MemorySnapshot(
                mem.AvailableBytes,
                mem.TotalBytes,
                psi?.Some.Avg10,
                "PSI memory some avg10"
            );
        }

        if (
            OperatingSystem.IsMacOS()
            && MacSysctl.ReadInt64("hw.memsize") is { } total
            && MacSysctl.ReadInt64("kern.memorystatus_level") is { } level
        )
        {
            return new MemorySnapshot(
                total * level / 100,
                total,
                100 - level,
                "100 − kern.memorystatus_level"
            );
        }

        return null;
    }
}

/// <summary>Refuses to start a run (exit 75) when memory is short: the pile-up that kills machines starts with
/// one more process on a machine that is already paging. Pure; the caller reads the snapshot and the table.</summary>
public static class MemoryAdmission
{
    public static Refusal? Check(
        MemorySnapshot snap,
        long minAvailable,
        double maxPressure,
        IReadOnlyList<ProcessInfo> processes,
        ConfigSource? minAvailableSource = null
    )
    {
        string code;
        if (snap.AvailableBytes < minAvailable)
        {
            code = RefusalCodes.MemoryLow;
        }
        else if (snap.PressurePercent is { } p && p > maxPressure)
        {
            code = RefusalCodes.MemoryPressure;
        }
        else
        {
            return null;
        }

        var numbers = new Dictionary<string, double>
        {
            ["available_bytes"] = snap.AvailableBytes,
            ["total_bytes"] = snap.TotalBytes,
            ["min_available_bytes"] = minAvailable,
            ["max_pressure_percent"] = maxPressure,
        };
        if (snap.PressurePercent is { } pressure)
        {
            numbers["pressure_percent"] = pressure;
        }

        var facts = new Dictionary<string, string> { ["pressure_source"] = snap.PressureSource };
        if (minAvailableSource is { } source)
        {
            facts["min_available_source"] = source.Kind switch
            {
                ConfigSourceKind.Flag => "flag",
                ConfigSourceKind.Environment => "env",
                ConfigSourceKind.RepoFile => "repo_file",
                ConfigSourceKind.UserFile => "user_file",
                _ => "default",
            };
            facts["min_available_where"] = source.Where;
        }

        return new Refusal
        {
            Code = code,
            Gate = "memory",
            Numbers = numbers,
            Facts = facts,
            Holders =
            [
                .. processes
                    .Where(p => !p.IsZombie)
                    .OrderByDescending(p => p.MemoryBytes)
                    .Take(5)
                    .Select(p => new RefusalHolder
                    {
                        Pid = p.Pid,
                        Command = p.Command,
                        Bytes = p.MemoryBytes,
                    }),
            ],
        };
    }
}
