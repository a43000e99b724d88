using Rein.Hooks;
using Rein.Tests.Support;

namespace Rein.Tests.Hooks;

/// <summary>Issue 20 item 9: a hook that timed out once does not block the next commit (hooks run with the retry
/// breaker off), and the shim blames a lock only when the lock refused.</summary>
public sealed class HookBreakerTests : IDisposable
{
    readonly string _marker = TestMarker.New("hookbrk");

    public void Dispose() => ProcessProbe.KillAll(_marker);

    [Fact]
    public void After_a_timeout_the_fixed_hook_runs_at_the_next_commit()
    {
        var repo = new GitRepo("breaker");
        var hook = repo.WriteHook(
            "pre-commit",
            $"#!/bin/sh\nexec {HookShim.Quote(Paths.Helper)} {_marker} hang\n"
        );
        Assert.Equal(0, repo.Rein("hook", "install", "pre-commit", "--timeout", "1s").ExitCode);
        var first = repo.Commit(env: new Dictionary<string, string?> { ["REIN_GRACE"] = "1s" });
        Assert.NotEqual(0, first.ExitCode);
        Assert.Contains("did not finish within 1s", first.Stderr);

        // The fix: the original (kept beside the shim) now passes. The same argv and cwd must not be refused.
        File.WriteAllText(hook + HookShim.OriginalSuffix, "#!/bin/sh\nexit 0\n");
        var second = repo.Commit();
        Assert.True(second.ExitCode == 0, second.Stderr);
    }

    [Fact]
    public void A_refusal_that_is_not_the_lock_does_not_blame_the_lock()
    {
        var repo = new GitRepo("memory");
        repo.WriteHook("pre-commit", "#!/bin/sh\nexit 0\n");
        Assert.Equal(0, repo.Rein("hook", "install", "pre-commit", "--timeout", "30s").ExitCode);
        File.WriteAllText(
            Path.Combine(repo.Root, "rein.toml"),
            "[run]\nmin_available = \"900T\"\n"
        );

        var commit = repo.Commit();

        Assert.NotEqual(0, commit.ExitCode);
        Assert.DoesNotContain("holds lock", commit.Stderr);
        Assert.Contains("the pre-commit hook was not started", commit.Stderr);
    }
}
