using Rein.Platform.Posix;

namespace Rein.Processes;

/// <summary>Kills a run's tree that lost its shim (the command can SIGKILL its own parent): no subreaper adopts
/// orphans any more and no keeper guards the tree, so Rein does it itself, by identity only.</summary>
public static class OrphanedTree
{
    /// <summary>A polite signal first would let a member die and orphan its children to init, out of sight. So
    /// freeze the tree (stopped processes neither fork nor exit, so the parent links hold) until no new member
    /// shows up, then SIGKILL it whole. The root's zombie is no longer held, so its group id is not signalled as a
    /// whole (pgid 0), and the root is recognised by its start time (<see cref="RunTree"/>) in case its pid was
    /// recycled.</summary>
    public static TreeKiller Kill(
        IProcessTable table,
        RunTree? tree,
        TimeSpan grace,
        TimeSpan killWait,
        Func<TimeSpan, bool> wait
    )
    {
        var frozen = new HashSet<int>();
        for (var pass = 0; tree is not null && pass < 100; pass++)
        {
            var fresh = tree.Collect(scanMarker: true)
                .Where(p => !p.IsZombie && frozen.Add(p.Pid))
                .ToList();
            if (fresh.Count == 0)
            {
                break;
            }

            foreach (var p in fresh)
            {
                ProcessSignaller.Send(table, p, LibC.SIGSTOP);
            }
        }

        var killer = new TreeKiller(table, tree, 0, grace, killWait);
        killer.Run(LibC.SIGKILL, wait);
        return killer;
    }
}
