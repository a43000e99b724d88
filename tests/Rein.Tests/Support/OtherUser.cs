namespace Rein.Tests.Support;

/// <summary>Runs rein as <c>nobody</c> (root drops to it with setpriv): for what only an ordinary user meets (a
/// folder it cannot write, /proc it cannot open). The built rein may sit in a private (0700) clone nobody cannot
/// reach, so rein, the native libraries it loads from beside itself and the test helper are copied into the test's
/// scratch folder, opened to every user.</summary>
internal static class OtherUser
{
    /// <summary>Skips the test unless it runs as root on Linux with setpriv(1) and the scratch folder's parents let
    /// another user through; returns the copies and the wrapper for <see cref="ReinProcess.Start"/> (it runs the copy
    /// of rein in place of the built one, which comes last in the wrapper's arguments).</summary>
    public static (string Rein, string Helper, IReadOnlyList<string> Wrapper) Prepare(
        string scratch
    )
    {
        Assert.SkipUnless(
            OperatingSystem.IsLinux()
                && Environment.UserName == "root"
                && File.Exists("/usr/bin/setpriv"),
            "needs root and setpriv(1) to run rein as an ordinary user"
        );
        const UnixFileMode all = (UnixFileMode)0x1FF; // 0777: a scratch folder the other user can use
        File.SetUnixFileMode(scratch, all);
        var blocked = Ancestors(scratch)
            .FirstOrDefault(d => (File.GetUnixFileMode(d) & UnixFileMode.OtherExecute) == 0);
        Assert.SkipWhen(
            blocked is not null,
            $"{blocked} (a parent of the temporary folder) is closed to other users, so rein cannot run as nobody there"
        );
        var bin = Path.Combine(scratch, "bin");
        Directory.CreateDirectory(bin);
        foreach (
            var f in Directory
                .GetFiles(Path.GetDirectoryName(Paths.Rein)!)
                .Where(f =>
                    f == Paths.Rein
                    || f.EndsWith(".so", StringComparison.Ordinal)
                    || f.EndsWith(".dylib", StringComparison.Ordinal)
                )
        )
        {
            File.Copy(f, Path.Combine(bin, Path.GetFileName(f)), overwrite: true);
        }

        var rein = Path.Combine(bin, Path.GetFileName(Paths.Rein));
        var helper = Path.Combine(bin, "rein-testhelper");
        File.Copy(Paths.Helper, helper, overwrite: true);
        foreach (var f in Directory.GetFiles(bin))
        {
            File.SetUnixFileMode(f, (UnixFileMode)0x1ED); // 0755
        }

        File.SetUnixFileMode(bin, (UnixFileMode)0x1ED);
        return (
            rein,
            helper,
            [
                "/usr/bin/setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "/bin/sh",
                "-c",
                "shift; exec \"$0\" \"$@\"",
                rein,
            ]
        );
    }

    static IEnumerable<string> Ancestors(string path)
    {
        for (var d = Path.GetDirectoryName(path); d is not null; d = Path.GetDirectoryName(d))
        {
            yield return d;
        }
    }
}
