using Rein.Running;

namespace Rein.Setup;

/// <summary>Which of the CLI's run verbs a <see cref="RunSettings"/> speaks for: each reads a different part of the
/// configuration, so the same REIN_* environment does not change what <c>rein timeout</c> (a coreutils drop-in) does.</summary>
public enum RunVerb
{
    /// <summary><c>rein run</c>: every run setting (limits, growth warn|stop, containers, lock, wait, breaker, models).</summary>
    Run,

    /// <summary><c>rein supervise</c>: the per-incarnation limits of a run; the growth action reads warn|restart (stop
    /// means restart); no containers, wait, retry-breaker or model settings.</summary>
    Supervise,

    /// <summary><c>rein timeout</c>: only the grace, the kill bound and the classification rules come from the
    /// configuration; the rest is the coreutils command line.</summary>
    Timeout,
}
