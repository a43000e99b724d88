using System.Globalization;

namespace Rein.Forensics.Panics;

/// <summary>Pure parsers for the places Linux leaves a kernel panic: pstore records, kdump folders, apport's
/// <c>KernelCrash</c> reports and the previous boot's kernel log. Each returns the signature line (the
/// <c>Kernel panic - not syncing: …</c> line when there is one), or null when the text is not a panic.</summary>
public static class LinuxPanicParsers
{
    const string PanicMarker = "Kernel panic - not syncing";

    /// <summary>A pstore record (<c>dmesg-ramoops-0</c>, <c>dmesg-efi-…</c>): a panic when its header says
    /// <c>Panic#N</c> or it holds the panic line. Oops records and the console log of every boot
    /// (<c>console-ramoops</c>) are not panics.</summary>
    public static string? Pstore(string text)
    {
        if (PanicLine(text) is { } line)
        {
            return line;
        }

        var first = text.TrimStart().Split('\n', 2)[0];
        return first.StartsWith("Panic#", StringComparison.Ordinal)
            ? "kernel panic (pstore)"
            : null;
    }

    /// <summary>The dmesg kdump saved beside a vmcore (<c>dmesg.YYYYMMDDhhmm</c>, <c>vmcore-dmesg.txt</c>): the
    /// panic line, else the first <c>BUG:</c> or <c>Oops</c> line; a kdump folder is a crash either way.</summary>
    public static string KdumpDmesg(string? text)
    {
        if (text is null)
        {
            return "kernel crash (kdump vmcore, no dmesg)";
        }

        if (PanicLine(text) is { } line)
        {
            return line;
        }

        foreach (var raw in text.Split('\n'))
        {
            var l = StripPrefix(raw);
            if (
                l.StartsWith("BUG:", StringComparison.Ordinal)
                || l.StartsWith("Oops", StringComparison.Ordinal)
            )
            {
                return Cap(l);
            }
        }

        return "kernel crash (kdump)";
    }

    /// <summary>An apport report: a kernel crash only with <c>ProblemType: KernelCrash</c> (the others are
    /// user-space crashes). Its time from <c>Date:</c> (local time, as apport writes it).</summary>
    public static (string Signature, DateTimeOffset? Time)? Apport(string text)
    {
        string? type = null,
            date = null,
            title = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("ProblemType: ", StringComparison.Ordinal))
            {
                type = line[13..].Trim();
            }
            else if (line.StartsWith("Date: ", StringComparison.Ordinal))
            {
                date = line[6..].Trim();
            }
            else if (line.StartsWith("Title: ", StringComparison.Ordinal))
            {
                title = line[7..].Trim();
            }
        }

        if (type != "KernelCrash")
        {
            return null;
        }

        DateTimeOffset? time = DateTime.TryParseExact(
            date?.Replace("  ", " ", StringComparison.Ordinal),
            "ddd MMM d HH:mm:ss yyyy",
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeLocal,
            out var t
        )
            ? new DateTimeOffset(t)
            : null;
        return (PanicLine(text) ?? (title is null ? "kernel crash (apport)" : Cap(title)), time);
    }

    /// <summary><c>journalctl -k -b -1 -o short-iso-precise</c> output: the panic lines with their times (the
    /// closing <c>---[ end Kernel panic …</c> line is the same panic and is skipped).</summary>
    public static List<(DateTimeOffset? Time, string Signature)> KernelLog(string text)
    {
        var found = new List<(DateTimeOffset?, string)>();
        foreach (var line in text.Split('\n'))
        {
            var at = line.IndexOf(PanicMarker, StringComparison.Ordinal);
            if (at < 0 || line.Contains("---[ end", StringComparison.Ordinal))
            {
                continue;
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            DateTimeOffset? time =
                space > 0
                && DateTimeOffset.TryParse(
                    line[..space],
                    CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal,
                    out var t
                )
                    ? t
                    : null;
            found.Add((time, Cap(line[at..].Trim())));
        }

        return found;
    }

    static string? PanicLine(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            var at = line.IndexOf(PanicMarker, StringComparison.Ordinal);
            if (at >= 0 && !line.Contains("---[ end", StringComparison.Ordinal))
            {
                return Cap(line[at..].Trim());
            }
        }

        return null;
    }

    /// <summary>"<0>[  12.345678] BUG: …" → "BUG: …".</summary>
    static string StripPrefix(string line)
    {
        var l = line.Trim();
        if (l.StartsWith('<') && l.IndexOf('>') is var gt and > 0)
        {
            l = l[(gt + 1)..];
        }

        if (l.StartsWith('[') && l.IndexOf(']') is var close and > 0)
        {
            l = l[(close + 1)..];
        }

        return l.Trim();
    }

    static string Cap(string s) => s.Length > 200 ? s[..200] : s;
}
