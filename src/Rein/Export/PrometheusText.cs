using System.Globalization;
using System.Text;

namespace Rein.Export;

/// <summary>Renders a <see cref="MetricsSnapshot"/> in Prometheus's text exposition format (version 0.0.4), as
/// node_exporter's textfile collector reads it: HELP and TYPE before each family, labels few and fixed (outcome,
/// refusal reason, panic kind; never a run id, a command or a path), one trailing newline.</summary>
public static class PrometheusText
{
    public static string Render(MetricsSnapshot snapshot)
    {
        var t = snapshot.Totals;
        var s = new StringBuilder();
        Family(
            s,
            "rein_runs_total",
            "counter",
            "Guarded runs that finished, by outcome (exited: the command's own exit, any code; refused: admission "
                + "said no, nothing ran; unclean: the guard vanished before recording the end)."
        );
        foreach (var (outcome, n) in t.Runs)
        {
            s.Append("rein_runs_total{outcome=\"")
                .Append(Escape(outcome))
                .Append("\"} ")
                .Append(n)
                .Append('\n');
        }

        Family(
            s,
            "rein_refusals_total",
            "counter",
            "Runs admission refused to start, by reason (the refusal code: lock_busy, retry_breaker, memory_low, ...)."
        );
        foreach (var (reason, n) in t.Refusals)
        {
            s.Append("rein_refusals_total{reason=\"")
                .Append(Escape(reason))
                .Append("\"} ")
                .Append(n)
                .Append('\n');
        }

        Family(
            s,
            "rein_panics_total",
            "counter",
            "Kernel panics in rein's panic ledger, by kind (report: the OS reported it; suspected: a --model run was "
                + "alive when the machine went down)."
        );
        foreach (var (kind, n) in t.Panics)
        {
            s.Append("rein_panics_total{kind=\"")
                .Append(Escape(kind))
                .Append("\"} ")
                .Append(n)
                .Append('\n');
        }

        Histogram(
            s,
            "rein_run_duration_seconds",
            "Wall-clock duration of guarded runs that started (refused runs excluded).",
            t.Duration
        );
        Histogram(
            s,
            "rein_run_peak_memory_bytes",
            "Peak memory of a run's whole process tree, as rein's guard measured it (runs never measured excluded).",
            t.PeakMemory
        );
        Family(
            s,
            "rein_runs_alive",
            "gauge",
            "Guarded runs running now (started, not ended, guard alive)."
        );
        s.Append("rein_runs_alive ").Append(snapshot.RunsAlive).Append('\n');
        return s.ToString();
    }

    static void Family(StringBuilder s, string name, string type, string help) =>
        s.Append("# HELP ")
            .Append(name)
            .Append(' ')
            .Append(EscapeHelp(help))
            .Append('\n')
            .Append("# TYPE ")
            .Append(name)
            .Append(' ')
            .Append(type)
            .Append('\n');

    static void Histogram(StringBuilder s, string name, string help, Histogram h)
    {
        Family(s, name, "histogram", help);
        var i = 0;
        foreach (var cumulative in h.Cumulative())
        {
            var le = i < h.Bounds.Count ? Number(h.Bounds[i]) : "+Inf";
            s.Append(name)
                .Append("_bucket{le=\"")
                .Append(le)
                .Append("\"} ")
                .Append(cumulative)
                .Append('\n');
            i++;
        }

        s.Append(name).Append("_sum ").Append(Number(h.Sum)).Append('\n');
        s.Append(name).Append("_count ").Append(h.Count).Append('\n');
    }

    /// <summary>A float as Prometheus (Go's ParseFloat) reads it: shortest round-trip form, invariant culture.</summary>
    internal static string Number(double v) =>
        double.IsPositiveInfinity(v) ? "+Inf"
        : double.IsNegativeInfinity(v) ? "-Inf"
        : double.IsNaN(v) ? "NaN"
        : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A label value: backslash, double quote and line feed escaped, as the format requires.</summary>
    internal static string Escape(string value) =>
        value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    /// <summary>HELP text: backslash and line feed escaped.</summary>
    static string EscapeHelp(string value) => value.Replace("\\", "\\\\").Replace("\n", "\\n");
}
