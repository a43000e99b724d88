using Rein.Config;
using Rein.Journal;
using Rein.Locking;
using Rein.Processes;

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
}

/// <summary>Admitted (holding <see cref="Slot"/> if a lock was asked for) or refused with a message for the user.</summary>
public sealed record AdmissionResult(bool Admitted, SlotLock? Slot, string? Refusal)
{
    public static readonly AdmissionResult Open = new(true, null, null);
}

/// <summary>
/// The admission stage of the run pipeline (DESIGN §3): lock → retry breaker → memory. Each refusal says what
/// holds things up and what to do next, because the reader is often an agent deciding whether to retry.
/// </summary>
public sealed class Admission(
    BreakerStore? breaker,
    LockDirectory locks,
    IProcessTable table,
    TimeProvider time
)
{
    /// <param name="status">Called about once a second while waiting, with a one-line status.</param>
    public AdmissionResult Admit(
        RunSpec spec,
        AdmissionRequest request,
        Action<string>? status,
        CancellationToken cancel
    )
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        SlotLock? slot = null;
        if (request.Lock is { } lockRequest)
        {
            var self = table.Read(Environment.ProcessId);
            var holder = new LockHolder(
                spec.RunId,
                Environment.ProcessId,
                self?.StartTime ?? 0,
                CommandText.Join(spec.Command),
                time.GetUtcNow()
            );
            slot = locks.Acquire(
                lockRequest,
                holder,
                request.Wait is null ? TimeSpan.Zero
                    : request.Wait == Timeout.InfiniteTimeSpan ? null
                    : request.Wait,
                waited =>
                    status?.Invoke(
                        $"waiting for lock '{lockRequest.Name}' ({waited.TotalSeconds:0}s so far): {Holders(lockRequest)}"
                    ),
                cancel
            );
            if (slot is null)
            {
                var advice = request.Wait is null
                    ? "do not retry; wait with --wait or inspect with `rein ps`"
                    : $"gave up after waiting {DurationParser.Format(clock.Elapsed)}; inspect with `rein ps` or `rein locks`";
                return new AdmissionResult(
                    false,
                    null,
                    $"lock '{lockRequest.Label}' is busy: {Holders(lockRequest)}; {advice}"
                );
            }
        }

        if (!request.Force && breaker is not null)
        {
            var trip = RetryBreaker.Check(
                breaker.Read(spec.Command, Environment.CurrentDirectory),
                request.BreakerCooldown,
                time
            );
            if (trip is not null)
            {
                slot?.Dispose();
                return new AdmissionResult(
                    false,
                    null,
                    trip.Message(time.GetUtcNow(), request.BreakerCooldown)
                );
            }
        }

        if (request.MinAvailable > 0)
        {
            while (true)
            {
                var snap = MemorySnapshot.Read();
                var refusal = snap is null
                    ? null
                    : MemoryAdmission.Check(
                        snap,
                        request.MinAvailable,
                        request.MaxPressure,
                        table.Snapshot(),
                        request.MinAvailableSource
                    );
                if (refusal is null)
                {
                    break;
                }

                var waitLeft =
                    request.Wait is null ? TimeSpan.Zero
                    : request.Wait == Timeout.InfiniteTimeSpan ? TimeSpan.MaxValue
                    : request.Wait.Value - clock.Elapsed;
                if (waitLeft <= TimeSpan.Zero || cancel.IsCancellationRequested)
                {
                    slot?.Dispose();
                    return new AdmissionResult(false, null, refusal);
                }

                status?.Invoke(
                    $"waiting for memory ({clock.Elapsed.TotalSeconds:0}s so far): {refusal.Split(';')[0]}"
                );
                cancel.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }
        }

        return new AdmissionResult(true, slot, null);
    }

    /// <summary>"pid 4242 (`make ci`, running 3m12s)" for each held slot, with stopped/stuck holders called out.</summary>
    public string Holders(LockRequest request)
    {
        var now = time.GetUtcNow();
        var parts = new List<string>();
        foreach (var s in locks.Statuses(request))
        {
            if (s.Stuck is { } stuck)
            {
                parts.Add(
                    $"slot {s.Slot} is held by unkillable process(es) {string.Join(", ", stuck.Pids)} of run {stuck.RunId} (reboot needed)"
                );
            }
            else if (s.Holder is { } h)
            {
                var condition =
                    s.HolderCondition is { } c ? $"; {c}"
                    : s.HolderProcess is null
                        ? "; its guard is gone and its keeper holds the slot until the run's last processes exit"
                    : "";
                parts.Add(
                    $"held by pid {h.Pid} (`{h.Command}`, running {DurationParser.Format(now - h.HeldSince)}, run {h.RunId}{condition})"
                );
            }
            else if (s.Held)
            {
                parts.Add($"slot {s.Slot} held (holder unknown)");
            }
        }

        return parts.Count == 0 ? "a slot was just released" : string.Join("; ", parts);
    }
}
