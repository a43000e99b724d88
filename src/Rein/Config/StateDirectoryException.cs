namespace Rein.Config;

/// <summary>The state directory, or an entry in it, cannot be used safely (owned by another user, reached through
/// a symbolic link, not what it should be) or cannot be written (a full disk). The message is one line that names
/// the path and says what to do. An <see cref="IOException"/>, so callers that already survive I/O failures
/// survive this one.</summary>
public sealed class StateDirectoryException : IOException
{
    public StateDirectoryException(string message)
        : base(message) { }

    public StateDirectoryException() { }

    public StateDirectoryException(string message, Exception inner)
        : base(message, inner) { }
}
