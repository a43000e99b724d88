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

        var lines = text.Split('\n');
        if (lines[0] != Header)
        {
            return null;
        }

        var loads = new List<CadenceLoad>(lines.Length);
        foreach (var line in lines.AsSpan(1))
        {
            if (line.StartsWith(End, StringComparison.Ordinal))
            {
                return
                    int.TryParse(
                        line.AsSpan(End.Length),
                        CultureInfo.InvariantCulture,
                        out var count
                    )
                    && count == loads.Count
                    ? loads
                    : null;
            }

            var f = line.Split('\t');
            if (
                f.Length != Fields
                || f[0].Length == 0
                || !int.TryParse(f[2], CultureInfo.InvariantCulture, out var pid)
                || !ulong.TryParse(f[3], CultureInfo.InvariantCulture, out var pidStart)
                || Time(f[4]) is not { } started
                || Time(f[5]) is not { } seen
            )
            {
                return null;
            }

            DateTimeOffset? released = null;
            if (f[6] != "-")
            {
                if (Time(f[6]) is not { } r)
                {
                    return null;
                }

                released = r;
            }

            loads.Add(
                new CadenceLoad
                {
                    Model = f[0],
                    Token = f[1],
                    Pid = pid,
                    PidStart = pidStart,
                    StartedAt = started,
                    SeenAt = seen,
                    ReleasedAt = released,
                    Release = f[7] == "-" ? null : f[7],
                    Command = f[8].Length == 0 ? null : f[8],
                }
            );
        }

        return null; // no end line: cut short
    }

    static string Ticks(DateTimeOffset t) => t.UtcTicks.ToString(CultureInfo.InvariantCulture);

    static DateTimeOffset? Time(string text) =>
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
