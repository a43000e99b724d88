using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Config;

/// <summary>A memory size under 1 MiB is a typo (`--memory 8` is 8 bytes): refused before anything runs, with its
/// source named, whichever source gave it.</summary>
public sealed class SizeCliTests : RunTestBase
{
    string Ran => Path.Combine(Scratch, "ran");

    string[] Touch => ["run", "--", "touch", Ran];

    [Theory]
    [InlineData("--memory", "flag --memory")]
    [InlineData("--min-available", "flag --min-available")]
    public void Tiny_size_flag_is_refused_and_the_command_never_runs(string flag, string source)
    {
        var r = ReinProcess.Run(["run", flag, "8", "--", "touch", Ran], HomeEnv());

        Assert.Equal(125, r.ExitCode);
        Assert.Contains(source, r.Stderr);
        Assert.Contains("8 bytes is too small to be meant (did you mean 8G?)", r.Stderr);
        Assert.Single(r.Stderr.TrimEnd().Split('\n'));
        Assert.False(File.Exists(Ran), "the command ran");
    }

    [Fact]
    public void Tiny_size_from_the_environment_names_the_variable()
    {
        var r = ReinProcess.Run(Touch, HomeEnv(("REIN_MEMORY", "512")));

        Assert.Equal(125, r.ExitCode);
        Assert.Contains("env REIN_MEMORY", r.Stderr);
        Assert.Contains("did you mean 512M?", r.Stderr);
        Assert.False(File.Exists(Ran), "the command ran");
    }

    [Fact]
    public void Tiny_size_in_rein_toml_names_the_file()
    {
        var repo = Path.Combine(Scratch, "repo");
        Directory.CreateDirectory(Path.Combine(repo, ".git"));
        File.WriteAllText(Path.Combine(repo, "rein.toml"), "[run]\nmin_available = \"100k\"\n");

        var r = ReinProcess.Run(Touch, HomeEnv(), workingDirectory: repo);

        Assert.Equal(125, r.ExitCode);
        Assert.Contains(Path.Combine(repo, "rein.toml"), r.Stderr);
        Assert.Contains("'100k' is 100 KiB, too small to be meant (use 1M or more)", r.Stderr);
        Assert.False(File.Exists(Ran), "the command ran");
    }

    [Fact]
    public void Zero_still_means_no_cap()
    {
        var r = ReinProcess.Run(["run", "--memory", "0", "--", "touch", Ran], HomeEnv());

        Assert.Equal(0, r.ExitCode);
        Assert.True(File.Exists(Ran));
    }
}
