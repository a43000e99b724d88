using Rein.Forensics.Breadcrumbs;

namespace Rein.Tests.Forensics.Breadcrumbs;

public sealed class BreadcrumbPairingTests
{
    static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch.AddDays(20_000);

    static Breadcrumb B(
        int second,
        BreadcrumbKind kind,
        int pid,
        string? run = "r1",
        string model = "org/m"
    ) => new(T0.AddSeconds(second), kind, model, pid, 1000UL + (ulong)pid, run);

    [Fact]
    public void Two_workers_on_one_model_are_paired_each_with_its_own()
    {
        // A starts, B starts, A finishes: only B is open. By model alone, A's POST would close B's PRE.
        var open = BreadcrumbPairing.Unmatched([
            B(0, BreadcrumbKind.Pre, pid: 10),
            B(1, BreadcrumbKind.Pre, pid: 20),
            B(2, BreadcrumbKind.Post, pid: 10),
        ]);
        var only = Assert.Single(open);
        Assert.Equal(20, only.Pid);
    }

    [Fact]
    public void The_same_pid_in_another_run_or_with_another_start_time_is_another_caller()
    {
        var open = BreadcrumbPairing.Unmatched([
            B(0, BreadcrumbKind.Pre, pid: 10, run: "r1"),
            B(1, BreadcrumbKind.Post, pid: 10, run: "r2"),
            B(2, BreadcrumbKind.Pre, pid: 30) with
            {
                PidStart = 1,
            },
            B(3, BreadcrumbKind.Post, pid: 30) with
            {
                PidStart = 2,
            },
        ]);
        Assert.Equal(2, open.Count);
    }

    [Fact]
    public void Models_are_paired_case_insensitively_and_a_stray_post_is_ignored()
    {
        var open = BreadcrumbPairing.Unmatched([
            B(0, BreadcrumbKind.Post, pid: 10),
            B(1, BreadcrumbKind.Pre, pid: 10, model: "Org/M"),
            B(2, BreadcrumbKind.Post, pid: 10, model: "org/m"),
            B(3, BreadcrumbKind.Pre, pid: 10),
            B(4, BreadcrumbKind.Pre, pid: 10),
            B(5, BreadcrumbKind.Post, pid: 10),
        ]);
        Assert.Equal(T0.AddSeconds(3), Assert.Single(open).At);
    }
}
