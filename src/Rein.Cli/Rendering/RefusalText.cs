using Rein.Config;
using Rein.Running.Gates;

namespace Rein.Cli.Rendering;

/// <summary>Refusals in words. Each says what holds things up and what to do next, because the reader is often an
/// agent deciding whether to retry.</summary>
internal static partial class RefusalText
{
    /// <summary>The one-line reason a run was not started (after <c>rein run: </c>).</summary>
    /// <param name="waitAsked">Whether the run was allowed to wait (<c>--wait</c>), which changes the advice.</param>
    /// <param name="commandWidth">At most this many characters of a holder's command line (the rest becomes an
    /// ellipsis), so a large argv does not make a refusal a screenful; null keeps it whole.</param>
    public static string Sentence(
        Refusal r,
        DateTimeOffset now,
        bool waitAsked,
        int? commandWidth = null
    ) =>
        r.Code == RefusalCodes.Interrupted
            ? $"interrupted while waiting for the {r.Gate} gate ({DurationParser.Format(TimeSpan.FromMilliseconds(r.WaitedMs))}); the command was not started"
            : r.Gate switch
            {
                "lock" => $"lock '{r.Subject}' is busy: {Holders(r, now, commandWidth)}; "
                    + (
                        waitAsked
                            ? $"gave up after waiting {DurationParser.Format(TimeSpan.FromMilliseconds(r.WaitedMs))}; inspect with `rein ps` or `rein locks`"
                            : "do not retry; wait with --wait or inspect with `rein ps`"
                    ),
                "breaker" => Breaker(r, now),
                "memory" =>
                    $"{Memory(r)}; biggest users: {string.Join(", ", r.Holders.Select(h => $"{h.Command} (pid {h.Pid}) {SizeParser.Format(h.Bytes ?? 0)}"))}. "
                        + "Not started: free memory first, or wait with --wait",
                "cadence" => Cadence(r, now, waitAsked),
                "models" => Models(r),
                "panic" => Panic(r, now),
                "hold" => Hold(r, now),
                _ => Generic(r, now),
            };

    /// <summary>The progress line while waiting on a refusal.</summary>
    public static string Waiting(Refusal r, DateTimeOffset now)
    {
        var waited = $"{TimeSpan.FromMilliseconds(r.WaitedMs).TotalSeconds:0}s so far";
        return r.Gate switch
        {
            "lock" => $"waiting for lock '{LockName(r.Subject)}' ({waited}): {Holders(r, now)}",
            "memory" => $"waiting for memory ({waited}): {Memory(r)}",
            "cadence" =>
                $"waiting for the cadence of '{r.Subject}' ({waited}): {CadenceWait(r, now)}",
            "models" => $"waiting for memory for '{r.Subject}' ({waited}): {Models(r)}",
            _ => $"waiting for {r.Gate} ({waited}): {Generic(r, now)}",
        };
    }

    static string LockName(string? label) =>
        label is null ? ""
        : label.LastIndexOf(':') is var c and > 0 ? label[..c]
        : label;

    /// <summary>"held by rein pid 4242 (command `make ci`, running 3m12s, run r-…)" for each held slot — the pid is
    /// the guarding rein's, not the command's — with stopped, stuck and guard-less holders called out.</summary>
    public static string Holders(Refusal r, DateTimeOffset now, int? commandWidth = null)
    {
        var parts = new List<string>();
        foreach (var slot in r.Holders.GroupBy(h => h.Slot))
        {
            var first = slot.First();
            if (first.Condition == "unkillable")
            {
                parts.Add(
                    $"slot {slot.Key} is held by unkillable process(es) {string.Join(", ", slot.Select(h => h.Pid))} of run {first.RunId} (reboot needed)"
                );
                continue;
            }

            foreach (var h in slot)
            {
                if (h.Pid is null)
                {
                    parts.Add($"slot {h.Slot} held (holder unknown)");
                    continue;
                }

                var condition = h.Condition switch
                {
                    "stopped" =>
                        "; stopped (SIGSTOP): it will not finish until continued with SIGCONT",
                    "uninterruptible" =>
                        "; stuck in uninterruptible wait: cannot be killed, reboot needed",
                    "guard_gone" =>
                        "; its guard is gone and its keeper holds the slot until the run's last processes exit",
                    _ => "",
                };
                var running = h.Since is { } since
                    ? $", running {DurationParser.Format(now - since)}"
                    : "";
                parts.Add(
                    $"held by rein pid {h.Pid} (command `{Shorten(h.Command, commandWidth)}`{running}, run {h.RunId}{condition})"
                );
            }
        }

        return parts.Count == 0 ? "a slot was just released" : string.Join("; ", parts);
    }

    /// <summary>The first <paramref name="width"/> characters (the last of them an ellipsis) of a long text.</summary>
    public static string? Shorten(string? text, int? width) =>
        text is null || width is not { } w || text.Length <= w
            ? text
            : text[..(char.IsHighSurrogate(text[w - 2]) ? w - 2 : w - 1)] + "…";

    static string Breaker(Refusal r, DateTimeOffset now)
    {
        var last = r.Holders.Count > 0 ? r.Holders[0] : new RefusalHolder();
        var what = last.Condition switch
        {
            "timed_out" =>
                $"timed out (after {DurationParser.Format(TimeSpan.FromMilliseconds(r.Number("last_duration_ms") ?? 0))})",
            "idle_timeout" => "went silent and was stopped as stuck",
            _ => "left processes that could not be killed",
        };
        if (last.Condition is "timed_out" or "idle_timeout" && r.Fact("unkillable") == "true")
        {
            what += " and left processes that could not be killed";
        }
        var ago = last.Since is { } ended ? DurationParser.Format(now - ended) : "?";
        var left = r.RetryAt is { } until ? DurationParser.Format(until - now) : "?";
        var cooldown = DurationParser.Format(TimeSpan.FromSeconds(r.Number("cooldown_s") ?? 0));
        return $"`{last.Command}` {what} {ago} ago in this directory (run {last.RunId}); refusing to start it again "
            + $"for {left} (retry breaker, cooldown {cooldown}). Do not retry blindly: see why with "
            + $"`rein journal show {last.RunId}`, fix the hang, or override with --force";
    }

    static string Memory(Refusal r)
    {
        if (r.Code == RefusalCodes.MemoryPressure)
        {
            return $"memory pressure is {r.Number("pressure_percent"):0.#}% ({r.Fact("pressure_source")}), above {r.Number("max_pressure_percent"):0.#}%";
        }

        var min = SizeParser.Format((long)(r.Number("min_available_bytes") ?? 0));
        var named = r.Fact("min_available_source") switch
        {
            "flag" or "env" => $"{r.Fact("min_available_where")} {min}",
            "repo_file" or "user_file" =>
                $"run.min_available {min} set in {r.Fact("min_available_where")}",
            _ => $"run.min_available {min}",
        };
        return $"only {SizeParser.Format((long)(r.Number("available_bytes") ?? 0))} of "
            + $"{SizeParser.Format((long)(r.Number("total_bytes") ?? 0))} memory is available, below {named}";
    }

    /// <summary>Gates without their own phrasing (a host's, or newer than this renderer): code, subject, holders.</summary>
    static string Generic(Refusal r, DateTimeOffset now)
    {
        var text = $"{r.Gate} refused ({r.Code})";
        if (r.Subject is { } s)
        {
            text += $" for {s}";
        }

        if (r.RetryAt is { } at && at > now)
        {
            text += $"; clears in {DurationParser.Format(at - now)}";
        }

        return text;
    }
}
