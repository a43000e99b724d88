namespace Rein.Export.Otlp;

/// <summary>Where and how to send, from OpenTelemetry's standard variables (the exporter specification's names) and
/// rein's own settings. Signal-specific variables win over general ones, as the specification says.</summary>
public sealed record OtlpSettings(
    Uri TracesEndpoint,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    IReadOnlyList<KeyValuePair<string, object>> Resource
)
{
    /// <summary>Where metrics go: <c>OTEL_EXPORTER_OTLP_METRICS_ENDPOINT</c>, else the base endpoint + /v1/metrics;
    /// null when only a traces endpoint was named.</summary>
    public Uri? MetricsEndpoint { get; init; }

    /// <summary>The headers of the metrics requests: <c>OTEL_EXPORTER_OTLP_METRICS_HEADERS</c>, else the general
    /// ones (a traces-only token never goes to the metrics endpoint).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> MetricsHeaders { get; init; } = [];

    /// <summary>The settings for <paramref name="baseEndpoint"/> (…:4318; /v1/traces and /v1/metrics are added) or,
    /// when null, for <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c> / <c>_METRICS_ENDPOINT</c> (used as they are) or
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> (+ /v1/SIGNAL). Null when no traces endpoint is named.</summary>
    /// <exception cref="FormatException">An endpoint that is not an http URL, or a malformed header.</exception>
    public static OtlpSettings? Resolve(string? baseEndpoint, Func<string, string?> env)
    {
        string? Var(string name) => env(name) is { Length: > 0 } v ? v.Trim() : null;

        Uri? endpoint = null;
        Uri? metrics = null;
        if (baseEndpoint is { Length: > 0 })
        {
            endpoint = Signal(Parse(baseEndpoint), "traces");
            metrics = Signal(Parse(baseEndpoint), "metrics");
        }
        else
        {
            var general = Var("OTEL_EXPORTER_OTLP_ENDPOINT") is { } g ? Parse(g) : null;
            endpoint =
                Var("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") is { } traces ? Parse(traces)
                : general is not null ? Signal(general, "traces")
                : null;
            metrics =
                Var("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT") is { } m ? Parse(m)
                : general is not null ? Signal(general, "metrics")
                : null;
        }

        if (endpoint is null)
        {
            return null;
        }

        var headers = HeaderList(
            Var("OTEL_EXPORTER_OTLP_TRACES_HEADERS") ?? Var("OTEL_EXPORTER_OTLP_HEADERS")
        );
        var metricsHeaders = HeaderList(
            Var("OTEL_EXPORTER_OTLP_METRICS_HEADERS") ?? Var("OTEL_EXPORTER_OTLP_HEADERS")
        );

        var resource = new List<KeyValuePair<string, object>>();
        foreach (var (k, v) in Pairs(Var("OTEL_RESOURCE_ATTRIBUTES"), "resource attribute"))
        {
            resource.Add(new(k, v));
        }

        var service = Var("OTEL_SERVICE_NAME");
        resource.RemoveAll(a => a.Key == "service.name" && service is not null);
        if (!resource.Any(a => a.Key == "service.name"))
        {
            resource.Add(new("service.name", service ?? "rein"));
        }

        if (!resource.Any(a => a.Key == "host.name"))
        {
            resource.Add(new("host.name", Environment.MachineName));
        }

        resource.Add(new("service.version", ReinVersion.Text));
        return new OtlpSettings(endpoint, headers, resource)
        {
            MetricsEndpoint = metrics,
            MetricsHeaders = metricsHeaders,
        };
    }

    static List<KeyValuePair<string, string>> HeaderList(string? text)
    {
        var headers = Pairs(text, "header").ToList();
        foreach (var (k, v) in headers)
        {
            if (k.Any(c => c <= ' ' || c == ':' || c > '~') || v.Any(char.IsControl))
            {
                throw new FormatException($"the OTLP header '{k}' cannot be sent as it is");
            }
        }

        return headers;
    }

    static Uri Parse(string text)
    {
        if (
            !Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https")
        )
        {
            throw new FormatException($"'{text}' is not an http:// URL");
        }

        return uri;
    }

    static Uri Signal(Uri baseUri, string signal) =>
        new(baseUri.AbsoluteUri.TrimEnd('/') + "/v1/" + signal);

    /// <summary>"k1=v1,k2=v2" with percent-encoded values (the W3C Baggage form the specification uses).</summary>
    static IEnumerable<KeyValuePair<string, string>> Pairs(string? text, string what)
    {
        if (text is null)
        {
            yield break;
        }

        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = item.IndexOf('=');
            if (eq <= 0)
            {
                throw new FormatException($"the {what} '{item.Trim()}' is not key=value");
            }

            yield return new(
                Uri.UnescapeDataString(item[..eq].Trim()),
                Uri.UnescapeDataString(item[(eq + 1)..].Trim())
            );
        }
    }
}
