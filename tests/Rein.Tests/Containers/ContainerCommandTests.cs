using Rein.Containers;

namespace Rein.Tests.Containers;

/// <summary>Which command lines run containers in the foreground (auto mode), the run label added to a direct
/// <c>docker run</c>, and the reading of the daemon's answers (a real captured container list).</summary>
public sealed class ContainerCommandTests
{
    [Theory]
    [InlineData("docker run --rm img", true)]
    [InlineData("/usr/bin/docker run -it img sh", true)]
    [InlineData("podman run img", true)]
    [InlineData("docker container run img", true)]
    [InlineData("docker compose up", true)]
    [InlineData("docker compose -f x.yml up --build", true)]
    [InlineData("docker-compose up", true)]
    [InlineData("docker run -d img", false)]
    [InlineData("docker run -itd img", false)]
    [InlineData("docker run --detach img", false)]
    [InlineData("docker compose up -d", false)]
    [InlineData("docker compose up --detach", false)]
    [InlineData("docker compose up --wait", false)]
    [InlineData("docker compose up --wait=true", false)]
    [InlineData("docker run --detach=1 img", false)]
    [InlineData("docker run --detach=false img", true)]
    [InlineData("docker compose down", false)]
    [InlineData("docker ps", false)]
    [InlineData("docker create img", true)]
    [InlineData("make run", false)]
    [InlineData("docker", false)]
    public void Foreground_container_commands_are_recognised(string line, bool expected) =>
        Assert.Equal(expected, ContainerCommand.RunsContainers(line.Split(' ')));

    [Fact]
    public void A_direct_docker_run_gets_the_run_label_after_its_run_word()
    {
        Assert.Equal(
            ["docker", "run", "--label", "rein.run=R1", "--rm", "img", "echo", "run"],
            ContainerCommand.Labelled(["docker", "run", "--rm", "img", "echo", "run"], "R1")
        );
        Assert.Equal(
            ["podman", "container", "create", "--label", "rein.run=R1", "img"],
            ContainerCommand.Labelled(["podman", "container", "create", "img"], "R1")
        );
    }

    [Theory]
    [InlineData("docker compose up")]
    [InlineData("make run")]
    [InlineData("docker ps")]
    public void Other_commands_are_passed_through_untouched(string line)
    {
        var command = line.Split(' ');
        Assert.Same(command, ContainerCommand.Labelled(command, "R1"));
    }

    [Fact]
    public void A_real_container_list_is_read_with_names_images_and_labels()
    {
        var list = ContainerSweep.ParseList(
            File.ReadAllBytes(
                Path.Combine("fixtures", "docker", "engine-api-containers-json-labels.json")
            )
        );

        Assert.Equal(2, list.Count);
        var labelled = Assert.Single(list, c => c.Name == "labelled");
        Assert.Equal("bb:1", labelled.Image);
        Assert.Equal(64, labelled.Id.Length);
        Assert.Equal("20261204T101425Z-0a1c4e8208", labelled.Labels["rein.run"]);
        var web = Assert.Single(list, c => c.Name == "app-web-1");
        Assert.Equal("/srv/app", web.Labels["com.docker.compose.project.working_dir"]);
    }

    [Theory]
    [InlineData("{\"message\":\"x\"}")]
    [InlineData("not json")]
    public void An_answer_that_is_not_a_list_is_an_api_error(string body) =>
        Assert.Throws<ContainerApiException>(() =>
            ContainerSweep.ParseList(System.Text.Encoding.UTF8.GetBytes(body))
        );

    [Fact]
    public void Go_times_with_nanoseconds_are_read()
    {
        Assert.Equal(
            new DateTimeOffset(2026, 12, 4, 10, 10, 43, TimeSpan.Zero).AddTicks(7907699),
            ContainerSweep.ParseTime("2026-12-04T10:10:43.790769950Z")
        );
        Assert.Null(ContainerSweep.ParseTime("0001-01-01T00:00:00Z x"));
    }
}
