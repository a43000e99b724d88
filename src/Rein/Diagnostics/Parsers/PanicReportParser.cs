using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rein.Diagnostics.Parsers;

/// <summary>A kernel panic: when, and a short signature to recognise repeats (<c>IOGPUMemory.cpp:550 completeMemory() prepare count underflow</c>).</summary>
public sealed record PanicReport(DateTimeOffset? Time, string Signature, string PanicString);

/// <summary>Pure parser for macOS panic reports: the plain-text <c>.panic</c> (starting with <c>panic(cpu …)</c>)
/// and the JSON form (a header line with <c>bug_type</c> 210, then a body with <c>macOSPanicString</c> or
/// <c>panicString</c>).</summary>
public static partial class PanicReportParser
{
    public static PanicReport? Parse(string text, out string? error)
    {
        error = null;
        var trimmed = text.TrimStart();
        DateTimeOffset? time = null;
        string? panicString = null;
        if (trimmed.StartsWith('{'))
        {
            var newline = trimmed.IndexOf('\n');
            try
            {
                using var header = JsonDocument.Parse(newline < 0 ? trimmed : trimmed[..newline]);
                time = ParseTime(
                    header.RootElement.TryGetProperty("timestamp", out var ts)
                        ? ts.GetString()
                        : null
                );
                if (newline > 0)
                {
                    using var body = JsonDocument.Parse(trimmed[(newline + 1)..]);
                    foreach (var name in new[] { "macOSPanicString", "panicString" })
                    {
                        if (body.RootElement.TryGetProperty(name, out var p))
                        {
                            panicString = p.GetString();
                            break;
                        }
                    }
                }
            }
            catch (JsonException e)
            {
                error = $"not valid panic JSON: {e.Message.Split('.')[0]}";
                return null;
            }
        }
        else if (trimmed.StartsWith("panic(", StringComparison.Ordinal))
        {
            panicString = trimmed;
        }

        if (string.IsNullOrEmpty(panicString))
        {
            error = "no panic string found";
            return null;
        }

        var first = panicString.Split('\n')[0];
        var m = Signature().Match(first);
        string signature;
        if (m.Success)
        {
            signature = $"{m.Groups[2].Value} {m.Groups[1].Value.Trim().Trim('"').Trim()}";
        }
        else
        {
            // No @file:line: keep the message, drop addresses so repeats of the same panic group together.
            var message = Message().Match(first) is { Success: true } mm
                ? mm.Groups[1].Value
                : first;
            var cut = Addresses().Match(message);
            signature = (cut.Success ? message[..cut.Index] : message)
                .Trim()
                .TrimEnd(',', '.', ':');
            signature = signature.Length > 120 ? signature[..120] : signature;
        }

        return new PanicReport(
            time,
            signature.Replace("\\n", " ", StringComparison.Ordinal).Trim(),
            first
        );
    }

    /// <summary>Report timestamps: <c>2023-09-08 20:40:16.84 -0700</c>.</summary>
    public static DateTimeOffset? ParseTime(string? s)
    {
        if (s is null)
        {
            return null;
        }

        string[] formats =
        [
            "yyyy-MM-dd HH:mm:ss.ff zzz",
            "yyyy-MM-dd HH:mm:ss.fff zzz",
            "yyyy-MM-dd HH:mm:ss zzz",
            "yyyy-MM-dd HH:mm:ss.ffff zzz",
            "yyyy-MM-dd HH:mm:ss.fffff zzz",
            "yyyy-MM-dd HH:mm:ss.ffffff zzz",
            "yyyy-MM-dd HH:mm:ss.f zzz",
        ];
        var normalized = TzOffset().Replace(s.Trim(), "$1:$2");
        return DateTimeOffset.TryParseExact(
            normalized,
            formats,
            CultureInfo.InvariantCulture,
            DateTimeStyles.None,
            out var t
        )
            ? t
            : null;
    }

    [GeneratedRegex(@"panic\(cpu \d+ caller 0x[0-9a-fA-F]+\):\s*(.*?)\s*@([\w.]+:\d+)")]
    private static partial Regex Signature();

    [GeneratedRegex(@"panic\(cpu \d+ caller 0x[0-9a-fA-F]+\):\s*(.*)")]
    private static partial Regex Message();

    [GeneratedRegex(@"\s(at pc\b|0x[0-9a-fA-F]+)")]
    private static partial Regex Addresses();

    [GeneratedRegex(@"([+-]\d\d)(\d\d)$")]
    private static partial Regex TzOffset();
}
