using System.Text.Json.Serialization;
using Rein.Documents;
using Rein.Running;
using Rein.Running.Gates;

namespace Rein.Journal;

/// <summary>The spool's line kinds (see <see cref="JournalSpool"/>). Internal format: field names are short
/// and stable because a spool written by one Rein version is imported by the next.</summary>
internal sealed record SpoolStart(
    string RunId,
    string[] Command,
    string Cwd,
    string User,
    int ReinPid,
    ulong ReinStart,
    string BootId,
    long? BootTime,
    long StartedAt,
    string? Lock,
    string? Model,
    // Optional: spools written before supervision have none.
    string? Sup = null,
    int? Attempt = null,
    string? Reason = null,
    // Optional: spools written before pid namespaces were recorded have none.
    long? PidNs = null,
    // Optional: spools written before rein's version was recorded have none.
    string? Version = null
)
{
    [JsonPropertyOrder(-1)]
    public string T => "start";
}

internal sealed record SpoolChild(int Pid, ulong Start, int Pgid)
{
    [JsonPropertyOrder(-1)]
    public string T => "child";
}

/// <summary>Members of the tree first seen by the guard's sampler: pid and start time, pairwise.</summary>
internal sealed record SpoolProcesses(int[] Pids, ulong[] Starts)
{
    [JsonPropertyOrder(-1)]
    public string T => "procs";
}

internal sealed record SpoolEnd(
    string Outcome,
    int? ExitCode,
    int? Signal,
    long DurationMs,
    long StartedAt,
    long PeakRss,
    int ChildPid,
    int[] PidsKilled,
    UnkillableDocument[] Unkillable,
    int? StartErrno,
    string? StartError,
    long? MemoryLimit,
    string? CapMethod,
    int PeakProcesses,
    Refusal? Refusal,
    // Optional: spools written before the classifier have none.
    Forensics.Classification.RunFailure? Failure = null,
    // Optional: spools written before the growth column have none.
    GrowthDocument? Growth = null,
    // Optional: the exit code of a start failure that is not the program's (a stream rein could not open).
    int? StartCode = null
)
{
    [JsonPropertyOrder(-1)]
    public string T => "end";

    public RunVerdict ToVerdict(string runId) =>
        new()
        {
            RunId = runId,
            Outcome = RunOutcomeNames.FromWire(Outcome) ?? RunOutcome.Exited,
            ExitCode = ExitCode,
            Signal = Signal,
            Duration = TimeSpan.FromMilliseconds(DurationMs),
            StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(StartedAt),
            PeakRssBytes = PeakRss,
            ChildPid = ChildPid,
            PidsKilled = PidsKilled ?? [],
            Unkillable = [.. (Unkillable ?? []).Select(u => u.ToProcess())],
            StartFailure = StartErrno is { } errno
                ? new Processes.Posix.SpawnFailure(errno, StartError ?? "") { Code = StartCode }
                : null,
            MemoryLimitBytes = MemoryLimit,
            CapMethod = CapMethod,
            PeakProcesses = PeakProcesses,
            Refusal = Refusal,
            Failure = Failure,
            Growth = Growth?.ToWarning(),
            StoppedForGrowth = Growth?.Stopped ?? false,
        };
}

/// <summary>The growth warning, when the guard gives it (the run is still alive; the end line repeats it).</summary>
internal sealed record SpoolGrowth(GrowthDocument Growth)
{
    [JsonPropertyOrder(-1)]
    public string T => "growth";
}

/// <summary>Source-generated JSON for spool lines: one compact line each, nulls left out.</summary>
// A line holding null where a value belongs does not deserialize, and JournalSpool.Parse checks that the fields a
// record cannot do without are present: such a line is a bad line, skipped like one cut short, never a record with
// holes that fails later in every reader.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true
)]
[JsonSerializable(typeof(SpoolStart))]
[JsonSerializable(typeof(SpoolChild))]
[JsonSerializable(typeof(SpoolEnd))]
[JsonSerializable(typeof(SpoolProcesses))]
[JsonSerializable(typeof(SpoolGrowth))]
internal sealed partial class SpoolJsonContext : JsonSerializerContext { }

/// <summary>The same lines, written by generated code alone: every run writes a start and an end line, and
/// <see cref="SpoolJsonContext"/>'s metadata (built on first use, partly by reflection over attributes) was about
/// a sixth of a guarded <c>true</c>'s CPU (BENCHMARKS.md). Reading keeps the metadata context; a test holds both
/// to the same bytes.</summary>
[JsonSourceGenerationOptions(
    GenerationMode = JsonSourceGenerationMode.Serialization,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull
)]
[JsonSerializable(typeof(SpoolStart))]
[JsonSerializable(typeof(SpoolChild))]
[JsonSerializable(typeof(SpoolEnd))]
[JsonSerializable(typeof(SpoolProcesses))]
[JsonSerializable(typeof(SpoolGrowth))]
internal sealed partial class SpoolWriteJsonContext : JsonSerializerContext { }
