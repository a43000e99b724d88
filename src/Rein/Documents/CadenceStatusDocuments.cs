using Rein.Cadence;
using Rein.Config;

namespace Rein.Documents;

/// <summary>The <c>rein.cadence.status/1</c> document (<c>rein cadence status --json</c>): the cadence settings in
/// force, the model families with a floor, what is blocked now and the loads recorded.</summary>
public sealed record CadenceStatusDocument(
    string Schema,
    DateTimeOffset Now,
    IReadOnlyList<CadenceSettingDocument> Settings,
    IReadOnlyList<CadenceFamilyDocument> Families,
    IReadOnlyList<CadenceBlockDocument> Blocks,
    IReadOnlyList<CadenceLoadDocument> Loads
)
{
    public const string SchemaName = "rein.cadence.status/1";

    public static CadenceStatusDocument From(
        EffectiveConfig config,
        IEnumerable<SettingDefinition> shown,
        CadencePolicy policy,
        CadenceSnapshot s
    ) =>
        new(
            SchemaName,
            s.Now,
            [
                .. shown.Select(d => new CadenceSettingDocument(
                    d.Key,
                    config[d].Raw,
                    config[d].Source.Kind.ToString().ToLowerInvariant(),
                    config[d].Source.Where
                )),
            ],
            [
                .. policy.Families.Select(f => new CadenceFamilyDocument(
                    f.Name,
                    f.Vendors,
                    f.Pattern,
                    f.Floor.TotalSeconds,
                    f.Source
                )),
            ],
            [
                .. s.Windows.Select(b => new CadenceBlockDocument(
                    b.Scope,
                    CadenceBlock.RuleName(b.Rule),
                    b.Family?.Name,
                    b.After.Model,
                    b.After.Token,
                    b.Until,
                    Math.Ceiling((b.Until - s.Now).TotalSeconds)
                )),
            ],
            [
                .. s.Loads.Select(l => new CadenceLoadDocument(
                    l.Model,
                    l.Token,
                    l.Pid,
                    l.Command,
                    l.StartedAt,
                    l.SeenAt,
                    l.ReleasedAt,
                    l.Running ? "running" : l.Release ?? "released"
                )),
            ]
        );
}

/// <summary>A cadence setting as <c>rein.config/1</c> shows it, without its variable and description.</summary>
public sealed record CadenceSettingDocument(string Key, string Value, string Source, string Where);

public sealed record CadenceFamilyDocument(
    string Name,
    IReadOnlyList<string> Vendors,
    string Pattern,
    double FloorS,
    string Source
);

public sealed record CadenceBlockDocument(
    string Scope,
    string Rule,
    string? Family,
    string AfterModel,
    string AfterToken,
    DateTimeOffset Until,
    double RemainingS
);

public sealed record CadenceLoadDocument(
    string Model,
    string Token,
    int Pid,
    string? Command,
    DateTimeOffset StartedAt,
    DateTimeOffset SeenAt,
    DateTimeOffset? ReleasedAt,
    string State
);
