using Rein.Config;
using Rein.Running;
using Rein.Setup;

namespace Rein.Tests.Running;

/// <summary>The library's settings path (<see cref="RunSettings"/> → <see cref="RunSpecBuilder"/>), as a host uses
/// it: no CLI.</summary>
public sealed class RunSettingsTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("rein-settings-").FullName;
    readonly Dictionary<string, string> _env = [];

    string Repo => Path.Combine(_root, "repo");

    string UserFile => Path.Combine(_root, "user", "rein.toml");

    string RepoFile => Path.Combine(Repo, "rein.toml");

    public RunSettingsTests()
    {
        Directory.CreateDirectory(Path.Combine(Repo, ".git"));
        Directory.CreateDirectory(Path.GetDirectoryName(UserFile)!);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    EffectiveConfig Resolve(RunSettings settings) =>
        settings.Resolve(k => _env.GetValueOrDefault(k), Repo, UserFile);

    BuiltRun Build(RunSettings settings) =>
        RunSpecBuilder.FromSettings(settings, Resolve(settings));

    static RunSettings Make(RunVerb verb = RunVerb.Run) =>
        new() { Command = ["true"], Verb = verb };

    [Fact]
    public void A_flag_wins_over_the_environment_over_the_repository_over_the_user_file()
    {
        File.WriteAllText(UserFile, "[run]\ntimeout = \"4m\"\nmemory = \"4G\"\n");
        File.WriteAllText(RepoFile, "[run]\ntimeout = \"3m\"\nmemory = \"3G\"\n");
        _env["REIN_TIMEOUT"] = "2m";
        _env["REIN_MEMORY"] = "2G";
        var flagged = Make()
            .WithFlag(Settings.Timeout, "1m", "--timeout")
            .WithFlag(Settings.Memory, "1G", "--memory");

        var spec = Build(flagged).Spec;
        Assert.Equal(TimeSpan.FromMinutes(1), spec.Timeout);
        Assert.Equal(1L << 30, spec.MemoryLimit);

        spec = Build(Make()).Spec;
        Assert.Equal(TimeSpan.FromMinutes(2), spec.Timeout);
        Assert.Equal(2L << 30, spec.MemoryLimit);

        _env.Clear();
        spec = Build(Make()).Spec;
        Assert.Equal(TimeSpan.FromMinutes(3), spec.Timeout);
        Assert.Equal(3L << 30, spec.MemoryLimit);

        File.Delete(RepoFile);
        spec = Build(Make()).Spec;
        Assert.Equal(TimeSpan.FromMinutes(4), spec.Timeout);
        Assert.Equal(4L << 30, spec.MemoryLimit);
    }

    [Fact]
    public void A_flag_names_itself_as_the_source_of_a_bad_value()
    {
        _env["REIN_CAP_METHOD"] = "poll";
        var settings = Make().WithFlag(Settings.CapMethod, "sometimes", "--cap-method");
        var e = Assert.Throws<RunSettingsException>(() => Build(settings));
        Assert.Equal(
            "invalid run.cap_method from flag --cap-method: 'sometimes' (use auto, cgroup or poll)",
            e.Message
        );
    }

    [Fact]
    public void A_repository_rein_toml_cannot_set_the_user_only_settings()
    {
        // The settings a cloned repository must not change: retention (it could wipe the journal) and telemetry
        // (it could ship command lines elsewhere). A new user-only setting fails here until it is listed.
        var userOnly = Settings.All.Where(s => s.UserOnly).ToList();
        Assert.Equal(
            [
                "journal.keep_days",
                "journal.keep_runs",
                "telemetry.at_run_end",
                "telemetry.command_lines",
                "telemetry.endpoint",
            ],
            userOnly.Select(s => s.Key).Order()
        );
        File.WriteAllText(
            RepoFile,
            "[journal]\nkeep_runs = 100\nkeep_days = 1\n"
                + "[telemetry]\nendpoint = \"http://elsewhere:4318\"\nat_run_end = \"1s\"\ncommand_lines = true\n"
                + "[run]\ntimeout = \"3m\"\n"
        );
        File.WriteAllText(UserFile, "[journal]\nkeep_runs = 500\n");

        var config = Resolve(Make());
        Assert.Equal(TimeSpan.FromMinutes(3), config.Duration(Settings.Timeout)); // the file is read
        foreach (var setting in userOnly)
        {
            Assert.NotEqual(ConfigSourceKind.RepoFile, config[setting].Source.Kind);
        }

        Assert.Equal(500, config.WholeNumber(Settings.JournalKeepRuns)); // the user's own file still counts
        Assert.Equal(30, config.WholeNumber(Settings.JournalKeepDays));
        Assert.Equal("", config[Settings.TelemetryEndpoint].Raw);
    }

    [Fact]
    public void Run_and_supervise_read_the_growth_action_in_their_own_words()
    {
        _env["REIN_ON_GROWTH"] = "restart";
        Assert.Equal(GrowthAction.Stop, Build(Make(RunVerb.Supervise)).Spec.OnGrowth);
        var e = Assert.Throws<RunSettingsException>(() => Build(Make()));
        Assert.Equal(
            "invalid run.on_growth from env REIN_ON_GROWTH: 'restart' (use warn or stop)",
            e.Message
        );
    }

    [Fact]
    public void Supervise_leaves_out_containers_wait_force_and_models()
    {
        _env["REIN_CONTAINERS"] = "bogus"; // rein run would refuse it
        var built = Build(
            Make(RunVerb.Supervise) with
            {
                Wait = "",
                Force = true,
                Models = ["org/alpha-7b"],
            }
        );
        Assert.Null(built.Admission.Wait);
        Assert.False(built.Admission.Force);
        Assert.Empty(built.Admission.ExtraGates);
        Assert.Equal(Rein.Containers.ContainerMode.Off, built.Spec.Containers);
    }

    [Fact]
    public void Timeout_takes_only_the_grace_and_kill_bound_from_the_configuration()
    {
        _env["REIN_GRACE"] = "7s";
        _env["REIN_MEMORY"] = "1G";
        _env["REIN_TIMEOUT"] = "1m";
        _env["REIN_CAP_METHOD"] = "bogus"; // rein run would refuse it; a coreutils drop-in never reads it

        var spec = Build(Make(RunVerb.Timeout)).Spec;
        Assert.Equal(TimeSpan.FromSeconds(7), spec.Grace);
        Assert.Null(spec.MemoryLimit);
        Assert.Null(spec.Timeout);
    }

    [Fact]
    public void Lock_wait_and_force_reach_the_admission()
    {
        var built = Build(Make() with { Lock = "ci:2", Wait = "", Force = true });
        Assert.Equal("ci", built.Admission.Lock?.Name);
        Assert.Equal(2, built.Admission.Lock?.Slots);
        Assert.Equal(Timeout.InfiniteTimeSpan, built.Admission.Wait);
        Assert.True(built.Admission.Force);
        Assert.Equal(
            "--wait: ",
            Assert.Throws<RunSettingsException>(() => Build(Make() with { Wait = "soon" })).Message[
                ..8
            ]
        );
    }
}
