using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Rein.Documents;
using Rein.Forensics.Panics;
using Rein.Lint;
using Rein.Models;
using Rein.Running.Gates;
using Rein.Tests.Support;

namespace Rein.Tests.Documents;

/// <summary>Each public document, serialised from a representative record through <see cref="ReinJsonContext"/>,
/// has the shape in tests/golden/documents/NAME.shape.json (field names and value kinds, recursively): a renamed,
/// removed or retyped field fails here before a reader breaks. The records are filled in (no nulls where a value
/// can be), so the golden file shows each field's kind. <c>REIN_UPDATE_GOLDEN=1</c> rewrites the files.</summary>
public sealed class DocumentShapeTests
{
    static readonly DateTimeOffset At = new(2026, 11, 23, 21, 51, 53, 123, TimeSpan.Zero);

    /// <summary><paramref name="name"/>: the schema, and a variant's name after it when one schema has two shapes.</summary>
    static void Check<T>(string name, T document, JsonTypeInfo<T> type)
    {
        var json = JsonSerializer.Serialize(document, type);
        Assert.StartsWith(
            JsonDocument.Parse(json).RootElement.GetProperty("schema").GetString()!,
            name,
            StringComparison.Ordinal
        );
        Golden.Check(
            $"documents/{name.Replace('/', '.').Replace(' ', '.')}.shape.json",
            DocumentShape.Of(json)
        );
    }

    static readonly PanicRecord Panic = new()
    {
        Id = 1,
        Source = "Kernel-iogpu.panic#ab0a266acadada4c",
        Time = At,
        Kind = PanicKinds.Report,
        SignatureClass = "prepare_count_underflow",
        Signature = "IOGPUMemory.cpp:550 completeMemory() prepare count underflow",
        File = "/Library/Logs/DiagnosticReports/Kernel-iogpu.panic",
        BootId = "boot-1",
    };

    static readonly Refusal CadenceRefusal = new()
    {
        Code = RefusalCodes.CadenceSameModel,
        Gate = "cadence",
        Subject = "org/model-8b",
        Holders =
        [
            new RefusalHolder
            {
                Pid = 42,
                RunId = "20261123T215153Z-0a1b2c3d4e",
                Command = "python serve.py",
                Since = At,
                Slot = 0,
                Condition = "running",
                Bytes = 1024,
            },
        ],
        RetryAt = At,
        WaitedMs = 0,
        Numbers = new Dictionary<string, double> { ["interval_s"] = 180 },
        Facts = new Dictionary<string, string> { ["rule"] = "same_model" },
    };

    [Fact]
    public void Config() =>
        Check(
            "rein.config/1",
            new ConfigDocument(
                ConfigDocument.SchemaName,
                "/repo/rein.toml",
                "/home/u/.config/rein/rein.toml",
                [
                    new ConfigSettingDocument(
                        "run.timeout",
                        "1h",
                        "default",
                        "default",
                        "REIN_TIMEOUT",
                        "the time limit"
                    ),
                ]
            ),
            ReinJsonContext.Readable.ConfigDocument
        );

    [Fact]
    public void Models_check() =>
        Check(
            "rein.models.check/1",
            ModelsCheckDocument.From(
                "org/model-31b",
                new KnownPanic
                {
                    Id = "org/model-31b",
                    What = "kernel-panicked the machine",
                    Signature = "IOGPUMemory.cpp:492",
                    Evidence = "two reports",
                    Alternatives = ["llama.cpp"],
                }
            ),
            ReinJsonContext.Readable.ModelsCheckDocument
        );

    [Fact]
    public void Models_estimate() =>
        Check(
            "rein.models.estimate/1",
            ModelsEstimateDocument.From(
                new ModelEstimate
                {
                    Model = "org/model-4b-8bit",
                    Parameters = 4e9,
                    ParameterToken = "4b",
                    BytesPerParameter = 1,
                    QuantisationToken = "8bit",
                    OnDisk = new WeightsOnDisk(4_000_000_000, "/models/m", 2, "safetensors"),
                },
                2L << 30
            ),
            ReinJsonContext.Readable.ModelsEstimateDocument
        );

    [Fact]
    public void Cadence() =>
        Check(
            "rein.cadence/1",
            CadenceDocument.From("check", ["org/model-8b"], CadenceRefusal, "token-1"),
            ReinJsonContext.Readable.CadenceDocument
        );

    [Fact]
    public void Panics() =>
        Check(
            "rein.panics/1",
            PanicsDocument.From(
                [
                    new LedgerPanic(
                        Panic,
                        [
                            new Rein.Journal.RunRecord
                            {
                                Id = "20261123T215153Z-0a1b2c3d4e",
                                StartedAt = At,
                                Command = ["python", "train.py"],
                                WorkingDirectory = "/work",
                                User = "u",
                                BootId = "boot-1",
                                ReinPid = 1,
                                ModelLabel = "org/model-8b",
                            },
                        ]
                    ),
                ],
                At,
                ["a place that could not be read"]
            ),
            ReinJsonContext.Readable.PanicsDocument
        );

    [Fact]
    public void Gate() =>
        Check(
            "rein.gate/1",
            GateDocument.FromVerdict(
                "lockout",
                new PanicGateVerdict
                {
                    State = PanicGateState.Lockout,
                    Rule = "lockout_day",
                    Until = At,
                    Panics = [Panic],
                    Ack = new PanicAck(1, At, "u"),
                    AckValidUntil = At,
                    AckedLockout = new PanicLockout("lockout_day", [Panic], At),
                },
                ["a place that could not be read"],
                At,
                "blocked"
            ) with
            {
                Hold = new GateHoldDocument(At, At, "maintenance", "u"),
            },
            ReinJsonContext.Readable.GateDocument
        );

    [Fact]
    public void Gate_release() =>
        Check(
            "rein.gate/1 released",
            GateReleaseDocument.From(true, "released the hold"),
            ReinJsonContext.Readable.GateReleaseDocument
        );

    [Fact]
    public void Ack() =>
        Check(
            "rein.ack/1",
            AckDocument.From(
                true,
                At,
                TimeSpan.FromHours(24),
                new PanicGateVerdict
                {
                    State = PanicGateState.Lockout,
                    Rule = "lockout_day",
                    Until = At,
                    Panics = [Panic],
                },
                new PanicGateVerdict { State = PanicGateState.Cooldown },
                "acknowledged"
            ),
            ReinJsonContext.Readable.AckDocument
        );

    [Fact]
    public void Lint() =>
        Check(
            "rein.lint/1",
            LintDocument.From(
                new LintReport(
                    "make",
                    ["Makefile"],
                    [
                        new LintFinding(
                            "Makefile",
                            3,
                            LintSeverity.Warning,
                            "make-shell-parse-time",
                            "runs at parse time",
                            "use :="
                        )
                        {
                            Details = new LintDetails
                            {
                                Variable = "X",
                                When = "parse_time",
                                Command = "nproc",
                                RecursiveMakeCalls = 1,
                                References = 2,
                                Targets = ["all"],
                                Service = "web",
                                MemoryLimitBytes = 1,
                                TmpfsBytes = 1,
                                MachineMemoryBytes = 1,
                                Construct = "while True",
                            },
                        },
                    ]
                ),
                LintSeverity.Error
            ),
            ReinJsonContext.Readable.LintDocument
        );

    [Fact]
    public void Locks() =>
        Check(
            "rein.locks/1",
            new LocksDocument(
                LocksDocument.SchemaName,
                [
                    new LockDocument(
                        "gpu",
                        [
                            new LockSlotDocument(
                                0,
                                true,
                                new LockHolderDocument("run-1", 42, "sleep 6", At, At, 1597),
                                "stopped (SIGSTOP)",
                                [43]
                            ),
                        ],
                        [new LockHolderDocument("run-2", 44, "sleep 7", At, At, 12)]
                    ),
                ]
            ),
            ReinJsonContext.Readable.LocksDocument
        );

    [Fact]
    public void Doctor() =>
        Check(
            "rein.doctor/1",
            DoctorDocument.From(
                [
                    new Rein.Diagnostics.Finding(
                        "journal",
                        Rein.Diagnostics.Severity.Warn,
                        "the journal is large",
                        "rein journal prune",
                        new System.Text.Json.Nodes.JsonObject { ["runs"] = 3 }
                    ),
                ],
                TimeSpan.FromMilliseconds(12)
            ),
            ReinJsonContext.Readable.DoctorDocument
        );

    [Fact]
    public void Journal_prune() =>
        Check(
            "rein.journal.prune/1",
            new JournalPruneDocument(JournalPruneDocument.SchemaName, 3, 100),
            ReinJsonContext.Compact.JournalPruneDocument
        );

    [Fact]
    public void Cache() =>
        Check(
            "rein.cache/1",
            new Rein.Cache.CacheDocument([
                new Rein.Cache.CacheResult(
                    "hf:org/m",
                    "hf",
                    true,
                    "/hub/models--org--m",
                    "weights",
                    "nothing"
                ),
            ]),
            ReinJsonContext.Readable.CacheDocument
        );

    [Fact]
    public void Cleanup() =>
        Check(
            "rein.cleanup/1",
            new Rein.Cleanup.CleanupDocument(
                true,
                [
                    new Rein.Cleanup.CleanupProcessDocument(
                        42,
                        1234,
                        "journal",
                        "run-1",
                        "would_kill",
                        ["python", "x.py"],
                        "/work",
                        1000,
                        "S"
                    ),
                ],
                [
                    new Rein.Cleanup.CleanupSparedDocument(
                        43,
                        "cwd",
                        "an interactive shell",
                        ["bash"]
                    ),
                ],
                [
                    new Rein.Cleanup.CleanupCgroupDocument(
                        "/sys/fs/cgroup/rein-1",
                        "run-1",
                        true,
                        0,
                        "would_remove"
                    ),
                ]
            ),
            ReinJsonContext.Readable.CleanupDocument
        );

    static CadenceStatusDocument CadenceStatus(DateTimeOffset now) =>
        new(
            CadenceStatusDocument.SchemaName,
            now,
            [new CadenceSettingDocument("cadence.enabled", "true", "default", "default")],
            [new CadenceFamilyDocument("gemma-4", ["unsloth"], "^gemma-4-.*$", 90, "built-in")],
            [
                new CadenceBlockDocument(
                    "org/m-8b",
                    "same_model",
                    "gemma-4",
                    "org/m-8b",
                    "token-1",
                    now,
                    178
                ),
            ],
            [
                new CadenceLoadDocument(
                    "org/m-8b",
                    "token-1",
                    42,
                    "python serve.py",
                    now,
                    now,
                    now,
                    "released"
                ),
            ]
        );

    [Fact]
    public void Cadence_status() =>
        Check(
            "rein.cadence.status/1",
            CadenceStatus(At),
            ReinJsonContext.Readable.CadenceStatusDocument
        );

    /// <summary>Like every document's times (docs/schemas.md), cadence status writes seven fractional digits, trailing
    /// zeros and all (it trimmed them while written field by field).</summary>
    [Fact]
    public void Cadence_status_times_have_seven_fractional_digits()
    {
        var json = JsonSerializer.Serialize(
            CadenceStatus(new DateTimeOffset(2026, 11, 23, 21, 51, 53, TimeSpan.Zero)),
            ReinJsonContext.Compact.CadenceStatusDocument
        );
        Assert.Contains(
            "\"now\":\"2026-11-23T21:51:53.0000000+00:00\"",
            json,
            StringComparison.Ordinal
        );
    }

    [Fact]
    public void Prometheus_export()
    {
        var totals = new Rein.Export.ExportTotals();
        totals.CountPanic(PanicKinds.Report);
        Check(
            "rein.export.prometheus/1",
            PrometheusExportDocument.From(
                new Rein.Export.PrometheusExportResult(
                    "/metrics/rein.prom",
                    new Rein.Export.MetricsSnapshot(totals, 1, 2),
                    36
                )
            ),
            ReinJsonContext.Readable.PrometheusExportDocument
        );
    }

    [Fact]
    public void Postmortem() =>
        Check(
            "rein.postmortem/1",
            new Rein.Forensics.Postmortem.PostmortemResult(
                "/tmp/pm",
                ["index.md"],
                1,
                2,
                3,
                ["a report could not be copied"]
            ),
            ReinJsonContext.Readable.PostmortemResult
        );

    static readonly Rein.Forensics.Classification.RunFailure OomFailure = new(
        "oom",
        "hint",
        "advice",
        "title",
        "evidence",
        "rule",
        "builtin"
    );

    [Fact]
    public void Run() =>
        Check(
            "rein.run/1",
            RunDocument.From(
                new Rein.Running.RunVerdict
                {
                    RunId = "20261123T215153Z-0a1b2c3d4e",
                    Outcome = Rein.Running.RunOutcome.TimedOut,
                    ExitCode = 124,
                    Signal = 15,
                    Duration = TimeSpan.FromSeconds(2),
                    StartedAt = At,
                    ChildPid = 4242,
                    PeakRssBytes = 1L << 30,
                    PidsKilled = [4242, 4243],
                    Unkillable =
                    [
                        new Rein.Processes.UnkillableProcess(4243, 'D', "cat /dev/x", 99),
                    ],
                    CapMethod = "cgroup",
                    MemoryLimitBytes = 8L << 30,
                    PeakProcesses = 3,
                    StartFailure = new Rein.Processes.Posix.SpawnFailure(2, "no such file"),
                    Refusal = CadenceRefusal,
                    Failure = OomFailure,
                    Growth = new Rein.Running.GrowthWarning(
                        TimeSpan.FromSeconds(1),
                        1e6,
                        1L << 29,
                        8L << 30,
                        "memory",
                        TimeSpan.FromSeconds(30)
                    ),
                    Containers =
                    [
                        new Rein.Containers.RunContainer(
                            "abc",
                            "web",
                            "nginx",
                            "label",
                            true,
                            null
                        ),
                    ],
                    ContainersProblem = "no daemon",
                },
                ["python", "train.py"]
            ),
            ReinJsonContext.Readable.RunDocument
        );

    [Fact]
    public void Classify() =>
        Check(
            "rein.classify/1",
            new Rein.Forensics.Classification.ClassifyDocument("build.log", 1024, 137, OomFailure),
            ReinJsonContext.Readable.ClassifyDocument
        );
}
