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
            """;
        Assert.Equal([42UL, 1837261UL], ProcLocks.FlockInodes(text).Order());
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
            var inode = Rein.Config.FileStatus.Of(path, follow: false)!.Value.Inode;
            Assert.Contains(inode, ProcLocks.Read()!);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
