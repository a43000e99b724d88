using System.Text.RegularExpressions;
using Rein.Config;
using Tomlyn;
using Tomlyn.Model;

namespace Rein.Forensics.Classification;

/// <summary>Reads classification rules from TOML tables (the embedded built-ins and rein.toml's
/// <c>[[classify.rule]]</c>) through Tomlyn's model API: no reflection, NativeAOT-safe.</summary>
internal static partial class RuleParser
{
    static readonly string[] Fields =
    [
        "id",
        "class",
        "hint",
        "advice",
        "title",
        "applies",
        "match",
        "regex",
        "certain",
        "detail",
    ];

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex SnakeCase();

    /// <summary>A whole rules file: <c>[[rule]]</c> entries.</summary>
    public static IReadOnlyList<ClassificationRule> ParseFile(string text, string where)
    {
        TomlTable table;
        try
        {
            table = TomlSerializer.Deserialize<TomlTable>(text, ReinTomlContext.Default)!;
        }
        catch (TomlException e)
        {
            throw new ConfigException($"{where} is not valid TOML: {e.Message.Split('\n')[0]}");
        }

        if (!table.TryGetValue("rule", out var rules))
        {
            return [];
        }

        return
        [
            .. ConfigTable
                .From(ConfigKey, rules, where, new ConfigSource(ConfigSourceKind.Default, where))
                .Select(Parse),
        ];
    }

    const string ConfigKey = ClassificationRules.ConfigKey;

    /// <exception cref="ConfigException">The rule is invalid: the message names its file and id.</exception>
    public static ClassificationRule Parse(ConfigTable t)
    {
        if (t.Fields.TryGetValue("id", out var rawId) && rawId is not string)
        {
            throw new ConfigException($"{t.Source.Where}: a [[{ConfigKey}]] 'id' must be a string");
        }

        var id = t.Text("id");
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ConfigException($"{t.Source.Where}: a [[{ConfigKey}]] has no 'id'");
        }

        ConfigException Bad(string problem) =>
            new($"{t.Source.Where}: [[{ConfigKey}]] '{id}': {problem}");

        foreach (var name in t.Fields.Keys)
        {
            if (!Fields.Contains(name))
            {
                throw Bad($"unknown field '{name}' (known: {string.Join(", ", Fields)})");
            }
        }

        foreach (var (name, value) in t.Fields)
        {
            if (name != "certain" && value is not string)
            {
                throw Bad($"'{name}' must be a string (in quotes)");
            }
        }

        string Required(string name) =>
            t.Text(name) is { Length: > 0 } v ? v : throw Bad($"'{name}' is missing");

        string Identifier(string name)
        {
            var v = Required(name);
            return SnakeCase().IsMatch(v)
                ? v
                : throw Bad($"'{name}' must be snake_case (e.g. cuda_oom), not '{v}'");
        }

        var cls = Identifier("class");
        var hint = Identifier("hint");
        var advice = Required("advice");
        var scope = t.Text("applies") switch
        {
            null or "output" => RuleScope.Output,
            "kernel" => RuleScope.Kernel,
            "exit" => RuleScope.Exit,
            var other => throw Bad($"'applies' must be output, kernel or exit, not '{other}'"),
        };
        var certain = t.Fields.TryGetValue("certain", out var c)
            ? c as bool? ?? throw Bad("'certain' must be true or false")
            : false;

        var substring = t.Text("match");
        var pattern = t.Text("regex");
        if ((substring is null) == (pattern is null))
        {
            throw Bad("give exactly one of 'match' (a substring) or 'regex'");
        }

        if (substring is { Length: 0 })
        {
            throw Bad("'match' is empty (it would match every line)");
        }

        return new ClassificationRule
        {
            Id = id,
            Class = cls,
            Hint = hint,
            Advice = advice,
            Title = t.Text("title") ?? cls,
            Scope = scope,
            Certain = certain,
            Substring = substring,
            Regex = pattern is null ? null : Valid(pattern, "regex"),
            Detail = t.Text("detail") is { } d ? Valid(d, "detail") : null,
        };

        string Valid(string p, string field)
        {
            try
            {
                ClassificationRule.Validate(p);
                return p;
            }
            catch (ArgumentException e)
            {
                throw Bad($"'{field}' is not a valid regex: {e.Message.Split('\n')[0]}");
            }
        }
    }
}
