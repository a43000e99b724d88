using System.Diagnostics;
using System.Text.RegularExpressions;
using Rein.Tests.Support;

namespace Rein.Tests.Packaging;

/// <summary>Issue 22: the version comes from git tags (MinVer), not from a number written in the source: a tag vX.Y.Z
/// at HEAD builds X.Y.Z; before the first tag, 0.1.0-alpha.0.HEIGHT with HEIGHT the first-parent commits since the
/// root. Skipped for a build stamped with REIN_VERSION or outside a git clone.</summary>
public sealed class VersionTests
{
    static (int Exit, string Output) Git(string repo, params string[] args)
    {
        var psi = new ProcessStartInfo("git", ["-C", repo, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output.Trim());
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, "");
        }
    }

    [Fact]
    public void Every_run_in_the_journal_records_the_version_that_guarded_it()
    {
        var home = Directory.CreateTempSubdirectory("rein-version-").FullName;
        try
        {
            var env = new Dictionary<string, string?> { ["REIN_HOME"] = home };
            Assert.Equal(0, ReinProcess.Run(["run", "--", "true"], env).ExitCode);
            var version = ReinProcess.Run(["--version"]).Stdout.Trim()["rein ".Length..];

            var run = Assert.Single(
                System
                    .Text.Json.JsonDocument.Parse(
                        ReinProcess.Run(["journal", "--json"], env).Stdout
                    )
                    .RootElement.GetProperty("runs")
                    .EnumerateArray()
            );
            Assert.Equal(version, run.GetProperty("rein_version").GetString());
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public void The_version_is_the_one_git_tags_give()
    {
        Assert.SkipWhen(
            Environment.GetEnvironmentVariable("REIN_VERSION") is { Length: > 0 },
            "a build stamped with REIN_VERSION"
        );
        var repo = Path.GetDirectoryName(Path.GetDirectoryName(Paths.SourceGolden("x"))!)!;
        Assert.SkipUnless(
            Git(repo, "rev-parse", "--is-inside-work-tree").Output == "true",
            "not a git clone"
        );

        var version = ReinProcess.Run(["--version"]).Stdout.Trim();
        var exact = Git(repo, "describe", "--tags", "--match", "v[0-9]*", "--exact-match");
        if (exact.Exit == 0)
        {
            Assert.Equal("rein " + exact.Output[1..], version);
        }
        else if (Git(repo, "tag", "--list", "v[0-9]*").Output.Length == 0)
        {
            var height = int.Parse(
                Git(repo, "rev-list", "--first-parent", "--count", "HEAD").Output,
                System.Globalization.CultureInfo.InvariantCulture
            );
            // MinVer leaves a height of 0 out (a shallow clone of one commit: 0.1.0-alpha.0).
            Assert.Equal(
                height > 1 ? $"rein 0.1.0-alpha.0.{height - 1}" : "rein 0.1.0-alpha.0",
                version
            );
        }
        else
        {
            Assert.Matches(new Regex(@"^rein \d+\.\d+\.\d+-alpha\.0\.\d+$"), version);
        }
    }
}
