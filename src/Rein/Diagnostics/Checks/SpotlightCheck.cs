using Rein.Diagnostics.Parsers;

namespace Rein.Diagnostics.Checks;

/// <summary>macOS: Spotlight indexing heavy project folders (virtualenvs, node_modules, caches) and projects in
/// cloud-synced folders both add file-event storms to builds and model loads.</summary>
public sealed class SpotlightCheck : IDoctorCheck
{
    public string Name => "spotlight";

    /// <summary>The heavy, regenerable folder names: the same list <c>rein protect</c> marks.</summary>
    public static IReadOnlySet<string> HeavyDirectories => Protect.IndexProtection.Heavy;

    static readonly string[] CloudMarkers =
    [
        "/Library/Mobile Documents/",
        "/Library/CloudStorage/",
        "/Dropbox/",
        "/OneDrive",
        "/Google Drive/",
        "/iCloud Drive/",
    ];

    public IReadOnlyList<Finding> Run(DoctorContext ctx)
    {
        if (!ctx.IsMacOS)
        {
            return [Finding.Ok(Name, "Spotlight checks apply to macOS only")];
        }

        var findings = new List<Finding>();
        var md = ctx.Tools.Run("/usr/bin/mdutil", ["-s", "/"], ctx.ToolTimeout);
        if (md.Ok)
        {
            var enabled = MdutilParser.Parse(md.Stdout).Any(v => v.Enabled == true);
            findings.Add(
                Finding.Ok(
                    Name,
                    enabled
                        ? "Spotlight indexing is enabled on /"
                        : "Spotlight indexing is disabled on /"
                )
            );
            if (enabled)
            {
                findings.AddRange(HeavyUnprotected(ctx.WorkingDirectory));
            }
        }
        else
        {
            findings.Add(
                new Finding(
                    Name,
                    Severity.Info,
                    md.TimedOut ? "mdutil timed out" : "could not run mdutil"
                )
            );
        }

        findings.AddRange(CloudSynced(ctx.WorkingDirectory));
        return findings;
    }

    /// <summary>Heavy folders (one or two levels under <paramref name="project"/>) without <c>.metadata_never_index</c>.</summary>
    public IReadOnlyList<Finding> HeavyUnprotected(string project)
    {
        var found = new List<string>();
        foreach (var dir in SafeDirs(project).Concat(SafeDirs(project).SelectMany(SafeDirs)))
        {
            if (
                HeavyDirectories.Contains(Path.GetFileName(dir))
                && !File.Exists(Path.Combine(dir, ".metadata_never_index"))
            )
            {
                found.Add(dir);
            }
        }

        return found.Count == 0
            ? []
            :
            [
                new Finding(
                    Name,
                    Severity.Warn,
                    $"Spotlight indexes {found.Count} heavy folder(s) here: {string.Join(", ", found.Take(5).Select(d => Path.GetRelativePath(project, d)))}",
                    "exclude them: touch DIR/.metadata_never_index for each (or add them in System Settings > Spotlight > Privacy)",
                    Checks.Details.Of(
                        (
                            "folders",
                            Checks.Details.Array(
                                found.Select(f => (System.Text.Json.Nodes.JsonNode)f)
                            )
                        )
                    )
                ),
            ];
    }

    /// <summary>Pure on the path: is the project inside a cloud-synced folder?</summary>
    public IReadOnlyList<Finding> CloudSynced(string project)
    {
        var marker = CloudMarkers.FirstOrDefault(m =>
            project.Contains(m, StringComparison.OrdinalIgnoreCase)
        );
        return marker is null
            ? []
            :
            [
                new Finding(
                    Name,
                    Severity.Warn,
                    $"this project is inside a cloud-synced folder ({marker.Trim('/')}): every build artefact and cache is uploaded",
                    "move the project out of the synced folder (e.g. to ~/src), or exclude its heavy folders from sync"
                ),
            ];
    }

    static IEnumerable<string> SafeDirs(string dir)
    {
        try
        {
            return Directory.GetDirectories(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
