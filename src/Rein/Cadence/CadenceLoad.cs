using System.Text.Json.Serialization;

namespace Rein.Cadence;

/// <summary>One recorded model load: which model, for whom (a run id or an acquire token, and the holder
/// process's pid and start time), when it started, when its holder was last seen, and when it was released.</summary>
public sealed record CadenceLoad
{
    [JsonPropertyName("model")]
    public required string Model { get; init; }

    /// <summary>The run id of the <c>rein run</c> that loads it, or the token of a <c>rein cadence acquire</c>.</summary>
    [JsonPropertyName("token")]
    public required string Token { get; init; }

    /// <summary>The process whose life is the load's: rein for a run, the caller of <c>rein cadence acquire</c>.
    /// 0 when unknown (then the load counts as running until released).</summary>
    [JsonPropertyName("pid")]
    public int Pid { get; init; }

    /// <summary>The holder's start time (pids are reused; the pair is not).</summary>
    [JsonPropertyName("pid_start")]
    public ulong PidStart { get; init; }

    [JsonPropertyName("command")]
    public string? Command { get; init; }

    [JsonPropertyName("started_at")]
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>The holder's last sign of life (a run's guard refreshes it every few seconds).</summary>
    [JsonPropertyName("seen_at")]
    public DateTimeOffset SeenAt { get; init; }

    [JsonPropertyName("released_at")]
    public DateTimeOffset? ReleasedAt { get; init; }

    /// <summary><c>released</c> (the run ended, or <c>rein cadence release</c>), or <c>vanished</c> (its holder
    /// died without releasing: counted as released at its last sign of life).</summary>
    [JsonPropertyName("release")]
    public string? Release { get; init; }

    [JsonIgnore]
    public bool Running => ReleasedAt is null;

    /// <summary>Where spacing is measured from: the later of the start and the release; a load still running counts
    /// from its start.</summary>
    [JsonIgnore]
    public DateTimeOffset Reference => ReleasedAt is { } r && r > StartedAt ? r : StartedAt;
}

/// <summary>The store's file: its loads, oldest first.</summary>
internal sealed record CadenceFile
{
    [JsonPropertyName("schema")]
    public string Schema { get; init; } = "rein.cadence-store/1";

    [JsonPropertyName("loads")]
    public List<CadenceLoad> Loads { get; init; } = [];
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CadenceFile))]
internal sealed partial class CadenceJsonContext : JsonSerializerContext { }
