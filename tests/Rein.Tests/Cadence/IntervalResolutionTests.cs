using Rein.Cadence;
using Rein.Config;

namespace Rein.Tests.Cadence;

/// <summary>Cadence settings through the one precedence (flag &gt; env &gt; repo rein.toml &gt; user rein.toml &gt;
/// default), and the families table.</summary>
public sealed class IntervalResolutionTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("rein-cadence-config-").FullName;
    readonly Dictionary<string, string> _env = [];

    string Repo => Path.Combine(_root, "repo");

    string UserFile => Path.Combine(_root, "user", "rein.toml");

    public IntervalResolutionTests()
    {
        Directory.CreateDirectory(Path.Combine(Repo, ".git"));
        Directory.CreateDirectory(Path.GetDirectoryName(UserFile)!);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    EffectiveConfig Load(params (string Key, string Raw, string Flag)[] flags) =>
        EffectiveConfig.Load(
            flags.ToDictionary(f => f.Key, f => (f.Raw, f.Flag)),
            k => _env.GetValueOrDefault(k),
            Repo,
            UserFile
        );

    [Fact]
    public void Defaults_are_180s_same_model_and_0_cross_model()
    {
        var policy = CadencePolicy.FromConfig(Load());
        Assert.Equal(TimeSpan.FromSeconds(180), policy.SameModelInterval);
        Assert.Equal(TimeSpan.Zero, policy.CrossModelInterval);
        Assert.Equal("default", policy.CrossModelSource);
        Assert.True(Load().Flag(Settings.CadenceEnabled));
    }

    [Fact]
    public void Flag_beats_env_beats_repo_file_beats_user_file()
    {
        File.WriteAllText(
            UserFile,
            "[cadence]\ncross_model_interval = \"10s\"\nsame_model_interval = \"4m\"\n"
        );
        Assert.Equal(TimeSpan.FromSeconds(10), CadencePolicy.FromConfig(Load()).CrossModelInterval);
        File.WriteAllText(
            Path.Combine(Repo, "rein.toml"),
            "[cadence]\ncross_model_interval = 20\n"
        );
        Assert.Equal(TimeSpan.FromSeconds(20), CadencePolicy.FromConfig(Load()).CrossModelInterval);
        _env["REIN_CROSS_MODEL_INTERVAL"] = "30s";
        var fromEnv = CadencePolicy.FromConfig(Load());
        Assert.Equal(TimeSpan.FromSeconds(30), fromEnv.CrossModelInterval);
        Assert.Equal("env REIN_CROSS_MODEL_INTERVAL", fromEnv.CrossModelSource);
        var fromFlag = CadencePolicy.FromConfig(
            Load(("cadence.cross_model_interval", "40s", "--cross-model-interval"))
        );
        Assert.Equal(TimeSpan.FromSeconds(40), fromFlag.CrossModelInterval);
        Assert.Equal("flag --cross-model-interval", fromFlag.CrossModelSource);
        Assert.Equal(TimeSpan.FromMinutes(4), fromFlag.SameModelInterval); // from the user file
    }

    [Theory]
    [InlineData("-30s")]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("-0")]
    public void Negative_and_zero_intervals_mean_zero(string raw)
    {
        _env["REIN_CROSS_MODEL_INTERVAL"] = raw;
        _env["REIN_SAME_MODEL_INTERVAL"] = raw;
        var policy = CadencePolicy.FromConfig(Load());
        Assert.Equal(TimeSpan.Zero, policy.CrossModelInterval);
        Assert.Equal(TimeSpan.Zero, policy.SameModelInterval);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-soon")]
    [InlineData("5 parsecs")]
    public void A_non_number_fails_loudly_naming_its_source(string raw)
    {
        _env["REIN_CROSS_MODEL_INTERVAL"] = raw;
        var e = Assert.Throws<ConfigException>(() => Load());
        Assert.Contains("cadence.cross_model_interval", e.Message);
        Assert.Contains("env REIN_CROSS_MODEL_INTERVAL", e.Message);

        _env.Clear();
        File.WriteAllText(
            Path.Combine(Repo, "rein.toml"),
            $"[cadence]\nsame_model_interval = \"{raw}\"\n"
        );
        e = Assert.Throws<ConfigException>(() => Load());
        Assert.Contains(Path.Combine(Repo, "rein.toml"), e.Message);
    }

    [Theory]
    [InlineData("off", false)]
    [InlineData("0", false)]
    [InlineData("on", true)]
    public void REIN_CADENCE_is_the_kill_switch(string raw, bool enabled)
    {
        _env["REIN_CADENCE"] = raw;
        Assert.Equal(enabled, Load().Flag(Settings.CadenceEnabled));
    }

    [Fact]
    public void Families_are_overridden_by_name_and_extended_in_rein_toml()
    {
        File.WriteAllText(
            UserFile,
            "[[cadence.family]]\nname = \"gemma-4\"\npattern = \"^gemma-4-\"\nfloor = \"1h\"\n"
        );
        File.WriteAllText(
            Path.Combine(Repo, "rein.toml"),
            """
            [[cadence.family]]
            name = "gemma-4"
            vendors = ["mlx-community"]
            pattern = '^gemma-4-'
            floor = "0"

            [[cadence.family]]
            name = "llama-4"
            pattern = '^llama-4-'
            floor = "2m"
            """
        );
        var policy = CadencePolicy.FromConfig(Load());
        var gemma = Assert.Single(policy.Families, f => f.Name == "gemma-4");
        Assert.Equal(TimeSpan.Zero, gemma.Floor); // the repository's file wins over the user's and the built-in
        Assert.Equal(Path.Combine(Repo, "rein.toml"), gemma.Source);
        var llama = Assert.Single(policy.Families, f => f.Name == "llama-4");
        Assert.True(llama.Matches("anyone/LLAMA-4-scout-17b")); // no vendors: any vendor
        Assert.Equal(
            (TimeSpan.FromMinutes(2), llama),
            policy.CrossSpacing("x/llama-4-scout", "y/other")
        );
    }

    [Theory]
    [InlineData("name = \"f\"\npattern = \"([\"\nfloor = \"1m\"", "not a regular expression")]
    [InlineData("name = \"f\"\npattern = \"^f\"", "'floor' is missing")]
    [InlineData("name = \"f\"\npattern = \"^f\"\nfloor = \"1 fortnight\"", "'floor'")]
    [InlineData(
        "name = \"f\"\npattern = \"^f\"\nfloor = \"1m\"\nflor = 1",
        "'flor' is not a known field"
    )]
    public void A_bad_family_fails_loudly_naming_the_file(string body, string problem)
    {
        File.WriteAllText(UserFile, "[[cadence.family]]\n" + body + "\n");
        var e = Assert.Throws<ConfigException>(() => CadencePolicy.FromConfig(Load()));
        Assert.Contains(UserFile, e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void A_family_written_as_a_plain_value_is_refused()
    {
        File.WriteAllText(UserFile, "[cadence]\nfamily = \"gemma-4\"\n");
        var e = Assert.Throws<ConfigException>(() => Load());
        Assert.Contains("[[cadence.family]]", e.Message);
    }
}
