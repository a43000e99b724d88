namespace Rein.Forensics.Panics;

/// <summary>
/// The staircase as a pure function of the ledger, the acknowledgements and the time:
/// 2 panics within the breaker window → cooldown from the second; 1 panic in the last 24 h → cooldown from it;
/// too many within 24 h (or within the lockout window) → lockout until acknowledged. A lockout lifts by itself
/// <see cref="PanicGatePolicy.LockoutMax"/> after its earliest panic; an acknowledgement lifts it for
/// <see cref="PanicGatePolicy.AckValid"/>, and any panic newer than the acknowledgement voids it. A lifted lockout
/// leaves the cooldowns running: an ack says "I looked", not "the machine has settled".
/// </summary>
public static class PanicGateEvaluator
{
    public static PanicGateVerdict Evaluate(
        IReadOnlyList<PanicRecord> panics,
        IReadOnlyList<PanicAck> acks,
        DateTimeOffset now,
        PanicGatePolicy policy
    )
    {
        var sorted = panics.OrderBy(p => p.Time).ToList();
        if (sorted.Count == 0)
        {
            return PanicGateVerdict.Clear;
        }

        var lockout = ActiveLockout(sorted, now, policy);
        PanicAck? ack = null;
        if (lockout is not null)
        {
            var newest = sorted[^1].Time;
            ack = acks.Where(a => a.At >= newest && a.At <= now && now < a.At + policy.AckValid)
                .OrderByDescending(a => a.At)
                .FirstOrDefault();
            if (ack is null)
            {
                return new PanicGateVerdict
                {
                    State = PanicGateState.Lockout,
                    Rule = lockout.Rule,
                    Until = lockout.LiftsAt,
                    Panics = lockout.Panics,
                };
            }
        }

        var cooldown = Cooldown(sorted, now, policy);
        var acked = ack is null
            ? new PanicGateVerdict { State = PanicGateState.Clear }
            : new PanicGateVerdict
            {
                State = PanicGateState.Clear,
                Ack = ack,
                AckValidUntil = ack.At + policy.AckValid,
                AckedLockout = lockout,
            };
        return cooldown is { } c
            ? acked with
            {
                State = PanicGateState.Cooldown,
                Rule = c.Rule,
                Until = c.Until,
                Panics = c.Panics,
            }
            : acked;
    }

    /// <summary>Each panic may trigger a lockout (counting the panics up to it); the one in force now is the one
    /// lifting last.</summary>
    static PanicLockout? ActiveLockout(
        List<PanicRecord> sorted,
        DateTimeOffset now,
        PanicGatePolicy policy
    )
    {
        PanicLockout? active = null;
        foreach (var p in sorted.Where(p => p.Time <= now))
        {
            var day = sorted
                .Where(q => q.Time > p.Time - PanicGatePolicy.Day && q.Time <= p.Time)
                .ToList();
            var window = sorted
                .Where(q => q.Time > p.Time - policy.LockoutMax && q.Time <= p.Time)
                .ToList();
            PanicLockout? candidate =
                policy.LockoutInDay > 0 && day.Count >= policy.LockoutInDay
                    ? new PanicLockout(
                        PanicGateRules.LockoutDay,
                        day,
                        day[0].Time + policy.LockoutMax
                    )
                : policy.LockoutInWindow > 0 && window.Count >= policy.LockoutInWindow
                    ? new PanicLockout(
                        PanicGateRules.LockoutWindow,
                        window,
                        window[0].Time + policy.LockoutMax
                    )
                : null;
            if (
                candidate is not null
                && candidate.LiftsAt > now
                && (active is null || candidate.LiftsAt >= active.LiftsAt)
            )
            {
                active = candidate;
            }
        }

        return active;
    }

    static (string Rule, DateTimeOffset Until, IReadOnlyList<PanicRecord> Panics)? Cooldown(
        List<PanicRecord> sorted,
        DateTimeOffset now,
        PanicGatePolicy policy
    )
    {
        (string, DateTimeOffset, IReadOnlyList<PanicRecord>)? best = null;
        var past = sorted.Where(p => p.Time <= now).ToList();
        if (past.Count == 0)
        {
            return null;
        }

        var last = past[^1];
        if (now - last.Time < PanicGatePolicy.Day && last.Time + policy.Cooldown > now)
        {
            best = (PanicGateRules.OnePanic, last.Time + policy.Cooldown, [last]);
        }

        for (var i = 1; i < past.Count; i++)
        {
            var (a, b) = (past[i - 1], past[i]);
            var until = b.Time + policy.BreakerCooldown;
            if (
                b.Time - a.Time <= policy.BreakerWindow
                && until > now
                && (best is null || until > best.Value.Item2)
            )
            {
                best = (PanicGateRules.Breaker, until, [a, b]);
            }
        }

        return best;
    }
}
