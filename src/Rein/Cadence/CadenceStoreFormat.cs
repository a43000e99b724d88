using System.Globalization;
using System.Text;

namespace Rein.Cadence;

/// <summary>
/// The store's text: a header line, then one load per line, tab-separated — model, token, pid, pid start time,
/// started, last seen, released (or <c>-</c>), release kind (or <c>-</c>), command; times in UTC ticks — and an end
/// line with the number of loads (what follows it is left over from a longer older version: ignored; a file
/// without a matching end line is not trusted). Hand-written
/// rather than JSON: the store is read and written twice on every <c>rein run --model</c>, and the JSON serializer's
/// first use alone costs more than the whole budget of a millisecond. Tabs and line breaks in fields become spaces
/// (model ids and recorded commands carry no control characters anyway).
/// </summary>
internal static class CadenceStoreFormat
{
    public const string Header = "rein.cadence-store/2";

    const int Fields = 9;

    const string End = "end ";

    public static string Write(IReadOnlyList<CadenceLoad> loads)
    {
        var sb = new StringBuilder(Header.Length + 1 + (loads.Count * 160));
        sb.Append(Header).Append('\n');
        foreach (var l in loads)
        {
            sb.Append(Clean(l.Model)).Append('\t');
            sb.Append(Clean(l.Token)).Append('\t');
            sb.Append(l.Pid.ToString(CultureInfo.InvariantCulture)).Append('\t');
            sb.Append(l.PidStart.ToString(CultureInfo.InvariantCulture)).Append('\t');
            sb.Append(Ticks(l.StartedAt)).Append('\t');
            sb.Append(Ticks(l.SeenAt)).Append('\t');
            sb.Append(l.ReleasedAt is { } r ? Ticks(r) : "-").Append('\t');
            sb.Append(l.Release is { } kind ? Clean(kind) : "-").Append('\t');
            sb.Append(Clean(l.Command ?? "")).Append('\n');
        }

        sb.Append(End).Append(loads.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }

    /// <summary>The loads in <paramref name="text"/> (empty for an empty file); null when it is not a whole store
    /// this version can read.</summary>
    public static List<CadenceLoad>? Read(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }

        // Spans over the text: only the fields that stay strings are allocated (this runs twice per run).
        var rest = text.AsSpan();
        if (!NextLine(ref rest, out var header) || !header.SequenceEqual(Header))
        {
            return null;
        }

        var loads = new List<CadenceLoad>();
        while (NextLine(ref rest, out var line))
        {
            if (line.StartsWith(End, StringComparison.Ordinal))
            {
                return
                    int.TryParse(line[End.Length..], CultureInfo.InvariantCulture, out var count)
                    && count == loads.Count
                    ? loads
                    : null;
            }

            if (Parse(line) is not { } load)
            {
                return null;
            }

            loads.Add(load);
        }

        return null; // no end line: cut short
    }

    static bool NextLine(ref ReadOnlySpan<char> rest, out ReadOnlySpan<char> line)
    {
        if (rest.IsEmpty)
        {
            line = default;
            return false;
        }

        var end = rest.IndexOf('\n');
        line = end < 0 ? rest : rest[..end];
        rest = end < 0 ? default : rest[(end + 1)..];
        return true;
    }

    static CadenceLoad? Parse(ReadOnlySpan<char> line)
    {
        Span<Range> f = stackalloc Range[Fields + 1];
        if (line.Split(f, '\t') != Fields)
        {
            return null;
        }

        if (
            line[f[0]].IsEmpty
            || !int.TryParse(line[f[2]], CultureInfo.InvariantCulture, out var pid)
            || !ulong.TryParse(line[f[3]], CultureInfo.InvariantCulture, out var pidStart)
            || Time(line[f[4]]) is not { } started
            || Time(line[f[5]]) is not { } seen
        )
        {
            return null;
        }

        DateTimeOffset? released = null;
        if (!line[f[6]].SequenceEqual("-"))
        {
            if (Time(line[f[6]]) is not { } r)
            {
                return null;
            }

            released = r;
        }

        return new CadenceLoad
        {
            Model = line[f[0]].ToString(),
            Token = line[f[1]].ToString(),
            Pid = pid,
            PidStart = pidStart,
            StartedAt = started,
            SeenAt = seen,
            ReleasedAt = released,
            Release = line[f[7]] switch
            {
                "-" => null,
                "released" => "released",
                "vanished" => "vanished",
                var other => other.ToString(),
            },
            Command = line[f[8]].IsEmpty ? null : line[f[8]].ToString(),
        };
    }

    static string Ticks(DateTimeOffset t) => t.UtcTicks.ToString(CultureInfo.InvariantCulture);

    static DateTimeOffset? Time(ReadOnlySpan<char> text) =>
        long.TryParse(text, CultureInfo.InvariantCulture, out var ticks)
        && ticks >= DateTimeOffset.MinValue.UtcTicks
        && ticks <= DateTimeOffset.MaxValue.UtcTicks
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : null;

    static string Clean(string field) =>
        field.AsSpan().IndexOfAny('\t', '\n', '\r') < 0
            ? field
            : field.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
}
