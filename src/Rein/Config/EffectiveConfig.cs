using System.Globalization;
using Tomlyn;
using Tomlyn.Model;

namespace Rein.Config;

/// <summary>
/// Resolves every setting with one precedence: command-line flag &gt; <c>REIN_*</c> environment &gt;
/// repository <c>rein.toml</c> &gt; user <c>rein.toml</c> &gt; built-in default. An invalid value at any
/// level fails loudly with its source named, even if a higher level would have overridden it: a broken
/// file should never lie in wait for the day the flag is dropped. Files are obeyed only when they are the user's
/// own (G7): a rein.toml that another user owns, or that group or others may write, is ignored and reported in
/// <see cref="Ignored"/> — whoever can write it could otherwise set rein's limits.
/// </summary>
public sealed class EffectiveConfig
{
    readonly Dictionary<string, ResolvedSetting> _values;

    EffectiveConfig(Dictionary<string, ResolvedSetting> values, string? repoFile, string? userFile)
    {
        _values = values;
        RepoFile = repoFile;
        UserFile = userFile;
    }

    /// <summary>The repository rein.toml that was read, if any.</summary>
    public string? RepoFile { get; }

    /// <summary>The user rein.toml that was read, if any.</summary>
    public string? UserFile { get; }

    /// <summary>Files found but not obeyed, and why.</summary>
    public IReadOnlyList<IgnoredConfigFile> Ignored { get; private init; } = [];

    public IEnumerable<ResolvedSetting> All => Settings.All.Select(d => _values[d.Key]);

    public ResolvedSetting this[SettingDefinition d] => _values[d.Key];

    public TimeSpan Duration(SettingDefinition d) => (TimeSpan)_values[d.Key].Value;

    public long Size(SettingDefinition d) => (long)_values[d.Key].Value;

    public long WholeNumber(SettingDefinition d) => (long)_values[d.Key].Value;

    public bool Flag(SettingDefinition d) => (bool)_values[d.Key].Value;

    public string Text(SettingDefinition d) => (string)_values[d.Key].Value;

    /// <summary>Keys whose value is a list of tables (<c>[[cadence.family]]</c>) rather than one setting: read whole
    /// and handed to their owner (the cadence policy, the known-panic registry), which validates them.</summary>
    public static readonly IReadOnlySet<string> TableKeys = new HashSet<string>(
        StringComparer.Ordinal
    )
    {
        "cadence.family",
        "models.known_panic",
        "classify.rule",
    };

    List<ConfigTable> _tables = [];

    /// <summary>The entries of a list of tables (<see cref="TableKeys"/>): the repository file's first, then the
    /// user file's. Their owner decides how entries override each other and built-in ones.</summary>
    public IReadOnlyList<ConfigTable> Tables(string key) => [.. _tables.Where(t => t.Key == key)];

    /// <summary>Loads the configuration.</summary>
    /// <param name="flags">Values given on the command line: setting key → (raw text, flag name).</param>
    /// <param name="environment">Reads an environment variable (null when unset).</param>
    /// <param name="workingDirectory">Where to start looking for the repository's rein.toml.</param>
    /// <param name="userConfigFile">The user's rein.toml path (it need not exist).</param>
    public static EffectiveConfig Load(
        IReadOnlyDictionary<string, (string Raw, string Flag)> flags,
        Func<string, string?> environment,
        string workingDirectory,
        string? userConfigFile,
        Action<string>? repoProblem = null
    )
    {
        var ignored = new List<IgnoredConfigFile>();
        var tables = new List<ConfigTable>();
        var repoFile = Trusted(FindRepoFile(workingDirectory), ignored);
        Dictionary<string, string>? repo = null;
        if (repoFile is not null)
        {
            // With repoProblem (a verb that only reads), a repository's broken file is said and left out: a cloned
            // repository must not stop `rein ps` or `rein doctor`. Otherwise it is the command's error.
            var repoTables = new List<ConfigTable>();
            try
            {
                repo = ReadFile(
                    repoFile,
                    repoTables,
                    new ConfigSource(ConfigSourceKind.RepoFile, repoFile)
                );
                tables.AddRange(repoTables);
            }
            catch (ConfigException e) when (repoProblem is not null)
            {
                repoProblem($"{e.Message}; the file is left out");
            }
        }
        var userFile = Trusted(userConfigFile, ignored);
        var user = userFile is null
            ? null
            : ReadFile(userFile, tables, new ConfigSource(ConfigSourceKind.UserFile, userFile));

        var values = new Dictionary<string, ResolvedSetting>();
        foreach (var d in Settings.All)
        {
            var candidates = new List<(string Raw, ConfigSource Source)>();
            if (flags.TryGetValue(d.Key, out var f))
            {
                candidates.Add((f.Raw, new ConfigSource(ConfigSourceKind.Flag, f.Flag)));
            }

            var env = environment(d.EnvironmentVariable);
            if (!string.IsNullOrEmpty(env))
            {
                candidates.Add(
                    (env, new ConfigSource(ConfigSourceKind.Environment, d.EnvironmentVariable))
                );
            }

            if (repo is not null && !d.UserOnly && repo.TryGetValue(d.Key, out var r))
            {
                candidates.Add((r, new ConfigSource(ConfigSourceKind.RepoFile, repoFile!)));
            }

            if (user is not null && user.TryGetValue(d.Key, out var u))
            {
                candidates.Add((u, new ConfigSource(ConfigSourceKind.UserFile, userConfigFile!)));
            }

            candidates.Add((d.Default, new ConfigSource(ConfigSourceKind.Default, "default")));

            ResolvedSetting? chosen = null;
            foreach (var (raw, source) in candidates)
            {
                object parsed;
                try
                {
                    parsed = ParseValue(d, raw, source);
                }
                catch (ConfigException e)
                    when (repoProblem is not null && source.Kind == ConfigSourceKind.RepoFile)
                {
                    repoProblem($"{e.Message}; that setting is left out");
                    continue;
                }

                chosen ??= new ResolvedSetting(d, raw, parsed, source);
            }

            values[d.Key] = chosen!;
        }

        return new EffectiveConfig(values, repoFile, userFile)
        {
            Ignored = ignored,
            _tables = tables,
        };
    }

    /// <summary>The file if it exists and may be obeyed: owned by the user running rein (or root, who can change
    /// anything anyway) and writable by nobody else. Otherwise null, and an ignored file is noted.</summary>
    static string? Trusted(string? path, List<IgnoredConfigFile> ignored)
    {
        if (path is null || FileStatus.Of(path, follow: true) is not { IsDirectory: false } status)
        {
            return null;
        }

        var me = Platform.Posix.LibC.getuid();
        var problem =
            status.Uid != me && status.Uid != 0 ? ConfigFileProblem.OwnedByAnotherUser
            : status.WritableByOthers ? ConfigFileProblem.WritableByOthers
            : (ConfigFileProblem?)null;
        if (problem is { } p)
        {
            ignored.Add(new IgnoredConfigFile(path, p, status.Uid, status.Mode));
            return null;
        }

        return path;
    }

    /// <summary>The default user config file: <c>$XDG_CONFIG_HOME/rein/rein.toml</c> or <c>~/.config/rein/rein.toml</c>;
    /// <c>REIN_CONFIG</c> names another file.</summary>
    public static string DefaultUserConfigFile(Func<string, string?> environment)
    {
        var explicitFile = environment("REIN_CONFIG");
        if (!string.IsNullOrEmpty(explicitFile))
        {
            return explicitFile;
        }

        var xdg = environment("XDG_CONFIG_HOME");
        var home =
            environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var root = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(home, ".config");
        return Path.Combine(root, "rein", "rein.toml");
    }

    static object ParseValue(SettingDefinition d, string raw, ConfigSource source)
    {
        string error;
        switch (d.Kind)
        {
            case SettingKind.Duration:
                if (DurationParser.TryParse(raw, out var t, out error))
                {
                    return t;
                }

                break;
            case SettingKind.Interval:
                // Negative spacing means none: clamped to 0, so "-5s" and "0" agree. Garbage is still an error.
                var trimmed = raw.Trim();
                var negative = trimmed.StartsWith('-');
                if (
                    DurationParser.TryParse(negative ? trimmed[1..] : trimmed, out var i, out error)
                )
                {
                    return negative ? TimeSpan.Zero : i;
                }

                error =
                    $"'{raw}' is not a duration (use e.g. 90s, 3m, 0; a negative value means 0)";
                break;
            case SettingKind.Size:
                if (SizeParser.TryParse(raw, out var b, out error))
                {
                    return b;
                }

                break;
            case SettingKind.WholeNumber:
                if (
                    long.TryParse(
                        raw,
                        NumberStyles.Integer,
                        CultureInfo.InvariantCulture,
                        out var n
                    )
                    && n >= 0
                )
                {
                    return d.Floor is { } floor && n < floor ? floor : n;
                }

                error = $"'{raw}' is not a whole number of 0 or more";
                break;
            case SettingKind.Boolean:
                if (raw is "true" or "1" or "yes" or "on")
                {
                    return true;
                }

                if (raw is "false" or "0" or "no" or "off")
                {
                    return false;
                }

                error = $"'{raw}' is not true or false";
                break;
            default:
                return raw;
        }

        throw new ConfigException($"invalid {d.Key} from {source}: {error}");
    }

    /// <summary>The nearest rein.toml from <paramref name="start"/> up to the repository root (the nearest
    /// directory with a <c>.git</c> entry: a folder, or a file in a worktree). Outside a repository, only
    /// <paramref name="start"/> itself: climbing further would obey a <c>/tmp/rein.toml</c> anyone can write.</summary>
    static string? FindRepoFile(string start)
    {
        var here = new DirectoryInfo(start);
        var root = RepositoryRoot.Of(start);

        for (var dir = here; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "rein.toml");
            if (File.Exists(candidate))
            {
                return candidate;
            }

            if (root is null || dir.FullName == root)
            {
                return null;
            }
        }

        return null;
    }

    /// <summary>Reads a rein.toml into <c>section.key → raw text</c>; unknown keys and syntax errors fail loudly.</summary>
    internal static Dictionary<string, string> ReadFile(string path) => ReadFile(path, null, null);

    static Dictionary<string, string> ReadFile(
        string path,
        List<ConfigTable>? tables,
        ConfigSource? source
    )
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read {path}: {e.Message}");
        }

        return ParseToml(text, path, tables, source);
    }

    internal static Dictionary<string, string> ParseToml(
        string text,
        string path,
        List<ConfigTable>? tables = null,
        ConfigSource? source = null
    )
    {
        TomlTable table;
        try
        {
            table = TomlSerializer.Deserialize<TomlTable>(text, ReinTomlContext.Default)!;
        }
        catch (TomlException e)
        {
            // Tomlyn's message wraps the parser's diagnostic ("(1,5) : error : Expected `]` …") in its converter's
            // words: say only the diagnostic, at its place in the file, as a compiler would.
            var diagnostic = System.Text.RegularExpressions.Regex.Match(
                e.Message,
                @"\((\d+),(\d+)\)\s*:\s*error\s*:\s*([^\n]+)"
            );
            var first =
                e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()
                ?? e.Message;
            throw new ConfigException(
                diagnostic.Success
                    ? $"{path}:{diagnostic.Groups[1].Value}:{diagnostic.Groups[2].Value}: not valid TOML: {diagnostic.Groups[3].Value.Trim().TrimEnd('.').Replace("␤", "end of line", StringComparison.Ordinal)}"
                    : $"{path} is not valid TOML: {first.Trim()}"
            );
        }

        var known = Settings.All.Select(s => s.Key).ToHashSet();
        var result = new Dictionary<string, string>();
        foreach (var (section, value) in table)
        {
            if (value is not TomlTable inner)
            {
                throw new ConfigException(
                    $"{path}: '{section}' must be a [section] (e.g. [run] timeout = \"30m\")"
                );
            }

            foreach (var (name, v) in inner)
            {
                var key = $"{section}.{name}";
                if (TableKeys.Contains(key))
                {
                    tables?.AddRange(ConfigTable.From(key, v, path, source));
                    continue;
                }

                if (!known.Contains(key))
                {
                    throw new ConfigException(
                        UnknownSetting(text, path, section, name, key, known)
                    );
                }

                result[key] = v switch
                {
                    string s => s,
                    bool flag => flag ? "true" : "false",
                    long l => l.ToString(CultureInfo.InvariantCulture),
                    double dbl => dbl.ToString(CultureInfo.InvariantCulture),
                    _ => throw new ConfigException($"{path}: '{key}' must be a string or a number"),
                };
            }
        }

        return result;
    }

    /// <summary>"FILE:LINE: unknown setting 'run.memry' (did you mean run.memory?)": the line where the key is set
    /// (when it can be found), and the closest known key, else the known keys of its section.</summary>
    static string UnknownSetting(
        string text,
        string path,
        string section,
        string name,
        string key,
        HashSet<string> known
    )
    {
        var line = LineOf(text, section, name);
        var where = line is { } n ? $"{path}:{n}" : path;
        // Tables ([[classify.rule]]) are candidates too: `rules = 1` under [classify] means one.
        var closest = known
            .Concat(TableKeys.Select(t => $"[[{t}]]"))
            .Select(k => (Key: k, Distance: Distance(k.Trim('[', ']'), key)))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Key, StringComparer.Ordinal)
            .First();
        if (closest.Distance <= Math.Max(2, key.Length / 4))
        {
            return $"{where}: unknown setting '{key}' (did you mean {closest.Key}?)";
        }

        var siblings = known
            .Concat(TableKeys)
            .Where(k => k.StartsWith(section + ".", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(k => TableKeys.Contains(k) ? $"[[{k}]]" : k)
            .ToList();
        return siblings.Count > 0
            ? $"{where}: unknown setting '{key}' ([{section}] has {string.Join(", ", siblings.Select(k => k.StartsWith("[[", StringComparison.Ordinal) ? k : k[(section.Length + 1)..]))}; rein config lists all)"
            : $"{where}: unknown setting '{key}' (rein config lists every setting)";
    }

    /// <summary>The 1-based line that sets NAME inside [SECTION], found by reading the text; null when not found.</summary>
    static int? LineOf(string text, string section, string name)
    {
        var lines = text.Split('\n');
        var inSection = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var l = lines[i].Trim();
            if (l.StartsWith('['))
            {
                inSection = l == $"[{section}]";
                continue;
            }

            if (
                inSection
                && (
                    l.StartsWith(name, StringComparison.Ordinal)
                    || l.StartsWith($"\"{name}\"", StringComparison.Ordinal)
                )
                && l[(l.StartsWith('"') ? name.Length + 2 : name.Length)..]
                    .TrimStart()
                    .StartsWith('=')
            )
            {
                return i + 1;
            }
        }

        return null;
    }

    /// <summary>Levenshtein distance.</summary>
    static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(
                    Math.Min(row[j] + 1, row[j - 1] + 1),
                    diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)
                );
                diagonal = above;
            }
        }

        return row[b.Length];
    }
}
