using Rein.Platform.MacOS;
using Rein.Processes.MacOS;

namespace Rein.Tests.Platform;

/// <summary>The decisions of the macOS process table that do not need a Mac: whose process it is, and reading every
/// thread handle of a process however many threads it has.</summary>
public sealed class MacProcessTableTests
{
    static BsdProcess Process(uint uid, ulong start) =>
        new(42, 1, 42, ProcBsdInfo.SRUN, uid, start, "python3");

    [Fact]
    public void A_process_is_ours_only_when_its_uid_is_ours()
    {
        Assert.True(ProcBsdInfo.Owned(Process(501, 1_790_000_000_000_000), 501));
        // Root reads the full struct (a start time) of every process: that alone does not make it root's own.
        Assert.False(ProcBsdInfo.Owned(Process(501, 1_790_000_000_000_000), 0));
        Assert.True(ProcBsdInfo.Owned(Process(0, 1_790_000_000_000_000), 0));
        Assert.False(ProcBsdInfo.Owned(Process(501, 0), 501)); // the short struct: no start time
    }

    /// <summary>proc_pidinfo(PROC_PIDLISTTHREADS) as the kernel answers it: as many handles as fit.</summary>
    static Func<ulong[], int> Threads(int count, List<int>? asked = null) =>
        buffer =>
        {
            asked?.Add(buffer.Length);
            var n = Math.Min(count, buffer.Length);
            for (var i = 0; i < n; i++)
            {
                buffer[i] = 0x1000 + (ulong)i;
            }

            return n * ProcThreadInfo.HandleSize;
        };

    [Theory]
    [InlineData(1)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(1024)]
    [InlineData(5000)]
    public void Every_thread_handle_is_read_past_a_full_buffer(int threads)
    {
        var handles = ProcThreadInfo.ListHandles(Threads(threads));
        Assert.Equal(threads, handles.Length);
        Assert.Equal(0x1000 + (ulong)(threads - 1), handles[^1]);
    }

    [Fact]
    public void A_gone_process_has_no_threads_and_the_buffer_stops_growing_at_the_cap()
    {
        Assert.Empty(ProcThreadInfo.ListHandles(_ => -1));
        Assert.Empty(ProcThreadInfo.ListHandles(_ => 0));
        var asked = new List<int>();
        var handles = ProcThreadInfo.ListHandles(
            Threads(int.MaxValue, asked),
            initial: ProcThreadInfo.MaxThreads / 4
        );
        Assert.Equal(ProcThreadInfo.MaxThreads, handles.Length);
        Assert.Equal(
            [
                ProcThreadInfo.MaxThreads / 4,
                ProcThreadInfo.MaxThreads / 2,
                ProcThreadInfo.MaxThreads,
            ],
            asked
        );
    }
}
