using Rein.Config;

namespace Rein.Forensics.Panics;

/// <summary>The staircase's thresholds (settings <c>panic_gate.*</c>): 2 panics within the breaker window → a
/// cooldown from the second; 1 panic in the last 24 h → a cooldown from it; <see cref="LockoutInDay"/> panics within
/// 24 h or <see cref="LockoutInWindow"/> within <see cref="LockoutMax"/> → lockout until acknowledged, lifted by
/// itself <see cref="LockoutMax"/> after its earliest panic. A count of 0 turns its rule off.</summary>
public sealed record PanicGatePolicy
{
    public static readonly TimeSpan Day = TimeSpan.FromHours(24);

    public TimeSpan Cooldown { get; init; } = TimeSpan.FromHours(2);

    public TimeSpan BreakerWindow { get; init; } = TimeSpan.FromHours(1);

    public TimeSpan BreakerCooldown { get; init; } = TimeSpan.FromHours(1);

    public int LockoutInDay { get; init; } = 2;

    public int LockoutInWindow { get; init; } = 3;

    public TimeSpan LockoutMax { get; init; } = TimeSpan.FromHours(72);

    public TimeSpan AckValid { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How far back the evaluator needs panics: a lockout triggered up to <see cref="LockoutMax"/> ago
    /// may have begun a day before that.</summary>
    public TimeSpan LookBack => LockoutMax + LockoutMax + Day;

    public static PanicGatePolicy FromConfig(EffectiveConfig config) =>
        new()
        {
            Cooldown = config.Duration(Settings.PanicCooldown),
            BreakerWindow = config.Duration(Settings.PanicBreakerWindow),
            BreakerCooldown = config.Duration(Settings.PanicBreakerCooldown),
            LockoutInDay = (int)
                Math.Min(int.MaxValue, config.WholeNumber(Settings.PanicLockoutInDay)),
            LockoutInWindow = (int)
                Math.Min(int.MaxValue, config.WholeNumber(Settings.PanicLockoutInWindow)),
            LockoutMax = config.Duration(Settings.PanicLockoutMax),
            AckValid = config.Duration(Settings.PanicAckValid),
        };
}
