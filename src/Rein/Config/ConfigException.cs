namespace Rein.Config;

/// <summary>Invalid configuration: the message names the value, the setting and the source, so the CLI
/// can print it as one line.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string message)
        : base(message) { }

    public ConfigException() { }

    public ConfigException(string message, Exception inner)
        : base(message, inner) { }
}
