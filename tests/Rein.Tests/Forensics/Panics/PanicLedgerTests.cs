using Rein.Forensics.Panics;
using Rein.Journal;
using Rein.Tests.Support;

namespace Rein.Tests.Forensics.Panics;

/// <summary>The ledger on a real journal: ingestion from real panic reports in a DiagnosticReports folder (and its
/// Retired/), Linux records (constructed text: no real Linux panic capture is in the fixtures), de-duplication, and
/// suspected panics.</summary>
public sealed class PanicLedgerTests : IDisposable
{
    static readonly DateTimeOffset Now = new(2026, 11, 24, 1, 0, 0, TimeSpan.Zero);

    readonly string _root = Directory.CreateTempSubdirectory("rein-panic-ledger-").FullName;

    string State => Path.Combine(_root, "state");

    string Reports => Path.Combine(_root, "DiagnosticReports");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    PanicSources MacSources() => new() { ReportDirectories = [Reports] };

    static string Fixture(string name) => Paths.Fixture("diagnostics", "panic", name);

    void CopyReports()
    {
        Directory.CreateDirectory(Path.Combine(Reports, "Retired"));
        File.Copy(
            Fixture("iogpu-completememory-underflow-550-mlx-lm-1666.head-excerpt.panic.txt"),
            Path.Combine(Reports, "Kernel-2026-11-23-iogpu.panic")
        );
        // This .panic carries no time: its mtime dates it, and it must not be later than this test's fixed Now
        // (a later one is clamped to the time found, and its signature says so).
        File.SetLastWriteTimeUtc(
            Path.Combine(Reports, "Kernel-2026-11-23-iogpu.panic"),
            Now.UtcDateTime.AddHours(-1)
        );
        // A bug_type 210 report in the JSON layout (header line + body), as macOS names it today: .ips, retired.
        File.Copy(
            Fixture("macos10.15-nvme-timeout-bugtype210.panic"),
            Path.Combine(Reports, "Retired", "Kernel-2023-09-08-204016.ips")
        );
        // An app crash (.ips bug_type 309) is not a panic.
        File.Copy(
            Paths.Fixture("diagnostics", "ips", "python3.13-duckdb-exc-bad-access.ips"),
            Path.Combine(Reports, "Python-2026-11-23.ips")
        );
    }

    [Fact]
    public void Real_reports_in_the_folder_and_Retired_are_ingested_with_their_class_and_time()
    {
        CopyReports();
        using var store = JournalStore.Open(State);
        var ledger = new PanicLedger(store, MacSources(), "boot-now");
        Assert.Empty(ledger.Refresh(Now));

        var panics = ledger.List(DateTimeOffset.UnixEpoch);
        Assert.Equal(2, panics.Count);
        var nvme = panics[0].Panic;
        Assert.Equal(DateTimeOffset.Parse("2023-09-08T20:40:16.84-07:00"), nvme.Time);
        Assert.Equal(SignatureClasses.Other, nvme.SignatureClass);
        Assert.Contains("IONVMeController.cpp:6090", nvme.Signature);
        Assert.EndsWith(Path.Combine("Retired", "Kernel-2023-09-08-204016.ips"), nvme.File);

        var iogpu = panics[1].Panic;
        Assert.Equal(PanicKinds.Report, iogpu.Kind);
        Assert.Equal(SignatureClasses.PrepareCountUnderflow, iogpu.SignatureClass);
        Assert.Equal(
            "IOGPUMemory.cpp:550 completeMemory() prepare count underflow",
            iogpu.Signature
        );
    }

    [Fact]
    public void Ingesting_twice_adds_nothing_and_a_report_moved_to_Retired_is_the_same_panic()
    {
        CopyReports();
        using var store = JournalStore.Open(State);
        var ledger = new PanicLedger(store, MacSources(), "boot-now");
        ledger.Refresh(Now);
        ledger.Refresh(Now);
        Assert.Equal(2, ledger.List(DateTimeOffset.UnixEpoch).Count);
        Assert.Equal(3, store.PanicFilesSeen().Count); // the app crash too: looked at once, never parsed again

        // macOS moves submitted reports to Retired/: same name, same time → same source.
        File.Move(
            Path.Combine(Reports, "Kernel-2026-11-23-iogpu.panic"),
            Path.Combine(Reports, "Retired", "Kernel-2026-11-23-iogpu.panic")
        );
        ledger.Refresh(Now);
        Assert.Equal(2, ledger.List(DateTimeOffset.UnixEpoch).Count);
        Assert.Equal(
            0,
            store.RecordPanics([ledger.List(DateTimeOffset.UnixEpoch)[0].Panic], [], Now)
        );
    }

    [Fact]
    public void A_file_seen_before_is_not_parsed_again()
    {
        CopyReports();
        using var store = JournalStore.Open(State);
        var scan = PanicScanner.Scan(MacSources(), store.PanicFilesSeen(), "boot-now", Now);
        store.RecordPanics(scan.Panics, scan.Seen, Now);
        var again = PanicScanner.Scan(MacSources(), store.PanicFilesSeen(), "boot-now", Now);
        Assert.Empty(again.Panics);
        Assert.Empty(again.Seen);
    }

    [Fact]
    public void Linux_pstore_kdump_apport_and_the_previous_boots_kernel_log_are_found()
    {
        // Constructed records in the layouts the kernel, kdump and apport write (no real capture in the fixtures).
        var pstore = Directory.CreateDirectory(Path.Combine(_root, "pstore")).FullName;
        File.WriteAllText(
            Path.Combine(pstore, "dmesg-ramoops-0"),
            "Panic#1 Part1\n<0>[  812.345678] Kernel panic - not syncing: Fatal exception in interrupt\n"
        );
        File.WriteAllText(
            Path.Combine(pstore, "console-ramoops-0"),
            "[    0.000000] Linux version 6.8.0\n"
        );
        var crash = Directory.CreateDirectory(Path.Combine(_root, "crash")).FullName;
        var kdump = Directory.CreateDirectory(Path.Combine(crash, "202611240102")).FullName;
        File.WriteAllText(
            Path.Combine(kdump, "dmesg.202611240102"),
            "[ 5.1] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
                + "[ 5.2] Kernel panic - not syncing: Fatal exception\n"
                + "[ 5.3] ---[ end Kernel panic - not syncing: Fatal exception ]---\n"
        );
        File.WriteAllText(
            Path.Combine(crash, "_usr_bin_python3.12.1000.crash"),
            "ProblemType: Crash\nDate: Mon Nov 23 10:00:00 2026\nExecutablePath: /usr/bin/python3.12\n"
        );
        File.WriteAllText(
            Path.Combine(crash, "linux-image-6.8.0-45-generic-202611231200.crash"),
            "ProblemType: KernelCrash\nDate: Mon Nov 23 12:00:00 2026\nTitle: amdgpu: GPU hang detected on ring gfx\n"
        );
        var log =
            "2026-11-23T23:10:01.123456+00:00 host kernel: amdgpu 0000:03:00.0: ring gfx timeout\n"
            + "2026-11-23T23:10:02.000001+00:00 host kernel: Kernel panic - not syncing: hung_task: blocked tasks\n"
            + "2026-11-23T23:10:02.100000+00:00 host kernel: ---[ end Kernel panic - not syncing: hung_task: blocked tasks ]---\n";
        var sources = new PanicSources
        {
            PstoreDirectory = pstore,
            CrashDirectory = crash,
            PreviousBootKernelLog = () => log,
        };

        using var store = JournalStore.Open(State);
        var ledger = new PanicLedger(store, sources, "boot-now");
        ledger.Refresh(Now);
        // Each place's record as stored (the ledger's list merges a crash's records; here they are 4 crashes apart
        // only by their times, and pstore's and kdump's are the files' mtimes: now, later than Now, so clamped).
        var panics = store.Panics(DateTimeOffset.UnixEpoch);
        Assert.Equal(4, panics.Count);
        Assert.Contains(
            panics,
            p =>
                p.Source.StartsWith("pstore:dmesg-ramoops-0#", StringComparison.Ordinal)
                && p.Signature.StartsWith(
                    "Kernel panic - not syncing: Fatal exception in interrupt",
                    StringComparison.Ordinal
                )
        );
        Assert.Contains(
            panics,
            p =>
                p.Source == "kdump:202611240102"
                && p.Signature.StartsWith(
                    "Kernel panic - not syncing: Fatal exception",
                    StringComparison.Ordinal
                )
        );
        var apport = Assert.Single(
            panics,
            p => p.Source.StartsWith("apport:", StringComparison.Ordinal)
        );
        Assert.Equal(SignatureClasses.GpuHang, apport.SignatureClass);
        var fromLog = Assert.Single(
            panics,
            p => p.Source.StartsWith("kernel-log:", StringComparison.Ordinal)
        );
        Assert.Equal(DateTimeOffset.Parse("2026-11-23T23:10:02.000+00:00"), fromLog.Time); // stored in ms

        // The kernel log is asked once per boot.
        var asked = 0;
        var again = new PanicLedger(
            store,
            sources with
            {
                PreviousBootKernelLog = () =>
                {
                    asked++;
                    return log;
                },
            },
            "boot-now"
        );
        again.Refresh(Now);
        Assert.Equal(0, asked);
        Assert.Equal(4, store.Panics(DateTimeOffset.UnixEpoch).Count);
    }

    [Theory]
    [InlineData(
        "panic(cpu 1 caller 0x1): \"completeMemory() prepare count underflow\" @IOGPUMemory.cpp:550",
        "prepare_count_underflow"
    )]
    // The other classes have no real capture in the fixtures: these lines are constructed.
    [InlineData(
        "panic(cpu 4 caller 0x1): \"IOGPUMemory::complete: pending memory set not empty\" @IOGPUMemory.cpp:492",
        "pending_memory_set"
    )]
    [InlineData(
        "panic(cpu 2 caller 0x1): \"AGX: ctxstore timeout on channel 3\" @AGXFirmwareKextG15.cpp:100",
        "ctxstore_timeout"
    )]
    [InlineData(
        "panic(cpu 0 caller 0x1): \"IOGPU: out of memory while wiring resources\"",
        "metal_oom"
    )]
    [InlineData("panic(cpu 0 caller 0x1): \"AGX GPU hang: firmware did not respond\"", "gpu_hang")]
    [InlineData("Kernel panic - not syncing: Fatal exception in interrupt", "other")]
    public void Signature_classes(string text, string expected) =>
        Assert.Equal(expected, SignatureClasses.Classify(text));

    static RunRecord Run(string id, string boot, DateTimeOffset started, string? model) =>
        new()
        {
            Id = id,
            Command = ["python", "serve.py"],
            WorkingDirectory = "/",
            User = "tester",
            BootId = boot,
            StartedAt = started,
            ModelLabel = model,
            UncleanReason = UncleanReasons.MachineWentDown,
        };

    [Fact]
    public void One_suspected_panic_per_boot_that_went_down_at_its_last_sign_of_life()
    {
        var t = Now - TimeSpan.FromHours(3);
        var suspected = PanicLedger.Suspected(
            [Run("r1", "b1", t, "org/a"), Run("r2", "b1", t + TimeSpan.FromMinutes(5), "org/b")],
            [("b1", t, t + TimeSpan.FromMinutes(9)), ("b2", t + TimeSpan.FromMinutes(12), null)]
        );
        var s = Assert.Single(suspected);
        Assert.Equal("suspected:r1", s.Source);
        Assert.Equal(PanicKinds.Suspected, s.Kind);
        Assert.Equal(t + TimeSpan.FromMinutes(9), s.Time);
        Assert.Equal(t, s.WindowStart);
        Assert.Equal(t + TimeSpan.FromMinutes(12), s.WindowEnd);
        Assert.Contains("org/a,org/b", s.Signature);
    }

    [Fact]
    public void A_report_inside_a_suspected_panics_window_is_counted_once()
    {
        var t = Now - TimeSpan.FromHours(3);
        PanicRecord Suspected() =>
            new()
            {
                Source = "suspected:r1",
                Time = t + TimeSpan.FromMinutes(9),
                Kind = PanicKinds.Suspected,
                SignatureClass = SignatureClasses.Other,
                Signature = "the machine went down",
                WindowStart = t,
                WindowEnd = t + TimeSpan.FromMinutes(12),
            };
        PanicRecord Report(DateTimeOffset at) =>
            new()
            {
                Source = "Kernel.panic@" + at.ToUnixTimeMilliseconds(),
                Time = at,
                Kind = PanicKinds.Report,
                SignatureClass = SignatureClasses.PrepareCountUnderflow,
                Signature = "prepare count underflow",
            };

        var inside = PanicLedger.Counted([Suspected(), Report(t + TimeSpan.FromMinutes(10))]);
        Assert.Equal(PanicKinds.Report, Assert.Single(inside).Kind);
        var outside = PanicLedger.Counted([Suspected(), Report(t + TimeSpan.FromHours(2))]);
        Assert.Equal(2, outside.Count);
    }
}
