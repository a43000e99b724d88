using Rein.Config;

namespace Rein.Diagnostics.Checks;

/// <summary>Free space where work happens (the current directory) and where Rein keeps its journal.</summary>
public sealed class DiskCheck : IDoctorCheck
{
    public string Name => "disk";

    public IReadOnlyList<Finding> Run(DoctorContext ctx)
    {
        var findings = new List<Finding>();
        var seen = new HashSet<string>();
        foreach (
            var (what, path) in new[]
            {
                ("current directory", ctx.WorkingDirectory),
                ("rein state", ctx.StateDirectory),
            }
        )
        {
            var existing = path;
            while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
            {
                existing = parent;
            }

            DriveInfo drive;
            try
            {
                drive = new DriveInfo(existing);
                if (!seen.Add(drive.RootDirectory.FullName))
                {
                    continue;
                }

                findings.Add(
                    Evaluate(
                        what,
                        drive.RootDirectory.FullName,
                        drive.AvailableFreeSpace,
                        drive.TotalSize
                    )
                );
            }
            catch (Exception e)
                when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                findings.Add(
                    new Finding(
                        Name,
                        Severity.Warn,
                        $"cannot read free space for {path}: {e.Message}"
                    )
                );
            }
        }

        return findings;
    }

    /// <summary>Pure: critical under 2 GiB free, warn under 10 %.</summary>
    public Finding Evaluate(string what, string mount, long free, long total)
    {
        var percent = total == 0 ? 100 : 100.0 * free / total;
        var severity =
            free < 2L << 30 ? Severity.Critical
            : percent < 10 ? Severity.Warn
            : Severity.Ok;
        return new Finding(
            Name,
            severity,
            $"{mount} ({what}): {SizeParser.Format(free)} free of {SizeParser.Format(total)} ({percent:0}%)",
            severity == Severity.Ok
                ? null
                : "free space: caches (~/.cache/huggingface, pip, npm), old model snapshots, docker images (docker system prune)",
            Details.Of(("mount", mount), ("free_bytes", free), ("total_bytes", total))
        );
    }
}
