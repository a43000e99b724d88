using Rein.Locking;

namespace Rein.Tests.Locking;

public sealed class ProcLocksTests
{
    [Fact]
    public void Granted_flocks_are_found_and_waiters_and_other_locks_are_not()
    {
        // The format of /proc/locks (proc(5)); the numbers are illustrative. A waiter shows as "->".
        const string text = """
            1: FLOCK  ADVISORY  WRITE 14371 00:2d:1837261 0 EOF
            1: -> FLOCK  ADVISORY  WRITE 14402 00:2d:1837261 0 EOF
            2: POSIX  ADVISORY  WRITE 612 08:01:393224 0 EOF
            3: FLOCK  ADVISORY  READ 700 fd:01:42 0 EOF
            4: FLOCK  ADVISORY  WRITE 701 fd:01:notanumber 0 EOF
            """;
        Assert.Equal(
            [new LockedFile(0xfd, 0x01, 42), new LockedFile(0x00, 0x2d, 1837261)],
            ProcLocks.Flocks(text).OrderBy(f => f.Inode)
        );
    }

    [Fact]
    public void A_held_slot_is_seen_in_the_live_table()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "/proc/locks is Linux");
        var path = Path.GetTempFileName();
        try
        {
            using var held = new FileStream(
                path,
                FileMode.Open,
                FileAccess.ReadWrite,
                FileShare.None
            );
            var file = Rein.Config.FileStatus.Of(path, follow: false)!.Value;
            var locks = ProcLocks.Read()!;
            Assert.Contains(new LockedFile(file.DeviceMajor, file.DeviceMinor, file.Inode), locks);
            // The same inode number on another device is another file.
            Assert.DoesNotContain(
                new LockedFile(file.DeviceMajor + 1, file.DeviceMinor, file.Inode),
                locks
            );
        }
        finally
        {
            File.Delete(path);
        }
    }
}
