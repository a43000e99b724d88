using System.Collections.Concurrent;

namespace Rein.Forensics.Breadcrumbs;

/// <summary>
/// Wraps each inference of a .NET worker: <c>using (guard.Enter(modelId)) { ... }</c>, or
/// <c>guard.Run(modelId, () => ...)</c> / <c>RunAsync</c>. In order: the model's first-call settle (once per model
/// per guard), the pre-hook, a durable PRE breadcrumb, the body, then — whatever the body did — the post-hook and
/// a POST breadcrumb. Breadcrumbs go through the same code as <c>rein mark</c> (in process, no subprocess), so
/// <c>rein ps</c> and <c>rein doctor</c> see an inference that hangs or dies. A failing hook or breadcrumb never
/// stops the body and never hides the body's exception: it goes to <see cref="InferenceGuardOptions.Log"/>.
/// </summary>
public sealed class InferenceGuard
{
    readonly InferenceGuardOptions _options;
    readonly ConcurrentDictionary<string, Lazy<Task>> _settled = new(
        StringComparer.OrdinalIgnoreCase
    );
    readonly Lazy<(int Pid, ulong Start)> _self;

    public InferenceGuard(InferenceGuardOptions? options = null)
    {
        _options = options ?? new InferenceGuardOptions();
        _self = new(() => Caller.Self(_options.Table));
    }

    /// <summary>Settles, runs the pre-hook, writes PRE; disposing the scope runs the post-hook and writes POST.
    /// The scope cannot see an exception of the body: prefer <see cref="Run{T}"/> when the POST should say the
    /// inference failed.</summary>
    public Scope Enter(string modelId)
    {
        Check(modelId);
        Settle(modelId).GetAwaiter().GetResult();
        Begin(modelId);
        return new Scope(this, modelId);
    }

    /// <summary>Runs <paramref name="body"/> as one guarded inference; its exception, if any, is rethrown as it was
    /// (after the post-hook and a POST noting the failure).</summary>
    public T Run<T>(string modelId, Func<T> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Check(modelId);
        Settle(modelId).GetAwaiter().GetResult();
        Begin(modelId);
        string? failure = null;
        try
        {
            return body();
        }
        catch (Exception e)
        {
            failure = Failed(e);
            throw;
        }
        finally
        {
            End(modelId, failure);
        }
    }

    /// <summary>As <see cref="Run{T}"/>, for an asynchronous inference; the settle waits asynchronously.</summary>
    public async Task<T> RunAsync<T>(
        string modelId,
        Func<CancellationToken, Task<T>> body,
        CancellationToken cancellation = default
    )
    {
        ArgumentNullException.ThrowIfNull(body);
        Check(modelId);
        await Settle(modelId).WaitAsync(cancellation).ConfigureAwait(false);
        Begin(modelId);
        string? failure = null;
        try
        {
            return await body(cancellation).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = Failed(e);
            throw;
        }
        finally
        {
            End(modelId, failure);
        }
    }

    /// <summary>Whether the first-call settle of <paramref name="modelId"/> has started (tests wait for it).</summary>
    internal bool IsSettling(string modelId) =>
        _settled.TryGetValue(modelId, out var wait) && wait.IsValueCreated;

    static void Check(string modelId)
    {
        if (Cadence.ModelId.Problem(modelId) is { } problem)
        {
            throw new ArgumentException($"model id: {problem}", nameof(modelId));
        }
    }

    static string Failed(Exception e) => $"failed: {e.GetType().Name}";

    /// <summary>The first call of a model waits its settle; concurrent first calls share one wait.</summary>
    Task Settle(string modelId)
    {
        TimeSpan settle;
        try
        {
            settle = FirstCallSettle.For(modelId, _options.Settle);
        }
        catch (Config.ConfigException e)
        {
            // A bad REIN_SETTLE must not stop inferences: said through the log, then the built-in settle.
            Try("settle", modelId, () => throw e);
            settle = FirstCallSettle.For(modelId, "auto");
        }

        if (settle <= TimeSpan.Zero)
        {
            return Task.CompletedTask;
        }

        return _settled
            .GetOrAdd(modelId, _ => new Lazy<Task>(() => Task.Delay(settle, _options.Time)))
            .Value;
    }

    void Begin(string modelId)
    {
        Try("pre-hook", modelId, () => _options.PreHook?.Invoke(modelId));
        Try("pre-breadcrumb", modelId, () => Write(BreadcrumbKind.Pre, modelId, null));
    }

    void End(string modelId, string? note)
    {
        Try("post-hook", modelId, () => _options.PostHook?.Invoke(modelId));
        Try("post-breadcrumb", modelId, () => Write(BreadcrumbKind.Post, modelId, note));
    }

    void Write(BreadcrumbKind kind, string modelId, string? note)
    {
        var (pid, start) = _self.Value;
        BreadcrumbWriter.Append(
            _options.StateDirectory,
            new Breadcrumb(
                _options.Time.GetUtcNow(),
                kind,
                modelId,
                pid,
                start,
                _options.RunId,
                note
            )
        );
    }

    void Try(string stage, string modelId, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e)
        {
            try
            {
                _options.Log(new InferenceGuardFailure(stage, modelId, e));
            }
            catch (Exception)
            {
                // A logger that throws must not undo what the guard exists for.
            }
        }
    }

    /// <summary>One inference in progress; Dispose ends it (post-hook, POST). Idempotent.</summary>
    public sealed class Scope : IDisposable
    {
        readonly InferenceGuard _guard;
        readonly string _modelId;
        int _disposed;

        internal Scope(InferenceGuard guard, string modelId)
        {
            _guard = guard;
            _modelId = modelId;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _guard.End(_modelId, null);
            }
        }
    }
}
