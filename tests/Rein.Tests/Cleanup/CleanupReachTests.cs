using Rein.Tests.Support;

namespace Rein.Tests.Cleanup;

/// <summary>Issue 20 item 1: <c>rein cleanup --cwd</c> never reaches outside a repository. Without DIR outside a
/// repository it is a usage error (never "the current directory"); DIR equal to <c>/</c>, <c>$HOME</c> or an
/// ancestor of <c>$HOME</c> is refused unless --match narrows it; more than 20 processes need --yes=N.</summary>
public sealed class CleanupReachTests : CleanupTestBase
{
    [Fact]
    public void Cwd_without_dir_outside_a_repository_is_a_usage_error()
    {
        var outside = Directory.CreateDirectory(Path.Combine(Scratch, "not-a-repo")).FullName;
        var r = ReinProcess.Run(
            ["cleanup", "--cwd", "--json"],
            HomeEnv(),
            TimeSpan.FromSeconds(60),
            workingDirectory: outside
        );
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("rein cleanup: --cwd: not in a repository; give --cwd DIR", r.Stderr.Trim());
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void Cwd_without_dir_inside_a_repository_means_its_root()
    {
        var repo = Directory.CreateDirectory(Path.Combine(Scratch, "repo")).FullName;
        Directory.CreateDirectory(Path.Combine(repo, ".git"));
        var sub = Directory.CreateDirectory(Path.Combine(repo, "src", "deep")).FullName;
        var r = ReinProcess.Run(
            ["cleanup", "--cwd", "--json"],
            HomeEnv(),
            TimeSpan.FromSeconds(60),
            workingDirectory: sub
        );
        Assert.Equal(0, r.ExitCode);
        Json(r);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("home")]
    [InlineData("home-parent")]
    public void Root_home_and_an_ancestor_of_home_are_refused_unless_match_narrows(string which)
    {
        var home = Directory.CreateDirectory(Path.Combine(Scratch, "homes", "user")).FullName;
        var dir = which switch
        {
            "/" => "/",
            "home" => home + "/",
            _ => Path.Combine(Scratch, "homes"),
        };
        var env = HomeEnv(("HOME", home));
        var refused = ReinProcess.Run(
            ["cleanup", "--cwd", dir, "--json"],
            env,
            TimeSpan.FromSeconds(60)
        );
        Assert.Equal(2, refused.ExitCode);
        Assert.StartsWith("rein cleanup: --cwd ", refused.Stderr);
        Assert.Contains("--match", refused.Stderr);
        Assert.Equal("", refused.Stdout);

        var narrowed = ReinProcess.Run(
            ["cleanup", "--cwd", dir, "--match", Marker, "--json"],
            env,
            TimeSpan.FromSeconds(60)
        );
        Assert.Equal(0, narrowed.ExitCode);
        Assert.Empty(Json(narrowed).GetProperty("processes").EnumerateArray());
    }

    [Fact]
    public void More_than_twenty_processes_need_the_count_restated()
    {
        var project = Directory.CreateDirectory(Path.Combine(Scratch, "project")).FullName;
        StartDetached(
            Paths.Helper,
            [
                Marker,
                "setsid",
                "[",
                "pidfile",
                PidFile,
                "fan",
                "20",
                "[",
                "pidfile",
                PidFile,
                "hang",
                "]",
                "hang",
                "]",
            ],
            cwd: project
        );
        var pids = ProcessProbe.WaitForPids(PidFile, 21, TimeSpan.FromSeconds(10));

        var bare = Cleanup("--cwd", project, "--match", Marker, "--yes");
        Assert.Equal(2, bare.ExitCode);
        Assert.Contains("--yes=21", bare.Stderr);
        Thread.Sleep(300);
        Assert.All(pids, pid => Assert.True(Alive(pid), $"pid {pid} was stopped by a bare --yes"));

        var wrong = Cleanup("--cwd", project, "--match", Marker, "--yes=20", "--json");
        Assert.Equal(2, wrong.ExitCode);
        Assert.All(pids, pid => Assert.True(Alive(pid), $"pid {pid} was stopped by --yes=20"));

        var r = Cleanup("--cwd", project, "--match", Marker, "--yes=21", "--json");
        Assert.Equal(0, r.ExitCode);
        Assert.All(pids, pid => Assert.True(Gone(pid), $"pid {pid} survived --yes=21"));
    }
}
