using System.Text.RegularExpressions;
using Rein.Tests.Support;

namespace Rein.Tests.Docs;

/// <summary>Every relative link in the README, docs/ and packaging/ points at a file that exists and, with an
/// anchor, at a heading of that file (GitHub's heading slugs).</summary>
public sealed partial class MarkdownLinksTests
{
    static string RepoRoot =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Paths.SourceGolden("x"))!, "..", ".."));

    public static TheoryData<string> Pages()
    {
        var data = new TheoryData<string>();
        data.Add("README.md");
        foreach (var folder in new[] { "docs", "packaging" })
        {
            var dir = Path.Combine(RepoRoot, folder);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (
                var file in Directory
                    .EnumerateFiles(dir, "*.md", SearchOption.AllDirectories)
                    .Order()
            )
            {
                data.Add(Path.GetRelativePath(RepoRoot, file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void Every_relative_link_resolves(string page)
    {
        var file = Path.Combine(RepoRoot, page);
        var broken = new List<string>();
        foreach (Match m in Link().Matches(WithoutCodeBlocks(File.ReadAllText(file))))
        {
            var target = m.Groups[1].Value;
            if (Scheme().IsMatch(target))
            {
                continue;
            }

            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var path = hash < 0 ? target : target[..hash];
            var anchor = hash < 0 ? "" : target[(hash + 1)..];
            var resolved =
                path.Length == 0
                    ? file
                    : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, path));
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
            {
                broken.Add($"{target}: no such file");
            }
            else if (
                anchor.Length > 0
                && resolved.EndsWith(".md", StringComparison.Ordinal)
                && !Slugs(resolved).Contains(anchor)
            )
            {
                broken.Add($"{target}: no such heading");
            }
        }

        Assert.Empty(broken);
    }

    static string WithoutCodeBlocks(string text) => Fence().Replace(text, "");

    static HashSet<string> Slugs(string file) =>
        Heading()
            .Matches(WithoutCodeBlocks(File.ReadAllText(file)))
            .Select(h =>
                NotSlug().Replace(h.Groups[1].Value.Trim().ToLowerInvariant(), "").Replace(' ', '-')
            )
            .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^[a-z][a-z0-9+.-]*:")]
    private static partial Regex Scheme();

    [GeneratedRegex(@"^```.*?^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Fence();

    [GeneratedRegex(@"^#+ (.*)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\w\- ]")]
    private static partial Regex NotSlug();
}
