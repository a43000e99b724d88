using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rein.Locking;

/// <summary>Who holds a slot: written into the slot file by the holder, for diagnostics only (the flock is the
/// truth; a holder whose process died cannot hold a flock).</summary>
public sealed record LockHolder(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("pid_start")] ulong PidStart,
    [property: JsonPropertyName("command")] string Command,
    [property: JsonPropertyName("since")] DateTimeOffset Since
)
{
    public string ToJson() => JsonSerializer.Serialize(this, LockJsonContext.Default.LockHolder);

    public static LockHolder? FromJson(string text)
    {
        try
        {
            return string.IsNullOrWhiteSpace(text)
                ? null
                : JsonSerializer.Deserialize(text, LockJsonContext.Default.LockHolder);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Processes that survived SIGKILL while holding a slot. The slot stays unusable while any of them
/// lives (G3: a lock is never released while processes of its run are alive), even after rein exits.</summary>
public sealed record StuckSlot(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("pids")] int[] Pids,
    [property: JsonPropertyName("starts")] ulong[] Starts
);

[JsonSerializable(typeof(LockHolder))]
[JsonSerializable(typeof(StuckSlot))]
internal sealed partial class LockJsonContext : JsonSerializerContext { }
