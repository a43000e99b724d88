using Rein.Config;

namespace Rein.Forensics.Breadcrumbs;

/// <summary>What became of an open PRE.</summary>
public enum InferenceState
{
    /// <summary>The caller lives and the PRE is younger than the threshold: an inference in progress.</summary>
    Running,

    /// <summary>The caller lives and the PRE is older than the threshold: a hung (or very slow) inference.</summary>
    InFlight,

    /// <summary>The caller is gone without a POST: killed or crashed during the inference.</summary>
    Died,
}

/// <summary>A PRE without a POST, classified.</summary>
public sealed record OpenInference(Breadcrumb Pre, InferenceState State, TimeSpan Age)
{
    /// <summary>"inference in flight for 3m10s (pid 123, model X, run 7f2…)" or "died mid-inference (…)".</summary>
    public string Describe()
    {
        var who = $"pid {Pre.Pid}, model {Pre.Model}" + (Pre.RunId is { } r ? $", run {r}" : "");
        return State == InferenceState.Died
            ? $"died mid-inference {DurationParser.Format(Age)} ago ({who})"
            : $"inference in flight for {DurationParser.Format(Age)} ({who})";
    }

    public static string StateName(InferenceState s) =>
        s switch
        {
            InferenceState.Running => "running",
            InferenceState.InFlight => "in_flight",
            _ => "died",
        };
}
