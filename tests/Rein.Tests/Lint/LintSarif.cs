using System.Text.Json;

namespace Rein.Tests.Lint;

/// <summary>Checks what SARIF 2.1.0 requires of a log (the properties the schema marks required, and the level
/// and location shapes GitHub code scanning reads).</summary>
internal static class LintSarif
{
    public static void AssertValid(string text, int expectedResults)
    {
        var root = JsonDocument.Parse(text).RootElement;
        Assert.Equal("2.1.0", root.GetProperty("version").GetString());
        Assert.Equal(
            "https://json.schemastore.org/sarif-2.1.0.json",
            root.GetProperty("$schema").GetString()
        );
        var run = Assert.Single(root.GetProperty("runs").EnumerateArray().ToList());
        var driver = run.GetProperty("tool").GetProperty("driver");
        Assert.Equal("rein", driver.GetProperty("name").GetString());
        var ruleIds = driver
            .GetProperty("rules")
            .EnumerateArray()
            .Select(r =>
            {
                Assert.False(
                    string.IsNullOrEmpty(
                        r.GetProperty("shortDescription").GetProperty("text").GetString()
                    )
                );
                return r.GetProperty("id").GetString();
            })
            .ToHashSet();
        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(expectedResults, results.Count);
        foreach (var result in results)
        {
            Assert.Contains(result.GetProperty("ruleId").GetString(), ruleIds);
            Assert.Contains(
                result.GetProperty("level").GetString(),
                new[] { "error", "warning", "note" }
            );
            Assert.False(
                string.IsNullOrEmpty(result.GetProperty("message").GetProperty("text").GetString())
            );
            var physical = Assert
                .Single(result.GetProperty("locations").EnumerateArray().ToList())
                .GetProperty("physicalLocation");
            Assert.False(
                string.IsNullOrEmpty(
                    physical.GetProperty("artifactLocation").GetProperty("uri").GetString()
                )
            );
            Assert.True(physical.GetProperty("region").GetProperty("startLine").GetInt32() >= 1);
        }
    }
}
