using Rein.Platform.Posix;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Config;

/// <summary>G7: the state directory (journal, spool, locks, breaker records) is private: 0700 directories and 0600
/// files whichever command created them and whatever the umask; one that others could write is tightened with a
/// warning; one that belongs to another user is refused.</summary>
public sealed class StateDirectoryTests : RunTestBase
{
    const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    const UnixFileMode PrivateDir = Private | UnixFileMode.UserExecute;

    static UnixFileMode ModeOf(string path) => File.GetUnixFileMode(path) & (UnixFileMode)0xFFF;

    static IEnumerable<string> Everything(string root) =>
        [root, .. Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)];

    static List<string> NotPrivate(string root) =>
        [
            .. Everything(root)
                .Where(p =>
                    ModeOf(p) != (Directory.Exists(p) ? PrivateDir : Private)
                    || new FileInfo(p).LinkTarget is not null
                )
                .Select(p =>
                    $"{Path.GetRelativePath(root, p)} {Convert.ToString((int)ModeOf(p), 8)}"
                ),
        ];

    [Theory]
    [InlineData("022")]
    [InlineData("000")]
    public void Every_directory_is_0700_and_every_file_0600_whatever_the_umask(string umask)
    {
        var name = "p" + Guid.NewGuid().ToString("N")[..8];
        var pids = Path.Combine(Scratch, "holder-pids");

        // The first command in a fresh state directory takes a lock (this used to create it 0755); it times out,
        // which writes a retry-breaker record, and its prune creates the database.
        var first = ReinProcess.Run(
            RunArgs(["--lock", name, "--timeout", "300ms", "--grace", "100ms"], "hang"),
            HomeEnv(),
            umask: umask
        );
        Assert.Equal(124, first.ExitCode);
        // Checked at once too: any later command narrows what it finds open to others, which would hide what
        // this one created.
        Assert.Empty(NotPrivate(Home));

        // A waiter's record exists only while it waits: look at it then.
        using var holder = ReinProcess.Start(
            RunArgs(["--lock", name], "pidfile", pids, "hang"),
            HomeEnv(),
            umask: umask
        );
        ProcessProbe.WaitForPids(pids, 1, TimeSpan.FromSeconds(10));
        using var waiter = ReinProcess.Start(
            RunArgs(["--lock", name, "--wait", "30s"], "exit", "0"),
            HomeEnv(),
            umask: umask
        );
        var waiters = Path.Combine(Home, "locks", name + ".waiters");
        Assert.True(
            ProcessProbe.WaitUntil(
                () => Directory.Exists(waiters) && Directory.GetFiles(waiters).Length == 1,
                TimeSpan.FromSeconds(10)
            ),
            "the waiter never showed up"
        );
        Assert.Empty(NotPrivate(Home));
        LibC.kill(holder.Pid, LibC.SIGTERM);
        Assert.Equal(143, holder.Wait(TimeSpan.FromSeconds(10)).ExitCode);
        Assert.Equal(0, waiter.Wait(TimeSpan.FromSeconds(20)).ExitCode);

        foreach (var verb in new[] { "journal", "ps", "locks" })
        {
            var r = ReinProcess.Run([verb, "--json"], HomeEnv(), umask: umask);
            Assert.True(r.ExitCode == 0, $"rein {verb}: {r.Stderr}");
        }

        // The test covers what it claims: each kind of state file was created.
        foreach (var expected in new[] { "rein.db", "rein.db-wal", "last-prune", "prune.lock" })
        {
            Assert.True(File.Exists(Path.Combine(Home, expected)), $"{expected} was not created");
        }

        Assert.Single(Directory.GetFiles(Path.Combine(Home, "breaker")));
        // The slot and the name's slot-count record.
        Assert.Equal(2, Directory.GetFiles(Path.Combine(Home, "locks"), name + ".*").Length);
        Assert.Empty(NotPrivate(Home));
    }

    [Fact]
    public void State_directory_others_can_write_is_tightened_with_one_warning()
    {
        const UnixFileMode Open = (UnixFileMode)0x1FF; // 0777
        Directory.CreateDirectory(Path.Combine(Home, "locks"));
        Directory.CreateDirectory(Path.Combine(Home, "spool"));
        foreach (var d in new[] { Home, Path.Combine(Home, "locks"), Path.Combine(Home, "spool") })
        {
            File.SetUnixFileMode(d, Open);
        }

        var r = ReinProcess.Run(["journal", "--json"], HomeEnv());

        Assert.Equal(0, r.ExitCode);
        var warning = Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.Contains(Home, warning);
        Assert.Contains("0777", warning);
        Assert.Contains("0700", warning);
        Assert.Empty(NotPrivate(Home));

        var again = ReinProcess.Run(["journal", "--json"], HomeEnv());
        Assert.Equal("", again.Stderr);
    }

    [Fact]
    public void State_directory_of_another_user_is_refused()
    {
        Assert.SkipUnless(LibC.getuid() == 0, "needs root to give the directory to another user");
        Directory.CreateDirectory(Home);
        File.SetUnixFileMode(Home, PrivateDir);
        Chown(Home, 65534);

        var run = ReinProcess.Run(RunArgs([], "pidfile", PidFile, "exit", "0"), HomeEnv());
        var journal = ReinProcess.Run(["journal"], HomeEnv());

        Assert.Equal(125, run.ExitCode);
        Assert.False(File.Exists(PidFile), "the command ran");
        Assert.NotEqual(0, journal.ExitCode);
        foreach (var stderr in new[] { run.Stderr, journal.Stderr })
        {
            var line = Assert.Single(stderr.TrimEnd().Split('\n'));
            Assert.Contains(Home, line);
            Assert.Contains("65534", line);
        }

        Assert.Empty(Directory.GetFileSystemEntries(Home));
    }

    [Fact]
    public void Entry_of_another_user_in_the_state_directory_is_refused()
    {
        Assert.SkipUnless(LibC.getuid() == 0, "needs root to give a file to another user");
        Directory.CreateDirectory(Path.Combine(Home, "spool"));
        Chown(Path.Combine(Home, "spool"), 65534);

        var run = ReinProcess.Run(RunArgs([], "pidfile", PidFile, "exit", "0"), HomeEnv());

        Assert.Equal(125, run.ExitCode);
        Assert.False(File.Exists(PidFile), "the command ran");
        var line = Assert.Single(run.Stderr.TrimEnd().Split('\n'));
        Assert.Contains(Path.Combine(Home, "spool"), line);
    }

    static void Chown(string path, int uid)
    {
        using var p = System.Diagnostics.Process.Start("chown", [$"{uid}:{uid}", path]);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
