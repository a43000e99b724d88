namespace Rein.Lint.Python;

/// <summary><c>rein lint python [DIR]</c>: the loop and fan-out audit over every .py file under a directory (or
/// one file), skipping virtual environments, caches and build output.</summary>
public static class PythonLinter
{
    static readonly HashSet<string> Skipped =
    [
        ".git",
        ".hg",
        ".venv",
        "venv",
        "env",
        ".tox",
        ".nox",
        "node_modules",
        "__pycache__",
        "site-packages",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "build",
        "dist",
        ".eggs",
    ];

    public static LintReport Lint(string path)
    {
        IReadOnlyList<string> files;
        if (File.Exists(path))
        {
            files = [path];
        }
        else if (Directory.Exists(path))
        {
            files = [.. Walk(path).Order(StringComparer.Ordinal)];
        }
        else
        {
            throw new LintInputException($"{path}: no such file or directory");
        }

        var findings = new List<LintFinding>();
        foreach (var file in files)
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new LintInputException($"cannot read {file}: {e.Message}");
            }

            findings.AddRange(PythonRules.Check(Display(file), PythonSource.Lines(text)));
        }

        return new LintReport("python", [.. files.Select(Display)], findings);
    }

    /// <summary>./pkg/mod.py is shown as pkg/mod.py, as a compiler would.</summary>
    static string Display(string file) =>
        file.StartsWith("./", StringComparison.Ordinal) ? file[2..] : file;

    static IEnumerable<string> Walk(string directory)
    {
        var pending = new Stack<string>([directory]);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            IEnumerable<string> entries;
            try
            {
                entries = Directory.EnumerateFileSystemEntries(dir).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var entry in entries)
            {
                var name = Path.GetFileName(entry);
                var info = new FileInfo(entry);
                if (info.LinkTarget is not null)
                {
                    // Symbolic links are not followed: a link to / or back up would walk forever.
                    continue;
                }

                if (Directory.Exists(entry))
                {
                    if (
                        !Skipped.Contains(name)
                        && !name.EndsWith(".egg-info", StringComparison.Ordinal)
                    )
                    {
                        pending.Push(entry);
                    }
                }
                else if (name.EndsWith(".py", StringComparison.Ordinal))
                {
                    yield return entry;
                }
            }
        }
    }
}
