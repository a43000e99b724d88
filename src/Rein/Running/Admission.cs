using Rein.Config;
using Rein.Journal;
using Rein.Locking;
using Rein.Processes;
using Rein.Running.Gates;

namespace Rein.Running;

/// <summary>What a run asks of admission.</summary>
public sealed record AdmissionRequest
{
    public LockRequest? Lock { get; init; }

    /// <summary>Null: fail fast. <see cref="Timeout.InfiniteTimeSpan"/>: wait forever. Otherwise wait up to this long.</summary>
    public TimeSpan? Wait { get; init; }

    /// <summary>Skip the retry breaker.</summary>
    public bool Force { get; init; }

    public TimeSpan BreakerCooldown { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>0 disables memory admission.</summary>
    public long MinAvailable { get; init; }

    /// <summary>Where <see cref="MinAvailable"/> came from (a flag, a variable, a file path), named in the refusal
    /// so nobody hunts for a flag they never passed.</summary>
    public ConfigSource? MinAvailableSource { get; init; }

    public double MaxPressure { get; init; } = 40;

    /// <summary>More gates, asked after the built-in ones in this order (cadence, known-panic models, a host's own).</summary>
    public IReadOnlyList<IAdmissionGate> ExtraGates { get; init; } = [];
}

/// <summary>Admitted (holding what the gates took: a lock slot, a cadence record) or refused with the reason.</summary>
public sealed record AdmissionResult(Refusal? Refusal, IReadOnlyList<IAdmissionHold> Holds)
{
    public bool Admitted => Refusal is null;

    /// <summary>The lock slot taken, if a lock was asked for.</summary>
    public SlotLock? Slot => Holds.OfType<LockGate.SlotHold>().FirstOrDefault()?.Slot;
}

/// <summary>
/// The admission stage of the run pipeline: the gates in order — retry breaker (never waited on: refuses until
/// someone looks), lock (a queue: once a slot is ours we keep it), memory, then any extra gates — in one wait loop.
/// A gate that refuses is waited on when the caller allows waiting and the refusal can clear, then asked again;
/// the gates before it keep what they took. Returns data (<see cref="Refusal"/>); the CLI phrases it.
/// </summary>
public sealed class Admission(
    BreakerStore? breaker,
    LockDirectory locks,
    IProcessTable table,
    TimeProvider time
)
{
    /// <param name="status">Called about once a second while waiting, with the refusal being waited on.</param>
    public AdmissionResult Admit(
        RunSpec spec,
        AdmissionRequest request,
        Action<Refusal>? status,
        CancellationToken cancel
    ) => Admit(new AdmissionContext(spec, time), Gates(request), request.Wait, status, cancel);

    /// <summary>The gates a request asks for, in order.</summary>
    public IReadOnlyList<IAdmissionGate> Gates(AdmissionRequest request)
    {
        var gates = new List<IAdmissionGate>();
        if (!request.Force && breaker is not null)
        {
            gates.Add(new BreakerGate(breaker, request.BreakerCooldown));
        }

        if (request.Lock is { } lockRequest)
        {
            gates.Add(new LockGate(locks, lockRequest, table));
        }

        if (request.MinAvailable > 0)
        {
            gates.Add(
                new MemoryGate(
                    request.MinAvailable,
                    request.MaxPressure,
                    request.MinAvailableSource,
                    table
                )
            );
        }

        gates.AddRange(request.ExtraGates);
        return gates;
    }

    /// <summary>The one wait loop over any gates. A gate that had to wait sends admission back over the earlier
    /// gates that hold nothing (the breaker, memory): what they saw may have changed while it waited — a queued
    /// run must find the breaker its predecessor tripped. Cancelling <paramref name="cancel"/> while waiting ends
    /// admission with the refusal <c>interrupted</c>; an exception lets go of everything taken so far.</summary>
    public static AdmissionResult Admit(
        AdmissionContext context,
        IReadOnlyList<IAdmissionGate> gates,
        TimeSpan? wait,
        Action<Refusal>? status,
        CancellationToken cancel
    )
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var holds = new List<IAdmissionHold>();
        var nextStatus = TimeSpan.Zero;
        var began = new HashSet<IAdmissionGate>();
        var everWaited = false;
        try
        {
            var stateless = new List<IAdmissionGate>();
            foreach (var gate in gates)
            {
                var (refusal, hold, waited) = Pass(gate);
                if (hold is not null)
                {
                    holds.Add(hold);
                }

                for (var i = 0; refusal is null && waited && i < stateless.Count; i++)
                {
                    (refusal, _, _) = Pass(stateless[i]);
                }

                if (refusal is not null)
                {
                    Cancel(holds);
                    return new AdmissionResult(
                        refusal with
                        {
                            // Zero when admission never waited: "do not retry; wait with --wait" then.
                            WaitedMs = everWaited ? (long)clock.Elapsed.TotalMilliseconds : 0,
                        },
                        []
                    );
                }

                if (hold is null)
                {
                    stateless.Add(gate);
                }
            }

            return new AdmissionResult(null, holds);
        }
        catch
        {
            Cancel(holds);
            throw;
        }
        finally
        {
            foreach (var gate in gates)
            {
                gate.EndWaiting();
            }
        }

        (Refusal? Refusal, IAdmissionHold? Hold, bool Waited) Pass(IAdmissionGate gate)
        {
            var waited = false;
            while (true)
            {
                if (waited && cancel.IsCancellationRequested)
                {
                    return (Interrupted(gate, context), null, waited);
                }

                context.Waited = clock.Elapsed;
                var result = gate.TryPass(context);
                if (result.Passed)
                {
                    if (waited)
                    {
                        gate.EndWaiting(); // not waiting any more: gone from `rein locks` while later gates wait
                    }

                    return (null, result.Hold, waited);
                }

                var refusal = result.Refusal!;
                var left =
                    wait is null ? TimeSpan.Zero
                    : wait == Timeout.InfiniteTimeSpan ? TimeSpan.MaxValue
                    : wait.Value - clock.Elapsed;
                if (!refusal.Waitable || left <= TimeSpan.Zero || cancel.IsCancellationRequested)
                {
                    return (refusal, null, waited);
                }

                if (began.Add(gate))
                {
                    gate.BeginWaiting(context);
                }

                if (clock.Elapsed >= nextStatus)
                {
                    status?.Invoke(
                        refusal with
                        {
                            WaitedMs = (long)clock.Elapsed.TotalMilliseconds,
                        }
                    );
                    nextStatus = clock.Elapsed + TimeSpan.FromSeconds(1);
                }

                // At most a second per wait, so progress lines keep coming and a refusal that changed its reason
                // (another holder, another number) is reported as it is now.
                var step = left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1);
                gate.WaitForChange(context, step, cancel);
                waited = everWaited = true;
            }
        }
    }

    /// <summary>Admission was cancelled while it waited on <paramref name="gate"/> (Ctrl-C, a host's token).</summary>
    static Refusal Interrupted(IAdmissionGate gate, AdmissionContext context) =>
        new()
        {
            Code = RefusalCodes.Interrupted,
            Gate = gate.Name,
            Waitable = false,
            WaitedMs = (long)context.Waited.TotalMilliseconds,
        };

    static void Cancel(List<IAdmissionHold> holds)
    {
        for (var i = holds.Count - 1; i >= 0; i--)
        {
            holds[i].Cancel();
        }
    }
}
