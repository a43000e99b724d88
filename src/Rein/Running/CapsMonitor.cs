using Rein.Processes;
using Rein.Processes.Linux;

namespace Rein.Running;

/// <summary>
/// Samples the run's tree (peak memory and process count for the verdict) and enforces --memory/--max-procs:
/// with a kernel cgroup when one can be made and the command really landed in it, else by polling every 100 ms.
/// An explicit <c>--cap-method cgroup</c> that cannot be honoured is an error, never a silent fallback.
/// </summary>
internal sealed class CapsMonitor : IDisposable
{
    readonly RunSpec _spec;
    CgroupCaps? _cgroup;
    RunOutcome? _exceeded;

    CapsMonitor(RunSpec spec, CgroupCaps? cgroup, string? method, string? note)
    {
        _spec = spec;
        _cgroup = cgroup;
        Method = method;
        Note = note;
    }

    /// <summary><c>cgroup-v1</c>, <c>cgroup-v2</c>, <c>poll</c>; null without caps.</summary>
    public string? Method { get; private set; }

    /// <summary>Why the kernel method was not used (auto only), for the report.</summary>
    public string? Note { get; private set; }

    public IReadOnlyList<string> CgroupDirectories => _cgroup?.Directories ?? [];

    public long PeakRss { get; private set; }

    public int PeakProcesses { get; private set; }

    /// <summary>The latest sample: summed memory (RSS on Linux, phys_footprint on macOS) and live processes.</summary>
    public long LastRss { get; private set; }

    public int LastProcesses { get; private set; }

    bool HasCaps => _spec.MemoryLimit is not null || _spec.MaxProcs is not null;

    /// <summary>Caps are checked every 100 ms (the poll method's reaction time); otherwise memory is sampled for the report.</summary>
    public TimeSpan SampleInterval =>
        HasCaps
            ? TimeSpan.FromMilliseconds(Math.Min(100, _spec.SampleInterval.TotalMilliseconds))
            : _spec.SampleInterval;

    /// <exception cref="InvalidOperationException">--cap-method cgroup and no cgroup can be made.</exception>
    public static CapsMonitor Create(RunSpec spec)
    {
        if (spec.MemoryLimit is null && spec.MaxProcs is null)
        {
            return new CapsMonitor(spec, null, null, null);
        }

        string? why = "not Linux";
        if (spec.CapMethod != CapMethod.Poll && OperatingSystem.IsLinux())
        {
            var root = TestHooks.CgroupRoot ?? "/sys/fs/cgroup"; // test build only: a fake hierarchy
            if (
                CgroupCaps.TryCreate(spec.RunId, spec.MemoryLimit, spec.MaxProcs, out why, root) is
                { } caps
            )
            {
                return new CapsMonitor(spec, caps, caps.Method, null);
            }
        }

        if (spec.CapMethod == CapMethod.Cgroup)
        {
            throw new InvalidOperationException($"--cap-method cgroup: {why}");
        }

        return new CapsMonitor(
            spec,
            null,
            "poll",
            spec.CapMethod == CapMethod.Poll ? null : $"no cgroup: {why}"
        );
    }

    /// <summary>The command started: check it is really inside the cgroup(s); if not, poll (or fail when asked for cgroup).</summary>
    public void Placed(int pid, int? joinErrno, IProcessTable table)
    {
        if (_cgroup is null)
        {
            return;
        }

        // A command that already exited has left the cgroup's list (the kernel drops a task at exit): its join,
        // which reported no error, is all there is to check.
        if (
            joinErrno is null
            && (_cgroup.Contains(pid) || table.Read(pid) is null or { IsZombie: true })
        )
        {
            return;
        }

        var why = joinErrno is { } e
            ? $"the command could not join {_cgroup.Directories[0]} (errno {e})"
            : $"the command is not in {_cgroup.Directories[0]} after joining it";
        if (_spec.CapMethod == CapMethod.Cgroup)
        {
            throw new InvalidOperationException($"--cap-method cgroup: {why}");
        }

        _cgroup.Dispose();
        _cgroup = null;
        Method = "poll";
        Note = $"cgroup not used: {why}";
    }

    /// <summary>One sample of the tree; returns the cap it exceeds, if any.</summary>
    public RunOutcome? Sample(List<ProcessInfo> members)
    {
        long sum = 0;
        var count = 0;
        foreach (var p in members)
        {
            if (!p.IsZombie)
            {
                sum += p.MemoryBytes;
                count++;
            }
        }

        LastRss = sum;
        LastProcesses = count;
        PeakRss = Math.Max(PeakRss, sum);
        PeakProcesses = Math.Max(PeakProcesses, count);
        return Exceeded(sum, count);
    }

    /// <summary>The cap the tree exceeded: the kernel's counters with a cgroup, else the sampled sums.</summary>
    public RunOutcome? Exceeded(long rss, int count)
    {
        if (_exceeded is not null || !HasCaps)
        {
            return _exceeded;
        }

        if (_cgroup is not null)
        {
            if (_cgroup.OomKills() > 0)
            {
                _exceeded = RunOutcome.MemoryExceeded;
            }
            else if (_cgroup.ForksRefused() > 0)
            {
                _exceeded = RunOutcome.MaxProcsExceeded;
                // The kernel refused a fork because the tree had reached the limit: that is its peak at least,
                // even when no sample caught it (a fork bomb is over between two samples).
                PeakProcesses = Math.Max(PeakProcesses, _spec.MaxProcs ?? 0);
            }
        }

        // Polling is the method without a cgroup. With one, counting processes is still a backstop for anything
        // that escaped it; summed RSS is not (shared pages are counted once per process), so memory stays the kernel's.
        if (_exceeded is null && _cgroup is null && _spec.MemoryLimit is { } limit && rss > limit)
        {
            _exceeded = RunOutcome.MemoryExceeded;
        }
        else if (_exceeded is null && _spec.MaxProcs is { } max && count > max)
        {
            _exceeded = RunOutcome.MaxProcsExceeded;
        }

        return _exceeded;
    }

    /// <summary>The kernel's OOM kills inside the run's cgroup so far (0 without one).</summary>
    public long CgroupOomKills => _cgroup?.OomKills() ?? 0;

    public void Dispose()
    {
        _cgroup?.Dispose();
        _cgroup = null;
    }
}
