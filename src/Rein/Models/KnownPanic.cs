using Rein.Config;

namespace Rein.Models;

/// <summary>A model with a record of kernel panics: the exact id, what happened, the panic signature, the evidence,
/// and safer alternatives.</summary>
public sealed record KnownPanic
{
    public required string Id { get; init; }

    public required string What { get; init; }

    public string? Signature { get; init; }

    public string? Evidence { get; init; }

    public IReadOnlyList<string> Alternatives { get; init; } = [];

    /// <summary><c>built-in</c>, or the rein.toml that added or replaced it.</summary>
    public string Source { get; init; } = "built-in";

    /// <summary>Reads one <c>[[models.known_panic]]</c> entry (<c>id</c> and <c>what</c> are required).</summary>
    public static KnownPanic From(ConfigTable t)
    {
        t.RequireOnly("id", "what", "signature", "evidence", "alternatives");
        return new KnownPanic
        {
            Id = t.Text("id") is { Length: > 0 } id ? id : throw t.Invalid("id", "is missing"),
            What = t.Text("what") is { Length: > 0 } what
                ? what
                : throw t.Invalid("what", "is missing (say what happened)"),
            Signature = t.Text("signature"),
            Evidence = t.Text("evidence"),
            Alternatives = t.Texts("alternatives"),
            Source = t.Source.Kind == ConfigSourceKind.Default ? "built-in" : t.Source.Where,
        };
    }
}
