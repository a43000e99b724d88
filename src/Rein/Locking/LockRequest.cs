namespace Rein.Locking;

/// <summary><c>NAME[:SLOTS]</c> from <c>--lock</c>: a named counting semaphore with SLOTS slots (default 1).</summary>
public sealed record LockRequest(string Name, int Slots)
{
    public const int MaxSlots = 64;

    public static bool TryParse(string text, out LockRequest? request, out string error)
    {
        request = null;
        error = "";
        var colon = text.LastIndexOf(':');
        var name = colon < 0 ? text : text[..colon];
        var slots = 1;
        if (
            colon >= 0
            && (!int.TryParse(text.AsSpan(colon + 1), out slots) || slots < 1 || slots > MaxSlots)
        )
        {
            error = $"'{text}': slots must be a whole number from 1 to {MaxSlots} (e.g. gpu:2)";
            return false;
        }

        if (
            name.Length is 0 or > 64
            || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            || name.StartsWith('.')
        )
        {
            error =
                $"'{text}': a lock name is 1-64 letters, digits, '-', '_' or '.' (e.g. ci, gpu:2)";
            return false;
        }

        request = new LockRequest(name, slots);
        return true;
    }

    public string Label => Slots == 1 ? Name : $"{Name}:{Slots}";
}
