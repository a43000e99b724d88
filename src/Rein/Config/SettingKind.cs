namespace Rein.Config;

public enum SettingKind
{
    Duration,

    /// <summary>A duration where a negative value means 0 (cadence intervals: "-5s" is "no spacing", not an error).</summary>
    Interval,
    Size,
    WholeNumber,
    Boolean,
    Text,
}
