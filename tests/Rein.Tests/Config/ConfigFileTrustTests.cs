using Rein.Config;
using Rein.Platform.Posix;
using Rein.Running;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Config;

/// <summary>G7: configuration comes only from the repository's rein.toml (current directory up to the repository
/// root; outside a repository, the current directory only) and the user's own file — never from a file another
/// user owns or could have written.</summary>
public sealed class ConfigFileTrustTests : RunTestBase
{
    string Repo => Path.Combine(Scratch, "repo");

    string UserFile => Path.Combine(Scratch, "user", "rein.toml");

    EffectiveConfig Load(string cwd) =>
        EffectiveConfig.Load(new Dictionary<string, (string, string)>(), _ => null, cwd, UserFile);

    static void Chown(string path, int uid)
    {
        using var p = System.Diagnostics.Process.Start("chown", [$"{uid}:{uid}", path]);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    [Fact]
    public void Outside_a_repository_only_the_current_directory_is_searched()
    {
        var parent = Path.Combine(Scratch, "outside");
        var child = Path.Combine(parent, "child");
        Directory.CreateDirectory(child);
        File.WriteAllText(Path.Combine(parent, "rein.toml"), "[run]\ntimeout = \"2m\"\n");

        Assert.Equal(ConfigSourceKind.Default, Load(child)[Settings.Timeout].Source.Kind);
        Assert.Equal(TimeSpan.FromMinutes(2), Load(parent).Duration(Settings.Timeout));
    }

    [Fact]
    public void Inside_a_repository_the_search_climbs_to_its_root()
    {
        var deep = Path.Combine(Repo, "a", "b");
        Directory.CreateDirectory(deep);
        File.WriteAllText(Path.Combine(Repo, ".git"), "gitdir: elsewhere\n"); // a worktree's .git is a file
        File.WriteAllText(Path.Combine(Repo, "rein.toml"), "[run]\ntimeout = \"2m\"\n");

        Assert.Equal(TimeSpan.FromMinutes(2), Load(deep).Duration(Settings.Timeout));
    }

    [Theory]
    [InlineData("repo")]
    [InlineData("user")]
    public void Config_file_others_can_write_is_ignored(string which)
    {
        Directory.CreateDirectory(Path.Combine(Repo, ".git"));
        Directory.CreateDirectory(Path.GetDirectoryName(UserFile)!);
        var file = which == "repo" ? Path.Combine(Repo, "rein.toml") : UserFile;
        File.WriteAllText(file, "[run]\ntimeout = \"2m\"\n");
        File.SetUnixFileMode(file, (UnixFileMode)0x1B6); // 0666

        var config = Load(Repo);

        Assert.Equal(ConfigSourceKind.Default, config[Settings.Timeout].Source.Kind);
        var ignored = Assert.Single(config.Ignored);
        Assert.Equal(file, ignored.Path);
        Assert.Equal(ConfigFileProblem.WritableByOthers, ignored.Problem);
    }

    [Fact]
    public void Config_file_of_another_user_is_ignored()
    {
        Assert.SkipUnless(LibC.getuid() == 0, "needs root to give the file to another user");
        Directory.CreateDirectory(Path.Combine(Repo, ".git"));
        var file = Path.Combine(Repo, "rein.toml");
        File.WriteAllText(file, "[run]\ntimeout = \"2m\"\n");
        Chown(file, 65534);

        var config = Load(Repo);

        Assert.Equal(ConfigSourceKind.Default, config[Settings.Timeout].Source.Kind);
        var ignored = Assert.Single(config.Ignored);
        Assert.Equal(ConfigFileProblem.OwnedByAnotherUser, ignored.Problem);
        Assert.Equal(65534u, ignored.OwnerUid);
    }

    [Fact]
    public void Ignored_config_file_is_named_in_one_warning_line()
    {
        Directory.CreateDirectory(Path.Combine(Repo, ".git"));
        var file = Path.Combine(Repo, "rein.toml");
        File.WriteAllText(file, "[run]\ntimeout = \"2m\"\n");
        File.SetUnixFileMode(file, (UnixFileMode)0x1B6);

        var r = ReinProcess.Run(["config", "--json"], HomeEnv(), workingDirectory: Repo);

        Assert.Equal(0, r.ExitCode);
        var line = Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.Contains(file, line);
        Assert.Contains("0666", line);
        Assert.DoesNotContain("\"2m\"", r.Stdout);
    }

    [Fact]
    public void Memory_refusal_names_the_setting_source_not_a_flag()
    {
        var snap = new MemorySnapshot(1L << 30, 8L << 30, 0, "test");
        var source = new ConfigSource(ConfigSourceKind.RepoFile, "/somewhere/rein.toml");

        var why = Rein.Cli.Rendering.RefusalText.Sentence(
            MemoryAdmission.Check(snap, 4L << 30, 50, [], source)!,
            DateTimeOffset.UtcNow,
            false
        );

        Assert.Contains("run.min_available 4 GiB set in /somewhere/rein.toml", why);
        Assert.DoesNotContain("--min-available", why);
    }

    [Fact]
    public void Memory_refusal_from_a_repo_file_names_the_file()
    {
        Directory.CreateDirectory(Path.Combine(Repo, ".git"));
        var file = Path.Combine(Repo, "rein.toml");
        File.WriteAllText(file, "[run]\nmin_available = \"1000T\"\n");

        var r = ReinProcess.Run(
            ["run", "--", "/bin/sh", "-c", "exit 0"],
            HomeEnv(),
            workingDirectory: Repo
        );

        Assert.Equal(75, r.ExitCode);
        Assert.Contains(file, r.Stderr);
        Assert.DoesNotContain("--min-available", r.Stderr);
    }
}
