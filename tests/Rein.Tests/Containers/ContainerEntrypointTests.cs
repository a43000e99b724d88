using System.Diagnostics;
using Rein.Tests.Support;

namespace Rein.Tests.Containers;

/// <summary><c>rein run</c> as PID 1 of a real Docker container (issue 26, item 4): it runs the command and exits with
/// its status, passes on <c>docker stop</c>'s SIGTERM (a PID 1 without a handler would ignore it, and Docker would
/// SIGKILL after its timeout), reaps every orphan, and caps memory inside the container. The image has no /etc
/// (<see cref="DockerImage"/>). Skipped, saying why, where dockerd cannot run; .ci/run starts one and requires it.</summary>
[Collection("Latency")]
public sealed class ContainerEntrypointTests(DockerImage image) : IClassFixture<DockerImage>
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    (int Exit, string Output) DockerRun(params string[] args) =>
        DockerImage.Docker(
            Patience,
            ["run", "--rm", "--network", "none", .. args[..^1], image.Tag, .. Command(args[^1])]
        );

    /// <summary>The last argument of <see cref="DockerRun"/>: rein's command line inside the container.</summary>
    static string[] Command(string reinArgs) => ["/bin/rein", .. reinArgs.Split('\u001f')];

    static string Args(params string[] words) => string.Join('\u001f', words);

    [Fact]
    public void As_PID_1_rein_runs_the_command_and_exits_with_its_status()
    {
        Assert.SkipWhen(image.Why is not null, image.Why ?? "");
        var r = DockerRun(Args("run", "--", "/bin/sh", "-c", "cat /proc/1/comm; exit 7"));
        Assert.True(r.Exit == 7, $"exit {r.Exit}: {r.Output}");
        Assert.StartsWith("rein\n", r.Output);
    }

    [Fact]
    public void Docker_stop_reaches_the_command_as_SIGTERM_through_rein_as_PID_1()
    {
        Assert.SkipWhen(image.Why is not null, image.Why ?? "");
        var name = TestMarker.New("stop").ToLowerInvariant();
        try
        {
            var started = DockerImage.Docker(
                Patience,
                [
                    "run",
                    "-d",
                    "--name",
                    name,
                    "--network",
                    "none",
                    image.Tag,
                    .. Command(
                        Args(
                            "run",
                            "--",
                            "/bin/sh",
                            "-c",
                            "trap 'echo got-term; exit 3' TERM; echo started; while :; do sleep 0.1; done"
                        )
                    ),
                ]
            );
            Assert.True(started.Exit == 0, started.Output);
            Assert.True(
                ProcessProbe.WaitUntil(
                    () => DockerImage.Docker(Patience, "logs", name).Output.Contains("started"),
                    TimeSpan.FromSeconds(20)
                ),
                "the command never started"
            );

            // Without the signal reaching the command, Docker waits the 20 s, then SIGKILLs (exit 137).
            var clock = Stopwatch.StartNew();
            var stop = DockerImage.Docker(Patience, "stop", "-t", "20", name);
            Assert.True(stop.Exit == 0, stop.Output);
            Assert.True(
                clock.Elapsed < TimeSpan.FromSeconds(10),
                $"docker stop took {clock.Elapsed}"
            );
            var exit = DockerImage.Docker(Patience, "inspect", "-f", "{{.State.ExitCode}}", name);
            Assert.Equal("3", exit.Output.Trim());
            Assert.Contains("got-term", DockerImage.Docker(Patience, "logs", name).Output);
        }
        finally
        {
            DockerImage.Docker(Patience, "rm", "-f", name);
        }
    }

    [Fact]
    public void Every_orphan_is_reaped_inside_the_container()
    {
        Assert.SkipWhen(image.Why is not null, image.Why ?? "");
        // 20 orphans that exit at once; a second later the container holds no zombie.
        var r = DockerRun(
            Args(
                "run",
                "--",
                "/bin/sh",
                "-c",
                "i=0; while [ $i -lt 20 ]; do (sleep 0.05 &); i=$((i+1)); done; sleep 1; "
                    + "echo zombies $(grep -l '^State:.Z' /proc/[0-9]*/status | wc -l)"
            )
        );
        Assert.True(r.Exit == 0, $"exit {r.Exit}: {r.Output}");
        Assert.Contains("zombies 0", r.Output);
    }

    [Fact]
    public void A_memory_cap_holds_inside_the_container()
    {
        Assert.SkipWhen(image.Why is not null, image.Why ?? "");
        var r = DockerRun(
            "-m",
            "512m",
            Args(
                "run",
                "--memory",
                "64M",
                "--",
                "/bin/rein-testhelper",
                "mem",
                "alloc",
                "200",
                "hang"
            )
        );
        Assert.True(r.Exit == 137, $"exit {r.Exit}: {r.Output}");
        Assert.Contains("exceeded its memory cap of 64 MiB", r.Output);
    }
}
