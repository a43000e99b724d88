using System.Text.RegularExpressions;
using Rein.Tests.Support;

namespace Rein.Tests.Documents;

/// <summary>Every <c>rein.NAME/N</c> schema the source names has its section in docs/schemas.md (a heading that
/// starts with it): a new document cannot ship undocumented.</summary>
public sealed partial class SchemaDocsTests
{
    static string RepoRoot =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Paths.SourceGolden("x"))!, "..", ".."));

    [GeneratedRegex(@"""(rein\.[a-z][a-z.]*/[0-9]+)""")]
    private static partial Regex SchemaString();

    [GeneratedRegex(@"^##+ `(rein\.[a-z][a-z.]*/[0-9]+)`", RegexOptions.Multiline)]
    private static partial Regex SchemaHeading();

    [Fact]
    public void Every_schema_in_the_source_has_a_section()
    {
        var src = Path.Combine(RepoRoot, "src");
        var used = Directory
            .EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f =>
                !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
            )
            .SelectMany(f =>
                SchemaString().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value)
            )
            .ToHashSet(StringComparer.Ordinal);
        var documented = SchemaHeading()
            .Matches(File.ReadAllText(Path.Combine(RepoRoot, "docs", "schemas.md")))
            .Select(m => m.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal);

        Assert.Contains("rein.run/1", used);
        Assert.Empty(used.Except(documented).Order(StringComparer.Ordinal));
    }
}
