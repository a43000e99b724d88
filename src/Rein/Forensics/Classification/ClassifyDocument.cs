namespace Rein.Forensics.Classification;

/// <summary><c>rein.classify/1</c>: what <c>rein classify</c> read and the failure it found (null: nothing matched,
/// or the exit status given was a success). Field by field in docs/schemas.md.</summary>
public sealed record ClassifyDocument(string Input, long BytesRead, int? Exit, RunFailure? Failure)
{
    [System.Text.Json.Serialization.JsonPropertyOrder(-1)]
    public string Schema { get; init; } = "rein.classify/1";
}
