using Rein.Tests.Support;

namespace Rein.Tests.Supervision;

/// <summary><c>--recycle-after-requests N</c>: the worker's <c>rein mark post</c> breadcrumbs are its requests.</summary>
public sealed class SuperviseRequestsTests : SuperviseTestBase
{
    string[] Args(int requests, int posts) =>
        [
            "supervise",
            "--events",
            EventsPath,
            "--recycle-after-requests",
            requests.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--max-restarts",
            "0",
            "--grace",
            "300ms",
            "--",
            "sh",
            "-c",
            $"echo $$ >> '{PidFile}'; i=0; while [ $i -lt {posts} ]; do \"$REIN\" mark pre org/w; "
                + $"\"$REIN\" mark post org/w; i=$((i+1)); done; exec '{Paths.Helper}' {Marker} hang",
        ];

    [Fact]
    public void A_worker_is_recycled_after_N_finished_inferences_without_backoff()
    {
        using var rein = ReinProcess.Start(Args(3, 3), HomeEnv(("REIN", Paths.Rein)));
        Assert.True(ProcessProbe.WaitForPids(PidFile, 2, TimeSpan.FromSeconds(30)).Count >= 2);
        Term(rein);
        Assert.Equal(0, rein.Wait(TimeSpan.FromSeconds(15)).ExitCode);
        Assert.NotEmpty(Events("recycle"));
        Assert.Empty(Events("backoff"));
        AssertNoSurvivors();
    }

    [Fact]
    public void Fewer_inferences_than_N_keep_the_worker()
    {
        using var rein = ReinProcess.Start(Args(3, 2), HomeEnv(("REIN", Paths.Rein)));
        Assert.Single(ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(30)));
        Assert.True(
            ProcessProbe.WaitUntil(
                () => ProcessProbe.Alive(Marker).Count > 1,
                TimeSpan.FromSeconds(20)
            )
        );
        Thread.Sleep(1500); // several polls of the breadcrumb file after both POSTs
        Term(rein);
        Assert.Equal(0, rein.Wait(TimeSpan.FromSeconds(15)).ExitCode);
        Assert.Empty(Events("recycle"));
        Assert.Single(File.ReadAllLines(PidFile));
        AssertNoSurvivors();
    }

    [Fact]
    public void A_bad_count_is_one_line_and_exit_125_like_every_supervise_usage_error()
    {
        var r = ReinProcess.Run(
            ["supervise", "--recycle-after-requests", "0", "--", "true"],
            HomeEnv()
        );
        Assert.Equal(125, r.ExitCode);
        Assert.Contains("--recycle-after-requests", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }
}
