using System.Globalization;
using System.Text;
using Rein.Config;
using Rein.Platform;

namespace Rein.Cleanup;

/// <summary>What cleanup needs to know about one process beyond the process table's row: its owner, working
/// directory, argv and age. Read from /proc on Linux; elsewhere (macOS, unverified) only what the table gives,
/// so the rules that need more (--cwd, the owner check) select nothing there rather than guess.</summary>
public sealed record ProcessDetails(
    uint? Uid,
    string? Cwd,
    IReadOnlyList<string> Argv,
    TimeSpan? Age
)
{
    /// <summary>The executable's base name from argv[0] (<c>/usr/bin/python3</c> → <c>python3</c>).</summary>
    public string ExecutableName => Argv.Count == 0 ? "" : Path.GetFileName(Argv[0]);
}

/// <summary>Reads <see cref="ProcessDetails"/> for Linux processes (a root other than /proc for tests).</summary>
public sealed class ProcessDetailsReader(string procRoot = "/proc")
{
    /// <summary>Clock ticks per second of /proc/PID/stat's start time (USER_HZ, 100 on every Linux build).</summary>
    const double TicksPerSecond = 100;

    readonly double? _uptime = ReadUptime(procRoot);

    public ProcessDetails Read(int pid, ulong startTime)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new ProcessDetails(null, null, [], null);
        }

        var dir = $"{procRoot}/{pid}";
        uint? uid = FileStatus.Of(dir, follow: false)?.Uid;
        string? cwd = null;
        try
        {
            cwd = new DirectoryInfo($"{dir}/cwd").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }

        var argv = new List<string>();
        if (ProcFile.ReadText($"{dir}/cmdline") is { } cmdline)
        {
            argv.AddRange(cmdline.Split('\0'));
            if (argv.Count > 0 && argv[^1].Length == 0)
            {
                argv.RemoveAt(argv.Count - 1);
            }
        }

        TimeSpan? age = _uptime is { } up
            ? TimeSpan.FromSeconds(Math.Max(0, up - startTime / TicksPerSecond))
            : null;
        return new ProcessDetails(uid, cwd, argv, age);
    }

    static double? ReadUptime(string procRoot)
    {
        var first = ProcFile.ReadText($"{procRoot}/uptime")?.Split(' ', 2)[0];
        return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var s)
            ? s
            : null;
    }
}
