using System.Text.Json;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Containers;

/// <summary>Issue 25 item 8: containers a run started are members of the run. Against a real dockerd (skipped, saying
/// why, where none runs; .ci/run starts one and requires it): a foreground <c>docker run</c> whose client is killed
/// leaves its container running — unless rein stops it at the run's end; a compose project of the run's folder
/// started during the run is stopped; containers of other folders, unlabelled ones, and ones started before the run
/// are not touched.</summary>
[Collection("Latency")]
public sealed class RunContainersTests(DockerImage image)
    : RunTestBase,
        IClassFixture<DockerImage>,
        IDisposable
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    readonly List<string> _names = [];

    string Name(string what)
    {
        var name = $"{Marker}-{what}".ToLowerInvariant().Replace('_', '-');
        _names.Add(name);
        return name;
    }

    static string? State(string name)
    {
        var r = DockerImage.Docker(Patience, "inspect", "-f", "{{.State.Status}}", name);
        return r.Exit == 0 ? r.Output.Trim() : null;
    }

    /// <summary>A container that outlives its client: busybox sleep as PID 1 ignores SIGTERM, and a killed
    /// <c>docker run</c> client stops nothing.</summary>
    string[] Sleeper(params string[] options) =>
        ["--network", "none", .. options, image.Tag, "sleep", "1000"];

    [Fact]
    public void A_foreground_docker_run_is_stopped_when_the_run_times_out()
    {
        Assert.SkipWhen(image.Why is not null, image.Why ?? "");
        var name = Name("fg");
        var r = ReinProcess.Run(
            [
                "run",
                "--timeout",
                "3s",
                "--grace",
                "1s",
                "--report",
                ReportPath,
                "--",
                "docker",
                "run",
                .. Sleeper("--name", name),
            ],
            HomeEnv(),
            Patience
        );

        Assert.True(r.ExitCode == 124, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Equal("exited", State(name));
        var c = Assert.Single(ReadReport().GetProperty("containers").EnumerateArray());
        Assert.Equal(name, c.GetProperty("name").GetString());
        Assert.Equal("label", c.GetProperty("by").GetString());
        Assert.True(c.GetProperty("stopped").GetBoolean());
        Assert.Contains($"stopped 1 container(s) the run started: {name} (label)", r.Stderr);
    }

    [Fact]
    public void With_containers_off_the_same_container_outlives_the_run()
    {
        Assert.SkipWhen(image.Why is not null, image.Why ?? "");
        var name = Name("off");
        var r = ReinProcess.Run(
            [
                "run",
                "--containers",
                "off",
                "--timeout",
                "3s",
                "--grace",
                "1s",
                "--report",
                ReportPath,
                "--",
                "docker",
                "run",
                .. Sleeper("--name", name),
            ],
            HomeEnv(),
            Patience
        );

        Assert.True(r.ExitCode == 124, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Equal("running", State(name));
        Assert.Empty(ReadReport().GetProperty("containers").EnumerateArray());
    }

    [Fact]
    public void Auto_mode_for_a_docker_run_leaves_a_compose_project_of_its_folder_alone()
    {
        Assert.SkipWhen(image.Why is not null, image.Why ?? "");
        var folder = Directory.CreateDirectory(Path.Combine(Scratch, "proj")).FullName;
        var mine = Name("auto-fg");
        var other = Name("other-terminal");
        using var rein = ReinProcess.Start(
            [
                "run",
                "--grace",
                "1s",
                "--",
                "docker",
                "run",
                "--rm",
                .. Sleeper("--name", mine)[..^1],
                "8",
            ],
            HomeEnv(),
            workingDirectory: folder
        );
        Assert.True(
            ProcessProbe.WaitUntil(() => State(mine) == "running", TimeSpan.FromSeconds(20)),
            "the run's container never ran"
        );

        // Another terminal's `compose up -d` in the same folder while the run goes on: not the run's.
        var started = DockerImage.Docker(
            Patience,
            [
                "run",
                "-d",
                .. Sleeper(
                    "--name",
                    other,
                    "--label",
                    $"com.docker.compose.project.working_dir={folder}"
                ),
            ]
        );
        Assert.True(started.Exit == 0, started.Output);
        Assert.False(
            rein.HasExited,
            "the run ended before the other container started: nothing was tested"
        );
        var r = rein.Wait(Patience);

        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Equal("running", State(other));
        Assert.DoesNotContain("stopped", r.Stderr);
    }

    [Fact]
    public void A_detached_docker_run_is_left_running_by_default()
    {
        Assert.SkipWhen(image.Why is not null, image.Why ?? "");
        var name = Name("detached");
        var r = ReinProcess.Run(
            ["run", "--", "docker", "run", "-d", .. Sleeper("--name", name)],
            HomeEnv(),
            Patience
        );

        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Equal("running", State(name));
    }

    [Fact]
    public void Containers_on_stops_the_compose_project_of_the_run_folder_and_nothing_else()
    {
        Assert.SkipWhen(image.Why is not null, image.Why ?? "");
        var folder = Directory.CreateDirectory(Path.Combine(Scratch, "app")).FullName;
        const string Compose = "com.docker.compose.project.working_dir";
        var before = Name("before");
        var mine = Name("mine");
        var nested = Name("nested");
        var elsewhere = Name("elsewhere");
        var plain = Name("plain");
        var labelled = Name("labelled");

        // Started before the run, in the run's folder: not the run's.
        var pre = DockerImage.Docker(
            Patience,
            ["run", "-d", .. Sleeper("--name", before, "--label", $"{Compose}={folder}")]
        );
        Assert.True(pre.Exit == 0, pre.Output);
        Thread.Sleep(TimeSpan.FromSeconds(1)); // clear of the daemon's clock slack

        string Start(string name, string labels) =>
            $"docker run -d --name {name} {labels} --network none {image.Tag} sleep 1000 >/dev/null || exit 9";
        var script = string.Join(
            "\n",
            Start(mine, $"--label {Compose}={folder}"),
            Start(nested, $"--label {Compose}={folder}/sub"),
            Start(elsewhere, $"--label {Compose}={folder}-other"),
            Start(plain, ""),
            Start(labelled, "--label rein.run=\"$REIN_RUN_ID\"")
        );
        var r = ReinProcess.Run(
            [
                "run",
                "--containers",
                "on",
                "--grace",
                "1s",
                "--report",
                ReportPath,
                "--",
                "sh",
                "-c",
                script,
            ],
            HomeEnv(),
            Patience,
            workingDirectory: folder
        );

        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Equal("exited", State(mine));
        Assert.Equal("exited", State(nested));
        Assert.Equal("exited", State(labelled));
        Assert.Equal("running", State(before));
        Assert.Equal("running", State(elsewhere));
        Assert.Equal("running", State(plain));
        var by = ReadReport()
            .GetProperty("containers")
            .EnumerateArray()
            .ToDictionary(
                c => c.GetProperty("name").GetString()!,
                c => c.GetProperty("by").GetString()
            );
        Assert.Equal(
            new Dictionary<string, string?>
            {
                [mine] = "compose",
                [nested] = "compose",
                [labelled] = "label",
            },
            by
        );
    }

    [Fact]
    public void Containers_on_without_a_daemon_says_so_and_keeps_the_commands_status()
    {
        var missing = Path.Combine(Scratch, "no-such.sock");
        var r = ReinProcess.Run(
            ["run", "--containers", "on", "--report", ReportPath, "--", "sh", "-c", "exit 3"],
            HomeEnv(("DOCKER_HOST", "unix://" + missing)),
            Patience
        );

        Assert.True(r.ExitCode == 3, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Contains(
            $"rein: --containers: DOCKER_HOST names {missing}, which does not exist; the run's containers were not stopped",
            r.Stderr
        );
        Assert.Contains(
            "does not exist",
            ReadReport().GetProperty("containers_problem").GetString()
        );
    }

    void IDisposable.Dispose()
    {
        foreach (var name in _names)
        {
            DockerImage.Docker(Patience, "rm", "-f", name);
        }

        base.Dispose();
    }
}
