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
        JsonSerializer.Serialize(
            output,
            Documents.LintDocument.From(report, failOn),
            Documents.ReinJsonContext.Readable.LintDocument
        );
        output.WriteByte((byte)'\n');
    }

    /// <summary>SARIF is an external format (its field names are camelCase, fixed by the SARIF 2.1.0 schema), so it
    /// has its own context (<see cref="SarifJsonContext"/>) rather than Rein's snake_case one.</summary>
    public static void WriteSarif(string path, LintReport report)
    {
        using var file = File.Create(path);
        JsonSerializer.Serialize(
            file,
            SarifLog.From(report, ReinCli.VersionText),
            SarifJsonContext.Readable.SarifLog
        );
        file.WriteByte((byte)'\n');
    }
}
