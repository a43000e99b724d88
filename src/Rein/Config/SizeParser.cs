using System.Globalization;

namespace Rein.Config;

/// <summary>Parses sizes such as <c>512M</c>, <c>8G</c>, <c>1.5GiB</c>, <c>300MB</c>; a bare number means bytes.
/// K/M/G/T and their KiB/MiB forms are powers of 1024 (memory sizes); KB/MB/GB are accepted as the same
/// because that is what people mean when they type them for memory. Every size Rein reads is a memory size, so a
/// value under 1 MiB (other than 0, "none") is refused as a typo: <c>--memory 8</c> is 8 bytes, not 8G.</summary>
public static class SizeParser
{
    public static bool TryParse(string? text, out long bytes, out string error)
    {
        bytes = 0;
        error = "";
        var s = text?.Trim() ?? "";
        var i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
        {
            i++;
        }

        if (
            i == 0
            || !double.TryParse(
                s.AsSpan(0, i),
                NumberStyles.Float,
                CultureInfo.InvariantCulture,
                out var n
            )
        )
        {
            error = $"'{s}' is not a size (use e.g. 512M, 8G, 1.5GiB)";
            return false;
        }

        var unit = s[i..].Trim().ToUpperInvariant();
        long? factor = unit switch
        {
            "" or "B" => 1L,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            "T" or "TB" or "TIB" => 1L << 40,
            _ => null,
        };
        if (factor is null)
        {
            error = $"'{s}' has an unknown unit '{s[i..].Trim()}' (use K, M, G or T)";
            return false;
        }

        var value = n * factor.Value;
        if (value > long.MaxValue / 2)
        {
            error = $"'{s}' is too large";
            return false;
        }

        if (value > 0 && value < Smallest)
        {
            error = TooSmall(s, s[..i], unit.Length == 0, (long)value);
            return false;
        }

        bytes = (long)value;
        return true;
    }

    /// <summary>The smallest size that can be meant: below it no memory cap or admission threshold makes sense.</summary>
    public const long Smallest = 1L << 20;

    static string TooSmall(string text, string number, bool bare, long bytes)
    {
        if (!bare)
        {
            return $"'{text}' is {Format(bytes)}, too small to be meant (use 1M or more)";
        }

        // A bare number is bytes; people who type 8 or 16 mean gigabytes, and 256 or 512 megabytes.
        var n = double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture);
        var hint =
            n <= 64 ? $"did you mean {number}G?"
            : n < 1024 ? $"did you mean {number}M?"
            : "use 1M or more";
        return $"{number} bytes is too small to be meant ({hint})";
    }

    public static long Parse(string text) =>
        TryParse(text, out var v, out var e) ? v : throw new FormatException(e);

    /// <summary>Human form with binary units: 512 MiB, 1.5 GiB.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double v = bytes;
        var u = 0;
        while (v >= 1024 && u < units.Length - 1)
        {
            v /= 1024;
            u++;
        }

        return u == 0 ? $"{bytes} B"
            : v >= 100 ? $"{v:0} {units[u]}"
            : $"{v:0.#} {units[u]}";
    }
}
