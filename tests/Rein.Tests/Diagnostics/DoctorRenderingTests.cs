using Rein.Cli.Rendering;
using Rein.Diagnostics;
using Rein.Tests.Support;

namespace Rein.Tests.Diagnostics;

public sealed class DoctorRenderingTests
{
    [Fact]
    public void Report_groups_by_severity_with_advice_under_each_finding()
    {
        Finding[] findings =
        [
            new(
                "stuck",
                Severity.Critical,
                "2 process(es) stuck in uninterruptible wait for 45s or more: 4242 (python3), 4243 (python3)",
                "these cannot be killed; reboot"
            ),
            new(
                "containers",
                Severity.Warn,
                "container ollama has no memory limit (using 7.8GiB / 15.6GiB): it can eat the whole VM",
                "docker update --memory 4g ollama"
            ),
            new(
                "top-memory",
                Severity.Info,
                "top by RSS: node (311) 1.2 GiB, python3 (4242) 900 MiB"
            ),
            Finding.Ok("disk", "/ (current directory): 80 GiB free of 252 GiB (32%)"),
        ];
        var (console, output) = Golden.Console(100);
        DoctorRendering.Write(console, findings, TimeSpan.FromMilliseconds(84));
        Golden.Check("doctor-report.txt", output.ToString());
    }
}
