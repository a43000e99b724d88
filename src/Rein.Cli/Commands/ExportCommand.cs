using System.CommandLine;
using System.Text.Json;
using Rein.Export;
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
        };
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

    static void WriteJson(PrometheusExportResult result)
    {
        var t = result.Snapshot.Totals;
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, JsonOutput.Options()))
        {
            w.WriteStartObject();
            w.WriteString("schema", "rein.export.prometheus/1");
            w.WriteString("file", result.Path);
            w.WriteNumber("series", result.Series);
            w.WriteNumber("newly_counted", result.Snapshot.NewlyCounted);
            w.WriteNumber("runs_alive", result.Snapshot.RunsAlive);
            Counts(w, "runs_total", t.Runs);
            Counts(w, "refusals_total", t.Refusals);
            Counts(w, "panics_total", t.Panics);
            w.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
    }

    static void Counts(
        Utf8JsonWriter w,
        string name,
        IEnumerable<KeyValuePair<string, long>> counts
    )
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in counts)
        {
            w.WriteNumber(k, v);
        }

        w.WriteEndObject();
    }
}
