using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Rein.Diagnostics.Parsers;

namespace Rein.Forensics.Panics;

/// <summary>What one scan found: new panics, the files looked at (so the next scan skips them), and the places
/// that could not be read (never to be mistaken for "no panics").</summary>
public sealed record PanicScan(
    IReadOnlyList<PanicRecord> Panics,
    IReadOnlyList<(string Path, long Mtime)> Seen,
    IReadOnlyList<string> Problems
);

/// <summary>Looks for panic reports in the OS's folders. Cheap on repeat: a file whose path and mtime were seen
/// before is not opened again; the previous boot's kernel log is asked once per boot.</summary>
public static partial class PanicScanner
{
    /// <summary>A report's identity when its time is only the file's mtime: a touched or copied report is the
    /// same panic, so the name and the content decide, not the mtime.</summary>
    const int HashBytes = 64 << 10;

    /// <summary>Only this much of a report is read: the panic string is at the top, and a .ips can be megabytes.</summary>
    const int HeadBytes = 4 << 20;

    public static PanicScan Scan(
        PanicSources sources,
        IReadOnlyDictionary<string, long> seen,
        string currentBootId,
        DateTimeOffset now
    )
    {
        var panics = new List<PanicRecord>();
        var looked = new List<(string, long)>();
        var problems = new List<string>();

        bool Fresh(FileSystemInfo f, out long mtime)
        {
            mtime = new DateTimeOffset(f.LastWriteTimeUtc).ToUnixTimeMilliseconds();
            return !(seen.TryGetValue(f.FullName, out var known) && known == mtime);
        }

        foreach (
            var dir in sources.ReportDirectories.SelectMany(d =>
                new[] { d, Path.Combine(d, "Retired") }
            )
        )
        {
            foreach (var f in Files(dir, problems))
            {
                if (
                    !(
                        f.Name.EndsWith(".panic", StringComparison.Ordinal)
                        || f.Name.EndsWith(".ips", StringComparison.Ordinal)
                    ) || !Fresh(f, out var mtime)
                )
                {
                    continue;
                }

                var text = Head(f, problems);
                if (text is null)
                {
                    continue;
                }

                // An unparseable report stays unseen: it is read and named again on every look (they are few), so
                // the gate keeps saying it could not read it instead of falling silent after one warning.
                var (p, done) = MacReport(f, text, problems);
                if (done)
                {
                    looked.Add((f.FullName, mtime));
                }

                if (p is not null)
                {
                    panics.Add(p);
                }
            }
        }

        if (sources.PstoreDirectory is { } pstore)
        {
            foreach (var f in Files(pstore, problems))
            {
                if (!Fresh(f, out var mtime) || Head(f, problems) is not { } text)
                {
                    continue;
                }

                looked.Add((f.FullName, mtime));
                if (LinuxPanicParsers.Pstore(text) is { } sig)
                {
                    panics.Add(
                        Report(
                            $"pstore:{f.Name}#{ContentKey(text)}",
                            f.LastWriteTimeUtc,
                            sig,
                            f.FullName
                        )
                    );
                }
            }
        }

        if (sources.CrashDirectory is { } crash)
        {
            ScanCrashDirectory(crash, Fresh, panics, looked, problems);
        }

        var logKey = $"kernel-log:previous-boot-of:{currentBootId}";
        if (sources.PreviousBootKernelLog is { } readLog && !seen.ContainsKey(logKey))
        {
            looked.Add((logKey, 0));
            foreach (var (time, sig) in LinuxPanicParsers.KernelLog(readLog() ?? ""))
            {
                var at = time ?? now;
                panics.Add(
                    Report($"kernel-log:{at.ToUnixTimeMilliseconds()}", at.UtcDateTime, sig, null)
                );
            }
        }

        return new PanicScan([.. panics.Select(p => Clamp(p, now))], looked, problems);
    }

    /// <summary>A panic dated after the moment it is found is clock skew (a report written with a wrong clock):
    /// it happened by now at the latest, and a future time would keep it from counting (and make an ack look
    /// older than it). The claimed time is kept in the signature.</summary>
    static PanicRecord Clamp(PanicRecord p, DateTimeOffset now) =>
        p.Time <= now
            ? p
            : p with
            {
                Time = now,
                Signature =
                    $"{p.Signature} [dated {p.Time.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}, later than when rein found it: clock skew; counted at the time found]",
            };

    /// <summary>A short hash of the report's first 64 KiB.</summary>
    static string ContentKey(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var hash = SHA256.HashData(bytes.AsSpan(0, Math.Min(bytes.Length, HashBytes)));
        return Convert.ToHexStringLower(hash)[..16];
    }

    delegate bool FreshCheck(FileSystemInfo f, out long mtime);

    static void ScanCrashDirectory(
        string crash,
        FreshCheck fresh,
        List<PanicRecord> panics,
        List<(string, long)> looked,
        List<string> problems
    )
    {
        if (!Directory.Exists(crash))
        {
            return;
        }

        try
        {
            foreach (var entry in new DirectoryInfo(crash).EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo dir)
                {
                    // kdump: a folder per crash, with the vmcore and/or the dmesg it saved.
                    FileInfo[] files;
                    try
                    {
                        files = [.. dir.GetFiles().Where(Regular)];
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        problems.Add($"cannot read {dir.FullName}: {e.Message}");
                        continue;
                    }

                    var dmesg = files.FirstOrDefault(f =>
                        f.Name.StartsWith("dmesg", StringComparison.Ordinal)
                        || f.Name == "vmcore-dmesg.txt"
                    );
                    var core = files.FirstOrDefault(f =>
                        f.Name.StartsWith("vmcore", StringComparison.Ordinal)
                        || f.Name.StartsWith("dump.", StringComparison.Ordinal)
                    );
                    var evidence = dmesg ?? core;
                    if (evidence is null || !fresh(evidence, out var mtime))
                    {
                        continue;
                    }

                    looked.Add((evidence.FullName, mtime));
                    var sig = LinuxPanicParsers.KdumpDmesg(
                        dmesg is null ? null : Head(dmesg, problems)
                    );
                    panics.Add(
                        Report($"kdump:{dir.Name}", evidence.LastWriteTimeUtc, sig, dir.FullName)
                    );
                }
                else if (
                    entry is FileInfo f
                    && f.Name.EndsWith(".crash", StringComparison.Ordinal)
                    && Regular(f)
                    && fresh(f, out var mtime)
                )
                {
                    // apport: user-space crashes of other users are unreadable (0640) and not panics anyway;
                    // a kernel crash report rein cannot read is skipped without a word for the same reason.
                    var text = Head(f, null);
                    if (text is null)
                    {
                        continue;
                    }

                    looked.Add((f.FullName, mtime));
                    if (LinuxPanicParsers.Apport(text) is { } found)
                    {
                        var at = found.Time ?? new DateTimeOffset(f.LastWriteTimeUtc);
                        panics.Add(
                            Report(
                                found.Time is { } t
                                    ? $"apport:{f.Name}@{t.ToUnixTimeMilliseconds()}"
                                    : $"apport:{f.Name}#{ContentKey(text)}",
                                at.UtcDateTime,
                                found.Signature,
                                f.FullName
                            )
                        );
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"cannot read {crash}: {e.Message}");
        }
    }

    [GeneratedRegex("\"bug_type\"\\s*:\\s*\"(\\d+)\"")]
    private static partial Regex BugType();

    /// <summary>The panic a report holds, and whether the file is settled (never to be read again unless it
    /// changes): an app crash is; a report that could be a panic but does not parse is not.</summary>
    static (PanicRecord? Panic, bool Settled) MacReport(
        FileInfo f,
        string text,
        List<string> problems
    )
    {
        // A .ips is a panic only with bug_type 210 (309 is an app crash); the header is the first line, spaced
        // or not. Without a bug_type it could still be a panic: it is parsed as one.
        if (
            f.Name.EndsWith(".ips", StringComparison.Ordinal)
            && BugType().Match(text[..Math.Min(1000, text.Length)]) is { Success: true } m
            && m.Groups[1].Value != "210"
        )
        {
            return (null, true);
        }

        var report = PanicReportParser.Parse(text, out var error);
        if (report is null)
        {
            problems.Add($"could not parse {f.FullName}: {error}");
            return (null, false);
        }

        var at = report.Time ?? new DateTimeOffset(f.LastWriteTimeUtc);
        return (
            new PanicRecord
            {
                Source = report.Time is { } t
                    ? $"{f.Name}@{t.ToUnixTimeMilliseconds()}"
                    : $"{f.Name}#{ContentKey(text)}",
                Time = at,
                Kind = PanicKinds.Report,
                SignatureClass = SignatureClasses.Classify(
                    report.PanicString + "\n" + report.Signature
                ),
                Signature = report.Signature,
                File = f.FullName,
            },
            true
        );
    }

    static PanicRecord Report(string source, DateTime utc, string signature, string? file) =>
        new()
        {
            Source = source,
            Time = new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)),
            Kind = PanicKinds.Report,
            SignatureClass = SignatureClasses.Classify(signature),
            Signature = signature,
            File = file,
        };

    static IEnumerable<FileInfo> Files(string dir, List<string> problems)
    {
        if (!Directory.Exists(dir))
        {
            return [];
        }

        try
        {
            // Regular files only, by lstat: opening a FIFO named x.panic would block the gate (and every
            // --model run) forever; a device or socket is no report either.
            return [.. new DirectoryInfo(dir).EnumerateFiles().Where(Regular)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add(
                $"cannot read {dir} (needs Full Disk Access on macOS, or root): panics there are not counted"
            );
            return [];
        }
    }

    static bool Regular(FileInfo f) =>
        Config.FileStatus.Of(f.FullName, follow: false) is { IsRegularFile: true };

    static string? Head(FileInfo f, List<string>? problems)
    {
        try
        {
            using var s = f.OpenRead();
            var buf = new byte[Math.Clamp(f.Length, 4096, HeadBytes)];
            var n = s.ReadAtLeast(buf, buf.Length, throwOnEndOfStream: false);
            return Encoding.UTF8.GetString(buf, 0, n);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems?.Add($"cannot read {f.FullName}: {e.Message}");
            return null;
        }
    }
}
