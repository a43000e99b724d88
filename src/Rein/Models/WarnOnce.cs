namespace Rein.Models;

/// <summary>Says something once per process per key: a run that waits at admission re-asks its gates, but the
/// advisory about a model is printed once.</summary>
public static class WarnOnce
{
    static readonly HashSet<string> Said = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Calls <paramref name="say"/> the first time <paramref name="key"/> is seen in this process; returns
    /// whether it did.</summary>
    public static bool Say(string key, Action say)
    {
        lock (Said)
        {
            if (!Said.Add(key))
            {
                return false;
            }
        }

        say();
        return true;
    }
}
