using System.Text.Json;
using Rein.Documents;
using Rein.Forensics.Classification;
using Rein.Journal;
using Rein.Running.Gates;

namespace Rein.Tests.Journal;

/// <summary>Spool lines are written by a serialization-only context (the start path's cost, issue 21) and read by
/// the metadata one: both must give the same bytes for every field, so what one version writes the next reads.</summary>
public sealed class SpoolWriteContextTests
{
    [Fact]
    public void A_full_start_line_is_written_as_the_reading_context_would()
    {
        var start = new SpoolStart(
            "r-1",
            ["python", "-c", "print('é')"],
            "/tmp/work",
            "dev",
            4242,
            123456789UL,
            "boot-1",
            1_700_000_000_000,
            1_700_000_000_500,
            "gpu",
            "llama",
            "s-1",
            3,
            "crashed",
            4026531836,
            "1.2.3"
        );

        Assert.Equal(
            JsonSerializer.Serialize(start, SpoolJsonContext.Default.SpoolStart),
            JsonSerializer.Serialize(start, SpoolWriteJsonContext.Default.SpoolStart)
        );
    }

    [Fact]
    public void A_full_end_line_and_the_small_lines_are_written_as_the_reading_context_would()
    {
        var end = new SpoolEnd(
            "refused",
            1,
            9,
            1500,
            1_700_000_000_500,
            1L << 33,
            77,
            [77, 78],
            [new UnkillableDocument(78, "D", "cat /dev/x", 99UL)],
            2,
            "No such file",
            1L << 30,
            "cgroup",
            12,
            new Refusal
            {
                Code = RefusalCodes.LockBusy,
                Gate = "lock",
                Subject = "gpu",
                Holders = [new RefusalHolder { Pid = 9, RunId = "r-0" }],
                RetryAt = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_100_000),
                Waitable = false,
                WaitedMs = 250,
                Numbers = new Dictionary<string, double> { ["slots"] = 2, ["free_percent"] = 3.5 },
                Facts = new Dictionary<string, string> { ["source"] = "rein.toml" },
            },
            new RunFailure("oom", "h", "a", "t", "e", "r", "builtin"),
            new GrowthDocument(10, 20, 30, "8G", 40, 50, true),
            126
        );

        Assert.Equal(
            JsonSerializer.Serialize(end, SpoolJsonContext.Default.SpoolEnd),
            JsonSerializer.Serialize(end, SpoolWriteJsonContext.Default.SpoolEnd)
        );
        var child = new SpoolChild(5, 6UL, 7);
        Assert.Equal(
            JsonSerializer.Serialize(child, SpoolJsonContext.Default.SpoolChild),
            JsonSerializer.Serialize(child, SpoolWriteJsonContext.Default.SpoolChild)
        );
        var procs = new SpoolProcesses([1, 2], [3UL, 4UL]);
        Assert.Equal(
            JsonSerializer.Serialize(procs, SpoolJsonContext.Default.SpoolProcesses),
            JsonSerializer.Serialize(procs, SpoolWriteJsonContext.Default.SpoolProcesses)
        );
        var growth = new SpoolGrowth(new GrowthDocument(1, 2, 3, "1G", 4, 5, false));
        Assert.Equal(
            JsonSerializer.Serialize(growth, SpoolJsonContext.Default.SpoolGrowth),
            JsonSerializer.Serialize(growth, SpoolWriteJsonContext.Default.SpoolGrowth)
        );
    }
}
