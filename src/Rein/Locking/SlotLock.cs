using System.Text;
using Rein.Platform.Posix;
using Rein.Processes;

namespace Rein.Locking;

/// <summary>One held slot of a named lock: an flock(2) on <c>&lt;state&gt;/locks/NAME.K</c>, opened O_CLOEXEC so the
/// descriptor never leaks into the run (a daemonised grandchild holding it would keep the lock forever).</summary>
public sealed class SlotLock : IDisposable
{
    int _fd;

    internal SlotLock(string name, int slot, string path, int fd)
    {
        Name = name;
        Slot = slot;
        Path = path;
        _fd = fd;
    }

    public string Name { get; }

    public int Slot { get; }

    public string Path { get; }

    /// <summary>The descriptor (for handing a duplicate to the keeper, so the lock outlives a SIGKILLed rein until
    /// the keeper has killed the tree).</summary>
    public int Fd => _fd;

    /// <summary>Releases the slot. With <paramref name="unkillable"/> survivors, the slot is marked stuck first,
    /// so nobody is admitted while they live.</summary>
    public void Release(string runId, IReadOnlyList<(int Pid, ulong Start)>? unkillable = null)
    {
        if (_fd < 0)
        {
            return;
        }

        if (unkillable is { Count: > 0 })
        {
            Config.StateFile.WriteAtomically(
                Path + ".stuck",
                System.Text.Json.JsonSerializer.Serialize(
                    new StuckSlot(
                        runId,
                        [.. unkillable.Select(u => u.Pid)],
                        [.. unkillable.Select(u => u.Start)]
                    ),
                    LockJsonContext.Default.StuckSlot
                )
            );
        }

        LibC.ftruncate(_fd, 0);
        // LOCK_UN releases the lock of the open file description, including the keeper's duplicate of it.
        LibC.flock(_fd, LibC.LOCK_UN);
        LibC.close(_fd);
        _fd = -1;
    }

    /// <summary>Closes our descriptor without unlocking: an error path whose tree may still be alive. The lock stays
    /// held through the shim's duplicate until the shim has killed the tree and exited (G3).</summary>
    public void Abandon()
    {
        if (_fd >= 0)
        {
            LibC.close(_fd);
            _fd = -1;
        }
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            LibC.flock(_fd, LibC.LOCK_UN);
            LibC.close(_fd);
            _fd = -1;
        }
    }

    internal unsafe void WriteHolder(LockHolder holder)
    {
        // Stamped here, when the slot is ours: "held for" must not count the holder's own wait.
        var record = holder with
        {
            AcquiredAt = DateTimeOffset.UtcNow,
        };
        var bytes = Encoding.UTF8.GetBytes(record.ToJson() + "\n");
        LibC.ftruncate(_fd, 0);
        fixed (byte* p = bytes)
        {
            LibC.pwrite(_fd, p, bytes.Length, 0);
        }
    }
}
