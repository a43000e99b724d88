using Rein.Config;

namespace Rein.Forensics.Classification;

/// <summary>
/// The classifier's rules, in the order they are tried: the user's (<c>[[classify.rule]]</c> in rein.toml, the
/// repository's file before the user's), then the built-in ones (BuiltInRules.toml, embedded), most specific first.
/// A user rule with a built-in rule's id replaces it. User rules are checked when the configuration is loaded (a
/// bad one is a one-line error naming its file and id); the built-in ones are parsed only when a run fails.
/// </summary>
public sealed class ClassificationRules
{
    public const string ConfigKey = "classify.rule";

    static readonly Lazy<IReadOnlyList<ClassificationRule>> BuiltInRules = new(LoadBuiltIn);

    readonly IReadOnlyList<ClassificationRule> _user;
    IReadOnlyList<ClassificationRule>? _all;

    ClassificationRules(IReadOnlyList<ClassificationRule> user) => _user = user;

    public static ClassificationRules BuiltIn { get; } = new([]);

    /// <exception cref="ConfigException">A <c>[[classify.rule]]</c> is invalid.</exception>
    public static ClassificationRules FromConfig(EffectiveConfig config) =>
        From(config.Tables(ConfigKey));

    /// <exception cref="ConfigException">A rule is invalid.</exception>
    public static ClassificationRules From(IEnumerable<ConfigTable> userTables)
    {
        var rules = new List<ClassificationRule>();
        var where = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var t in userTables)
        {
            var rule = RuleParser.Parse(t);
            // Two rules with one id: which one a run uses would depend on file order, silently.
            if (!where.TryAdd(rule.Id, t.Source.Where))
            {
                throw new ConfigException(
                    $"{t.Source.Where}: [[{ConfigKey}]] '{rule.Id}' is defined twice (also in {where[rule.Id]}): give each rule its own id"
                );
            }

            rules.Add(rule);
        }

        return new(rules);
    }

    /// <summary>Every rule in the order they are tried (certain ones first among equals: see the classifier).</summary>
    public IReadOnlyList<ClassificationRule> All =>
        _all ??= [
            .. _user,
            .. BuiltInRules.Value.Where(b =>
                !_user.Any(u => string.Equals(u.Id, b.Id, StringComparison.Ordinal))
            ),
        ];

    static IReadOnlyList<ClassificationRule> LoadBuiltIn()
    {
        const string name = "Rein.Forensics.Classification.BuiltInRules.toml";
        using var stream =
            typeof(ClassificationRules).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the built-in rules ({name}) are missing");
        using var reader = new StreamReader(stream);
        return RuleParser.ParseFile(reader.ReadToEnd(), "built-in classification rules");
    }
}
