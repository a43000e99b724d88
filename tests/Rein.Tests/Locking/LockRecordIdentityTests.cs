using System.Diagnostics;
using System.Text.Json;
using Rein.Platform.Posix;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Locking;

/// <summary>Issue 20 item 8: lock status and the waiter list name a process only while it is the one that wrote
/// the record (pid and start time): a recycled pid is not the holder, nor a waiter.</summary>
public sealed class LockRecordIdentityTests : RunTestBase
{
    string Locks => Path.Combine(Home, "locks");

    static string Record(int pid, ulong start) =>
        JsonSerializer.Serialize(
            new Dictionary<string, object>
            {
                ["run_id"] = "20260101T000000Z-0000000001",
                ["pid"] = pid,
                ["pid_start"] = start,
                ["command"] = "make ci",
                ["since"] = DateTimeOffset.UtcNow.AddMinutes(-1),
            }
        );

    JsonElement Lock()
    {
        var r = ReinProcess.Run(["locks", "--json"], HomeEnv());
        Assert.True(r.ExitCode == 0, r.Stderr);
        return Assert.Single(
            JsonDocument.Parse(r.Stdout).RootElement.GetProperty("locks").EnumerateArray()
        );
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_record_names_its_process_only_while_the_start_time_matches(bool sameStart)
    {
        // A stopped process stands in for the holder: the status says so when (and only when) it is the holder.
        using var sleeper = Process.Start("sleep", "60")!;
        try
        {
            LibC.kill(sleeper.Id, LibC.SIGSTOP);
            ProcessProbe.WaitUntil(
                () => ProcessProbe.IsStopped(sleeper.Id),
                TimeSpan.FromSeconds(5)
            );
            var start = ProcessProbe.Table.Read(sleeper.Id)!.StartTime + (sameStart ? 0UL : 1UL);
            Directory.CreateDirectory(Path.Combine(Locks, "gpu.waiters"));
            File.WriteAllText(Path.Combine(Locks, "gpu.slots"), "1\n");
            var slot = Path.Combine(Locks, "gpu.0");
            File.WriteAllText(slot, Record(sleeper.Id, start));
            File.WriteAllText(Path.Combine(Locks, "gpu.waiters", "w1"), Record(sleeper.Id, start));
            using var held = new FileStream(slot, FileMode.Open, FileAccess.Read, FileShare.None);

            var gpu = Lock();

            var s = Assert.Single(gpu.GetProperty("slots").EnumerateArray());
            Assert.True(s.GetProperty("held").GetBoolean());
            var condition = s.GetProperty("holder_condition");
            var waiters = gpu.GetProperty("waiters").GetArrayLength();
            if (sameStart)
            {
                Assert.StartsWith("stopped", condition.GetString());
                Assert.Equal(1, waiters);
            }
            else
            {
                Assert.Equal(JsonValueKind.Null, condition.ValueKind);
                Assert.Equal(0, waiters);
            }
        }
        finally
        {
            sleeper.Kill();
            LibC.kill(sleeper.Id, LibC.SIGCONT);
        }
    }
}
