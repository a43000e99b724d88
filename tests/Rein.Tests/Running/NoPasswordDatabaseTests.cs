using Rein.Tests.Support;

namespace Rein.Tests.Running;

/// <summary>An image without /etc/passwd (busybox, distroless, <c>FROM scratch</c>) or a uid with no entry: the run
/// goes on and the journal names the user as well as it can. Reproduced on the host by hiding /etc behind an empty
/// tmpfs in a private mount namespace (root only); the container test does it in a real image.</summary>
public sealed class NoPasswordDatabaseTests : RunTestBase
{
    [Fact]
    public void Without_etc_passwd_a_run_still_runs_and_is_journaled()
    {
        Assert.SkipUnless(
            OperatingSystem.IsLinux()
                && Rein.Platform.Posix.LibC.getuid() == 0
                && File.Exists("/usr/bin/unshare"),
            "needs root and unshare(1) to hide /etc in a private mount namespace"
        );
        var r = ReinProcess.Run(
            ["run", "--", "/bin/sh", "-c", "exit 7"],
            HomeEnv(("USER", "")),
            wrapper:
            [
                "/usr/bin/unshare",
                "--mount",
                "/bin/sh",
                "-c",
                "mount -t tmpfs none /etc && exec \"$0\" \"$@\"",
            ]
        );
        Assert.True(r.ExitCode == 7, $"exit {r.ExitCode}: {r.Stderr}");

        var journal = ReinProcess.Run(["journal", "--json", "--last", "1"], HomeEnv());
        Assert.Contains("\"user\": \"uid 0\"", journal.Stdout.Replace("\":\"", "\": \""));
    }
}
