namespace Rein.Hooks;

/// <summary>What <c>rein agents init</c> did to one file.</summary>
public enum AgentRulesChange
{
    Created,
    Added,
    Updated,
    Unchanged,

    /// <summary>Not written: a symbolic link whose target is outside the folder (or does not resolve).</summary>
    RefusedLink,

    /// <summary>Not written: not a regular file (a FIFO, a directory, a device).</summary>
    RefusedNotAFile,
}

/// <summary>
/// The agent-rules snippet (for AGENTS.md, CLAUDE.md, .cursorrules): run heavy commands through <c>rein run</c>,
/// what exits 75, 124 and 137 mean and what to do next. It lives between two marker lines, so writing it again
/// replaces only that section and leaves the rest of the file alone.
/// </summary>
public static class AgentRules
{
    public const string Begin =
        "<!-- rein:begin (written by `rein agents init`; run it again to update) -->";
    public const string End = "<!-- rein:end -->";

    /// <summary>The files agents read, in the order they are looked for.</summary>
    public static readonly IReadOnlyList<string> Files = ["AGENTS.md", "CLAUDE.md", ".cursorrules"];

    public const string Snippet = """
        ## Heavy commands run through Rein

        - Run builds, test suites, model loads and anything that can hang through Rein, with a lock, a deadline and
          an idle limit: `rein run --lock ci --timeout 30m --idle-timeout 5m -- make ci`.
        - Exit 75 means it did not start: another run holds the lock, the same command timed out a moment ago (the
          retry breaker), or memory is short. Do not retry in a loop. Read the one-line reason; wait with
          `--wait 10m`, or ask the user.
        - Exit 124 means it timed out or printed nothing for the idle limit, and its whole process tree was stopped.
          Do not run it again unchanged (it is refused for 10 minutes): find what hangs first, with the output and
          `rein journal --last 5`.
        - Exit 137 means it was stopped for going over `--memory` or `--max-procs` (or was killed with SIGKILL).
          Make the job smaller or ask for a bigger limit; do not raise it yourself.
        - Load models only through Rein, a one-off `python -c "import mlx_lm; ..."` too:
          `rein run --model ORG/NAME -- python script.py`, so the panic gate, the load cadence and the fit check apply.
          Exit 75 naming a panic cooldown, a lockout or a hold means: load no model now; tell the user.
        - Before starting another heavy run, look at `rein ps`; after a hang or a slow machine, run `rein doctor`.
        - Never start a second copy of a heavy command while one runs.
        """;

    /// <summary>The section as written into a file: the markers around the snippet.</summary>
    public static string Section => $"{Begin}\n{Snippet}\n{End}\n";

    /// <summary>Writes the section into each agent-rules file of <paramref name="directory"/> that exists, or creates
    /// AGENTS.md when none does. Returns each file and what happened to it. Never writes through a symbolic link
    /// whose target is outside <paramref name="directory"/> (a cloned repository's <c>CLAUDE.md -&gt;
    /// ~/.gitconfig</c>), never opens what is not a regular file, and writes by a temporary file renamed over the
    /// target, so a reader sees the old text or the new, never half.</summary>
    public static IReadOnlyList<(string Path, AgentRulesChange Change)> Init(string directory)
    {
        var root = RealPath(directory);
        var existing = Files
            .Select(f => Path.Combine(directory, f))
            .Where(p => Config.FileStatus.Of(p, follow: false) is not null)
            .ToList();
        if (existing.Count == 0)
        {
            var path = Path.Combine(directory, Files[0]);
            WriteAtomically(path, Section, null);
            return [(path, AgentRulesChange.Created)];
        }

        return [.. existing.Select(path => (path, Write(path, root)))];
    }

    /// <summary>Where a link in <paramref name="root"/> leads, when that is inside it; else null.</summary>
    static string? InsideTarget(string path, string root)
    {
        string real;
        try
        {
            real = RealPath(path);
        }
        catch (IOException)
        {
            return null;
        }

        return real.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal) ? real : null;
    }

    static AgentRulesChange Write(string path, string root)
    {
        var target = path;
        if (Config.FileStatus.Of(path, follow: false) is { IsSymbolicLink: true })
        {
            if (InsideTarget(path, root) is not { } inside)
            {
                return AgentRulesChange.RefusedLink;
            }

            target = inside;
        }

        if (Config.FileStatus.Of(target, follow: false) is not { IsRegularFile: true } status)
        {
            return AgentRulesChange.RefusedNotAFile;
        }

        var text = File.ReadAllText(target);
        var begin = text.IndexOf(Begin[..16], StringComparison.Ordinal);
        var end = begin < 0 ? -1 : text.IndexOf(End, begin, StringComparison.Ordinal);
        string updated;
        AgentRulesChange change;
        if (begin >= 0 && end >= 0)
        {
            var after = end + End.Length;
            if (after < text.Length && text[after] == '\n')
            {
                after++;
            }

            updated = string.Concat(text.AsSpan(0, begin), Section, text.AsSpan(after));
            change = updated == text ? AgentRulesChange.Unchanged : AgentRulesChange.Updated;
        }
        else
        {
            var separator =
                text.Length == 0 || text.EndsWith("\n\n", StringComparison.Ordinal) ? ""
                : text.EndsWith('\n') ? "\n"
                : "\n\n";
            updated = text + separator + Section;
            change = AgentRulesChange.Added;
        }

        if (change != AgentRulesChange.Unchanged)
        {
            WriteAtomically(target, updated, status.Mode);
        }

        return change;
    }

    /// <summary>A new file beside <paramref name="path"/> (created exclusively: never through a planted link), then
    /// renamed over it; the old file's permission bits are kept.</summary>
    static void WriteAtomically(string path, string text, UnixFileMode? mode)
    {
        var temp = Path.Combine(
            Path.GetDirectoryName(Path.GetFullPath(path))!,
            $".{Path.GetFileName(path)}.rein-{Environment.ProcessId}-{Guid.NewGuid():N}"
        );
        try
        {
            using (
                var stream = new FileStream(
                    temp,
                    new FileStreamOptions
                    {
                        Mode = FileMode.CreateNew,
                        Access = FileAccess.Write,
                        UnixCreateMode =
                            mode
                            ?? UnixFileMode.UserRead
                                | UnixFileMode.UserWrite
                                | UnixFileMode.GroupRead
                                | UnixFileMode.OtherRead,
                    }
                )
            )
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(text);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            if (mode is { } m)
            {
                File.SetUnixFileMode(temp, m); // the umask trimmed the create mode
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Every symbolic link resolved (the path need not be a link itself).</summary>
    static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var result = "/";
        var parts = new Queue<string>(full.Split('/', StringSplitOptions.RemoveEmptyEntries));
        var hops = 0;
        while (parts.TryDequeue(out var part))
        {
            var next = Path.Combine(result, part);
            if (new FileInfo(next).LinkTarget is { } link)
            {
                if (++hops > 40)
                {
                    throw new IOException($"{path}: too many levels of symbolic links");
                }

                var resolved = Path.GetFullPath(link, result);
                var rest = parts.ToList();
                parts = new Queue<string>(
                    resolved.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(rest)
                );
                result = "/";
                continue;
            }

            result = next;
        }

        return result;
    }
}
