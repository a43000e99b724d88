using System.Diagnostics;
using System.Text.Json;
using Rein.Platform.Posix;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Diagnostics;

/// <summary>rein doctor on the real machine, with real zombies, stopped and frozen processes, and a memory hog.</summary>
public sealed class DoctorCliTests : RunTestBase
{
    Process StartHelper(params string[] script)
    {
        var psi = new ProcessStartInfo(Paths.Helper) { UseShellExecute = false };
        psi.ArgumentList.Add(Marker);
        foreach (var w in script)
        {
            psi.ArgumentList.Add(w);
        }

        return Process.Start(psi)!;
    }

    JsonElement[] Findings(params string[] args)
    {
        var r = ReinProcess.Run(["doctor", "--json", .. args], HomeEnv());
        Assert.True(r.ExitCode is 0 or 1, r.Stderr);
        var doc = JsonDocument.Parse(r.Stdout).RootElement;
        Assert.Equal("rein.doctor/1", doc.GetProperty("schema").GetString());
        return [.. doc.GetProperty("findings").EnumerateArray()];
    }

    [Fact]
    public void Json_has_the_documented_shape_for_every_finding()
    {
        var findings = Findings();
        Assert.NotEmpty(findings);
        var names = new HashSet<string>();
        foreach (var f in findings)
        {
            names.Add(f.GetProperty("check").GetString()!);
            Assert.Contains(
                f.GetProperty("severity").GetString(),
                new[] { "ok", "info", "warn", "critical" }
            );
            Assert.False(string.IsNullOrEmpty(f.GetProperty("summary").GetString()));
            Assert.Equal(JsonValueKind.Object, f.GetProperty("details").ValueKind);
            Assert.True(f.TryGetProperty("advice", out _));
        }

        Assert.Superset(
            new HashSet<string>
            {
                "stuck",
                "zombies",
                "memory",
                "top-memory",
                "disk",
                "panics",
                "crashes",
                "containers",
                "spotlight",
                "rein",
            },
            names
        );
    }

    [Fact]
    public void Zombie_is_reported_with_the_parent_that_does_not_reap_it()
    {
        using var parent = StartHelper("bg", "[", "exit", "0", "]", "hang");
        try
        {
            Assert.True(
                ProcessProbe.WaitUntil(
                    () =>
                        new Rein.Processes.Linux.ProcfsProcessTable()
                            .Snapshot()
                            .Any(p => p.ParentPid == parent.Id && p.IsZombie),
                    TimeSpan.FromSeconds(5)
                )
            );
            var zombie = Findings("--check", "zombies")
                .Single(f =>
                    f.GetProperty("details").TryGetProperty("parent_pid", out var pp)
                    && pp.GetInt32() == parent.Id
                );
            Assert.Contains($"of parent {parent.Id}", zombie.GetProperty("summary").GetString());
            Assert.Contains(
                Marker,
                zombie.GetProperty("details").GetProperty("parent_command").GetString()
            );
        }
        finally
        {
            parent.Kill();
        }
    }

    [Fact]
    public void Stopped_process_is_not_reported_as_stuck()
    {
        using var p = StartHelper("hang");
        try
        {
            LibC.kill(p.Id, LibC.SIGSTOP);
            ProcessProbe.WaitUntil(() => ProcessProbe.IsStopped(p.Id), TimeSpan.FromSeconds(2));
            var stuck = Findings("--check", "stuck");
            Assert.DoesNotContain(
                p.Id.ToString(),
                string.Join("\n", stuck.Select(f => f.GetRawText()))
            );
        }
        finally
        {
            p.Kill();
        }
    }

    [Fact]
    public void Frozen_process_is_reported_as_stuck_with_the_runbook()
    {
        const string freezer = "/sys/fs/cgroup/freezer";
        Assert.SkipUnless(
            OperatingSystem.IsLinux()
                && File.Exists(Path.Combine(freezer, "cgroup.procs"))
                && Environment.UserName == "root",
            "needs root and the cgroup v1 freezer"
        );
        var cgroup = Path.Combine(freezer, "rein-doctor-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(cgroup);
        using var p = StartHelper("hang");
        try
        {
            File.WriteAllText(Path.Combine(cgroup, "cgroup.procs"), p.Id.ToString());
            File.WriteAllText(Path.Combine(cgroup, "freezer.state"), "FROZEN");
            ProcessProbe.WaitUntil(
                () =>
                    new Rein.Processes.Linux.ProcfsProcessTable().Read(p.Id)?.IsUninterruptible
                    == true,
                TimeSpan.FromSeconds(2)
            );

            var stuck = Assert.Single(Findings("--check", "stuck"));
            Assert.Equal("warn", stuck.GetProperty("severity").GetString()); // first sighting: not yet 30 s
            Assert.Contains(
                p.Id,
                stuck
                    .GetProperty("details")
                    .GetProperty("processes")
                    .EnumerateArray()
                    .Select(x => x.GetProperty("pid").GetInt32())
            );
            Assert.Contains("reboot", stuck.GetProperty("advice").GetString());
        }
        finally
        {
            File.WriteAllText(Path.Combine(cgroup, "freezer.state"), "THAWED");
            p.Kill();
            p.WaitForExit();
            ProcessProbe.WaitUntil(
                () => File.ReadAllText(Path.Combine(cgroup, "cgroup.procs")).Trim().Length == 0,
                TimeSpan.FromSeconds(3)
            );
            Directory.Delete(cgroup);
        }
    }

    [Fact]
    public void Memory_hog_shows_up_among_the_top_users()
    {
        using var hog = StartHelper("alloc", "400", "pidfile", PidFile, "hang");
        try
        {
            ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(10));
            var top = Findings("--check", "top-memory")
                .First(f => f.GetProperty("details").TryGetProperty("processes", out _));
            // Among the top users, not necessarily first: compilers and test hosts on a busy machine are bigger.
            var listed = top.GetProperty("details")
                .GetProperty("processes")
                .EnumerateArray()
                .Single(p => p.GetProperty("pid").GetInt32() == hog.Id);
            Assert.True(listed.GetProperty("rss_bytes").GetInt64() >= 400L << 20);
        }
        finally
        {
            hog.Kill();
        }
    }

    /// <summary>A reports folder with fresh copies of the panic and crash fixtures (critical within a day).</summary>
    string ReportsWithPanics()
    {
        var reports = Path.Combine(Scratch, "DiagnosticReports");
        Directory.CreateDirectory(reports);
        foreach (
            var f in Directory
                .GetFiles(Paths.Fixture("diagnostics", "panic"))
                .Concat(Directory.GetFiles(Paths.Fixture("diagnostics", "ips")))
        )
        {
            var name = Path.GetFileName(f).Replace(".txt", "", StringComparison.Ordinal);
            File.Copy(
                f,
                Path.Combine(
                    reports,
                    name.EndsWith(".panic", StringComparison.Ordinal)
                    || name.EndsWith(".ips", StringComparison.Ordinal)
                        ? name
                        : name + ".panic"
                )
            );
        }
        return reports;
    }

    [Fact]
    public void Panics_and_crashes_from_a_reports_folder_are_found_and_tied_to_runs()
    {
        var reports = ReportsWithPanics();

        var r = ReinProcess.Run(
            ["doctor", "--json", "--check", "panics", "--check", "crashes"],
            HomeEnv(("REIN_DIAGNOSTIC_REPORTS", reports))
        );
        var findings = JsonDocument
            .Parse(r.Stdout)
            .RootElement.GetProperty("findings")
            .EnumerateArray()
            .ToList();

        var iogpu = findings.Single(f =>
            f.GetProperty("summary")
                .GetString()!
                .Contains("IOGPUMemory.cpp:550", StringComparison.Ordinal)
        );
        Assert.Equal("critical", iogpu.GetProperty("severity").GetString()); // files are fresh copies: "within a day"
        Assert.Contains("space model loads", iogpu.GetProperty("advice").GetString());
        Assert.Contains(
            findings,
            f =>
                f.GetProperty("summary")
                    .GetString()!
                    .Contains("crash(es) of Python: EXC_BAD_ACCESS", StringComparison.Ordinal)
        );
        Assert.Equal(1, r.ExitCode); // critical findings → 1
    }

    [Fact]
    public void Unreadable_reports_folder_is_said_never_hidden()
    {
        Assert.SkipWhen(Environment.UserName == "root", "root reads every folder");
        var reports = Path.Combine(Scratch, "locked");
        Directory.CreateDirectory(reports);
        File.SetUnixFileMode(reports, UnixFileMode.None);
        var r = ReinProcess.Run(
            ["doctor", "--json", "--check", "panics"],
            HomeEnv(("REIN_DIAGNOSTIC_REPORTS", reports))
        );
        Assert.Contains("cannot read", r.Stdout);
    }

    [Fact]
    public void Bad_usage_exits_2_with_one_line()
    {
        var r = ReinProcess.Run(["doctor", "--check", "nosuch"], HomeEnv());
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("unknown check 'nosuch'", r.Stderr);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Human_report_lists_worst_first_with_advice()
    {
        // Findings of every severity, whatever the machine: panics within a day (critical), a journal that is
        // not a database (warning, moved aside), Rein's own view (note), and the checks that pass (ok).
        Directory.CreateDirectory(Home);
        File.WriteAllText(Path.Combine(Home, "rein.db"), "not a database " + new string('x', 5000));
        var r = ReinProcess.Run(
            ["doctor"],
            HomeEnv(("REIN_DIAGNOSTIC_REPORTS", ReportsWithPanics()))
        );

        Assert.StartsWith("rein doctor: ", r.Stdout);
        var at = new[] { "\nCRITICAL", "\nWARNING", "\nNOTE", "\nOK" }
            .Select(h => r.Stdout.IndexOf(h, StringComparison.Ordinal))
            .ToList();
        Assert.All(at, i => Assert.True(i > 0, r.Stdout));
        Assert.Equal(at.Order(), at); // worst first
        Assert.Contains("→ ", r.Stdout[at[0]..at[2]]); // critical and warning findings carry advice
    }
}
