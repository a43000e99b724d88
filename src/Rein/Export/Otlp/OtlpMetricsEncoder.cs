namespace Rein.Export.Otlp;

/// <summary>Encodes an <c>ExportMetricsServiceRequest</c> (opentelemetry/proto, collector/metrics/v1) from the totals
/// the journal keeps for every export (<see cref="ExportTotals"/>, shared with the Prometheus export): cumulative
/// monotonic sums for runs, refusals and panics, histograms for run duration and peak memory, a gauge for the runs
/// alive. Cumulative from <c>start</c>, the first metrics export of this journal.</summary>
internal static class OtlpMetricsEncoder
{
    const int Cumulative = 2;

    public static byte[] Encode(
        IReadOnlyList<KeyValuePair<string, object>> resource,
        string scopeVersion,
        MetricsSnapshot snapshot,
        DateTimeOffset start,
        DateTimeOffset now
    )
    {
        var t = snapshot.Totals;
        var scopeMetrics = new ProtoWriter();
        var scope = new ProtoWriter();
        scope.String(1, "rein");
        scope.String(2, scopeVersion);
        scopeMetrics.Message(1, scope);
        scopeMetrics.Message(
            2,
            Sum(
                "rein.runs",
                "finished guarded runs, by outcome",
                "{run}",
                "outcome",
                t.Runs,
                start,
                now
            )
        );
        scopeMetrics.Message(
            2,
            Sum(
                "rein.refusals",
                "runs refused at admission, by reason",
                "{run}",
                "reason",
                t.Refusals,
                start,
                now
            )
        );
        scopeMetrics.Message(
            2,
            Sum(
                "rein.panics",
                "kernel panics on record, by kind",
                "{panic}",
                "kind",
                t.Panics,
                start,
                now
            )
        );
        scopeMetrics.Message(
            2,
            HistogramMetric("rein.run.duration", "how long runs took", "s", t.Duration, start, now)
        );
        scopeMetrics.Message(
            2,
            HistogramMetric(
                "rein.run.peak_memory",
                "the peak memory of a run's tree",
                "By",
                t.PeakMemory,
                start,
                now
            )
        );

        var alive = new ProtoWriter();
        alive.Fixed64(3, Nanos(now)); // NumberDataPoint.time_unix_nano
        alive.Fixed64(6, (ulong)snapshot.RunsAlive); // .as_int (sfixed64)
        var gauge = new ProtoWriter();
        gauge.Message(1, alive);
        var aliveMetric = Metric("rein.runs.alive", "guarded runs alive now", "{run}");
        aliveMetric.Message(5, gauge); // Metric.gauge
        scopeMetrics.Message(2, aliveMetric);

        var resourceMessage = new ProtoWriter();
        foreach (var a in resource)
        {
            resourceMessage.Message(1, OtlpTraceEncoder.KeyValue(a));
        }

        var resourceMetrics = new ProtoWriter();
        resourceMetrics.Message(1, resourceMessage);
        resourceMetrics.Message(2, scopeMetrics);
        var request = new ProtoWriter();
        request.Message(1, resourceMetrics);
        return request.ToArray();
    }

    static ProtoWriter Metric(string name, string description, string unit)
    {
        var m = new ProtoWriter();
        m.String(1, name);
        m.String(2, description);
        m.String(3, unit);
        return m;
    }

    static ProtoWriter Sum(
        string name,
        string description,
        string unit,
        string label,
        IReadOnlyDictionary<string, long> counts,
        DateTimeOffset start,
        DateTimeOffset now
    )
    {
        var sum = new ProtoWriter();
        foreach (var (value, count) in counts)
        {
            var point = new ProtoWriter();
            point.Message(7, OtlpTraceEncoder.KeyValue(new(label, value))); // NumberDataPoint.attributes
            point.Fixed64(2, Nanos(start));
            point.Fixed64(3, Nanos(now));
            point.Fixed64(6, (ulong)count); // .as_int (sfixed64)
            sum.Message(1, point);
        }

        sum.Int(2, Cumulative);
        sum.Int(3, 1); // is_monotonic
        var m = Metric(name, description, unit);
        m.Message(7, sum); // Metric.sum
        return m;
    }

    static ProtoWriter HistogramMetric(
        string name,
        string description,
        string unit,
        Histogram h,
        DateTimeOffset start,
        DateTimeOffset now
    )
    {
        var point = new ProtoWriter();
        point.Fixed64(2, Nanos(start));
        point.Fixed64(3, Nanos(now));
        point.Fixed64(4, (ulong)h.Count);
        point.Double(5, h.Sum);
        point.Packed64(6, h.Counts.Select(c => (ulong)c)); // bucket_counts, per bucket (not cumulative)
        point.Packed64(7, h.Bounds.Select(BitConverter.DoubleToUInt64Bits)); // explicit_bounds
        var histogram = new ProtoWriter();
        histogram.Message(1, point);
        histogram.Int(2, Cumulative);
        var m = Metric(name, description, unit);
        m.Message(9, histogram); // Metric.histogram
        return m;
    }

    static ulong Nanos(DateTimeOffset t) => OtlpTraceEncoder.UnixNanos(t);
}
