using Rein.Running.Gates;

namespace Rein.Documents;

/// <summary>The <c>rein.cadence/1</c> document (<c>rein cadence acquire|check --json</c>): whether the models may
/// load now, the token an acquire marked, and the refusal when not.</summary>
public sealed record CadenceDocument(
    string Schema,
    string Action,
    IReadOnlyList<string> Models,
    bool Clear,
    string? Token,
    Refusal? Refusal
)
{
    public const string SchemaName = "rein.cadence/1";

    public static CadenceDocument From(
        string action,
        IReadOnlyList<string> models,
        Refusal? refusal,
        string? token
    ) => new(SchemaName, action, models, refusal is null, token, refusal);
}
