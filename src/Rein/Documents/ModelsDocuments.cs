using Rein.Models;

namespace Rein.Documents;

/// <summary>The <c>rein.models.check/1</c> document (<c>rein models check MODEL --json</c>): is the model in the
/// known-panic registry, and the entry when it is.</summary>
public sealed record ModelsCheckDocument(
    string Schema,
    string Model,
    bool Listed,
    ModelsCheckEntry? Entry
)
{
    public const string SchemaName = "rein.models.check/1";

    public static ModelsCheckDocument From(string model, KnownPanic? entry) =>
        new(
            SchemaName,
            model,
            entry is not null,
            entry is null
                ? null
                : new ModelsCheckEntry(
                    entry.Id,
                    entry.What,
                    entry.Signature,
                    entry.Evidence,
                    entry.Alternatives,
                    entry.Source
                )
        );
}

public sealed record ModelsCheckEntry(
    string Id,
    string What,
    string? Signature,
    string? Evidence,
    IReadOnlyList<string> Alternatives,
    string Source
);

/// <summary>The <c>rein.models.estimate/1</c> document (<c>rein models estimate MODEL --json</c>): the memory the
/// model's weights need, how it was reached, and what the fit check wants available.</summary>
public sealed record ModelsEstimateDocument(
    string Schema,
    string Model,
    bool Known,
    long? Bytes,
    double? Parameters,
    string? ParameterToken,
    bool FromSizeWord,
    double BytesPerParameter,
    string? QuantisationToken,
    string Source,
    long? NameBytes,
    WeightsOnDisk? OnDisk,
    long OverheadBytes,
    long? FitNeedsBytes
)
{
    public const string SchemaName = "rein.models.estimate/1";

    public static ModelsEstimateDocument From(ModelEstimate e, long overhead) =>
        new(
            SchemaName,
            e.Model,
            e.Bytes is not null,
            e.Bytes,
            e.Parameters,
            e.ParameterToken,
            e.FromSizeWord,
            e.BytesPerParameter,
            e.QuantisationToken,
            e.Source,
            e.NameBytes,
            e.OnDisk,
            overhead,
            e.Bytes is { } b ? b + overhead : null
        );
}
