using Rein.Locking;
using Rein.Processes;

namespace Rein.Running.Gates;

/// <summary>The lock gate (<c>--lock NAME[:SLOTS]</c>): passes holding a free slot; refuses naming every holder,
/// with stopped, stuck and guard-less holders called out, and slots kept by unkillable survivors as
/// <c>lock_stuck</c>. Waiting polls for a slot quickly (lock hand-offs) while a waiter record shows us in
/// <c>rein locks</c>.</summary>
public sealed class LockGate(LockDirectory locks, LockRequest request, IProcessTable table)
    : IAdmissionGate
{
    LockHolder? _holder;
    SlotLock? _found;
    IDisposable? _waiter;

    public string Name => "lock";

    public GateResult TryPass(AdmissionContext context)
    {
        var holder = Holder(context);
        var slot = _found ?? locks.TryAcquire(request, holder);
        _found = null;
        return slot is not null
            ? new GateResult(null, new SlotHold(slot))
            : GateResult.Refuse(Refused(context));
    }

    public void BeginWaiting(AdmissionContext context) =>
        _waiter ??= locks.RegisterWaiter(request, Holder(context));

    public void WaitForChange(AdmissionContext context, TimeSpan max, CancellationToken cancel) =>
        _found = locks.WaitForSlot(request, Holder(context), max, context.Waited, cancel);

    public void EndWaiting()
    {
        _waiter?.Dispose();
        _waiter = null;
        _found?.Dispose();
        _found = null;
    }

    LockHolder Holder(AdmissionContext context) =>
        _holder ??= new LockHolder(
            context.Spec.RunId,
            Environment.ProcessId,
            table.Read(Environment.ProcessId)?.StartTime ?? 0,
            CommandText.Join(context.Spec.Command),
            context.Time.GetUtcNow()
        );

    Refusal Refused(AdmissionContext context)
    {
        var holders = new List<RefusalHolder>();
        var stuck = false;
        foreach (var s in locks.Statuses(request))
        {
            if (s.Stuck is { } st)
            {
                stuck = true;
                holders.AddRange(
                    st.Pids.Select(pid => new RefusalHolder
                    {
                        Pid = pid,
                        RunId = st.RunId,
                        Slot = s.Slot,
                        Condition = "unkillable",
                    })
                );
            }
            else if (s.Holder is { } h)
            {
                holders.Add(
                    new RefusalHolder
                    {
                        Pid = h.Pid,
                        RunId = h.RunId,
                        Command = h.Command,
                        Since = h.HeldSince,
                        Slot = s.Slot,
                        Condition =
                            s.HolderProcess is null ? "guard_gone"
                            : s.HolderProcess.IsStopped ? "stopped"
                            : s.HolderProcess.IsUninterruptible ? "uninterruptible"
                            : null,
                    }
                );
            }
            else if (s.Held)
            {
                holders.Add(new RefusalHolder { Slot = s.Slot });
            }
        }

        return new Refusal
        {
            Code =
                stuck && holders.All(h => h.Condition == "unkillable")
                    ? RefusalCodes.LockStuck
                    : RefusalCodes.LockBusy,
            Gate = "lock",
            Subject = request.Label,
            Holders = holders,
            WaitedMs = (long)context.Waited.TotalMilliseconds,
        };
    }

    /// <summary>The slot, held until the run is over: released after the journal end, the breaker record and the
    /// keeper's disarm (G3); abandoned without unlocking when Rein fails, so the shim's copy keeps it held.</summary>
    public sealed class SlotHold(SlotLock slot) : IAdmissionHold
    {
        public SlotLock Slot => slot;

        public void Cancel() => slot.Dispose();

        public void RunEnded(RunVerdict verdict) =>
            slot.Release(verdict.RunId, [.. verdict.Unkillable.Select(u => (u.Pid, u.StartTime))]);

        public void Abandon() => slot.Abandon();
    }
}
