namespace Rein.Export.Otlp;

/// <summary>Encodes an <c>ExportTraceServiceRequest</c> (opentelemetry/proto, collector/trace/v1): one resource, one
/// instrumentation scope, the spans. Field numbers are the proto files'; the test receiver decodes them back.</summary>
internal static class OtlpTraceEncoder
{
    const int SpanKindInternal = 1;
    const int StatusOk = 1;
    const int StatusError = 2;

    public static byte[] Encode(
        IReadOnlyList<KeyValuePair<string, object>> resource,
        string scopeName,
        string scopeVersion,
        IEnumerable<OtlpSpan> spans
    )
    {
        var resourceMessage = new ProtoWriter();
        foreach (var a in resource)
        {
            resourceMessage.Message(1, KeyValue(a)); // Resource.attributes
        }

        var scope = new ProtoWriter();
        scope.String(1, scopeName); // InstrumentationScope.name
        scope.String(2, scopeVersion); // .version
        var scopeSpans = new ProtoWriter();
        scopeSpans.Message(1, scope); // ScopeSpans.scope
        foreach (var span in spans)
        {
            scopeSpans.Message(2, Span(span)); // ScopeSpans.spans
        }

        var resourceSpans = new ProtoWriter();
        resourceSpans.Message(1, resourceMessage); // ResourceSpans.resource
        resourceSpans.Message(2, scopeSpans); // ResourceSpans.scope_spans
        var request = new ProtoWriter();
        request.Message(1, resourceSpans); // ExportTraceServiceRequest.resource_spans
        return request.ToArray();
    }

    static ProtoWriter Span(OtlpSpan s)
    {
        var w = new ProtoWriter();
        w.Bytes(1, s.TraceId);
        w.Bytes(2, s.SpanId);
        w.String(5, s.Name);
        w.Int(6, SpanKindInternal);
        w.Fixed64(7, UnixNanos(s.Start));
        w.Fixed64(8, UnixNanos(s.End));
        foreach (var a in s.Attributes)
        {
            w.Message(9, KeyValue(a));
        }

        foreach (var e in s.Events)
        {
            var ev = new ProtoWriter();
            ev.Fixed64(1, UnixNanos(e.At)); // Event.time_unix_nano
            ev.String(2, e.Name);
            foreach (var a in e.Attributes)
            {
                ev.Message(3, KeyValue(a));
            }

            w.Message(11, ev);
        }

        var status = new ProtoWriter();
        if (s.StatusMessage is { } message)
        {
            status.String(2, message); // Status.message
        }

        status.Int(3, s.Error ? StatusError : StatusOk); // Status.code
        w.Message(15, status);
        return w;
    }

    internal static ProtoWriter KeyValue(KeyValuePair<string, object> a)
    {
        var kv = new ProtoWriter();
        kv.String(1, a.Key);
        kv.Message(2, AnyValue(a.Value));
        return kv;
    }

    /// <summary>AnyValue: string 1, bool 2, int64 3, double 4, array 5.</summary>
    static ProtoWriter AnyValue(object value)
    {
        var v = new ProtoWriter();
        switch (value)
        {
            case string s:
                v.String(1, s);
                break;
            case bool b:
                v.Int(2, b ? 1 : 0);
                break;
            case int i:
                v.Int(3, i);
                break;
            case long l:
                v.Int(3, l);
                break;
            case double d:
                v.Double(4, d);
                break;
            case string[] items:
                var array = new ProtoWriter();
                foreach (var item in items)
                {
                    array.Message(1, AnyValue(item)); // ArrayValue.values
                }

                v.Message(5, array);
                break;
            default:
                v.String(1, value.ToString() ?? "");
                break;
        }

        return v;
    }

    internal static ulong UnixNanos(DateTimeOffset t) =>
        (ulong)(t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100UL;
}
