using System.Diagnostics;
using Rein.Diagnostics.Checks;

namespace Rein.Diagnostics;

/// <summary>Runs checks concurrently and collects their findings, worst first. A check that throws becomes a
/// finding of its own; one that overruns is reported as timed out and never holds the report back.</summary>
public static class Doctor
{
    public static IReadOnlyList<IDoctorCheck> AllChecks { get; } =
    [
        new StuckProcessesCheck(),
        new ZombiesCheck(),
        new MemoryPressureCheck(),
        new TopMemoryCheck(),
        new DiskCheck(),
        new PanicsCheck(),
        new CrashesCheck(),
        new ContainersCheck(),
        new SpotlightCheck(),
        new ReinCheck(),
        new JournalCheck(),
        new ExportsCheck(),
        new LeftoversCheck(),
        new InferencesCheck(),
    ];

    public static IReadOnlyList<Finding> Run(
        DoctorContext context,
        IEnumerable<IDoctorCheck> checks,
        TimeSpan? perCheckTimeout = null
    )
    {
        var limit = perCheckTimeout ?? TimeSpan.FromSeconds(5);
        var tasks = checks
            .Select(c => (Check: c, Task: Task.Run(() => RunOne(c, context))))
            .ToList();
        var findings = new List<Finding>();
        var clock = Stopwatch.StartNew();
        foreach (var (check, task) in tasks)
        {
            var left = limit - clock.Elapsed;
            if (left > TimeSpan.Zero && task.Wait(left))
            {
                findings.AddRange(task.Result);
            }
            else
            {
                findings.Add(
                    new Finding(
                        check.Name,
                        Severity.Warn,
                        $"check timed out after {limit.TotalSeconds:0}s",
                        "run it alone with --check " + check.Name
                    )
                );
            }
        }

        return
        [
            .. findings
                .OrderByDescending(f => f.Severity)
                .ThenBy(f => f.Check, StringComparer.Ordinal),
        ];
    }

    static IReadOnlyList<Finding> RunOne(IDoctorCheck check, DoctorContext context)
    {
        try
        {
            return check.Run(context);
        }
        catch (Exception e)
        {
            return
            [
                new Finding(
                    check.Name,
                    Severity.Warn,
                    $"check failed: {e.Message}",
                    "please report this as a Rein bug"
                ),
            ];
        }
    }
}
