namespace Rein.Journal;

public enum BootFilter
{
    Current,
    Previous,
}

/// <summary>Which runs <c>rein journal</c> lists, newest first.</summary>
public sealed record JournalQuery(
    int Limit = 20,
    DateTimeOffset? Since = null,
    BootFilter? Boot = null,
    bool UncleanOnly = false
);
