using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Locking;

/// <summary>G7: nothing in the state directory is opened through a symbolic link. A link planted there (by someone
/// who could write the directory before it was made private) must neither be written through nor create its
/// target — which, for root, could be any file on the machine. Refusals exit 125: the state directory will not
/// repair itself, so "try later" (75) would be a lie.</summary>
public sealed class StateSymlinkTests : RunTestBase
{
    string Victim => Path.Combine(Scratch, "victim");

    string LockName => "s" + Guid.NewGuid().ToString("N")[..8];

    void AssertRefused(RunResult r, string link)
    {
        Assert.Equal(125, r.ExitCode);
        var line = Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.Contains(link, line);
        Assert.Contains("symbolic link", line);
        Assert.False(File.Exists(PidFile), "the command ran");
    }

    [Fact]
    public void Symlinked_slot_file_is_refused_and_its_target_left_alone()
    {
        var name = LockName;
        Directory.CreateDirectory(Path.Combine(Home, "locks"));
        File.WriteAllText(Victim, "precious\n");
        var link = Path.Combine(Home, "locks", name + ".0");
        File.CreateSymbolicLink(link, Victim);

        var r = ReinProcess.Run(
            RunArgs(["--lock", name], "pidfile", PidFile, "exit", "0"),
            HomeEnv()
        );

        AssertRefused(r, link);
        Assert.Equal("precious\n", File.ReadAllText(Victim));
    }

    [Fact]
    public void Dangling_symlinked_slot_file_is_refused_and_its_target_not_created()
    {
        var name = LockName;
        Directory.CreateDirectory(Path.Combine(Home, "locks"));
        var link = Path.Combine(Home, "locks", name + ".0");
        File.CreateSymbolicLink(link, Victim);

        var r = ReinProcess.Run(
            RunArgs(["--lock", name], "pidfile", PidFile, "exit", "0"),
            HomeEnv()
        );

        AssertRefused(r, link);
        Assert.False(File.Exists(Victim), "rein created the link's target");
    }

    [Theory]
    [InlineData("locks")]
    [InlineData("spool")]
    [InlineData("breaker")]
    public void Symlinked_state_subdirectory_is_refused(string folder)
    {
        var elsewhere = Path.Combine(Scratch, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        Directory.CreateDirectory(Home);
        var link = Path.Combine(Home, folder);
        Directory.CreateSymbolicLink(link, elsewhere);

        var r = ReinProcess.Run(
            RunArgs(["--lock", LockName], "pidfile", PidFile, "exit", "0"),
            HomeEnv()
        );

        AssertRefused(r, link);
        Assert.Empty(Directory.GetFileSystemEntries(elsewhere));
    }

    [Fact]
    public void Symlinked_waiters_directory_is_refused()
    {
        var name = LockName;
        var elsewhere = Path.Combine(Scratch, "elsewhere");
        Directory.CreateDirectory(elsewhere);
        var holderPids = Path.Combine(Scratch, "holder");
        using var holder = ReinProcess.Start(
            RunArgs(["--lock", name], "pidfile", holderPids, "hang"),
            HomeEnv()
        );
        ProcessProbe.WaitForPids(holderPids, 1, TimeSpan.FromSeconds(10));
        var link = Path.Combine(Home, "locks", name + ".waiters");
        Directory.CreateSymbolicLink(link, elsewhere);

        var r = ReinProcess.Run(
            RunArgs(["--lock", name, "--wait", "5s"], "pidfile", PidFile, "exit", "0"),
            HomeEnv()
        );

        AssertRefused(r, link);
        Assert.Empty(Directory.GetFileSystemEntries(elsewhere));
    }

    [Theory]
    [InlineData("rein.db")]
    [InlineData("rein.db-wal")]
    public void Symlinked_journal_file_is_refused(string file)
    {
        Directory.CreateDirectory(Home);
        File.WriteAllText(Victim, "precious\n");
        var link = Path.Combine(Home, file);
        File.CreateSymbolicLink(link, Victim);

        var r = ReinProcess.Run(["journal"], HomeEnv());

        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.Contains(link, line);
        Assert.Contains("symbolic link", line);
        Assert.Equal("precious\n", File.ReadAllText(Victim));
    }
}
