namespace Rein.Locking;

/// <summary>A lock name is held with one slot count and a request asked for another: the two would overlap
/// silently (a one-slot caller admitted while others sit on slots 2 and 3), so the request is refused as bad
/// usage, not queued. An <see cref="InvalidOperationException"/>: rein run says it in one line and exits 125.</summary>
public sealed class LockSlotsMismatchException(LockRequest request, int held)
    : InvalidOperationException(
        $"lock '{request.Name}' is held with {held} slot(s) and this run asked for {request.Slots} "
            + $"(--lock {request.Label}): use --lock {request.Name}:{held} as its holders do, or another name; "
            + "the count can change once no slot is held"
    )
{
    public int HeldSlots { get; } = held;
}
