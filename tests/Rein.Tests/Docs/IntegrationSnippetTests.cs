using System.Diagnostics;
using System.Text.Json;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Docs;

/// <summary>Issue 22 item 5: the GitHub Actions snippet of docs/manual/integrations.md works as written. Its shell
/// lines (every <c>run:</c> of the YAML block, taken from the page itself) run with <c>sh -e</c> in a project with
/// a Makefile and a compose file, with this build as the <c>rein</c> on PATH; the SARIF files it uploads exist and
/// are SARIF 2.1.0. GitHub itself does not run here (the page says so).</summary>
public sealed class IntegrationSnippetTests : RunTestBase
{
    static string RepoRoot =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Paths.SourceGolden("x"))!, "..", ".."));

    /// <summary>The shell lines of the YAML block that follows "**GitHub Actions.**".</summary>
    static List<string> ShellLines()
    {
        var page = File.ReadAllLines(Path.Combine(RepoRoot, "docs", "manual", "integrations.md"));
        var at = Array.FindIndex(
            page,
            l => l.StartsWith("**GitHub Actions.**", StringComparison.Ordinal)
        );
        Assert.True(at >= 0, "integrations.md has no GitHub Actions paragraph");
        var open = Array.FindIndex(
            page,
            at,
            l => l.StartsWith("```yaml", StringComparison.Ordinal)
        );
        var close = Array.FindIndex(
            page,
            open + 1,
            l => l.StartsWith("```", StringComparison.Ordinal)
        );
        var lines = new List<string>();
        var block = false;
        foreach (var line in page[(open + 1)..close])
        {
            var trimmed = line.TrimStart();
            var key = trimmed.StartsWith("- ", StringComparison.Ordinal) ? trimmed[2..] : trimmed;
            if (key.StartsWith("run: |", StringComparison.Ordinal))
            {
                block = true;
            }
            else if (key.StartsWith("run: ", StringComparison.Ordinal))
            {
                lines.Add(key["run: ".Length..]);
                block = false;
            }
            else if (block && line.StartsWith("    ", StringComparison.Ordinal))
            {
                lines.Add(line.Trim());
            }
            else
            {
                block = false;
            }
        }

        return lines;
    }

    [Fact]
    public async Task The_github_actions_snippets_shell_lines_run_as_written()
    {
        var lines = ShellLines();
        Assert.Contains(lines, l => l.StartsWith("rein run ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("rein lint make ", StringComparison.Ordinal));

        var project = Directory.CreateDirectory(Path.Combine(Scratch, "project")).FullName;
        File.WriteAllText(Path.Combine(project, "Makefile"), "test:\n\t@echo " + Marker + "\n");
        File.WriteAllText(
            Path.Combine(project, "compose.yaml"),
            "services:\n  db:\n    image: postgres:16\n    mem_limit: 1g\n"
        );
        var bin = Directory.CreateDirectory(Path.Combine(Scratch, "bin")).FullName;
        File.CreateSymbolicLink(Path.Combine(bin, "rein"), Paths.Rein);

        var psi = new ProcessStartInfo("sh", ["-e", "-c", string.Join("\n", lines)])
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (k, v) in HomeEnv())
        {
            psi.Environment[k] = v;
        }

        psi.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        using var sh = Process.Start(psi)!;
        var stdout = sh.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = sh.StandardError.ReadToEnd();
        Assert.True(sh.WaitForExit(TimeSpan.FromSeconds(60)), "the snippet did not finish");

        Assert.True(sh.ExitCode == 0, $"exit {sh.ExitCode}: {stderr}");
        Assert.Contains(Marker, await stdout);
        foreach (var sarif in new[] { "make.sarif", "compose.sarif" })
        {
            var doc = JsonDocument
                .Parse(File.ReadAllText(Path.Combine(project, sarif)))
                .RootElement;
            Assert.Equal("2.1.0", doc.GetProperty("version").GetString());
        }
    }
}
