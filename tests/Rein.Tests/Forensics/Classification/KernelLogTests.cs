using System.Text;
using Rein.Forensics.Classification;

namespace Rein.Tests.Forensics.Classification;

/// <summary>Reading /dev/kmsg records, and the kernel rules on lines of the memory cgroup's OOM killer.</summary>
public sealed class KernelLogTests
{
    [Fact]
    public void A_kmsg_record_gives_its_time_and_message()
    {
        // The record layout of Documentation/ABI/testing/dev-kmsg: PRIO,SEQ,USEC,FLAGS;MESSAGE then KEY=VALUE lines.
        var record = Encoding.UTF8.GetBytes(
            "6,1234,25375451210,-;Out of memory: Killed process 3352 (python)\n SUBSYSTEM=mem\n"
        );
        var parsed = KernelLog.Parse(record);
        Assert.NotNull(parsed);
        Assert.Equal(25375451210, parsed.Value.Usec);
        Assert.Equal("Out of memory: Killed process 3352 (python)", parsed.Value.Message);
        Assert.Null(KernelLog.Parse("no header here"u8));
    }

    [Fact]
    public void Reading_the_kernel_log_never_fails()
    {
        // Readable or not (dmesg_restrict, a container, macOS), it returns lines or nothing; from the far future, nothing.
        Assert.Empty(KernelLog.Since(TimeSpan.FromDays(365 * 100)));
    }

    [Fact]
    public void The_memory_cgroups_OOM_line_about_a_run_process_is_oom_kill()
    {
        // Constructed in the kernel's format (mm/oom_kill.c: "Memory cgroup out of memory: Killed process %d (%s)").
        var f = FailureClassifier.Classify(
            ClassificationRules.BuiltIn,
            new FailureEvidence(
                ["outcome=signaled", "signal=9"],
                null,
                [
                    "Memory cgroup out of memory: Killed process 4242 (python3) total-vm:9000kB, anon-rss:8000kB",
                ],
                new HashSet<int> { 4242 }
            )
        );
        Assert.Equal("oom_kill", f.Class);
        Assert.Equal("kernel.oom_killed_process", f.Rule);
    }
}
