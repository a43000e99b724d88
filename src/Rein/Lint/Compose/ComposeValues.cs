using System.Globalization;
using System.Text.RegularExpressions;

namespace Rein.Lint.Compose;

/// <summary>Compose's value syntax: <c>${VAR:-default}</c> interpolation and Docker's memory sizes.</summary>
public static partial class ComposeValues
{
    [GeneratedRegex(
        @"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)"
    )]
    private static partial Regex Variable();

    // Docker's RAMInBytes: a number, an optional space, an optional unit k/m/g/t/p, optional i and b; 1024-based.
    [GeneratedRegex(@"^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$")]
    private static partial Regex Size();

    /// <summary>The text with variables replaced as compose does (from <paramref name="env"/>, then defaults);
    /// null when a variable without a default is unset (the value is then unknown here).</summary>
    public static string? Interpolate(string text, Func<string, string?> env)
    {
        var unknown = false;
        var result = Variable()
            .Replace(
                text,
                m =>
                {
                    if (m.Value == "$$")
                    {
                        return "$";
                    }

                    var name = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[4].Value;
                    var value = env(name);
                    var op = m.Groups[2].Value;
                    var arg = m.Groups[3].Value;
                    var unsetOrEmpty = op.StartsWith(':')
                        ? string.IsNullOrEmpty(value)
                        : value is null;
                    switch (op.TrimStart(':'))
                    {
                        case "-":
                            return unsetOrEmpty ? arg : value!;
                        case "+":
                            return unsetOrEmpty ? "" : arg;
                        default:
                            unknown |= value is null;
                            return value ?? "";
                    }
                }
            );
        return unknown ? null : result;
    }

    public static bool TryParseBytes(string text, out long bytes)
    {
        bytes = 0;
        var m = Size().Match(text.Trim());
        if (
            !m.Success
            || !double.TryParse(
                m.Groups[1].Value,
                NumberStyles.Float,
                CultureInfo.InvariantCulture,
                out var n
            )
        )
        {
            return false;
        }

        var multiplier = m.Groups[2].Value.ToLowerInvariant() switch
        {
            "k" => 1L << 10,
            "m" => 1L << 20,
            "g" => 1L << 30,
            "t" => 1L << 40,
            "p" => 1L << 50,
            _ => 1L,
        };
        bytes = (long)(n * multiplier);
        return true;
    }

    /// <summary>1.5 GiB, 512 MiB, 64 KiB.</summary>
    public static string Human(long bytes) =>
        bytes switch
        {
            >= 1L << 30 => $"{bytes / (double)(1L << 30):0.#} GiB",
            >= 1L << 20 => $"{bytes / (double)(1L << 20):0.#} MiB",
            >= 1L << 10 => $"{bytes / (double)(1L << 10):0.#} KiB",
            _ => $"{bytes} B",
        };
}
