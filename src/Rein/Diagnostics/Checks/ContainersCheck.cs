using System.Text.Json;
using System.Text.Json.Nodes;
using Rein.Config;
using Rein.Diagnostics.Parsers;

namespace Rein.Diagnostics.Checks;

/// <summary>Running containers with no memory limit can eat the whole machine (or the Docker Desktop VM, which
/// does not give memory back). Asks the docker CLI, with a timeout; no docker is a pass.</summary>
public sealed class ContainersCheck : IDoctorCheck
{
    public string Name => "containers";

    public IReadOnlyList<Finding> Run(DoctorContext ctx)
    {
        var ps = ctx.Tools.Run("docker", ["ps", "-q", "--no-trunc"], ctx.ToolTimeout);
        if (!ps.Found)
        {
            return [Finding.Ok(Name, "docker is not installed")];
        }

        if (ps.TimedOut)
        {
            return
            [
                new Finding(
                    Name,
                    Severity.Warn,
                    $"docker did not answer within {ctx.ToolTimeout.TotalSeconds:0}s",
                    "the Docker daemon or VM may be hung: restart Docker"
                ),
            ];
        }

        if (ps.ExitCode != 0)
        {
            return [Finding.Ok(Name, "docker daemon is not running")];
        }

        var ids = ps.Stdout.Split(
            '\n',
            StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries
        );
        if (ids.Length == 0)
        {
            return [Finding.Ok(Name, "no running containers")];
        }

        var inspect = ctx.Tools.Run("docker", ["inspect", .. ids], ctx.ToolTimeout);
        var stats = ctx.Tools.Run(
            "docker",
            ["stats", "--no-stream", "--format", "{{json .}}"],
            ctx.ToolTimeout
        );
        try
        {
            var parsedStats = stats.Ok ? DockerParsers.ParseStats(stats.Stdout) : [];
            var findings = Evaluate(
                    inspect.Ok ? DockerParsers.ParseInspect(inspect.Stdout) : [],
                    parsedStats
                )
                .ToList();
            if (ctx.IsMacOS)
            {
                // Docker Desktop runs containers in a VM whose memory is taken from the Mac and not given back.
                var info = ctx.Tools.Run(
                    "docker",
                    ["info", "--format", "{{.MemTotal}}"],
                    ctx.ToolTimeout
                );
                if (info.Ok && long.TryParse(info.Stdout.Trim(), out var vmBytes))
                {
                    findings.Add(EvaluateVm(vmBytes, parsedStats));
                }
            }

            return findings;
        }
        catch (JsonException e)
        {
            return
            [
                new Finding(
                    Name,
                    Severity.Warn,
                    $"could not parse docker output: {e.Message.Split('.')[0]}"
                ),
            ];
        }
    }

    /// <summary>Pure: the Docker Desktop VM's size against what its containers use now.</summary>
    public Finding EvaluateVm(long vmBytes, IReadOnlyList<ContainerStats> stats)
    {
        var used = stats.Sum(s => DockerParsers.ParseSize(s.MemUsage.Split('/')[0]) ?? 0);
        var idle = vmBytes - used;
        return new Finding(
            Name,
            idle > 4L << 30 ? Severity.Info : Severity.Ok,
            $"the Docker VM holds {SizeParser.Format(vmBytes)}; its containers use {SizeParser.Format(used)}",
            idle > 4L << 30
                ? "the VM does not give memory back to macOS: restart Docker Desktop to return it, and lower its memory in Settings > Resources"
                : null,
            Details.Of(("vm_bytes", vmBytes), ("containers_bytes", used))
        );
    }

    /// <summary>Pure: one warning per running container without a memory limit, with its current usage.</summary>
    public IReadOnlyList<Finding> Evaluate(
        IReadOnlyList<ContainerInfo> containers,
        IReadOnlyList<ContainerStats> stats
    )
    {
        var unlimited = containers.Where(c => c.Running && c.MemoryLimit == 0).ToList();
        var findings = new List<Finding>();
        foreach (var c in unlimited)
        {
            var usage = stats.FirstOrDefault(s => s.Name == c.Name)?.MemUsage;
            findings.Add(
                new Finding(
                    Name,
                    Severity.Warn,
                    $"container {c.Name} has no memory limit{(usage is null ? "" : $" (using {usage})")}: it can eat the whole VM",
                    $"give it one: docker update --memory 4g --memory-swap 4g {c.Name} (or mem_limit in compose)",
                    Details.Of(("container", c.Name), ("mem_usage", usage))
                )
            );
        }

        var limited = containers.Where(c => c.Running && c.MemoryLimit > 0).ToList();
        if (findings.Count == 0)
        {
            findings.Add(
                Finding.Ok(
                    Name,
                    $"{limited.Count} running container(s), all with memory limits"
                        + (
                            limited.Count > 0
                                ? $" ({string.Join(", ", limited.Select(c => $"{c.Name} {SizeParser.Format(c.MemoryLimit)}"))})"
                                : ""
                        )
                )
            );
        }

        return findings;
    }
}
