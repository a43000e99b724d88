using Rein.Config;
using Rein.Platform.Posix;
using Rein.Processes;

namespace Rein.Locking;

/// <summary>What one slot looks like from outside.</summary>
public sealed record SlotStatus(
    int Slot,
    bool Held,
    LockHolder? Holder,
    ProcessInfo? HolderProcess,
    StuckSlot? Stuck
)
{
    /// <summary>A holder that is alive but cannot make progress: stopped, or in uninterruptible wait.</summary>
    public string? HolderCondition =>
        HolderProcess is null ? null
        : HolderProcess.IsStopped
            ? "stopped (SIGSTOP): it will not finish until continued with SIGCONT"
        : HolderProcess.IsUninterruptible
            ? "stuck in uninterruptible wait: cannot be killed, reboot needed"
        : null;
}

/// <summary>The named locks under <c>&lt;state dir&gt;/locks</c>: acquiring slots, and looking at holders and waiters.
/// Every file here is opened through <see cref="StateFile"/> (never through a symbolic link, 0600, ours) and every
/// folder through <see cref="StateDirectory.EnsureFolder"/>.</summary>
public sealed class LockDirectory
{
    readonly IProcessTable _table;
    readonly string _stateDirectory;

    public LockDirectory(string stateDirectory, IProcessTable? table = null)
    {
        _stateDirectory = stateDirectory;
        Root = Path.Combine(stateDirectory, "locks");
        _table = table ?? ProcessTables.Current;
    }

    public string Root { get; }

    string SlotPath(string name, int slot) => Path.Combine(Root, $"{name}.{slot}");

    string CountPath(string name) => Path.Combine(Root, $"{name}.slots");

    /// <summary>Takes a free slot without waiting, or returns null when all are held (or stuck).</summary>
    /// <exception cref="LockSlotsMismatchException">The name is held with another slot count.</exception>
    public unsafe SlotLock? TryAcquire(LockRequest request, LockHolder holder)
    {
        StateDirectory.Ensure(_stateDirectory);
        StateDirectory.EnsureFolder(Root);
        // One name, one slot count: NAME.slots records the count its holders use, and a request with another
        // count is refused while any slot of the name is held (`--lock gpu` would otherwise be admitted beside
        // `--lock gpu:4` holders on slots 2 and 3). The record's lock makes check, record and take one step: a
        // contender with another count cannot slip between this request's check and its slot.
        var countFd = StateFile.OpenOrCreate(CountPath(request.Name));
        try
        {
            // Held only for the moment of a try, so it comes at once; a holder stopped in that moment (Ctrl-Z)
            // must not hang every contender: after a second this try counts as "no slot free".
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (LibC.flock(countFd, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(1))
                {
                    return null;
                }

                Thread.Sleep(1);
            }

            var text = StateFile.ReadAllText(CountPath(request.Name))?.Trim();
            var recorded = int.TryParse(text, out var n) && n > 0 ? n : (int?)null;
            if (recorded is { } count && count != request.Slots && AnyHeld(request.Name))
            {
                throw new LockSlotsMismatchException(request, count);
            }

            if (recorded != request.Slots)
            {
                var bytes = System.Text.Encoding.ASCII.GetBytes(
                    request.Slots.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n"
                );
                LibC.ftruncate(countFd, 0);
                fixed (byte* p = bytes)
                {
                    LibC.pwrite(countFd, p, bytes.Length, 0);
                }
            }

            return TakeSlot(request, holder);
        }
        finally
        {
            LibC.close(countFd); // releases the record's lock
        }
    }

    /// <summary>Whether any slot file of the name is held now (tried without waiting) or stuck.</summary>
    bool AnyHeld(string name)
    {
        foreach (var file in Directory.GetFiles(Root, name + ".*"))
        {
            var suffix = Path.GetFileName(file)[(name.Length + 1)..];
            if (!int.TryParse(suffix, out var slot) || slot < 0)
            {
                continue;
            }

            var fd = StateFile.OpenOrCreate(SlotPath(name, slot));
            var held = LibC.flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) != 0;
            LibC.close(fd);
            if (held || StuckAndAlive(SlotPath(name, slot)) is not null)
            {
                return true;
            }
        }

        return false;
    }

    SlotLock? TakeSlot(LockRequest request, LockHolder holder)
    {
        // Start at a slot chosen by pid so concurrent contenders do not all fight over slot 0 first.
        var first = holder.Pid % request.Slots;
        for (var i = 0; i < request.Slots; i++)
        {
            var slot = (first + i) % request.Slots;
            var fd = StateFile.OpenOrCreate(SlotPath(request.Name, slot));
            if (LibC.flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
            {
                LibC.close(fd);
                continue;
            }

            var lck = new SlotLock(request.Name, slot, SlotPath(request.Name, slot), fd);
            if (StuckAndAlive(lck.Path) is not null)
            {
                lck.Dispose();
                continue;
            }

            lck.WriteHolder(holder);
            return lck;
        }

        return null;
    }

    /// <summary>Makes a waiter visible to <c>rein locks</c> (a record in <c>NAME.waiters/</c>) until disposed.</summary>
    public IDisposable RegisterWaiter(LockRequest request, LockHolder holder)
    {
        var waiters = StateDirectory.EnsureFolder(Path.Combine(Root, request.Name + ".waiters"));
        var me = Path.Combine(
            waiters,
            holder.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
        StateFile.WriteAtomically(me, holder.ToJson());
        return new WaiterRecord(me);
    }

    sealed class WaiterRecord(string path) : IDisposable
    {
        public void Dispose() => File.Delete(path);
    }

    /// <summary>Polls for a free slot for up to <paramref name="max"/>; <paramref name="waitedSoFar"/> (the whole
    /// wait, across calls) sets the pace: queues of short runs hand the lock on quickly, so poll every 1-2 ms for
    /// the first 10 s of a wait; past that, back off to 25 ms, so a waiter queued behind a 30-minute `make ci`
    /// costs nothing.</summary>
    public SlotLock? WaitForSlot(
        LockRequest request,
        LockHolder holder,
        TimeSpan max,
        TimeSpan waitedSoFar,
        CancellationToken cancel
    )
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var pause = 1;
        while (!cancel.IsCancellationRequested && clock.Elapsed < max)
        {
            Thread.Sleep(pause);
            pause =
                waitedSoFar + clock.Elapsed < TimeSpan.FromSeconds(10)
                    ? 1 + (pause % 2)
                    : Math.Min(pause * 2, 25);
            if (TryAcquire(request, holder) is { } lck)
            {
                return lck;
            }
        }

        return null;
    }

    /// <summary>The slot count the name's holders use (its <c>NAME.slots</c> record); null when none is recorded
    /// or the record cannot be read.</summary>
    public int? SlotCount(string name)
    {
        try
        {
            var text = StateFile.ReadAllText(CountPath(name))?.Trim();
            return int.TryParse(text, out var n) && n > 0 ? n : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Every slot of every lock that has a file here.</summary>
    public IReadOnlyList<(
        string Name,
        IReadOnlyList<SlotStatus> Slots,
        IReadOnlyList<LockHolder> Waiters
    )> List()
    {
        if (!FolderExists(Root))
        {
            return [];
        }

        var result = new List<(string, IReadOnlyList<SlotStatus>, IReadOnlyList<LockHolder>)>();
        var names = Directory
            .GetFiles(Root)
            .Select(Path.GetFileName)
            .Where(f =>
                f is not null
                && !f.EndsWith(".stuck", StringComparison.Ordinal)
                && !f.Contains(".tmp-", StringComparison.Ordinal) // a .stuck record being written
                && f.LastIndexOf('.') > 0 // a dot-less stray file is no lock's
            )
            .Select(f => f![..f!.LastIndexOf('.')])
            .Distinct()
            .Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var slots = Directory
                .GetFiles(Root, name + ".*")
                .Select(Path.GetFileName)
                .Select(f => int.TryParse(f![(name.Length + 1)..], out var k) ? k : -1)
                .Where(k => k >= 0)
                .Order()
                .Select(k => TryStatus(name, k))
                .OfType<SlotStatus>()
                .ToList();
            result.Add((name, slots, Waiters(name)));
        }

        return result;
    }

    /// <summary>A slot's status for the listing; null when its file cannot be used (a FIFO or a link planted in its
    /// place: acquiring it says so in one line), so one odd file never hides the other locks.</summary>
    SlotStatus? TryStatus(string name, int slot)
    {
        try
        {
            return Status(name, slot);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The state of one slot: held or free (found by trying it), its holder record and process.</summary>
    public SlotStatus Status(string name, int slot)
    {
        var path = SlotPath(name, slot);
        var stuck = StuckAndAlive(path);
        if (StateFile.OpenExisting(path) is not { } fd)
        {
            return new SlotStatus(slot, false, null, null, stuck);
        }

        bool held;
        if (ProcLocks.Read() is { } flocked && FileStatus.OfDescriptor(fd) is { Inode: > 0 } file)
        {
            // Linux: look the slot up in /proc/locks. Trying it (below) would hold a shared lock for a moment, which
            // makes a free slot look busy to a contender at that instant and slows hand-offs.
            held = flocked.Contains(new LockedFile(file.DeviceMajor, file.DeviceMinor, file.Inode));
            LibC.close(fd);
        }
        else
        {
            held = LibC.flock(fd, LibC.LOCK_SH | LibC.LOCK_NB) != 0;
            LibC.close(fd); // also drops our shared lock if we got it
        }

        var holder = held ? ReadHolder(path) : null;
        var process = holder is null ? null : Alive(holder);
        if (
            process is { IsUninterruptible: true }
            && new StuckDetector(_table).FindStuck([process]).Count == 0
        )
        {
            // A moment in D is normal (an fsync, direct I/O): only a holder that stays there is called stuck.
            process = process with
            {
                State = 'S',
            };
        }
        return new SlotStatus(slot, held || stuck is not null, holder, process, stuck);
    }

    /// <summary>The statuses of the slots of a request (for the busy message).</summary>
    public IReadOnlyList<SlotStatus> Statuses(LockRequest request) =>
        [.. Enumerable.Range(0, request.Slots).Select(k => Status(request.Name, k))];

    IReadOnlyList<LockHolder> Waiters(string name)
    {
        var dir = Path.Combine(Root, name + ".waiters");
        if (!FolderExists(dir))
        {
            return [];
        }

        var list = new List<LockHolder>();
        foreach (var f in Directory.GetFiles(dir))
        {
            var w = LockHolder.FromJson(SafeRead(f));
            if (w is not null && Alive(w) is { IsZombie: false })
            {
                list.Add(w);
            }
        }

        return [.. list.OrderBy(w => w.Since)];
    }

    /// <summary>The record's process, if it is still the one that wrote it: a recycled pid (another start time)
    /// is someone else, never the holder or a waiter.</summary>
    ProcessInfo? Alive(LockHolder h) =>
        _table.Read(h.Pid) is { } p && (h.PidStart == 0 || p.StartTime == h.PidStart) ? p : null;

    static LockHolder? ReadHolder(string path) => LockHolder.FromJson(SafeRead(path));

    /// <summary>The slot's <c>.stuck</c> record while a process it names is still alive. A record that is gone, or
    /// whose processes are all gone, or that cannot be read at all (torn, not JSON, missing fields, not a regular
    /// file of ours) is deleted and the slot is usable again: an unreadable record names no one it could wait
    /// for.</summary>
    StuckSlot? StuckAndAlive(string slotPath)
    {
        var file = slotPath + ".stuck";
        if (FileStatus.Of(file, follow: false) is null)
        {
            return null;
        }

        StuckSlot? stuck = null;
        try
        {
            stuck = System.Text.Json.JsonSerializer.Deserialize(
                SafeRead(file),
                LockJsonContext.Default.StuckSlot
            );
        }
        catch (Exception e)
            when (e is System.Text.Json.JsonException or IOException or UnauthorizedAccessException)
        {
            // Unreadable: deleted below.
        }

        if (stuck is { Pids: { } pids })
        {
            var starts = stuck.Starts ?? [];
            for (var i = 0; i < pids.Length; i++)
            {
                if (
                    _table.Read(pids[i]) is { IsZombie: false } p
                    && (starts.Length <= i || p.StartTime == starts[i])
                )
                {
                    return stuck;
                }
            }
        }

        Remove(file); // they are gone at last, or the record says nothing: the slot is usable again
        return null;
    }

    /// <summary>Deletes a file or link (never what a link points to), or an empty folder in its place.</summary>
    static void Remove(string path)
    {
        try
        {
            if (FileStatus.Of(path, follow: false) is { IsDirectory: true })
            {
                Directory.Delete(path);
            }
            else
            {
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Plain reads (not .NET's File APIs, which take a shared flock(2) and so fail on a slot whose holder
    /// has it locked), never through a link.</summary>
    /// A FIFO, link or unreadable file reads as empty (no record), never as a failure of every lock verb.
    static string SafeRead(string path)
    {
        try
        {
            return StateFile.ReadAllText(path) ?? "";
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>Whether a folder of ours is there; a link in its place is refused, not followed.</summary>
    static bool FolderExists(string path) =>
        FileStatus.Of(path, follow: false) switch
        {
            null => false,
            { IsSymbolicLink: true } => throw StateFile.LinkRefused(path),
            var s => s.Value.IsDirectory,
        };
}
