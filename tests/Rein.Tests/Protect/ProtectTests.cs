using Rein.Tests.Support;

namespace Rein.Tests.Protect;

/// <summary>rein protect on a real project tree: markers in heavy folders (never below one), missing tool caches
/// created with their .gitignore, a second run changes nothing, --dry-run writes nothing, a synced folder warns.</summary>
public sealed class ProtectTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("rein-protect-").FullName;

    string Project(string? under = null)
    {
        var project = Path.Combine(_root, under ?? "", "app");
        Directory.CreateDirectory(Path.Combine(project, ".venv", "lib"));
        Directory.CreateDirectory(
            Path.Combine(project, "web", "node_modules", "left-pad", "node_modules")
        );
        Directory.CreateDirectory(Path.Combine(project, "src"));
        File.WriteAllText(Path.Combine(project, "pyproject.toml"), "[project]\nname = \"app\"\n");
        return project;
    }

    static string Marker(params string[] parts) =>
        Path.Combine([.. parts, ".metadata_never_index"]);

    [Fact]
    public void Protect_marks_heavy_folders_creates_tool_caches_and_a_second_run_changes_nothing()
    {
        var project = Project();
        var first = ReinProcess.Run(["protect", project]);
        Assert.Equal(0, first.ExitCode);
        Assert.True(File.Exists(Marker(project, ".venv")));
        Assert.True(File.Exists(Marker(project, "web", "node_modules")));
        Assert.False(
            File.Exists(Marker(project, "web", "node_modules", "left-pad", "node_modules")),
            "walked into node_modules"
        );
        Assert.False(File.Exists(Marker(project, "src")));
        Assert.True(File.Exists(Marker(project, ".pytest_cache")));
        Assert.Equal(
            "# Created by rein protect\n*\n",
            File.ReadAllText(Path.Combine(project, ".mypy_cache", ".gitignore"))
        );
        Assert.Contains(
            "add .metadata_never_index: " + Path.Combine(project, ".venv"),
            first.Stdout
        );

        var second = ReinProcess.Run(["protect", project]);
        Assert.Equal(0, second.ExitCode);
        Assert.DoesNotContain("add ", second.Stdout);
        Assert.DoesNotContain("create", second.Stdout);
        Assert.Contains("unchanged: " + Path.Combine(project, ".venv"), second.Stdout);
        if (OperatingSystem.IsLinux())
        {
            Assert.Contains("macOS's", second.Stdout);
        }
    }

    [Fact]
    public void Dry_run_writes_nothing()
    {
        var project = Project();
        var r = ReinProcess.Run(["protect", "--dry-run", project]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("would add .metadata_never_index", r.Stdout);
        Assert.Contains("would create it", r.Stdout);
        Assert.False(File.Exists(Marker(project, ".venv")));
        Assert.False(Directory.Exists(Path.Combine(project, ".ruff_cache")));
    }

    [Theory]
    [InlineData("Library/Mobile Documents/com~apple~CloudDocs", "iCloud Drive")]
    [InlineData("Dropbox", "Dropbox")]
    [InlineData("Library/CloudStorage/OneDrive-Personal", "OneDrive")]
    public void A_repository_inside_a_synced_folder_is_warned_about(string under, string service)
    {
        var project = Project(under);
        var r = ReinProcess.Run(["protect", "--dry-run", project]);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"is inside {service}", r.Stderr);

        var plain = ReinProcess.Run(["protect", "--dry-run", Project("plain")]);
        Assert.DoesNotContain("is inside", plain.Stderr);
    }

    [Fact]
    public void A_missing_root_is_one_line_and_exit_2()
    {
        var r = ReinProcess.Run(["protect", Path.Combine(_root, "nope")]);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("rein protect: no such directory", r.Stderr);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
