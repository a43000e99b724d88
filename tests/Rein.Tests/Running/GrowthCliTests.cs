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

    /// <summary>`rein ps --json`: the live runs by id.</summary>
    Dictionary<string, JsonElement> Ps()
    {
        var r = ReinProcess.Run(["ps", "--json"], HomeEnv());
        Assert.True(r.ExitCode == 0, r.Stderr);
        return JsonDocument
            .Parse(r.Stdout)
            .RootElement.GetProperty("runs")
            .EnumerateArray()
            .ToDictionary(e => e.GetProperty("run_id").GetString()!, e => e.Clone());
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

    /// <summary>The id of the live run whose command names <paramref name="argument"/>.</summary>
    string LiveRunNaming(string argument) =>
        Ps()
            .Values.Single(e =>
                e.GetProperty("command").EnumerateArray().Any(a => a.GetString() == argument)
            )
            .GetProperty("run_id")
            .GetString()!;

    /// <summary>While the run is alive: the warning is in the journal at once, and `rein ps` says when the limit
    /// comes at the recorded rate from the tree's memory now. The tree grows ~200 MiB/s for 2 s (the warning),
    /// rests, then takes 1000 MiB more at once: the time left must shrink with it, not stay the warning's.</summary>
    [Fact]
    public void A_live_runs_warning_is_in_rein_ps_with_the_time_left_from_its_memory_now()
    {
        using var growing = ReinProcess.Start(
            [
                "run",
                "--memory",
                "8G",
                "--warn-before",
                "10m",
                "--",
                Paths.Helper,
                Marker,
                "pidfile",
                PidFile,
                .. Enumerable.Range(0, 20).SelectMany(_ => new[] { "alloc", "20", "sleep", "0.1" }),
                "sleep",
                "3",
                "alloc",
                "1000",
                "hang",
            ],
            HomeEnv()
        );
        var quietPids = Path.Combine(Scratch, "quiet-pids");
        using var quiet = ReinProcess.Start(RunArgs([], "pidfile", quietPids, "hang"), HomeEnv());
        ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10));
        ProcessProbe.WaitForPids(quietPids, 1, TimeSpan.FromSeconds(10));

        // The warning, in the journal while the run is alive.
        var id = LiveRunNaming(PidFile);
        var run = Ps()[id];
        Assert.True(
            ProcessProbe.WaitUntil(
                () => (run = Ps()[id]).GetProperty("growth").ValueKind != JsonValueKind.Null,
                TimeSpan.FromSeconds(20)
            ),
            $"no growth in rein ps --json: {run}"
        );
        var warned = run.GetProperty("growth");
        Assert.Equal("memory", warned.GetProperty("limit").GetString());
        Assert.Equal(8L << 30, warned.GetProperty("limit_bytes").GetInt64());
        Assert.False(warned.GetProperty("stopped").GetBoolean());
        var rate = warned.GetProperty("bytes_per_second").GetInt64();
        Assert.InRange(rate, 20L << 20, 400L << 20);

        // After the 1000 MiB step: the time left is recomputed from the tree's memory as ps measures it.
        Assert.True(
            ProcessProbe.WaitUntil(
                () =>
                    (run = Ps()[id]).GetProperty("tree_rss_bytes").GetInt64()
                    > warned.GetProperty("rss_bytes").GetInt64() + (900L << 20),
                TimeSpan.FromSeconds(20)
            ),
            $"the tree never took its last 1000 MiB: {run}"
        );
        var now = run.GetProperty("seconds_to_limit_now").GetInt64();
        var tree = run.GetProperty("tree_rss_bytes").GetInt64();
        Assert.Equal((long)Math.Ceiling(Math.Max(0, (8L << 30) - tree) / (double)rate), now);
        Assert.True(
            now <= warned.GetProperty("seconds_to_limit").GetInt64() - 2,
            $"{now}s now, {warned.GetProperty("seconds_to_limit")}s at the warning"
        );
        Assert.Equal(Compact(warned), Compact(run.GetProperty("growth")));

        // A run without a warning has none.
        var other = Ps()[LiveRunNaming(quietPids)];
        Assert.Equal(JsonValueKind.Null, other.GetProperty("growth").ValueKind);
        Assert.Equal(JsonValueKind.Null, other.GetProperty("seconds_to_limit_now").ValueKind);

        // The table says it in a condition line, the same number of seconds; at 80 columns it wraps, never past.
        var table = ReinProcess.Run(["ps"], Wide()).Stdout;
        var line = Assert.Single(
            table.Split('\n'),
            l => l.StartsWith(id + ": memory grows ", StringComparison.Ordinal)
        );
        Assert.Contains("the 8 GiB cap (--memory) in about ", line);
        // Measured again by this second ps: a page more or less may move the last second.
        Assert.Contains(
            line[(line.LastIndexOf("in about ", StringComparison.Ordinal) + 9)..],
            new[] { now - 1, now, now + 1 }.Select(s =>
                Rein.Config.DurationParser.Format(TimeSpan.FromSeconds(s))
            )
        );
        Assert.DoesNotContain(
            table.Split('\n'),
            l =>
                l.StartsWith(
                    other.GetProperty("run_id").GetString()! + ":",
                    StringComparison.Ordinal
                )
        );
        var narrow = HomeEnv();
        narrow["COLUMNS"] = "80";
        Assert.All(
            ReinProcess.Run(["ps"], narrow).Stdout.Split('\n'),
            l => Assert.True(l.Length <= 80 && !l.EndsWith(' '), $"'{l}'")
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
