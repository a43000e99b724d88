using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Rein.Tests.Running;
using Rein.Tests.Support;

namespace Rein.Tests.Export;

/// <summary>The real engines: guarded runs happen, <c>rein export prometheus</c> writes, node_exporter (Debian's
/// prometheus-node-exporter) serves the textfile, Prometheus scrapes it every second, and its HTTP API returns the
/// expected series. Both run on loopback ports in temporary folders and are stopped whatever happens.</summary>
public sealed class PrometheusEndToEndTests : RunTestBase
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Prometheus_scrapes_rein_metrics_from_node_exporter_with_the_right_values()
    {
        var nodeExporter = Which("prometheus-node-exporter", "node_exporter");
        var prometheus = Which("prometheus");
        const string why =
            "needs Prometheus and node_exporter on PATH (Debian: apt-get install prometheus prometheus-node-exporter)";
        // .ci/run installs them and sets REIN_REQUIRE_PROMETHEUS=1: there a missing engine is a failure, not a skip.
        Assert.False(
            (nodeExporter is null || prometheus is null)
                && Environment.GetEnvironmentVariable("REIN_REQUIRE_PROMETHEUS") == "1",
            why
        );
        Assert.SkipWhen(nodeExporter is null || prometheus is null, why);

        var textfile = Directory.CreateDirectory(Path.Combine(Scratch, "textfile")).FullName;
        var storage = Directory.CreateDirectory(Path.Combine(Scratch, "tsdb")).FullName;
        var nodePort = FreePort();
        var promPort = FreePort();
        var config = Path.Combine(Scratch, "prometheus.yml");
        File.WriteAllText(
            config,
            $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: rein-e2e
                static_configs:
                  - targets: ["127.0.0.1:{nodePort}"]
            """
        );

        using var node = Engine.Start(
            nodeExporter!,
            [
                "--collector.disable-defaults",
                "--collector.textfile",
                $"--collector.textfile.directory={textfile}",
                $"--web.listen-address=127.0.0.1:{nodePort}",
            ]
        );
        using var prom = Engine.Start(
            prometheus!,
            [
                $"--config.file={config}",
                $"--storage.tsdb.path={storage}",
                $"--web.listen-address=127.0.0.1:{promPort}",
            ]
        );

        // One ok run, one that times out, with this test's own journal.
        Assert.Equal(0, ReinProcess.Run(RunArgs([], "exit", "0"), HomeEnv()).ExitCode);
        Assert.Equal(
            124,
            ReinProcess.Run(RunArgs(["--timeout", "300ms"], "hang"), HomeEnv()).ExitCode
        );
        Export(textfile);

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var api = $"http://127.0.0.1:{promPort}/api/v1/query?query=";
        async Task Expect(string query, string value)
        {
            var deadline = DateTime.UtcNow + Patience;
            var last = "(no answer)";
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    last = await http.GetStringAsync(
                        api + Uri.EscapeDataString(query),
                        TestContext.Current.CancellationToken
                    );
                    var result = JsonDocument
                        .Parse(last)
                        .RootElement.GetProperty("data")
                        .GetProperty("result");
                    if (
                        result.GetArrayLength() == 1
                        && result[0].GetProperty("value")[1].GetString() == value
                    )
                    {
                        return;
                    }
                }
                catch (HttpRequestException e)
                {
                    last = e.Message; // Prometheus still starting
                }

                await Task.Delay(250, TestContext.Current.CancellationToken);
            }

            Assert.Fail(
                $"{query} never became {value} within {Patience.TotalSeconds}s; last answer: {last}\n"
                    + $"node_exporter: {node.Log}\nprometheus: {prom.Log}"
            );
        }

        await Expect("rein_runs_total{outcome=\"exited\",job=\"rein-e2e\"}", "1");
        await Expect("rein_runs_total{outcome=\"timed_out\"}", "1");
        await Expect("rein_runs_total{outcome=\"refused\"}", "0");
        await Expect("rein_run_duration_seconds_count", "2");
        await Expect("rein_run_duration_seconds_bucket{le=\"+Inf\"}", "2");
        await Expect("rein_run_peak_memory_bytes_count", "2");
        await Expect("rein_runs_alive", "0");
        await Expect("rein_panics_total{kind=\"report\"}", "0");
        // The textfile parsed without error (node_exporter reports a bad file here).
        await Expect("node_textfile_scrape_error", "0");

        // Only the fixed labels reach Prometheus: no run id, command or path.
        var series = await http.GetStringAsync(
            $"http://127.0.0.1:{promPort}/api/v1/series?match[]={Uri.EscapeDataString("{__name__=~\"rein_.*\"}")}",
            TestContext.Current.CancellationToken
        );
        var labels = JsonDocument
            .Parse(series)
            .RootElement.GetProperty("data")
            .EnumerateArray()
            .SelectMany(s => s.EnumerateObject().Select(p => p.Name))
            .ToHashSet();
        Assert.Subset(
            new HashSet<string>
            {
                "__name__",
                "instance",
                "job",
                "outcome",
                "reason",
                "kind",
                "le",
            },
            labels
        );
        Assert.DoesNotContain(Marker, series);

        // A later run and export: the counter grows by one, as Prometheus sees it.
        Assert.Equal(0, ReinProcess.Run(RunArgs([], "exit", "0"), HomeEnv()).ExitCode);
        Export(textfile);
        await Expect("rein_runs_total{outcome=\"exited\"}", "2");
        await Expect("rein_run_duration_seconds_count", "3");
    }

    void Export(string textfile)
    {
        var r = ReinProcess.Run(["export", "prometheus", "--textfile", textfile], HomeEnv());
        Assert.True(r.ExitCode == 0, $"rein export prometheus exited {r.ExitCode}: {r.Stderr}");
    }

    static string? Which(params string[] names) =>
        names
            .SelectMany(n =>
                (Environment.GetEnvironmentVariable("PATH") ?? "")
                    .Split(':', StringSplitOptions.RemoveEmptyEntries)
                    .Select(d => Path.Combine(d, n))
            )
            .FirstOrDefault(File.Exists);

    /// <summary>A loopback port free right now (the engine binds it a moment later; a clash fails loudly in its log).</summary>
    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>A server process for the test's lifetime: its output kept for failure messages, killed on Dispose.</summary>
    sealed class Engine : IDisposable
    {
        readonly Process _process;
        readonly StringBuilder _log = new();

        Engine(Process process) => _process = process;

        public string Log
        {
            get
            {
                lock (_log)
                {
                    var text = _log.ToString();
                    return text.Length > 2000 ? text[^2000..] : text;
                }
            }
        }

        public static Engine Start(string file, IEnumerable<string> args)
        {
            var psi = new ProcessStartInfo(file)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            var engine = new Engine(new Process { StartInfo = psi });
            engine._process.OutputDataReceived += (_, e) => engine.Append(e.Data);
            engine._process.ErrorDataReceived += (_, e) => engine.Append(e.Data);
            engine._process.Start();
            engine._process.BeginOutputReadLine();
            engine._process.BeginErrorReadLine();
            return engine;
        }

        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_log)
            {
                _log.AppendLine(line);
            }
        }

        public void Dispose()
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }

            _process.Dispose();
        }
    }
}
