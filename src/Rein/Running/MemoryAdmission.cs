using Rein.Config;
using Rein.Journal;
using Rein.Processes;
using Rein.Processes.Linux;

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
    public static string? Check(
        MemorySnapshot snap,
        long minAvailable,
        double maxPressure,
        IReadOnlyList<ProcessInfo> processes,
        ConfigSource? minAvailableSource = null
    )
    {
        string? why = null;
        if (snap.AvailableBytes < minAvailable)
        {
            why =
                $"only {SizeParser.Format(snap.AvailableBytes)} of {SizeParser.Format(snap.TotalBytes)} memory is available, below {Named(SizeParser.Format(minAvailable), minAvailableSource)}";
        }
        else if (snap.PressurePercent is { } p && p > maxPressure)
        {
            why = $"memory pressure is {p:0.#}% ({snap.PressureSource}), above {maxPressure:0.#}%";
        }

        if (why is null)
        {
            return null;
        }

        // Named as the user set it: a refusal that blames a flag nobody passed sends them looking in the wrong place.
        static string Named(string size, ConfigSource? source) =>
            source?.Kind switch
            {
                ConfigSourceKind.Flag or ConfigSourceKind.Environment => $"{source.Where} {size}",
                ConfigSourceKind.RepoFile or ConfigSourceKind.UserFile =>
                    $"run.min_available {size} set in {source.Where}",
                _ => $"run.min_available {size}",
            };

        var top = processes
            .Where(p => !p.IsZombie)
            .OrderByDescending(p => p.MemoryBytes)
            .Take(5)
            .Select(p => $"{p.Command} (pid {p.Pid}) {SizeParser.Format(p.MemoryBytes)}");
        return $"{why}; biggest users: {string.Join(", ", top)}. Not started: free memory first, or wait with --wait";
    }
}
