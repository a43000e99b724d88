namespace Rein.Config;

public enum SettingKind
{
    Duration,
    Size,
    WholeNumber,
    Boolean,
    Text,
}
