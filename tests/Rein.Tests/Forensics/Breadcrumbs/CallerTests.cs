using Rein.Forensics.Breadcrumbs;
using Rein.Journal;
using Rein.Processes;
using Rein.Tests.Support;

namespace Rein.Tests.Forensics.Breadcrumbs;

/// <summary>Who a mark is about: a shell that only relays one <c>rein mark</c> (system(), os.system, shell=True) is
/// not the worker; and a worker hung for days is still in flight.</summary>
public sealed class CallerTests : IDisposable
{
    readonly string _home = Directory.CreateTempSubdirectory("rein-caller-").FullName;
    readonly string _work = Directory.CreateTempSubdirectory("rein-caller-work-").FullName;

    public void Dispose()
    {
        Directory.Delete(_home, recursive: true);
        Directory.Delete(_work, recursive: true);
    }

    [Theory]
    [InlineData("sh", "sh -c /usr/local/bin/rein mark pre org/m", true)]
    [InlineData("dash", "/bin/sh -c rein mark post org/m --note done", true)]
    [InlineData("-bash", "bash -c rein mark pre org/m", true)]
    [InlineData("sh", "sh -c rein mark pre org/m; ./infer", false)]
    [InlineData("bash", "bash -c rein mark pre org/m && ./infer", false)]
    [InlineData("sh", "sh -c rein mark pre $(cat model)", false)]
    [InlineData("sh", "sh worker.sh", false)]
    [InlineData("python3", "python3 -c rein mark pre org/m", false)]
    public void A_relay_shell_is_one_command_in_sh_c(string name, string line, bool relay) =>
        Assert.Equal(relay, Caller.IsRelayShell(name, line));

    [Fact]
    public void Marks_through_relay_shells_pair_with_the_worker_and_leave_nothing_open()
    {
        // Each mark goes through its own `sh -c 'rein mark ...'` (what system() does): two short-lived shells.
        var script =
            "sh -c \"$REIN mark pre org/relay --note relay\"; sh -c \"$REIN mark post org/relay\"; echo done";
        var env = new Dictionary<string, string?> { ["REIN_HOME"] = _home, ["REIN"] = Paths.Rein };
        var run = ReinProcess.Run(
            ["run", "--", "sh", "-c", script],
            env,
            TimeSpan.FromSeconds(60),
            _work
        );
        Assert.True(run.ExitCode == 0, run.Stderr);
        var ps = ReinProcess.Run(["ps", "--json"], env, TimeSpan.FromSeconds(60), _work);
        Assert.DoesNotContain("died", ps.Stdout);
        using var store = JournalStore.Open(_home);
        var crumbs = store.BreadcrumbsBetween(
            DateTimeOffset.UnixEpoch,
            DateTimeOffset.UtcNow.AddMinutes(1)
        );
        Assert.Equal(2, crumbs.Count);
        Assert.Single(crumbs.Select(c => c.Pid).Distinct());
    }

    [Fact]
    public void A_worker_hung_for_two_days_is_still_in_flight()
    {
        var me = Caller.Self(ProcessTables.Current);
        BreadcrumbWriter.Append(
            _home,
            new Breadcrumb(
                DateTimeOffset.UtcNow.AddDays(-2),
                BreadcrumbKind.Pre,
                "org/old",
                me.Pid,
                me.Start,
                null
            )
        );
        using var store = JournalStore.Open(_home);
        var open = InferenceWatch.Find(
            store,
            ProcessTables.Current,
            DateTimeOffset.UtcNow,
            TimeSpan.FromSeconds(90),
            TimeSpan.FromDays(1)
        );
        var hung = Assert.Single(open);
        Assert.Equal(InferenceState.InFlight, hung.State);
    }
}
