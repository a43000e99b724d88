namespace Rein.Diagnostics.Checks;

/// <summary>Lists report files in the diagnostic folders within the time window, and says which folders could
/// not be read — an unreadable folder must never look like "no reports".</summary>
internal static class ReportFiles
{
    public static (List<FileInfo> Files, List<string> Unreadable) Recent(
        IEnumerable<string> dirs,
        DateTimeOffset since,
        Func<string, bool> match
    )
    {
        var files = new List<FileInfo>();
        var unreadable = new List<string>();
        foreach (var dir in dirs)
        {
            if (!Directory.Exists(dir))
            {
                continue;
            }

            try
            {
                foreach (var path in Directory.EnumerateFiles(dir))
                {
                    var f = new FileInfo(path);
                    // Regular files only (lstat): opening a FIFO named like a report would hang the doctor.
                    if (
                        match(f.Name)
                        && f.LastWriteTimeUtc >= since.UtcDateTime
                        && Config.FileStatus.Of(path, follow: false) is { IsRegularFile: true }
                    )
                    {
                        files.Add(f);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                unreadable.Add(dir);
            }
        }

        return ([.. files.OrderByDescending(f => f.LastWriteTimeUtc)], unreadable);
    }

    public static string? ReadHead(FileInfo f, int max = 4 << 20, List<string>? unreadable = null)
    {
        try
        {
            using var s = f.OpenRead();
            var buf = new byte[Math.Min(max, (int)Math.Min(f.Length, max))];
            var n = s.ReadAtLeast(buf, buf.Length, throwOnEndOfStream: false);
            return System.Text.Encoding.UTF8.GetString(buf, 0, n);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            unreadable?.Add(f.FullName);
            return null;
        }
    }

    public static string Unreadable(IEnumerable<string> dirs) =>
        $"cannot read {string.Join(", ", dirs)} (needs Full Disk Access on macOS, or root): panics and crashes there are not counted";
}
