using System.Text.Json;
using Rein.Tests.Support;

namespace Rein.Tests.Running;

/// <summary>`rein run --warn-before` / `--on-growth` through the binary, on a real process tree that allocates
/// 20 MiB every 100 ms (~200 MiB/s).</summary>
public sealed class GrowthCliTests : RunTestBase
{
    string Report => Path.Combine(Scratch, "verdict.json");

    /// <summary>The helper's script: allocate 20 MiB and sleep 100 ms, <paramref name="steps"/> times.</summary>
    string[] Growing(int steps) =>
        [
            Paths.Helper,
            Marker,
            .. Enumerable.Range(0, steps).SelectMany(_ => new[] { "alloc", "20", "sleep", "0.1" }),
            "exit",
            "0",
        ];

    JsonElement Verdict() => JsonDocument.Parse(File.ReadAllText(Report)).RootElement;

    /// <summary>An object's JSON without the indentation of the document it came from.</summary>
    static string Compact(JsonElement e)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            e.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>`rein journal show ID --json`: the run as the journal keeps it.</summary>
    JsonElement Journaled(string id)
    {
        var r = ReinProcess.Run(["journal", "show", id, "--json"], HomeEnv());
        Assert.True(r.ExitCode == 0, r.Stderr);
        return JsonDocument.Parse(r.Stdout).RootElement.GetProperty("runs")[0].Clone();
    }

    /// <summary>The private state directory, and lines long enough that nothing wraps.</summary>
    Dictionary<string, string?> Wide()
    {
        var env = HomeEnv();
        env["COLUMNS"] = "400";
        return env;
    }

    [Fact]
    public void Growth_toward_the_cap_is_said_once_and_the_run_goes_on()
    {
        var r = ReinProcess.Run(
            [
                "run",
                "--memory",
                "8G",
                "--warn-before",
                "10m",
                "--report",
                Report,
                "--",
                .. Growing(25),
            ],
            HomeEnv()
        );

        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        var lines = r.Stderr.Split('\n').Where(l => l.Contains("memory grows")).ToList();
        var line = Assert.Single(lines);
        Assert.StartsWith("rein run: warning: memory grows ", line);
        Assert.Contains("the 8 GiB cap (--memory) in about", line);
        var growth = Verdict().GetProperty("growth");
        Assert.Equal("memory", growth.GetProperty("limit").GetString());
        Assert.False(growth.GetProperty("stopped").GetBoolean());
        Assert.InRange(growth.GetProperty("bytes_per_second").GetInt64(), 20L << 20, 400L << 20);
        Assert.Equal("exited", Verdict().GetProperty("outcome").GetString());

        // The journal keeps the warning as the verdict gave it.
        var id = Verdict().GetProperty("run_id").GetString()!;
        Assert.Equal(Compact(growth), Compact(Journaled(id).GetProperty("growth")));
        var show = ReinProcess.Run(["journal", "show", id], Wide());
        Assert.Matches(
            @"growth +[0-9.]+m?s in: memory grows .* cap \(--memory\) in about",
            show.Stdout
        );
    }

    [Fact]
    public void On_growth_stop_ends_the_run_long_before_the_cap()
    {
        var r = ReinProcess.Run(
            [
                "run",
                "--memory",
                "8G",
                "--warn-before",
                "10m",
                "--on-growth",
                "stop",
                "--report",
                Report,
                "--",
                .. Growing(300), // 6 GiB if nothing stopped it
            ],
            HomeEnv()
        );

        Assert.True(r.ExitCode == 137, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Contains("stopped before its memory ran out", r.Stderr);
        var v = Verdict();
        Assert.Equal("memory_exceeded", v.GetProperty("outcome").GetString());
        Assert.True(v.GetProperty("growth").GetProperty("stopped").GetBoolean());
        Assert.True(v.GetProperty("peak_rss_bytes").GetInt64() < 2L << 30, r.Stderr);
        Assert.Empty(ProcessProbe.Alive(Marker));
        var journaled = Journaled(v.GetProperty("run_id").GetString()!).GetProperty("growth");
        Assert.True(journaled.GetProperty("stopped").GetBoolean(), journaled.ToString());
        Assert.Equal(Compact(v.GetProperty("growth")), Compact(journaled));
        var show = ReinProcess.Run(
            ["journal", "show", v.GetProperty("run_id").GetString()!],
            Wide()
        );
        Assert.Contains("stopped the run (--on-growth stop)", show.Stdout);
    }

    /// <summary>A start-up allocation, then nothing: at a minute's horizon under an 8 GiB cap, no warning.</summary>
    [Fact]
    public void A_start_up_allocation_then_flat_memory_is_not_a_warning()
    {
        var r = ReinProcess.Run(
            [
                "run",
                "--memory",
                "8G",
                "--warn-before",
                "60s",
                "--",
                Paths.Helper,
                Marker,
                "alloc",
                "100",
                "sleep",
                "2",
                "exit",
                "0",
            ],
            HomeEnv()
        );

        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.DoesNotContain("memory grows", r.Stderr);
        var list = ReinProcess.Run(["journal", "--json"], HomeEnv());
        var run = Assert.Single(
            JsonDocument.Parse(list.Stdout).RootElement.GetProperty("runs").EnumerateArray()
        );
        Assert.Equal(JsonValueKind.Null, run.GetProperty("growth").ValueKind);
        Assert.Equal(
            JsonValueKind.Null,
            Journaled(run.GetProperty("run_id").GetString()!).GetProperty("growth").ValueKind
        );
    }

    [Fact]
    public void Without_a_cap_the_machines_available_memory_is_the_limit()
    {
        var r = ReinProcess.Run(
            ["run", "--warn-before", "1000d", "--report", Report, "--", .. Growing(25)],
            HomeEnv()
        );

        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Contains("the machine's available memory", r.Stderr);
        Assert.Equal("available", Verdict().GetProperty("growth").GetProperty("limit").GetString());
    }

    [Theory]
    [InlineData(
        "--on-growth",
        "explode",
        "invalid run.on_growth from flag --on-growth: 'explode' (use warn or stop)"
    )]
    [InlineData("--warn-before", "soon", "invalid run.warn_before from flag --warn-before: 'soon'")]
    public void Bad_values_are_one_line_and_start_nothing(string flag, string value, string said)
    {
        var r = ReinProcess.Run(
            ["run", flag, value, "--", Paths.Helper, Marker, "touch", Path.Combine(Scratch, "ran")],
            HomeEnv()
        );

        Assert.Equal(125, r.ExitCode);
        Assert.Contains(said, r.Stderr);
        Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(Path.Combine(Scratch, "ran")));
    }
}
