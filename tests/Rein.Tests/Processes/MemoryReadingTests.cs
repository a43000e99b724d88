using Rein.Processes;
using Rein.Processes.Linux;
using Rein.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Processes;

public sealed class MemoryReadingTests
{
    [Fact]
    public void Meminfo_capture_parses_to_bytes()
    {
        var m = MemInfoParser.Parse(File.ReadAllText(Paths.Fixture("linux", "proc-meminfo.txt")))!;
        Assert.Equal(24684084L * 1024, m.TotalBytes);
        Assert.Equal(24348456L * 1024, m.AvailableBytes);
    }

    [Fact]
    public void Meminfo_without_MemAvailable_is_rejected() =>
        Assert.Null(MemInfoParser.Parse("MemTotal: 100 kB\n"));

    [Fact]
    public void Psi_capture_parses_some_and_full()
    {
        var p = PressureParser.Parse(
            File.ReadAllText(Paths.Fixture("psi", "gopsutil-testdata-proc-pressure-memory.txt"))
        )!;
        Assert.Equal(2.32, p.Some.Avg10);
        Assert.Equal(4.44, p.Some.Avg300);
        Assert.Equal(1835, p.Some.TotalMicroseconds);
        Assert.Equal(0.0, p.Full!.Avg60);
    }

    [Fact]
    public void Cgroup_counters_are_read_by_key()
    {
        Assert.Equal(
            3,
            CgroupCaps.Counter("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n", "oom_kill")
        );
        Assert.Equal(0, CgroupCaps.Counter("low 0\nhigh 0\n", "oom_kill"));
        Assert.Equal(7, CgroupCaps.Counter("max 7\n", "max"));
    }

    [Fact]
    public void Admission_message_names_the_numbers_and_the_biggest_users()
    {
        var snap = new MemorySnapshot(1L << 30, 16L << 30, 5, "PSI");
        ProcessInfo[] procs =
        [
            new(10, 1, 10, 10, 'S', 1, 3L << 30, "python3"),
            new(11, 1, 11, 11, 'S', 1, 100, "sh"),
        ];
        static string Text(Rein.Running.Gates.Refusal r) =>
            Rein.Cli.Rendering.RefusalText.Sentence(r, DateTimeOffset.UtcNow, false);
        var refusal = MemoryAdmission.Check(snap, 2L << 30, 40, procs)!;
        Assert.Equal("memory_low", refusal.Code);
        Assert.Equal(1L << 30, refusal.Number("available_bytes"));
        Assert.Equal(10, refusal.Holders[0].Pid);
        var message = Text(refusal);
        Assert.Contains("only 1 GiB of 16 GiB", message);
        Assert.Contains("python3 (pid 10) 3 GiB", message);
        Assert.Null(MemoryAdmission.Check(snap, 512L << 20, 40, procs));
        Assert.Contains(
            "memory pressure is 55%",
            Text(MemoryAdmission.Check(snap with { PressurePercent = 55 }, 0, 40, procs)!)
        );
    }
}
