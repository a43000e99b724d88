using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;
using Rein.Journal;
using Rein.Running;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Export;

/// <summary><c>rein export otlp</c> against a receiver that speaks OTLP/HTTP and decodes the protobuf it gets:
/// one span per run with its verdict, the standard variables (headers, service name, resource attributes), no
/// environment value and no command line unless asked; and a collector that is down, failing or slow loses
/// nothing: the runs stay queued in the journal and ship, once, with the next export.</summary>
public sealed class OtlpExportTests : RunTestBase, IDisposable
{
    readonly OtlpReceiver _receiver = new();

    IReadOnlyList<OtlpReceiver.Request> Traces =>
        [.. _receiver.Requests.Where(r => r.Path == "/v1/traces")];

    Dictionary<string, string?> Env(params (string Key, string Value)[] more)
    {
        var env = HomeEnv(more);
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = _receiver.Endpoint;
        return env;
    }

    void Runs()
    {
        // A secret in the run's environment: it must never reach the collector.
        var secret = HomeEnv(("SECRET_TOKEN", "hunter2-" + Marker));
        Assert.Equal(0, ReinProcess.Run(RunArgs([], "exit", "0"), secret).ExitCode);
        Assert.Equal(3, ReinProcess.Run(RunArgs([], "exit", "3"), secret).ExitCode);
    }

    static IReadOnlyList<Proto.Field> Spans(byte[] body, out Dictionary<string, string> resource)
    {
        var resourceSpans = Proto.Decode(body).Single(f => f.Number == 1).Message;
        resource = Proto.Attributes(resourceSpans.Single(f => f.Number == 1).Message);
        var scopeSpans = resourceSpans.Single(f => f.Number == 2).Message;
        return [.. scopeSpans.Where(f => f.Number == 2)];
    }

    [Fact]
    public void Each_run_is_one_span_with_its_verdict_and_the_standard_variables_apply()
    {
        Runs();
        var r = ReinProcess.Run(
            ["export", "otlp"],
            Env(
                ("OTEL_SERVICE_NAME", "ci-runner"),
                ("OTEL_RESOURCE_ATTRIBUTES", "team=ml,deployment.environment=ci"),
                ("OTEL_EXPORTER_OTLP_HEADERS", "x-team=ml,authorization=Bearer%20abc")
            )
        );

        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Contains("shipped 2 run(s)", r.Stdout);
        var request = Assert.Single(Traces);
        Assert.Equal("application/x-protobuf", request.Headers["Content-Type"]);
        Assert.Equal("Bearer abc", request.Headers["authorization"]);
        Assert.Equal("ml", request.Headers["x-team"]);

        var spans = Spans(request.Body, out var resource);
        Assert.Equal("ci-runner", resource["service.name"]);
        Assert.Equal("ml", resource["team"]);
        Assert.Equal("ci", resource["deployment.environment"]);
        Assert.Equal(2, spans.Count);
        var byExit = spans.ToDictionary(s =>
            Proto.Attributes(s.Message.Where(f => f.Number == 9))["process.exit.code"]
        );
        var failed = byExit["3"].Message;
        var attributes = Proto.Attributes(failed.Where(f => f.Number == 9));
        Assert.Equal("rein run rein-testhelper", failed.Single(f => f.Number == 5).Text);
        Assert.Equal("exited", attributes["rein.outcome"]);
        Assert.Equal("rein-testhelper", attributes["process.executable.name"]);
        Assert.Equal(16, attributes["rein.command.hash"].Length);
        Assert.StartsWith("2", attributes["rein.run.id"]);
        Assert.Equal(16, failed.Single(f => f.Number == 1).Bytes.Length); // trace id
        Assert.Equal(8, failed.Single(f => f.Number == 2).Bytes.Length); // span id
        Assert.True(
            failed.Single(f => f.Number == 8).Number64 >= failed.Single(f => f.Number == 7).Number64
        );
        var status = failed.Single(f => f.Number == 15).Message;
        Assert.Equal(2UL, status.Single(f => f.Number == 3).Number64); // ERROR: exit 3
        var ok = byExit["0"].Message.Single(f => f.Number == 15).Message;
        Assert.Equal(1UL, ok.Single(f => f.Number == 3).Number64);

        // Never an environment value; no command line unless asked.
        var body = Encoding.UTF8.GetString(request.Body);
        Assert.DoesNotContain("hunter2", body);
        Assert.DoesNotContain(Marker, body);
    }

    [Fact]
    public void Metrics_go_to_v1_metrics_as_cumulative_totals()
    {
        Runs();
        Assert.Equal(0, ReinProcess.Run(["export", "otlp"], Env()).ExitCode);
        Assert.Equal(0, ReinProcess.Run(["export", "otlp"], Env()).ExitCode);

        // Each export sends the whole totals: the second says the same, from the same start.
        var sent = _receiver.Requests.Where(r => r.Path == "/v1/metrics").ToList();
        Assert.Equal(2, sent.Count);
        Assert.Equal("application/x-protobuf", sent[1].Headers["Content-Type"]);
        var metrics = Proto
            .Decode(sent[1].Body)
            .Single(f => f.Number == 1)
            .Message.Single(f => f.Number == 2)
            .Message.Where(f => f.Number == 2)
            .ToDictionary(m => m.Message.Single(f => f.Number == 1).Text, m => m.Message);

        Assert.Contains("rein.refusals", metrics.Keys);
        Assert.Contains("rein.panics", metrics.Keys);
        Assert.Contains("rein.runs.alive", metrics.Keys);
        var runs = metrics["rein.runs"].Single(f => f.Number == 7).Message; // Metric.sum
        Assert.Equal(2UL, runs.Single(f => f.Number == 2).Number64); // cumulative
        Assert.Equal(1UL, runs.Single(f => f.Number == 3).Number64); // monotonic
        var exited = runs.Where(f => f.Number == 1)
            .Select(p => p.Message)
            .Single(p => Proto.Attributes(p.Where(f => f.Number == 7))["outcome"] == "exited");
        Assert.Equal(2UL, exited.Single(f => f.Number == 6).Number64); // as_int: both runs
        var duration = metrics["rein.run.duration"].Single(f => f.Number == 9).Message; // Metric.histogram
        var point = duration.Single(f => f.Number == 1).Message;
        Assert.Equal(2UL, point.Single(f => f.Number == 4).Number64); // count
        Assert.Equal(8 * 8, point.Single(f => f.Number == 7).Bytes.Length); // 8 explicit bounds
        Assert.Equal(9 * 8, point.Single(f => f.Number == 6).Bytes.Length); // 9 buckets

        static ulong Start(byte[] body) =>
            Proto
                .Decode(body)
                .Single(f => f.Number == 1)
                .Message.Single(f => f.Number == 2)
                .Message.First(f => f.Number == 2)
                .Message.Single(f => f.Number == 7)
                .Message.First(f => f.Number == 1)
                .Message.Single(f => f.Number == 2)
                .Number64;
        Assert.Equal(Start(sent[0].Body), Start(sent[1].Body));
    }

    [Fact]
    public void A_panic_in_the_ledger_is_shipped_once_as_a_span()
    {
        var pstore = Directory.CreateDirectory(Path.Combine(Scratch, "pstore")).FullName;
        File.WriteAllText(
            Path.Combine(pstore, "dmesg-efi-172000000101001"),
            $"Panic#1 Part1\n<0>[  812.3] Kernel panic - not syncing: Fatal exception {Marker}\n"
        );
        var env = Env(("REIN_PSTORE_DIR", pstore));
        var ledger = ReinProcess.Run(["panics", "--json"], env);
        Assert.Contains(Marker, ledger.Stdout); // the ledger has it

        Assert.Equal(0, ReinProcess.Run(["export", "otlp"], env).ExitCode);
        Assert.Equal(0, ReinProcess.Run(["export", "otlp"], env).ExitCode);

        var panics = Traces
            .SelectMany(r => Spans(r.Body, out _))
            .Where(s => s.Message.Single(f => f.Number == 5).Text == "rein panic")
            .ToList();
        var panic = Assert.Single(panics).Message;
        var attributes = Proto.Attributes(panic.Where(f => f.Number == 9));
        Assert.Equal("report", attributes["rein.panic.kind"]);
        Assert.Contains(Marker, attributes["rein.panic.signature"]);
    }

    [Fact]
    public void Command_lines_are_sent_only_when_the_user_asks()
    {
        Runs();
        var r = ReinProcess.Run(["export", "otlp"], Env(("REIN_TELEMETRY_COMMAND_LINES", "true")));

        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        var spans = Spans(Assert.Single(Traces).Body, out _);
        var args = Proto.Attributes(spans[0].Message.Where(f => f.Number == 9))[
            "process.command_args"
        ];
        Assert.Contains(Marker, args);
        Assert.DoesNotContain("hunter2", Encoding.UTF8.GetString(Traces[0].Body));
    }

    [Fact]
    public void A_failing_collector_loses_nothing_and_nothing_ships_twice()
    {
        Runs();
        _receiver.Status = 500;
        var failed = ReinProcess.Run(["export", "otlp", "--json"], Env());
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("'HTTP/1.1 500 Internal Server Error'", failed.Stderr);
        Assert.Contains("2 run(s) stay in the journal", failed.Stderr);
        Assert.Contains("\"queued\": 2", failed.Stdout);

        // rein doctor says so, until an export ships everything.
        Assert.Equal("warn", ExportsFinding().GetProperty("severity").GetString());
        Assert.Contains(
            "OTLP exports have been failing",
            ExportsFinding().GetProperty("summary").GetString()
        );

        _receiver.Status = 200;
        var shipped = ReinProcess.Run(["export", "otlp"], Env());
        Assert.True(shipped.ExitCode == 0, shipped.Stderr);
        Assert.Contains("shipped 2 run(s)", shipped.Stdout);
        Assert.Equal(2, Spans(Traces[^1].Body, out _).Count);

        var again = ReinProcess.Run(["export", "otlp"], Env());
        Assert.Contains("shipped 0 run(s)", again.Stdout);
        Assert.Equal(2, Traces.Count); // no span was sent again
        Assert.Equal("ok", ExportsFinding().GetProperty("severity").GetString());
    }

    System.Text.Json.JsonElement ExportsFinding()
    {
        var doctor = ReinProcess.Run(["doctor", "--json"], HomeEnv());
        using var doc = System.Text.Json.JsonDocument.Parse(doctor.Stdout);
        return doc
            .RootElement.GetProperty("findings")
            .EnumerateArray()
            .Single(f => f.GetProperty("check").GetString() == "exports")
            .Clone();
    }

    [Fact]
    public void A_collector_that_is_down_or_slow_costs_at_most_the_budget()
    {
        Runs();
        // Down: a port nobody listens on.
        using (var closed = new OtlpReceiver())
        {
            var port = closed.Port;
            closed.Dispose();
            var down = ReinProcess.Run(
                ["export", "otlp", "--endpoint", $"http://127.0.0.1:{port}"],
                HomeEnv()
            );
            Assert.Equal(1, down.ExitCode);
            Assert.Contains("2 run(s) stay in the journal", down.Stderr);
        }

        // Slow: answers after 5 s; the 300 ms budget ends the export first.
        _receiver.Delay = TimeSpan.FromSeconds(5);
        var clock = Stopwatch.StartNew();
        var slow = ReinProcess.Run(["export", "otlp", "--timeout", "300ms"], Env());
        Assert.Equal(1, slow.ExitCode);
        Assert.Contains("no answer in time", slow.Stderr);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");

        _receiver.Delay = TimeSpan.Zero;
        var shipped = ReinProcess.Run(["export", "otlp"], Env());
        Assert.Contains("shipped 2 run(s)", shipped.Stdout);
    }

    [Fact]
    public void With_telemetry_at_run_end_a_run_ships_itself_within_the_budget_and_keeps_its_exit_code()
    {
        // Off unless asked, even with OTEL_EXPORTER_OTLP_ENDPOINT set (many shells set it for other programs).
        Assert.Equal(0, ReinProcess.Run(RunArgs([], "exit", "0"), Env()).ExitCode);
        Assert.Empty(_receiver.Requests);

        var r = ReinProcess.Run(RunArgs([], "exit", "3"), Env(("REIN_TELEMETRY_AT_RUN_END", "5s")));
        Assert.Equal(3, r.ExitCode);
        Assert.Equal(2, Spans(Assert.Single(Traces).Body, out _).Count); // both runs
        Assert.Equal(3, r.ExitCode);

        // rein timeout too.
        var timeout = ReinProcess.Run(
            ["timeout", "10", Paths.Helper, Marker, "exit", "5"],
            Env(("REIN_TELEMETRY_AT_RUN_END", "5s"))
        );
        Assert.Equal(5, timeout.ExitCode);
        Assert.Single(Spans(Traces[^1].Body, out _));

        // A collector slower than the 200 ms budget: the run still ends at once, with its own exit code.
        _receiver.Delay = TimeSpan.FromSeconds(5);
        var slow = ReinProcess.Run(
            RunArgs([], "exit", "4"),
            Env(("REIN_TELEMETRY_AT_RUN_END", "200ms"))
        );
        Assert.Equal(4, slow.ExitCode);
        Assert.True(slow.Elapsed < TimeSpan.FromSeconds(2), $"the run took {slow.Elapsed}");
        Assert.Equal("", slow.Stderr);
    }

    [Fact]
    public void Without_a_collector_or_with_https_it_says_what_to_set()
    {
        var none = ReinProcess.Run(["export", "otlp"], HomeEnv());
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("set OTEL_EXPORTER_OTLP_ENDPOINT", none.Stderr);

        var https = ReinProcess.Run(
            ["export", "otlp", "--endpoint", "https://collector:4318"],
            HomeEnv()
        );
        Assert.Equal(2, https.ExitCode);
        Assert.Contains("https:// is not supported", https.Stderr);

        var bad = ReinProcess.Run(
            ["export", "otlp"],
            HomeEnv(("OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318"))
        );
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("is not an http:// URL", bad.Stderr);
    }

    /// <summary>Finished runs written straight into the journal, each ended at its own time (hours apart: more
    /// than the export cursor's 10 minutes of overlap, which real runs a moment apart never leave).</summary>
    void Ended(params (string Id, DateTimeOffset At)[] runs)
    {
        using var store = JournalStore.Open(Home);
        foreach (var (id, at) in runs)
        {
            var start = at.AddSeconds(-1);
            store.RecordStart(
                new RunStart(id, ["cmd", Marker], "/tmp", "me", 999_999, 1, start, null, null),
                new BootIdentity("test-boot", null)
            );
            store.RecordEnd(
                new RunVerdict
                {
                    RunId = id,
                    Outcome = RunOutcome.Exited,
                    ExitCode = 0,
                    Duration = TimeSpan.FromSeconds(1),
                    StartedAt = start,
                }
            );
        }
    }

    static string RunId(Proto.Field span) =>
        Proto.Attributes(span.Message.Where(f => f.Number == 9))["rein.run.id"];

    [Fact]
    public void Since_only_sets_how_far_back_the_first_export_looks_later_exports_go_on_from_the_cursor()
    {
        var now = DateTimeOffset.UtcNow;
        string Id(string name) => $"{name}-{Marker}";
        Ended((Id("ancient"), now.AddHours(-6)), (Id("old"), now.AddHours(-3)));

        // The first export looks back as far as --since says: 4h.
        var first = ReinProcess.Run(["export", "otlp", "--since", "4h"], Env());
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("shipped 1 run(s)", first.Stdout);

        // A run that ended after the cursor, and one that just ended: a --since that does not reach the first
        // must not skip it (for good: the cursor would move past it with the second).
        Ended((Id("queued"), now.AddHours(-2)), (Id("fresh"), now));
        var second = ReinProcess.Run(["export", "otlp", "--since", "30m"], Env());
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("shipped 2 run(s)", second.Stdout);

        // A --since that reaches back over shipped runs sends none of them again.
        var third = ReinProcess.Run(["export", "otlp", "--since", "7d"], Env());
        Assert.True(third.ExitCode == 0, third.Stderr);
        Assert.Contains("shipped 0 run(s)", third.Stdout);

        var sent = Traces.SelectMany(r => Spans(r.Body, out _)).Select(RunId).ToList();
        Assert.Equal([Id("old"), Id("queued"), Id("fresh")], sent);
    }

    [Fact]
    public void Panics_the_budget_leaves_no_time_for_are_an_error_and_ship_with_the_next_export()
    {
        var pstore = Directory.CreateDirectory(Path.Combine(Scratch, "pstore")).FullName;
        File.WriteAllText(
            Path.Combine(pstore, "dmesg-efi-172000000101002"),
            $"Panic#1 Part1\n<0>[  812.3] Kernel panic - not syncing: Fatal exception {Marker}\n"
        );
        // Traces only: a metrics request would fail the export for want of budget on its own.
        var env = HomeEnv(
            ("REIN_PSTORE_DIR", pstore),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", _receiver.Endpoint + "/v1/traces")
        );
        Assert.Contains(Marker, ReinProcess.Run(["panics", "--json"], env).Stdout);

        // No run to ship, and a budget of one tick: gone before the panics.
        var starved = ReinProcess.Run(["export", "otlp", "--timeout", "1e-9s"], env);
        Assert.True(starved.ExitCode == 1, $"exit {starved.ExitCode}: {starved.Stderr}");
        Assert.Contains("budget ran out before the panics", starved.Stderr);
        Assert.Empty(_receiver.Requests);
        Assert.Equal("warn", ExportsFinding().GetProperty("severity").GetString());

        var shipped = ReinProcess.Run(["export", "otlp"], env);
        Assert.True(shipped.ExitCode == 0, shipped.Stderr);
        var panic = Assert.Single(Spans(Assert.Single(Traces).Body, out _)).Message;
        Assert.Equal("rein panic", panic.Single(f => f.Number == 5).Text);
    }

    [Fact]
    public void Time_spent_waiting_for_the_journal_counts_against_the_metrics_budget()
    {
        // Another process holds the journal's write lock: the export reads what it ships without it, but the
        // metrics totals wait for it (2.5 s here), well past the 1 s budget. Then the metrics are not sent
        // with a budget taken before the wait (the export would overrun its --timeout by the wait).
        using (JournalStore.Open(Home)) { }
        using var holder = new SqliteConnection(
            new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(Home, JournalStore.FileName),
                Pooling = false,
            }.ToString()
        );
        holder.Open();
        using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();
        }

        using var export = ReinProcess.Start(["export", "otlp", "--timeout", "1s"], Env());
        Thread.Sleep(TimeSpan.FromSeconds(2.5));
        using (var end = holder.CreateCommand())
        {
            end.CommandText = "ROLLBACK;";
            end.ExecuteNonQuery();
        }

        var r = export.Wait(TimeSpan.FromSeconds(30));
        Assert.True(r.ExitCode == 1, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Contains("budget ran out before the metrics", r.Stderr);
        Assert.DoesNotContain(_receiver.Requests, q => q.Path == "/v1/metrics");
    }

    [Fact]
    public void Per_signal_headers_go_only_to_their_own_signal_and_the_general_ones_to_both()
    {
        (OtlpReceiver.Request Traces, OtlpReceiver.Request Metrics) Export(
            params (string Key, string Value)[] headers
        )
        {
            Assert.Equal(0, ReinProcess.Run(RunArgs([], "exit", "0"), HomeEnv()).ExitCode);
            var before = _receiver.Requests.Count;
            var r = ReinProcess.Run(["export", "otlp"], Env(headers));
            Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
            var sent = _receiver.Requests.Skip(before).ToList();
            return (
                sent.Single(q => q.Path == "/v1/traces"),
                sent.Single(q => q.Path == "/v1/metrics")
            );
        }

        var (traces, metrics) = Export(
            ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-traces=t1"),
            ("OTEL_EXPORTER_OTLP_METRICS_HEADERS", "x-metrics=m1"),
            ("OTEL_EXPORTER_OTLP_HEADERS", "x-both=b1")
        );
        Assert.Equal("t1", traces.Headers.GetValueOrDefault("x-traces"));
        Assert.False(traces.Headers.ContainsKey("x-metrics"));
        Assert.Equal("m1", metrics.Headers.GetValueOrDefault("x-metrics"));
        Assert.False(metrics.Headers.ContainsKey("x-traces"));

        // A traces-only token never goes to the metrics endpoint.
        (traces, metrics) = Export(("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-traces=t2"));
        Assert.Equal("t2", traces.Headers.GetValueOrDefault("x-traces"));
        Assert.False(metrics.Headers.ContainsKey("x-traces"));

        (traces, metrics) = Export(("OTEL_EXPORTER_OTLP_HEADERS", "x-both=b3"));
        Assert.Equal("b3", traces.Headers.GetValueOrDefault("x-both"));
        Assert.Equal("b3", metrics.Headers.GetValueOrDefault("x-both"));
    }

    [Fact]
    public void The_collectors_status_line_reaches_the_terminal_without_its_control_bytes()
    {
        Runs();
        _receiver.Status = 500;
        _receiver.Reason = "bad\u001b[31mred\u0007\u007f";
        var r = ReinProcess.Run(["export", "otlp"], Env());

        Assert.Equal(1, r.ExitCode);
        Assert.DoesNotContain('\u001b', r.Stderr);
        Assert.DoesNotContain('\u0007', r.Stderr);
        Assert.Contains("'HTTP/1.1 500 bad?[31mred??'", r.Stderr);
        var doctor = ReinProcess.Run(["doctor"], HomeEnv());
        Assert.DoesNotContain('\u001b', doctor.Stdout + doctor.Stderr);
        Assert.Contains("bad?[31mred", doctor.Stdout);
    }

    [Theory]
    [InlineData("60d")]
    [InlineData("inf")]
    public void A_huge_timeout_is_a_long_budget_not_a_crash(string timeout)
    {
        Runs();
        var r = ReinProcess.Run(["export", "otlp", "--timeout", timeout], Env());

        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Equal("", r.Stderr);
        Assert.Contains("shipped 2 run(s)", r.Stdout);
        Assert.Single(_receiver.Requests, q => q.Path == "/v1/metrics");
    }

    [Fact]
    public void An_https_collector_at_run_end_leaves_the_run_alone_and_rein_doctor_warns()
    {
        var env = HomeEnv(
            ("OTEL_EXPORTER_OTLP_ENDPOINT", $"https://127.0.0.1:{_receiver.Port}"),
            ("REIN_TELEMETRY_AT_RUN_END", "5s")
        );
        var r = ReinProcess.Run(RunArgs([], "exit", "3"), env);

        Assert.Equal(3, r.ExitCode);
        Assert.Equal("", r.Stderr); // said where someone looks, not on every run's stderr
        Assert.Empty(_receiver.Requests);
        var finding = ExportsFinding();
        Assert.Equal("warn", finding.GetProperty("severity").GetString());
        Assert.Contains("https:// is not supported", finding.GetProperty("summary").GetString());
    }

    void IDisposable.Dispose()
    {
        _receiver.Dispose();
        base.Dispose();
    }
}
