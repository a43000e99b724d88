using System.Text.Json;
using Rein.Lint;

namespace Rein.Cli.Rendering;

/// <summary>Lint output: compiler-style lines (<c>file:line: severity: message [rule]</c>, the fix indented below)
/// that editors and CI problem matchers pick up; the <c>rein.lint/1</c> JSON; a SARIF 2.1.0 file.</summary>
internal static class LintRendering
{
    public static void WriteText(TextWriter output, LintReport report)
    {
        foreach (var f in report.Sorted)
        {
            output.WriteLine(
                $"{CommandText.Escape(f.File)}:{f.Line}: {f.Severity.Name()}: {CommandText.Escape(f.Message)} [{f.Rule}]"
            );
            if (f.Fix is { } fix)
            {
                output.WriteLine($"    fix: {CommandText.Escape(fix)}");
            }
        }
    }

    /// <summary>One line for stderr: what was read and what was found.</summary>
    public static string Summary(LintReport report)
    {
        var files = report.Files.Count == 1 ? "1 file" : $"{report.Files.Count} files";
        if (report.Findings.Count == 0)
        {
            return $"rein lint {report.Linter}: no findings in {files}";
        }

        return $"rein lint {report.Linter}: {Count(report.Count(LintSeverity.Error), "error")}, "
            + $"{Count(report.Count(LintSeverity.Warning), "warning")}, {report.Count(LintSeverity.Info)} info in {files}";
    }

    static string Count(int n, string word) => n == 1 ? $"1 {word}" : $"{n} {word}s";

    public static void WriteJson(Stream output, LintReport report, LintSeverity failOn)
    {
        using (var writer = new Utf8JsonWriter(output, JsonOutput.Options()))
        {
            JsonSerializer.Serialize(
                writer,
                LintDocument.From(report, failOn),
                LintJsonContext.Default.LintDocument
            );
        }

        output.WriteByte((byte)'\n');
    }

    public static void WriteSarif(string path, LintReport report)
    {
        using var file = File.Create(path);
        using (var writer = new Utf8JsonWriter(file, JsonOutput.Options()))
        {
            JsonSerializer.Serialize(
                writer,
                SarifLog.From(report, ReinCli.VersionText),
                SarifJsonContext.Default.SarifLog
            );
        }

        file.WriteByte((byte)'\n');
    }
}
