using System.Buffers.Binary;
using System.Text;

namespace Rein.Platform.MacOS;

/// <summary>A process's arguments and initial environment, as sysctl KERN_PROCARGS2 returns them.</summary>
public sealed record ProcArguments(
    string ExecutablePath,
    IReadOnlyList<string> Arguments,
    IReadOnlyList<string> Environment
);

/// <summary>
/// Pure parser for the KERN_PROCARGS2 buffer (sys/sysctl.h; what <c>ps -E</c> reads): an int argc, the executable
/// path, NUL padding, argc argument strings, then the environment strings up to an empty one (the kernel's "apple"
/// strings may follow). Only the environment part is searched for a variable: an argument that merely looks like
/// <c>REIN_RUN_ID=…</c> (a grep for it) never makes a process a member of a run.
/// </summary>
public static class ProcArgs
{
    /// <summary>The leading argc: a C int (sys/sysctl.h, KERN_PROCARGS2), little-endian on every Apple CPU.</summary>
    [AppleSize("int")]
    public const int ArgcBytes = 4;

    public static ProcArguments? Parse(ReadOnlySpan<byte> data)
    {
        if (!Split(data, out var argc, out var path, out var rest))
        {
            return null;
        }

        var args = new List<string>(Math.Min(argc, 256));
        while (args.Count < argc && Next(ref rest, out var arg))
        {
            args.Add(Encoding.UTF8.GetString(arg));
        }

        var env = new List<string>();
        while (Next(ref rest, out var entry) && !entry.IsEmpty)
        {
            env.Add(Encoding.UTF8.GetString(entry));
        }

        return new ProcArguments(Encoding.UTF8.GetString(path), args, env);
    }

    /// <summary>The value of <paramref name="variable"/> in the environment part, or null; allocates only the result.</summary>
    public static string? EnvironmentVariable(ReadOnlySpan<byte> data, string variable)
    {
        if (!Split(data, out var argc, out _, out var rest))
        {
            return null;
        }

        for (var i = 0; i < argc; i++)
        {
            if (!Next(ref rest, out _))
            {
                return null;
            }
        }

        Span<byte> key = stackalloc byte[Encoding.UTF8.GetByteCount(variable) + 1];
        Encoding.UTF8.GetBytes(variable, key);
        key[^1] = (byte)'=';
        while (Next(ref rest, out var entry) && !entry.IsEmpty)
        {
            if (entry.StartsWith(key))
            {
                return Encoding.UTF8.GetString(entry[key.Length..]);
            }
        }

        return null;
    }

    /// <summary>argc, the executable path, and what follows the NUL padding after it.</summary>
    static bool Split(
        ReadOnlySpan<byte> data,
        out int argc,
        out ReadOnlySpan<byte> path,
        out ReadOnlySpan<byte> rest
    )
    {
        argc = 0;
        path = rest = default;
        if (data.Length < ArgcBytes)
        {
            return false;
        }

        argc = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (argc < 0)
        {
            return false;
        }

        rest = data[ArgcBytes..];
        var end = rest.IndexOf((byte)0);
        if (end < 0)
        {
            return false;
        }

        path = rest[..end];
        rest = rest[end..];
        var first = rest.IndexOfAnyExcept((byte)0);
        rest = first < 0 ? default : rest[first..];
        return true;
    }

    /// <summary>The next NUL-terminated string (an unterminated tail counts); false at the end of the data.</summary>
    static bool Next(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> item)
    {
        if (rest.IsEmpty)
        {
            item = default;
            return false;
        }

        var end = rest.IndexOf((byte)0);
        item = end < 0 ? rest : rest[..end];
        rest = end < 0 ? default : rest[(end + 1)..];
        return true;
    }
}
