using System.Text.Json;
using Rein.Platform.Posix;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Journal;

/// <summary>Issue 20 item 5: a run whose guard lives in another pid namespace (a container or <c>unshare -p</c>
/// sharing the state directory) is judged by the flock its guard holds on its spool file, never by pids that are
/// not the reader's: it is not declared dead, its spool file is not deleted, its real end is kept, and cleanup
/// leaves its tree alone; once its guard is gone, it is declared dead.</summary>
public sealed class PidNamespaceTests : RunTestBase
{
    static readonly Lazy<string[]?> s_unshare = new(() =>
    {
        string[][] candidates =
        [
            ["unshare", "--pid", "--fork", "--mount-proc"],
            ["unshare", "--user", "--map-root-user", "--pid", "--fork", "--mount-proc"],
        ];
        foreach (var c in candidates)
        {
            try
            {
                using var p = System.Diagnostics.Process.Start(
                    new System.Diagnostics.ProcessStartInfo(c[0], [.. c.Skip(1), "true"])
                    {
                        RedirectStandardError = true,
                    }
                )!;
                p.WaitForExit();
                if (p.ExitCode == 0)
                {
                    return c;
                }
            }
            catch (System.ComponentModel.Win32Exception) { }
        }

        return null;
    });

    string Go => Path.Combine(Scratch, "go");

    /// <summary>rein run in a new pid namespace (a shell is its pid 1, so rein is not), its command waiting for
    /// <see cref="Go"/>.</summary>
    ReinProcess StartInNamespace()
    {
        var unshare = s_unshare.Value;
        Assert.SkipWhen(
            unshare is null,
            "needs unshare --pid (root, or unprivileged user namespaces)"
        );
        return ReinProcess.Start(
            [
                "run",
                "--",
                "/bin/sh",
                "-c",
                "while [ ! -e \"$1\" ]; do sleep 0.05; done",
                Marker,
                Go,
            ],
            HomeEnv(),
            wrapper: [.. unshare!, "/bin/sh", "-c", "\"$0\" \"$@\"; rc=$?; exit $rc"]
        );
    }

    JsonElement[] Runs(params string[] verb)
    {
        var r = ReinProcess.Run(verb, HomeEnv());
        Assert.True(r.ExitCode == 0, $"rein {string.Join(' ', verb)}: {r.Stderr}");
        return [.. JsonDocument.Parse(r.Stdout).RootElement.GetProperty("runs").EnumerateArray()];
    }

    [Fact]
    public void A_live_run_in_another_pid_namespace_is_not_declared_dead_and_its_end_is_kept()
    {
        using var inner = StartInNamespace();
        JsonElement live = default;
        Assert.True(
            ProcessProbe.WaitUntil(
                () => Runs("ps", "--json") is [var r] && (live = r).ValueKind != default,
                TimeSpan.FromSeconds(10)
            ),
            "the run never showed in rein ps"
        );
        Assert.True(live.GetProperty("other_pid_namespace").GetBoolean());

        // Every reader reconciles; cleanup would stop a dead run's tree.
        var journal = Assert.Single(Runs("journal", "--json"));
        Assert.Equal("running", journal.GetProperty("state").GetString());
        Assert.Equal(0, ReinProcess.Run(["cleanup", "--yes"], HomeEnv()).ExitCode);
        Assert.NotEmpty(ProcessProbe.Alive(Marker));

        File.WriteAllText(Go, "");
        var done = inner.Wait(TimeSpan.FromSeconds(20));
        Assert.True(done.ExitCode == 0, done.Stderr);

        var ended = Assert.Single(Runs("journal", "--json"));
        Assert.Equal("ended", ended.GetProperty("state").GetString());
        Assert.Equal("exited", ended.GetProperty("outcome").GetString());
        Assert.Equal(0, ended.GetProperty("exit_code").GetInt32());
    }

    [Fact]
    public void A_run_whose_guard_died_in_another_pid_namespace_is_declared_dead()
    {
        using var inner = StartInNamespace();
        Assert.True(
            ProcessProbe.WaitUntil(() => Runs("ps", "--json").Length == 1, TimeSpan.FromSeconds(10))
        );

        // SIGKILL the namespace's pid 1: the kernel kills everything in it, rein included.
        var init = int.Parse(
            File.ReadAllText($"/proc/{inner.Pid}/task/{inner.Pid}/children").Trim().Split(' ')[0],
            System.Globalization.CultureInfo.InvariantCulture
        );
        Assert.Equal(0, LibC.kill(init, LibC.SIGKILL));
        inner.Wait(TimeSpan.FromSeconds(20));

        var run = Assert.Single(Runs("journal", "--json"));
        Assert.Equal("unclean", run.GetProperty("state").GetString());
        Assert.StartsWith("guard vanished", run.GetProperty("unclean_reason").GetString());
    }
}
