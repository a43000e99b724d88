using System.Text.Json;
using Rein.Tests.Support;

namespace Rein.Tests.Forensics.Breadcrumbs;

/// <summary><c>rein mark</c> end to end: real worker processes (shell loops) around fake inferences, real kills,
/// and what <c>rein ps</c>, <c>rein doctor</c> and <c>rein journal show</c> then say.</summary>
public sealed class MarkCliTests : IDisposable
{
    readonly string _home = Directory.CreateTempSubdirectory("rein-mark-home-").FullName;
    readonly string _work = Directory.CreateTempSubdirectory("rein-mark-work-").FullName;
    readonly string _marker = TestMarker.New("mark");

    Dictionary<string, string?> Env(string? hangAfter = null) =>
        new()
        {
            ["REIN_HOME"] = _home,
            ["REIN"] = Paths.Rein,
            ["MARKER"] = _marker,
            ["REIN_HANG_AFTER"] = hangAfter,
        };

    RunResult Rein(string? hangAfter, params string[] args) =>
        ReinProcess.Run(args, Env(hangAfter), TimeSpan.FromSeconds(120), _work);

    static JsonElement Json(RunResult r)
    {
        Assert.True(r.ExitCode is 0 or 1, $"exit {r.ExitCode}: {r.Stderr}");
        return JsonDocument.Parse(r.Stdout).RootElement.Clone();
    }

    string OnlyRunId() =>
        Assert
            .Single(Json(Rein(null, "journal", "--json")).GetProperty("runs").EnumerateArray())
            .GetProperty("run_id")
            .GetString()!;

    List<JsonElement> Inferences(string hangAfter) =>
        [.. Json(Rein(hangAfter, "ps", "--json")).GetProperty("inferences").EnumerateArray()];

    [Fact]
    public void Ten_concurrent_workers_record_and_journal_every_breadcrumb()
    {
        const string Script = """
            for w in 0 1 2 3 4 5 6 7 8 9; do
              ( i=0; while [ $i -lt 25 ]; do
                  "$REIN" mark pre org/model --note "$MARKER $w-$i" || exit 1
                  "$REIN" mark post org/model || exit 1
                  i=$((i+1))
                done ) &
            done
            wait
            """;
        var run = Rein(null, "run", "--", "sh", "-c", Script);
        Assert.Equal(0, run.ExitCode);

        var show = Json(Rein(null, "journal", "show", OnlyRunId(), "--json"));
        var doc = Assert.Single(show.GetProperty("runs").EnumerateArray());
        Assert.Equal(500, doc.GetProperty("breadcrumb_count").GetInt32());
        var crumbs = doc.GetProperty("breadcrumbs").EnumerateArray().ToList();
        Assert.Equal(500, crumbs.Count);
        // Ten callers (one subshell each), fifty breadcrumbs each, every note once.
        var byPid = crumbs.GroupBy(c => c.GetProperty("pid").GetInt32()).ToList();
        Assert.Equal(10, byPid.Count);
        Assert.All(byPid, g => Assert.Equal(50, g.Count()));
        var notes = crumbs
            .Where(c => c.GetProperty("kind").GetString() == "pre")
            .Select(c => c.GetProperty("note").GetString())
            .ToHashSet();
        Assert.Equal(250, notes.Count);
        Assert.Empty(Inferences("0s"));
    }

    [Fact]
    public void A_worker_killed_between_PRE_and_POST_died_mid_inference_in_its_run()
    {
        var run = Rein(
            null,
            "run",
            "--",
            "sh",
            "-c",
            "\"$REIN\" mark pre org/model --note \"$MARKER\" && kill -9 $$"
        );
        Assert.Equal(137, run.ExitCode);
        var id = OnlyRunId();

        var died = Assert.Single(
            Inferences("90s"),
            i => i.GetProperty("note").GetString() == _marker
        );
        Assert.Equal("died", died.GetProperty("state").GetString());
        Assert.Equal(id, died.GetProperty("run_id").GetString());
        Assert.Contains("died mid-inference", died.GetProperty("message").GetString());

        var doctor = Json(Rein(null, "doctor", "--check", "inferences", "--json"));
        var finding = Assert.Single(doctor.GetProperty("findings").EnumerateArray());
        Assert.Equal("warn", finding.GetProperty("severity").GetString());
        Assert.StartsWith("died mid-inference", finding.GetProperty("summary").GetString());
        Assert.Equal(id, finding.GetProperty("details").GetProperty("run_id").GetString());

        var text = Rein(null, "journal", "show", id);
        Assert.Contains("breadcrumbs: 1", text.Stdout);
        Assert.Contains("pre  pid ", text.Stdout);
        Assert.Contains("no POST for the PRE at ", text.Stdout);
    }

    [Fact]
    public void Two_workers_on_one_model_only_the_hung_one_is_in_flight()
    {
        // A: PRE, then B: PRE, then A: POST. Both stay alive; only B's inference is open.
        const string Script = """
            ( "$REIN" mark pre org/model --note A; touch a1
              while [ ! -e b1 ]; do sleep 0.05; done
              "$REIN" mark post org/model --note A; touch a2; exec sleep 300 ) &
            ( while [ ! -e a1 ]; do sleep 0.05; done
              "$REIN" mark pre org/model --note B; touch b1; exec sleep 300 ) &
            wait
            """;
        using var worker = ReinProcess.Start(["run", "--", "sh", "-c", Script], Env(), _work);
        Assert.True(
            ProcessProbe.WaitUntil(
                () => File.Exists(Path.Combine(_work, "a2")),
                TimeSpan.FromSeconds(60)
            )
        );
        List<JsonElement> open = [];
        Assert.True(
            ProcessProbe.WaitUntil(
                () => (open = Inferences("1s")).Count > 0,
                TimeSpan.FromSeconds(60)
            ),
            "no inference reported in flight"
        );
        var hung = Assert.Single(open);
        Assert.Equal("B", hung.GetProperty("note").GetString());
        Assert.Equal("in_flight", hung.GetProperty("state").GetString());
        Assert.StartsWith("inference in flight for", hung.GetProperty("message").GetString());
        Assert.Contains("model org/model", Rein("1s", "ps").Stdout);

        var doctor = Json(Rein("1s", "doctor", "--check", "inferences", "--json"));
        var finding = Assert.Single(doctor.GetProperty("findings").EnumerateArray());
        Assert.StartsWith("inference in flight for", finding.GetProperty("summary").GetString());
        Assert.Equal("B", finding.GetProperty("details").GetProperty("note").GetString());
    }

    [Fact]
    public void The_caller_is_reins_parent_and_counts_as_in_flight_past_the_threshold()
    {
        Assert.Equal(0, Rein(null, "mark", "pre", "org/model", "--note", _marker).ExitCode);
        var mine = Assert.Single(
            Inferences("0s"),
            i => i.GetProperty("note").GetString() == _marker
        );
        Assert.Equal(Environment.ProcessId, mine.GetProperty("pid").GetInt32());
        Assert.Equal("in_flight", mine.GetProperty("state").GetString());
        Assert.Empty(Inferences("1h")); // younger than the threshold: an inference in progress, not news

        Assert.Equal(0, Rein(null, "mark", "post", "org/model").ExitCode);
        Assert.Empty(Inferences("0s"));
    }

    [Theory]
    [InlineData(new[] { "mark", "pre", "" }, "rein mark: needs a model id")]
    [InlineData(
        new[] { "mark", "post", "org/model", "--pid", "0" },
        "rein mark: --pid 0: no such process"
    )]
    [InlineData(new[] { "mark" }, "rein: ")]
    public void Bad_input_is_one_line_and_exit_2(string[] args, string start)
    {
        var r = Rein(null, args);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith(start, r.Stderr);
        Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
    }

    public void Dispose()
    {
        ProcessProbe.KillAll(_marker);
        foreach (var dir in new[] { _home, _work })
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException) { }
        }
    }
}
