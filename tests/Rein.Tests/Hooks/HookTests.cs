using System.Diagnostics;
using Rein.Hooks;
using Rein.Tests.Support;

namespace Rein.Tests.Hooks;

/// <summary>rein hook install/uninstall on real repositories with real commits.</summary>
public sealed class HookTests : IDisposable
{
    readonly string _marker = TestMarker.New("hook");

    public void Dispose() => ProcessProbe.KillAll(_marker);

    string HangingHook(bool ignoreTerm = true) =>
        $"#!/bin/sh\necho 'hook: checking'\nexec {HookShim.Quote(Paths.Helper)} {_marker}"
        + (ignoreTerm ? " ignore-term" : "")
        + " bg [ hang ] hang\n";

    [Fact]
    public void A_hook_that_hangs_is_stopped_with_its_tree_at_the_deadline_and_the_commit_fails()
    {
        var repo = new GitRepo("hang");
        var original = repo.WriteHook("pre-commit", HangingHook());
        var originalBytes = File.ReadAllBytes(original);

        var install = repo.Rein("hook", "install", "pre-commit", "--timeout", "2s");
        Assert.True(install.ExitCode == 0, install.Stderr);
        Assert.Contains("--lock hook-it-s-a--repo---HOME", install.Stdout);

        // REIN_GRACE passes through to the hook's run (machine-wide settings do): TERM is ignored, KILL after 1 s.
        var commit = repo.Commit(env: new Dictionary<string, string?> { ["REIN_GRACE"] = "1s" });
        Assert.NotEqual(0, commit.ExitCode);
        Assert.Contains("the pre-commit hook did not finish within 2s", commit.Stderr);
        Assert.Contains("hook: checking", commit.Stdout + commit.Stderr);
        Assert.True(commit.Elapsed < TimeSpan.FromSeconds(2 + 1 + 3), $"took {commit.Elapsed}");
        Assert.Empty(ProcessProbe.Alive(_marker));

        var uninstall = repo.Rein("hook", "uninstall", "pre-commit");
        Assert.True(uninstall.ExitCode == 0, uninstall.Stderr);
        Assert.Equal(originalBytes, File.ReadAllBytes(original));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(original));
        Assert.False(File.Exists(original + HookShim.OriginalSuffix));
    }

    [Fact]
    public void A_hook_that_passes_gets_its_arguments_and_the_commit_succeeds()
    {
        var repo = new GitRepo("pass");
        var seen = Path.Combine(repo.Root, "seen");
        repo.WriteHook("commit-msg", $"#!/bin/sh\ncat \"$1\" > {HookShim.Quote(seen)}\n");
        Assert.Equal(0, repo.Rein("hook", "install", "commit-msg", "--timeout", "30s").ExitCode);

        var commit = repo.Commit();
        Assert.True(commit.ExitCode == 0, commit.Stderr);
        Assert.Equal("message\n", File.ReadAllText(seen));
    }

    [Fact]
    public void Core_hooksPath_is_where_the_shim_goes()
    {
        var repo = new GitRepo("hookspath");
        repo.MustGit("config", "core.hooksPath", "my hooks");
        var hooks = Path.Combine(repo.Root, "my hooks");
        var ran = Path.Combine(repo.Root, "ran");
        repo.WriteHook("pre-commit", $"#!/bin/sh\ntouch {HookShim.Quote(ran)}\n", hooks);
        Assert.Equal(0, repo.Rein("hook", "install", "--timeout", "30s").ExitCode);

        Assert.True(HookShim.IsShim(File.ReadAllText(Path.Combine(hooks, "pre-commit"))));
        Assert.True(File.Exists(Path.Combine(hooks, "pre-commit" + HookShim.OriginalSuffix)));
        Assert.Equal(0, repo.Commit().ExitCode);
        Assert.True(File.Exists(ran));
    }

    [Fact]
    public void The_pre_commit_frameworks_hook_is_wrapped_run_and_restored_byte_for_byte()
    {
        var repo = new GitRepo("framework");
        var hook = repo.WriteHook(
            "pre-commit",
            File.ReadAllText(Paths.Fixture("hooks", "pre-commit-framework-hook"))
        );
        var before = File.ReadAllBytes(hook);
        var install = repo.Rein("hook", "install", "--timeout", "30s");
        Assert.Contains("the pre-commit framework's hook is kept as", install.Stdout);

        // Without the framework on PATH the generated hook ends with its own message: proof it ran (under rein).
        var commit = repo.Commit(
            env: new Dictionary<string, string?> { ["PATH"] = "/usr/bin:/bin" }
        );
        Assert.NotEqual(0, commit.ExitCode);
        Assert.Contains("`pre-commit` not found", commit.Stderr);

        Assert.Equal(0, repo.Rein("hook", "uninstall").ExitCode);
        Assert.Equal(before, File.ReadAllBytes(hook));
    }

    [Fact]
    public void Installing_again_changes_the_timeout_and_keeps_the_original()
    {
        var repo = new GitRepo("again");
        var original = repo.WriteHook("pre-push", "#!/bin/sh\nexit 0\n");
        var bytes = File.ReadAllBytes(original);
        Assert.Equal(0, repo.Rein("hook", "install", "pre-push", "--timeout", "1m").ExitCode);
        var again = repo.Rein("hook", "install", "pre-push", "--timeout", "5m");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("now stops after 5m", again.Stdout);
        Assert.Contains("--timeout '5m'", File.ReadAllText(original));
        Assert.Equal(bytes, File.ReadAllBytes(original + HookShim.OriginalSuffix));
    }

    [Fact]
    public void A_hook_started_while_another_holds_the_repositorys_lock_exits_75_naming_it()
    {
        var repo = new GitRepo("busy");
        var hook = repo.WriteHook("pre-push", "#!/bin/sh\nexit 0\n");
        var install = repo.Rein("hook", "install", "pre-push", "--timeout", "30s");
        Assert.Equal(0, install.ExitCode);
        using var holder = ReinProcess.Start(
            ["run", "--lock", "hook-it-s-a--repo---HOME", "--", Paths.Helper, _marker, "hang"],
            repo.Env()
        );
        Assert.True(
            ProcessProbe.WaitUntil(
                // The helper itself, not rein run (whose argv carries the marker before it has the slot).
                () =>
                    ProcessProbe
                        .Alive(_marker)
                        .Any(pid =>
                            ProcessProbe
                                .Table.CommandLine(pid)
                                .StartsWith(Paths.Helper, StringComparison.Ordinal)
                        ),
                TimeSpan.FromSeconds(20)
            )
        );

        var psi = new ProcessStartInfo(hook)
        {
            RedirectStandardError = true,
            WorkingDirectory = repo.Root,
        };
        foreach (var (k, v) in repo.Env())
        {
            psi.Environment[k] = v;
        }

        using var run = Process.Start(psi)!;
        var stderr = run.StandardError.ReadToEnd();
        Assert.True(run.WaitForExit(30_000));
        Assert.Equal(75, run.ExitCode);
        Assert.Contains("holds lock 'hook-it-s-a--repo---HOME'", stderr);
    }

    [Theory]
    [InlineData("no-hook")]
    [InlineData("not-executable")]
    [InlineData("bad-name")]
    [InlineData("bad-timeout")]
    [InlineData("uninstall-foreign")]
    public void What_cannot_be_done_is_one_line_and_exit_2(string case_)
    {
        var repo = new GitRepo(case_);
        string[] args = ["hook", "install", "--timeout", "1m"];
        switch (case_)
        {
            case "not-executable":
                File.WriteAllText(Path.Combine(repo.HooksDir, "pre-commit"), "#!/bin/sh\n");
                break;
            case "bad-name":
                args = ["hook", "install", "pre-comit"];
                break;
            case "bad-timeout":
                repo.WriteHook("pre-commit", "#!/bin/sh\n");
                args = ["hook", "install", "--timeout", "0"];
                break;
            case "uninstall-foreign":
                repo.WriteHook("pre-commit", "#!/bin/sh\n");
                args = ["hook", "uninstall"];
                break;
        }

        var r = repo.Rein(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void A_hook_inside_an_outer_guarded_run_does_not_take_the_outer_runs_REIN_limits()
    {
        var repo = new GitRepo("nested");
        // Silent for 2 s, then passes: an inherited REIN_IDLE_TIMEOUT=1s or REIN_TIMEOUT=1s would kill it.
        repo.WriteHook("pre-commit", "#!/bin/sh\nsleep 2\n");
        Assert.Equal(0, repo.Rein("hook", "install", "--timeout", "30s").ExitCode);

        var outer = new[] { Paths.Rein, "run", "--timeout", "60s", "--idle-timeout", "0", "--" };
        var commit = repo.Commit(
            wrapper: outer,
            env: new Dictionary<string, string?>
            {
                ["REIN_IDLE_TIMEOUT"] = "1s",
                ["REIN_TIMEOUT"] = "1s",
            }
        );
        Assert.True(commit.ExitCode == 0, commit.Stderr);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("it's")]
    [InlineData("a \"b\" $HOME `id` \\ $(id) ; rm -rf /")]
    [InlineData("'")]
    [InlineData("")]
    public void Quoting_survives_the_shell(string value)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"printf %s {HookShim.Quote(value)}");
        using var sh = Process.Start(psi)!;
        var output = sh.StandardOutput.ReadToEnd();
        sh.WaitForExit();
        Assert.Equal(value, output);
    }
}
