using Rein.Config;

namespace Rein.Tests.Config;

public sealed class EffectiveConfigTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("rein-config-").FullName;
    readonly Dictionary<string, string> _env = [];

    string Repo => Path.Combine(_root, "repo");

    string UserFile => Path.Combine(_root, "user", "rein.toml");

    public EffectiveConfigTests()
    {
        Directory.CreateDirectory(Path.Combine(Repo, ".git"));
        Directory.CreateDirectory(Path.Combine(Repo, "sub", "dir"));
        Directory.CreateDirectory(Path.GetDirectoryName(UserFile)!);
    }

    EffectiveConfig Load(Dictionary<string, (string, string)>? flags = null, string? cwd = null) =>
        EffectiveConfig.Load(
            flags ?? [],
            k => _env.GetValueOrDefault(k),
            cwd ?? Path.Combine(Repo, "sub", "dir"),
            UserFile
        );

    [Fact]
    public void Defaults_apply_when_nothing_is_set()
    {
        var c = Load();
        Assert.Equal(TimeSpan.FromSeconds(5), c.Duration(Settings.Grace));
        Assert.Equal(ConfigSourceKind.Default, c[Settings.Grace].Source.Kind);
    }

    [Fact]
    public void Flag_beats_env_beats_repo_file_beats_user_file()
    {
        File.WriteAllText(
            UserFile,
            "[run]\ntimeout = \"1m\"\ngrace = \"7s\"\nidle_timeout = \"9m\"\n"
        );
        File.WriteAllText(Path.Combine(Repo, "rein.toml"), "[run]\ntimeout = \"2m\"\ngrace = 8\n");
        _env["REIN_TIMEOUT"] = "3m";

        var c = Load(new() { ["run.timeout"] = ("4m", "--timeout") });
        Assert.Equal(TimeSpan.FromMinutes(4), c.Duration(Settings.Timeout));
        Assert.Equal("flag --timeout", c[Settings.Timeout].Source.ToString());

        c = Load();
        Assert.Equal(TimeSpan.FromMinutes(3), c.Duration(Settings.Timeout));
        Assert.Equal("env REIN_TIMEOUT", c[Settings.Timeout].Source.ToString());
        Assert.Equal(TimeSpan.FromSeconds(8), c.Duration(Settings.Grace));
        Assert.Equal(Path.Combine(Repo, "rein.toml"), c[Settings.Grace].Source.Where);
        Assert.Equal(TimeSpan.FromMinutes(9), c.Duration(Settings.IdleTimeout));
        Assert.Equal(ConfigSourceKind.UserFile, c[Settings.IdleTimeout].Source.Kind);
    }

    [Fact]
    public void Repo_file_is_not_searched_above_the_repository_root()
    {
        File.WriteAllText(Path.Combine(_root, "rein.toml"), "[run]\ntimeout = \"2m\"\n");
        Assert.Equal(ConfigSourceKind.Default, Load()[Settings.Timeout].Source.Kind);
    }

    [Fact]
    public void Invalid_value_in_a_file_names_the_file_even_when_a_flag_overrides_it()
    {
        File.WriteAllText(Path.Combine(Repo, "rein.toml"), "[run]\ngrace = \"soonish\"\n");
        var e = Assert.Throws<ConfigException>(() =>
            Load(new() { ["run.grace"] = ("1s", "--grace") })
        );
        Assert.Contains("rein.toml", e.Message);
        Assert.Contains("'soonish'", e.Message);
    }

    [Fact]
    public void Unknown_key_is_refused_with_the_known_ones()
    {
        File.WriteAllText(Path.Combine(Repo, "rein.toml"), "[run]\ntimout = \"2m\"\n");
        var e = Assert.Throws<ConfigException>(() => Load());
        Assert.EndsWith(
            "rein.toml:2: unknown setting 'run.timout' (did you mean run.timeout?)",
            e.Message
        );
    }

    [Fact]
    public void An_unknown_key_nothing_is_close_to_lists_its_sections_keys_briefly()
    {
        File.WriteAllText(Path.Combine(Repo, "rein.toml"), "[cadence]\n\nwhatever = 1\n");
        var e = Assert.Throws<ConfigException>(() => Load());
        Assert.EndsWith(
            "rein.toml:3: unknown setting 'cadence.whatever' ([cadence] has cross_model_interval, enabled, [[cadence.family]], "
                + "same_model_interval; rein config lists all)",
            e.Message
        );
    }

    [Fact]
    public void Broken_toml_is_refused_with_the_file_named()
    {
        File.WriteAllText(Path.Combine(Repo, "rein.toml"), "[run\ntimeout = \n");
        var e = Assert.Throws<ConfigException>(() => Load());
        Assert.EndsWith(
            "rein.toml:1:5: not valid TOML: Expected `]` but was `end of line`",
            e.Message
        );
        Assert.DoesNotContain("converter", e.Message);
    }

    [Fact]
    public void Environment_variable_names_follow_the_keys()
    {
        Assert.Equal("REIN_TIMEOUT", Settings.Timeout.EnvironmentVariable);
        Assert.Equal("REIN_IDLE_TIMEOUT", Settings.IdleTimeout.EnvironmentVariable);
        Assert.Equal("REIN_JOURNAL_KEEP_RUNS", Settings.JournalKeepRuns.EnvironmentVariable);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
