namespace Rein.Export;

/// <summary>Why a textfile could not be written, in one line (the folder is missing, not a folder, not writable).</summary>
public sealed class TextfileException(string message, bool badPath) : Exception(message)
{
    /// <summary>The folder itself is wrong (missing, not a folder): fix the argument, not the machine.</summary>
    public bool BadPath { get; } = badPath;
}

/// <summary>Writes a file for node_exporter's textfile collector atomically: the text goes to a hidden temporary
/// file in the same folder (the collector reads only <c>*.prom</c>), is fsync'd, then renamed over the target and
/// the folder fsync'd, so a scrape sees the old file or the new one, never a half-written one, also after a crash.
/// The file is 0644: node_exporter usually runs as another user.</summary>
public static class Textfile
{
    public const string FileName = "rein.prom";

    /// <summary>Writes <paramref name="text"/> to <paramref name="directory"/>/rein.prom and returns its path.</summary>
    /// <exception cref="TextfileException">The folder is missing, not a folder, or cannot be written.</exception>
    public static string Write(string directory, string text)
    {
        Check(directory);
        var target = Path.Combine(directory, FileName);
        var tmp = Path.Combine(directory, $".{FileName}.{Environment.ProcessId}.tmp");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.Create,
                Access = FileAccess.Write,
                Share = FileShare.None,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode =
                    UnixFileMode.UserRead
                    | UnixFileMode.UserWrite
                    | UnixFileMode.GroupRead
                    | UnixFileMode.OtherRead;
            }

            using (var stream = new FileStream(tmp, options))
            {
                stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
                stream.Flush(flushToDisk: true);
            }

            File.Move(tmp, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            var why = e is UnauthorizedAccessException ? "permission denied" : e.Message;
            throw new TextfileException($"cannot write {target}: {why}", badPath: false);
        }

        // The rename reaches the disk too (the folder's entry), through the folder's real path.
        Config.StateFile.SyncFolder(
            new DirectoryInfo(directory).ResolveLinkTarget(true)?.FullName
                ?? Path.GetFullPath(directory)
        );
        return target;
    }

    /// <summary>Throws unless <paramref name="directory"/> is an existing folder.</summary>
    /// <exception cref="TextfileException">It is missing or not a folder.</exception>
    public static void Check(string directory)
    {
        if (File.Exists(directory))
        {
            throw new TextfileException($"{directory} is not a directory", badPath: true);
        }

        if (!Directory.Exists(directory))
        {
            throw new TextfileException($"{directory}: no such directory", badPath: true);
        }
    }

    static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover hidden .tmp is never read by the collector.
        }
    }
}
