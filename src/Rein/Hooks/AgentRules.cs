namespace Rein.Hooks;

/// <summary>What <c>rein agents init</c> did to one file.</summary>
public enum AgentRulesChange
{
    Created,
    Added,
    Updated,
    Unchanged,
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
        - Before starting another heavy run, look at `rein ps`; after a hang or a slow machine, run `rein doctor`.
        - Never start a second copy of a heavy command while one runs.
        """;

    /// <summary>The section as written into a file: the markers around the snippet.</summary>
    public static string Section => $"{Begin}\n{Snippet}\n{End}\n";

    /// <summary>Writes the section into each agent-rules file of <paramref name="directory"/> that exists, or creates
    /// AGENTS.md when none does. Returns each file and what happened to it.</summary>
    public static IReadOnlyList<(string Path, AgentRulesChange Change)> Init(string directory)
    {
        var existing = Files.Select(f => Path.Combine(directory, f)).Where(File.Exists).ToList();
        if (existing.Count == 0)
        {
            var path = Path.Combine(directory, Files[0]);
            File.WriteAllText(path, Section);
            return [(path, AgentRulesChange.Created)];
        }

        return [.. existing.Select(path => (path, Write(path)))];
    }

    static AgentRulesChange Write(string path)
    {
        var text = File.ReadAllText(path);
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
            File.WriteAllText(path, updated);
        }

        return change;
    }
}
