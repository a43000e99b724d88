using System.Text;
using Rein.Platform.MacOS;

namespace Rein.Tests.Platform;

/// <summary>The KERN_PROCARGS2 parser, on byte images built as the kernel lays them out (bsd/kern/kern_sysctl.c,
/// sysctl_procargsx: an int argc, the exec path, NUL padding to a word, argv, envp, then the apple strings).</summary>
public sealed class ProcArgsTests
{
    static byte[] Image(string path, string[] argv, string[] env, string[] apple, int padding = 7)
    {
        var b = new List<byte>(BitConverter.GetBytes(argv.Length)); // little-endian on every Apple platform
        b.AddRange(Encoding.UTF8.GetBytes(path));
        b.AddRange(new byte[1 + padding]);
        foreach (var s in argv.Concat(env))
        {
            b.AddRange(Encoding.UTF8.GetBytes(s));
            b.Add(0);
        }

        b.Add(0); // the environment ends with an empty string
        foreach (var s in apple)
        {
            b.AddRange(Encoding.UTF8.GetBytes(s));
            b.Add(0);
        }

        return [.. b];
    }

    [Fact]
    public void Arguments_and_environment_are_split_where_the_kernel_puts_them()
    {
        var image = Image(
            "/usr/bin/python3",
            ["python3", "-c", "print(1)"],
            ["HOME=/Users/me", "REIN_RUN_ID=20261122T185628Z-3f9a1c2b0d", "LANG=de_DE.UTF-8"],
            ["executable_path=/usr/bin/python3", "ptr_munge="]
        );

        var parsed = ProcArgs.Parse(image)!;
        Assert.Equal("/usr/bin/python3", parsed.ExecutablePath);
        Assert.Equal(["python3", "-c", "print(1)"], parsed.Arguments);
        Assert.Equal(
            ["HOME=/Users/me", "REIN_RUN_ID=20261122T185628Z-3f9a1c2b0d", "LANG=de_DE.UTF-8"],
            parsed.Environment
        );
        Assert.Equal(
            "20261122T185628Z-3f9a1c2b0d",
            ProcArgs.EnvironmentVariable(image, "REIN_RUN_ID")
        );
        Assert.Equal("de_DE.UTF-8", ProcArgs.EnvironmentVariable(image, "LANG"));
        Assert.Null(ProcArgs.EnvironmentVariable(image, "LAN"));
        Assert.Null(ProcArgs.EnvironmentVariable(image, "executable_path"));
    }

    [Fact]
    public void An_argument_that_looks_like_the_marker_is_not_the_environment()
    {
        // `grep REIN_RUN_ID=run-1` started after the run must not become one of its members.
        var image = Image("/usr/bin/grep", ["grep", "REIN_RUN_ID=run-1"], ["PATH=/bin"], []);
        Assert.Null(ProcArgs.EnvironmentVariable(image, "REIN_RUN_ID"));
        Assert.Equal(["grep", "REIN_RUN_ID=run-1"], ProcArgs.Parse(image)!.Arguments);
    }

    [Fact]
    public void A_cleared_environment_and_truncated_or_short_buffers_are_handled()
    {
        var empty = Image("/bin/sleep", ["sleep", "100"], [], []);
        Assert.Empty(ProcArgs.Parse(empty)!.Environment);
        Assert.Null(ProcArgs.EnvironmentVariable(empty, "REIN_RUN_ID"));

        Assert.Null(ProcArgs.Parse([1, 0]));
        Assert.Null(ProcArgs.Parse([0xFF, 0xFF, 0xFF, 0xFF, (byte)'x', 0])); // argc < 0
        var cut = Image("/bin/sh", ["sh", "-c", "x"], ["A=1"], [])[..10]; // path cut off: no NUL
        Assert.Null(ProcArgs.Parse(cut));
        var partial = Image("/bin/sh", ["sh", "-c", "x"], ["A=1"], []);
        Assert.Equal(
            ["sh", "-c"],
            ProcArgs.Parse(partial.AsSpan(0, partial.Length - 7))!.Arguments
        );
    }
}
