using System.Text.Json;
using Microsoft.Data.Sqlite;
using Rein.Platform.Posix;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Journal;

/// <summary>A run is never lost from the journal: not for the size of its command line, and not silently for a
/// full disk (one clear line, and a journal that stays consistent and catches up once there is room).</summary>
public sealed class JournalDurabilityTests : RunTestBase
{
    /// <summary>1.2 MB of arguments: over the 1 MiB the spool reader used to stop at, under ARG_MAX (2 MiB).</summary>
    static string[] BigArguments => [.. Enumerable.Repeat(new string('a', 60_000), 20)];

    JsonElement[] Journal(string home)
    {
        var r = ReinProcess.Run(
            ["journal", "--json"],
            new Dictionary<string, string?> { ["REIN_HOME"] = home }
        );
        Assert.True(r.ExitCode == 0, $"rein journal exited {r.ExitCode}: {r.Stderr}");
        return [.. JsonDocument.Parse(r.Stdout).RootElement.GetProperty("runs").EnumerateArray()];
    }

    [Fact]
    public void Run_with_arguments_over_1_MiB_is_journaled_and_its_spool_file_removed()
    {
        var r = ReinProcess.Run(RunArgs([], ["exit", "3", .. BigArguments]), HomeEnv());
        Assert.Equal(3, r.ExitCode);

        var run = Assert.Single(Journal(Home));
        Assert.Equal(3, run.GetProperty("exit_code").GetInt32());
        Assert.Equal(2 + 2 + 20, run.GetProperty("command").GetArrayLength());
        Assert.Empty(Directory.GetFiles(Path.Combine(Home, "spool")));
    }

    [Fact]
    public void Lock_holder_with_arguments_over_1_MiB_is_named_in_the_refusal()
    {
        var name = "b" + Guid.NewGuid().ToString("N")[..8];
        using var holder = ReinProcess.Start(
            RunArgs(["--lock", name], ["pidfile", PidFile, "hang", .. BigArguments]),
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10));

        var r = ReinProcess.Run(RunArgs(["--lock", name], "exit", "0"), HomeEnv());

        Assert.Equal(75, r.ExitCode);
        Assert.Contains($"held by rein pid {holder.Pid}", r.Stderr);
        Assert.True(r.Stderr.Length < 8192, $"the refusal is {r.Stderr.Length} characters long");
        LibC.kill(holder.Pid, LibC.SIGTERM);
        holder.Wait(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Full_disk_gives_one_clear_line_and_loses_no_run_that_started()
    {
        OnSmallDisk(
            "1m",
            (mount, home, env) =>
            {
                Assert.Equal(0, ReinProcess.Run(RunArgs([], "exit", "0"), env).ExitCode);
                Assert.Single(Journal(home));
                // A run that starts while there is room and ends when there is none. Its end must need a new page of
                // the disk (a long start line, 300 killed pids in the end line): one appended into the page the start
                // line already has would need no room and prove nothing.
                using var started = ReinProcess.Start(
                    RunArgs(
                        [],
                        "fan",
                        "300",
                        "[",
                        "hang",
                        "]",
                        "pidfile",
                        PidFile,
                        "hang",
                        new string('p', 3000)
                    ),
                    env
                );
                ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10));

                Fill(Path.Combine(mount, "filler"));
                var full = ReinProcess.Run(RunArgs([], "exit", "3"), env);
                LibC.kill(started.Pid, LibC.SIGTERM);
                var ended = started.Wait(TimeSpan.FromSeconds(10));

                Assert.Equal(3, full.ExitCode); // the command ran; only its record could not be written
                var line = Assert.Single(full.Stderr.TrimEnd().Split('\n'));
                Assert.Contains("no space left on device", line);
                Assert.Contains(home, line);
                Assert.Contains("REIN_HOME", line);
                Assert.DoesNotContain("errno", line);
                Assert.Equal(143, ended.ExitCode);
                Assert.DoesNotContain("cannot record", ended.Stderr); // its end went into the room kept for it
                Assert.DoesNotContain(
                    Directory.GetFiles(Path.Combine(home, "spool")),
                    f => new FileInfo(f).Length == 0
                );

                var reader = ReinProcess.Run(["journal", "--json"], env);
                Assert.True(reader.ExitCode == 0, reader.Stderr);
                Assert.NotEmpty(
                    JsonDocument
                        .Parse(reader.Stdout)
                        .RootElement.GetProperty("runs")
                        .EnumerateArray()
                );
                Assert.DoesNotContain("rollback", reader.Stderr);
                Assert.DoesNotContain("errno", reader.Stderr);
                Assert.True(reader.Stderr.TrimEnd().Split('\n').Length == 1, reader.Stderr);

                File.Delete(Path.Combine(mount, "filler"));
                Assert.Equal(4, ReinProcess.Run(RunArgs([], "exit", "4"), env).ExitCode);
                var runs = Journal(home);
                Assert.Equal(
                    ["exited 4", "interrupted 143", "exited 0"],
                    runs.Select(r =>
                        $"{r.GetProperty("outcome").GetString()} {r.GetProperty("rein_exit_code").GetInt32()}"
                    )
                );
                Assert.Empty(Directory.GetFiles(Path.Combine(home, "spool")));
                using var db = new SqliteConnection(
                    $"Data Source={Path.Combine(home, "rein.db")};Pooling=False"
                );
                db.Open();
                using var check = db.CreateCommand();
                check.CommandText = "PRAGMA integrity_check;";
                Assert.Equal("ok", check.ExecuteScalar());
            }
        );
    }

    [Fact]
    public void While_the_disk_is_full_an_ended_run_is_not_listed_as_running()
    {
        OnSmallDisk(
            "1m",
            (mount, home, env) =>
            {
                using var started = ReinProcess.Start(RunArgs([], "pidfile", PidFile, "hang"), env);
                ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10));
                // A reader imports its start: the database now says "running".
                Assert.Equal(
                    "running",
                    Assert.Single(Journal(home)).GetProperty("state").GetString()
                );

                Fill(Path.Combine(mount, "filler"));
                LibC.kill(started.Pid, LibC.SIGTERM);
                Assert.Equal(143, started.Wait(TimeSpan.FromSeconds(10)).ExitCode);

                // Its end is in the spool (the room kept for it) and cannot be imported: it is shown all the same.
                var reader = ReinProcess.Run(["journal", "--json"], env);
                Assert.Contains("no space left on device", reader.Stderr);
                var run = Assert.Single(
                    JsonDocument
                        .Parse(reader.Stdout)
                        .RootElement.GetProperty("runs")
                        .EnumerateArray()
                );
                Assert.Equal("ended", run.GetProperty("state").GetString());
                Assert.Equal("interrupted", run.GetProperty("outcome").GetString());
                Assert.Equal(143, run.GetProperty("rein_exit_code").GetInt32());
                var ps = ReinProcess.Run(["ps", "--json"], env);
                Assert.Empty(
                    JsonDocument.Parse(ps.Stdout).RootElement.GetProperty("runs").EnumerateArray()
                );
            }
        );
    }

    [Fact]
    public void Full_disk_before_the_journal_exists_is_one_clear_line()
    {
        OnSmallDisk(
            "64k",
            (mount, home, env) =>
            {
                Fill(Path.Combine(mount, "filler"));

                var r = ReinProcess.Run(["journal", "--json"], env);

                Assert.NotEqual(0, r.ExitCode);
                var line = Assert.Single(r.Stderr.TrimEnd().Split('\n'));
                Assert.Contains("no space left on device", line);
                Assert.Contains(home, line);
                Assert.DoesNotContain("rollback", line);
            }
        );
    }

    /// <summary>Runs <paramref name="body"/> with REIN_HOME on a fresh tmpfs of <paramref name="size"/> (a disk
    /// the test can fill), unmounted after; skipped where mounting is not permitted.</summary>
    void OnSmallDisk(string size, Action<string, string, Dictionary<string, string?>> body)
    {
        var mount = Path.Combine(Scratch, "full");
        Directory.CreateDirectory(mount);
        var mounted = Command("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", mount);
        Assert.SkipWhen(mounted != 0, "mounting a tmpfs is not permitted here (needs root)");
        try
        {
            var home = Path.Combine(mount, "state");
            body(mount, home, new Dictionary<string, string?> { ["REIN_HOME"] = home });
        }
        finally
        {
            Command("umount", "-l", mount);
        }
    }

    static void Fill(string path)
    {
        // Unbuffered: a buffer left over at ENOSPC would throw again on dispose.
        using var f = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 0);
        var block = new byte[4096];
        try
        {
            while (true)
            {
                f.Write(block);
                f.Flush();
            }
        }
        catch (IOException) { }
    }

    static int Command(string file, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(file)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        p.WaitForExit();
        return p.ExitCode;
    }
}
