using Rein.Tests.Support;

namespace Rein.Tests.Cleanup;

/// <summary>--cwd and --match: leftovers started outside Rein, found by where they work and a whole-argument token;
/// never a substring of the command line, never another user's process.</summary>
public sealed class CleanupScopeTests : CleanupTestBase
{
    string Project
    {
        get
        {
            var dir = Path.Combine(Scratch, "project");
            Directory.CreateDirectory(Path.Combine(dir, ".test_outputs"));
            return dir;
        }
    }

    [Fact]
    public void A_leftover_in_its_own_session_inside_the_project_is_found_with_cwd_and_match_and_killed()
    {
        var project = Project;
        StartDetached(
            Paths.Helper,
            [
                Marker,
                "setsid",
                "[",
                "ignore-term",
                "pidfile",
                PidFile,
                "fan",
                "1",
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
        var pids = ProcessProbe.WaitForPids(PidFile, 2, TimeSpan.FromSeconds(5));

        var dry = Cleanup("--cwd", project, "--match", Marker, "--json");
        Assert.All(
            pids,
            pid =>
                Assert.Equal(
                    "would_kill",
                    Entry(Json(dry), "processes", pid)!.Value.GetProperty("action").GetString()
                )
        );
        Assert.All(pids, pid => Assert.True(Alive(pid)));

        var r = Cleanup("--cwd", project, "--match", Marker, "--yes", "--json");
        Assert.Equal(0, r.ExitCode);
        var doc = Json(r);
        Assert.All(
            pids,
            pid =>
                Assert.Equal(
                    "cwd",
                    Entry(doc, "processes", pid)!.Value.GetProperty("rule").GetString()
                )
        );
        Assert.All(pids, pid => Assert.True(Gone(pid), $"pid {pid} survived"));
    }

    [Fact]
    public void Match_is_a_whole_argument_never_a_substring_an_http_server_serving_test_outputs_survives()
    {
        var project = Project;
        var server = Path.Combine(Scratch, "server.pid");
        // The field's accident: `pkill -f 'python.*test'` killed this because of ".test_outputs" in its argv.
        StartDetached(
            "/bin/sh",
            [
                "-c",
                $"setsid python3 -m http.server --directory .test_outputs 0 >/dev/null 2>&1 & echo $! > {server}",
            ],
            cwd: project
        );
        StartDetached(
            Paths.Helper,
            [Marker, "setsid", "[", "tag", "test", "pidfile", PidFile, "hang", "]"],
            cwd: project
        );
        var leftover = ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5))[0];
        var serverPid = ProcessProbe.WaitForPids(server, 1, TimeSpan.FromSeconds(5))[0];
        try
        {
            Assert.True(ProcessProbe.WaitUntil(() => Alive(serverPid), TimeSpan.FromSeconds(2)));
            var r = Cleanup("--cwd", project, "--match", "test", "--yes", "--json");
            Assert.Equal(0, r.ExitCode);
            Assert.Null(Entry(Json(r), "processes", serverPid));
            Assert.True(Gone(leftover), "the process with the whole argument 'test' survived");
            Thread.Sleep(300);
            Assert.True(Alive(serverPid), "the http.server was killed by --match test");
        }
        finally
        {
            Rein.Platform.Posix.LibC.kill(serverPid, Rein.Platform.Posix.LibC.SIGKILL);
        }
    }

    [Fact]
    public void Another_users_process_is_spared()
    {
        if (Rein.Platform.Posix.LibC.getuid() != 0 || !File.Exists("/usr/bin/setpriv"))
        {
            Assert.Skip("needs root and setpriv to start a process as another user (uid 65534)");
        }

        var project = Project;
        StartDetached(
            "/usr/bin/setsid",
            [
                "-f",
                "/usr/bin/setpriv",
                "--reuid",
                "65534",
                "--regid",
                "65534",
                "--clear-groups",
                Paths.Helper,
                Marker,
                "hang",
            ],
            cwd: project
        );
        // The helper itself, once setsid and setpriv (whose argv carry the marker too) have exec'd or exited.
        var pid = 0;
        Assert.True(
            ProcessProbe.WaitUntil(
                () =>
                {
                    var helper = ProcessProbe
                        .Alive(Marker)
                        .Where(p =>
                            ProcessProbe
                                .Table.CommandLine(p)
                                .StartsWith(Paths.Helper, StringComparison.Ordinal)
                        )
                        .ToList();
                    pid = helper.Count == 1 ? helper[0] : 0;
                    return pid != 0;
                },
                TimeSpan.FromSeconds(5)
            )
        );

        var r = Cleanup("--cwd", project, "--match", Marker, "--yes", "--json");
        var spared = Entry(Json(r), "spared", pid);
        Assert.True(spared is not null, r.Stdout);
        Assert.StartsWith("another user's", spared.Value.GetProperty("why").GetString());
        Assert.Null(Entry(Json(r), "processes", pid));
        Thread.Sleep(300);
        Assert.True(Alive(pid), "another user's process was signalled");
    }
}
