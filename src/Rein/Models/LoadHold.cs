using System.Text;
using System.Text.Json;
using Rein.Config;

namespace Rein.Models;

/// <summary>A person's "no model loads until …" (metal-guard's panic sentinel, set on purpose): every <c>--model</c>
/// run and <c>rein cadence acquire</c> is refused with <see cref="Reason"/> until <see cref="Until"/> or a release.
/// Independent of the panic gate's kill switch: a hold is a decision, not a heuristic.</summary>
public sealed record LoadHold(
    DateTimeOffset SetAt,
    DateTimeOffset Until,
    string Reason,
    string User
)
{
    /// <summary>The longest hold one command may set: longer ones are a typo more often than a plan.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(30);
}

/// <summary>The hold's one file, <c>&lt;state&gt;/gate/hold</c> (0600 in the private state folder, replaced atomically,
/// never read through a link). An unreadable or malformed file holds nothing and is reported (fail-open: a stray
/// file must not stop every load on the machine); <see cref="Release"/> removes it whatever it holds.</summary>
public sealed class LoadHoldStore(string stateDir)
{
    readonly string _folder = Path.Combine(stateDir, "gate");

    string FilePath => Path.Combine(_folder, "hold");

    /// <summary>The hold in force at <paramref name="now"/>: null when none (or it expired); a problem sentence when
    /// the file exists but cannot be used.</summary>
    public (LoadHold? Hold, string? Problem) Read(DateTimeOffset now)
    {
        string? text;
        try
        {
            text = StateFile.ReadAllText(FilePath);
        }
        catch (Exception e) when (e is IOException or StateDirectoryException)
        {
            return (null, $"the load hold {FilePath} cannot be read ({e.Message}); ignored");
        }

        if (text is null)
        {
            return (null, null);
        }

        var hold = Parse(text);
        if (hold is null)
        {
            return (
                null,
                $"the load hold {FilePath} is not a hold record; ignored (remove it with `rein gate release`)"
            );
        }

        return (hold.Until > now ? hold : null, null);
    }

    /// <summary>Sets (or replaces) the hold.</summary>
    public LoadHold Set(DateTimeOffset now, TimeSpan duration, string reason, string user)
    {
        if (duration <= TimeSpan.Zero || duration > LoadHold.Longest)
        {
            throw new ArgumentOutOfRangeException(
                nameof(duration),
                $"a hold lasts more than 0 s and at most {LoadHold.Longest.TotalDays:0} days"
            );
        }

        var hold = new LoadHold(now, now + duration, reason, user);
        StateDirectory.EnsureFolder(_folder);
        StateFile.WriteAtomically(FilePath, Serialize(hold));
        StateFile.SyncFolder(_folder);
        return hold;
    }

    /// <summary>Removes the hold; returns the one that was in force (null when none was).</summary>
    public LoadHold? Release(DateTimeOffset now)
    {
        var (held, _) = Read(now);
        if (File.Exists(FilePath) || Path.Exists(FilePath))
        {
            File.Delete(FilePath);
            StateFile.SyncFolder(_folder);
        }

        return held;
    }

    /// <summary>The hold file is private state (read back only by <see cref="Parse"/>), not a public document: it
    /// stays out of <see cref="Documents.ReinJsonContext"/>, and <c>rein gate</c> shows the hold as
    /// <c>rein.gate/1</c>.</summary>
    static string Serialize(LoadHold h)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("set_at", h.SetAt.ToString("O"));
            w.WriteString("until", h.Until.ToString("O"));
            w.WriteString("reason", h.Reason);
            w.WriteString("user", h.User);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    static LoadHold? Parse(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (
                root.ValueKind == JsonValueKind.Object
                && Time(root, "set_at") is { } setAt
                && Time(root, "until") is { } until
                && Text(root, "reason") is { } reason
                && Text(root, "user") is { } user
            )
            {
                return new LoadHold(setAt, until, reason, user);
            }
        }
        catch (JsonException) { }

        return null;
    }

    static string? Text(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : null;

    static DateTimeOffset? Time(JsonElement o, string name) =>
        Text(o, name) is { } s
        && DateTimeOffset.TryParse(
            s,
            System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.RoundtripKind,
            out var t
        )
            ? t
            : null;
}
