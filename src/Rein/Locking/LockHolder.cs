using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rein.Locking;

/// <summary>Who holds a slot: written into the slot file by the holder, for diagnostics only (the flock is the
/// truth; a holder whose process died cannot hold a flock).</summary>
public sealed record LockHolder(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("pid")] int Pid,
    [property: JsonPropertyName("pid_start")] ulong PidStart,
    string Command,
    [property: JsonPropertyName("since")] DateTimeOffset Since
)
{
    /// <summary>Control characters in the command never reach a terminal from a lock message, whoever wrote the
    /// record (older Rein versions stored the raw command).</summary>
    [JsonPropertyName("command")]
    public string Command { get; init; } = CommandText.Escape(Command);

    /// <summary>When the slot was taken. <see cref="Since"/> is when the holder started asking for it, which is
    /// earlier when it had to wait. Null in records written before this field existed.</summary>
    [JsonPropertyName("acquired_at")]
    public DateTimeOffset? AcquiredAt { get; init; }

    /// <summary>Since when the slot has been held: its acquisition, or (old records) the request.</summary>
    [JsonIgnore]
    public DateTimeOffset HeldSince => AcquiredAt ?? Since;

    /// <summary>The longest command kept in a holder record. The record is for people (busy messages, <c>rein
    /// locks</c>): a command line of megabytes would be copied whole into every refusal.</summary>
    public const int MaxCommandLength = 1000;

    public string ToJson()
    {
        var record = this;
        if (Command.Length > MaxCommandLength)
        {
            // Never cut a surrogate pair in half.
            var cut = char.IsHighSurrogate(Command[MaxCommandLength - 1])
                ? MaxCommandLength - 1
                : MaxCommandLength;
            record = this with { Command = Command[..cut] + "…" };
        }

        return JsonSerializer.Serialize(record, LockJsonContext.Default.LockHolder);
    }

    public static LockHolder? FromJson(string text)
    {
        try
        {
            var holder = string.IsNullOrWhiteSpace(text)
                ? null
                : JsonSerializer.Deserialize(text, LockJsonContext.Default.LockHolder);

            // A record without the fields a reader needs is no record (diagnostics only: the flock is the truth).
            return holder is { RunId: not null, Command: not null, Pid: > 0 } ? holder : null;
        }
        catch (Exception e)
            when (e
                    is JsonException
                        or NullReferenceException
                        or ArgumentException
                        or NotSupportedException
            )
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
