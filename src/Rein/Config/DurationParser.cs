using System.Globalization;

namespace Rein.Config;

/// <summary>
/// Parses durations such as <c>500ms</c>, <c>90s</c>, <c>5m</c>, <c>1h</c>, <c>1h30m</c>, <c>2.34e+5d</c>; a bare
/// number means seconds. As in timeout(1): numbers are floating point, a value too large for the clock means
/// "practically forever" (<see cref="Forever"/>, also <c>inf</c>), and a tiny positive value means the smallest
/// tick, never "no timeout". Units are case-sensitive (<c>m</c> is minutes; <c>M</c> is nothing).
/// </summary>
public static class DurationParser
{
    /// <summary>What "too large to matter" becomes: about 1000 years, still safe to add to or subtract from any
    /// date of this era (a clamp to <see cref="TimeSpan.MaxValue"/> would overflow every deadline computed from it).</summary>
    public static readonly TimeSpan Forever = TimeSpan.FromDays(365_250);

    const string Examples = "use e.g. 500ms, 90s, 5m, 1h";

    public static bool TryParse(string? text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = "";
        var s = text?.Trim() ?? "";
        if (s.Length == 0)
        {
            error = $"empty duration ({Examples})";
            return false;
        }

        // A sign is only meaningful in front of the whole value: "-0" is zero, anything else negative is refused.
        var negative = s[0] == '-';
        var body = s[0] is '-' or '+' ? s[1..] : s;
        double total = 0;
        var positive = false; // some part is above zero, even if it is too small for a double or a tick
        var i = 0;
        while (i < body.Length)
        {
            var onlyPart = i == 0;
            if (!ScanNumber(body, ref i, out var number, out var nonZero, out var numberText))
            {
                error =
                    numberText.Length > 0
                        ? $"'{s}' is not a duration: '{numberText}' is not a number ({Examples})"
                        : $"'{s}' is not a duration ({Examples})";
                return false;
            }

            var unitStart = i;
            while (i < body.Length && char.IsAsciiLetter(body[i]))
            {
                i++;
            }

            var unit = body[unitStart..i];
            double? factor = unit switch
            {
                "" when onlyPart && i == body.Length => 1, // a bare number: seconds
                "ms" => 0.001,
                "s" or "sec" => 1,
                "m" or "min" => 60,
                "h" => 3600,
                "d" => 86400,
                _ => null,
            };
            if (factor is null)
            {
                error =
                    unit.Length > 0
                        ? $"'{s}' has an unknown unit '{unit}' (use ms, s, m, h or d, in lower case)"
                    : i == body.Length
                        ? $"'{s}' is not a duration: '{numberText}' has no unit ({Examples})"
                    : $"'{s}' is not a duration ({Examples})";
                return false;
            }

            total += number * factor.Value;
            positive |= nonZero;
        }

        if (negative && positive)
        {
            error = $"'{s}' is negative: a duration must be 0 or more";
            return false;
        }

        value =
            total >= Forever.TotalSeconds ? Forever
            : positive
                ? TimeSpan.FromTicks(Math.Max(1, (long)Math.Round(total * TimeSpan.TicksPerSecond)))
            : TimeSpan.Zero;
        return true;
    }

    /// <summary>Reads <c>digits[.digits][e[+-]digits]</c> or <c>inf</c>/<c>infinity</c> at <paramref name="i"/>.
    /// <paramref name="nonZero"/> says whether the written value is above zero, which a double cannot tell for
    /// <c>1e-10000</c> (it rounds to 0). On failure, <paramref name="text"/> is what was read (empty if nothing).</summary>
    static bool ScanNumber(string s, ref int i, out double value, out bool nonZero, out string text)
    {
        value = 0;
        nonZero = false;
        var start = i;
        foreach (var word in (ReadOnlySpan<string>)["infinity", "inf"])
        {
            if (s.AsSpan(i).StartsWith(word, StringComparison.OrdinalIgnoreCase))
            {
                i += word.Length;
                value = double.PositiveInfinity;
                nonZero = true;
                text = s[start..i];
                return true;
            }
        }

        var digits = 0;
        var dots = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
        {
            if (s[i] == '.')
            {
                dots++;
            }
            else
            {
                digits++;
                nonZero |= s[i] != '0';
            }

            i++;
        }

        text = s[start..i];
        if (digits == 0 || dots > 1)
        {
            return false;
        }

        // An exponent needs at least one digit; "1e" leaves the 'e' to be read as a unit (and refused as one).
        if (i < s.Length && s[i] is 'e' or 'E')
        {
            var j = i + 1;
            if (j < s.Length && s[j] is '+' or '-')
            {
                j++;
            }

            if (j < s.Length && char.IsAsciiDigit(s[j]))
            {
                while (j < s.Length && char.IsAsciiDigit(s[j]))
                {
                    j++;
                }

                i = j;
                text = s[start..i];
            }
        }

        // Overflow gives infinity and underflow 0, which is what we want: both are handled by the caller.
        value = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return true;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var v, out var e) ? v : throw new FormatException(e);

    /// <summary>Short human form: 850ms, 42s, 3m12s, 2h05m.</summary>
    public static string Format(TimeSpan t)
    {
        if (t.TotalSeconds < 1)
        {
            return $"{(int)t.TotalMilliseconds}ms";
        }

        if (t.TotalMinutes < 1)
        {
            return t.TotalSeconds < 10 ? $"{t.TotalSeconds:0.#}s" : $"{(int)t.TotalSeconds}s";
        }

        if (t.TotalHours < 1)
        {
            return $"{(int)t.TotalMinutes}m{t.Seconds:00}s";
        }

        if (t.TotalDays < 1)
        {
            return $"{(int)t.TotalHours}h{t.Minutes:00}m";
        }

        return t.Hours == 0 ? $"{(int)t.TotalDays}d" : $"{(int)t.TotalDays}d{t.Hours:00}h";
    }
}
