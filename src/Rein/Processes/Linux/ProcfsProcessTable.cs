using System.Text;
using Rein.Platform;

namespace Rein.Processes.Linux;

/// <summary>The Linux process table, read from /proc.</summary>
public sealed class ProcfsProcessTable : IProcessTable
{
    readonly string _root;
    readonly long _pageSize = Environment.SystemPageSize;

    public ProcfsProcessTable(string root = "/proc") => _root = root;

    public IReadOnlyList<ProcessInfo> Snapshot()
    {
        var result = new List<ProcessInfo>(512);
        foreach (var pid in Pids())
        {
            var p = Read(pid);
            if (p is not null)
            {
                result.Add(p);
            }
        }

        return result;
    }

    /// <summary>Numeric entries of /proc; cheap enough to call per sample.</summary>
    public IEnumerable<int> Pids()
    {
        foreach (var dir in Directory.EnumerateDirectories(_root))
        {
            var name = Path.GetFileName(dir.AsSpan());
            if (name.Length > 0 && char.IsAsciiDigit(name[0]) && int.TryParse(name, out var pid))
            {
                yield return pid;
            }
        }
    }

    /// <summary>One process's /proc/PID/stat; null when it is gone (between listing and reading) or not ours to
    /// read. Read with plain open/read (<see cref="ProcFile"/>), not FileStream's flock emulation.</summary>
    public ProcessInfo? Read(int pid) =>
        ProcFile.ReadText($"{_root}/{pid}/stat") is { } stat
            ? ProcStatParser.Parse(stat, _pageSize)
            : null;

    public string? ReadEnvironmentVariable(int pid, string variable)
    {
        return ProcFile.ReadBytes($"{_root}/{pid}/environ") is { } environ
            ? FindVariable(environ, variable)
            : null;
    }

    /// <summary>Finds KEY=VALUE in a NUL-separated environment block.</summary>
    public static string? FindVariable(ReadOnlySpan<byte> environ, string variable)
    {
        Span<byte> key = stackalloc byte[variable.Length + 1];
        Encoding.ASCII.GetBytes(variable, key);
        key[^1] = (byte)'=';
        while (!environ.IsEmpty)
        {
            var end = environ.IndexOf((byte)0);
            var entry = end < 0 ? environ : environ[..end];
            if (entry.StartsWith(key))
            {
                return Encoding.UTF8.GetString(entry[key.Length..]);
            }

            if (end < 0)
            {
                break;
            }

            environ = environ[(end + 1)..];
        }

        return null;
    }

    public string CommandLine(int pid)
    {
        if (ProcFile.ReadText($"{_root}/{pid}/cmdline") is { Length: > 0 } text)
        {
            return text.TrimEnd('\0').Replace('\0', ' ');
        }

        return Read(pid)?.Command ?? "";
    }

    /// <summary>Direct children of <paramref name="pid"/> from /proc/PID/task/*/children (every thread's list:
    /// a child belongs to the thread that spawned it, an adopted orphan to whichever thread the kernel chose).
    /// Returns null when the kernel does not provide the file.</summary>
    public IReadOnlyList<int>? Children(int pid)
    {
        var result = new List<int>();
        try
        {
            foreach (var task in Directory.EnumerateDirectories($"{_root}/{pid}/task"))
            {
                if (ProcFile.ReadText(Path.Combine(task, "children")) is not { } children)
                {
                    return null;
                }

                foreach (var part in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (int.TryParse(part, out var child))
                    {
                        result.Add(child);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return result;
    }

    /// <summary>/proc shows our own pid namespace (not so under <c>unshare --pid</c> without a new /proc).</summary>
    public static bool DescribesOurNamespace()
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        try
        {
            return new FileInfo("/proc/self").LinkTarget == Environment.ProcessId.ToString();
        }
        catch (IOException)
        {
            return false;
        }
    }
}
