namespace Rein.Running;

/// <summary>
/// When a guarded run's limits fall due: the wall-clock deadline (<c>--timeout</c>), the idle limit
/// (<c>--idle-timeout</c>, measured from the last output) and the next caps sample. Pure over a
/// <see cref="TimeProvider"/>, so the rules are unit-tested with a fake clock; <see cref="Guard"/> only sleeps
/// for <see cref="UntilDue"/> and asks <see cref="Expired"/>.
/// </summary>
public sealed class WatchPolicy
{
    readonly TimeProvider _time;
    readonly long _start;
    readonly TimeSpan? _timeout;
    TimeSpan? _deadline;
    readonly TimeSpan? _idle;
    readonly TimeSpan _interval;
    readonly TimeSpan _maxInterval;
    TimeSpan _current;
    TimeSpan _nextSample;

    public WatchPolicy(
        TimeProvider time,
        TimeSpan? timeout,
        TimeSpan? idleTimeout,
        TimeSpan sampleInterval,
        TimeSpan? maxSampleInterval = null
    )
    {
        _time = time;
        _start = time.GetTimestamp();
        _timeout = timeout is { } t && t > TimeSpan.Zero ? t : null;
        _deadline = _timeout;
        _idle = idleTimeout is { } i && i > TimeSpan.Zero ? i : null;
        _interval =
            sampleInterval > TimeSpan.Zero ? sampleInterval : TimeSpan.FromMilliseconds(250);
        _maxInterval = maxSampleInterval is { } m && m > _interval ? m : _interval;
        _current = _interval;
        _nextSample = _interval;
    }

    /// <summary>The command is running now: the timeout counts from here (the start record's fsyncs and a slow exec
    /// on a hung filesystem are Rein's time, not the command's), and the first sample is an interval away.</summary>
    public void Begin()
    {
        var now = Elapsed;
        _deadline = now + _timeout;
        _nextSample = now + _interval;
    }

    /// <summary>The interval until the next sample now (between the sample interval and the longest one).</summary>
    public TimeSpan SampleInterval => _current;

    /// <summary>After a sample: while the run's membership stays the same, samples come ever less often (doubling
    /// up to the longest interval); a change brings them back to the sample interval.</summary>
    public void Sampled(bool changed)
    {
        _current =
            changed ? _interval
            : _current * 2 > _maxInterval ? _maxInterval
            : _current * 2;
        _nextSample = Elapsed + _current;
    }

    /// <summary>Time since the run started (the clock every other time of the run is measured on).</summary>
    public TimeSpan Elapsed => _time.GetElapsedTime(_start);

    /// <summary>How long to sleep until the next thing falls due (never negative).</summary>
    /// <param name="lastOutput">When the command last wrote output (on <see cref="Elapsed"/>'s clock); null when
    /// output is not watched.</param>
    public TimeSpan UntilDue(TimeSpan? lastOutput)
    {
        var now = Elapsed;
        var wait = _nextSample - now;
        if (_deadline is { } d && d - now < wait)
        {
            wait = d - now;
        }

        if (_idle is { } idle && lastOutput is { } last && last + idle - now < wait)
        {
            wait = last + idle - now;
        }

        return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }

    /// <summary>The limit that has passed, if any: the deadline first (it is the harder promise), then idleness.</summary>
    public RunOutcome? Expired(TimeSpan? lastOutput)
    {
        var now = Elapsed;
        if (_deadline is { } d && now >= d)
        {
            return RunOutcome.TimedOut;
        }

        return _idle is { } idle && lastOutput is { } last && now - last >= idle
            ? RunOutcome.IdleTimeout
            : null;
    }

    /// <summary>True when a caps sample is due; then the next one is an interval from now (no catch-up bursts after
    /// a stall).</summary>
    public bool SampleDue()
    {
        var now = Elapsed;
        if (now < _nextSample)
        {
            return false;
        }

        _nextSample = now + _current;
        return true;
    }
}
