namespace Rein.Forensics.Breadcrumbs;

/// <summary>Pairs POSTs with PREs. The key is the caller (pid + start time) and its run, then the model
/// (<see cref="Breadcrumb.PairKey"/>) — never the model alone, or a worker that finished would hide another
/// worker's hung inference of the same model.</summary>
public static class BreadcrumbPairing
{
    /// <summary>The PREs of <paramref name="crumbs"/> (in the order written) that no later POST of the same key
    /// closed; a POST closes the latest open PRE of its key (threads of one process on one model pair up in some
    /// order; the count of open ones is right either way). A POST with no open PRE is ignored.</summary>
    public static List<Breadcrumb> Unmatched(IEnumerable<Breadcrumb> crumbs)
    {
        var open = new Dictionary<(int, ulong, string?, string), Stack<Breadcrumb>>();
        var order = new List<Breadcrumb>();
        foreach (var c in crumbs)
        {
            var key = c.PairKey;
            if (c.Kind == BreadcrumbKind.Pre)
            {
                if (!open.TryGetValue(key, out var stack))
                {
                    open[key] = stack = new Stack<Breadcrumb>();
                }

                stack.Push(c);
                order.Add(c);
            }
            else if (open.TryGetValue(key, out var stack) && stack.Count > 0)
            {
                stack.Pop();
            }
        }

        var still = open.Values.SelectMany(s => s).ToHashSet(ReferenceEqualityComparer.Instance);
        return [.. order.Where(still.Contains)];
    }
}
