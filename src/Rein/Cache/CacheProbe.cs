namespace Rein.Cache;

/// <summary>
/// Is a model already on disk? Pure filesystem probes that never load anything (loading is the heavy I/O a probe
/// must avoid) and read only the directories they need — one snapshot listing, a few stats — never a recursive
/// scan of the cache, so the answer is cheap enough for make's parse time.
/// </summary>
public static class CacheProbe
{
    public static CacheResult Check(CacheSpec spec, CacheLocations at) =>
        spec.Kind switch
        {
            "hf" => HuggingFace(spec, at.HfHub),
            "whisper" => Whisper(spec, at.Whisper),
            _ => Spacy(spec, at.SitePackages),
        };

    /// <summary><c>&lt;hub&gt;/models--ORG--NAME/snapshots/&lt;rev&gt;/</c> with config.json and a weight file, each
    /// a link into blobs/ that must reach a non-empty file.</summary>
    static CacheResult HuggingFace(CacheSpec spec, string hub)
    {
        var repo = Path.Combine(
            hub,
            "models--" + spec.Name.Replace("/", "--", StringComparison.Ordinal)
        );
        var snapshots = Path.Combine(repo, "snapshots");
        CacheResult Missing(string path, string what) =>
            new(spec.Text, spec.Kind, false, path, null, what);
        if (!Directory.Exists(snapshots))
        {
            return Missing(repo, $"not downloaded (no {snapshots})");
        }

        List<string> candidates;
        if (spec.Revision is { } rev)
        {
            // A branch or tag resolves through refs/ to the commit the snapshot is named after.
            var commit = rev;
            var refFile = Path.Combine(repo, "refs", rev);
            if (File.Exists(refFile))
            {
                commit = File.ReadAllText(refFile).Trim();
            }

            candidates = [Path.Combine(snapshots, commit)];
        }
        else
        {
            candidates =
            [
                .. Directory.EnumerateDirectories(snapshots).Order(StringComparer.Ordinal),
            ];
            if (candidates.Count == 0)
            {
                return Missing(snapshots, "no snapshot downloaded (empty snapshots/)");
            }
        }

        string? why = null;
        foreach (var dir in candidates)
        {
            if (!Directory.Exists(dir))
            {
                why = $"no snapshot {Path.GetFileName(dir)}";
                continue;
            }

            var problems = new List<string>();
            var config = Path.Combine(dir, "config.json");
            if (NonEmpty(config) is { } bad)
            {
                problems.Add($"config.json {bad}");
            }

            var weights = Directory
                .EnumerateFiles(dir)
                .Concat(
                    Directory
                        .EnumerateFileSystemEntries(dir)
                        .Where(e => new FileInfo(e).LinkTarget is not null)
                )
                .Distinct()
                .Where(f =>
                    f.EndsWith(".safetensors", StringComparison.Ordinal)
                    || f.EndsWith(".bin", StringComparison.Ordinal)
                )
                .Order(StringComparer.Ordinal)
                .ToList();
            var good = weights.Where(w => NonEmpty(w) is null).ToList();
            if (weights.Count == 0)
            {
                problems.Add("no weights (*.safetensors or *.bin)");
            }
            else if (good.Count == 0)
            {
                problems.Add($"weights {NonEmpty(weights[0])}: {Path.GetFileName(weights[0])}");
            }

            if (problems.Count == 0)
            {
                return new CacheResult(
                    spec.Text,
                    spec.Kind,
                    true,
                    dir,
                    $"snapshot {Path.GetFileName(dir)}: config.json and {good.Count} weight file(s) ({string.Join(", ", good.Take(3).Select(Path.GetFileName))}{(good.Count > 3 ? ", …" : "")})",
                    null
                );
            }

            why = $"snapshot {Path.GetFileName(dir)}: {string.Join("; ", problems)}";
        }

        return Missing(
            candidates.Count == 1 ? candidates[0] : snapshots,
            why ?? "no complete snapshot"
        );
    }

    static CacheResult Whisper(CacheSpec spec, string dir)
    {
        var file = Path.Combine(dir, spec.Name + ".pt");
        return NonEmpty(file) is { } bad
            ? new CacheResult(spec.Text, spec.Kind, false, file, null, $"{spec.Name}.pt {bad}")
            : new CacheResult(
                spec.Text,
                spec.Kind,
                true,
                file,
                $"{spec.Name}.pt ({new FileInfo(file).Length} bytes)",
                null
            );
    }

    static CacheResult Spacy(CacheSpec spec, IReadOnlyList<string> sitePackages)
    {
        foreach (var dir in sitePackages)
        {
            var meta = Path.Combine(dir, spec.Name, "meta.json");
            if (File.Exists(meta))
            {
                return new CacheResult(
                    spec.Text,
                    spec.Kind,
                    true,
                    Path.Combine(dir, spec.Name),
                    $"package {spec.Name} with meta.json",
                    null
                );
            }
        }

        return new CacheResult(
            spec.Text,
            spec.Kind,
            false,
            sitePackages.Count > 0 ? sitePackages[0] : "",
            null,
            $"no {spec.Name}/meta.json in {string.Join(", ", sitePackages)} (python -m spacy download {spec.Name})"
        );
    }

    /// <summary>Null when the path reaches (through any links) a regular, non-empty file; else what is wrong.</summary>
    static string? NonEmpty(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            if (
                info.ResolveLinkTarget(returnFinalTarget: true)
                is not FileInfo { Exists: true } target
            )
            {
                return "is a dangling link (its blob is missing)";
            }

            info = target;
        }

        return !info.Exists ? "missing"
            : info.Length == 0 ? "is empty"
            : null;
    }
}
