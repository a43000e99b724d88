using System.Globalization;

namespace Rein.Config;

/// <summary>Parses durations such as <c>500ms</c>, <c>90s</c>, <c>5m</c>, <c>1h</c>, <c>1h30m</c>; a bare number means seconds.</summary>
public static class DurationParser
{
    public static bool TryParse(string? text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = "";
        var s = text?.Trim() ?? "";
        if (s.Length == 0)
        {
            error = "empty duration (use e.g. 500ms, 90s, 5m, 1h)";
            return false;
        }

        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var bare))
        {
            return FromSeconds(bare, s, out value, out error);
        }

        double total = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (start == i)
            {
                error = $"'{s}' is not a duration (use e.g. 500ms, 90s, 5m, 1h)";
                return false;
            }

            var number = double.Parse(s.AsSpan(start, i - start), CultureInfo.InvariantCulture);
            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i]))
            {
                i++;
            }

            var unit = s[unitStart..i].ToLowerInvariant();
            double? factor = unit switch
            {
                "ms" => 0.001,
                "s" or "sec" => 1,
                "m" or "min" => 60,
                "h" => 3600,
                "d" => 86400,
                _ => null,
            };
            if (factor is null)
            {
                error = $"'{s}' has an unknown unit '{unit}' (use ms, s, m, h or d)";
                return false;
            }

            total += number * factor.Value;
        }

        return FromSeconds(total, s, out value, out error);
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var v, out var e) ? v : throw new FormatException(e);

    static bool FromSeconds(double seconds, string s, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = "";
        if (double.IsNaN(seconds) || seconds < 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            error = $"'{s}' is out of range (a duration must be 0 or more)";
            return false;
        }

        value = TimeSpan.FromSeconds(seconds);
        return true;
    }

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
