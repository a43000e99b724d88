using Rein.Tests.Support;

namespace Rein.Tests.Cleanup;

/// <summary>rein cleanup finds processes by the REIN_RUN_ID marker: a run of this journal that ended → stopped;
/// an id this journal does not know → listed only, unless --match selects it. A dry run signals nothing.</summary>
public sealed class CleanupMarkerTests : CleanupTestBase
{
    [Fact]
    public void A_process_carrying_the_marker_of_an_ended_run_is_listed_by_a_dry_run_and_stopped_with_yes()
    {
        var runId = EndedRunId();
        StartDetached(
            Paths.Helper,
            [Marker, "setsid", "[", "ignore-term", "pidfile", PidFile, "hang", "]"],
            new Dictionary<string, string> { ["REIN_RUN_ID"] = runId }
        );
        var pid = ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5))[0];

        var dry = Cleanup("--json");
        Assert.Equal(0, dry.ExitCode);
        var planned = Entry(Json(dry), "processes", pid);
        Assert.NotNull(planned);
        Assert.Equal("marker", planned.Value.GetProperty("rule").GetString());
        Assert.Equal(runId, planned.Value.GetProperty("run_id").GetString());
        Assert.Equal("would_kill", planned.Value.GetProperty("action").GetString());
        Thread.Sleep(300);
        Assert.True(Alive(pid), "a dry run signalled the process");

        var text = Cleanup();
        Assert.Contains("would stop", text.Stdout);
        Assert.Contains(
            pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            text.Stdout
        );
        Assert.True(Alive(pid));

        var done = Cleanup("--yes", "--json");
        Assert.Equal(0, done.ExitCode);
        Assert.Equal(
            "killed",
            Entry(Json(done), "processes", pid)!.Value.GetProperty("action").GetString()
        );
        Assert.True(Gone(pid), "the leftover (it ignores TERM) survived rein cleanup --yes");
    }

    [Fact]
    public void A_process_with_a_run_id_unknown_to_the_journal_is_listed_not_killed_unless_match_selects_it()
    {
        EndedRunId(); // a journal exists
        StartDetached(
            Paths.Helper,
            [Marker, "setsid", "[", "pidfile", PidFile, "hang", "]"],
            new Dictionary<string, string> { ["REIN_RUN_ID"] = "20990101T000000Z-" + Marker[^10..] }
        );
        var pid = ProcessProbe.WaitForPids(PidFile, 1, TimeSpan.FromSeconds(5))[0];

        var r = Cleanup("--yes", "--json");
        Assert.Equal(0, r.ExitCode);
        var e = Entry(Json(r), "processes", pid);
        Assert.NotNull(e);
        Assert.Equal("foreign-marker", e.Value.GetProperty("rule").GetString());
        Assert.Equal("reported", e.Value.GetProperty("action").GetString());
        Thread.Sleep(300);
        Assert.True(Alive(pid), "a process of another Rein was killed without being selected");

        var selected = Cleanup("--yes", "--match", Marker, "--json");
        Assert.Equal(
            "killed",
            Entry(Json(selected), "processes", pid)!.Value.GetProperty("action").GetString()
        );
        Assert.True(Gone(pid));
    }

    [Fact]
    public void Bad_input_is_one_line_and_exit_2()
    {
        var r = Cleanup("--older-than", "soon");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("rein cleanup: --older-than:", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));

        var missing = Cleanup("--cwd", Path.Combine(Scratch, "nope"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no such directory", missing.Stderr);
    }
}
