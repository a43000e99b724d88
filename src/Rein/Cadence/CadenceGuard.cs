namespace Rein.Cadence;

/// <summary>
/// The cadence guard: spaces model loads across every process of the user (see <see cref="CadenceRules"/>). Check
/// and mark are one atomic step across processes (<see cref="TryAcquire"/>), so of any number of concurrent
/// callers for one model exactly one passes. Loads whose holder died without releasing count as released at its
/// last sign of life. The clock (<see cref="TimeProvider"/>) and the state directory are the caller's.
/// </summary>
public sealed class CadenceGuard
{
    /// <summary>Released records that no rule consults any more are kept this long for <c>rein cadence status</c>
    /// (every run reads and writes the whole store: it stays small).</summary>
    static readonly TimeSpan History = TimeSpan.FromHours(1);

    const int MaxRecords = 100;

    readonly CadenceStore _store;
    readonly Func<int, ulong, bool> _alive;

    /// <param name="stateDirectory">Rein's state directory (the store is <c>cadence/loads.json</c> in it).</param>
    /// <param name="policy">The rules (default: 180 s same model, cross model off, the built-in families).</param>
    /// <param name="time">The clock (tests pass a FakeTimeProvider).</param>
    /// <param name="holderAlive">Whether a holder (pid, start time) lives; default: the process table.</param>
    public CadenceGuard(
        string stateDirectory,
        CadencePolicy? policy = null,
        TimeProvider? time = null,
        Func<int, ulong, bool>? holderAlive = null
    )
    {
        _store = new CadenceStore(stateDirectory);
        Policy = policy ?? CadencePolicy.Default;
        Time = time ?? TimeProvider.System;
        _alive = holderAlive ?? CadenceHolder.IsAlive;
    }

    public CadencePolicy Policy { get; }

    public TimeProvider Time { get; }

    /// <summary>The store file, for messages.</summary>
    public string StorePath => _store.DataPath;

    /// <summary>Set when the store was unreadable and moved aside to this path (then started empty).</summary>
    public string? MovedAside => _store.MovedAside;

    /// <summary>What would block loading <paramref name="models"/> now, without marking anything; null when clear.</summary>
    public CadenceBlock? Check(params IReadOnlyList<string> models)
    {
        var now = Time.GetUtcNow();
        var loads = _store.Read();
        // Every holder is looked at (not only those that matter to the rules): the answer names the state.
        MarkVanished(loads, _ => true);
        return CadenceRules.Evaluate(Policy, models, loads, now);
    }

    /// <summary>Check and mark in one step: when clear, records that <paramref name="holder"/> loads
    /// <paramref name="models"/> now and returns null; otherwise returns the block and marks nothing.</summary>
    public CadenceBlock? TryAcquire(IReadOnlyList<string> models, CadenceHolder holder) =>
        _store.Update(loads =>
        {
            var now = Time.GetUtcNow();
            var changed = MarkVanished(loads, RelevantAt(now));
            if (CadenceRules.Evaluate(Policy, models, loads, now) is { } block)
            {
                return (block, changed);
            }

            WidenTheRaceForTests();
            foreach (var model in models.Distinct(ModelId.Comparer))
            {
                loads.Add(
                    new CadenceLoad
                    {
                        Model = model,
                        Token = holder.Token,
                        Pid = holder.Pid,
                        PidStart = holder.PidStart,
                        Command = holder.Command,
                        StartedAt = now,
                        SeenAt = now,
                    }
                );
            }

            Prune(loads, now);
            return ((CadenceBlock?)null, true);
        });

    /// <summary>Check and mark; throws when blocked.</summary>
    /// <exception cref="CadenceViolation">Blocked (a <see cref="CrossModelCadenceViolation"/> when another model's
    /// load is in the way), with the blocking load and the time left.</exception>
    public CadenceLease Acquire(IReadOnlyList<string> models, CadenceHolder? holder = null)
    {
        holder ??= CadenceHolder.CurrentProcess();
        return TryAcquire(models, holder) is { } block
            ? throw CadenceViolation.For(block)
            : new CadenceLease(this, models, holder.Token);
    }

    public CadenceLease Acquire(string model, CadenceHolder? holder = null) =>
        Acquire([model], holder);

    /// <summary>Waits (on <see cref="Time"/>) until the load is allowed, up to <paramref name="maxWait"/>, then marks it.</summary>
    /// <exception cref="CadenceViolation">Still blocked when the wait is over.</exception>
    public async Task<CadenceLease> AcquireAsync(
        IReadOnlyList<string> models,
        TimeSpan maxWait,
        CadenceHolder? holder = null,
        CancellationToken cancel = default
    )
    {
        holder ??= CadenceHolder.CurrentProcess();
        var deadline = Time.GetUtcNow() + maxWait;
        while (true)
        {
            var block = TryAcquire(models, holder);
            if (block is null)
            {
                return new CadenceLease(this, models, holder.Token);
            }

            var now = Time.GetUtcNow();
            if (now >= deadline)
            {
                throw CadenceViolation.For(block);
            }

            // Until it clears, but at least a moment (another process may take the slot first) and no later than
            // the deadline.
            var pause = block.RetryAt - now;
            pause = pause < TimeSpan.FromMilliseconds(50) ? TimeSpan.FromMilliseconds(50) : pause;
            pause = pause > deadline - now ? deadline - now : pause;
            await Task.Delay(pause, Time, cancel).ConfigureAwait(false);
        }
    }

    /// <summary>Records the release of the newest load of <paramref name="model"/> (<c>rein cadence release</c>).</summary>
    public ReleaseResult Release(string model) =>
        _store.Update(loads =>
        {
            var last = loads.Where(l => ModelId.Same(l.Model, model)).MaxBy(l => l.StartedAt);
            if (last is null)
            {
                return (ReleaseResult.Unknown, false);
            }

            if (!last.Running)
            {
                return (ReleaseResult.AlreadyReleased, false);
            }

            loads[loads.IndexOf(last)] = last with
            {
                ReleasedAt = Time.GetUtcNow(),
                Release = "released",
            };
            return (ReleaseResult.Released, true);
        });

    /// <summary>Records the release of every load held under <paramref name="token"/> (a run that ended).</summary>
    public void ReleaseToken(string token) =>
        ChangeToken(
            token,
            l => l.Running ? l with { ReleasedAt = Time.GetUtcNow(), Release = "released" } : l
        );

    /// <summary>Refreshes the last sign of life of the loads held under <paramref name="token"/>.</summary>
    public void Touch(string token) =>
        ChangeToken(token, l => l.Running ? l with { SeenAt = Time.GetUtcNow() } : l);

    /// <summary>Removes the loads held under <paramref name="token"/>, as if never marked (admission gave up
    /// before anything was loaded).</summary>
    public void Forget(string token) =>
        _store.Update(loads => ((object?)null, loads.RemoveAll(l => l.Token == token) > 0));

    void ChangeToken(string token, Func<CadenceLoad, CadenceLoad> change) =>
        _store.Update(loads =>
        {
            var changed = false;
            for (var i = 0; i < loads.Count; i++)
            {
                if (loads[i].Token == token && change(loads[i]) is var next && next != loads[i])
                {
                    loads[i] = next;
                    changed = true;
                }
            }

            return ((object?)null, changed);
        });

    /// <summary>The recorded loads (newest first) and what they block now (<c>rein cadence status</c>).</summary>
    public CadenceSnapshot Status()
    {
        var now = Time.GetUtcNow();
        var loads = _store.Read();
        MarkVanished(loads, _ => true);
        return CadenceSnapshot.Of(Policy, loads, now);
    }

    /// <summary>Test hook: <c>REIN_FAULT=slow-cadence-mark</c> pauses between "clear" and the mark, so a test of
    /// concurrent callers would catch a check and a mark that were not one step.</summary>
    static void WidenTheRaceForTests()
    {
        if (Running.TestHooks.Fault == "slow-cadence-mark")
        {
            Thread.Sleep(100);
        }
    }

    /// <summary>The running loads whose holder's death would change what the rules see: signs of life after the
    /// start (a death moves the reference from the start to the last sign) recent enough to block. Checking only
    /// those keeps the hot path to a few process-table reads however many loads are on record.</summary>
    Func<CadenceLoad, bool> RelevantAt(DateTimeOffset now)
    {
        var longest = Policy.LongestSpacing;
        return l => l.SeenAt > l.StartedAt && now - l.SeenAt < longest;
    }

    /// <summary>A running load whose holder is gone counts as released at its last sign of life.</summary>
    bool MarkVanished(List<CadenceLoad> loads, Func<CadenceLoad, bool> consider)
    {
        var changed = false;
        var alive = new Dictionary<(int, ulong), bool>();
        for (var i = 0; i < loads.Count; i++)
        {
            var l = loads[i];
            if (!l.Running || l.Pid <= 0 || !consider(l))
            {
                continue;
            }

            var key = (l.Pid, l.PidStart);
            if (!alive.TryGetValue(key, out var lives))
            {
                alive[key] = lives = _alive(l.Pid, l.PidStart);
            }

            if (!lives)
            {
                loads[i] = l with
                {
                    ReleasedAt = l.SeenAt > l.StartedAt ? l.SeenAt : l.StartedAt,
                    Release = "vanished",
                };
                changed = true;
            }
        }

        return changed;
    }

    void Prune(List<CadenceLoad> loads, DateTimeOffset now)
    {
        var keep = Policy.LongestSpacing > History ? Policy.LongestSpacing : History;
        loads.RemoveAll(l => !l.Running && now - l.Reference > keep);
        if (loads.Count > MaxRecords)
        {
            // Oldest first; the newest records are the ones the rules consult.
            var excess = loads.OrderBy(l => l.Reference).Take(loads.Count - MaxRecords).ToHashSet();
            loads.RemoveAll(excess.Contains);
        }
    }
}
