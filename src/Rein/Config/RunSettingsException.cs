namespace Rein.Config;

/// <summary>Settings that cannot make a run (a bad lock name, an unknown cap method…): one line, nothing started.
/// The CLI prints it after the verb's name and exits 125.</summary>
public sealed class RunSettingsException(string message) : Exception(message);
