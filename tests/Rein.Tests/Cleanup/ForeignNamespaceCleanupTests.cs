using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Cleanup;

/// <summary>Issue 20 item 5: the pids a run recorded in another pid namespace (a container sharing the state
/// directory) are that namespace's; <c>rein cleanup</c> never stops a host process that happens to carry one.</summary>
public sealed class ForeignNamespaceCleanupTests : RunTestBase
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Recorded_pids_of_another_namespace_are_not_this_machine_s_leftovers(bool foreign)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "pid namespaces are Linux");
        // A process of this namespace, in a session of its own (cleanup spares the caller's session).
        using var stranger = Process.Start("setsid", ["sleep", "60"])!;
        try
        {
            ProcessProbe.WaitUntil(
                () => ProcessProbe.Table.Read(stranger.Id)?.Command.Contains("sleep") == true,
                TimeSpan.FromSeconds(5)
            );
            var start = ProcessProbe.Table.Read(stranger.Id)!.StartTime;
            var ours = long.Parse(
                new FileInfo("/proc/self/ns/pid").LinkTarget!["pid:[".Length..^1],
                System.Globalization.CultureInfo.InvariantCulture
            );
            Assert.Equal(0, ReinProcess.Run(["journal"], HomeEnv()).ExitCode); // the schema
            using (
                var c = new SqliteConnection(
                    $"Data Source={Path.Combine(Home, "rein.db")};Pooling=False"
                )
            )
            {
                c.Open();
                using var cmd = c.CreateCommand();
                // An ended run that recorded the stranger's pid and start tick as its command.
                cmd.CommandText =
                    "INSERT INTO runs(id, command, cwd, user_name, rein_pid, rein_start, child_pid, child_start, boot_id, started_at, ended_at, outcome, exit_code, pid_ns) "
                    + "VALUES ('20260101T000000Z-00000000f1', '[\"sleep\",\"60\"]', '/', 'u', 999999, 1, $pid, $start, $boot, 1, 2, 'exited', 0, $ns)";
                cmd.Parameters.AddWithValue("$pid", stranger.Id);
                cmd.Parameters.AddWithValue("$start", (long)start);
                cmd.Parameters.AddWithValue(
                    "$boot",
                    File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim()
                );
                cmd.Parameters.AddWithValue("$ns", foreign ? ours + 1 : ours);
                cmd.ExecuteNonQuery();
            }

            var r = ReinProcess.Run(["cleanup", "--yes"], HomeEnv());

            Assert.True(r.ExitCode == 0, r.Stderr);
            // Same namespace: the record names the process, and cleanup stops it (the set-up is sound).
            Assert.Equal(foreign, !stranger.WaitForExit(TimeSpan.FromSeconds(3)));
        }
        finally
        {
            if (!stranger.HasExited)
            {
                stranger.Kill();
            }
        }
    }
}
