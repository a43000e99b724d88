namespace Rein.Protect;

/// <summary>What <see cref="IndexProtection.Apply"/> did (or would do) to one directory.</summary>
public sealed record ProtectedDirectory(
    string Path,
    bool Created,
    bool MarkerAdded,
    bool TimeMachineExcluded
)
{
    public bool Changed => Created || MarkerAdded || TimeMachineExcluded;
}

/// <summary>The outcome for a set of roots: directories, synced-folder warnings, and what could not be done.</summary>
public sealed record ProtectReport(
    IReadOnlyList<ProtectedDirectory> Directories,
    IReadOnlyList<(string Root, string Service)> Synced,
    IReadOnlyList<string> Problems
);

/// <summary>
/// Keeps heavy, regenerable directories (virtualenvs, node_modules, tool caches, build output, model caches) out
/// of macOS indexing: drops <c>.metadata_never_index</c> into each, creates the missing caches of known tools
/// (with the <c>.gitignore</c> those tools would write, so they stay out of git), and with
/// <c>timeMachine</c> excludes them from backups (<c>tmutil addexclusion</c>, macOS). Idempotent: a second run
/// changes nothing. Walks a few levels under each root, never into a heavy directory, a link, or <c>.git</c>.
/// </summary>
public static class IndexProtection
{
    public const string Marker = ".metadata_never_index";

    /// <summary>Directory names that are regenerable and heavy (model caches included).</summary>
    public static readonly IReadOnlySet<string> Heavy = new HashSet<string>(StringComparer.Ordinal)
    {
        ".venv",
        "venv",
        "node_modules",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "dist",
        "build",
        "site",
        ".tox",
        ".nox",
        ".cache",
        "models",
        ".hf_cache",
        "hf_cache",
        ".huggingface",
    };

    /// <summary>Tool caches created when missing, in a Python project (they appear on the first run anyway).</summary>
    public static readonly IReadOnlyList<string> ToolCaches =
    [
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    ];

    static readonly string[] PythonProjectFiles =
    [
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "requirements.txt",
    ];

    const int MaxDepth = 4;

    /// <param name="roots">Directories to look under.</param>
    /// <param name="dryRun">Only report what would change.</param>
    /// <param name="timeMachine">Also exclude each directory from Time Machine (macOS; runs tmutil).</param>
    /// <param name="exclude">Runs <c>tmutil addexclusion DIR</c>; returns null or the error (injected for tests).</param>
    public static ProtectReport Apply(
        IReadOnlyList<string> roots,
        bool dryRun,
        bool timeMachine,
        Func<string, string?>? exclude = null
    )
    {
        var dirs = new List<ProtectedDirectory>();
        var problems = new List<string>();
        var synced = new List<(string, string)>();
        foreach (var root in roots)
        {
            if (SyncedFolders.ServiceFor(root) is { } service)
            {
                synced.Add((root, service));
            }

            var found = new SortedSet<string>(StringComparer.Ordinal);
            Walk(root, 0, found);
            var missing = PythonProjectFiles.Any(f => File.Exists(Path.Combine(root, f)))
                ? ToolCaches.Select(c => Path.Combine(root, c)).Where(c => !Path.Exists(c)).ToList()
                : [];
            foreach (var dir in found.Concat(missing).Distinct())
            {
                try
                {
                    dirs.Add(Protect(dir, missing.Contains(dir), dryRun, timeMachine, exclude));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    problems.Add($"{dir}: {e.Message}");
                }
            }
        }

        return new ProtectReport(dirs, synced, problems);
    }

    static ProtectedDirectory Protect(
        string dir,
        bool create,
        bool dryRun,
        bool timeMachine,
        Func<string, string?>? exclude
    )
    {
        var marker = Path.Combine(dir, Marker);
        var addMarker = !File.Exists(marker);
        var excluded = false;
        if (!dryRun)
        {
            if (create)
            {
                Directory.CreateDirectory(dir);
                // What mypy, pytest and ruff write into a cache they create; created by us, they would not.
                File.WriteAllText(
                    Path.Combine(dir, ".gitignore"),
                    "# Created by rein protect\n*\n"
                );
            }

            if (addMarker)
            {
                File.WriteAllBytes(marker, []);
            }
        }

        if (timeMachine && exclude is not null && !dryRun)
        {
            excluded = exclude(dir) is null;
        }

        return new ProtectedDirectory(dir, create, addMarker, timeMachine && (dryRun || excluded));
    }

    static void Walk(string dir, int depth, SortedSet<string> found)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        IEnumerable<string> children;
        try
        {
            children = Directory.EnumerateDirectories(dir).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        foreach (var child in children)
        {
            var name = Path.GetFileName(child);
            if (name == ".git" || new DirectoryInfo(child).LinkTarget is not null)
            {
                continue;
            }

            if (Heavy.Contains(name))
            {
                found.Add(child); // never below: a node_modules holds thousands of its own
            }
            else
            {
                Walk(child, depth + 1, found);
            }
        }
    }
}
