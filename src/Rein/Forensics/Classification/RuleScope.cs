namespace Rein.Forensics.Classification;

/// <summary>What a classification rule reads.</summary>
public enum RuleScope
{
    /// <summary>The last 64 KiB of the command's stderr, line by line (when rein relayed it).</summary>
    Output,

    /// <summary>Kernel log lines of the run's time; a rule with a <c>(?&lt;pid&gt;…)</c> group counts only lines
    /// about a process of the run's tree.</summary>
    Kernel,

    /// <summary>Fact lines about how the run ended (<c>outcome=timed_out</c>, <c>exit=1</c>, <c>signal=11</c>,
    /// <c>unkillable=PID state=D …</c>, <c>cgroup_oom_kill=1</c>).</summary>
    Exit,
}
