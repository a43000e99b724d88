namespace Rein.Journal;

/// <summary>The journal cannot be used; the message says why and what to do, in one line.</summary>
public sealed class JournalException : Exception
{
    public JournalException(string message)
        : base(message) { }

    public JournalException() { }

    public JournalException(string message, Exception inner)
        : base(message, inner) { }
}
