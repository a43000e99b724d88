using Rein.Journal;

namespace Rein.Forensics.Panics;

/// <summary>How the ledger knows of a panic.</summary>
public static class PanicKinds
{
    /// <summary>The OS wrote a report (a macOS .panic/.ips, pstore, kdump, apport, the previous boot's kernel log).</summary>
    public const string Report = "report";

    /// <summary>No report, but a <c>--model</c> run was alive when the machine went down (journal: another boot).</summary>
    public const string Suspected = "suspected";
}

/// <summary>One panic in the ledger. <see cref="Source"/> is its de-duplication key: the report's file name and
/// the panic's time (a report moved to Retired/ is the same panic), <c>kdump:DIR</c>, <c>kernel-log:TIME</c>, or
/// <c>suspected:RUN</c>.</summary>
public sealed record PanicRecord
{
    public long Id { get; init; }

    public required string Source { get; init; }

    public required DateTimeOffset Time { get; init; }

    /// <summary><see cref="PanicKinds"/>.</summary>
    public required string Kind { get; init; }

    /// <summary><see cref="SignatureClasses"/>: <c>prepare_count_underflow</c>, <c>metal_oom</c>, …, <c>other</c>.</summary>
    public required string SignatureClass { get; init; }

    /// <summary>The raw signature line (<c>IOGPUMemory.cpp:550 completeMemory() prepare count underflow</c>).</summary>
    public required string Signature { get; init; }

    /// <summary>The report file or folder, when there is one.</summary>
    public string? File { get; init; }

    /// <summary>Suspected panics: the boot that went down.</summary>
    public string? BootId { get; init; }

    /// <summary>Suspected panics: from the run's start to the next boot's first record (null: not seen yet). A
    /// report inside this window is the same crash, and the suspected entry is not counted.</summary>
    public DateTimeOffset? WindowStart { get; init; }

    public DateTimeOffset? WindowEnd { get; init; }
}

/// <summary>A panic as the ledger lists it: with the guarded runs alive at that moment (unclean runs count as
/// alive until their boot ended) and their models.</summary>
public sealed record LedgerPanic(PanicRecord Panic, IReadOnlyList<RunRecord> RunsAlive)
{
    public IReadOnlyList<string> ModelsAlive =>
        [
            .. RunsAlive
                .Where(r => r.ModelLabel is not null)
                .SelectMany(r => r.ModelLabel!.Split(',', StringSplitOptions.RemoveEmptyEntries))
                .Distinct(StringComparer.Ordinal),
        ];
}

/// <summary>An acknowledgement recorded by <c>rein ack</c>.</summary>
public sealed record PanicAck(long Id, DateTimeOffset At, string User);
