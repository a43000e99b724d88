namespace Rein.Config;

/// <summary>The effective value of one setting and the source that supplied it.</summary>
public sealed record ResolvedSetting(
    SettingDefinition Definition,
    string Raw,
    object Value,
    ConfigSource Source
);
