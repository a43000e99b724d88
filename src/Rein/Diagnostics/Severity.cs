namespace Rein.Diagnostics;

/// <summary>How bad a finding is. Ordered: a report lists critical first.</summary>
public enum Severity
{
    Ok = 0,
    Info = 1,
    Warn = 2,
    Critical = 3,
}
