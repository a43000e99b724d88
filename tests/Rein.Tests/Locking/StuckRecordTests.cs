using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Locking;

/// <summary>A slot's <c>.stuck</c> record keeps it refused only while a process it names is alive; a record that
/// cannot be read names no one, so it is deleted and the slot granted (never refused for good).</summary>
public sealed class StuckRecordTests : RunTestBase
{
    [Theory]
    [InlineData("garbage")]
    [InlineData("not json {")]
    [InlineData("{}")]
    [InlineData("{\"run_id\":\"x\"}")]
    [InlineData("{\"run_id\":\"x\",\"pids\":null,\"starts\":null}")]
    [InlineData("null")]
    [InlineData("directory")]
    [InlineData("link")]
    public void An_unreadable_stuck_record_is_deleted_and_the_slot_granted(string content)
    {
        var name = "stuck" + Guid.NewGuid().ToString("N")[..8];
        // The first run makes the state directory and the slot file as rein wants them.
        Assert.Equal(0, ReinProcess.Run(["run", "--lock", name, "--", "true"], HomeEnv()).ExitCode);
        var record = Path.Combine(Home, "locks", name + ".0.stuck");
        switch (content)
        {
            case "directory":
                Directory.CreateDirectory(record);
                break;
            case "link":
                var target = Path.Combine(Scratch, "target");
                File.WriteAllText(target, "{\"run_id\":\"x\",\"pids\":[1],\"starts\":[0]}");
                File.CreateSymbolicLink(record, target);
                break;
            default:
                File.WriteAllText(record, content);
                File.SetUnixFileMode(record, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                break;
        }

        var r = ReinProcess.Run(
            ["run", "--lock", name, "--", "sh", "-c", "echo granted"],
            HomeEnv()
        );

        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Equal("granted\n", r.Stdout);
        Assert.Null(Rein.Config.FileStatus.Of(record, follow: false));
        var locks = ReinProcess.Run(["locks", "--json"], HomeEnv());
        Assert.Equal(0, locks.ExitCode);
    }
}
