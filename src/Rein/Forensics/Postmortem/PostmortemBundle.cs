using System.Text.Json;
using Rein.Documents;

namespace Rein.Forensics.Postmortem;

/// <summary>What <see cref="PostmortemBundle.Write"/> wrote, for the CLI to say (and <c>--json</c>).</summary>
public sealed record PostmortemResult(
    string Directory,
    IReadOnlyList<string> Files,
    int Panics,
    int Runs,
    int Breadcrumbs,
    IReadOnlyList<string> Problems
)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Schema => "rein.postmortem/1";
}

/// <summary>
/// Writes a postmortem bundle into a new (or empty) folder: <c>index.md</c> (the timeline around each panic),
/// <c>ledger.json</c>, <c>runs.json</c> (rein.journal/1), <c>breadcrumbs.json</c> and <c>reports/</c> with the first
/// <see cref="ReportCap"/> bytes of each panic report — enough to share with a vendor without shipping gigabytes.
/// A report that cannot be read is named in <see cref="PostmortemResult.Problems"/>, never fatal: the bundle is most
/// wanted when the machine is in a bad way.
/// </summary>
public static class PostmortemBundle
{
    public const int ReportCap = 256 * 1024;

    /// <summary>A one-line reason the folder cannot take a bundle, or null.</summary>
    public static string? Problem(string directory)
    {
        if (File.Exists(directory))
        {
            return $"{directory} is a file, not a folder";
        }

        if (new DirectoryInfo(directory) is { Exists: true } dir)
        {
            if (dir.LinkTarget is not null)
            {
                return $"{directory} is a symbolic link; give a real folder";
            }

            if (dir.EnumerateFileSystemInfos().Any())
            {
                return $"{directory} is not empty; give a new or empty folder";
            }
        }

        return null;
    }

    public static PostmortemResult Write(string directory, PostmortemInput input)
    {
        if (Problem(directory) is { } problem)
        {
            throw new IOException(problem);
        }

        var root = Directory.CreateDirectory(
            directory,
            UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        );
        var files = new List<string>();
        var problems = new List<string>();
        var copied = CopyReports(root.FullName, input, files, problems);

        var context = ReinJsonContext.Readable;
        Save(
            root.FullName,
            "ledger.json",
            JsonSerializer.Serialize(input.Panics, context.IReadOnlyListPostmortemPanic),
            files
        );
        var runs = new JournalDocument(null, [.. input.Runs.Select(JournalRunDocument.From)]);
        Save(
            root.FullName,
            "runs.json",
            JsonSerializer.Serialize(runs, ReinJsonContext.Readable.JournalDocument),
            files
        );
        Save(
            root.FullName,
            "breadcrumbs.json",
            JsonSerializer.Serialize(input.Crumbs, context.IReadOnlyListPostmortemCrumb),
            files
        );
        Save(root.FullName, "index.md", Timeline.Render(input, copied), files);
        return new PostmortemResult(
            root.FullName,
            [.. files.Order(StringComparer.Ordinal)],
            input.Panics.Count,
            input.Runs.Count,
            input.Crumbs.Count,
            problems
        );
    }

    static Dictionary<string, string> CopyReports(
        string root,
        PostmortemInput input,
        List<string> files,
        List<string> problems
    )
    {
        var copied = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in input.Panics.Select(p => p.ReportPath).OfType<string>().Distinct())
        {
            var name = Path.GetFileName(path);
            for (var i = 2; !names.Add(name); i++)
            {
                name = $"{i}-{Path.GetFileName(path)}";
            }

            var relative = Path.Combine("reports", name);
            try
            {
                var head = ReadHead(path, out var total);
                Directory.CreateDirectory(Path.Combine(root, "reports"));
                using (var output = File.Create(Path.Combine(root, relative)))
                {
                    output.Write(head);
                    if (total > head.Length)
                    {
                        output.Write(
                            System.Text.Encoding.UTF8.GetBytes(
                                $"\n[rein postmortem: cut at {head.Length} of {total} bytes]\n"
                            )
                        );
                    }
                }

                copied[path] = relative;
                files.Add(relative);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"could not copy {path}: {e.Message}");
            }
        }

        return copied;
    }

    static byte[] ReadHead(string path, out long total)
    {
        using var stream = new FileStream(
            path,
            FileMode.Open,
            FileAccess.Read,
            FileShare.ReadWrite
        );
        total = stream.Length;
        var buffer = new byte[(int)Math.Min(total, ReportCap)];
        stream.ReadExactly(buffer);
        return buffer;
    }

    static void Save(string root, string name, string text, List<string> files)
    {
        File.WriteAllText(Path.Combine(root, name), text.EndsWith('\n') ? text : text + "\n");
        files.Add(name);
    }
}
