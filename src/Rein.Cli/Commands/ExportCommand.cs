using System.CommandLine;
using Rein.Config;
using Rein.Export;
using Rein.Export.Otlp;
using Rein.Running;

namespace Rein.Cli.Commands;

/// <summary><c>rein export prometheus --textfile DIR [--json]</c>: the journal's verdicts as metrics for
/// node_exporter's textfile collector.</summary>
internal static class ExportCommand
{
    public static Command Build()
    {
        var cmd = new Command(
            "export",
            "Export this machine's run verdicts from the journal to the monitoring a team already has. The journal "
                + "is the buffer: run an export on a schedule (cron, a CI job's last step); nothing is lost between."
        )
        {
            Prometheus(),
            Otlp(),
        };
        return cmd;
    }

    static Command Otlp()
    {
        var endpoint = new Option<string?>("--endpoint")
        {
            Description =
                "The collector's OTLP/HTTP base URL (http://HOST:4318); default: OTEL_EXPORTER_OTLP_ENDPOINT, "
                + "then telemetry.endpoint in rein.toml",
            HelpName = "URL",
        };
        var timeout = new Option<string>("--timeout")
        {
            Description = "The whole export's budget",
            HelpName = "DUR",
            DefaultValueFactory = _ => "10s",
        };
        var since = new Option<string?>("--since")
        {
            Description =
                "How far back a journal's first export looks (default 1d); later exports go on from "
                + "where the last one stopped",
            HelpName = "DUR",
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document (schema rein.export.otlp/1)",
        };
        var cmd = new Command(
            "otlp",
            "Ship finished runs to an OpenTelemetry collector over OTLP/HTTP (protobuf): one span per run with its "
                + "outcome, exit code, signal, duration, peak memory, cap, lock, model, refusal and supervision. "
                + "Never an environment value, and no command line unless telemetry.command_lines = true (the "
                + "program's name and a hash of the arguments instead). The journal is the buffer: a run counts as "
                + "shipped once the collector accepted it, so a collector that is down loses nothing. Headers and "
                + "the resource follow OTEL_EXPORTER_OTLP_HEADERS, OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES. "
                + "Exit 0 when everything shipped, 1 when runs stay queued, 2 when no collector is configured.\n\n"
                + "Examples:\n  OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 rein export otlp\n"
                + "  rein export otlp --endpoint http://collector:4318 --since 7d --json\n"
                + "  a CI job's last step: rein export otlp || true"
        )
        {
            endpoint,
            timeout,
            since,
            json,
        };
        cmd.SetAction(parse =>
        {
            const string verb = "rein export otlp";
            if (
                !DurationParser.TryParse(parse.GetValue(timeout)!, out var budget, out var bad)
                || budget <= TimeSpan.Zero
            )
            {
                Console.Error.WriteLine($"{verb}: --timeout: {bad ?? "must be more than 0"}");
                return ExitCodes.BadUsage;
            }

            TimeSpan? window = null;
            if (parse.GetValue(since) is { } sinceText)
            {
                if (
                    !DurationParser.TryParse(sinceText, out var w, out var badSince)
                    || w <= TimeSpan.Zero
                )
                {
                    Console.Error.WriteLine(
                        $"{verb}: --since: {badSince ?? "must be more than 0"}"
                    );
                    return ExitCodes.BadUsage;
                }

                window = w;
            }

            EffectiveConfig config;
            try
            {
                config = CliConfig.Load(new Dictionary<string, (string, string)>());
            }
            catch (ConfigException e)
            {
                Console.Error.WriteLine($"{verb}: {e.Message}");
                return ExitCodes.BadUsage;
            }

            OtlpSettings? settings;
            try
            {
                settings =
                    OtlpSettings.Resolve(
                        parse.GetValue(endpoint),
                        Environment.GetEnvironmentVariable
                    )
                    ?? OtlpSettings.Resolve(
                        config.Text(Settings.TelemetryEndpoint),
                        Environment.GetEnvironmentVariable
                    );
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"{verb}: {CommandText.Escape(e.Message)}");
                return ExitCodes.BadUsage;
            }

            if (settings is null)
            {
                Console.Error.WriteLine(
                    $"{verb}: no collector configured: set OTEL_EXPORTER_OTLP_ENDPOINT "
                        + "(e.g. http://localhost:4318), telemetry.endpoint in rein.toml, or --endpoint URL"
                );
                return ExitCodes.BadUsage;
            }

            if (settings.TracesEndpoint.Scheme != "http")
            {
                Console.Error.WriteLine(
                    $"{verb}: {settings.TracesEndpoint.Scheme}:// is not supported: send to a collector on this "
                        + "machine or runner (http://localhost:4318) and let it forward over TLS"
                );
                return ExitCodes.BadUsage;
            }

            if (JournalAccess.Open("export otlp") is not { } store)
            {
                return ExitCodes.Findings;
            }

            OtlpExportResult result;
            using (store)
            {
                JournalAccess.Reconcile(store, JournalAccess.Boot);
                result = OtlpExport.Ship(
                    store,
                    settings,
                    budget,
                    config.Flag(Settings.TelemetryCommandLines),
                    window
                );
            }

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(
                    System.Text.Json.JsonSerializer.Serialize(
                        new Rein.Documents.OtlpExportDocument(
                            "rein.export.otlp/1",
                            result.Endpoint,
                            result.Shipped,
                            result.Queued,
                            result.Error
                        ),
                        Rein.Documents.ReinJsonContext.Readable.OtlpExportDocument
                    )
                );
            }
            else
            {
                Console.Out.WriteLine(
                    $"shipped {result.Shipped} run(s) to {result.Endpoint}"
                        + (result.Queued > 0 ? $"; {result.Queued} stay queued in the journal" : "")
                );
            }

            if (result.Error is { } error)
            {
                Console.Error.WriteLine(
                    $"{verb}: {error}; {result.Queued} run(s) stay in the journal for the next export"
                );
                return ExitCodes.Findings;
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }

    static Command Prometheus()
    {
        var textfile = new Option<string>("--textfile")
        {
            Description =
                "The folder node_exporter's textfile collector reads (--collector.textfile.directory); "
                + "rein writes DIR/rein.prom there, atomically",
            HelpName = "DIR",
            Required = true,
        };
        var json = new Option<bool>("--json")
        {
            Description = "Print one JSON document (schema rein.export.prometheus/1)",
        };
        var cmd = new Command(
            "prometheus",
            "Write rein_* metrics for Prometheus: runs by outcome, refusals by reason, panics, histograms of run "
                + "duration and peak memory, runs alive now. Counters are kept in the journal and grow by each run "
                + "once, however often this runs and after old runs are pruned. Labels are few and fixed: never a "
                + "run id, a command line, a path or an environment value. Exit 0 when written, 1 when the file "
                + "could not be written, 2 when DIR is missing or not a folder.\n\nExamples:\n"
                + "  rein export prometheus --textfile /var/lib/prometheus/node-exporter\n"
                + "  crontab: * * * * * rein export prometheus --textfile ~/.node-exporter\n"
                + "  node_exporter --collector.textfile.directory=/var/lib/prometheus/node-exporter"
        )
        {
            textfile,
            json,
        };
        cmd.SetAction(parse =>
        {
            var dir = parse.GetValue(textfile)!;
            try
            {
                Textfile.Check(dir);
            }
            catch (TextfileException e)
            {
                return Fail(e);
            }

            if (JournalAccess.Open("export prometheus") is not { } store)
            {
                return ExitCodes.Findings;
            }

            using (store)
            {
                JournalAccess.Reconcile(store, JournalAccess.Boot);
                PrometheusExportResult result;
                try
                {
                    result = PrometheusExport.ToTextfile(store, dir);
                }
                catch (TextfileException e)
                {
                    return Fail(e);
                }

                if (parse.GetValue(json))
                {
                    WriteJson(result);
                }
                else
                {
                    var t = result.Snapshot.Totals;
                    Console.Out.WriteLine(
                        $"wrote {CommandText.Escape(result.Path)}: {result.Series} series"
                    );
                    Console.Out.WriteLine(
                        $"{t.Runs.Values.Sum()} run(s) counted ({result.Snapshot.NewlyCounted} new), "
                            + $"{result.Snapshot.RunsAlive} alive now"
                    );
                }
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }

    static int Fail(TextfileException e)
    {
        Console.Error.WriteLine(
            $"rein export prometheus: --textfile {CommandText.Escape(e.Message)}"
        );
        return e.BadPath ? ExitCodes.BadUsage : ExitCodes.Findings;
    }

    static void WriteJson(PrometheusExportResult result) =>
        Rendering.DocumentOutput.Print(
            Rein.Documents.PrometheusExportDocument.From(result),
            Rein.Documents.ReinJsonContext.Readable.PrometheusExportDocument
        );
}
