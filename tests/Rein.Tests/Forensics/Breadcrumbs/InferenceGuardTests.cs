using Microsoft.Extensions.Time.Testing;
using Rein.Config;
using Rein.Forensics.Breadcrumbs;
using Rein.Journal;

namespace Rein.Tests.Forensics.Breadcrumbs;

/// <summary>InferenceGuard: hooks that fail never block the body or hide its exception; breadcrumbs land in the
/// journal; the first call of a settling family waits on the TimeProvider.</summary>
public sealed class InferenceGuardTests : IDisposable
{
    readonly string _home = Directory.CreateTempSubdirectory("rein-guard-").FullName;
    readonly List<InferenceGuardFailure> _log = [];
    readonly string _run = "guard-" + Guid.NewGuid().ToString("N")[..12];

    InferenceGuard Guard(
        Action<string>? pre = null,
        Action<string>? post = null,
        string? settle = "off",
        TimeProvider? time = null
    ) =>
        new(
            new InferenceGuardOptions
            {
                PreHook = pre,
                PostHook = post,
                Log = f =>
                {
                    lock (_log)
                    {
                        _log.Add(f);
                    }
                },
                Settle = settle,
                Time = time ?? TimeProvider.System,
                StateDirectory = _home,
                RunId = _run,
            }
        );

    List<Breadcrumb> Journaled()
    {
        using var store = JournalStore.Open(_home);
        return store.BreadcrumbsOfRun(_run);
    }

    [Fact]
    public void A_failing_pre_hook_is_logged_and_the_body_still_runs_between_PRE_and_POST()
    {
        var ran = false;
        var guard = Guard(pre: _ => throw new InvalidOperationException("cache release failed"));
        using (guard.Enter("org/model-a"))
        {
            ran = true;
        }

        Assert.True(ran);
        var failure = Assert.Single(_log);
        Assert.Equal("pre-hook", failure.Stage);
        Assert.Equal("cache release failed", failure.Error.Message);
        var crumbs = Journaled();
        Assert.Equal([BreadcrumbKind.Pre, BreadcrumbKind.Post], crumbs.Select(c => c.Kind));
        Assert.All(crumbs, c => Assert.Equal(Environment.ProcessId, c.Pid));
        Assert.All(crumbs, c => Assert.Equal("org/model-a", c.Model));
    }

    [Fact]
    public void A_failing_post_hook_never_masks_the_bodys_exception()
    {
        var bodyError = new TimeoutException("the body's own failure");
        var guard = Guard(post: _ => throw new InvalidOperationException("sync failed"));

        var thrown = Assert.Throws<TimeoutException>(() =>
            guard.Run<int>("org/model-b", () => throw bodyError)
        );
        Assert.Same(bodyError, thrown);

        // The using shape too: Dispose runs the failing post-hook while the body's exception unwinds.
        void Scoped()
        {
            using (guard.Enter("org/model-b"))
            {
                throw bodyError;
            }
        }

        var viaScope = Assert.Throws<TimeoutException>(Scoped);
        Assert.Same(bodyError, viaScope);

        Assert.Equal(["post-hook", "post-hook"], _log.Select(f => f.Stage));
        var crumbs = Journaled();
        Assert.Equal(4, crumbs.Count);
        Assert.Equal("failed: TimeoutException", crumbs[1].Note); // Run sees the body's exception
        Assert.Null(crumbs[3].Note);
    }

    [Fact]
    public async Task Both_hooks_failing_are_both_logged_and_RunAsync_returns_the_result()
    {
        var guard = Guard(
            pre: _ => throw new InvalidOperationException("pre"),
            post: _ => throw new InvalidOperationException("post")
        );
        var result = await guard.RunAsync(
            "org/model-c",
            _ => Task.FromResult(42),
            TestContext.Current.CancellationToken
        );
        Assert.Equal(42, result);
        Assert.Equal(["pre-hook", "post-hook"], _log.Select(f => f.Stage));
    }

    [Fact]
    public void A_breadcrumb_that_cannot_be_written_is_logged_and_the_body_runs()
    {
        var file = Path.Combine(_home, "not-a-dir");
        File.WriteAllText(file, "");
        var guard = new InferenceGuard(
            new InferenceGuardOptions
            {
                Log = f => _log.Add(f),
                Settle = "off",
                StateDirectory = file,
                RunId = _run,
            }
        );
        Assert.Equal(7, guard.Run("org/model-d", () => 7));
        Assert.Equal(["pre-breadcrumb", "post-breadcrumb"], _log.Select(f => f.Stage));
    }

    [Fact]
    public async Task The_first_call_of_a_gemma_4_model_settles_three_seconds_on_the_time_provider()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var guard = Guard(settle: null, time: time);
        const string Gemma = "mlx-community/gemma-4-31b-it-8bit";
        var ran = new TaskCompletionSource();
        var first = Task.Run(
            () =>
            {
                using (guard.Enter(Gemma))
                {
                    ran.SetResult();
                }
            },
            TestContext.Current.CancellationToken
        );

        Assert.True(
            Support.ProcessProbe.WaitUntil(() => guard.IsSettling(Gemma), TimeSpan.FromSeconds(30))
        );
        time.Advance(TimeSpan.FromSeconds(2.9));
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.False(ran.Task.IsCompleted, "the body ran before the settle was over");
        time.Advance(TimeSpan.FromSeconds(0.1));
        await ran.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await first;

        // Later calls of that model, and models of no settling family, do not wait (time is not advanced).
        Assert.Equal(1, guard.Run(Gemma, () => 1));
        Assert.Equal(2, guard.Run("org/other-model", () => 2));
    }

    [Fact]
    public void Settle_off_and_an_override_are_honoured()
    {
        const string Gemma = "mlx-community/gemma-4-31b-it-8bit";
        Assert.Equal(TimeSpan.FromSeconds(3), FirstCallSettle.For(Gemma, "auto"));
        Assert.Equal(TimeSpan.Zero, FirstCallSettle.For(Gemma, "off"));
        Assert.Equal(TimeSpan.FromSeconds(5), FirstCallSettle.For("org/any", "5s"));
        Assert.Equal(TimeSpan.Zero, FirstCallSettle.For("org/any", "auto"));
        Assert.Throws<ConfigException>(() => FirstCallSettle.For(Gemma, "soon"));

        // REIN_SETTLE=off: the guard does not wait even on a clock that never moves.
        var frozen = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var guard = Guard(settle: "off", time: frozen);
        Assert.Equal(3, guard.Run(Gemma, () => 3));

        // A bad setting never stops the inference: logged, and the built-in settle applies (none for this model).
        var bad = Guard(settle: "soon", time: frozen);
        Assert.Equal(4, bad.Run("org/any", () => 4));
        Assert.Equal("settle", Assert.Single(_log).Stage);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException) { }
    }
}
