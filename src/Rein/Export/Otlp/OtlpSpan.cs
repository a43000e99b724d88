namespace Rein.Export.Otlp;

/// <summary>One span as OTLP carries it (opentelemetry/proto trace/v1): only what Rein sends.</summary>
public sealed record OtlpSpan(
    byte[] TraceId,
    byte[] SpanId,
    string Name,
    DateTimeOffset Start,
    DateTimeOffset End,
    IReadOnlyList<KeyValuePair<string, object>> Attributes,
    IReadOnlyList<OtlpEvent> Events,
    bool Error,
    string? StatusMessage
);

/// <summary>A timed event inside a span (a restart, an unkillable process).</summary>
public sealed record OtlpEvent(
    string Name,
    DateTimeOffset At,
    IReadOnlyList<KeyValuePair<string, object>> Attributes
);
