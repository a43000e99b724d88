using System.Text.Json;
using Rein.Platform.Posix;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Cli;

/// <summary>Issue 25 item 10: <c>rein status</c>, one document (rein.status/1) of runs alive, locks, cadence blocks,
/// the gate, supervisors and the last panic; <c>--write FILE --every DUR</c> keeps a file fresh, atomically.</summary>
public sealed class StatusCliTests : RunTestBase
{
    JsonElement Status()
    {
        var r = ReinProcess.Run(["status", "--json"], HomeEnv());
        Assert.True(r.ExitCode == 0, r.Stderr);
        return JsonDocument.Parse(r.Stdout).RootElement;
    }

    [Fact]
    public void Json_names_the_run_alive_its_lock_and_the_gate()
    {
        using var rein = ReinProcess.Start(
            RunArgs(["--lock", "gpu:2"], "pidfile", PidFile, "hang"),
            HomeEnv()
        );
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10));

        var s = Status();

        Assert.Equal("rein.status/1", s.GetProperty("schema").GetString());
        var run = Assert.Single(s.GetProperty("runs").EnumerateArray());
        Assert.Contains(Marker, run.GetProperty("command").GetString());
        Assert.Equal(rein.Pid, run.GetProperty("rein_pid").GetInt32());
        var gpu = Assert.Single(s.GetProperty("locks").EnumerateArray());
        Assert.Equal(
            ("gpu", 2, 1),
            (
                gpu.GetProperty("name").GetString(),
                gpu.GetProperty("slots").GetInt32(),
                gpu.GetProperty("held").GetInt32()
            )
        );
        Assert.Equal(
            run.GetProperty("run_id").GetString(),
            Assert
                .Single(gpu.GetProperty("holders").EnumerateArray())
                .GetProperty("run_id")
                .GetString()
        );
        Assert.Equal("clear", s.GetProperty("gate").GetProperty("state").GetString());
        Assert.Empty(s.GetProperty("cadence_blocks").EnumerateArray());
        Assert.Empty(s.GetProperty("supervisors").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, s.GetProperty("last_panic").ValueKind);
        Assert.Empty(s.GetProperty("problems").EnumerateArray());

        LibC.kill(rein.Pid, LibC.SIGTERM);
        rein.Wait(TimeSpan.FromSeconds(10));
        Assert.Empty(Status().GetProperty("runs").EnumerateArray());
    }

    [Fact]
    public void A_person_s_hold_is_the_gate_s_state()
    {
        Assert.Equal(
            0,
            ReinProcess.Run(["gate", "hold", "1h", "--reason", "driver fix"], HomeEnv()).ExitCode
        );

        var gate = Status().GetProperty("gate");

        Assert.Equal("held", gate.GetProperty("state").GetString());
        Assert.Equal("driver fix", gate.GetProperty("reason").GetString());
    }

    [Fact]
    public void Write_every_keeps_a_whole_file_fresh_until_interrupted()
    {
        var file = Path.Combine(Scratch, "status.json");
        using var writer = ReinProcess.Start(
            ["status", "--write", file, "--every", "100ms"],
            HomeEnv()
        );

        var seen = new HashSet<string>();
        Assert.True(
            ProcessProbe.WaitUntil(
                () =>
                {
                    if (!File.Exists(file))
                    {
                        return false;
                    }

                    // Every read is a whole document: the file is replaced, never written in place.
                    var doc = JsonDocument.Parse(File.ReadAllText(file)).RootElement;
                    Assert.Equal("rein.status/1", doc.GetProperty("schema").GetString());
                    seen.Add(doc.GetProperty("at").GetString()!);
                    return seen.Count >= 3;
                },
                TimeSpan.FromSeconds(20)
            ),
            "the file was not rewritten"
        );

        LibC.kill(writer.Pid, LibC.SIGTERM);
        var r = writer.Wait(TimeSpan.FromSeconds(10));
        Assert.Equal((0, ""), (r.ExitCode, r.Stdout));
        Assert.Equal([file], Directory.GetFiles(Scratch, "*status.json*"));
    }

    [Theory]
    [InlineData("--every", "10s")]
    [InlineData("--write", "/nonexistent-rein-folder/s.json")]
    public void Bad_use_is_one_line(params string[] args)
    {
        var r = ReinProcess.Run(["status", .. args], HomeEnv());

        Assert.NotEqual(0, r.ExitCode);
        var line = Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.StartsWith("rein status: ", line);
    }
}
