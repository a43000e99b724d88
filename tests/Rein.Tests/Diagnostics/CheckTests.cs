using Rein.Diagnostics;
using Rein.Diagnostics.Checks;
using Rein.Diagnostics.Parsers;
using Rein.Journal;
using Rein.Platform.MacOS;
using Rein.Processes;
using Rein.Processes.Linux;
using Rein.Tests.Support;

namespace Rein.Tests.Diagnostics;

/// <summary>Check logic over fixed inputs: thresholds, grouping, and what the user is told.</summary>
public sealed class CheckTests
{
    [Fact]
    public void Linux_memory_thresholds()
    {
        var check = new MemoryPressureCheck();
        var healthy = check.Evaluate(
            new MemInfo(16L << 30, 8L << 30, 0, 0),
            PressureParser.Parse(
                "some avg10=0.50 avg60=0.10 avg300=0.00 total=1\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0"
            )
        );
        Assert.Equal(Severity.Ok, healthy.Severity);
        Assert.Contains("8 GiB of 16 GiB available (50%)", healthy.Summary);
        Assert.Equal(
            Severity.Warn,
            check.Evaluate(new MemInfo(16L << 30, 2L << 30, 0, 0), null).Severity
        );
        Assert.Equal(
            Severity.Critical,
            check.Evaluate(new MemInfo(16L << 30, 500L << 20, 0, 0), null).Severity
        );
        var stalled = PressureParser.Parse(
            "some avg10=40.00 avg60=30.00 avg300=10.00 total=1\nfull avg10=15.00 avg60=9.00 avg300=2.00 total=1"
        );
        Assert.Equal(
            Severity.Critical,
            check.Evaluate(new MemInfo(16L << 30, 8L << 30, 0, 0), stalled).Severity
        );
    }

    [Fact]
    public void MacOS_memory_from_the_captured_memory_pressure()
    {
        var reading = MacMemoryParsers.ParseMemoryPressure(
            File.ReadAllText(
                Paths.Fixture("macos", "memory_pressure", "openclaw-mini2-macmini-32g-86pct.txt")
            )
        );
        var f = new MemoryPressureCheck().EvaluateMac(
            reading,
            new SwapUsage(2L << 30, 1L << 30, 1L << 30),
            false
        );
        Assert.Equal(Severity.Ok, f.Severity);
        Assert.Contains("memory free 86%", f.Summary);
        Assert.Equal(
            Severity.Critical,
            new MemoryPressureCheck()
                .EvaluateMac(reading! with { FreePercent = 9 }, null, false)
                .Severity
        );
    }

    [Fact]
    public void Duplicate_interpreters_are_grouped_and_flagged()
    {
        var procs = Enumerable
            .Range(0, 5)
            .Select(i => new ProcessInfo(
                100 + i,
                1,
                1,
                1,
                'S',
                1,
                300L << 20,
                i % 2 == 0 ? "python3.11" : "python3"
            ))
            .ToList();
        procs.Add(new ProcessInfo(200, 1, 1, 1, 'S', 1, 50L << 20, "bash"));
        var findings = new TopMemoryCheck().Evaluate(procs, pid => $"cmd {pid}");
        Assert.Contains(
            findings,
            f => f.Summary == "5 × python resident = 1.5 GiB" && f.Severity == Severity.Warn
        );
    }

    [Fact]
    public void Disk_thresholds()
    {
        var d = new DiskCheck();
        Assert.Equal(Severity.Critical, d.Evaluate("x", "/", 1L << 30, 500L << 30).Severity);
        Assert.Equal(Severity.Warn, d.Evaluate("x", "/", 30L << 30, 500L << 30).Severity);
        Assert.Equal(Severity.Ok, d.Evaluate("x", "/", 100L << 30, 500L << 30).Severity);
    }

    [Fact]
    public void Container_without_a_memory_limit_is_a_warning_with_its_usage()
    {
        var check = new ContainersCheck();
        var findings = check.Evaluate(
            [
                new ContainerInfo("nginx", true, 0),
                new ContainerInfo("webserver", true, 2L << 30),
                new ContainerInfo("stopped", false, 0),
            ],
            [new ContainerStats("nginx", "7.8GiB / 15.6GiB", "50%")]
        );
        var warn = Assert.Single(findings);
        Assert.Equal(Severity.Warn, warn.Severity);
        Assert.Contains(
            "container nginx has no memory limit (using 7.8GiB / 15.6GiB)",
            warn.Summary
        );
        Assert.Contains("docker update --memory", warn.Advice);
    }

    [Fact]
    public void Docker_VM_much_bigger_than_its_containers_is_pointed_out()
    {
        var stats = DockerParsers.ParseStats(
            File.ReadAllText(
                Paths.Fixture("diagnostics", "docker", "docker-docs-stats-no-stream-json.txt")
            )
        );
        var f = new ContainersCheck().EvaluateVm(8L << 30, stats);
        Assert.Equal(Severity.Info, f.Severity);
        Assert.Contains("the Docker VM holds 8 GiB; its containers use 2.4 MiB", f.Summary);
        Assert.Contains("restart Docker Desktop", f.Advice);
        Assert.Equal(Severity.Ok, new ContainersCheck().EvaluateVm(2L << 30, stats).Severity);
    }

    [Theory]
    [InlineData("2.352MiB", 2466250L)]
    [InlineData("13.3kB", 13300L)]
    [InlineData("0B", 0L)]
    [InlineData("7.8GiB", 8375186227L)]
    public void Docker_sizes_parse(string text, long bytes) =>
        Assert.Equal(bytes, DockerParsers.ParseSize(text));

    [Fact]
    public void Crash_recurring_on_two_days_is_a_warning()
    {
        var c = new CrashReport(
            "Python",
            new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero),
            "EXC_BAD_ACCESS",
            "KERN_INVALID_ADDRESS",
            "SIGSEGV",
            "uv",
            "iTerm2",
            "_pydantic_core.cpython-313-darwin.so",
            "x"
        );
        var once = new CrashesCheck().Summarise([c], TimeSpan.FromDays(7));
        Assert.Equal(Severity.Info, Assert.Single(once).Severity);
        var twice = new CrashesCheck().Summarise(
            [c, c with { Time = c.Time!.Value.AddDays(1) }],
            TimeSpan.FromDays(7)
        );
        var f = Assert.Single(twice);
        Assert.Equal(Severity.Warn, f.Severity);
        Assert.Contains("(pydantic-core)", f.Summary);
        Assert.Contains("on 2 different days", f.Summary);
    }

    [Fact]
    public void Panic_names_the_runs_that_were_alive()
    {
        var t = new DateTimeOffset(2026, 11, 22, 3, 0, 0, TimeSpan.Zero);
        RunRecord Run(string id, int startMin, int? endMin) =>
            new()
            {
                Id = id,
                Command = ["x"],
                WorkingDirectory = "/",
                User = "u",
                BootId = "b",
                StartedAt = t.AddMinutes(startMin),
                EndedAt = endMin is { } e ? t.AddMinutes(e) : null,
            };
        var alive = PanicsCheck.AliveAt(
            [
                Run("before", -60, -30),
                Run("during", -10, 10),
                Run("unclean", -5, null),
                Run("after", 5, 6),
            ],
            t
        );
        Assert.Equal(["during", "unclean"], alive.Select(r => r.Id));
    }

    [Fact]
    public void Cloud_synced_projects_are_flagged()
    {
        var s = new SpotlightCheck();
        Assert.Single(
            s.CloudSynced("/Users/me/Library/Mobile Documents/com~apple~CloudDocs/src/app")
        );
        Assert.Empty(s.CloudSynced("/Users/me/src/app"));
    }

    [Fact]
    public void Heavy_folders_without_the_never_index_marker_are_listed()
    {
        var root = Directory.CreateTempSubdirectory("rein-spot-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, ".venv"));
            Directory.CreateDirectory(Path.Combine(root, "web", "node_modules"));
            Directory.CreateDirectory(Path.Combine(root, "dist"));
            File.WriteAllText(Path.Combine(root, "dist", ".metadata_never_index"), "");
            var f = Assert.Single(new SpotlightCheck().HeavyUnprotected(root));
            Assert.Contains("2 heavy folder(s)", f.Summary);
            Assert.Contains(".venv", f.Summary);
            Assert.DoesNotContain("dist", f.Summary);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void A_check_that_throws_becomes_a_finding_and_the_rest_still_run()
    {
        var ctx = new DoctorContext
        {
            Table = new ProcfsProcessTable(),
            Processes = [],
            Now = DateTimeOffset.UtcNow,
            Since = TimeSpan.FromDays(7),
            StateDirectory = Path.GetTempPath(),
            WorkingDirectory = Path.GetTempPath(),
            Tools = new CommandRunner(),
        };
        var findings = Doctor.Run(ctx, [new Throwing(), new ZombiesCheck()]);
        Assert.Contains(
            findings,
            f => f.Check == "boom" && f.Summary.Contains("check failed: kaput")
        );
        Assert.Contains(findings, f => f.Check == "zombies");
    }

    sealed class Throwing : IDoctorCheck
    {
        public string Name => "boom";

        public IReadOnlyList<Finding> Run(DoctorContext ctx) =>
            throw new InvalidOperationException("kaput");
    }
}
